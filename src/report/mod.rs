//! Reports: one renderer per output format. Findings are data until they reach this module.

pub mod analysis;
pub mod human;
