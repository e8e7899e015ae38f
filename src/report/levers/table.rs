//! The table report of `journeyc levers`: the ranking (removal effect, its relative value
//! and attribution share, friction gain, best transition), then every transition of the
//! listed touchpoints with its sensitivity. Readable at 100 columns; no colour.

use super::View;
use crate::analyze::LeverSort;
use crate::analyze::levers::TransitionLevers;
use crate::report::analysis::{ignored_line, percent};
use crate::report::text::emit_right;
use std::fmt::Write;

/// Renders the levers as text tables, `width` columns wide (`None`: the terminal's).
pub fn table(view: &View, width: Option<u16>) -> String {
    let mut out = String::new();
    table_to(&mut out, view, width);
    out
}

/// [`table`], written into `out` as it is made (`journeyc` streams it to standard output).
pub fn table_to(out: &mut (impl Write + ?Sized), view: &View, width: Option<u16>) {
    let (j, l) = (view.journey, view.levers);
    let new_table = |header: &[&str]| {
        crate::report::text::new_table(header.iter().map(|h| h.to_string()).collect(), width)
    };
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
        emit_right(out, &t, &[0, 2, 3]);
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
    emit_right(out, &t, &[0, 3, 4, 5, 6]);
    let _ = writeln!(
        out,
        "Removal: conversion lost if customers arriving there left at once (Markov removal \
         effect);\nrelative: over the baseline; share: of all touchpoints' removal effects. \
         Friction halved:\nconversion gained if its friction were halved (- no friction). Best \
         transition: the one\nwhose probability raises conversion most, with its sensitivity \
         (- none does).\npp = percentage points of conversion."
    );

    let mut t = new_table(&["Touchpoint", "To", "Probability", "Sensitivity"]);
    for &k in &listed {
        for (i, tr) in l.touchpoints[k].transitions.iter().enumerate() {
            let name = if i == 0 {
                j.touchpoints[k].name.as_str()
            } else {
                ""
            };
            t.add_row([
                name,
                view.target(tr.target),
                &probability(view, tr),
                &sensitivity(tr.sensitivity),
            ]);
        }
    }
    if t.rows() > 0 {
        let _ = writeln!(
            out,
            "\nTransitions (sensitivity: conversion points gained per probability point moved \
             onto the\ntransition, the touchpoint's other transitions scaled down in proportion; \
             n/a: its only one)"
        );
        emit_right(out, &t, &[3]);
    }
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
