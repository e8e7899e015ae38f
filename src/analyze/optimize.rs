//! `journeyc optimize`: the deterministic policy (LANGUAGE-2.md §4) that optimises the
//! objective over all customers subject to every constraint, judged on exact figures.
//!
//! The method. Segments are separate absorbing chains, so a policy's value of any
//! per-customer expectation is the share-weighted sum of each segment's value under that
//! segment's own choices. A *segment policy* is one choice at every decision touchpoint; the
//! journey is analysed once per segment policy, played by every segment at once, which gives
//! every segment's figures under it ([`analyze`] per segment policy, in parallel). Then:
//! - without constraints, each segment takes its best segment policy: the optimum, exactly
//!   (the segments do not interact), and **enumerated**;
//! - with constraints, every combination of segment policies is enumerated when there are at
//!   most [`MAX_COMBINATIONS`] of them (**enumerated**); past that, the best feasible policy a
//!   Lagrangian search finds is returned as **best found**, with the unconstrained optimum as
//!   the bound and the gap to it;
//! - past [`MAX_SEGMENT_POLICIES`] segment policies, coordinate ascent from `as_is` (one
//!   decision at a time, per segment, until no change improves) gives **best found**
//!   without a bound.
//!
//! Ties go to the first policy in order: segments in order, each the `as_is`-first order of
//! its choices (LANGUAGE-2.md, "Settled").

use super::{AnalyzeError, Figures, analyze};
use crate::model::{Journey, Kpi, Metric, SegmentId, TouchpointId};
use rayon::prelude::*;

/// The most segment policies analysed one by one.
pub const MAX_SEGMENT_POLICIES: usize = 4096;
/// The most combinations of segment policies enumerated under constraints.
pub const MAX_COMBINATIONS: u64 = 4_000_000;
/// Passes over the constraints' prices when several are priced together.
const MAX_PRICE_ROUNDS: usize = 30;
/// Priced full-state solves after which no new pass over the prices starts.
const MAX_PRICED_SOLVES: usize = 4_000;
/// Values this close count as equal (ties, feasibility at the bound).
const EPS: f64 = 1e-9;

/// What to optimise.
#[derive(Clone, Debug)]
pub struct Problem {
    /// The objective's metric (a per-customer expectation).
    pub metric: Metric,
    /// `maximize` (true) or `minimize`.
    pub maximize: bool,
    /// The constraints.
    pub constraints: Vec<Kpi>,
}

impl Problem {
    /// The journey's own objective (default `maximize conversion`) and constraints.
    pub fn of(j: &Journey) -> Option<Problem> {
        let (metric, maximize) = match &j.objective {
            Some(o) => (o.metric, o.maximize),
            None => (Metric::Conversion(j.primary_goal?), true),
        };
        Some(Problem {
            metric,
            maximize,
            constraints: j.constraints.clone(),
        })
    }
}

/// How optimality is established.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Optimality {
    /// The policy meets the bound of the optimum over policies that may depend on the
    /// customer's whole state: nothing the language can state does better.
    Proved,
    /// Every policy was evaluated (or the segments' independent optima combine exactly).
    Enumerated,
    /// The best policy a search found.
    BestFound,
}

/// A policy and its figures.
#[derive(Clone, Debug)]
pub struct Evaluated {
    /// `policy[d][s]`: the choice of segment `s` at the `d`-th decision touchpoint.
    pub policy: Vec<Vec<usize>>,
    /// The objective over all customers.
    pub value: f64,
    /// Per segment, the objective.
    pub per_segment: Vec<f64>,
    /// Each constraint's value.
    pub constraints: Vec<f64>,
    /// All constraints hold.
    pub feasible: bool,
}

/// A constraint no policy meets.
#[derive(Clone, Debug)]
pub struct Unmet {
    /// Index in [`Problem::constraints`].
    pub constraint: usize,
    /// Its best value over every policy.
    pub best: f64,
    /// Some policy meets it when the other constraints are dropped.
    pub alone: bool,
}

/// What `optimize` found.
#[derive(Clone, Debug)]
pub struct Optimum {
    /// The decision touchpoints, in written order.
    pub decisions: Vec<TouchpointId>,
    /// The journey as given (its policy: `as_is`, or the scenario's).
    pub given: Evaluated,
    /// The best policy; `None` when no policy is feasible.
    pub best: Option<Evaluated>,
    /// The best policy without the constraints (when there are constraints).
    pub unconstrained: Option<Evaluated>,
    /// How optimality is established.
    pub optimality: Optimality,
    /// An upper bound on the objective (lower, for `minimize`) for `best found`.
    pub bound: Option<f64>,
    /// Segment policies analysed.
    pub analysed: usize,
    /// Policies (combinations of segment policies) compared.
    pub compared: u64,
    /// Policies whose value ties the best's.
    pub ties: u64,
    /// When nothing is feasible: every constraint with its best reachable value.
    pub unmet: Vec<Unmet>,
    /// Prices of the constraints, `prices[k][s]` per constraint and segment, at which the
    /// best policy is also the best policy of the priced objective, each segment on its own
    /// ([`supporting_prices`]): what `learn` charges a constraint's metric. `None` without
    /// constraints, when the policies were not enumerated, or when no such prices exist.
    pub prices: Option<Vec<Vec<f64>>>,
    /// At `prices`, the best policy is the best priced policy in every segment (false: the
    /// prices are the closest, and a priced learner aims at another policy).
    pub prices_support: bool,
}

/// Analyses a policy: per segment, the objective and each constraint's metric.
type RowsOf<'a> = dyn Fn(&[Vec<usize>]) -> Result<Vec<Vec<f64>>, AnalyzeError> + Sync + 'a;

/// Each segment's figures under one segment policy.
struct Table {
    /// `choices[d]`: choices at decision `d`.
    choices: Vec<usize>,
    /// `rows[i][s]`: the objective, then each constraint's metric, for segment `s` under
    /// segment policy `i` (mixed radix over decisions, the first decision fastest).
    rows: Vec<Vec<Vec<f64>>>,
}

fn metric_of(f: &Figures, m: Metric) -> Result<f64, AnalyzeError> {
    f.metric(m).ok_or(AnalyzeError::Unavailable(
        "a metric of the objective or a constraint",
    ))
}

/// The segment policy of index `i` (mixed radix, first decision fastest).
fn decode(mut i: usize, choices: &[usize]) -> Vec<usize> {
    choices
        .iter()
        .map(|&n| {
            let c = i % n;
            i /= n;
            c
        })
        .collect()
}

