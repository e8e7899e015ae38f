//! The bar charts of the report, each with a table of the same figures under it (for print,
//! screen readers and tests, which read the `data-` attributes): the funnel by stage,
//! conversion and pains per segment, and the time to convert.

use super::svg::{Bar, bars, duration_ticks, ticks};
use super::{escape, pct, value_attr};
use crate::report::simulation::{Computed, Unit};
use crate::sim::Estimate;
use std::fmt::Write;

/// `value (low – high)` in a unit.
pub fn with_interval(unit: Unit, e: &Estimate) -> String {
    format!(
        "{} ({} – {})",
        unit.value(e.value),
        unit.value(e.low),
        unit.value(e.high)
    )
}

/// The text beside a bar: `value (low–high)`, percentages with one decimal.
pub fn bar_text(unit: Unit, e: &Estimate) -> String {
    match unit {
        Unit::Percent => format!(
            "{:.1}% ({:.1}–{:.1}%)",
            e.value * 100.0,
            e.low * 100.0,
            e.high * 100.0
        ),
        _ => with_interval(unit, e),
    }
}

/// A table cell carrying a figure: `data-figure`, the value and interval as numbers (rounded
/// as the JSON report rounds them), more attributes in `extra`, and the text shown.
pub fn figure_cell(figure: &str, extra: &str, e: &Estimate, text: &str) -> String {
    format!(
        "<td class=\"num\" data-figure=\"{}\"{extra} data-value=\"{}\" data-low=\"{}\" \
         data-high=\"{}\">{}</td>",
        escape(figure),
        value_attr(e.value),
        value_attr(e.low),
        value_attr(e.high),
        escape(text)
    )
}

/// The funnel: share of customers reaching each stage, then converting.
pub fn funnel(c: &Computed) -> String {
    let f = &c.run.frame;
    let mut rows: Vec<Bar> = f
        .stages
        .iter()
        .zip(&c.all.funnel)
        .map(|(s, e)| Bar {
            label: s.label.clone(),
            value: e.value,
            low: e.low,
            high: e.high,
            text: bar_text(Unit::Percent, e),
            class: "bar-stage",
        })
        .collect();
    if let Some(e) = c.all.conversion {
        let goal = f.primary_goal.map_or("", |g| f.goals[g].as_str());
        rows.push(Bar {
            label: format!("Converted ({goal})"),
            value: e.value,
            low: e.low,
            high: e.high,
            text: bar_text(Unit::Percent, &e),
            class: "bar-goal",
        });
    }
    let mut out = bars(
        &rows,
        &ticks(1.0),
        &|t| format!("{:.0}%", t * 100.0),
        "Funnel: share of customers reaching each stage",
    );
    out.push_str(
        "<div class=\"table-scroll\"><table class=\"compact\">\n<caption>Funnel by stage: share of all customers who reach \
         the stage (at least one visit to one of its touchpoints), 95% interval</caption>\n\
         <thead><tr><th scope=\"col\">Stage</th><th scope=\"col\" class=\"num\">Reached</th>\
         <th scope=\"col\" class=\"num\">Of the stage before</th></tr></thead>\n<tbody>\n",
    );
    let mut before: Option<f64> = None;
    for (s, e) in f.stages.iter().zip(&c.all.funnel) {
        let rel = match before {
            Some(b) if b > 0.0 => pct(e.value / b),
            _ => "—".into(),
        };
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th>{}<td class=\"num\">{rel}</td></tr>",
            escape(&s.label),
            figure_cell(
                "funnel",
                &format!(" data-stage=\"{}\"", escape(&s.name)),
                e,
                &with_interval(Unit::Percent, e)
            ),
        );
        before = Some(e.value);
    }
    out.push_str("</tbody>\n</table></div>\n");
    out
}

