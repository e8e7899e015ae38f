//! Reports of a comparison (`journeyc compare`): a table for people, Markdown for a pull-request
//! comment, JSON for tools (schema in `docs/compare.md`). KPIs whose verdict flips come first.

mod json;

pub use json::{comparison, json};

use crate::compare::{Comparison, Delta, KpiChange, KpiStatus};

use crate::report::simulation::{Unit, thousands, verdict};
use crate::report::text::{emit, new_table, section};
use crate::sim::Estimate;
use std::fmt::Write;

/// A signed difference in a unit: percentage points for rates.
pub fn signed(unit: Unit, d: f64) -> String {
    unit.difference(d)
}

/// A difference with its interval: `+1.23 pp [+1.10, +1.36]` (the interval in the same
/// unit, written once).
pub fn difference(unit: Unit, d: &Estimate) -> String {
    let bare = |x: f64| {
        let s = signed(unit, x);
        s.strip_suffix(" pp").map(str::to_string).unwrap_or(s)
    };
    format!(
        "{} [{}, {}]",
        signed(unit, d.value),
        bare(d.low),
        bare(d.high)
    )
}

fn value(unit: Unit, e: Option<Estimate>) -> String {
    e.map_or_else(|| "n/a".into(), |e| unit.value(e.value))
}

/// The marks after a difference: `*` significant, `°` unpaired (conservative) interval.
fn marks(d: &Delta) -> &'static str {
    match (d.significant(), d.paired) {
        (true, true) => " *",
        (true, false) => " *°",
        (false, true) => "",
        (false, false) => " °",
    }
}

/// The legend of the marks.
const LEGEND: &str = "* significant (the 95% interval of the difference excludes 0); \
                      ° unpaired interval (conservative)";

/// The cells of a figure's row: name, baseline, variant, difference with marks, exact.
fn cells(d: &Delta, with_exact: bool) -> Vec<String> {
    let mut row = vec![
        d.name.clone(),
        value(d.unit, d.base),
        value(d.unit, d.variant),
        d.diff.map_or_else(
            || "n/a".into(),
            |x| format!("{}{}", difference(d.unit, &x), marks(d)),
        ),
    ];
    if with_exact {
        row.push(d.exact.map_or_else(|| "n/a".into(), |x| signed(d.unit, x)));
    }
    row
}

fn kpi_cells(k: &KpiChange, with_exact: bool) -> Vec<String> {
    let v = |r: Option<crate::sim::KpiResult>| {
        r.map_or("absent", |r| verdict(r.verdict, r.estimate.is_some()))
    };
    let name = match (k.status.label(), &k.old_text) {
        (None, _) => k.text.clone(),
        (Some(label), Some(old)) => format!("{} ({label}; was `{old}`)", k.text),
        (Some(label), None) => format!("{} ({label})", k.text),
    };
    let mut row = vec![name, format!("{} → {}", v(k.base), v(k.variant))];
    row.extend(cells(&k.delta, with_exact).into_iter().skip(1));
    row
}

/// The KPIs added, removed, tightened, relaxed or changed, one line each with the verdicts
/// (a relaxed target is called out: a KPI made easier passes without a real improvement).
fn kpi_changes(c: &Comparison) -> Vec<String> {
    let v = |r: Option<crate::sim::KpiResult>| {
        r.map_or("absent", |r| verdict(r.verdict, r.estimate.is_some()))
    };
    c.kpi_changes()
        .map(|k| match k.status {
            KpiStatus::Added => format!("new KPI `{}`: {}", k.text, v(k.variant)),
            KpiStatus::Removed => format!("removed KPI `{}` (was {})", k.text, v(k.base)),
            KpiStatus::Relaxed => format!(
                "RELAXED target `{}` → `{}`: easier to meet with the same figure ({} → {})",
                k.old_text.as_deref().unwrap_or_default(),
                k.text,
                v(k.base),
                v(k.variant)
            ),
            status => format!(
                "{} `{}` → `{}` ({} → {})",
                status.label().unwrap_or_default(),
                k.old_text.as_deref().unwrap_or_default(),
                k.text,
                v(k.base),
                v(k.variant)
            ),
        })
        .collect()
}

