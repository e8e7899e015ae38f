//! The CSV report of a simulation: one row per figure, long format, so a spreadsheet or a
//! data frame can pivot it (schema: `docs/simulation.md`, "CSV").
//!
//! Columns: `population,section,item,figure,value,low,high,exact,status`. `population` is
//! `all` or a segment's name; probabilities are in 0..1, times in seconds; `exact` is filled
//! with `--exact` where the analysis computes the figure; `status` only on KPI rows.

use super::{Computed, exact_endings};
use crate::model::Metric;
use crate::model::figure;
use crate::report::{Shows, summary_key, summary_metrics};
use crate::sim::Estimate;
use crate::sim::figures::Figures;
use crate::sim::tally::ending;
use std::fmt::Write;

/// Renders a run as CSV (header line first).
pub fn csv(c: &Computed) -> String {
    let mut out = String::from("population,section,item,figure,value,low,high,exact,status\n");
    let f = &c.run.frame;
    population(&mut out, c, "all", None, &c.all);
    for (i, (s, x)) in f.segments.iter().zip(&c.segments).enumerate() {
        population(&mut out, c, &s.name, Some(i), x);
    }
    for (k, r) in f.kpis.iter().zip(&c.kpis) {
        let pop = k.segment.map_or("all", |s| f.segments[s].name.as_str());
        let exact = c.exact(k.metric, k.segment).flatten();
        let status = serde_json::to_value(r.verdict)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        row(
            &mut out,
            [pop, "kpi", &k.text, &k.metric_name],
            r.estimate,
            exact,
            &status,
        );
    }
    out
}

fn population(out: &mut String, c: &Computed, pop: &str, seg: Option<usize>, x: &Figures) {
    let f = &c.run.frame;
    let exact = |m: Metric| c.exact(m, seg).flatten();
    let ex = c.run.exact.as_ref().and_then(|a| match seg {
        Some(s) => a.segments.get(s),
        None => Some(&a.all),
    });
    // No customer: every estimate but the count is not available (an empty cell).
    let empty = x.customers == 0;
    let mut put =
        |section: &str, item: &str, figure: &str, e: Option<Estimate>, ex: Option<f64>| {
            let e = if empty && figure != "customers" {
                None
            } else {
                e
            };
            row(out, [pop, section, item, figure], e, ex, "");
        };
    put(
        "summary",
        "",
        "customers",
        Some(Estimate::exact(x.customers as f64)),
        None,
    );
    for (g, name) in f.goals.iter().enumerate() {
        put(
            "goal",
            name,
            "conversion",
            Some(x.goals[g]),
            exact(Metric::Conversion(g)),
        );
    }
    let times = figure::TIMES.map(Metric::TimeToConvert);
    for m in summary_metrics(Shows::of_frame(f)).chain(times) {
        put("summary", "", summary_key(m), x.get(m), exact(m));
    }
    let exact_outcome =
        |o: Option<&crate::analyze::Outcomes>, i: usize| o.map(|o| exact_endings(o)[i]);
    for (i, name) in ending::NAMES.iter().enumerate() {
        put(
            "outcome",
            name,
            "share",
            Some(x.outcomes[i]),
            exact_outcome(ex.map(|a| &a.outcomes), i),
        );
    }
    for (s, e) in f.stages.iter().zip(&x.funnel) {
        put("funnel", &s.name, "reached", Some(*e), None);
    }
    for k in f.touchpoints_in_order() {
        let name = &f.touchpoints[k].name;
        let t = &x.touchpoints[k];
        let et = ex.and_then(|a| a.touchpoints.get(k));
        put(
            "touchpoint",
            name,
            "reach",
            Some(t.reach),
            exact(Metric::Reach(k)),
        );
        put(
            "touchpoint",
            name,
            "visits",
            Some(t.visits),
            et.map(|a| a.visits),
        );
        put(
            "touchpoint",
            name,
            "drop_off",
            t.drop_off,
            exact(Metric::DropOff(k)),
        );
        put("touchpoint", name, "pains", Some(t.pains), None);
        if f.touchpoints[k].csat {
            put("touchpoint", name, "csat", t.csat, exact(Metric::CsatAt(k)));
        }
        for (i, end) in ending::NAMES.iter().enumerate() {
            put(
                "touchpoint",
                name,
                &format!("ended_{end}"),
                Some(t.ended[i]),
                exact_outcome(et.map(|a| &a.ended), i),
            );
        }
    }
    for (k, tr) in f.triggers.iter().enumerate() {
        let t = &x.triggers[k];
        let et = ex.and_then(|a| a.triggers.get(k));
        put(
            "trigger",
            &tr.name,
            "firings",
            Some(t.firings),
            et.map(|a| a.firings),
        );
        put(
            "trigger",
            &tr.name,
            "returns",
            Some(Estimate::exact(t.returns)),
            et.map(|a| a.returns),
        );
        put(
            "trigger",
            &tr.name,
            "brought_back",
            Some(t.brought_back),
            et.map(|a| a.brought_back),
        );
        put(
            "trigger",
            &tr.name,
            "converted_after",
            Some(Estimate::exact(t.converted_after as f64)),
            None,
        );
        put(
            "trigger",
            &tr.name,
            "conversion_after",
            t.conversion_after,
            None,
        );
    }
    // With a lifecycle: the cohort curve, month by month since the first cycle.
    if let Some(l) = &x.lifetime {
        for (m, &e) in l.months.iter().enumerate() {
            put("cohort", &m.to_string(), "starting_a_cycle", Some(e), None);
        }
    }
}

/// One CSV row; empty cells for what is not available.
fn row(out: &mut String, keys: [&str; 4], e: Option<Estimate>, exact: Option<f64>, status: &str) {
    for k in keys {
        let _ = write!(out, "{},", field(k));
    }
    match e {
        Some(e) => {
            let _ = write!(out, "{},{},{},", num(e.value), num(e.low), num(e.high));
        }
        None => out.push_str(",,,"),
    }
    if let Some(x) = exact {
        out.push_str(&num(x));
    }
    let _ = writeln!(out, ",{status}");
}

/// A number with 12 significant digits, without trailing noise.
fn num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".into();
    }
    let rounded: f64 = format!("{x:.11e}").parse().unwrap_or(x);
    format!("{rounded}")
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn numbers_drop_floating_point_noise() {
        assert_eq!(num(0.1 + 0.2), "0.3");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(1234.5), "1234.5");
    }
}
