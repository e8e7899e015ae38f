//! Helpers shared by the text reports: tables that fit a width without breaking a word,
//! sections, "n/a".
//!
//! A [`Table`] keeps its cells in one text with their end offsets, not one allocation per
//! cell: a table of 100,000 touchpoints is 800,000 cells, and the report of a large journey
//! must not hold many times its size in memory. [`emit`] lays it out and writes it line by
//! line into the output (standard output itself when the command streams), drawn as
//! comfy-table's `UTF8_FULL_CONDENSED` style draws a table (the unit tests compare the two).
//!
//! Layout: a cell breaks only after a space, `_` or `/`, or before `(`, so a name is never
//! cut in the middle of a word (comfy-table's own wrapping split `drop_off(online_applicat` /
//! `ion)`); when the words alone are wider than the width, the table is wider than asked (a
//! terminal wraps or scrolls it) rather than cutting one.

use std::borrow::Cow;
use std::fmt::Write;
use unicode_width::UnicodeWidthStr;

/// Width of a table when none is given and standard output is not a terminal.
pub const PIPE_WIDTH: u16 = 100;

/// A text table: a header and rows of cells (a row may have fewer cells than the table has
/// columns: the rest are blank), `width` columns wide when laid out (`None`: as wide as its
/// cells).
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    /// The first row is the header.
    has_header: bool,
    width: Option<u16>,
    /// Every cell's text, one after the other.
    text: String,
    /// Where each cell ends in `text`.
    cell_ends: Vec<usize>,
    /// Where each row ends in `cell_ends`.
    row_ends: Vec<usize>,
}

impl Table {
    /// Adds a row.
    pub(crate) fn add_row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        for cell in cells {
            self.text.push_str(cell.as_ref());
            self.cell_ends.push(self.text.len());
        }
        self.row_ends.push(self.cell_ends.len());
    }

    /// How many rows it has (the header aside).
    pub(crate) fn rows(&self) -> usize {
        self.row_ends.len() - usize::from(self.has_header)
    }

    /// The cells of row `r`.
    fn row(&self, r: usize) -> impl Iterator<Item = &str> {
        let from = if r == 0 { 0 } else { self.row_ends[r - 1] };
        (from..self.row_ends[r]).map(move |i| {
            let start = if i == 0 { 0 } else { self.cell_ends[i - 1] };
            &self.text[start..self.cell_ends[i]]
        })
    }

    /// The header (when it has cells), then every row.
    fn all_rows(&self) -> impl Iterator<Item = impl Iterator<Item = &str>> {
        (0..self.row_ends.len()).map(|r| self.row(r))
    }
}

/// Appending to any text output as to a `String`: the reports' parts write into standard
/// output or a file itself as they are made. A failed write is kept by the writer, which ends
/// the output there (`crate::cli::output::text_to`).
pub(crate) trait Push: Write {
    /// Appends `s`.
    fn push_str(&mut self, s: &str) {
        let _ = self.write_str(s);
    }

    /// Appends `c`.
    fn push(&mut self, c: char) {
        let _ = self.write_char(c);
    }
}

impl<W: Write + ?Sized> Push for W {}

/// A table with a header, `width` columns wide (`None`: as wide as its cells).
pub(crate) fn new_table(header: Vec<String>, width: Option<u16>) -> Table {
    let mut t = Table {
        has_header: !header.is_empty(),
        width,
        ..Table::default()
    };
    if t.has_header {
        t.add_row(header);
    }
    t
}

/// `v` formatted, or `n/a`.
pub(crate) fn opt<T>(v: Option<T>, f: impl Fn(T) -> String) -> String {
    v.map_or_else(|| "n/a".into(), f)
}

/// Starts a section: a blank line and its title.
pub(crate) fn section(out: &mut (impl Write + ?Sized), title: &str) {
    let _ = writeln!(out, "\n{title}");
}

/// Appends the table with the numeric columns (from `right_from` on) right-aligned.
pub(crate) fn emit(out: &mut (impl Write + ?Sized), t: Table, right_from: usize) {
    let _ = write_table(out, &t, |i| i >= right_from);
}

