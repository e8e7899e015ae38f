//! The lifetime section of the report, for a journey with a `lifecycle` block (LANGUAGE-2.md
//! §3): the cohort retention curve (the share of customers starting a cycle in each month
//! since their first, with 95% whiskers) and the customer lifetime value per segment. A
//! journey without a lifecycle has no such section, so its page does not change.
//!
//! The chart uses the classes the other charts use (grid, axis, ticks, whiskers, the emotion
//! curve's line and dots): no CSS of its own.

use super::charts::{figure_cell, with_interval};
use super::svg::{Svg, clamp, ticks};
use super::{escape, pct};
use crate::model::Metric;
use crate::report::simulation::{Computed, Unit};
use crate::report::{summary_key, summary_title};
use crate::sim::Estimate;
use std::fmt::Write;

/// A month in reports: 30 days.
const MONTH_DAYS: u32 = 30;

/// The figures of the CLV panel, in column order.
const PANEL: [Metric; 6] = [
    Metric::Clv,
    Metric::Cycles,
    Metric::Purchases,
    Metric::Retention(1),
    Metric::Retention(2),
    Metric::Retention(3),
];

/// The section's body: the cohort curve, its figures in a table, and the CLV panel.
pub fn render(c: &Computed) -> String {
    let mut out = String::from("<h3>Cohort retention</h3>\n");
    let months = c
        .all
        .lifetime
        .as_ref()
        .map(|l| l.months.as_slice())
        .unwrap_or_default();
    if months.is_empty() || c.all.customers == 0 {
        out.push_str("<p>No simulated customer, so there is no cohort to follow.</p>\n");
    } else {
        out.push_str(&cohort_chart(months));
        out.push_str(&cohort_table(months));
    }
    out.push_str("<h3>Customer lifetime value per segment</h3>\n");
    out.push_str(&clv_panel(c));
    out
}

/// The months the chart and table show: up to the last one in which some customer starts a
/// cycle (at least month 0).
fn shown_months(months: &[Estimate]) -> &[Estimate] {
    let last = months.iter().rposition(|e| e.high > 0.0).unwrap_or(0);
    &months[..=last.min(months.len().saturating_sub(1))]
}