/// The opening lines of a comparison.
fn header(c: &Comparison) -> Vec<String> {
    let (b, v) = (&c.paired.base.frame, &c.paired.variant.frame);
    let code = |s: &str| format!("`{s}`");
    let variant = match (&c.names, &v.scenario) {
        (Some((_, name)), _) => code(name),
        (None, Some(s)) => format!("scenario {}", code(s)),
        (None, None) => format!("{} ({})", code(&v.journey), v.label),
    };
    let base = match (&c.names, &b.scenario) {
        (Some((name, _)), _) => code(name),
        (None, Some(s)) => format!("scenario {} of {}", code(s), code(&b.journey)),
        (None, None) => format!("{} ({})", code(&b.journey), b.label),
    };
    let mut lines = vec![
        format!("Baseline {base} against {variant}."),
        format!(
            "{} customers, seed {}, the same customers in both (common random numbers).",
            thousands(c.paired.base.customers),
            c.paired.base.seed
        ),
        "Intervals are 95%; pp = percentage points.".into(),
    ];
    if let Some(note) = &c.exact_note {
        lines.push(format!("Exact differences not available: {note}."));
    } else {
        lines.push(
            "Exact: the difference of the two exact analyses (horizon and max_steps ignored)."
                .into(),
        );
    }
    lines
}

/// The flip call-outs.
fn flips(c: &Comparison) -> Vec<String> {
    c.flipped()
        .map(|k| {
            let v = |r: Option<crate::sim::KpiResult>| {
                r.map_or("absent", |r| verdict(r.verdict, r.estimate.is_some()))
            };
            let (a, b) = (v(k.base), v(k.variant));
            let what = if k.regresses() { "breaks" } else { "fixes" };
            format!("{what} `{}`: {a} → {b}", k.text)
        })
        .collect()
}

const HEAD: [&str; 5] = [
    "Figure",
    "Baseline",
    "Variant",
    "Difference [95% interval]",
    "Exact",
];

/// The column headers: `HEAD` with the two sides named (`diff`: the versions; `compare`: the
/// baseline and the scenario).
fn heads(c: &Comparison) -> [String; 5] {
    let (b, v) = match (&c.columns, &c.paired.variant.frame.scenario) {
        (Some((b, v)), _) => (b.clone(), v.clone()),
        (None, Some(s)) => (HEAD[1].to_string(), s.clone()),
        (None, None) => (HEAD[1].to_string(), HEAD[2].to_string()),
    };
    [HEAD[0].into(), b, v, HEAD[3].into(), HEAD[4].into()]
}

/// Renders comparisons as text tables, `width` columns wide (`None`: the terminal's).
pub fn table(comparisons: &[Comparison], width: Option<u16>) -> String {
    let mut out = String::new();
    table_to(&mut out, comparisons, width);
    out
}

/// [`table`], written into `out` as it is made (`journeyc` streams it to standard output).
pub fn table_to(out: &mut (impl Write + ?Sized), comparisons: &[Comparison], width: Option<u16>) {
    for (i, c) in comparisons.iter().enumerate() {
        if i > 0 {
            let _ = out.write_char('\n');
        }
        for line in header(c) {
            let _ = writeln!(out, "{line}");
        }
        let with_exact = c.exact_note.is_none();
        let flips = flips(c);
        section(out, "KPI verdicts that flip");
        if flips.is_empty() {
            let _ = writeln!(out, "none");
        }
        for f in flips {
            let _ = writeln!(out, "- {f}");
        }
        let changes = kpi_changes(c);
        if !changes.is_empty() {
            section(out, "KPIs added, removed or changed");
            for line in changes {
                let _ = writeln!(out, "- {line}");
            }
        }
        if !c.kpis.is_empty() {
            section(out, "KPIs");
            let mut head: Vec<String> = vec!["KPI".into(), "Verdict".into()];
            head.extend(
                heads(c)[1..]
                    .iter()
                    .take(if with_exact { 4 } else { 3 })
                    .cloned(),
            );
            let mut t = new_table(head, width);
            for k in &c.kpis {
                t.add_row(kpi_cells(k, with_exact));
            }
            emit(out, t, 2);
        }
        section(out, "Figures (per customer)");
        let head: Vec<String> = heads(c)
            .into_iter()
            .take(if with_exact { 5 } else { 4 })
            .collect();
        let mut t = new_table(head, width);
        for d in &c.deltas {
            t.add_row(cells(d, with_exact));
        }
        emit(out, t, 1);
        let _ = writeln!(out, "{LEGEND}");
    }
}

