//! The report's tables: KPI verdicts, the checker's findings, and baseline against scenarios.
//! Verdicts and differences carry a word and a symbol as well as a colour, so they read in
//! black and white and to screen readers.

use super::charts::bar_text;
use super::charts::{figure_cell, with_interval};
use super::svg::{Bar, bars, ticks};
use super::{escape, pct, value_attr, with_code};
use crate::diagnostic::{Finding, Level};
use crate::model::figure::{self, Better};
use crate::model::{Journey, Metric, TouchpointId};
use crate::report::simulation::{Computed, Unit};
use crate::report::{Locator, Shows, lifetime_metrics, shown, summary_key, summary_title};
use crate::sim::figures::Figures;
use crate::sim::{Estimate, KpiVerdict};
use crate::source::SourceMap;
use std::fmt::Write;

/// A verdict as a badge: symbol, word, colour.
pub fn verdict_badge(v: KpiVerdict, available: bool) -> String {
    let (class, text) = match v {
        KpiVerdict::Pass => ("pass", "✓ pass"),
        KpiVerdict::Fail => ("fail", "✗ fail"),
        KpiVerdict::Inconclusive if available => ("inconclusive", "? inconclusive"),
        KpiVerdict::Inconclusive => ("inconclusive", "? inconclusive (n/a)"),
    };
    format!("<span class=\"verdict {class}\">{text}</span>")
}

fn verdict_word(v: KpiVerdict) -> &'static str {
    match v {
        KpiVerdict::Pass => "pass",
        KpiVerdict::Fail => "fail",
        KpiVerdict::Inconclusive => "inconclusive",
    }
}

/// The KPI table of a run.
pub fn kpis(c: &Computed) -> String {
    let f = &c.run.frame;
    if f.kpis.is_empty() {
        return "<p>The journey declares no KPI.</p>\n".into();
    }
    let mut out = String::from(
        "<div class=\"table-scroll\"><table class=\"kpis\">\n<caption>A KPI passes (or fails) only when its whole 95% \
         interval meets (or misses) the target; otherwise it is inconclusive.</caption>\n\
         <thead><tr><th scope=\"col\">KPI</th><th scope=\"col\" class=\"num\">Target</th>\
         <th scope=\"col\" class=\"num\">Estimate (95% interval)</th><th scope=\"col\">Result\
         </th></tr></thead>\n<tbody>\n",
    );
    for (k, r) in f.kpis.iter().zip(&c.kpis) {
        let unit = Unit::of(k.metric);
        let estimate = match r.estimate {
            Some(e) => figure_cell(
                "kpi",
                &format!(" data-kpi=\"{}\"", escape(&k.text)),
                &e,
                &with_interval(unit, &e),
            ),
            None => "<td class=\"num\">n/a</td>".into(),
        };
        let _ = writeln!(
            out,
            "<tr class=\"{}\" data-verdict=\"{}\"><th scope=\"row\"><code>{}</code></th>\
             <td class=\"num\">{} {}</td>{estimate}<td>{}</td></tr>",
            verdict_word(r.verdict),
            verdict_word(r.verdict),
            escape(&k.text),
            escape(k.comparison.as_str()),
            escape(&unit.value(k.target)),
            verdict_badge(r.verdict, r.estimate.is_some()),
        );
    }
    out.push_str("</tbody>\n</table></div>\n");
    out
}

