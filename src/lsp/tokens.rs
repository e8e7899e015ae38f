//! Semantic tokens (full document) and the small lexer that completion shares: comments,
//! labels, numbers, words and punctuation, in the grammar's terms (`grammar/journey.pest`).
//! A word is a keyword unless the name index knows it as a name at that spot, so a
//! touchpoint called `review` is coloured as a touchpoint.

use super::Failed;
use super::state::State;
use super::symbols::Kind;
use lsp_types::{
    Position, SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens,
    SemanticTokensParams, SemanticTokensResult,
};

/// The token types of the legend, indexed by [`TokenType`].
pub const TYPES: [SemanticTokenType; 14] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::COMMENT,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::FUNCTION,    // touchpoint
    SemanticTokenType::TYPE,        // channel
    SemanticTokenType::CLASS,       // segment
    SemanticTokenType::EVENT,       // goal
    SemanticTokenType::MACRO,       // trigger
    SemanticTokenType::ENUM_MEMBER, // option
    SemanticTokenType::NAMESPACE,   // stage, scenario
    SemanticTokenType::VARIABLE,    // context group, other names
    SemanticTokenType::PROPERTY,    // metric
];

/// The token modifiers of the legend: bit 0 is `declaration`.
pub const MODIFIERS: [SemanticTokenModifier; 1] = [SemanticTokenModifier::DECLARATION];

/// What the lexer sees.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Lexeme {
    /// `# …` to the end of the line.
    Comment,
    /// `"…"` (possibly unterminated at the end of the line).
    Label,
    /// A number, percentage or duration.
    Number,
    /// A keyword or a name.
    Word,
    /// `->`, `{`, `}`, `,`, `(`, `)`, `:`, `..`, comparisons and anything else.
    Punct,
}

/// A lexeme and its byte range.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Lexeme,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// The lexemes of `text`, in order; never fails (any character is some lexeme).
pub fn lex(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let kind = match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                Lexeme::Comment
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n' | b'\r') {
                    i += if bytes[i] == b'\\' && i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                        2
                    } else {
                        1
                    };
                }
                if i < bytes.len() && bytes[i] == b'"' {
                    i += 1;
                }
                Lexeme::Label
            }
            b'0'..=b'9' | b'+' | b'-'
                if b.is_ascii_digit() || bytes.get(i + 1).is_some_and(u8::is_ascii_digit) =>
            {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'%'
                        || (bytes[i] == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)))
                {
                    i += 1;
                }
                Lexeme::Number
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                Lexeme::Word
            }
            _ => {
                let two = text.get(i..i + 2);
                i += match two {
                    Some("->" | ".." | ">=" | "<=") => 2,
                    // One character, whatever its length in bytes.
                    _ => text[i..].chars().next().map_or(1, char::len_utf8),
                };
                Lexeme::Punct
            }
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    out
}

/// The legend index of a name's kind.
fn name_type(kind: Kind) -> u32 {
    match kind {
        Kind::Touchpoint => 5,
        Kind::Channel => 6,
        Kind::Segment => 7,
        Kind::Goal => 8,
        Kind::Trigger => 9,
        Kind::Option => 10,
        Kind::Stage | Kind::Scenario => 11,
        Kind::Context => 12,
    }
}

/// Words that are values, not keywords: channel kinds, events, directions.
const VALUES: [&str; 7] = [
    "digital", "physical", "human", "abandon", "exit", "maximize", "minimize",
];

/// Answers `textDocument/semanticTokens/full`.
pub fn semantic_tokens(
    state: &State,
    params: SemanticTokensParams,
) -> Result<Option<SemanticTokensResult>, Failed> {
    let at = state.at(&params.text_document.uri, Position::new(0, 0))?;
    let a = at.analysis;
    let text = &a.sources().get(a.main()).text;
    let lines = &at.doc.lines;
    let mut data = Vec::new();
    let (mut line, mut column) = (0u32, 0u32);
    for t in lex(text) {
        let (kind, modifiers) = match t.kind {
            Lexeme::Comment => (1, 0),
            Lexeme::Label => (2, 0),
            Lexeme::Number => (3, 0),
            Lexeme::Punct if &text[t.start..t.end] == "->" => (4, 0),
            Lexeme::Punct => continue,
            Lexeme::Word => match a.index.at(a.main(), t.start) {
                Some(o) if o.span.start as usize == t.start => {
                    (name_type(o.kind), u32::from(o.declares))
                }
                _ if VALUES.contains(&&text[t.start..t.end]) => (0, 0),
                _ if super::complete::KEYWORDS.contains(&&text[t.start..t.end]) => (0, 0),
                _ => (13, 0),
            },
        };
        let start = lines.position(t.start);
        let end = lines.position(t.end);
        // Tokens do not span lines (comments and labels stop at a line end).
        let length = end.character.saturating_sub(start.character);
        if end.line != start.line || length == 0 {
            continue;
        }
        let delta_line = start.line - line;
        let delta_start = if delta_line == 0 {
            start.character - column
        } else {
            start.character
        };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type: kind,
            token_modifiers_bitset: modifiers,
        });
        (line, column) = (start.line, start.character);
    }
    Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
        result_id: None,
        data,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Lexeme, &str)> {
        lex(text)
            .into_iter()
            .map(|t| (t.kind, &text[t.start..t.end]))
            .collect()
    }

    #[test]
    fn lexemes() {
        use Lexeme::*;
        assert_eq!(
            kinds("-> b 35% for x # why\n\"a \\\" b\" 2m..6m -5%"),
            [
                (Punct, "->"),
                (Word, "b"),
                (Number, "35%"),
                (Word, "for"),
                (Word, "x"),
                (Comment, "# why"),
                (Label, "\"a \\\" b\""),
                (Number, "2m"),
                (Punct, ".."),
                (Number, "6m"),
                (Number, "-5%"),
            ]
        );
        // Anything lexes, even cut in the middle of a label or a character.
        assert_eq!(kinds("\"open"), [(Label, "\"open")]);
        assert_eq!(kinds("é"), [(Punct, "é")]);
    }
}
