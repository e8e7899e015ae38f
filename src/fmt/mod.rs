//! `fmt`: the canonical layout of a `.journey` file, printed from the parser's AST with every
//! comment of the text put back.
//!
//! The layout (also in `docs/fmt.md`):
//! - two-space indentation; one item or attribute per line; `{` ends the header line and `}`
//!   stands on its own line. Exceptions: a channel stays on one line
//!   (`channel web digital { cost 0.05 }`), and an empty block without comments is `stage s {}`;
//! - items in written order, never reordered (stage order is lifecycle order; the rest is the
//!   author's choice);
//! - words separated by one space: `-> target 35% for a, b`, lists as `a, b, c`, labels
//!   re-escaped (`\"`, `\\`); numbers, probabilities and durations exactly as written (`35%`
//!   stays `35%`, `0.35` stays `0.35`); `emotion` always signed (`+1`, `-1`, `+0`);
//! - blank lines: at most one in a row; the author's single blank lines between items are kept;
//!   none right after `{` or before `}`; at the top level (journey body, library file), one is
//!   always put between groups: `use` lines, settings (owner, description, horizon, max_steps,
//!   primary_goal, context, context_loss), channels, segments, each stage, triggers, kpis,
//!   scenarios. The forced blank line goes before an item's leading comments, unless the author
//!   already has one somewhere among them;
//! - columns: consecutive lines (no blank or comment line between them) of one kind line up
//!   their values one space after the longest keyword: settings `owner`, `description`,
//!   `horizon`, `max_steps`; segment attributes `share`, `prefers`, `patience`. Consecutive
//!   `channel` declarations line up their kind and `{ cost … }` columns;
//! - comments: an own-line comment stays before the item, attribute or `}` that follows it, at
//!   that item's indentation (inside the block for a `}`); a comment at the end of a line stays
//!   at the end of that line's output line (two spaces before `#`, and lined up with the
//!   end-of-line comments of the lines right above and below); a comment after a block written
//!   on one line goes to its header line; a comment inside a construct that becomes one output
//!   line (`-> a # why` then `35%` on the next line) ends that line, or, when several, all but
//!   the last stand on their own lines before it; comments after the last item end the file;
//!   comment text is kept verbatim except trailing blanks;
//! - LF line endings, no BOM, exactly one final newline; an empty (or blank) file stays empty.
//!
//! Formatting is idempotent and keeps the syntax tree (and so the model) unchanged.

mod comments;
mod layout;

use crate::diagnostic::Finding;
use crate::source::FileId;
use crate::syntax;
use comments::{Comment, has_blank_line, is_same_line};
use layout::{Align, Kind, Layout, Line};

/// The canonical layout of `text` (see the module documentation), or the J0001 finding when it
/// does not parse. The finding's spans are offsets into `text` without its BOM, as in
/// [`crate::source::SourceFile`], in file 0.
pub fn format_source(text: &str) -> Result<String, Box<Finding>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file = syntax::parse(FileId(0), text)?;
    let comments = comments::scan(text);
    let lines = Layout::file(text, &comments, file);
    let rows = place(text, &lines, &comments);
    Ok(render(text, &lines, &comments, &rows))
}

/// One line of output before it is printed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Row {
    /// An empty line.
    Blank,
    /// A comment on its own line.
    Comment { indent: usize, comment: usize },
    /// A line of code, with the comment that ends it.
    Code {
        line: usize,
        trailing: Option<usize>,
    },
}

/// Interleaves the code lines with the comments and the blank lines, in source order.
fn place(text: &str, lines: &[Line], comments: &[Comment]) -> Vec<Row> {
    let mut rows = Vec::with_capacity(lines.len() + comments.len());
    let mut row_of_line = Vec::with_capacity(lines.len());
    let mut next = 0;
    // Offset just past what was placed last: blank lines are read from the gap after it.
    let mut cursor = 0;
    // No blank line at the start of the file or right after a `{`.
    let mut after_open = true;
    for (index, line) in lines.iter().enumerate() {
        // Units of this line, with "a blank line before it".
        let mut units: Vec<(Row, bool)> = Vec::new();
        while let Some(c) = comments.get(next).filter(|c| c.start < line.start) {
            let blank = has_blank_line(gap(text, cursor, c.start));
            units.push((
                Row::Comment {
                    indent: line.comment_indent(),
                    comment: next,
                },
                blank,
            ));
            cursor = c.end;
            next += 1;
        }
        let inside_from = next;
        while comments.get(next).is_some_and(|c| c.start < line.end) {
            next += 1;
        }
        let mut inside = inside_from..next;
        let line_blank = has_blank_line(gap(text, cursor, line.start));
        cursor = cursor.max(line.end);
        let mut trailing = None;
        if let Some(c) = comments
            .get(next)
            .filter(|c| is_same_line(gap(text, line.end, c.start)))
        {
            trailing = Some(next);
            cursor = c.end;
            next += 1;
        } else if !inside.is_empty() {
            // The last comment inside the line can end it without changing the order.
            inside.end -= 1;
            trailing = Some(inside.end);
        }
        let mut first = true;
        for comment in inside {
            let indent = line.indent;
            units.push((Row::Comment { indent, comment }, first && line_blank));
            first = false;
        }
        let close = matches!(line.kind, Kind::Close { .. });
        units.push((
            Row::Code {
                line: index,
                trailing,
            },
            first && line_blank && !close,
        ));
        if line.force_blank && !units.iter().any(|u| u.1) {
            units[0].1 = true;
        }
        if after_open {
            units[0].1 = false;
        }
        // A comment after a block written on one line describes the block: its header.
        if let (
            Kind::Close {
                header,
                one_line: true,
            },
            Some(t),
        ) = (line.kind, trailing)
        {
            if let Some(Row::Code {
                trailing: slot @ None,
                ..
            }) = row_of_line.get(header).and_then(|&r| rows.get_mut(r))
            {
                *slot = Some(t);
                if let Some((Row::Code { trailing, .. }, _)) = units.last_mut() {
                    *trailing = None;
                }
            }
        }
        for (row, blank) in units {
            if blank {
                rows.push(Row::Blank);
            }
            rows.push(row);
        }
        row_of_line.push(rows.len() - 1);
        after_open = line.kind == Kind::Open;
    }
    for (comment, c) in comments.iter().enumerate().skip(next) {
        if !rows.is_empty() && has_blank_line(gap(text, cursor, c.start)) {
            rows.push(Row::Blank);
        }
        rows.push(Row::Comment { indent: 0, comment });
        cursor = c.end;
    }
    rows
}