/// The share of customers starting a cycle in each month since their first, from month 1
/// (month 0 is everyone), as a line with dots and 95% whiskers; months across, shares up.
pub fn cohort_chart(months: &[Estimate]) -> String {
    const W: f64 = 800.0;
    const LEFT: f64 = 56.0;
    const RIGHT: f64 = 20.0;
    const TOP: f64 = 14.0;
    const PLOT_H: f64 = 200.0;
    const BOTTOM: f64 = 46.0;
    // Month 0 is every customer (100%) by definition: the chart starts at month 1, so the
    // shares that matter (a few percent) are not flattened against it.
    let months = &shown_months(months)[1..];
    if months.is_empty() {
        return "<p>No simulated customer starts a second cycle.</p>\n".into();
    }
    let count = months.len().max(1);
    let max = months
        .iter()
        .map(|e| e.high)
        .filter(|h| h.is_finite())
        .fold(0.0, f64::max)
        .min(1.0);
    let axis = ticks(max);
    let end = axis
        .last()
        .copied()
        .filter(|e| e.is_finite() && *e > 0.0)
        .unwrap_or(1.0);
    let height = TOP + PLOT_H + BOTTOM;
    let plot_w = W - LEFT - RIGHT;
    let mut s = Svg::new(W, height);
    let x_of = |m: usize| LEFT + (m as f64 + 0.5) / count as f64 * plot_w;
    let y_of = |v: f64| TOP + PLOT_H - clamp(v / end, 0.0, 1.0) * PLOT_H;
    let bottom = TOP + PLOT_H;
    for &t in &axis {
        let y = y_of(t);
        s.line(LEFT, y, W - RIGHT, y, "grid");
        s.text(
            LEFT - 6.0,
            y + 4.0,
            &format!("{}%", trim(t * 100.0)),
            "tick",
            "end",
        );
    }
    // About ten month labels at most, at whole steps.
    let step = count.div_ceil(10).max(1);
    for m in (0..count).step_by(step) {
        s.text(
            x_of(m),
            bottom + 16.0,
            &(m + 1).to_string(),
            "tick",
            "middle",
        );
    }
    s.text(
        LEFT + plot_w / 2.0,
        bottom + 36.0,
        &format!(
            "months since the first cycle ({MONTH_DAYS} days each; month 0 is every customer)"
        ),
        "label",
        "middle",
    );
    for (m, e) in months.iter().enumerate() {
        if e.high > e.low {
            let x = x_of(m);
            let (a, b) = (y_of(e.low), y_of(e.high));
            s.line(x, a, x, b, "whisker");
            s.line(x - 4.0, a, x + 4.0, a, "whisker");
            s.line(x - 4.0, b, x + 4.0, b, "whisker");
        }
    }
    let points: Vec<(f64, f64)> = months
        .iter()
        .enumerate()
        .map(|(m, e)| (x_of(m), y_of(e.value)))
        .collect();
    s.polyline(&points, "emotion");
    let r = if count > 40 { 2.5 } else { 4.0 };
    for (m, &(x, y)) in points.iter().enumerate() {
        let e = &months[m];
        s.raw(&format!(
            "<g><title>month {}: {}</title>\n",
            m + 1,
            escape(&with_interval(Unit::Percent, e))
        ));
        s.circle(x, y, r, "emotion-dot");
        s.raw("</g>\n");
    }
    s.line(LEFT, TOP - 4.0, LEFT, bottom, "axis");
    s.line(LEFT, bottom, W - RIGHT, bottom, "axis");
    let svg = s.finish(
        "Share of customers starting a cycle in each month since their first, with 95% intervals",
        "chart",
        Some(0.66),
    );
    format!("<div class=\"chart-scroll\">\n{svg}</div>\n")
}

/// The curve's figures, one row per month, folded away under the chart.
fn cohort_table(months: &[Estimate]) -> String {
    let mut out = format!(
        "<details><summary>Shares by month</summary>\n<div class=\"table-scroll\"><table \
         class=\"compact\">\n<caption>Share of customers starting a cycle in the month (month 0: \
         the first {MONTH_DAYS} days from their first cycle), 95% intervals</caption>\n<thead>\
         <tr><th scope=\"col\">Month</th><th scope=\"col\" class=\"num\">Customers starting \
         a cycle</th></tr></thead>\n<tbody>\n"
    );
    for (m, e) in shown_months(months).iter().enumerate() {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{m}</th>{}</tr>",
            figure_cell(
                &format!("lifetime.month.{m}"),
                "",
                e,
                &with_interval(Unit::Percent, e)
            )
        );
    }
    out.push_str("</tbody>\n</table></div>\n</details>\n");
    out
}