/// Optimises `problem` over the policies of `j`.
pub fn optimize(j: &Journey, problem: &Problem) -> Result<Optimum, AnalyzeError> {
    let decisions: Vec<TouchpointId> = j.decisions().collect();
    let choices: Vec<usize> = decisions
        .iter()
        .map(|&t| j.touchpoints[t].choices.len())
        .collect();
    let nseg = j.segments.len();
    let metrics: Vec<Metric> = std::iter::once(problem.metric)
        .chain(problem.constraints.iter().map(|k| k.metric))
        .collect();
    let given_policy: Vec<Vec<usize>> = decisions
        .iter()
        .map(|&t| j.touchpoints[t].policy.clone())
        .collect();
    let rows_of = |policy: &[Vec<usize>]| -> Result<Vec<Vec<f64>>, AnalyzeError> {
        let a = analyze(&j.with_policy(policy))?;
        (0..nseg)
            .map(|s| {
                metrics
                    .iter()
                    .map(|&m| metric_of(&a.segments[s], m))
                    .collect()
            })
            .collect()
    };
    let given_rows = rows_of(&given_policy)?;
    let given = evaluate(j, problem, &given_policy, |s| given_rows[s].clone());
    let lifetime = metrics.iter().any(|&m| super::mdp::over_lifetime(m));
    let full = if super::mdp::supports(j, &metrics) {
        // One constraint: the bisection of its price from 0 reaches the dual's minimum, the
        // programme's value, to the last bit, for a fraction of the interior point's cost on
        // large journeys (1.4 s against 4.5 s on 10,000 touchpoints); several: the programme,
        // which is one cycle's (lifetime metrics: cyclic passes).
        let pricing = match problem.constraints.len() {
            _ if lifetime => Pricing::Cyclic,
            0 | 1 => Pricing::Cyclic,
            _ => Pricing::Programme,
        };
        Some(full_state(j, problem, &metrics, &decisions, pricing)?)
    } else {
        None
    };

    let count = choices
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .filter(|&n| n <= MAX_SEGMENT_POLICIES);
    let Some(count) = count else {
        let Some(full) = full else {
            return ascend(j, problem, decisions, given, &rows_of);
        };
        // Too many policies to enumerate: the full-state candidates, analysed exactly.
        let mut best: Option<Evaluated> = None;
        let mut analysed = 1;
        for policy in &full.candidates {
            let rows = rows_of(policy)?;
            analysed += 1;
            let e = evaluate(j, problem, policy, |s| rows[s].clone());
            if e.feasible
                && best
                    .as_ref()
                    .is_none_or(|b| better(problem, e.value, b.value))
            {
                best = Some(e);
            }
        }
        let unmet: Vec<Unmet> = full
            .infeasible
            .map(|(constraint, v)| Unmet {
                constraint,
                best: v,
                alone: false,
            })
            .into_iter()
            .collect();
        let mut out = Optimum {
            decisions,
            given,
            best: if unmet.is_empty() { best } else { None },
            unconstrained: None,
            optimality: Optimality::BestFound,
            bound: full.infeasible.is_none().then_some(full.bound),
            analysed,
            compared: analysed as u64,
            ties: 1,
            unmet,
            prices: None,
            prices_support: false,
        };
        certify(problem, &mut out, full.slack);
        return Ok(out);
    };
    let rows: Vec<Vec<Vec<f64>>> = (0..count)
        .into_par_iter()
        .map(|i| {
            let p = decode(i, &choices);
            let policy: Vec<Vec<usize>> = p.iter().map(|&c| vec![c; nseg]).collect();
            rows_of(&policy)
        })
        .collect::<Result<_, _>>()?;
    let table = Table { choices, rows };
    let mut out = search(j, problem, decisions, given, &table);
    let mut supported = false;
    out.prices = out
        .best
        .as_ref()
        .and_then(|b| supporting_prices(problem, &table, &b.policy, &mut supported));
    out.prices_support = supported;
    if let Some(full) = full.filter(|f| f.infeasible.is_none()) {
        // Both are valid bounds: keep the tighter (the search's is exact figures: no slack).
        let (bound, slack) = match out.bound {
            Some(b) if better(problem, full.bound, b) => (b, 0.0),
            _ => (full.bound, full.slack),
        };
        out.bound = Some(bound);
        certify(problem, &mut out, slack);
    }
    Ok(out)
}

/// The figures of one policy of `j` for `problem`, exactly.
pub fn evaluate_policy(
    j: &Journey,
    problem: &Problem,
    policy: &[Vec<usize>],
) -> Result<Evaluated, AnalyzeError> {
    let a = analyze(&j.with_policy(policy))?;
    let metrics: Vec<Metric> = std::iter::once(problem.metric)
        .chain(problem.constraints.iter().map(|k| k.metric))
        .collect();
    let rows: Vec<Vec<f64>> = (0..j.segments.len())
        .map(|s| {
            metrics
                .iter()
                .map(|&m| metric_of(&a.segments[s], m))
                .collect()
        })
        .collect::<Result<_, _>>()?;
    Ok(evaluate(j, problem, policy, |s| rows[s].clone()))
}

/// Exact figures of many policies of one journey, as `learn` plays them: segments are
/// separate chains, so each segment policy (one choice at every decision touchpoint) is
/// evaluated once and kept. When every metric of the problem is a sum of per-visit rewards
/// ([`super::mdp::supported`]) a segment policy is evaluated on its segment's full-state
/// process (policy evaluation component by component, warm-started from the previous
/// policy's values: one step per state outside cycles, where `analyze` would build and solve
/// the whole chain and every figure; see [`super::mdp::Mdp::evaluate`]); otherwise by
/// [`analyze`] of the whole policy. Policies given to [`Evaluator::new`] are analysed with
/// [`analyze`], so that their figures equal `optimize`'s to the bit.
pub struct Evaluator<'a> {
    j: &'a Journey,
    problem: &'a Problem,
    metrics: Vec<Metric>,
    mdps: Option<Vec<super::mdp::Mdp>>,
    /// The decision touchpoints.
    decisions: Vec<TouchpointId>,
    warm: Vec<super::mdp::Warm>,
    /// Per segment: segment policy → one value per metric (objective, then constraints).
    cache: Vec<std::collections::HashMap<Vec<usize>, Vec<f64>>>,
    /// Segment policies evaluated (the seeds included).
    pub evaluated: usize,
}

impl<'a> Evaluator<'a> {
    /// An evaluator of `j`'s policies for `problem`, with `seeds` analysed exactly first.
    pub fn new(
        j: &'a Journey,
        problem: &'a Problem,
        seeds: &[&[Vec<usize>]],
    ) -> Result<Evaluator<'a>, AnalyzeError> {
        let metrics: Vec<Metric> = std::iter::once(problem.metric)
            .chain(problem.constraints.iter().map(|k| k.metric))
            .collect();
        let nseg = j.segments.len();
        // One cycle's process: lifetime metrics are analysed.
        let one_cycle = !metrics.iter().any(|&m| super::mdp::over_lifetime(m));
        let mdps = if one_cycle && super::mdp::supports(j, &metrics) {
            Some(
                (0..nseg)
                    .into_par_iter()
                    .map(|s| super::mdp::Mdp::new(j, s, &metrics))
                    .collect::<Result<Vec<_>, _>>()?,
            )
        } else {
            None
        };
        let mut e = Evaluator {
            j,
            problem,
            metrics,
            mdps,
            decisions: j.decisions().collect(),
            warm: vec![super::mdp::Warm::default(); nseg],
            cache: vec![std::collections::HashMap::new(); nseg],
            evaluated: 0,
        };
        for policy in seeds {
            e.analyse(policy)?;
        }
        Ok(e)
    }

    fn segment_policy(policy: &[Vec<usize>], s: SegmentId) -> Vec<usize> {
        policy.iter().map(|d| d[s]).collect()
    }

    /// Analyses `policy` with [`analyze`] and keeps every segment's figures not yet kept.
    fn analyse(&mut self, policy: &[Vec<usize>]) -> Result<(), AnalyzeError> {
        let a = analyze(&self.j.with_policy(policy))?;
        for s in 0..self.j.segments.len() {
            let key = Self::segment_policy(policy, s);
            if self.cache[s].contains_key(&key) {
                continue;
            }
            let row = self
                .metrics
                .iter()
                .map(|&m| metric_of(&a.segments[s], m))
                .collect::<Result<Vec<_>, _>>()?;
            self.cache[s].insert(key, row);
            self.evaluated += 1;
        }
        Ok(())
    }

    /// The figures of `policy` (`policy[d][s]`, as [`Evaluated::policy`]).
    pub fn evaluate(&mut self, policy: &[Vec<usize>]) -> Result<Evaluated, AnalyzeError> {
        let nseg = self.j.segments.len();
        let keys: Vec<Vec<usize>> = (0..nseg).map(|s| Self::segment_policy(policy, s)).collect();
        let missing: Vec<SegmentId> = (0..nseg)
            .filter(|&s| !self.cache[s].contains_key(&keys[s]))
            .collect();
        match &self.mdps {
            _ if missing.is_empty() => {}
            None => self.analyse(policy)?,
            Some(mdps) => {
                // The segments missing, in parallel (each has its own warm values).
                let (j, decisions) = (self.j, &self.decisions);
                let rows: Vec<(SegmentId, Vec<f64>)> = self
                    .warm
                    .par_iter_mut()
                    .enumerate()
                    .filter(|(s, _)| missing.contains(s))
                    .map(|(s, warm)| {
                        let mut choice = vec![0usize; j.touchpoints.len()];
                        for (d, &t) in decisions.iter().enumerate() {
                            choice[t] = policy[d][s];
                        }
                        mdps[s].evaluate(&choice, warm).map(|row| (s, row))
                    })
                    .collect::<Result<_, _>>()?;
                for (s, row) in rows {
                    self.cache[s].insert(keys[s].clone(), row);
                    self.evaluated += 1;
                }
            }
        }
        let rows: Vec<&Vec<f64>> = (0..nseg).map(|s| &self.cache[s][&keys[s]]).collect();
        Ok(evaluate(self.j, self.problem, policy, |s| rows[s].clone()))
    }
}