/// Appends the table with the columns `right` right-aligned.
pub(crate) fn emit_right(out: &mut (impl Write + ?Sized), t: &Table, right: &[usize]) {
    let _ = write_table(out, t, |i| right.contains(&i));
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

/// The text of a cell laid out `width` columns wide: its lines wrapped (see [`wrap`]), as a
/// borrow when that changes nothing (most cells), so laying out a large table allocates
/// little.
fn laid_out(cell: &str, width: usize) -> Cow<'_, str> {
    let unchanged = !cell.contains('\r')
        && !cell.ends_with('\n')
        && cell.split('\n').all(|line| {
            let body = line.trim_start();
            cols(line) <= width && (body.is_empty() || body.len() == body.trim_end().len())
        });
    if unchanged {
        Cow::Borrowed(cell)
    } else {
        Cow::Owned(wrap(cell, width))
    }
}

/// Writes `n` times `c`.
fn repeat(out: &mut (impl Write + ?Sized), c: char, n: usize) -> std::fmt::Result {
    (0..n).try_for_each(|_| out.write_char(c))
}

/// A border line: `left`, each column's `fill` (its content and one space each side),
/// `junction` between columns, `right`.
fn border(
    out: &mut (impl Write + ?Sized),
    [left, fill, junction, right]: [char; 4],
    widths: &[usize],
) -> std::fmt::Result {
    out.write_char(left)?;
    for (i, &w) in widths.iter().enumerate() {
        if i > 0 {
            out.write_char(junction)?;
        }
        repeat(out, fill, w + 2)?;
    }
    out.write_char(right)?;
    out.write_char('\n')
}

