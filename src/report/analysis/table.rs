//! The table report of the exact analysis: summary, segments, touchpoints in stage order,
//! triggers, KPIs. Readable at 100 columns; no colour.

use super::{ignored_line, judge, metric_value, percent, rated_csat, shows};
use crate::analyze::{Analysis, Figures};
use crate::model::figure::Verdict;
use crate::model::{Journey, TriggerEvent, format_duration};
use crate::report::text::{emit, new_table, opt, section};
use crate::report::{summary_label, summary_metrics};
use std::fmt::Write;

/// Renders the analysis as text tables, `width` columns wide (`None`: the terminal's).
pub fn table(j: &Journey, a: &Analysis, width: Option<u16>) -> String {
    let mut out = String::new();
    table_to(&mut out, j, a, width);
    out
}

/// [`table`], written into `out` as it is made (`journeyc` streams it to standard output).
pub fn table_to(out: &mut (impl Write + ?Sized), j: &Journey, a: &Analysis, width: Option<u16>) {
    let new_table = |header: Vec<String>, right_from: usize| (new_table(header, width), right_from);
    let _ = writeln!(out, "{}", ignored_line(j));
    let _ = writeln!(
        out,
        "Every customer travels until the journey ends; no sampling error."
    );
    let scenario = j
        .scenario
        .as_ref()
        .map(|s| format!(", scenario `{s}`"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "Journey `{}` ({}){scenario}: {} segment(s), {} chain states.",
        j.name,
        j.label,
        j.segments.len(),
        a.states
    );

    section(out, "Summary (per customer)");
    let (mut t, r) = new_table(vec!["Figure".into(), "Exact value".into()], 1);
    for (name, value) in summary(j, &a.all, true) {
        t.add_row(vec![name, value]);
    }
    emit(out, t, r);

    if j.segments.len() > 1 {
        section(out, "Per segment (per customer of the segment)");
        let mut header = vec!["Figure".to_string()];
        header.extend(j.segments.iter().map(|s| s.name.clone()));
        let (mut t, r) = new_table(header, 1);
        t.add_row(
            std::iter::once("share".to_string())
                .chain(j.segments.iter().map(|s| percent(s.share)))
                .collect::<Vec<_>>(),
        );
        let per_segment = a
            .segments
            .iter()
            .map(|f| summary(j, f, false))
            .collect::<Vec<_>>();
        let rows = per_segment.first().map_or(0, Vec::len);
        for i in 0..rows {
            let mut row = vec![per_segment[0][i].0.clone()];
            row.extend(per_segment.iter().map(|f| f[i].1.clone()));
            t.add_row(row);
        }
        emit(out, t, r);
    }

    section(
        out,
        "Touchpoints in stage order (* moment of truth; abandoned/left/completed: ended there)",
    );
    let mut header = [
        "Stage",
        "Touchpoint",
        "Reach",
        "Visits",
        "Drop-off",
        "Abandoned",
        "Left",
        "Completed",
    ]
    .map(String::from)
    .to_vec();
    // CSAT of the visits at each touchpoint, when the journey rates some with `csat`.
    let csat = j.rates_csat();
    if csat {
        header.push("CSAT".into());
    }
    let (mut t, r) = new_table(header, 2);
    for stage in &j.stages {
        for (i, &k) in stage.touchpoints.iter().enumerate() {
            let tp = &j.touchpoints[k];
            let f = &a.all.touchpoints[k];
            let mark = if tp.moment_of_truth { " *" } else { "" };
            let mut row = vec![
                if i == 0 {
                    stage.name.clone()
                } else {
                    String::new()
                },
                format!("{}{mark}", tp.name),
                percent(f.reach),
                format!("{:.4}", f.visits),
                opt(f.drop_off, percent),
                percent(f.ended.abandoned),
                percent(f.ended.left),
                percent(f.ended.completed),
            ];
            if csat {
                row.push(match rated_csat(tp) {
                    true => opt(f.csat, percent),
                    false => "—".into(),
                });
            }
            t.add_row(row);
        }
    }
    emit(out, t, r);

    if !j.triggers.is_empty() {
        section(out, "Triggers (per customer)");
        let header = ["Trigger", "On", "Via", "Firings", "Returns", "Brought back"];
        let (mut t, r) = new_table(header.map(String::from).to_vec(), 3);
        for (tr, f) in j.triggers.iter().zip(&a.all.triggers) {
            let event = match tr.event {
                TriggerEvent::Abandon => "abandon",
                TriggerEvent::Exit => "exit",
            };
            let at: Vec<&str> = tr
                .at
                .iter()
                .map(|&k| j.touchpoints[k].name.as_str())
                .collect();
            t.add_row(vec![
                tr.name.clone(),
                format!("{event} at {}", at.join(", ")),
                j.channels[tr.via].name.clone(),
                format!("{:.4}", f.firings),
                format!("{:.4}", f.returns),
                percent(f.brought_back),
            ]);
        }
        emit(out, t, r);
    }

    if !j.kpis.is_empty() {
        section(out, "KPIs (exact values)");
        let header = ["KPI", "Exact value", "Target", "Result"];
        let (mut t, r) = new_table(header.map(String::from).to_vec(), 1);
        for kpi in &j.kpis {
            let (value, status) = judge(j, a, kpi);
            let result = match status {
                Some(Verdict::Pass) => "pass".to_string(),
                Some(Verdict::Fail) => "FAIL".to_string(),
                Some(Verdict::Inconclusive) => "inconclusive (not available)".to_string(),
                None => "n/a (needs simulate)".to_string(),
            };
            t.add_row(vec![
                kpi.text.clone(),
                value.map_or_else(|| "n/a".into(), |v| metric_value(kpi.metric, v)),
                format!(
                    "{} {}",
                    kpi.comparison.as_str(),
                    metric_value(kpi.metric, kpi.target)
                ),
                result,
            ]);
        }
        emit(out, t, r);
    }
}

/// The summary rows: goals, then the per-customer figures (the same rows for every
/// population, so that segments line up); `unavailable` adds the rows that need simulate.
fn summary(j: &Journey, f: &Figures, unavailable: bool) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for (g, goal) in j.goals.iter().enumerate() {
        let primary = if Some(g) == j.primary_goal {
            ", primary"
        } else {
            ""
        };
        rows.push((
            format!("conversion ({}{primary})", goal.name),
            percent(f.goals[g]),
        ));
    }
    if j.goals.is_empty() {
        rows.push(("conversion".into(), "n/a (no goal)".into()));
    }
    let o = &f.outcomes;
    // The registry's summary figures; those only `simulate` estimates get a row saying so.
    for m in summary_metrics(shows(j)) {
        let info = m.info();
        match (info.exact, f.metric(m)) {
            (true, v) => rows.push((summary_label(m), opt(v, |v| info.unit.value(v)))),
            (false, _) if unavailable => {
                rows.push((summary_label(m), "n/a (needs simulate)".into()))
            }
            (false, _) => {}
        }
    }
    rows.push((
        "mean time to convert".into(),
        opt(f.time_to_convert.mean, format_duration),
    ));
    if unavailable {
        rows.push((
            "p50 / p90 / p99 time to convert".into(),
            "n/a (needs simulate)".into(),
        ));
    }
    rows.extend([
        ("ended: abandoned".to_string(), percent(o.abandoned)),
        ("ended: left".into(), percent(o.left)),
        ("ended: completed".into(), percent(o.completed)),
    ]);
    rows
}
