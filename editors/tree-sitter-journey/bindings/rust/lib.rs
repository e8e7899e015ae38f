//! The tree-sitter grammar of journeyc's `.journey` language, for Rust:
//!
//! ```ignore
//! let mut parser = tree_sitter::Parser::new();
//! parser.set_language(&tree_sitter_journey::LANGUAGE.into()).unwrap();
//! let tree = parser.parse("journey j { }", None).unwrap();
//! assert!(!tree.root_node().has_error());
//! ```
//!
//! journeyc's own tests use it (`tests/tree_sitter.rs`): the grammar must accept exactly the
//! files journeyc's pest grammar accepts.

use tree_sitter_language::LanguageFn;

extern "C" {
    fn tree_sitter_journey() -> *const ();
}

/// The language, for `tree_sitter::Parser::set_language(&LANGUAGE.into())`.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_journey) };

/// The node types (`src/node-types.json`).
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

/// The highlight query (`queries/highlights.scm`).
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");

/// The locals query (`queries/locals.scm`).
pub const LOCALS_QUERY: &str = include_str!("../../queries/locals.scm");

/// The folds query (`queries/folds.scm`).
pub const FOLDS_QUERY: &str = include_str!("../../queries/folds.scm");