/// The text between two offsets (empty if they are out of order).
fn gap(text: &str, from: usize, to: usize) -> &str {
    text.get(from..to).unwrap_or_default()
}

/// Prints the rows: columns lined up, end-of-line comments lined up, LF endings.
fn render(text: &str, lines: &[Line], comments: &[Comment], rows: &[Row]) -> String {
    let mut code: Vec<String> = vec![String::new(); rows.len()];
    let mut i = 0;
    while i < rows.len() {
        let Row::Code { line, .. } = rows[i] else {
            if let Row::Comment { indent, comment } = rows[i] {
                let c = comments[comment];
                code[i] = format!("{}{}", "  ".repeat(indent), &text[c.start..c.end]);
            }
            i += 1;
            continue;
        };
        let key = (lines[line].align, lines[line].indent);
        let mut j = i + 1;
        if key.0 != Align::None {
            while let Some(Row::Code { line, .. }) = rows.get(j) {
                if (lines[*line].align, lines[*line].indent) != key {
                    break;
                }
                j += 1;
            }
        }
        let run: Vec<&Line> = rows[i..j]
            .iter()
            .filter_map(|r| match r {
                Row::Code { line, .. } => Some(&lines[*line]),
                _ => None,
            })
            .collect();
        let widths = column_widths(&run);
        for (k, l) in run.iter().enumerate() {
            code[i + k] = cells(l, &widths);
        }
        i = j;
    }
    // End-of-line comments of adjacent lines start in one column.
    let mut i = 0;
    while i < rows.len() {
        if !matches!(
            rows[i],
            Row::Code {
                trailing: Some(_),
                ..
            }
        ) {
            i += 1;
            continue;
        }
        let indent = |r: &Row| match r {
            Row::Code { line, .. } => lines[*line].indent,
            _ => usize::MAX,
        };
        let mut j = i + 1;
        while matches!(rows.get(j), Some(r @ Row::Code { trailing: Some(_), .. }) if indent(r) == indent(&rows[i]))
        {
            j += 1;
        }
        let column = code[i..j]
            .iter()
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0)
            + 2;
        for k in i..j {
            if let Row::Code {
                trailing: Some(t), ..
            } = rows[k]
            {
                let width = code[k].chars().count();
                let c = comments[t];
                code[k].push_str(&" ".repeat(column - width));
                code[k].push_str(&text[c.start..c.end]);
            }
        }
        i = j;
    }
    // Each line is freed as it is copied: the text and its lines are not both whole.
    let mut out = String::with_capacity(code.iter().map(|l| l.len() + 1).sum());
    for line in code {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Width of each column of an aligned run: the widest cell that is followed by another.
fn column_widths(run: &[&Line]) -> Vec<usize> {
    let mut widths = Vec::new();
    for l in run {
        for (k, cell) in l
            .cells
            .iter()
            .enumerate()
            .take(l.cells.len().saturating_sub(1))
        {
            if widths.len() <= k {
                widths.push(0);
            }
            widths[k] = widths[k].max(cell.chars().count());
        }
    }
    widths
}

/// One code line: indentation, then its cells padded to `widths`.
fn cells(l: &Line, widths: &[usize]) -> String {
    let mut out = "  ".repeat(l.indent);
    for (k, cell) in l.cells.iter().enumerate() {
        out.push_str(cell);
        if k + 1 < l.cells.len() {
            let pad = widths.get(k).copied().unwrap_or(0);
            let width = cell.chars().count();
            out.push_str(&" ".repeat(pad.saturating_sub(width) + 1));
        }
    }
    out
}

#[cfg(test)]
mod tests;
