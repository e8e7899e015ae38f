//! The report's best policy and test-and-learn panel (LANGUAGE-2.md §4, `docs/decisions.md`):
//! `optimize`'s exact optimum per segment beside the policy in force, and `learn`'s curves —
//! regret per customer and the share of decisions that took the optimal option, batch by
//! batch, with the customer from which the learner's greedy policy is the optimum for good.

use super::svg::{Svg, clamp, ticks};
use super::{escape, pct};
use crate::analyze::optimize::{Optimality, Optimum, Problem};
use crate::model::{Journey, metric_name};
use crate::report::optimize::{View, num};
use crate::report::simulation::thousands;
use crate::sim::learn::{Batch, Learned, Settings};
use std::fmt::Write as _;

/// What the panel shows.
pub struct Decisions<'a> {
    /// The problem (the journey's objective and constraints).
    pub problem: &'a Problem,
    /// `optimize`'s answer.
    pub optimum: &'a Optimum,
    /// `learn`'s run, or why there is none.
    pub learned: Result<(&'a Learned, &'a Settings), String>,
}

/// Points a curve keeps at most (evenly spread batches, the last always).
const POINTS: usize = 400;

fn sampled(batches: &[Batch]) -> Vec<&Batch> {
    let len = batches.len();
    if len <= POINTS {
        return batches.iter().collect();
    }
    let mut idx: Vec<usize> = (0..POINTS - 1)
        .map(|i| i * (len - 1) / (POINTS - 1))
        .collect();
    idx.push(len - 1);
    idx.dedup();
    idx.into_iter().map(|i| &batches[i]).collect()
}

