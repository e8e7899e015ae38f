//! Helpers shared by the text reports: tables that fit a width without breaking a word,
//! sections, "n/a".
//!
//! comfy-table's own wrapping splits a word that does not fit its column
//! (`drop_off(online_applicat` / `ion)`). The tables here are laid out by [`fit`] instead:
//! a cell breaks only after a space, `_` or `/`, or before `(`, so a name is never cut in
//! the middle of a word; when the words alone are wider than the width, the table is wider
//! than asked (a terminal wraps or scrolls it) rather than cutting one.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};
use std::fmt::Write;

/// Width of a table when none is given and standard output is not a terminal.
pub const PIPE_WIDTH: u16 = 100;

/// A table with a header, `width` columns wide (`None`: the terminal's width), no colour.
pub(crate) fn new_table(header: Vec<String>, width: Option<u16>) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    if let Some(w) = width {
        t.force_no_tty().set_width(w);
    }
    t
}

/// `v` formatted, or `n/a`.
pub(crate) fn opt<T>(v: Option<T>, f: impl Fn(T) -> String) -> String {
    v.map_or_else(|| "n/a".into(), f)
}

/// Starts a section: a blank line and its title.
pub(crate) fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}");
}

/// Right-aligns the numeric columns (from `right_from` on) and appends the table.
pub(crate) fn emit(out: &mut String, t: Table, right_from: usize) {
    let mut t = fit(&t);
    for c in t.column_iter_mut().skip(right_from) {
        c.set_cell_alignment(CellAlignment::Right);
    }
    let _ = writeln!(out, "{t}");
}

/// Characters on screen (the reports' text is made of one-column characters).
fn cols(s: &str) -> usize {
    s.chars().count()
}

/// The pieces a text may be broken into: each ends after a space, `_` or `/`, or just
/// before `(`.
fn pieces(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in line.char_indices() {
        let cut = match c {
            ' ' | '_' | '/' => Some(i + c.len_utf8()),
            '(' if i > start => Some(i),
            _ => None,
        };
        if let Some(at) = cut {
            out.push(&line[start..at]);
            start = at;
        }
    }
    if start < line.len() {
        out.push(&line[start..]);
    }
    out
}

/// The narrowest a text can be without breaking a piece (trailing spaces do not count).
fn narrowest(text: &str) -> usize {
    text.lines()
        .flat_map(|line| {
            let body = line.trim_start();
            let indent = cols(line) - cols(body);
            pieces(body)
                .into_iter()
                .map(move |p| indent + cols(p.trim_end()))
        })
        .max()
        .unwrap_or(0)
}

/// The widest line of a text.
fn widest(text: &str) -> usize {
    text.lines().map(cols).max().unwrap_or(0)
}

/// `text` broken into lines of at most `width` columns at piece boundaries (a piece wider
/// than `width` gets a line of its own).
pub(crate) fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        // An indented line (a touchpoint under its stage) keeps its indent on every line.
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        let width = width.saturating_sub(cols(indent));
        let mut current = String::new();
        for p in pieces(body) {
            if !current.is_empty() && cols(&current) + cols(p.trim_end()) > width {
                lines.push(format!("{indent}{}", current.trim_end()));
                current.clear();
            }
            if current.is_empty() {
                current.push_str(p.trim_start());
            } else {
                current.push_str(p);
            }
        }
        lines.push(format!("{indent}{}", current.trim_end()));
    }
    lines.join("\n")
}

/// The content width of each column: every column as wide as its widest line when that fits
/// `budget`; otherwise the widest column narrowed, one character at a time, until the table
/// fits — never below its widest unbreakable piece (so narrow numeric columns stay whole and
/// long names wrap first). When the pieces alone do not fit, the table is wider than asked.
fn widths(min: &[usize], max: &[usize], budget: usize) -> Vec<usize> {
    let mut w = max.to_vec();
    let mut total: usize = w.iter().sum();
    while total > budget {
        // The widest column that can still give a character (the first of equals).
        let Some(i) = (0..w.len())
            .filter(|&i| w[i] > min[i])
            .max_by_key(|&i| (w[i], std::cmp::Reverse(i)))
        else {
            break;
        };
        w[i] -= 1;
        total -= 1;
    }
    w
}

