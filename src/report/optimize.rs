//! `journeyc optimize`'s output: the policy (segment × decision touchpoint → option), the
//! objective and every constraint for the journey as given and for the policy, per segment,
//! how optimality is established, and the scenario text that states the policy
//! (`docs/decisions.md`).

use crate::analyze::optimize::{Evaluated, Optimality, Optimum, Problem};
use crate::model::{Journey, metric_name};
use serde_json::{Map, Value, json};

/// What the output shows.
pub struct View<'a> {
    /// The journey (its scenario's policy in force, if any).
    pub journey: &'a Journey,
    /// The problem solved.
    pub problem: &'a Problem,
    /// What was found.
    pub optimum: &'a Optimum,
    /// The name of the scenario that states the policy.
    pub scenario: &'a str,
}

impl View<'_> {
    pub(crate) fn objective(&self) -> String {
        let direction = if self.problem.maximize {
            "maximize"
        } else {
            "minimize"
        };
        format!(
            "{direction} {}",
            metric_name(self.journey, self.problem.metric)
        )
    }

    pub(crate) fn choice(&self, d: usize, s: usize, e: &Evaluated) -> &str {
        let tp = &self.journey.touchpoints[self.optimum.decisions[d]];
        &tp.choices[e.policy[d][s]].name
    }

    fn optimality(&self) -> &'static str {
        match self.optimum.optimality {
            Optimality::Proved => "proved",
            Optimality::Enumerated => "enumerated",
            Optimality::BestFound => "best found",
        }
    }
}

/// A number as the outputs write it: up to 6 decimals, trailing zeros trimmed.
pub(crate) fn num(v: f64) -> String {
    crate::model::figure::trimmed(v, 6)
}