/// The findings table (already levelled and sorted).
pub fn findings(sources: &SourceMap, findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "<p class=\"ok\" data-figure=\"findings\" data-value=\"0\">✓ No findings: the \
                checker has nothing to report.</p>\n"
            .into();
    }
    let count = |l: Level| findings.iter().filter(|f| f.level == l).count();
    let mut out = format!(
        "<p data-figure=\"findings\" data-value=\"{}\">{} errors, {} warnings, {} infos. \
         <code>journeyc explain CODE</code> explains a rule with a failing and a fixed example.\
         </p>\n<div class=\"table-scroll\"><table class=\"findings\">\n<thead><tr><th scope=\"col\">Level</th>\
         <th scope=\"col\">Code</th><th scope=\"col\">Message</th><th scope=\"col\">Where</th>\
         </tr></thead>\n<tbody>\n",
        findings.len(),
        count(Level::Error),
        count(Level::Warning),
        count(Level::Info)
    );
    let mut locator = Locator::new(sources);
    for f in findings {
        let place = locator.place(f.primary.span);
        let (class, symbol) = match f.level {
            Level::Error => ("error", "✗"),
            Level::Warning => ("warning", "⚠"),
            Level::Info => ("info", "ℹ"),
        };
        let help = f
            .help
            .as_deref()
            .map(|h| format!("<br><span class=\"help\">help: {}</span>", with_code(h)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td><span class=\"level {class}\">{symbol} {}</span></td><td><code>{}</code>\
             <br><span class=\"rule\">{}</span></td><td>{}{help}</td><td><code>{}</code></td></tr>",
            f.level.as_str(),
            f.rule.code(),
            f.rule.name(),
            with_code(&f.message),
            escape(&place.short()),
        );
    }
    out.push_str("</tbody>\n</table></div>\n");
    out
}

/// A simulated scenario, for the comparison.
pub struct ScenarioRun<'a> {
    /// Its name.
    pub name: String,
    /// Its label.
    pub label: String,
    /// Its figures.
    pub computed: Computed<'a>,
}

/// A figure of the comparison.
#[derive(Copy, Clone)]
enum Figure {
    /// A metric of the registry, over all customers.
    Metric(Metric),
    /// The KPI of this index.
    Kpi(usize),
}

impl Figure {
    fn of(self, c: &Computed) -> Option<Estimate> {
        match self {
            Figure::Metric(m) => c.all.get(m),
            Figure::Kpi(i) => c.kpis.get(i).and_then(|r| r.estimate),
        }
    }
}

/// The figures every scenario comparison shows before its KPIs (conversion: to the primary
/// goal, n/a without one).
fn compared(primary: Option<usize>) -> [Metric; 5] {
    [
        Metric::Conversion(primary.unwrap_or(usize::MAX)),
        Metric::Pains,
        Metric::CostPerConversion,
        Metric::Profit,
        Metric::Nps,
    ]
}

struct Row {
    key: String,
    name: String,
    unit: Unit,
    better: Better,
    figure: Figure,
}

fn rows(c: &Computed) -> Vec<Row> {
    let row = |key: &str, name: &str, unit, better, figure| Row {
        key: key.into(),
        name: name.into(),
        unit,
        better,
        figure,
    };
    let primary = c.run.frame.primary_goal;
    let shows = Shows::of_frame(&c.run.frame);
    // The scores the journey rates, then its lifetime figures (with a lifecycle), come after
    // the figures every comparison shows.
    let scores = figure::SCORES.into_iter().filter(|&m| shown(m, shows));
    let lifetime = lifetime_metrics().filter(|&m| shown(m, shows));
    let mut rows: Vec<Row> = compared(primary)
        .into_iter()
        .chain(scores)
        .chain(lifetime)
        .map(|m| {
            let info = m.info();
            row(
                summary_key(m),
                &summary_title(m),
                info.unit,
                info.better,
                Figure::Metric(m),
            )
        })
        .collect();
    for (i, k) in c.run.frame.kpis.iter().enumerate() {
        let better = Better::of_kpi(k.comparison);
        rows.push(row(
            &format!("kpi:{}", k.text),
            &format!("KPI {}", k.text),
            Unit::of(k.metric),
            better,
            Figure::Kpi(i),
        ));
    }
    rows
}

/// A difference in a unit, signed (the registry's formatter; `±` for no difference).
fn delta(unit: Unit, d: f64) -> String {
    let text = unit.difference(d);
    match d == 0.0 {
        true => text.replacen('+', "±", 1),
        false => text,
    }
}

