//! Parse: `.journey` text → [`ast::File`], or one J0001 finding saying what was expected.
//!
//! The grammar is `grammar/journey.pest`; this module lowers pest's pairs into the spanned AST,
//! one function per grammar rule. The grammar has a fixed nesting depth (file → journey →
//! stage → touchpoint), so lowering recursion is bounded whatever the input.

pub(crate) mod error;
mod lower;

use crate::ast;
use crate::diagnostic::Finding;
use crate::source::FileId;
use pest::Parser as _;

/// The pest parser generated from `grammar/journey.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/journey.pest"]
pub struct JourneyParser;

/// Parses one file's text. On failure, the J0001 finding points at the first offending token
/// and says, in words, what was expected there.
pub fn parse(file: FileId, text: &str) -> Result<ast::File, Box<Finding>> {
    match JourneyParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let pair = pairs.next().expect("the file rule always yields one pair");
            lower::file(file, pair).map_err(Box::new)
        }
        Err(_) => Err(Box::new(error::syntax_finding(file, text))),
    }
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