/// `scenario NAME "LABEL" { touchpoint … { use … } }` stating `e`'s policy: per touchpoint,
/// the option most segments get as the unqualified `use` (none when that is `as_is`), the
/// others with `for`.
pub fn scenario_text(view: &View, e: &Evaluated) -> String {
    let j = view.journey;
    let mut out = format!(
        "scenario {} \"Optimal policy: {}\" {{\n",
        view.scenario,
        view.objective()
    );
    for (d, &t) in view.optimum.decisions.iter().enumerate() {
        let tp = &j.touchpoints[t];
        let picks = &e.policy[d];
        let mut counts = vec![0usize; tp.choices.len()];
        for &c in picks {
            counts[c] += 1;
        }
        // The most common choice (the first in order on a tie) takes the unqualified line.
        let common = (0..counts.len()).fold(0, |b, c| if counts[c] > counts[b] { c } else { b });
        let mut lines = Vec::new();
        if common != 0 {
            lines.push(format!("use {}", tp.choices[common].name));
        }
        for (c, choice) in tp.choices.iter().enumerate() {
            if c == common || counts[c] == 0 {
                continue;
            }
            let segs: Vec<&str> = picks
                .iter()
                .enumerate()
                .filter(|(_, k)| **k == c)
                .map(|(s, _)| j.segments[s].name.as_str())
                .collect();
            lines.push(format!("use {} for {}", choice.name, segs.join(", ")));
        }
        if lines.is_empty() {
            continue;
        }
        out.push_str(&format!("  touchpoint {} {{\n", tp.name));
        for l in lines {
            out.push_str(&format!("    {l}\n"));
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

/// The human report.
pub fn table(view: &View) -> String {
    let j = view.journey;
    let o = view.optimum;
    let p = view.problem;
    let mut out = String::new();
    out.push_str(&format!("Optimize `{}`: {}", j.name, view.objective()));
    if !p.constraints.is_empty() {
        let list: Vec<&str> = p.constraints.iter().map(|k| k.text.as_str()).collect();
        out.push_str(&format!(", subject to {}", list.join(", ")));
    }
    out.push('\n');
    out.push_str(&format!(
        "Optimality: {} ({} segment policies analysed exactly, {} policies compared)\n",
        view.optimality(),
        o.analysed,
        o.compared
    ));
    if let Some(bound) = o.bound {
        let gap = o
            .best
            .as_ref()
            .map_or("n/a".into(), |b| num((bound - b.value).abs()));
        out.push_str(&match o.optimality {
            Optimality::Proved => format!(
                "Bound: {} — met: no policy does better, not even one that depends on the \
                 customer's whole state\n",
                num(bound)
            ),
            Optimality::Enumerated => format!(
                "Full-state bound: {} (gap {gap}: at most what policies that depend on the \
                 customer's whole state, or mix options, could add)\n",
                num(bound)
            ),
            Optimality::BestFound => format!(
                "Bound: {} (gap {gap}: the optimum lies between the policy found and the \
                 bound)\n",
                num(bound)
            ),
        });
    }
    let Some(best) = &o.best else {
        out.push_str("\nNo policy meets every constraint.\n");
        for u in &o.unmet {
            let k = &p.constraints[u.constraint];
            out.push_str(&format!(
                "  {}: best reachable {}{}\n",
                k.text,
                num(u.best),
                if u.alone {
                    " (can be met alone)"
                } else {
                    " (cannot be met by any policy)"
                }
            ));
        }
        return out;
    };
    // The policy.
    let names: Vec<&str> = o
        .decisions
        .iter()
        .map(|&t| j.touchpoints[t].name.as_str())
        .collect();
    let w0 = j
        .segments
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(7)
        .max(7);
    let widths: Vec<usize> = names
        .iter()
        .enumerate()
        .map(|(d, n)| {
            j.touchpoints[o.decisions[d]]
                .choices
                .iter()
                .map(|c| c.name.len())
                .max()
                .unwrap_or(0)
                .max(n.len())
        })
        .collect();
    out.push_str("\nPolicy\n");
    let mut row = format!("  {:<w0$}", "segment");
    for (n, w) in names.iter().zip(&widths) {
        row.push_str(&format!("  {n:<w$}"));
    }
    out.push_str(row.trim_end());
    out.push('\n');
    for (s, seg) in j.segments.iter().enumerate() {
        let mut row = format!("  {:<w0$}", seg.name);
        for (d, w) in widths.iter().enumerate() {
            row.push_str(&format!("  {:<w$}", view.choice(d, s, best)));
        }
        out.push_str(row.trim_end());
        out.push('\n');
    }
    // Figures: as given, at the optimum.
    let given_name = if j.scenario.is_some() {
        "as given"
    } else {
        "as_is"
    };
    let metric = metric_name(j, p.metric);
    let w = 26usize.max(metric.len() + 2);
    out.push_str(&format!(
        "\n  {:<w$}{:>14}{:>14}\n",
        "", given_name, "optimum"
    ));
    out.push_str(&format!(
        "  {:<w$}{:>14}{:>14}\n",
        metric,
        num4(o.given.value),
        num4(best.value)
    ));
    for (s, seg) in j.segments.iter().enumerate() {
        if j.segments.len() < 2 {
            break;
        }
        out.push_str(&format!(
            "  {:<w$}{:>14}{:>14}\n",
            format!("  {}", seg.name),
            num4(o.given.per_segment[s]),
            num4(best.per_segment[s])
        ));
    }
    for (c, k) in p.constraints.iter().enumerate() {
        out.push_str(&format!(
            "  {:<w$}{:>14}{:>14}\n",
            k.text,
            format!(
                "{}{}",
                num4(o.given.constraints[c]),
                if crate::analyze::optimize::meets(k, o.given.constraints[c]) {
                    ""
                } else {
                    " ✗"
                }
            ),
            num4(best.constraints[c])
        ));
    }
    if let Some(u) = &o.unconstrained
        && (u.value - best.value).abs() > 1e-9
    {
        let mut broken = Vec::new();
        for (c, k) in p.constraints.iter().enumerate() {
            if !crate::analyze::optimize::meets(k, u.constraints[c]) {
                broken.push(format!(
                    "{} is {}",
                    metric_name(j, k.metric),
                    num4(u.constraints[c])
                ));
            }
        }
        out.push_str(&format!(
            "\nWithout the constraints the best {metric} is {} ({}): the constraints bind.\n",
            num4(u.value),
            broken.join(", ")
        ));
    }
    out.push_str(&format!(
        "\nThe policy as a scenario (`--write {}` appends it):\n\n",
        view.scenario
    ));
    out.push_str(&scenario_text(view, best));
    out
}

fn num4(v: f64) -> String {
    format!("{v:.4}")
}

pub(crate) fn policy_json(view: &View, e: &Evaluated) -> Value {
    let j = view.journey;
    let mut out = Map::new();
    for (s, seg) in j.segments.iter().enumerate() {
        let mut per = Map::new();
        for d in 0..view.optimum.decisions.len() {
            let tp = &j.touchpoints[view.optimum.decisions[d]];
            per.insert(tp.name.clone(), json!(view.choice(d, s, e)));
        }
        out.insert(seg.name.clone(), Value::Object(per));
    }
    Value::Object(out)
}

fn evaluated_json(view: &View, e: &Evaluated) -> Value {
    let j = view.journey;
    let per_segment: Map<String, Value> = j
        .segments
        .iter()
        .zip(&e.per_segment)
        .map(|(s, v)| (s.name.clone(), json!(v)))
        .collect();
    json!({
        "value": e.value,
        "feasible": e.feasible,
        "per_segment": per_segment,
        "policy": policy_json(view, e),
        "constraints": view.problem.constraints.iter().zip(&e.constraints)
            .map(|(k, v)| json!({"constraint": k.text, "value": v}))
            .collect::<Vec<_>>(),
    })
}

/// Every figure as JSON (`docs/decisions.md`).
pub fn json(view: &View) -> String {
    let o = view.optimum;
    let mut v = json!({
        "journey": view.journey.name,
        "scenario": view.journey.scenario,
        "objective": view.objective(),
        "constraints": view.problem.constraints.iter().map(|k| k.text.clone()).collect::<Vec<_>>(),
        "optimality": o.optimality,
        "segment_policies_analysed": o.analysed,
        "policies_compared": o.compared,
        "decision_points": o.decisions.iter()
            .map(|&t| view.journey.touchpoints[t].name.clone()).collect::<Vec<_>>(),
        "as_given": evaluated_json(view, &o.given),
        "feasible": o.best.is_some(),
        "ties": o.ties,
        "bound": o.bound,
    });
    if let Some(best) = &o.best {
        v["optimum"] = evaluated_json(view, best);
        v["scenario_text"] = json!(scenario_text(view, best));
    }
    if let Some(u) = &o.unconstrained {
        v["without_constraints"] = evaluated_json(view, u);
    }
    if !o.unmet.is_empty() {
        v["unmet"] = o
            .unmet
            .iter()
            .map(|u| {
                json!({
                    "constraint": view.problem.constraints[u.constraint].text,
                    "best_reachable": u.best,
                    "can_be_met_alone": u.alone,
                })
            })
            .collect();
    }
    let mut text = serde_json::to_string_pretty(&v).expect("JSON values serialise");
    text.push('\n');
    text
}

/// A Markdown summary (for a pull request comment).
pub fn markdown(view: &View) -> String {
    let j = view.journey;
    let o = view.optimum;
    let mut out = format!(
        "### Optimize `{}`: {}\n\nOptimality: **{}** ({} segment policies analysed, {} \
         policies compared)\n\n",
        j.name,
        view.objective(),
        view.optimality(),
        o.analysed,
        o.compared
    );
    let Some(best) = &o.best else {
        out.push_str("**No policy meets every constraint.**\n\n| constraint | best reachable | alone |\n|---|---:|---|\n");
        for u in &o.unmet {
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                view.problem.constraints[u.constraint].text,
                num(u.best),
                if u.alone {
                    "can be met"
                } else {
                    "cannot be met"
                }
            ));
        }
        return out;
    };
    out.push_str("| segment |");
    for &t in &o.decisions {
        out.push_str(&format!(" {} |", j.touchpoints[t].name));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(o.decisions.len()));
    out.push('\n');
    for (s, seg) in j.segments.iter().enumerate() {
        out.push_str(&format!("| {} |", seg.name));
        for d in 0..o.decisions.len() {
            out.push_str(&format!(" `{}` |", view.choice(d, s, best)));
        }
        out.push('\n');
    }
    out.push_str("\n| figure | as given | optimum |\n|---|---:|---:|\n");
    out.push_str(&format!(
        "| {} | {} | {} |\n",
        metric_name(j, view.problem.metric),
        num4(o.given.value),
        num4(best.value)
    ));
    for (c, k) in view.problem.constraints.iter().enumerate() {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            k.text,
            num4(o.given.constraints[c]),
            num4(best.constraints[c])
        ));
    }
    out.push_str(&format!("\n```journey\n{}```\n", scenario_text(view, best)));
    out
}