/// Each population's clv, cycles, purchases and retention(1…3): the simulated value ± half
/// its 95% interval, and the exact value under it when the run carries the exact analysis.
fn clv_panel(c: &Computed) -> String {
    let f = &c.run.frame;
    let exact = c.run.exact.is_some();
    let heads: String = PANEL
        .iter()
        .map(|&m| format!("<th scope=\"col\" class=\"num\">{}</th>", summary_title(m)))
        .collect();
    let note = if exact {
        "; exact value (absorbing-chain analysis) under each estimate"
    } else {
        ""
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<div class=\"table-scroll\"><table class=\"compact\">\n<caption>Per customer of the \
         population over all their cycles, ± half the 95% interval{note}. Customer lifetime \
         value: revenue − cost of every cycle, discounted to the first cycle's start.</caption>\n\
         <thead><tr><th scope=\"col\">Population</th><th scope=\"col\" class=\"num\">Share \
         (customers)</th>{heads}</tr></thead>\n<tbody>\n"
    );
    let mut populations = vec![(None, &c.all)];
    if f.segments.len() > 1 {
        populations.extend(c.segments.iter().enumerate().map(|(i, x)| (Some(i), x)));
    }
    for (i, x) in populations {
        let (name, share, attr, prefix) = match i {
            Some(s) => {
                let name = f.segments[s].name.as_str();
                (
                    format!("<code>{}</code>", escape(name)),
                    pct(f.segments[s].share),
                    format!(" data-segment=\"{}\"", escape(name)),
                    "segment.",
                )
            }
            None => ("All customers".into(), "100%".into(), String::new(), "all."),
        };
        let customers = crate::report::simulation::thousands(x.customers);
        let mut cells = String::new();
        for m in PANEL {
            let unit = m.info().unit;
            let figure = format!("{prefix}{}", summary_key(m));
            // A segment without customers has no figures (docs/language.md, decision 13).
            let estimate = x.get(m).filter(|_| x.customers > 0);
            let text = estimate.map_or_else(
                || "n/a".to_string(),
                |e| format!("{} ±{}", unit.value(e.value), unit.spread(e.half_width())),
            );
            let exact_text = match c.exact(m, i) {
                Some(Some(v)) => format!("<br><small>exact {}</small>", escape(&unit.value(v))),
                Some(None) => "<br><small>exact n/a</small>".into(),
                None => String::new(),
            };
            let cell = match estimate {
                Some(e) => figure_cell(&figure, &attr, &e, &text),
                None => "<td class=\"num\">n/a</td>".into(),
            };
            // The exact value goes inside the cell, after the estimate.
            cells.push_str(&match cell.strip_suffix("</td>") {
                Some(open) if !exact_text.is_empty() => format!("{open}{exact_text}</td>"),
                _ => cell,
            });
        }
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{name}</th><td class=\"num\">{share} ({customers})</td>{cells}</tr>"
        );
    }
    out.push_str("</tbody>\n</table></div>\n");
    out
}

/// A tick value without trailing zeros (`2.5`, `10`).
fn trim(x: f64) -> String {
    crate::model::figure::trimmed(x, 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::html::svg::tests::geometry_problems;

    fn e(value: f64, half: f64) -> Estimate {
        Estimate {
            value,
            low: (value - half).max(0.0),
            high: (value + half).min(1.0),
        }
    }

    #[test]
    fn the_cohort_chart_stays_inside_its_view_box() {
        let cases: Vec<Vec<Estimate>> = vec![
            vec![e(1.0, 0.0)],
            vec![e(1.0, 0.0), e(0.05, 0.01), e(0.2, 0.02), e(0.0, 0.0)],
            (0..120).map(|m| e(0.9f64.powi(m), 0.01)).collect(),
            vec![e(0.0, 0.0); 3],
            vec![
                Estimate {
                    value: f64::NAN,
                    low: f64::NAN,
                    high: f64::NAN,
                },
                e(0.5, 0.6),
            ],
        ];
        for months in cases {
            let svg = cohort_chart(&months);
            if svg.starts_with("<p>") {
                // Nobody after month 0: said in words, no chart.
                assert!(svg.contains("No simulated customer starts a second cycle"));
                continue;
            }
            assert_eq!(geometry_problems(&svg), Vec::<String>::new(), "{svg}");
        }
        assert!(cohort_chart(&[e(1.0, 0.0)]).starts_with("<p>"));
    }

    #[test]
    fn trailing_empty_months_are_not_shown() {
        let months = [e(1.0, 0.0), e(0.1, 0.01), e(0.0, 0.0), e(0.0, 0.0)];
        assert_eq!(shown_months(&months).len(), 2);
        assert_eq!(shown_months(&[e(0.0, 0.0)]).len(), 1);
    }
}