/// Conversion and pains per segment, with all customers for reference.
pub fn segments(c: &Computed) -> String {
    let f = &c.run.frame;
    let mut out = String::new();
    let named = |i: Option<usize>| match i {
        Some(s) => f.segments[s].label.clone(),
        None => "All customers".to_string(),
    };
    let populations: Vec<(Option<usize>, &crate::sim::Figures)> = std::iter::once((None, &c.all))
        .chain(c.segments.iter().enumerate().map(|(i, x)| (Some(i), x)))
        .collect();
    // The charts leave out segments without customers (nothing to draw); the table below
    // lists them with n/a.
    let charted: Vec<&(Option<usize>, &crate::sim::Figures)> = populations
        .iter()
        .filter(|(_, x)| x.customers > 0)
        .collect();
    if c.all.conversion.is_some() {
        let rows: Vec<Bar> = charted
            .iter()
            .filter_map(|(i, x)| {
                x.conversion.map(|e| Bar {
                    label: named(*i),
                    value: e.value,
                    low: e.low,
                    high: e.high,
                    text: bar_text(Unit::Percent, &e),
                    class: if i.is_none() {
                        "bar-all"
                    } else {
                        "bar-segment"
                    },
                })
            })
            .collect();
        let max = rows.iter().map(|r| r.high).fold(0.0, f64::max).min(1.0);
        out.push_str("<h3>Conversion</h3>\n");
        out.push_str(&bars(
            &rows,
            &ticks(max),
            &|t| format!("{}%", trim(t * 100.0)),
            "Conversion per segment with 95% intervals",
        ));
    }
    let rows: Vec<Bar> = charted
        .iter()
        .map(|(i, x)| Bar {
            label: named(*i),
            value: x.pains.value,
            low: x.pains.low,
            high: x.pains.high,
            text: with_interval(Unit::Number, &x.pains),
            class: if i.is_none() { "bar-all" } else { "bar-pain" },
        })
        .collect();
    let max = rows.iter().map(|r| r.high).fold(0.0, f64::max);
    out.push_str("<h3>Pain points per customer</h3>\n");
    out.push_str(&bars(
        &rows,
        &ticks(max),
        &|t| trim(t),
        "Pain points per customer, per segment, with 95% intervals",
    ));
    // The scores the journey rates, after the version-1 columns (none for a version-1 journey).
    let scores: Vec<crate::model::Metric> = crate::model::figure::SCORES
        .into_iter()
        .filter(|&m| crate::report::shown(m, crate::report::Shows::of_frame(f)))
        .collect();
    let score_heads: String = scores
        .iter()
        .map(|m| format!("<th scope=\"col\" class=\"num\">{}</th>", m.info().title))
        .collect();
    let _ = write!(
        out,
        "<div class=\"table-scroll\"><table class=\"compact\">\n<caption>Per segment, per customer of the segment, 95% \
         intervals</caption>\n<thead><tr><th scope=\"col\">Segment</th><th scope=\"col\" \
         class=\"num\">Share (customers)</th><th scope=\"col\" class=\"num\">Conversion</th>\
         <th scope=\"col\" class=\"num\">Pains</th><th scope=\"col\" class=\"num\">NPS</th>\
         <th scope=\"col\" class=\"num\">Cost per conversion</th>{score_heads}</tr></thead>\n<tbody>\n",
    );
    for (i, x) in &populations {
        let (name, share) = match i {
            Some(s) => (
                f.segments[*s].name.as_str(),
                format!(
                    "{} ({})",
                    pct(f.segments[*s].share),
                    crate::report::simulation::thousands(x.customers)
                ),
            ),
            None => (
                "",
                format!(
                    "100% ({})",
                    crate::report::simulation::thousands(x.customers)
                ),
            ),
        };
        let attr = if i.is_some() {
            format!(" data-segment=\"{}\"", escape(name))
        } else {
            String::new()
        };
        let prefix = if i.is_some() { "segment." } else { "all." };
        // A segment without customers has no figures (docs/language.md, decision 13).
        let cell = |figure: &str, unit: Unit, e: Option<Estimate>| match e {
            Some(e) if x.customers > 0 => figure_cell(
                &format!("{prefix}{figure}"),
                &attr,
                &e,
                &with_interval(unit, &e),
            ),
            _ => "<td class=\"num\">n/a</td>".into(),
        };
        let score_cells: String = scores
            .iter()
            .map(|&m| cell(m.info().name, m.info().unit, x.get(m)))
            .collect();
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{share}</td>{}{}{}{}{score_cells}</tr>",
            escape(&named(*i)),
            cell("conversion", Unit::Percent, x.conversion),
            cell("pains", Unit::Number, Some(x.pains)),
            cell("nps", Unit::Nps, Some(x.nps)),
            cell("cost_per_conversion", Unit::Money, x.cost_per_conversion),
        );
    }
    out.push_str("</tbody>\n</table></div>\n");
    out
}

/// A number without trailing zeros (`0.5`, `12`), for axis ticks.
fn trim(x: f64) -> String {
    crate::model::figure::trimmed(x, 3)
}

/// The time to convert: p50, mean, p90 and p99 as bars with their intervals.
pub fn time_to_convert(c: &Computed) -> String {
    let f = &c.run.frame;
    if f.primary_goal.is_none() {
        return "<p>The journey has no goal, so there is no time to convert.</p>\n".into();
    }
    let t = &c.all.time_to_convert;
    let names = [
        ("mean", "Mean", 0),
        ("p50", "Median (p50)", 1),
        ("p90", "p90", 2),
        ("p99", "p99", 3),
    ];
    let order = [1usize, 0, 2, 3];
    let rows: Vec<Bar> = order
        .iter()
        .filter_map(|&k| {
            let (_, label, i) = names[k];
            t[i].map(|e| Bar {
                label: label.to_string(),
                value: e.value,
                low: e.low,
                high: e.high,
                text: with_interval(Unit::Duration, &e),
                class: "bar-time",
            })
        })
        .collect();
    if rows.is_empty() {
        return "<p>No simulated customer converted, so there is no time to convert.</p>\n".into();
    }
    let max = rows.iter().map(|r| r.high).fold(0.0, f64::max);
    let mut out = bars(
        &rows,
        &duration_ticks(max),
        &|s| crate::model::format_duration(s),
        "Time to convert: median, mean, p90 and p99 with 95% intervals",
    );
    out.push_str(
        "<div class=\"table-scroll\"><table class=\"compact\">\n<caption>Time to convert (to the first primary goal, \
         converted customers only; trigger delays included), 95% intervals</caption>\n<thead>\
         <tr><th scope=\"col\">Statistic</th><th scope=\"col\" class=\"num\">Time</th></tr>\
         </thead>\n<tbody>\n",
    );
    for &k in &order {
        let (key, label, i) = names[k];
        let cell = match t[i] {
            Some(e) => figure_cell(
                &format!("time_to_convert.{key}"),
                "",
                &e,
                &with_interval(Unit::Duration, &e),
            ),
            _ => "<td class=\"num\">n/a</td>".into(),
        };
        let _ = writeln!(out, "<tr><th scope=\"row\">{label}</th>{cell}</tr>");
    }
    out.push_str("</tbody>\n</table></div>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimmed_ticks() {
        assert_eq!(trim(0.5), "0.5");
        assert_eq!(trim(12.0), "12");
        assert_eq!(trim(0.0), "0");
        assert_eq!(trim(2.25), "2.25");
    }
}