/// `+1` for a `<=`/`<` constraint, `-1` for `>=`/`>`: the sign its metric takes in the priced
/// objective (a price charges what a `<=` constraint limits and rewards what a `>=` one asks).
pub fn direction(k: &Kpi) -> f64 {
    match k.comparison {
        crate::model::Comparison::Le | crate::model::Comparison::Lt => 1.0,
        _ => -1.0,
    }
}

/// For one constraint: per segment, a price `λ ≥ 0` at which `best` (a policy from the
/// table) maximises that segment's `±objective − λ · direction · metric` over the segment's
/// policies (the objective alone in segments the constraint does not bind) — the prices at
/// which the constrained optimum is the optimum of a problem without constraints, segment by
/// segment, so that a learner charging them aims at the constrained optimum. A single price
/// for all segments often does not exist (deterministic policies leave a duality gap); a price
/// per segment is the budget split the optimum makes. The prices that work form an interval
/// per segment; its midpoint is returned (its lower end, doubled, when it is unbounded
/// above), which breaks no tie at either end. `None` with other than one constraint, or when
/// a segment the constraint does not bind has a better policy. When some segment's interval
/// is empty (its optimal policy is not a priced optimum), its price is the middle of the two
/// closest bounds and `supported` is set false.
/// `prices[k][s]`: constraint `k`, segment `s`.
fn supporting_prices(
    problem: &Problem,
    table: &Table,
    best: &[Vec<usize>],
    supported: &mut bool,
) -> Option<Vec<Vec<f64>>> {
    *supported = true;
    let [k] = problem.constraints.as_slice() else {
        return None;
    };
    let sign = if problem.maximize { 1.0 } else { -1.0 };
    let dir = direction(k);
    let nseg = best.first().map_or(0, Vec::len);
    let mut prices = Vec::with_capacity(nseg);
    for s in 0..nseg {
        // The best policy's index for segment `s` (mixed radix, first decision fastest).
        let mut star = 0;
        for d in (0..table.choices.len()).rev() {
            star = star * table.choices[d] + best[d][s];
        }
        let o_star = table.rows[star][s][0];
        let g_star = table.rows[star][s][1];
        let binds = k.segment.is_none_or(|x| x == s);
        let (mut lo, mut hi) = (0.0f64, f64::INFINITY);
        for row in &table.rows {
            let a = sign * (row[s][0] - o_star);
            if !binds {
                if a > EPS {
                    return None;
                }
                continue;
            }
            let b = dir * (row[s][1] - g_star);
            if b > EPS {
                lo = lo.max(a / b);
            } else if b < -EPS {
                hi = hi.min(a / b);
            } else if a > EPS {
                return None;
            }
        }
        if lo > hi + EPS {
            // No price makes this segment's optimal policy its best priced one (it lies
            // inside the hull of the segment's policies): the price between the two that
            // come closest, and the prices do not support the optimum.
            *supported = false;
            prices.push((lo + hi) / 2.0);
            continue;
        }
        prices.push(if hi.is_finite() {
            (lo + hi.max(lo)) / 2.0
        } else {
            lo * 2.0
        });
    }
    Some(vec![prices])
}

/// Marks the best policy **proved** when it meets the full-state bound: within 1e-9 of it
/// (relative), plus `slack`, how far past the full-state optimum the bound may lie for the
/// linear programme's accuracy ([`FullState::slack`], at most 1e-6 of it). A policy whose
/// value ties the programme's optimum is thus proved although the bound, a priced solve at
/// prices the solver found, may lie a few 1e-10 above it; what "proved" then states is
/// optimality to the solver's accuracy.
fn certify(problem: &Problem, out: &mut Optimum, slack: f64) {
    let (Some(best), Some(bound)) = (&out.best, out.bound) else {
        return;
    };
    let tolerance = 1e-9 * bound.abs().max(1.0) + slack;
    let gap = if problem.maximize {
        bound - best.value
    } else {
        best.value - bound
    };
    if gap <= tolerance {
        out.optimality = Optimality::Proved;
    }
}

/// What the full-state process gives: the bound, and candidate policies read off it.
struct FullState {
    /// The optimum over full-state policies that meet the constraints, or more (for
    /// `minimize`, its least value, or less): no policy does better.
    bound: f64,
    /// How far past the optimum over full-state policies `bound` may lie: the linear
    /// programme's accuracy (0 where the bound is a priced solve's value at prices found by
    /// bisection to the last bit: without constraints, with cyclic passes).
    slack: f64,
    /// Policies read off the full-state optima met on the way (per touchpoint, the choice
    /// of its most visited state), and off the programme's optimum.
    candidates: Vec<Vec<Vec<usize>>>,
    /// A constraint that no full-state policy meets (alone, or with the others), with its
    /// best value over full-state policies: no policy the language states meets them.
    infeasible: Option<(usize, f64)>,
}

/// How the prices of the constraints are found.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Pricing {
    /// The occupation-measure linear programme ([`super::lp`]), its prices then refined one
    /// at a time by bisection.
    Programme,
    /// Cyclic passes of bisection over the prices from 0: with one constraint, the dual's
    /// minimum exactly; with several, the fallback when the solver fails (it may then stop
    /// short of the programme's value).
    Cyclic,
}

/// The priced full-state optimum: `priced(scale, λ)` is `(L, values)`, the priced optimum's
/// value with the objective weighted by `scale` (1; 0 prices the constraints alone) and each
/// constraint's value under it.
type Priced<'a> = dyn FnMut(f64, &[f64]) -> Result<(f64, Vec<f64>), AnalyzeError> + 'a;

