//! Edits: formatting through [`crate::fmt::format_source`] (the bytes `journeyc fmt`
//! writes), and quick fixes for the findings whose help line names a mechanical change:
//! - J0101 unknown name with "did you mean `x`?": write `x`;
//! - J0304 dead end, and J0202 transitions short of 100% (or none for a segment): add
//!   `-> exit`, which takes the remainder;
//! - J0402 context break: list the two channels in one `context` (added to the group of the
//!   first channel when it has an unnamed one, else a new `context A, B` line);
//! - J0701 unused suppression: remove the comment, when it allows nothing else.

use super::Failed;
use super::state::{At, State};
use crate::ast::{self, Item};
use crate::diagnostic::Finding;
use crate::rules::Rule;
use crate::source::Span;
use lsp_server::ErrorCode;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, DocumentFormattingParams,
    Position, Range, TextEdit, WorkspaceEdit,
};
use std::collections::HashMap;

/// Answers `textDocument/formatting`: one edit replacing the text with `journeyc fmt`'s
/// output (none when it is already formatted); an error when the text does not parse.
pub fn formatting(
    state: &State,
    params: DocumentFormattingParams,
) -> Result<Option<Vec<TextEdit>>, Failed> {
    let at = state.at(&params.text_document.uri, Position::new(0, 0))?;
    let text = &at.doc.text;
    match crate::fmt::format_source(text) {
        Ok(formatted) if formatted == *text => Ok(Some(Vec::new())),
        Ok(formatted) => {
            let lines = &at.doc.lines;
            let end = lines.position(text.len() - lines.shift());
            // From the very start: a BOM goes too, as `journeyc fmt` drops it.
            let range = Range::new(Position::new(0, 0), end);
            Ok(Some(vec![TextEdit::new(range, formatted)]))
        }
        Err(f) => Err((
            ErrorCode::RequestFailed,
            format!("cannot format a file that does not parse: {}", f.message),
        )),
    }
}

/// Answers `textDocument/codeAction`: the quick fixes of the findings in the range.
pub fn code_actions(
    state: &State,
    params: CodeActionParams,
) -> Result<Option<Vec<CodeActionOrCommand>>, Failed> {
    let at = state.at(&params.text_document.uri, params.range.start)?;
    let lines = &at.doc.lines;
    let (from, to) = (at.offset, lines.offset(params.range.end));
    let a = at.analysis;
    let mut out = Vec::new();
    for f in &a.findings {
        let s = f.primary.span;
        if s.file != a.main() || (s.end as usize) < from || (s.start as usize) > to {
            continue;
        }
        let Some((title, edits)) = fix(&at, f) else {
            continue;
        };
        let edits: Vec<TextEdit> = edits
            .into_iter()
            .map(|(start, end, text)| TextEdit::new(lines.range(start, end), text))
            .collect();
        let diagnostic = state.diagnostic(a, f);
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic]),
            edit: Some(WorkspaceEdit::new(HashMap::from([(at.uri.clone(), edits)]))),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    Ok(Some(out))
}

/// A byte-range replacement in the document.
type Edit = (usize, usize, String);

/// The fix of a finding, when its help names a mechanical one.
fn fix(at: &At, f: &Finding) -> Option<(String, Vec<Edit>)> {
    let text = &at.analysis.sources().get(at.analysis.main()).text;
    let help = f.help.as_deref().unwrap_or("");
    match f.rule {
        Rule::UnknownName => {
            let name = help.strip_prefix("did you mean `")?.strip_suffix("`?")?;
            let s = f.primary.span;
            Some((
                format!("Write `{name}`"),
                vec![(s.start as usize, s.end as usize, name.into())],
            ))
        }
        Rule::DeadEnd => add_exit(at, text, f.primary.span),
        Rule::TransitionSum
            if f.message.contains(", not 100%") || f.message.contains("no transition applies") =>
        {
            add_exit(at, text, f.primary.span)
        }
        Rule::ContextBreak => share_context(at, text, &f.primary.message),
        Rule::UnusedSuppression => remove_comment(text, f.primary.span),
        _ => None,
    }
}

/// The touchpoint of the main file declared at `name`.
fn touchpoint_named<'a>(at: &At<'a>, name: Span) -> Option<&'a ast::Touchpoint> {
    let tree = at.analysis.session.compiled.ast.as_ref()?;
    let items = match &tree.journey {
        Some(j) => &j.items,
        None => &tree.library,
    };
    items.iter().find_map(|i| match i {
        Item::Stage(s) => s.touchpoints.iter().find(|t| t.name.span == name),
        _ => None,
    })
}

