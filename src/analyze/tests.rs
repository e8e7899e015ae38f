//! Unit tests of the exact analysis: tiny journeys computed by hand.