/// The table laid out to its width without breaking a word (see the module documentation).
pub(crate) fn fit(t: &Table) -> Table {
    let header: Vec<String> = t
        .header()
        .map(|r| r.cell_iter().map(|c| c.content()).collect())
        .unwrap_or_default();
    let rows: Vec<Vec<String>> = t
        .row_iter()
        .map(|r| r.cell_iter().map(|c| c.content()).collect())
        .collect();
    let n = std::iter::once(header.len())
        .chain(rows.iter().map(Vec::len))
        .max()
        .unwrap_or(0);
    let cell = |r: &Vec<String>, i: usize| r.get(i).cloned().unwrap_or_default();
    let all = || std::iter::once(&header).chain(&rows);
    let min: Vec<usize> = (0..n)
        .map(|i| all().map(|r| narrowest(&cell(r, i))).max().unwrap_or(0))
        .collect();
    let max: Vec<usize> = (0..n)
        .map(|i| all().map(|r| widest(&cell(r, i))).max().unwrap_or(0))
        .collect();
    let mut out = Table::new();
    out.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty();
    // Borders: one per column and one more; padding: one space each side of a cell.
    let w = match t.width() {
        Some(total) => widths(&min, &max, (total as usize).saturating_sub(3 * n + 1)),
        None => max.clone(),
    };
    let wrapped =
        |r: &Vec<String>| -> Vec<String> { (0..n).map(|i| wrap(&cell(r, i), w[i])).collect() };
    if !header.is_empty() {
        out.set_header(wrapped(&header));
    }
    for r in &rows {
        out.add_row(wrapped(r));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_end_after_spaces_underscores_and_slashes_and_before_parentheses() {
        assert_eq!(
            pieces("drop_off(online_application) <= 5%"),
            ["drop_", "off", "(online_", "application) ", "<= ", "5%"]
        );
        assert_eq!(pieces("origin/main"), ["origin/", "main"]);
        assert_eq!(pieces("(x)"), ["(x)"]);
        assert_eq!(pieces(""), Vec::<&str>::new());
    }

    #[test]
    fn wrapping_never_breaks_inside_a_word() {
        assert_eq!(
            wrap("drop_off(online_application)", 12),
            "drop_off\n(online_\napplication)"
        );
        // A piece wider than the width keeps a line of its own, whole.
        assert_eq!(wrap("unbreakable word", 4), "unbreakable\nword");
        assert_eq!(wrap("a b c", 80), "a b c");
        // The space between two words counts.
        assert_eq!(wrap("ab cd", 5), "ab cd");
        assert_eq!(wrap("ab cd", 4), "ab\ncd");
        assert_eq!(wrap("two\nlines", 80), "two\nlines");
        // Indentation stays, on every line of the cell.
        assert_eq!(wrap("  social_ad", 80), "  social_ad");
        assert_eq!(wrap("  drop_off(x)", 10), "  drop_off\n  (x)");
    }

    #[test]
    fn columns_get_their_words_and_share_the_rest() {
        // Everything fits: natural widths.
        assert_eq!(widths(&[3, 4], &[10, 20], 40), [10, 20]);
        // Not enough: the widest column gives way first, down to its longest word.
        assert_eq!(widths(&[3, 4], &[10, 20], 20), [10, 10]);
        assert_eq!(widths(&[3, 4], &[10, 20], 12), [6, 6]);
        assert_eq!(widths(&[3, 8], &[10, 20], 12), [4, 8]);
        // Words wider than the budget: the table overflows rather than cut one.
        assert_eq!(widths(&[30, 40], &[30, 50], 20), [30, 40]);
    }

    #[test]
    fn a_narrow_table_keeps_whole_words_and_its_width() {
        let mut t = new_table(vec!["KPI".into(), "Verdict".into()], Some(32));
        t.add_row(vec![
            "drop_off(online_application) <= 5%".to_string(),
            "inconclusive → pass".to_string(),
        ]);
        let text = fit(&t).to_string();
        assert!(text.contains("(online_"), "{text}");
        assert!(!text.contains("applicat\n"), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 32), "{text}");
    }
}