/// The indentation of the line holding `offset`.
fn indent_at(text: &str, offset: usize) -> &str {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Adds `-> exit` as the last line of the touchpoint declared at `name`.
fn add_exit(at: &At, text: &str, name: Span) -> Option<(String, Vec<Edit>)> {
    let tp = touchpoint_named(at, name)?;
    let close = tp.span.end as usize - 1;
    if text.as_bytes().get(close) != Some(&b'}') {
        return None;
    }
    let indent = indent_at(text, tp.span.start as usize);
    let line_start = text[..close].rfind('\n').map_or(0, |i| i + 1);
    let edit = if text[line_start..close].trim().is_empty() {
        // `}` on its own line: a new line before it.
        (line_start, line_start, format!("{indent}  -> exit\n"))
    } else {
        (close, close, "-> exit ".into())
    };
    Some(("Add `-> exit` (it takes the remainder)".into(), vec![edit]))
}

/// The names written between backticks in `text`, in order.
fn quoted(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// Lists the two channels of a context break in one `context`.
fn share_context(at: &At, text: &str, label: &str) -> Option<(String, Vec<Edit>)> {
    let names = quoted(label);
    let (a, b) = (*names.first()?, *names.get(1)?);
    let tree = at.analysis.session.compiled.ast.as_ref()?;
    let items = &tree.journey.as_ref()?.items;
    let title = format!("List `{a}` and `{b}` in one `context`");
    // An unnamed group of the main file holding `a` (and not `b`): add `b` to it.
    for item in items {
        if let Item::Context(None, channels, _) = item {
            if channels.iter().any(|c| c.text == a) && !channels.iter().any(|c| c.text == b) {
                let end = channels.last()?.span.end as usize;
                return Some((title, vec![(end, end, format!(", {b}"))]));
            }
        }
    }
    // Else a new line after the last channel or context line of the journey.
    let after = items
        .iter()
        .filter(|i| matches!(i, Item::Channel(_) | Item::Context(..)))
        .map(|i| i.span().end as usize)
        .max()?;
    let line_end = text[after..].find('\n').map_or(text.len(), |i| after + i);
    let indent = indent_at(text, after);
    Some((
        title,
        vec![(line_end, line_end, format!("\n{indent}context {a}, {b}"))],
    ))
}

/// Removes a `# journeyc: allow(…)` comment that allows one rule only.
fn remove_comment(text: &str, span: Span) -> Option<(String, Vec<Edit>)> {
    let offset = span.start as usize;
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let hash = line_start + line.find('#')?;
    let comment = &text[hash..line_end];
    let list = comment.split_once('(')?.1.split_once(')')?.0;
    if list.contains(',') {
        return None;
    }
    let before = &text[line_start..hash];
    let edit = if before.trim().is_empty() {
        // A comment on its own line: the whole line.
        let next = (line_end + 1).min(text.len());
        (line_start, next, String::new())
    } else {
        let trimmed = before.trim_end().len();
        (line_start + trimmed, line_end, String::new())
    };
    Some(("Remove the unused suppression".into(), vec![edit]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_names() {
        assert_eq!(
            quoted("`web` and `phone` do not share context"),
            ["web", "phone"]
        );
        assert!(quoted("no names").is_empty());
    }

    #[test]
    fn a_suppression_alone_on_its_line_goes_with_the_line() {
        let text = "a\n  # journeyc: allow(dead-end)\nb\n";
        let at = text.find("dead-end").unwrap();
        let (_, edits) =
            remove_comment(text, Span::new(crate::source::FileId(0), at, at + 8)).unwrap();
        let (s, e, _) = &edits[0];
        assert_eq!(format!("{}{}", &text[..*s], &text[*e..]), "a\nb\n");
        let text = "x { } # journeyc: allow(dead-end)\n";
        let at = text.find("dead-end").unwrap();
        let (_, edits) =
            remove_comment(text, Span::new(crate::source::FileId(0), at, at + 8)).unwrap();
        let (s, e, _) = &edits[0];
        assert_eq!(format!("{}{}", &text[..*s], &text[*e..]), "x { }\n");
        let text = "# journeyc: allow(dead-end, trap)\n";
        assert!(remove_comment(text, Span::new(crate::source::FileId(0), 20, 28)).is_none());
    }
}
