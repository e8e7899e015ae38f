//! `journeyc learn`'s output: the learner, the prices it charged, regret and the share of
//! optimal decisions batch by batch, when its greedy policy became the optimum for good, and
//! its last greedy policy beside the optimum (`docs/decisions.md`).

use super::optimize::{View as Problem, policy_json};
use crate::model::metric_name;
use crate::report::simulation::thousands;
use crate::sim::learn::{Batch, Learned, Method, Settings};
use serde_json::json;

/// What the output shows.
pub struct View<'a> {
    /// The problem and its optimum.
    pub problem: Problem<'a>,
    /// What `learn` found.
    pub learned: &'a Learned,
    /// How it ran.
    pub settings: &'a Settings,
}

/// Batch rows the table shows at most (evenly spread, the last always).
const ROWS: usize = 24;

/// The learner, in words.
pub(crate) fn method(m: Method) -> String {
    match m {
        Method::Thompson => "Thompson sampling".into(),
        Method::Greedy { epsilon } => format!("greedy, exploring with chance {epsilon}"),
        Method::Model => "posterior sampling on the model, optimised exactly per batch".into(),
    }
}

fn share(b: &Batch) -> f64 {
    match b.decisions {
        0 => f64::NAN,
        n => b.optimal_decisions as f64 / n as f64,
    }
}

fn percent(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else {
        format!("{:.1}%", 100.0 * x)
    }
}

/// The batches the table shows: every one up to [`ROWS`], else evenly spread with the last.
fn shown(batches: &[Batch]) -> Vec<usize> {
    let n = batches.len();
    if n <= ROWS {
        return (0..n).collect();
    }
    let mut out: Vec<usize> = (0..ROWS - 1).map(|i| i * (n - 1) / (ROWS - 1)).collect();
    out.push(n - 1);
    out.dedup();
    out
}

/// One sentence on when `l`'s greedy policy became the optimum.
pub(crate) fn settled(l: &Learned) -> String {
    let total = l.batches.last().map_or(0, |b| b.customers);
    match l.settled_after {
        Some(n) => format!(
            "The learner's greedy policy is the optimum from customer {} on (and stays so \
             through customer {}).",
            thousands(n),
            thousands(total)
        ),
        None => format!(
            "The learner's greedy policy is not the optimum after {} customers.",
            thousands(total)
        ),
    }
}

fn prices(view: &View) -> Vec<String> {
    let p = view.problem.problem;
    let l = view.learned;
    p.constraints
        .iter()
        .zip(&l.prices)
        .map(|(k, price)| {
            let per: Vec<String> = view
                .problem
                .journey
                .segments
                .iter()
                .zip(price)
                .map(|(s, x)| format!("{} {}", s.name, super::optimize::num(*x)))
                .collect();
            format!("{} at {}", k.text, per.join(", "))
        })
        .collect()
}