/// The bound of the optimum over policies that may depend on the customer's whole state.
///
/// Lagrangian duality: for any prices `λ ≥ 0` on the constraints, the priced optimum
/// `L(λ) = max_π [objective − Σ λ_k dir_k (metric_k − target_k)]` (one value iteration per
/// segment) is at least the constrained optimum, whatever `λ` — so every bound stated is a
/// priced solve's value, valid by weak duality however `λ` was found, and the smallest seen is
/// kept. The best `λ` is the dual of the occupation-measure linear programme ([`super::lp`],
/// solved by Clarabel's interior point), whose optimum `min_λ L(λ)` is the optimum over
/// full-state policies that may mix options. Clarabel's prices are accurate to about 1e-10;
/// each is then refined by bisection on a narrow bracket around it (the constraint fails
/// under the priced optimum below, holds above: `L`'s minimum along that price), which with
/// one constraint reaches the dual's minimum to the last bit. `slack` is what may be left:
/// how far the bound lies above the programme's primal value, plus the solver's own
/// primal–dual gap. Targets are read as [`meets`] reads them ([`EPS`] past the number), so a
/// policy counted feasible is feasible in the programme too.
///
/// No occupation measure meets the constraints (Clarabel's certificate, checked: the
/// constraints added up with its weights `w` cannot hold, `L` with the objective weighted 0
/// at `w` is negative) ⇒ `infeasible`: the first constraint that cannot be met even alone,
/// or else the one of largest weight, with its best value over full-state policies. When the
/// solver fails or its certificate does not check, cyclic passes of bisection over the prices
/// ([`cyclic_prices`]) take over.
fn full_state(
    j: &Journey,
    problem: &Problem,
    metrics: &[Metric],
    decisions: &[TouchpointId],
    pricing: Pricing,
) -> Result<FullState, AnalyzeError> {
    let nseg = j.segments.len();
    let lifetime = metrics.iter().any(|&m| super::mdp::over_lifetime(m));
    let mdps: Vec<super::mdp::Mdp> = (0..nseg)
        .into_par_iter()
        .map(|s| super::mdp::Mdp::new(j, s, metrics))
        .collect::<Result<_, _>>()?;
    let sign = if problem.maximize { 1.0 } else { -1.0 };
    // dir: +1 for `<=` (cost to keep low), −1 for `>=`.
    let dir: Vec<f64> = problem.constraints.iter().map(direction).collect();
    // weight[k][s]: 1 for the segment a constraint names, its share for one on all customers.
    let weight: Vec<Vec<f64>> = problem
        .constraints
        .iter()
        .map(|k| {
            (0..nseg)
                .map(|s| match k.segment {
                    Some(x) if x == s => 1.0,
                    Some(_) => 0.0,
                    None => j.segments[s].share,
                })
                .collect()
        })
        .collect();
    let target: Vec<f64> = problem
        .constraints
        .iter()
        .zip(&dir)
        .map(|(k, d)| k.target + d * EPS)
        .collect();
    let mut candidates: Vec<Vec<Vec<usize>>> = Vec::new();
    let keep = |policy: Vec<Vec<usize>>, candidates: &mut Vec<Vec<Vec<usize>>>| {
        if !candidates.contains(&policy) {
            candidates.push(policy);
        }
    };
    let nc = problem.constraints.len();
    let mut priced_candidates: Vec<Vec<Vec<usize>>> = Vec::new();
    let mut priced = |scale: f64, lambda: &[f64]| -> Result<(f64, Vec<f64>), AnalyzeError> {
        let sols: Vec<super::mdp::Solution> = (0..nseg)
            .into_par_iter()
            .map(|s| {
                let mut w = vec![scale * sign * j.segments[s].share];
                for i in 0..nc {
                    w.push(-lambda[i] * dir[i] * weight[i][s]);
                }
                if lifetime {
                    mdps[s].solve_lifetime(j, s, &w)
                } else {
                    mdps[s].solve(j, &w)
                }
            })
            .collect::<Result<_, _>>()?;
        let mut l: f64 = sols.iter().map(|x| x.value).sum();
        for i in 0..nc {
            l += lambda[i] * dir[i] * target[i];
        }
        let values: Vec<f64> = (0..nc)
            .map(|i| {
                (0..nseg)
                    .map(|s| weight[i][s] * sols[s].totals[i + 1])
                    .sum()
            })
            .collect();
        let policy: Vec<Vec<usize>> = decisions
            .iter()
            .map(|&t| {
                (0..nseg)
                    .map(|s| sols[s].choices[t].map_or(0, |(c, _)| c))
                    .collect()
            })
            .collect();
        if !priced_candidates.contains(&policy) {
            priced_candidates.push(policy);
        }
        Ok((l, values))
    };
    let holds = |i: usize, values: &[f64]| meets(&problem.constraints[i], values[i]);
    let (mut bound, values) = priced(1.0, &vec![0.0; nc])?;
    let mut slack = 0.0;
    let mut infeasible = None;
    let mut cyclic = pricing == Pricing::Cyclic;
    if (0..nc).all(|i| holds(i, &values)) {
        cyclic = false;
    } else if !cyclic {
        let rows: Vec<super::lp::Row> = (0..nc)
            .map(|i| super::lp::Row {
                weight: weight[i].clone(),
                dir: dir[i],
                target: target[i],
            })
            .collect();
        let objective: Vec<f64> = j.segments.iter().map(|g| sign * g.share).collect();
        match super::lp::occupation(&mdps, &objective, &rows) {
            super::lp::Outcome::Solved {
                prices,
                primal,
                dual,
                visits,
            } => {
                // The programme's optimum, each segment's occupation rounded to one choice
                // per touchpoint.
                let choices: Vec<usize> = j.touchpoints.iter().map(|t| t.choices.len()).collect();
                let per: Vec<Vec<usize>> = (0..nseg)
                    .map(|s| {
                        super::lp::rounded(&mdps[s], &visits[s], j.touchpoints.len(), &choices)
                    })
                    .collect();
                keep(
                    decisions
                        .iter()
                        .map(|&t| (0..nseg).map(|s| per[s][t]).collect())
                        .collect(),
                    &mut candidates,
                );
                let (l, _) = priced(1.0, &prices)?;
                bound = bound.min(l);
                let mut lambda = prices;
                for i in 0..nc {
                    if lambda[i] <= 0.0 {
                        continue;
                    }
                    // A bracket around the price: the constraint fails under the priced
                    // optimum below it and holds above (widened until it does).
                    let mut bracket = None;
                    let mut rho = 1e-7;
                    while rho < 1.0 {
                        let mut at = lambda.clone();
                        at[i] = lambda[i] * (1.0 - rho);
                        let (l_lo, v_lo) = priced(1.0, &at)?;
                        at[i] = lambda[i] * (1.0 + rho);
                        let (l_hi, v_hi) = priced(1.0, &at)?;
                        bound = bound.min(l_lo).min(l_hi);
                        if !holds(i, &v_lo) && holds(i, &v_hi) {
                            bracket = Some((lambda[i] * (1.0 - rho), lambda[i] * (1.0 + rho)));
                            break;
                        }
                        rho *= 100.0;
                    }
                    let Some((mut lo, mut hi)) = bracket else {
                        continue;
                    };
                    let mut at = lambda.clone();
                    while hi - lo > 1e-15 * hi {
                        let mid = 0.5 * (lo + hi);
                        at[i] = mid;
                        let (l, v) = priced(1.0, &at)?;
                        bound = bound.min(l);
                        if holds(i, &v) {
                            hi = mid;
                        } else {
                            lo = mid;
                        }
                    }
                    lambda[i] = hi;
                }
                slack = ((bound - primal).max(0.0) + (primal - dual).abs())
                    .min(1e-6 * bound.abs().max(1.0));
            }
            super::lp::Outcome::Infeasible { ray } => {
                let size: f64 = ray
                    .iter()
                    .zip(&target)
                    .map(|(w, t)| w * (1.0 + t.abs()))
                    .sum();
                let (l, _) = priced(0.0, &ray)?;
                if size > 0.0 && l < -1e-9 * size {
                    let mut alone = Vec::with_capacity(nc);
                    for i in 0..nc {
                        let mut e = vec![0.0; nc];
                        e[i] = 1.0;
                        alone.push(priced(0.0, &e)?.1[i]);
                    }
                    let k = (0..nc).find(|&i| !holds(i, &alone)).unwrap_or_else(|| {
                        (0..nc).fold(0, |b, i| {
                            let size = |i: usize| ray[i] * (1.0 + target[i].abs());
                            if size(i) > size(b) { i } else { b }
                        })
                    });
                    infeasible = Some((k, alone[k]));
                } else {
                    cyclic = true;
                }
            }
            super::lp::Outcome::Failed => cyclic = true,
        }
    }
    if cyclic {
        infeasible = cyclic_prices(&mut priced, &holds, nc, &mut bound)?;
    }
    for policy in priced_candidates {
        keep(policy, &mut candidates);
    }
    Ok(FullState {
        bound: sign * bound,
        slack,
        candidates,
        infeasible,
    })
}

