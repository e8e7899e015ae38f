//! The table report of `journeyc levers`: the ranking (removal effect, its relative value
//! and attribution share, friction gain, best transition), then every transition of the
//! listed touchpoints with its sensitivity. Readable at 100 columns; no colour.

use super::View;
use crate::analyze::LeverSort;
use crate::analyze::levers::TransitionLevers;
use crate::report::analysis::{ignored_line, percent};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};
use std::fmt::Write;

/// Renders the levers as text tables, `width` columns wide (`None`: the terminal's).
pub fn table(view: &View, width: Option<u16>) -> String {
    let (j, l) = (view.journey, view.levers);
    let new_table = |header: &[&str]| {
        let mut t = Table::new();
        t.load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.to_vec());
        if let Some(w) = width {
            t.force_no_tty().set_width(w);
        }
        t
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", ignored_line(j));
    let scenario = j
        .scenario
        .as_ref()
        .map(|s| format!(", scenario `{s}`"))
        .unwrap_or_default();
    let _ = writeln!(out, "Levers of `{}` ({}){scenario}.", j.name, j.label);
    let _ = writeln!(out, "Conversion to {}, {}.", view.goal(), view.population());
    let order = match (view.clv.is_some(), view.sort) {
        (true, LeverSort::Friction | LeverSort::Change) => "clv gained with friction halved",
        (true, _) => "clv lost on removal",
        (false, LeverSort::Change) => "what a change gains (friction halved, then best transition)",
        (false, LeverSort::Removal) => "removal effect",
        (false, LeverSort::Friction) => "friction gain",
        (false, LeverSort::Sensitivity) => "best sensitivity",
    };
    let listed = view.listed();
    let shown = if listed.len() < l.touchpoints.len() {
        format!(
            "top {} of {} touchpoints",
            listed.len(),
            l.touchpoints.len()
        )
    } else {
        format!("{} touchpoints", l.touchpoints.len())
    };
    let _ = writeln!(
        out,
        "Baseline conversion {} ({} chain states).\nRanked by {order}: {shown}.",
        percent(l.baseline),
        l.states
    );

    if let Some(c) = view.clv {
        let _ = writeln!(
            out,
            "\nCustomer lifetime value (clv {} per customer; * moment of truth)",
            money(c.baseline)
        );
        let mut t = new_table(&[
            "#",
            "Touchpoint",
            "Lost if\nremoved",
            "Gained, friction\nhalved",
        ]);
        for (rank, &k) in listed.iter().enumerate() {
            let tp = &j.touchpoints[k];
            let mark = if tp.moment_of_truth { " *" } else { "" };
            t.add_row(vec![
                (rank + 1).to_string(),
                format!("{}{mark}", tp.name),
                money(c.removal[k]),
                money(c.friction[k]),
            ]);
        }
        let mut t = crate::report::text::fit(&t);
        right_align(&mut t, &[0, 2, 3]);
        let _ = writeln!(out, "{t}");
        let _ = writeln!(
            out,
            "Lost if removed: clv lost if customers arriving there left at once, in every \
             cycle;\ngained: clv gained if its friction were halved (exact analysis of each \
             changed journey)."
        );
    }

    let _ = writeln!(out, "\nRanking (* moment of truth)");
    let mut t = new_table(&[
        "#",
        "Touchpoint",
        "Stage\nchannel",
        "Removal",
        "Relative",
        "Share",
        "Friction\nhalved",
        "Best\ntransition",
    ]);
    for (rank, &k) in listed.iter().enumerate() {
        let tp = &j.touchpoints[k];
        let lever = &l.touchpoints[k];
        let mark = if tp.moment_of_truth { " *" } else { "" };
        let friction = if tp.friction > 0.0 {
            signed_percent(lever.friction_gain)
        } else {
            "-".into()
        };
        let best = l.best(k).map_or_else(
            || "-".to_string(),
            |b| format!("{}\n{}", view.target(b.target), sensitivity(b.sensitivity)),
        );
        t.add_row(vec![
            (rank + 1).to_string(),
            format!("{}{mark}", tp.name),
            format!(
                "{}\n{}",
                j.stages[tp.stage].name, j.channels[tp.channel].name
            ),
            points(lever.removal),
            l.relative(k).map_or_else(|| "n/a".into(), percent),
            l.share(k).map_or_else(|| "n/a".into(), percent),
            friction,
            best,
        ]);
    }
    let mut t = crate::report::text::fit(&t);
    right_align(&mut t, &[0, 3, 4, 5, 6]);
    let _ = writeln!(out, "{t}");
    let _ = writeln!(
        out,
        "Removal: conversion lost if customers arriving there left at once (Markov removal \
         effect);\nrelative: over the baseline; share: of all touchpoints' removal effects. \
         Friction halved:\nconversion gained if its friction were halved (- no friction). Best \
         transition: the one\nwhose probability raises conversion most, with its sensitivity \
         (- none does).\npp = percentage points of conversion."
    );

    let mut rows = Vec::new();
    for &k in &listed {
        for (i, tr) in l.touchpoints[k].transitions.iter().enumerate() {
            let name = if i == 0 {
                j.touchpoints[k].name.clone()
            } else {
                String::new()
            };
            rows.push(vec![
                name,
                view.target(tr.target).to_string(),
                probability(view, tr),
                sensitivity(tr.sensitivity),
            ]);
        }
    }
    if !rows.is_empty() {
        let _ = writeln!(
            out,
            "\nTransitions (sensitivity: conversion points gained per probability point moved \
             onto the\ntransition, the touchpoint's other transitions scaled down in proportion; \
             n/a: its only one)"
        );
        let mut t = new_table(&["Touchpoint", "To", "Probability", "Sensitivity"]);
        for row in rows {
            t.add_row(row);
        }
        let mut t = crate::report::text::fit(&t);
        right_align(&mut t, &[3]);
        let _ = writeln!(out, "{t}");
    }
    out
}

