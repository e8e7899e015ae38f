//! The table report of a simulation: summary, outcomes, funnel, segments, touchpoints in
//! stage order, triggers, KPIs. Readable at 100 columns; no colour.

use super::{Computed, Unit, exact_endings, header, thousands, verdict};
use crate::model::figure;
use crate::model::{Metric, TriggerEvent};
use crate::report::analysis::percent;
use crate::report::simulation::Written;
use crate::report::text::{emit, new_table, opt, section};
use crate::report::{Shows, summary_label, summary_metrics};
use crate::sim::Estimate;
use crate::sim::figures::Figures;
use crate::sim::tally::ending;
use std::fmt::Write;

/// Renders a run as text tables, `width` columns wide (`None`: the terminal's).
pub fn table(c: &Computed, width: Option<u16>) -> String {
    let mut out = String::new();
    table_to(&mut out, c, width);
    out
}

/// [`table`], written into `out` as it is made (`journeyc` streams it to standard output).
pub fn table_to(out: &mut (impl Write + ?Sized), c: &Computed, width: Option<u16>) {
    let run = c.run;
    let f = &run.frame;
    let exact = run.exact.is_some();
    for line in header(run) {
        let _ = writeln!(out, "{line}");
    }

    // Summary: one row per figure, with the exact value beside it on request.
    section(out, "Summary (per customer)");
    let mut head = vec![
        "Figure".to_string(),
        "Estimate".into(),
        "95% interval".into(),
    ];
    if exact {
        head.push("Exact".into());
    }
    let mut t = new_table(head, width);
    for (name, unit, est, metric) in summary_rows(c, &c.all) {
        let mut row = vec![
            name,
            opt(est, |e| match unit {
                Unit::Duration => unit.value(e.value),
                _ => unit.estimate(&e),
            }),
            opt(est, |e| unit.interval(&e)),
        ];
        if exact {
            row.push(exact_cell(c, metric, None, unit));
        }
        t.add_row(row);
    }
    emit(out, t, 1);

    section(out, "Outcomes (how journeys ended)");
    let mut head = vec!["Ending".to_string(), "Share".into(), "95% interval".into()];
    if exact {
        head.push("Exact".into());
    }
    let mut t = new_table(head, width);
    let exact_outcomes = run.exact.as_ref().map(|a| exact_endings(&a.all.outcomes));
    let exact_after = run
        .exact
        .as_ref()
        .and_then(|a| a.all.outcomes.left_after_goal);
    for (i, name) in ending::NAMES.iter().enumerate() {
        let e = &c.all.outcomes[i];
        // `left` splits into customers who converted, then left, and those who never did.
        let split = c.all.left_after_goal.zip(c.all.left_without_goal);
        let rows = match (i == ending::LEFT, split) {
            (true, Some((after, without))) => vec![
                ("left after the goal".to_string(), after, exact_after),
                (
                    "left without it".to_string(),
                    without,
                    exact_outcomes.zip(exact_after).map(|(x, a)| x[i] - a),
                ),
            ],
            _ => vec![(name.replace('_', " "), *e, exact_outcomes.map(|x| x[i]))],
        };
        for (label, e, exact_value) in rows {
            let mut row = vec![
                label,
                Unit::Percent.estimate(&e),
                Unit::Percent.interval(&e),
            ];
            if exact_outcomes.is_some() {
                row.push(exact_value.map_or_else(|| "n/a".into(), percent));
            }
            t.add_row(row);
        }
    }
    emit(out, t, 1);

    section(
        out,
        "Funnel by stage (share of customers reaching the stage)",
    );
    let mut t = new_table(
        vec!["Stage".into(), "Reached".into(), "95% interval".into()],
        width,
    );
    for (stage, e) in f.stages.iter().zip(&c.all.funnel) {
        t.add_row(vec![
            stage.name.clone(),
            Unit::Percent.estimate(e),
            Unit::Percent.interval(e),
        ]);
    }
    emit(out, t, 1);

    if f.segments.len() > 1 {
        section(
            out,
            "Per segment (per customer of the segment; ± half the 95% interval)",
        );
        let mut head = vec!["Figure".to_string()];
        head.extend(f.segments.iter().map(|s| s.name.clone()));
        let mut t = new_table(head, width);
        let mut row = vec!["share (customers)".to_string()];
        row.extend(
            f.segments
                .iter()
                .zip(&c.segments)
                .map(|(s, x)| format!("{} ({})", percent(s.share), thousands(x.customers))),
        );
        t.add_row(row);
        let per: Vec<_> = c.segments.iter().map(|s| summary_rows(c, s)).collect();
        for i in 0..per.first().map_or(0, Vec::len) {
            let mut row = vec![per[0][i].0.clone()];
            row.extend(per.iter().zip(&c.segments).map(|(rows, x)| {
                let (_, unit, est, _) = &rows[i];
                // No customer in the segment: nothing to estimate.
                let est = est.filter(|_| x.customers > 0);
                opt(est, |e| match unit {
                    Unit::Duration => unit.value(e.value),
                    _ => unit.estimate(&e),
                })
            }));
            t.add_row(row);
        }
        emit(out, t, 1);
    }

    section(
        out,
        "Touchpoints by stage (* moment of truth; visits and pains per customer; ± half the 95% interval)",
    );
    let head = [
        "Stage / touchpoint",
        "Reach",
        "Visits",
        "Drop-off",
        "Pains",
        "Abandoned",
    ];
    let mut t = new_table(head.map(String::from).to_vec(), width);
    let num = |e: &Estimate| format!("{:.3} ±{:.3}", e.value, e.half_width());
    for stage in &f.stages {
        t.add_row(vec![stage.name.clone()]);
        for &k in &stage.touchpoints {
            let tp = &f.touchpoints[k];
            let x = &c.all.touchpoints[k];
            let mark = if tp.moment_of_truth { " *" } else { "" };
            t.add_row(vec![
                format!("  {}{mark}", tp.name),
                Unit::Percent.estimate(&x.reach),
                num(&x.visits),
                opt(x.drop_off, |e| Unit::Percent.estimate(&e)),
                num(&x.pains),
                Unit::Percent.estimate(&x.ended[ending::ABANDONED]),
            ]);
        }
    }
    emit(out, t, 1);

    if f.rates.0 {
        // A table of its own: a column more would not fit the touchpoints' 100 columns.
        section(
            out,
            "CSAT by touchpoint (satisfied ÷ rated visits there, touchpoints rated with `csat`)",
        );
        let mut head = vec![
            "Stage / touchpoint".to_string(),
            "CSAT".into(),
            "95% interval".into(),
        ];
        if exact {
            head.push("Exact".into());
        }
        let mut t = new_table(head, width);
        for stage in &f.stages {
            let rated: Vec<usize> = stage
                .touchpoints
                .iter()
                .copied()
                .filter(|&k| f.touchpoints[k].csat)
                .collect();
            if rated.is_empty() {
                continue;
            }
            t.add_row(vec![stage.name.clone()]);
            for k in rated {
                let e = c.all.touchpoints[k].csat;
                let mut row = vec![
                    format!("  {}", f.touchpoints[k].name),
                    opt(e, |e| Unit::Percent.estimate(&e)),
                    opt(e, |e| Unit::Percent.interval(&e)),
                ];
                if exact {
                    row.push(exact_cell(c, Some(Metric::CsatAt(k)), None, Unit::Percent));
                }
                t.add_row(row);
            }
        }
        emit(out, t, 1);
    }

    if !f.triggers.is_empty() {
        section(out, "Triggers");
        let head = [
            "Trigger",
            "On",
            "Firings per customer",
            "Brought back",
            "Converted after",
        ];
        let mut t = new_table(head.map(String::from).to_vec(), width);
        for (tr, x) in f.triggers.iter().zip(&c.all.triggers) {
            let event = match tr.event {
                TriggerEvent::Abandon => "abandon",
                TriggerEvent::Exit => "exit",
            };
            t.add_row(vec![
                tr.name.clone(),
                event.to_string(),
                format!("{:.4} ±{:.4}", x.firings.value, x.firings.half_width()),
                Unit::Percent.estimate(&x.brought_back),
                format!(
                    "{} ({} of those back)",
                    thousands(x.converted_after),
                    opt(x.conversion_after, |e| percent(e.value))
                ),
            ]);
        }
        emit(out, t, 2);
    }

    if !f.kpis.is_empty() {
        section(
            out,
            "KPIs (pass or fail only when the whole 95% interval agrees)",
        );
        let mut head = vec![
            "KPI".to_string(),
            "Estimate".into(),
            "95% interval".into(),
            "Result".into(),
        ];
        if exact {
            head.push("Exact".into());
        }
        let mut t = new_table(head, width);
        for (kpi, r) in f.kpis.iter().zip(&c.kpis) {
            let unit = Unit::of(kpi.metric);
            let mut row = vec![
                kpi.text.clone(),
                opt(r.estimate, |e| unit.value(e.value)),
                opt(r.estimate, |e| unit.interval(&e)),
                verdict(r.verdict, r.estimate.is_some()).to_string(),
            ];
            if exact {
                row.push(exact_cell(c, Some(kpi.metric), kpi.segment, unit));
            }
            t.add_row(row);
        }
        emit(out, t, 1);
    }
}