/// Renders comparisons as GitHub-flavoured Markdown (a pull-request comment).
pub fn markdown(comparisons: &[Comparison]) -> String {
    let mut out = String::new();
    for c in comparisons {
        let v = &c.paired.variant.frame;
        let title = v.scenario.as_deref().unwrap_or(&v.journey);
        let _ = writeln!(out, "### journeyc compare: `{title}`\n");
        out.push_str(&markdown_body(c));
    }
    out
}

/// One comparison in Markdown, without its heading (`journeyc diff` gives it its own).
pub fn markdown_body(c: &Comparison) -> String {
    let mut out = String::new();
    {
        for line in header(c) {
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
        let flips = flips(c);
        let changes = kpi_changes(c);
        if !changes.is_empty() {
            let _ = writeln!(out, "**KPIs added, removed or changed:**\n");
            for line in &changes {
                let mark = if line.starts_with("RELAXED") || line.ends_with("FAIL") {
                    "⚠️ "
                } else {
                    ""
                };
                let _ = writeln!(out, "- {mark}{line}");
            }
            out.push('\n');
        }
        if flips.is_empty() && changes.is_empty() {
            let _ = writeln!(out, "**No KPI changes verdict.**\n");
        } else if flips.is_empty() {
            let _ = writeln!(
                out,
                "**No KPI present in both versions changes verdict.**\n"
            );
        } else {
            let _ = writeln!(out, "**KPI verdicts that flip:**\n");
            for f in flips {
                let mark = if f.starts_with("breaks") {
                    "❌"
                } else {
                    "✅"
                };
                let _ = writeln!(out, "- {mark} {f}");
            }
            out.push('\n');
        }
        let with_exact = c.exact_note.is_none();
        if !c.kpis.is_empty() {
            let names = heads(c);
            let mut head = vec!["KPI", "Verdict"];
            head.extend(
                names[1..]
                    .iter()
                    .map(String::as_str)
                    .take(if with_exact { 4 } else { 3 }),
            );
            md_table(
                &mut out,
                &head,
                c.kpis.iter().map(|k| kpi_cells(k, with_exact)),
            );
        }
        let significant: Vec<&Delta> = c.deltas.iter().filter(|d| d.significant()).collect();
        let names = heads(c);
        let head: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .take(if with_exact { 5 } else { 4 })
            .collect();
        let _ = writeln!(
            out,
            "<details><summary>All figures ({} significant of {})</summary>\n",
            significant.len(),
            c.deltas.len()
        );
        md_table(
            &mut out,
            &head,
            c.deltas.iter().map(|d| cells(d, with_exact)),
        );
        let _ = writeln!(out, "</details>\n\n{LEGEND}\n");
    }
    out
}

fn md_table(out: &mut String, head: &[&str], rows: impl Iterator<Item = Vec<String>>) {
    let esc = |s: &str| s.replace('|', "\\|");
    let _ = writeln!(
        out,
        "| {} |",
        head.iter().map(|h| esc(h)).collect::<Vec<_>>().join(" | ")
    );
    let _ = writeln!(out, "|{}", " --- |".repeat(head.len()));
    for row in rows {
        let _ = writeln!(
            out,
            "| {} |",
            row.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_signed_in_their_unit() {
        assert_eq!(signed(Unit::Percent, 0.0123), "+1.23 pp");
        assert_eq!(signed(Unit::Percent, -0.0123), "−1.23 pp");
        assert_eq!(signed(Unit::Money, -2.5), "−2.50");
        assert_eq!(signed(Unit::Duration, -300.0), "−5m");
        let e = Estimate {
            value: 0.02,
            low: 0.01,
            high: 0.03,
        };
        assert_eq!(difference(Unit::Percent, &e), "+2.00 pp [+1.00, +3.00]");
    }
}