/// The panel's HTML.
pub fn render(j: &Journey, d: &Decisions) -> String {
    let view = View {
        journey: j,
        problem: d.problem,
        optimum: d.optimum,
        scenario: "optimum",
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<h3>Best policy per segment</h3>\n<p>Objective: <code>{}</code>",
        escape(&view.objective())
    );
    if !d.problem.constraints.is_empty() {
        let list: Vec<String> = d
            .problem
            .constraints
            .iter()
            .map(|k| format!("<code>{}</code>", escape(&k.text)))
            .collect();
        let _ = write!(out, ", subject to {}", list.join(", "));
    }
    out.push_str(". Exact figures (absorbing chain, horizon ignored), from <code>journeyc optimize</code>.</p>\n");
    let metric = metric_name(j, d.problem.metric);
    let Some(best) = &d.optimum.best else {
        let unmet: Vec<String> = d
            .optimum
            .unmet
            .iter()
            .map(|u| {
                format!(
                    "<code>{}</code> (best reachable {})",
                    escape(&d.problem.constraints[u.constraint].text),
                    num(u.best)
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "<p class=\"warn\">No policy meets the constraints: {}.</p>",
            unmet.join(", ")
        );
        return out;
    };
    let how = match d.optimum.optimality {
        Optimality::Proved => "proved: it meets the bound of policies that may depend on the \
                               customer's whole state"
            .to_string(),
        Optimality::Enumerated => "enumerated: every policy was evaluated".to_string(),
        Optimality::BestFound => match d.optimum.bound {
            Some(b) => format!(
                "best found: the optimum lies between it and the bound {}",
                num(b)
            ),
            None => "best found by search".to_string(),
        },
    };
    let _ = writeln!(
        out,
        "<p>The optimum gives <strong>{} {}</strong> against {} for the policy in force \
         ({}).</p>",
        escape(&metric),
        num(best.value),
        num(d.optimum.given.value),
        escape(&how)
    );
    // Touchpoint × segment: the optimum's option, marked where it differs from the policy in force.
    out.push_str(
        "<div class=\"table-scroll\"><table class=\"policy\">\n<caption>The optimum's option \
         per segment; <em>changed</em> where it differs from the policy in force.</caption>\n\
         <thead><tr><th scope=\"col\">Touchpoint</th>",
    );
    for s in &j.segments {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(&s.name));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (k, &t) in d.optimum.decisions.iter().enumerate() {
        let tp = &j.touchpoints[t];
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", escape(&tp.label));
        for s in 0..j.segments.len() {
            let chosen = best.policy[k][s];
            let changed = d.optimum.given.policy[k][s] != chosen;
            let _ = write!(
                out,
                "<td><code>{}</code>{}</td>",
                escape(&tp.choices[chosen].name),
                if changed { " <em>changed</em>" } else { "" }
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");

    out.push_str("<h3>Test and learn</h3>\n");
    let (learned, settings) = match &d.learned {
        Ok(x) => *x,
        Err(why) => {
            let _ = writeln!(out, "<p>{}</p>", escape(why));
            return out;
        }
    };
    let method = crate::report::learn::method(settings.method);
    let _ = writeln!(
        out,
        "<p>Simulated with <code>journeyc learn</code>: {} customers arrive one after another; \
         the learner ({}) picks each segment's option from what earlier customers' finished \
         journeys showed, with one policy per batch of {} customers. Regret is the exact value \
         of the optimum minus the exact value of the policy played.</p>",
        thousands(settings.customers),
        escape(&method),
        thousands(settings.batch)
    );
    if !learned.prices.is_empty() && !learned.prices_support {
        out.push_str(
            "<p class=\"warn\">No price of the constraints makes the optimum each segment's best \
             priced policy (a duality gap): the learner aims at the best priced policy and \
             cannot reach the optimum; <code>--learn-method model</code> (posterior sampling \
             on the model, optimised exactly) can.</p>\n",
        );
    }
    let total = learned.batches.last().map_or(0, |b| b.customers);
    let settled = crate::report::learn::settled(learned);
    let cumulative = learned.batches.last().map_or(0.0, |b| b.cumulative_regret);
    let _ = writeln!(
        out,
        "<p>{} Cumulative regret: {} over {} customers.</p>",
        escape(&settled),
        num((cumulative * 1e4).round() / 1e4),
        thousands(total)
    );
    let breaking = learned.batches.iter().filter(|b| !b.feasible).count();
    if breaking > 0 {
        let _ = writeln!(
            out,
            "<p>{} of {} batches played a policy that breaks a constraint (red dots): their \
             regret can be negative, objective bought with budget the constraints do not \
             allow.</p>",
            thousands(breaking as u64),
            thousands(learned.batches.len() as u64)
        );
    }
    let points = sampled(&learned.batches);
    out.push_str(&curve(
        &points,
        |b| b.regret_per_customer,
        Axis::Number,
        &format!("regret per customer ({})", metric),
        learned.settled_after,
        "Regret per customer by batch",
    ));
    out.push_str(&curve(
        &points,
        |b| match b.decisions {
            0 => f64::NAN,
            n => b.optimal_decisions as f64 / n as f64,
        },
        Axis::Share,
        "share of decisions taking the optimal option",
        learned.settled_after,
        "Share of decisions taking the optimal option by batch",
    ));
    out
}

#[derive(Copy, Clone)]
enum Axis {
    Number,
    Share,
}

fn tick_text(axis: Axis, v: f64) -> String {
    match axis {
        Axis::Share => pct(v),
        Axis::Number => crate::model::figure::trimmed(v, 4),
    }
}

/// One line chart: customers across, `value` up; a dashed rule where the greedy policy
/// settles on the optimum.
fn curve(
    batches: &[&Batch],
    value: impl Fn(&Batch) -> f64,
    axis: Axis,
    label: &str,
    settled: Option<u64>,
    title: &str,
) -> String {
    const W: f64 = 800.0;
    const LEFT: f64 = 64.0;
    const RIGHT: f64 = 20.0;
    const TOP: f64 = 14.0;
    const PLOT_H: f64 = 180.0;
    const BOTTOM: f64 = 46.0;
    let last = batches.last().map_or(1, |b| b.customers).max(1) as f64;
    let values: Vec<f64> = batches.iter().map(|b| value(b)).collect();
    // The axis spans 0 and every value: regret is negative in a batch whose policy beat the
    // optimum by breaking a constraint.
    let finite = || values.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = match axis {
        Axis::Share => (0.0, 1.0),
        Axis::Number => (finite().fold(0.0, f64::min), finite().fold(0.0, f64::max)),
    };
    // One step on both sides of 0, from the larger side's ticks.
    let base = ticks(hi.max(-lo));
    let step = base.get(1).map_or(1.0, |t| t - base[0]);
    let count = |x: f64| (x / step - 1e-9).ceil().max(0.0) as usize;
    let mut scale: Vec<f64> = (1..=count(-lo)).rev().map(|i| -(i as f64) * step).collect();
    scale.extend((0..=count(hi).max(1)).map(|i| i as f64 * step));
    let low_end = scale[0];
    let top_end = scale[scale.len() - 1];
    let plot_w = W - LEFT - RIGHT;
    let bottom = TOP + PLOT_H;
    let x_of = |c: f64| LEFT + clamp(c / last, 0.0, 1.0) * plot_w;
    let y_of = |v: f64| bottom - clamp((v - low_end) / (top_end - low_end), 0.0, 1.0) * PLOT_H;
    let mut s = Svg::new(W, TOP + PLOT_H + BOTTOM);
    for &t in &scale {
        let y = y_of(t);
        s.line(LEFT, y, W - RIGHT, y, "grid");
        s.text(LEFT - 6.0, y + 4.0, &tick_text(axis, t), "tick", "end");
    }
    for t in ticks(last) {
        if t <= last {
            s.text(
                x_of(t),
                bottom + 16.0,
                &thousands(t as u64),
                "tick",
                "middle",
            );
        }
    }
    s.text(
        LEFT + plot_w / 2.0,
        bottom + 36.0,
        &format!("customers; {label}"),
        "label",
        "middle",
    );
    if let Some(c) = settled {
        let x = x_of(c as f64);
        s.raw(&format!(
            "<g><title>greedy policy = optimum from customer {}</title>\n",
            thousands(c)
        ));
        s.line(x, TOP, x, bottom, "settled");
        s.raw("</g>\n");
        s.text(x + 4.0, bottom - 6.0, "optimum from here", "tick", "start");
    }
    // The line, broken where a batch made no decision.
    let mut run: Vec<(f64, f64)> = Vec::new();
    for (b, &v) in batches.iter().zip(&values) {
        if v.is_finite() {
            run.push((x_of(b.customers as f64), y_of(v)));
        } else if !run.is_empty() {
            s.polyline(&std::mem::take(&mut run), "emotion");
        }
    }
    if !run.is_empty() {
        s.polyline(&run, "emotion");
    }
    // Tooltips on a dot per point, when there are few enough to tell apart.
    if batches.len() <= 120 {
        for (b, &v) in batches.iter().zip(&values) {
            if v.is_finite() {
                s.raw(&format!(
                    "<g><title>customers up to {}: {}{}</title>\n",
                    thousands(b.customers),
                    escape(&tick_text(axis, v)),
                    if b.feasible {
                        ""
                    } else {
                        " (the policy played breaks a constraint)"
                    }
                ));
                let class = if b.feasible {
                    "emotion-dot"
                } else {
                    "infeasible-dot"
                };
                s.circle(x_of(b.customers as f64), y_of(v), 2.5, class);
                s.raw("</g>\n");
            }
        }
    }
    s.line(LEFT, TOP - 4.0, LEFT, bottom, "axis");
    s.line(LEFT, bottom, W - RIGHT, bottom, "axis");
    let svg = s.finish(title, "chart", Some(0.66));
    format!("<div class=\"chart-scroll\">\n{svg}</div>\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(customers: u64, regret: f64, feasible: bool) -> Batch {
        Batch {
            customers,
            size: 1000,
            policy: Vec::new(),
            value: 0.0,
            regret_per_customer: regret,
            cumulative_regret: 0.0,
            decisions: 10,
            optimal_decisions: 5,
            greedy_is_optimum: false,
            greedy_value: 0.0,
            feasible,
        }
    }

    #[test]
    fn the_axis_spans_negative_regret_with_one_step() {
        let b = [
            batch(1000, 4.5, true),
            batch(2000, -3.2, false),
            batch(3000, 0.0, true),
        ];
        let refs: Vec<&Batch> = b.iter().collect();
        let svg = curve(
            &refs,
            |b| b.regret_per_customer,
            Axis::Number,
            "regret",
            Some(3000),
            "t",
        );
        // Ticks every 1 from −4 to 5: the same step on both sides of 0.
        for t in ["-4", "-1", ">0<", ">5<"] {
            assert!(svg.contains(t), "{t}: {svg}");
        }
        assert!(!svg.contains(">6<"));
        // The batch that broke a constraint is marked and says so.
        assert_eq!(svg.matches("infeasible-dot").count(), 1);
        assert!(svg.contains("breaks a constraint"));
        assert!(svg.contains("optimum from here"));
        // A share axis is 0–100% whatever the values.
        let share = curve(&refs, |_| 0.5, Axis::Share, "share", None, "t");
        assert!(share.contains("100.0%") && !share.contains("optimum from here"));
    }

    #[test]
    fn long_runs_are_thinned_to_the_point_budget_keeping_the_last() {
        let b: Vec<Batch> = (1..=1000).map(|i| batch(i * 10, 1.0, true)).collect();
        let s = sampled(&b);
        assert!(s.len() <= POINTS);
        assert_eq!(s.last().map(|b| b.customers), Some(10_000));
        assert_eq!(s[0].customers, 10);
    }
}