/// The probability of a transition: one figure when every segment of the population has
/// it with the same probability, else one line per segment that has it.
fn probability(view: &View, tr: &TransitionLevers) -> String {
    let j = view.journey;
    let population = view.levers.segment.map_or(j.segments.len(), |_| 1);
    let first = tr.segments[0].probability;
    if tr.segments.len() == population && tr.segments.iter().all(|s| s.probability == first) {
        return percent(first);
    }
    tr.segments
        .iter()
        .map(|s| format!("{} {}", j.segments[s.segment].name, percent(s.probability)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A sensitivity, signed; `n/a` for a touchpoint's only transition.
fn sensitivity(s: Option<f64>) -> String {
    match s {
        None => "n/a".into(),
        Some(0.0) => "0.0000".into(),
        Some(x) if x.abs() < 0.00005 => format!("{x:+.1e}"),
        Some(x) => format!("{x:+.4}"),
    }
}

/// An amount of money, two decimals, signed when negative.
fn money(x: f64) -> String {
    crate::model::figure::money(x)
}

/// A change of conversion in percentage points, signed (`+0.52 pp`, `+<0.01 pp`).
fn signed_percent(x: f64) -> String {
    let sign = match x {
        0.0 => "",
        x if x > 0.0 => "+",
        _ => "-",
    };
    format!("{sign}{}", points(x.abs()))
}

/// Conversion points: `7.35 pp` (a difference of two conversions, not a share).
fn points(x: f64) -> String {
    let p = crate::model::figure::percent(x);
    format!("{} pp", p.strip_suffix('%').unwrap_or(&p))
}

fn right_align(t: &mut Table, columns: &[usize]) {
    for (i, c) in t.column_iter_mut().enumerate() {
        if columns.contains(&i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(signed_percent(0.0052), "+0.52 pp");
        assert_eq!(signed_percent(-0.0052), "-0.52 pp");
        assert_eq!(signed_percent(1e-9), "+<0.01 pp");
        assert_eq!(signed_percent(0.0), "0.00 pp");
        assert_eq!(points(0.0735), "7.35 pp");
        assert_eq!(sensitivity(Some(0.52)), "+0.5200");
        assert_eq!(sensitivity(Some(-2e-7)), "-2.0e-7");
        assert_eq!(sensitivity(Some(0.0)), "0.0000");
        assert_eq!(sensitivity(None), "n/a");
    }
}