/// The human report.
pub fn table(view: &View) -> String {
    let l = view.learned;
    let s = view.settings;
    let j = view.problem.journey;
    let mut out = format!("Learn `{}`: {}\n", j.name, view.problem.objective());
    out.push_str(&format!(
        "Learner: {}, one policy per batch of {} customers, {} customers, seed {}\n",
        method(s.method),
        thousands(s.batch),
        thousands(s.customers),
        s.seed
    ));
    if !l.prices.is_empty() {
        out.push_str(&format!(
            "Constraint prices: {} ({})\n",
            prices(view).join(", "),
            match (l.prices_from_optimize, l.prices_support) {
                (true, true) => {
                    "from optimize: at these prices the constrained optimum is the best priced \
                     policy of each segment"
                }
                (true, false) => {
                    "from optimize, the closest: no price makes the constrained optimum the best \
                     priced policy (a duality gap), so the learner aims at the best priced policy; \
                     --method model can reach the optimum"
                }
                _ => "from --price",
            }
        ));
    }
    out.push_str(&format!(
        "Optimum (exact): {} = {:.4}\n\n",
        metric_name(j, view.problem.problem.metric),
        l.optimum.value
    ));
    out.push_str(
        "  customers  regret/customer  cumulative regret  optimal decisions  greedy = optimum\n",
    );
    for i in shown(&l.batches) {
        let b = &l.batches[i];
        out.push_str(&format!(
            "  {:>9}  {:>15.4}  {:>17.2}  {:>17}  {}\n",
            thousands(b.customers),
            b.regret_per_customer,
            b.cumulative_regret,
            percent(share(b)),
            if b.greedy_is_optimum { "yes" } else { "no" }
        ));
    }
    if l.batches.len() > ROWS {
        out.push_str(&format!(
            "  ({} of {} batches shown; --format json gives every one)\n",
            shown(&l.batches).len(),
            l.batches.len()
        ));
    }
    out.push('\n');
    out.push_str(&settled(view.learned));
    out.push('\n');
    if let Some(last) = l.batches.last() {
        out.push_str(&format!(
            "Cumulative regret: {:.2} over {} customers ({:.4} per customer).\n",
            last.cumulative_regret,
            thousands(last.customers),
            last.cumulative_regret / last.customers.max(1) as f64
        ));
    }
    // The last greedy policy where it differs from the optimum.
    let mut differ = Vec::new();
    for (d, &t) in l.decisions.iter().enumerate() {
        let tp = &j.touchpoints[t];
        for (seg, sg) in j.segments.iter().enumerate() {
            let (g, o) = (l.greedy[d][seg], l.optimum.policy[d][seg]);
            if g != o {
                differ.push(format!(
                    "  {} for {}: learned {}, optimum {}",
                    tp.name, sg.name, tp.choices[g].name, tp.choices[o].name
                ));
            }
        }
    }
    if !differ.is_empty() {
        out.push_str(
            "Where the last greedy policy differs from the optimum (decisions the segment \
             rarely or never reaches can differ at no cost):\n",
        );
        for line in differ {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.push_str(&format!(
        "Segment policies evaluated exactly: {}\n",
        l.analysed
    ));
    out
}

/// Every figure as JSON.
pub fn json(view: &View) -> String {
    let l = view.learned;
    let s = view.settings;
    let j = view.problem.journey;
    let mut greedy = l.optimum.clone();
    greedy.policy = l.greedy.clone();
    let batches: Vec<serde_json::Value> = l
        .batches
        .iter()
        .map(|b| {
            let mut v = serde_json::to_value(b).unwrap_or_default();
            v["optimal_share"] = json!(if b.decisions == 0 {
                None
            } else {
                Some(share(b))
            });
            v
        })
        .collect();
    let v = json!({
        "journey": j.name,
        "scenario": j.scenario,
        "objective": view.problem.objective(),
        "constraints": view.problem.problem.constraints.iter().zip(&l.prices)
            .map(|(k, p)| json!({"constraint": k.text, "price_per_segment":
                j.segments.iter().zip(p).map(|(s, x)| (s.name.clone(), json!(x)))
                    .collect::<serde_json::Map<_, _>>()}))
            .collect::<Vec<_>>(),
        "prices_from": if l.prices_from_optimize { "optimize" } else { "command line" },
        "prices_support_optimum": l.prices_support,
        "learner": s.method,
        "batch": s.batch,
        "customers": s.customers,
        "seed": s.seed,
        "optimum": {
            "value": l.optimum.value,
            "policy": policy_json(&view.problem, &l.optimum),
        },
        "greedy_policy": policy_json(&view.problem, &greedy),
        "settled_after": l.settled_after,
        "cumulative_regret": l.batches.last().map_or(0.0, |b| b.cumulative_regret),
        "segment_policies_evaluated": l.analysed,
        "batches": batches,
    });
    let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
    text.push('\n');
    text
}

/// A Markdown summary for a pull request.
pub fn markdown(view: &View) -> String {
    let l = view.learned;
    let s = view.settings;
    let j = view.problem.journey;
    let mut out = format!(
        "### Learn `{}`: {}\n\n{}, one policy per batch of {} customers, {} customers, seed {}.\n\n",
        j.name,
        view.problem.objective(),
        method(s.method),
        thousands(s.batch),
        thousands(s.customers),
        s.seed
    );
    out.push_str(&format!("{}\n\n", settled(view.learned)));
    out.push_str("| customers | regret/customer | cumulative regret | optimal decisions | greedy = optimum |\n|---:|---:|---:|---:|---|\n");
    for i in shown(&l.batches) {
        let b = &l.batches[i];
        out.push_str(&format!(
            "| {} | {:.4} | {:.2} | {} | {} |\n",
            thousands(b.customers),
            b.regret_per_customer,
            b.cumulative_regret,
            percent(share(b)),
            if b.greedy_is_optimum { "yes" } else { "no" }
        ));
    }
    out
}