/// Cyclic coordinate minimisation of the dual `L(λ)`, convex in `λ`, from `λ = 0`: for one
/// price at a time (the others fixed), the smallest price at which its constraint holds under
/// the priced optimum — where `L`'s slope along it turns from falling to rising — found by
/// doubling then bisection. Every price vector tried gives a valid bound (`bound` keeps the
/// least); one constraint needs one pass (the bound is then the occupation-measure
/// programme's), several repeat the passes while the bound improves, and may stop short of
/// the programme's value. Returns a constraint whose price rises without bound while it still
/// fails (no policy meets it), with its value at the highest price.
fn cyclic_prices(
    priced: &mut Priced<'_>,
    holds: &dyn Fn(usize, &[f64]) -> bool,
    nc: usize,
    bound: &mut f64,
) -> Result<Option<(usize, f64)>, AnalyzeError> {
    let mut lambda = vec![0.0; nc];
    let mut solves = 1usize;
    for _ in 0..MAX_PRICE_ROUNDS {
        let before = *bound;
        for i in 0..nc {
            let mut at = lambda.clone();
            at[i] = 0.0;
            let (l, v) = priced(1.0, &at)?;
            solves += 1;
            *bound = bound.min(l);
            if holds(i, &v) {
                lambda[i] = 0.0;
                continue;
            }
            let (mut lo, mut hi) = (0.0f64, lambda[i].max(1e-3));
            let mut found = false;
            let mut last = v;
            for _ in 0..80 {
                at[i] = hi;
                let (l, v) = priced(1.0, &at)?;
                solves += 1;
                *bound = bound.min(l);
                if holds(i, &v) {
                    found = true;
                    break;
                }
                last = v;
                lo = hi;
                hi *= 2.0;
            }
            if !found {
                // At a price this high the priced optimum is the best the constraint's
                // metric can do: the constraint cannot be met, and the dual is unbounded
                // (no finite bound is stated).
                return Ok(Some((i, last[i])));
            }
            for _ in 0..60 {
                let mid = 0.5 * (lo + hi);
                at[i] = mid;
                let (l, v) = priced(1.0, &at)?;
                solves += 1;
                *bound = bound.min(l);
                if holds(i, &v) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            lambda[i] = hi;
        }
        if nc == 1 || before - *bound <= 1e-9 * bound.abs().max(1.0) || solves >= MAX_PRICED_SOLVES
        {
            break;
        }
    }
    Ok(None)
}

/// The figures of a policy from each segment's rows.
fn evaluate(
    j: &Journey,
    problem: &Problem,
    policy: &[Vec<usize>],
    row: impl Fn(SegmentId) -> Vec<f64>,
) -> Evaluated {
    let rows: Vec<Vec<f64>> = (0..j.segments.len()).map(row).collect();
    let mix = |k: usize, seg: Option<SegmentId>| match seg {
        Some(s) => rows[s][k],
        None => j
            .segments
            .iter()
            .enumerate()
            .map(|(s, g)| g.share * rows[s][k])
            .sum(),
    };
    let constraints: Vec<f64> = problem
        .constraints
        .iter()
        .enumerate()
        .map(|(c, k)| mix(c + 1, k.segment))
        .collect();
    let feasible = problem
        .constraints
        .iter()
        .zip(&constraints)
        .all(|(k, &v)| meets(k, v));
    Evaluated {
        policy: policy.to_vec(),
        value: mix(0, None),
        per_segment: rows.iter().map(|r| r[0]).collect(),
        constraints,
        feasible,
    }
}

/// A constraint holds, within [`EPS`] (values at the bound count as meeting it).
pub fn meets(k: &Kpi, v: f64) -> bool {
    use crate::model::Comparison::*;
    match k.comparison {
        Le | Lt => v <= k.target + EPS,
        Ge | Gt => v >= k.target - EPS,
    }
}

/// `a` is better than `b` for the objective (strictly, past [`EPS`]).
fn better(problem: &Problem, a: f64, b: f64) -> bool {
    if problem.maximize {
        a > b + EPS
    } else {
        a < b - EPS
    }
}

/// Enumeration or a Lagrangian search over combinations of segment policies.
fn search(
    j: &Journey,
    problem: &Problem,
    decisions: Vec<TouchpointId>,
    given: Evaluated,
    table: &Table,
) -> Optimum {
    let nseg = j.segments.len();
    let n = table.rows.len();
    let policy_of = |picks: &[usize]| -> Vec<Vec<usize>> {
        let per: Vec<Vec<usize>> = picks.iter().map(|&i| decode(i, &table.choices)).collect();
        (0..table.choices.len())
            .map(|d| (0..nseg).map(|s| per[s][d]).collect())
            .collect()
    };
    let eval = |picks: &[usize]| {
        evaluate(j, problem, &policy_of(picks), |s| {
            table.rows[picks[s]][s].clone()
        })
    };
    // Each segment's best segment policy, ignoring constraints.
    let free: Vec<usize> = (0..nseg)
        .map(|s| {
            (0..n).fold(0, |best, i| {
                if better(problem, table.rows[i][s][0], table.rows[best][s][0]) {
                    i
                } else {
                    best
                }
            })
        })
        .collect();
    let unconstrained = eval(&free);
    let combos = (n as u64).checked_pow(nseg as u32);
    let mut out = Optimum {
        decisions,
        given,
        best: None,
        unconstrained: None,
        optimality: Optimality::Enumerated,
        bound: None,
        analysed: n,
        compared: n as u64 * nseg as u64,
        ties: 1,
        unmet: Vec::new(),
        prices: None,
        prices_support: false,
    };
    if problem.constraints.is_empty() {
        out.ties = (0..nseg)
            .map(|s| {
                (0..n)
                    .filter(|&i| !better(problem, table.rows[free[s]][s][0], table.rows[i][s][0]))
                    .count() as u64
            })
            .product();
        out.best = Some(unconstrained);
        return out;
    }
    out.unconstrained = Some(unconstrained.clone());
    match combos.filter(|&c| c <= MAX_COMBINATIONS) {
        Some(total) => {
            let mut picks = vec![0usize; nseg];
            let mut best: Option<Evaluated> = None;
            let mut ties = 0;
            for _ in 0..total {
                let e = eval(&picks);
                if e.feasible {
                    match &best {
                        Some(b) if better(problem, e.value, b.value) => {
                            best = Some(e);
                            ties = 1;
                        }
                        Some(b) if !better(problem, b.value, e.value) => ties += 1,
                        Some(_) => {}
                        None => {
                            best = Some(e);
                            ties = 1;
                        }
                    }
                }
                // Next combination: the first segment fastest.
                for p in picks.iter_mut() {
                    *p += 1;
                    if *p < n {
                        break;
                    }
                    *p = 0;
                }
            }
            out.compared = total;
            out.ties = ties;
            out.best = best;
        }
        None => {
            out.optimality = Optimality::BestFound;
            out.bound = Some(unconstrained.value);
            out.best = lagrangian(problem, table, nseg, &eval);
        }
    }
    if out.best.is_none() {
        out.unmet = unmet(j, problem, table);
    }
    out
}

/// A feasible policy from Lagrangian prices on the constraints: each segment maximises the
/// objective minus the priced constraints; prices rise on violated constraints (a few hundred
/// rounds of multiplicative updates); the best feasible policy seen is returned.
fn lagrangian(
    problem: &Problem,
    table: &Table,
    nseg: usize,
    eval: &dyn Fn(&[usize]) -> Evaluated,
) -> Option<Evaluated> {
    let nc = problem.constraints.len();
    let mut price = vec![0.0f64; nc];
    let sign = if problem.maximize { 1.0 } else { -1.0 };
    let mut best: Option<Evaluated> = None;
    for round in 0..400 {
        let picks: Vec<usize> = (0..nseg)
            .map(|s| {
                let score = |i: usize| {
                    let r = &table.rows[i][s];
                    let mut v = sign * r[0];
                    for (c, k) in problem.constraints.iter().enumerate() {
                        if k.segment.is_some_and(|x| x != s) {
                            continue;
                        }
                        let dir = match k.comparison {
                            crate::model::Comparison::Le | crate::model::Comparison::Lt => 1.0,
                            _ => -1.0,
                        };
                        v -= price[c] * dir * r[c + 1];
                    }
                    v
                };
                (0..table.rows.len()).fold(0, |b, i| if score(i) > score(b) + EPS { i } else { b })
            })
            .collect();
        let e = eval(&picks);
        for (c, k) in problem.constraints.iter().enumerate() {
            let v = e.constraints[c];
            let violated = !meets(k, v);
            let scale = 1.0 + k.target.abs();
            if violated {
                price[c] += (1.0 + price[c]) * 0.25 / (1.0 + round as f64 / 50.0) / scale;
            } else {
                price[c] *= 0.97;
            }
        }
        if e.feasible
            && best
                .as_ref()
                .is_none_or(|b| better(problem, e.value, b.value))
        {
            best = Some(e);
        }
    }
    best
}

/// Each constraint's best reachable value over all policies, and whether it can be met
/// alone.
fn unmet(j: &Journey, problem: &Problem, table: &Table) -> Vec<Unmet> {
    let nseg = j.segments.len();
    problem
        .constraints
        .iter()
        .enumerate()
        .map(|(c, k)| {
            let lower = matches!(
                k.comparison,
                crate::model::Comparison::Le | crate::model::Comparison::Lt
            );
            let pick = |s: usize| {
                let vals = table.rows.iter().map(|r| r[s][c + 1]);
                if lower {
                    vals.fold(f64::INFINITY, f64::min)
                } else {
                    vals.fold(f64::NEG_INFINITY, f64::max)
                }
            };
            let best = match k.segment {
                Some(s) => pick(s),
                None => (0..nseg).map(|s| j.segments[s].share * pick(s)).sum(),
            };
            Unmet {
                constraint: c,
                best,
                alone: meets(k, best),
            }
        })
        .collect()
}

/// Coordinate ascent over each segment's choices, from the given policy: for journeys with
/// too many segment policies to analyse one by one.
fn ascend(
    j: &Journey,
    problem: &Problem,
    decisions: Vec<TouchpointId>,
    given: Evaluated,
    rows_of: &RowsOf<'_>,
) -> Result<Optimum, AnalyzeError> {
    let nseg = j.segments.len();
    let mut policy = given.policy.clone();
    let mut current = given.clone();
    let mut analysed = 1;
    let score = |e: &Evaluated| (e.feasible, e.value);
    loop {
        let mut improved = false;
        for d in 0..decisions.len() {
            let n = j.touchpoints[decisions[d]].choices.len();
            for s in 0..nseg {
                for c in 0..n {
                    if policy[d][s] == c {
                        continue;
                    }
                    let mut p = policy.clone();
                    p[d][s] = c;
                    let rows = rows_of(&p)?;
                    analysed += 1;
                    let e = evaluate(j, problem, &p, |s| rows[s].clone());
                    let (f0, v0) = score(&current);
                    let (f1, v1) = score(&e);
                    if (f1 && !f0) || (f1 == f0 && better(problem, v1, v0)) {
                        policy = p;
                        current = e;
                        improved = true;
                    }
                }
            }
        }
        if !improved {
            break;
        }
    }
    Ok(Optimum {
        decisions,
        given,
        best: current.feasible.then_some(current),
        unconstrained: None,
        optimality: Optimality::BestFound,
        bound: None,
        analysed,
        compared: analysed as u64,
        ties: 1,
        unmet: Vec::new(),
        prices: None,
        prices_support: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Options, resolve_source};

    const PAY: &str = "journey pay {
  channel web digital
  segment bargain { share 60% }
  segment loyal { share 40% patience 90% }
  stage buy {
    touchpoint checkout on web {
      entry
      friction 25%
      -> done 85%
      -> exit
      option express { cost 0.30  friction 5%  -> done 88%  -> exit }
      option assisted { cost 1.50  friction 10%  -> done 90%  -> exit }
    }
    touchpoint done on web { goal order value 40 }
  }
  objective maximize profit
}
";

    fn journey(text: &str) -> Journey {
        let c = resolve_source("pay.journey", text, &Options::default()).unwrap();
        c.journey.unwrap_or_else(|| panic!("{:?}", c.findings))
    }

    /// Brute force: every policy (every segment's every choice) analysed on its own.
    fn brute(j: &Journey, problem: &Problem) -> Option<(f64, Vec<Vec<usize>>)> {
        let decisions: Vec<usize> = j.decisions().collect();
        let nseg = j.segments.len();
        let slots: Vec<usize> = decisions
            .iter()
            .flat_map(|&t| std::iter::repeat_n(j.touchpoints[t].choices.len(), nseg))
            .collect();
        let total: usize = slots.iter().product();
        let mut best: Option<(f64, Vec<Vec<usize>>)> = None;
        for i in 0..total {
            let flat = decode(i, &slots);
            let policy: Vec<Vec<usize>> = flat.chunks(nseg).map(<[usize]>::to_vec).collect();
            let a = analyze(&j.with_policy(&policy)).unwrap();
            let ok = problem.constraints.iter().all(|k| {
                let f = match k.segment {
                    Some(s) => &a.segments[s],
                    None => &a.all,
                };
                meets(k, f.metric(k.metric).unwrap())
            });
            let v = a.all.metric(problem.metric).unwrap();
            if ok && best.as_ref().is_none_or(|(b, _)| better(problem, v, *b)) {
                best = Some((v, policy));
            }
        }
        best
    }

    #[test]
    fn several_constraints_are_priced_together_into_a_tighter_bound() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/decisions.journey"),
        )
        .unwrap();
        let j = journey(&text);
        let base = Problem::of(&j).unwrap(); // profit, cost_per_customer <= 1.60
        let cost = base.constraints[0].clone();
        let with = |constraints: Vec<Kpi>| {
            let p = Problem {
                constraints,
                ..base.clone()
            };
            let o = optimize(&j, &p).unwrap();
            (o.bound.unwrap(), o.best.unwrap().value)
        };
        let (free, _) = with(Vec::new());
        let (one, _) = with(vec![cost.clone()]);
        // The same constraint twice: the second price stays 0, the bound is the first's.
        let (twice, _) = with(vec![cost.clone(), cost.clone()]);
        assert!((twice - one).abs() <= 1e-12 * one.abs(), "{twice} vs {one}");
        // A second constraint that binds: the bound falls below the one-constraint bound
        // (and far below the unpriced one), and stays above the enumerated optimum.
        let mut touches = cost.clone();
        touches.metric = Metric::Touches;
        touches.segment = Some(1);
        touches.target = 3.0;
        touches.text = "touches for careful <= 3.0".into();
        let (two, best) = with(vec![cost.clone(), touches.clone()]);
        assert!(two < one - 1e-6, "two constraints {two}, one {one}");
        // One that no policy meets: no bound (the dual is unbounded), never a saturated one.
        touches.target = 2.6;
        let p = Problem {
            constraints: vec![cost, touches],
            ..base.clone()
        };
        let o = optimize(&j, &p).unwrap();
        assert!(o.best.is_none() && o.bound.is_none(), "{:?}", o.bound);
        assert_eq!(
            o.unmet.iter().find(|u| u.constraint == 1).map(|u| u.alone),
            Some(false)
        );
        assert!(one < free, "{one} {free}");
        assert!(two >= best - 1e-9, "bound {two} below the optimum {best}");
    }

    /// The full-state bound by `pricing`.
    fn full(j: &Journey, problem: &Problem, pricing: Pricing) -> FullState {
        let decisions: Vec<usize> = j.decisions().collect();
        let metrics: Vec<Metric> = std::iter::once(problem.metric)
            .chain(problem.constraints.iter().map(|k| k.metric))
            .collect();
        full_state(j, problem, &metrics, &decisions, pricing).unwrap()
    }

    /// A small generated journey (`decisions` × 3 choices, 2 segments) with constraints at
    /// `at` of the way from the journey as given to the optimum without them: the cost of all
    /// customers, then the cost of segment `a`, then the touches of segment `b` (the first
    /// `count`).
    fn generated(seed: u64, decisions: usize, count: usize, at: f64) -> (Journey, Problem) {
        let j = journey(&crate::generate::with_options(30, decisions, seed));
        let base = Problem::of(&j).unwrap();
        let free = optimize(
            &j,
            &Problem {
                constraints: Vec::new(),
                ..base.clone()
            },
        )
        .unwrap()
        .best
        .unwrap()
        .policy;
        let given: Vec<Vec<usize>> = vec![vec![0; 2]; j.decisions().count()];
        let mut constraints = Vec::new();
        for (metric, segment) in [
            (Metric::CostPerCustomer, None),
            (Metric::CostPerCustomer, Some(0)),
            (Metric::Touches, Some(1)),
        ]
        .into_iter()
        .take(count)
        {
            let mut k = base.constraints[0].clone();
            k.metric = metric;
            k.segment = segment;
            let value = |policy: &[Vec<usize>]| {
                let a = analyze(&j.with_policy(policy)).unwrap();
                let f = segment.map_or(&a.all, |s| &a.segments[s]);
                f.metric(metric).unwrap()
            };
            let (from, to) = (value(&given), value(&free));
            k.target = from + at * (to - from);
            k.comparison = if to >= from {
                crate::model::Comparison::Le
            } else {
                crate::model::Comparison::Ge
            };
            constraints.push(k);
        }
        (
            j,
            Problem {
                constraints,
                ..base
            },
        )
    }

    #[test]
    fn with_one_constraint_the_programme_equals_the_bisection() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/decisions.journey"),
        )
        .unwrap();
        let mut cases = vec![(journey(&text), None)];
        for extra in [
            "constraint cost_per_customer <= 0.9",
            "constraint conversion for loyal >= 70%",
            "constraint cost_per_customer for bargain <= 0.2",
        ] {
            let text = PAY.replace(
                "objective maximize profit",
                &format!("objective maximize profit\n  {extra}"),
            );
            cases.push((journey(&text), None));
        }
        for seed in 1..=4 {
            let (j, p) = generated(seed, 3, 1, 0.5);
            cases.push((j, Some(p)));
        }
        for (j, problem) in cases {
            let problem = problem.unwrap_or_else(|| Problem::of(&j).unwrap());
            let lp = full(&j, &problem, Pricing::Programme);
            let cyclic = full(&j, &problem, Pricing::Cyclic);
            assert!(lp.infeasible.is_none() && cyclic.infeasible.is_none());
            assert!(
                (lp.bound - cyclic.bound).abs() <= 1e-7 * cyclic.bound.abs().max(1.0),
                "{}: programme {} bisection {}",
                problem.constraints[0].text,
                lp.bound,
                cyclic.bound
            );
        }
    }

    #[test]
    fn several_constraints_bound_the_brute_force_optimum() {
        let mut cases = Vec::new();
        for extra in [
            "constraint conversion for loyal >= 70%\n  constraint cost_per_customer <= 1.3",
            "constraint cost_per_customer for bargain <= 0.6\n  constraint cost_per_customer for loyal <= 0.9\n  constraint conversion >= 80%",
        ] {
            let text = PAY.replace(
                "objective maximize profit",
                &format!("objective maximize profit\n  {extra}"),
            );
            let j = journey(&text);
            let p = Problem::of(&j).unwrap();
            cases.push((j, p));
        }
        for seed in 1..=3 {
            for (count, at) in [(2, 0.5), (3, 0.4)] {
                cases.push(generated(seed, 3, count, at));
            }
        }
        for (j, problem) in &cases {
            let found = optimize(j, problem).unwrap();
            let (value, _) = brute(j, problem).expect("feasible");
            let best = found.best.expect("feasible");
            let what = format!(
                "{:?}",
                problem
                    .constraints
                    .iter()
                    .map(|k| &k.text)
                    .collect::<Vec<_>>()
            );
            assert!(
                (best.value - value).abs() < 1e-9,
                "{what}: {} vs {value}",
                best.value
            );
            let bound = found.bound.expect("a bound");
            assert!(bound >= value - 1e-9, "{what}: bound {bound} below {value}");
            let lp = full(j, problem, Pricing::Programme);
            assert!(
                lp.bound >= value - 1e-9,
                "{what}: programme {} below {value}",
                lp.bound
            );
            assert!(
                lp.slack <= 1e-7 * lp.bound.abs().max(1.0),
                "{what}: slack {}",
                lp.slack
            );
        }
    }

    #[test]
    fn the_programme_is_never_looser_than_cyclic_passes_and_sometimes_tighter() {
        let mut tighter = 0;
        for seed in 1..=8 {
            for (count, at) in [(2, 0.5), (3, 0.3), (3, 0.6)] {
                let (j, problem) = generated(seed, 4, count, at);
                let lp = full(&j, &problem, Pricing::Programme);
                let cyclic = full(&j, &problem, Pricing::Cyclic);
                if lp.infeasible.is_some() || cyclic.infeasible.is_some() {
                    continue;
                }
                let scale = cyclic.bound.abs().max(1.0);
                // Maximising touches: a tighter bound is a smaller one.
                assert!(
                    lp.bound <= cyclic.bound + 1e-9 * scale,
                    "seed {seed}, {count} at {at}: programme {} cyclic {}",
                    lp.bound,
                    cyclic.bound
                );
                if lp.bound < cyclic.bound - 1e-7 * scale {
                    tighter += 1;
                }
            }
        }
        assert!(tighter >= 1, "cyclic passes never stopped short");
    }

    #[test]
    fn a_deterministic_optimum_under_constraints_is_proved() {
        // The state is the touchpoint (and the goal bit): each segment's occupation measures
        // are the mixtures of the three options at checkout, whose (cost, conversion) are
        // (0, 80%), (0.30, 88%), (1.50, 92%). A cost cap of 0.30 per segment binds (the best
        // option costs more) at `express`, a vertex of the hull: the programme's optimum is a
        // deterministic policy, which `optimize` proves, although the dual's minimum is flat
        // (any price from 0.04/1.2 to 0.08/0.3 is optimal) and the solver's prices inexact.
        let j = journey(
            "journey pay {
  channel web digital
  segment bargain { share 60% }
  segment loyal { share 40% }
  stage buy {
    touchpoint checkout on web {
      entry
      -> done 80%
      -> exit
      option express { cost 0.30  -> done 88%  -> exit }
      option assisted { cost 1.50  -> done 92%  -> exit }
    }
    touchpoint done on web { goal order value 40 }
  }
  objective maximize conversion
  constraint cost_per_customer for bargain <= 0.30
  constraint cost_per_customer for loyal <= 0.30
  constraint touches <= 10
}
",
        );
        let point = |c: usize| {
            let a = analyze(&j.with_policy(&[vec![c, c]])).unwrap();
            let conversion = a
                .all
                .metric(Metric::Conversion(j.primary_goal.unwrap()))
                .unwrap();
            (a.all.metric(Metric::CostPerCustomer).unwrap(), conversion)
        };
        let (express, assisted) = (point(1), point(2));
        assert!((express.0 - 0.30).abs() < 1e-12, "{express:?}");
        let mut problem = Problem::of(&j).unwrap();
        let found = optimize(&j, &problem).unwrap();
        let best = found.best.as_ref().unwrap();
        assert_eq!(best.policy, vec![vec![1, 1]]);
        assert!((best.value - express.1).abs() < 1e-12, "{}", best.value);
        assert_eq!(
            found.optimality,
            Optimality::Proved,
            "bound {:?} best {}",
            found.bound,
            best.value
        );
        let lp = full(&j, &problem, Pricing::Programme);
        assert!(
            (lp.bound - best.value).abs() <= 1e-9,
            "{} {}",
            lp.bound,
            best.value
        );
        // Caps a little above `express`'s cost: the programme mixes in `assisted` (0.05 of
        // the 1.20 more it costs), so the deterministic optimum is not proved, and the bound
        // lies above it by that share of the conversion `assisted` adds.
        for k in &mut problem.constraints[..2] {
            k.target += 0.05;
        }
        let found = optimize(&j, &problem).unwrap();
        assert_eq!(found.optimality, Optimality::Enumerated);
        let gap = found.bound.unwrap() - found.best.unwrap().value;
        let mixed = (assisted.1 - express.1) * 0.05 / (assisted.0 - express.0);
        assert!((gap - mixed).abs() < 1e-9, "{gap} vs {mixed}");
    }

    #[test]
    fn the_evaluator_equals_analyze_on_every_policy() {
        // The example with options (4 decisions × 3 choices × 2 segments): every segment
        // policy played by both segments, through the full-state process (profit and cost are
        // per-visit sums) and through `analyze` — and the same with a lifetime objective,
        // which the evaluator analyses.
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/decisions.journey"),
        )
        .unwrap();
        let j = journey(&text);
        let decisions: Vec<usize> = j.decisions().collect();
        let choices: Vec<usize> = decisions
            .iter()
            .map(|&t| j.touchpoints[t].choices.len())
            .collect();
        let count: usize = choices.iter().product();
        let base = Problem::of(&j).unwrap();
        let purchases = Problem {
            metric: Metric::Purchases,
            ..base.clone()
        };
        // Reach of a touchpoint customers may come back to (basket → advice → basket), under
        // a constraint on another's: a visited bit per touchpoint in the state.
        let mut basket = base.constraints[0].clone();
        basket.metric = Metric::Reach(j.touchpoint("basket").unwrap());
        basket.comparison = crate::model::Comparison::Ge;
        basket.target = 0.5;
        let reach = Problem {
            metric: Metric::Reach(j.touchpoint("advice").unwrap()),
            maximize: true,
            constraints: vec![basket],
        };
        for problem in [&base, &purchases, &reach] {
            let mut ev = Evaluator::new(&j, problem, &[]).unwrap();
            assert_eq!(ev.mdps.is_some(), problem.metric != Metric::Purchases);
            for i in 0..count {
                // Segment 0 plays policy i, segment 1 the reverse order: mixed policies too.
                let a = decode(i, &choices);
                let b = decode(count - 1 - i, &choices);
                let policy: Vec<Vec<usize>> = a.iter().zip(&b).map(|(&x, &y)| vec![x, y]).collect();
                same_as_analyze(&mut ev, &j, problem, &policy);
            }
            // Each segment policy evaluated once per segment.
            assert_eq!(ev.evaluated, 2 * count);
        }
    }

    #[test]
    fn the_optimum_equals_brute_force_with_and_without_constraints() {
        for extra in [
            "",
            "constraint cost_per_customer <= 0.9",
            "constraint conversion for loyal >= 70%\n  constraint cost_per_customer <= 1.3",
        ] {
            let text = PAY.replace(
                "objective maximize profit",
                &format!("objective maximize profit\n  {extra}"),
            );
            let j = journey(&text);
            let problem = Problem::of(&j).unwrap();
            let found = optimize(&j, &problem).unwrap();
            let (value, policy) = brute(&j, &problem).expect("feasible");
            let best = found.best.expect("feasible");
            assert!(
                (best.value - value).abs() < 1e-9,
                "{extra}: {} vs {value}",
                best.value
            );
            assert_eq!(best.policy, policy, "{extra}");
            // The state is the touchpoint (and the goal bit): without constraints the
            // full-state optimum is a policy the language states, so it is proved.
            if extra.is_empty() {
                assert_eq!(found.optimality, Optimality::Proved);
            }
            let bound = found.bound.expect("a bound");
            assert!(
                bound >= value - 1e-9,
                "{extra}: bound {bound} below {value}"
            );
        }
    }

    #[test]
    fn an_infeasible_problem_names_each_constraint_with_its_best_value() {
        let text = PAY.replace(
            "objective maximize profit",
            "objective maximize profit\n  constraint conversion >= 99%",
        );
        let j = journey(&text);
        let found = optimize(&j, &Problem::of(&j).unwrap()).unwrap();
        assert!(found.best.is_none());
        assert_eq!(found.unmet.len(), 1);
        assert!(!found.unmet[0].alone);
        // The best conversion: `assisted` for both segments.
        let j2 = j.with_policy(&[vec![2, 2]]);
        let exact = analyze(&j2)
            .unwrap()
            .all
            .metric(j.kpis.first().map_or(Metric::Conversion(0), |k| k.metric))
            .unwrap();
        assert!(
            (found.unmet[0].best - exact).abs() < 1e-9,
            "{} vs {exact}",
            found.unmet[0].best
        );
    }

    #[test]
    fn minimising_picks_the_cheapest_option() {
        let text = PAY.replace(
            "objective maximize profit",
            "objective minimize cost_per_customer",
        );
        let j = journey(&text);
        let found = optimize(&j, &Problem::of(&j).unwrap()).unwrap();
        let best = found.best.unwrap();
        assert_eq!(best.policy, vec![vec![0, 0]]);
    }

    /// `reach(TP)` as objective and constraint, on generated journeys with loops, a trigger
    /// and context loss (81 policies): `optimize` equals brute force and its full-state bound
    /// (a visited bit per asked touchpoint) is never on the wrong side.
    #[test]
    fn reach_is_optimised_and_bounded_as_brute_force() {
        let mut proved = 0;
        for seed in [3, 5, 8, 13] {
            let j = journey(&crate::generate::with_options(30, 2, seed));
            let d: Vec<usize> = j.decisions().collect();
            let (first, second) = (Metric::Reach(d[0] + 1), Metric::Reach(d[1] + 1));
            let free = Problem {
                metric: second,
                maximize: true,
                constraints: Vec::new(),
            };
            // The second's reach at most halfway between as written and its best... the
            // first's at least halfway: they pull apart.
            let top = optimize(&j, &free).unwrap().best.unwrap();
            let given = evaluate_policy(&j, &free, &vec![vec![0; 2]; d.len()]).unwrap();
            let mut cap = j.constraints[0].clone();
            cap.metric = Metric::CostPerCustomer;
            let cost = |p: &[Vec<usize>]| {
                let probe = Problem {
                    metric: Metric::CostPerCustomer,
                    ..free.clone()
                };
                evaluate_policy(&j, &probe, p).unwrap().value
            };
            cap.target = 0.5 * (cost(&top.policy) + cost(&given.policy));
            let mut floor = cap.clone();
            floor.metric = first;
            floor.comparison = crate::model::Comparison::Ge;
            floor.target = 0.5;
            for problem in [
                free.clone(),
                Problem {
                    constraints: vec![cap.clone()],
                    ..free.clone()
                },
                Problem {
                    metric: Metric::CostPerCustomer,
                    maximize: false,
                    constraints: vec![floor.clone()],
                },
            ] {
                let found = optimize(&j, &problem).unwrap();
                let want = brute(&j, &problem).map(|(v, _)| v);
                let got = found.best.as_ref().map(|b| b.value);
                match (want, got) {
                    (Some(w), Some(g)) => assert!((w - g).abs() < 1e-9, "seed {seed}: {g} vs {w}"),
                    (w, g) => assert_eq!(w.is_some(), g.is_some(), "seed {seed}"),
                }
                if let (Some(w), Some(b)) = (want, found.bound) {
                    let gap = if problem.maximize { b - w } else { w - b };
                    assert!(gap >= -1e-9, "seed {seed}: bound {b}, optimum {w}");
                }
                assert!(
                    want.is_none() || found.bound.is_some(),
                    "seed {seed}: no bound"
                );
                proved += usize::from(found.optimality == Optimality::Proved);
            }
        }
        assert!(proved >= 4, "proved {proved} of 12");
    }

    /// The evaluator's figures of `policy` equal its exact analysis (1e-10).
    fn same_as_analyze(ev: &mut Evaluator, j: &Journey, problem: &Problem, policy: &[Vec<usize>]) {
        let fast = ev.evaluate(policy).unwrap();
        let slow = evaluate_policy(j, problem, policy).unwrap();
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-10 * (1.0 + y.abs());
        assert!(
            close(fast.value, slow.value),
            "{policy:?}: {} {}",
            fast.value,
            slow.value
        );
        for (x, y) in fast.per_segment.iter().zip(&slow.per_segment) {
            assert!(close(*x, *y), "{policy:?}: {x} {y}");
        }
        for (x, y) in fast.constraints.iter().zip(&slow.constraints) {
            assert!(close(*x, *y), "{policy:?}: {x} {y}");
        }
        assert_eq!(fast.feasible, slow.feasible, "{policy:?}");
    }

    /// On the shared sample (a trigger, context groups, per-segment attributes, two goals):
    /// conversion to the goal that is not the primary and the reach of two touchpoints,
    /// through the full-state process (a bit per tracked first arrival), equal `analyze` on
    /// every segment policy played by every segment.
    #[test]
    fn another_goal_and_reach_equal_analyze_on_the_shared_sample() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/v2/shop.journey"),
        )
        .unwrap();
        let j = journey(&text);
        let advocacy = j.goal("advocacy").unwrap();
        assert_ne!(j.primary_goal, Some(advocacy));
        let mut floor = Problem::of(&j).unwrap().constraints[0].clone();
        floor.comparison = crate::model::Comparison::Ge;
        floor.target = 0.0;
        let reach = |name: &str, floor: &Kpi| Kpi {
            metric: Metric::Reach(j.touchpoint(name).unwrap()),
            ..floor.clone()
        };
        let problem = Problem {
            metric: Metric::Conversion(advocacy),
            maximize: true,
            constraints: vec![reach("returns", &floor), reach("payment", &floor)],
        };
        let mut ev = Evaluator::new(&j, &problem, &[]).unwrap();
        assert!(ev.mdps.is_some());
        let choices: Vec<usize> = j
            .decisions()
            .map(|t| j.touchpoints[t].choices.len())
            .collect();
        let nseg = j.segments.len();
        for i in 0..choices.iter().product() {
            let policy: Vec<Vec<usize>> =
                decode(i, &choices).iter().map(|&c| vec![c; nseg]).collect();
            same_as_analyze(&mut ev, &j, &problem, &policy);
        }
        // The bound of the objective alone is never below the enumerated optimum.
        let alone = Problem {
            constraints: Vec::new(),
            ..problem.clone()
        };
        let found = optimize(&j, &alone).unwrap();
        assert!(found.bound.unwrap() >= found.best.unwrap().value - 1e-9);
    }
}