/// Writes the lines of one row: `cells` laid out, `widths[i]` columns each, blank where a
/// cell has fewer lines than the row (or is missing).
fn row_lines(
    out: &mut (impl Write + ?Sized),
    cells: &[Cow<'_, str>],
    widths: &[usize],
    right: &impl Fn(usize) -> bool,
) -> std::fmt::Result {
    let height = cells
        .iter()
        .map(|c| c.split('\n').count())
        .max()
        .unwrap_or(1)
        .max(1);
    let mut lines: Vec<std::str::Split<'_, char>> = cells.iter().map(|c| c.split('\n')).collect();
    for _ in 0..height {
        out.write_char('│')?;
        for (i, &w) in widths.iter().enumerate() {
            if i > 0 {
                out.write_char('┆')?;
            }
            match lines.get_mut(i).and_then(Iterator::next) {
                Some(line) => {
                    let pad = w.saturating_sub(line.width());
                    let (before, after) = if right(i) { (pad, 0) } else { (0, pad) };
                    repeat(out, ' ', 1 + before)?;
                    out.write_str(line)?;
                    repeat(out, ' ', after + 1)?;
                }
                None => repeat(out, ' ', w + 2)?,
            }
        }
        out.write_str("│\n")?;
    }
    Ok(())
}

/// Lays the table out to its width without breaking a word (see the module documentation)
/// and writes it, the columns where `right` holds right-aligned, each line ended by a line
/// break.
pub(crate) fn write_table(
    out: &mut (impl Write + ?Sized),
    t: &Table,
    right: impl Fn(usize) -> bool,
) -> std::fmt::Result {
    let n = t.all_rows().map(Iterator::count).max().unwrap_or(0);
    let mut min = vec![0; n];
    let mut max = vec![0; n];
    for row in t.all_rows() {
        for (i, cell) in row.enumerate() {
            min[i] = min[i].max(narrowest(cell));
            max[i] = max[i].max(widest(cell));
        }
    }
    // Borders: one per column and one more; padding: one space each side of a cell.
    let budget = match t.width {
        Some(total) => widths(&min, &max, (total as usize).saturating_sub(3 * n + 1)),
        None => max,
    };
    // Each column as wide as its widest laid-out line (at least one character). The cells
    // are laid out again as they are written: most are borrowed as they are (`laid_out`),
    // and keeping the laid-out table would hold a second copy of it.
    let mut shown = vec![1; n];
    for row in t.all_rows() {
        for (i, cell) in row.enumerate() {
            let cell = laid_out(cell, budget[i]);
            let w = cell
                .split('\n')
                .map(UnicodeWidthStr::width)
                .max()
                .unwrap_or(0);
            shown[i] = shown[i].max(w);
        }
    }
    border(out, ['┌', '─', '┬', '┐'], &shown)?;
    let mut cells: Vec<Cow<'_, str>> = Vec::with_capacity(n);
    for (r, row) in t.all_rows().enumerate() {
        cells.clear();
        cells.extend(row.enumerate().map(|(i, cell)| laid_out(cell, budget[i])));
        row_lines(out, &cells, &shown, &right)?;
        if r == 0 && t.has_header {
            border(out, ['╞', '═', '╪', '╡'], &shown)?;
        }
    }
    border(out, ['└', '─', '┴', '┘'], &shown)
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
        let mut text = String::new();
        emit(&mut text, t, 1);
        assert!(text.contains("(online_"), "{text}");
        assert!(!text.contains("applicat\n"), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 32), "{text}");
    }

    /// The tables as they were drawn before [`Table`]: the cells laid out by the same rules,
    /// then drawn by comfy-table.
    fn drawn_by_comfy_table(t: &Table, right: impl Fn(usize) -> bool) -> String {
        use comfy_table::presets::UTF8_FULL_CONDENSED;
        use comfy_table::{CellAlignment, ContentArrangement};
        let mut rows: Vec<Vec<String>> = (0..t.row_ends.len())
            .map(|r| t.row(r).map(String::from).collect())
            .collect();
        let header = match t.has_header {
            true => rows.remove(0),
            false => Vec::new(),
        };
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
        let w = match t.width {
            Some(total) => widths(&min, &max, (total as usize).saturating_sub(3 * n + 1)),
            None => max.clone(),
        };
        let wrapped =
            |r: &Vec<String>| -> Vec<String> { (0..n).map(|i| wrap(&cell(r, i), w[i])).collect() };
        let mut out = comfy_table::Table::new();
        out.load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .force_no_tty();
        if !header.is_empty() {
            out.set_header(wrapped(&header));
        }
        for r in &rows {
            out.add_row(wrapped(r));
        }
        for (i, c) in out.column_iter_mut().enumerate() {
            if right(i) {
                c.set_cell_alignment(CellAlignment::Right);
            }
        }
        format!("{out}\n")
    }

    #[test]
    fn tables_are_drawn_as_comfy_table_draws_them() {
        const WORDS: [&str; 16] = [
            "",
            "a",
            "reach",
            "drop_off(online_application)",
            "12.5%",
            "±0.3",
            "origin/main",
            "two\nlines",
            "  indented_name *",
            "trailing ",
            "→ —",
            "n/a",
            "a much longer cell that has to wrap somewhere in a narrow table",
            "(x)",
            "   ",
            "line\n\nafter an empty one",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for case in 0..3000 {
            let columns = 1 + next(6);
            let width = match next(4) {
                0 => None,
                _ => Some(20 + next(100) as u16),
            };
            let header: Vec<String> = match next(8) {
                0 => Vec::new(),
                _ => (0..columns)
                    .map(|_| WORDS[next(WORDS.len())].to_string())
                    .collect(),
            };
            let mut t = new_table(header, width);
            for _ in 0..next(6) {
                let cells = if next(5) == 0 {
                    1 + next(columns)
                } else {
                    columns
                };
                let row: Vec<String> = (0..cells)
                    .map(|_| {
                        (0..1 + next(3))
                            .map(|_| WORDS[next(WORDS.len())])
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .collect();
                t.add_row(row);
            }
            let right_from = next(columns + 1);
            let mut ours = String::new();
            emit(&mut ours, t.clone(), right_from);
            let theirs = drawn_by_comfy_table(&t, |i| i >= right_from);
            assert_eq!(ours, theirs, "case {case}: {t:?}");
        }
    }
}
