//! Check: the rules of LANGUAGE.md's table on a graph of the resolved model.

pub mod registry;
