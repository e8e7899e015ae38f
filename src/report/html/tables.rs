//! The report's tables: KPI verdicts, the checker's findings, and baseline against scenarios.
//! Verdicts and differences carry a word and a symbol as well as a colour, so they read in
//! black and white and to screen readers.

use super::charts::bar_text;
use super::charts::{figure_cell, with_interval};
use super::svg::{Bar, bars, ticks};
use super::{Push, escape, pct, value_attr, with_code};
use crate::compare::{Comparison, unpaired};
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

/// The findings table (already levelled and sorted), written into `out` row by row.
pub fn findings_to(out: &mut (impl Write + ?Sized), sources: &SourceMap, findings: &[Finding]) {
    if findings.is_empty() {
        out.push_str(
            "<p class=\"ok\" data-figure=\"findings\" data-value=\"0\">✓ No findings: the \
             checker has nothing to report.</p>\n",
        );
        return;
    }
    let count = |l: Level| findings.iter().filter(|f| f.level == l).count();
    let _ = write!(
        out,
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
}

/// A simulated scenario, for the comparison.
pub struct ScenarioRun<'a> {
    /// Its name.
    pub name: String,
    /// Its label.
    pub label: String,
    /// Its figures.
    pub computed: Computed<'a>,
    /// What it changes in the baseline, as `journeyc diff` lists it ([`crate::diff::diff`] of
    /// the baseline and the scenario applied to it).
    pub changes: Vec<crate::diff::Change>,
    /// The baseline and the scenario on the same customers: the intervals of the differences
    /// ([`crate::compare::compare`]; its variant's run is the one `computed` is made of).
    pub comparison: &'a Comparison,
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

impl Row {
    /// The 95% interval of the difference `s − b` of this figure, and whether it is paired:
    /// the comparison's (paired where it pairs the figure), else the unpaired one of the two
    /// estimates.
    fn interval(&self, c: &Comparison, b: Estimate, s: Estimate) -> (Option<Estimate>, bool) {
        let delta = match self.figure {
            Figure::Metric(m) => c.delta_of(m),
            Figure::Kpi(i) => c.kpis.get(i).map(|k| &k.delta),
        };
        match delta {
            Some(d) => (d.diff, d.paired),
            None => (unpaired(Some(b), Some(s)), false),
        }
    }
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

/// What a scenario changes in the baseline, in `journeyc diff`'s words and marks (`+` added,
/// `-` removed, `~` changed).
fn changes(name: &str, label: &str, changes: &[crate::diff::Change]) -> String {
    let mut out = format!(
        "<div class=\"scenario-changes\" data-run=\"{}\">\n<h3>{} <code>{}</code>: what it \
         changes</h3>\n",
        escape(name),
        escape(label),
        escape(name)
    );
    if changes.is_empty() {
        out.push_str("<p>No structural change: the scenario's journey is the baseline's.</p>\n");
    } else {
        out.push_str("<ul class=\"changes\">\n");
        for c in changes {
            let _ = writeln!(
                out,
                "<li data-change=\"{}\"><span class=\"mark\">{}</span> {}</li>",
                escape(c.item),
                escape(c.kind.mark()),
                with_code(&c.text)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</div>\n");
    out
}

/// How a difference reads: better or worse only when its 95% interval excludes 0.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Mark {
    /// No difference at all (the same value, with an interval of nothing).
    Same,
    /// Better for the figure, and the interval excludes 0.
    Better,
    /// Worse for the figure, and the interval excludes 0.
    Worse,
    /// The interval holds 0 (or there is none): no clear change.
    Unclear,
}

impl Mark {
    /// The mark of difference `d` with its interval `interval` for a figure that is better
    /// `better`.
    fn of(d: f64, interval: Option<Estimate>, better: Better) -> Mark {
        let Some(i) = interval else {
            return if d == 0.0 { Mark::Same } else { Mark::Unclear };
        };
        if d == 0.0 && i.low == 0.0 && i.high == 0.0 {
            return Mark::Same;
        }
        let up = match (i.low > 0.0, i.high < 0.0) {
            (true, _) => true,
            (_, true) => false,
            _ => return Mark::Unclear,
        };
        if up == (better == Better::Higher) {
            Mark::Better
        } else {
            Mark::Worse
        }
    }

    /// `(class, data-mark, text)`.
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Mark::Same => ("same", "same", "= same"),
            Mark::Better => ("better", "better", "▲ better"),
            Mark::Worse => ("worse", "worse", "▼ worse"),
            Mark::Unclear => ("same", "unclear", "≈ no clear change"),
        }
    }
}

/// Baseline and scenarios side by side: what each scenario changes, then each figure with the
/// difference (scenario − baseline) and its 95% interval on the same customers, and their
/// conversions as bars.
pub fn scenarios(base: &Computed, runs: &[ScenarioRun]) -> String {
    let mut out = String::new();
    for r in runs {
        out.push_str(&changes(&r.name, &r.label, &r.changes));
    }
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
         with the 95% interval of the difference measured on the same customers (paired; ° \
         marks an unpaired interval, wider than it needs to be, for ratios such as cost per \
         conversion and for figures not paired). ▲ better or ▼ worse only when that interval \
         excludes 0 (for a KPI: in the direction of its target); ≈ no clear change when it \
         holds 0.</caption>\n<thead><tr><th scope=\"col\">Figure</th><th scope=\"col\" \
         class=\"num\">Baseline</th>"
    );
    for r in runs {
        let _ = write!(
            out,
            "<th scope=\"col\" class=\"num\">{} <code>{}</code></th><th scope=\"col\" \
             class=\"num\">Δ (95% interval)</th>",
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
                    let (interval, paired) = row.interval(r.comparison, b, s);
                    let (class, word, mark) = Mark::of(d, interval, row.better).words();
                    let (bounds, text) = match interval {
                        Some(i) => (
                            format!(
                                " data-low=\"{}\" data-high=\"{}\" data-paired=\"{paired}\"",
                                value_attr(i.low),
                                value_attr(i.high)
                            ),
                            format!(
                                "<br><span class=\"ci\">[{}, {}]{}</span>",
                                escape(&delta(row.unit, i.low)),
                                escape(&delta(row.unit, i.high)),
                                if paired { "" } else { " °" }
                            ),
                        ),
                        None => (
                            String::new(),
                            "<br><span class=\"ci\">no interval</span>".into(),
                        ),
                    };
                    let _ = write!(
                        out,
                        "<td class=\"num delta {class}\" data-figure=\"delta.{}\" data-run=\"{}\" \
                         data-value=\"{}\"{bounds} data-mark=\"{word}\">{}{text}<br><span \
                         class=\"mark\">{mark}</span></td>",
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
    fn a_difference_is_better_or_worse_only_when_its_interval_excludes_0() {
        let i = |low: f64, high: f64| {
            Some(Estimate {
                value: (low + high) / 2.0,
                low,
                high,
            })
        };
        // A positive point estimate whose interval holds 0: no clear change, either way.
        assert_eq!(
            Mark::of(0.004, i(-0.001, 0.009), Better::Higher),
            Mark::Unclear
        );
        assert_eq!(
            Mark::of(0.004, i(-0.001, 0.009), Better::Lower),
            Mark::Unclear
        );
        assert_eq!(
            Mark::of(-0.004, i(-0.009, 0.0), Better::Lower),
            Mark::Unclear
        );
        // Excluding 0: the figure's direction decides.
        assert_eq!(Mark::of(0.02, i(0.01, 0.03), Better::Higher), Mark::Better);
        assert_eq!(Mark::of(0.02, i(0.01, 0.03), Better::Lower), Mark::Worse);
        assert_eq!(
            Mark::of(-0.02, i(-0.03, -0.01), Better::Lower),
            Mark::Better
        );
        assert_eq!(
            Mark::of(-0.02, i(-0.03, -0.01), Better::Higher),
            Mark::Worse
        );
        // Nothing changed at all; no interval at all.
        assert_eq!(Mark::of(0.0, i(0.0, 0.0), Better::Higher), Mark::Same);
        assert_eq!(Mark::of(0.5, None, Better::Higher), Mark::Unclear);
        assert_eq!(Mark::Unclear.words().2, "≈ no clear change");
    }

    #[test]
    fn a_scenarios_changes_are_listed_in_the_words_of_diff() {
        use crate::model::{Options, resolve_source};
        let text = r#"journey sc {
  channel web digital
  channel shop physical { cost 2 }
  stage s {
    touchpoint a "A & co" on web { entry  friction 20%  -> b 50%  -> exit }
    touchpoint b on web { goal g }
  }
  scenario x "<X>" {
    touchpoint a { friction 5%  -> b 70%  -> c 10%  -> exit }
    stage s { touchpoint c on shop { -> b } }
    channel web { cost 0.5 }
  }
}"#;
        let resolve = |scenario: Option<&str>| {
            let options = Options {
                root: None,
                scenario: scenario.map(String::from),
            };
            let c = resolve_source("t.journey", text, &options).expect("resolves");
            c.journey.expect("a journey")
        };
        let (base, applied) = (resolve(None), resolve(Some("x")));
        let diff = crate::diff::diff(&base, &applied);
        assert!(diff.len() >= 4, "{diff:?}");
        let html = changes("x", "<X>", &diff);
        assert!(
            html.contains("&lt;X&gt; <code>x</code>: what it changes"),
            "{html}"
        );
        // One item per change, in diff's order, with diff's mark and text (names as code).
        let items: Vec<&str> = html.lines().filter(|l| l.starts_with("<li")).collect();
        assert_eq!(items.len(), diff.len(), "{html}");
        for (item, c) in items.iter().zip(&diff) {
            let expected = format!(
                "<li data-change=\"{}\"><span class=\"mark\">{}</span> {}</li>",
                c.item,
                c.kind.mark(),
                with_code(&c.text)
            );
            assert_eq!(*item, expected);
        }
        assert!(html.contains("<code>a</code>: friction 20% → 5%"), "{html}");
        assert!(html.contains("<span class=\"mark\">+</span>"), "{html}");
        let none = changes("y", "Y", &[]);
        assert!(none.contains("No structural change"), "{none}");
    }

    #[test]
    fn verdicts_say_it_in_words() {
        assert!(verdict_badge(KpiVerdict::Fail, true).contains("fail"));
        assert!(verdict_badge(KpiVerdict::Inconclusive, false).contains("n/a"));
    }
}
