//! Helpers shared by the text reports: tables readable at 100 columns, sections, "n/a".

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};
use std::fmt::Write;

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
pub(crate) fn emit(out: &mut String, mut t: Table, right_from: usize) {
    for c in t.column_iter_mut().skip(right_from) {
        c.set_cell_alignment(CellAlignment::Right);
    }
    let _ = writeln!(out, "{t}");
}