/// A cell of the Exact column.
fn exact_cell(c: &Computed, metric: Option<Metric>, segment: Option<usize>, unit: Unit) -> String {
    match metric.and_then(|m| c.exact(m, segment)) {
        Some(Some(v)) => unit.value(v),
        Some(None) => "n/a".into(),
        None => String::new(),
    }
}

type Row = (String, Unit, Option<Estimate>, Option<Metric>);

/// The summary rows of one population: goals, then per-customer figures (the same rows for
/// every population, so segments line up), each with the metric its exact value answers.
fn summary_rows(c: &Computed, x: &Figures) -> Vec<Row> {
    let f = &c.run.frame;
    let mut rows: Vec<Row> = Vec::new();
    for (g, goal) in f.goals.iter().enumerate() {
        let primary = if Some(g) == f.primary_goal {
            ", primary"
        } else {
            ""
        };
        rows.push((
            format!("conversion ({goal}{primary})"),
            Unit::Percent,
            Some(x.goals[g]),
            Some(Metric::Conversion(g)),
        ));
    }
    rows.extend(
        summary_metrics(Shows::of_frame(f))
            .map(|m| (summary_label(m), m.info().unit, x.get(m), Some(m))),
    );
    if !f.goals.is_empty() {
        rows.extend(figure::TIMES.map(|stat| {
            let m = Metric::TimeToConvert(stat);
            let info = m.info();
            (info.label.to_string(), info.unit, x.get(m), Some(m))
        }));
    }
    rows
}
