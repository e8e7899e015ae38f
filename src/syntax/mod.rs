//! Parse: `.journey` text → [`ast::File`], or one J0001 finding saying what was expected.
//!
//! The grammar is `grammar/journey.pest`, the one definition of the syntax. Two parsers come
//! from it: the matcher that build.rs generates from it (`fast`), which parses, and pest's
//! (`pest_derive`), which runs only on a text the first one refused, to say why
//! (`error`); both give the same pairs (tested: `differential.rs`). This module lowers the pairs
//! into the spanned AST, one function per grammar rule. The grammar has a fixed nesting depth
//! (file → journey → scenario → stage → touchpoint → option; no rule reaches itself, which
//! build.rs checks), so lowering recursion is bounded whatever the input.

#[cfg(test)]
pub(crate) mod differential;
pub(crate) mod error;
pub(crate) mod fast;
mod lower;

use crate::ast;
use crate::diagnostic::Finding;
use crate::source::FileId;
use pest::Parser as _;

/// The pest parser generated from `grammar/journey.pest`: syntax errors, and the reference
/// of the fast parser's tests.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/journey.pest"]
pub struct JourneyParser;

/// Parses one file's text. On failure, the J0001 finding points at the first offending token
/// and says, in words, what was expected there.
pub fn parse(file: FileId, text: &str) -> Result<ast::File, Box<Finding>> {
    let pairs = match fast::parse(text) {
        fast::Outcome::Parsed(pairs) => pairs,
        fast::Outcome::Failed => return Err(Box::new(error::syntax_finding(file, text))),
        // Only in a recursive grammar: pest parses.
        fast::Outcome::GaveUp => match JourneyParser::parse(Rule::file, text) {
            Ok(pairs) => fast::from_pest(pairs),
            Err(_) => return Err(Box::new(error::syntax_finding(file, text))),
        },
        fast::Outcome::TooLarge => return Err(Box::new(error::too_large(file))),
    };
    lower::file(file, fast::Tree::new(text, pairs).root()).map_err(Box::new)
}

#[cfg(test)]
mod tests;

/// Parses the file `id` of a source map.
pub fn parse_file(
    sources: &crate::source::SourceMap,
    id: FileId,
) -> Result<ast::File, Box<Finding>> {
    parse(id, &sources.get(id).text)
}