/// Baseline and scenarios side by side, with the difference (scenario − baseline) of each
/// figure, and their conversions as bars.
pub fn scenarios(base: &Computed, runs: &[ScenarioRun]) -> String {
    let mut out = String::new();
    if base.all.conversion.is_some() {
        let mut bars_rows = vec![bar("Baseline".into(), base)];
        bars_rows.extend(runs.iter().map(|r| bar(r.label.clone(), &r.computed)));
        let max = bars_rows
            .iter()
            .map(|r| r.high)
            .fold(0.0, f64::max)
            .min(1.0);
        out.push_str(&bars(
            &bars_rows,
            &ticks(max),
            &|t| format!("{:.1}%", t * 100.0),
            "Conversion of the baseline and each scenario, with 95% intervals",
        ));
    }
    let _ = write!(
        out,
        "<div class=\"table-scroll\" tabindex=\"0\"><table class=\"compare\">\n<caption>Same \
         seed and customers for every run (common random numbers). Δ = scenario − baseline, \
         of the point estimates; ▲ better, ▼ worse for the figure (for a KPI: in the direction \
         of its target).</caption>\n<thead><tr><th scope=\"col\">Figure</th><th scope=\"col\" \
         class=\"num\">Baseline</th>"
    );
    for r in runs {
        let _ = write!(
            out,
            "<th scope=\"col\" class=\"num\">{} <code>{}</code></th><th scope=\"col\" \
             class=\"num\">Δ</th>",
            escape(&r.label),
            escape(&r.name)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows(base) {
        let b = row.figure.of(base);
        let cell = |c: &Computed, run: &str| -> String {
            let attr = format!(" data-run=\"{}\"", escape(run));
            let mut cell = match row.figure.of(c) {
                Some(e) => figure_cell(
                    &format!("compare.{}", row.key),
                    &attr,
                    &e,
                    &with_interval(row.unit, &e),
                ),
                None => "<td class=\"num\">n/a</td>".into(),
            };
            if let Figure::Kpi(i) = row.figure {
                if let Some(r) = c.kpis.get(i) {
                    let badge = verdict_badge(r.verdict, r.estimate.is_some());
                    cell = cell.replacen("</td>", &format!("<br>{badge}</td>"), 1);
                }
            }
            cell
        };
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th>{}",
            escape(&row.name),
            cell(base, "baseline")
        );
        for r in runs {
            let s = row.figure.of(&r.computed);
            let _ = write!(out, "{}", cell(&r.computed, &r.name));
            match (b, s) {
                (Some(b), Some(s)) => {
                    let d = s.value - b.value;
                    let better = match row.better {
                        Better::Higher => d > 0.0,
                        Better::Lower => d < 0.0,
                    };
                    let (class, mark) = if d == 0.0 {
                        ("same", "= same")
                    } else if better {
                        ("better", "▲ better")
                    } else {
                        ("worse", "▼ worse")
                    };
                    let _ = write!(
                        out,
                        "<td class=\"num delta {class}\" data-figure=\"delta.{}\" data-run=\"{}\" \
                         data-value=\"{}\">{}<br><span class=\"mark\">{mark}</span></td>",
                        escape(&row.key),
                        escape(&r.name),
                        value_attr(d),
                        escape(&delta(row.unit, d)),
                    );
                }
                _ => out.push_str("<td class=\"num\">n/a</td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
    out
}

fn bar(label: String, c: &Computed) -> Bar {
    let e = c.all.conversion.unwrap_or(Estimate::exact(0.0));
    Bar {
        label,
        value: e.value,
        low: e.low,
        high: e.high,
        text: bar_text(Unit::Percent, &e),
        class: "bar-segment",
    }
}

/// The touchpoints where the most customers end their journey without converting: `drops`
/// is `(touchpoint, share of all customers)`, largest first in the table.
pub fn drops(j: &Journey, all: &Figures, mut drops: Vec<(TouchpointId, f64)>) -> String {
    drops.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    if drops.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "<div class=\"table-scroll\"><table class=\"drops\">\n<caption>Where journeys end without converting (largest first)\
         </caption>\n<thead><tr><th scope=\"col\">Touchpoint</th><th scope=\"col\">Stage</th>\
         <th scope=\"col\" class=\"num\">Share of all customers</th><th scope=\"col\" \
         class=\"num\">Drop-off (of those reaching it), 95% interval</th><th scope=\"col\" \
         class=\"num\">Abandoned after a pain point</th></tr></thead>\n<tbody>\n",
    );
    for (t, v) in drops.into_iter().take(8) {
        let tp = &j.touchpoints[t];
        let x = &all.touchpoints[t];
        let d = x.drop_off.map_or("n/a".into(), |d| {
            format!("{} ({} – {})", pct(d.value), pct(d.low), pct(d.high))
        });
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td class=\"num\" data-figure=\"touchpoint.dropped\" \
             data-touchpoint=\"{}\" data-value=\"{}\">{}</td><td class=\"num\">{d}</td>\
             <td class=\"num\">{}</td></tr>",
            escape(&tp.label),
            escape(&j.stages[tp.stage].label),
            escape(&tp.name),
            value_attr(v),
            pct(v),
            pct(x.ended[crate::sim::tally::ending::ABANDONED].value),
        );
    }
    s.push_str("</tbody>\n</table></div>\n");
    s
}

/// The options of every touchpoint that has them (LANGUAGE-2.md §4): each choice with its
/// label, cost and friction (the unqualified values) and the segments it is in force for in
/// this run (the journey as written: `as_is`).
pub fn options(j: &crate::model::Journey) -> String {
    let mut out = String::from(
        "<div class=\"table-scroll\"><table class=\"options\">\n<caption>The policy in force \
         is marked ✓ with the segments that get each choice; <code>journeyc optimize</code> \
         finds the best one per segment.</caption>\n<thead><tr><th scope=\"col\">Touchpoint\
         </th><th scope=\"col\">Option</th><th scope=\"col\" class=\"num\">Cost</th>\
         <th scope=\"col\" class=\"num\">Friction</th><th scope=\"col\">In force for</th>\
         </tr></thead>\n<tbody>\n",
    );
    for t in j.decisions() {
        let tp = &j.touchpoints[t];
        for (k, c) in tp.choices.iter().enumerate() {
            let users: Vec<&str> = j
                .segments
                .iter()
                .enumerate()
                .filter(|(s, _)| tp.policy.get(*s) == Some(&k))
                .map(|(_, seg)| seg.name.as_str())
                .collect();
            let force = if users.is_empty() {
                String::new()
            } else if users.len() == j.segments.len() {
                "✓ every segment".into()
            } else {
                format!("✓ {}", escape(&users.join(", ")))
            };
            let head = if k == 0 {
                format!(
                    "<th scope=\"rowgroup\" rowspan=\"{}\">{}</th>",
                    tp.choices.len(),
                    escape(&tp.label)
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "<tr>{head}<td><code>{}</code> {}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td>{force}</td></tr>",
                escape(&c.name),
                if c.label == c.name {
                    String::new()
                } else {
                    escape(&c.label)
                },
                crate::model::trim(c.everyone.cost),
                super::pct(c.everyone.friction),
            );
        }
    }
    out.push_str("</tbody></table></div>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_are_signed_in_their_unit() {
        assert_eq!(delta(Unit::Percent, 0.0213), "+2.13 pp");
        assert_eq!(delta(Unit::Money, -0.5), "−0.50");
        assert_eq!(delta(Unit::Nps, 0.0), "±0.0");
        assert_eq!(delta(Unit::Duration, -3600.0), "−1h");
    }

    #[test]
    fn verdicts_say_it_in_words() {
        assert!(verdict_badge(KpiVerdict::Fail, true).contains("fail"));
        assert!(verdict_badge(KpiVerdict::Inconclusive, false).contains("n/a"));
    }
}
