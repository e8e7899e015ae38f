//! Latent segments (LANGUAGE-2.md §5 and "Settled"): where a log has no `segment` column,
//! `fit` maximises the likelihood of the mixture of the declared segments by
//! expectation–maximisation started from the declared values, and fits the shares too.
//! EM fits shares, entries, transitions and friction per segment; patience and context loss
//! stay declared (they enter the likelihood through the abandonments after pain points);
//! trigger returns are pooled. EM runs to convergence (a stated stopping rule, accelerated by
//! SQUAREM). Intervals: bootstrap over customers, each replicate running EM from the estimate
//! to convergence. Needs `end` rows (the kind of each ending is then observed).

use super::count::{Cell, Counts, EXIT, To};
use super::fit::{Fitted, What};
use crate::model::{Journey, Target};
use crate::sim::stats::{Estimate as Interval, proportion};
use crate::sim::tally::ending;

/// What one customer's log says, as the likelihood needs it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Stats {
    /// (touchpoint, entries).
    pub entries: Vec<(u32, u32)>,
    /// (touchpoint, target or `EXIT`, count) of the visits that neither abandoned nor
    /// completed and were not cut short.
    pub moves: Vec<(u32, To, u32)>,
    /// (touchpoint, friction pains, visits reaching the friction step).
    pub friction: Vec<(u32, u32, u32)>,
    /// Pain points after which the customer left, and after which they carried on.
    pub left: u32,
    pub stayed: u32,
}

impl Stats {
    /// The statistics of a customer counted alone (`c`: their counts as one segment).
    pub fn of(c: &Counts) -> Stats {
        let mut s = Stats::default();
        for tp in 0..c.n_tp {
            if c.entries[tp] > 0 {
                s.entries.push((tp as u32, c.entries[tp] as u32));
            }
            let cell: Cell = c.pooled_options(0, tp);
            if cell.visits == 0 {
                continue;
            }
            for (&to, &n) in &cell.moves {
                s.moves.push((tp as u32, to, n as u32));
            }
            let exits = cell.ended[ending::LEFT];
            if exits > 0 {
                s.moves.push((tp as u32, EXIT, exits as u32));
            }
            if cell.reached_friction > 0 {
                s.friction.push((
                    tp as u32,
                    cell.friction as u32,
                    cell.reached_friction as u32,
                ));
            }
            let pains = cell.context + cell.friction;
            let left = cell.ended[ending::ABANDONED];
            s.left += left as u32;
            s.stayed += pains.saturating_sub(left) as u32;
        }
        s
    }
}

/// The parameters of every segment.
#[derive(Clone, Debug)]
struct Params {
    share: Vec<f64>,
    /// [seg][tp].
    entry: Vec<Vec<f64>>,
    /// [seg][tp][target] (target `n_tp` is the exit).
    moves: Vec<Vec<Vec<f64>>>,
    /// [seg][tp].
    friction: Vec<Vec<f64>>,
    /// Fixed: [seg] patience.
    patience: Vec<f64>,
}

const FLOOR: f64 = 1e-9;

impl Params {
    fn declared(j: &Journey) -> Params {
        let n_tp = j.touchpoints.len();
        let segs = 0..j.segments.len();
        Params {
            share: j.segments.iter().map(|s| s.share).collect(),
            entry: segs
                .clone()
                .map(|_| j.touchpoints.iter().map(|t| t.entry).collect())
                .collect(),
            moves: segs
                .clone()
                .map(|s| {
                    j.touchpoints
                        .iter()
                        .map(|t| {
                            let mut row = vec![0.0; n_tp + 1];
                            for x in &t.transitions[s] {
                                let k = match x.target {
                                    Target::Exit => n_tp,
                                    Target::Touchpoint(k) => k,
                                };
                                row[k] = x.probability;
                            }
                            row
                        })
                        .collect()
                })
                .collect(),
            friction: segs
                .clone()
                .map(|s| j.touchpoints.iter().map(|t| t.visit(s).friction).collect())
                .collect(),
            patience: j.segments.iter().map(|s| s.patience).collect(),
        }
    }

    /// The logarithms the likelihood needs, once per iteration (floored as `ln` below).
    fn logs(&self) -> Logs {
        let ln = |p: f64| p.max(FLOOR).ln();
        Logs {
            entry: self
                .entry
                .iter()
                .map(|e| e.iter().map(|&p| ln(p)).collect())
                .collect(),
            moves: self
                .moves
                .iter()
                .map(|s| {
                    s.iter()
                        .map(|row| row.iter().map(|&p| ln(p)).collect())
                        .collect()
                })
                .collect(),
            friction: self
                .friction
                .iter()
                .map(|s| s.iter().map(|&f| (ln(f), ln(1.0 - f))).collect())
                .collect(),
            patience: self
                .patience
                .iter()
                .map(|&p| (ln(1.0 - p), ln(p)))
                .collect(),
        }
    }
}

/// ln of each parameter (floored at [`FLOOR`]), as [`Params`] holds them.
struct Logs {
    entry: Vec<Vec<f64>>,
    moves: Vec<Vec<Vec<f64>>>,
    /// (ln f, ln(1 − f)).
    friction: Vec<Vec<(f64, f64)>>,
    /// (ln(1 − patience), ln patience).
    patience: Vec<(f64, f64)>,
}

impl Logs {
    /// ln P(customer's log | segment s).
    fn log_likelihood(&self, s: usize, c: &Stats, n_tp: usize) -> f64 {
        let mut l = 0.0;
        for &(tp, n) in &c.entries {
            l += n as f64 * self.entry[s][tp as usize];
        }
        for &(tp, to, n) in &c.moves {
            let k = if to == EXIT { n_tp } else { to as usize };
            l += n as f64 * self.moves[s][tp as usize][k];
        }
        for &(tp, hits, reached) in &c.friction {
            let (f, not) = self.friction[s][tp as usize];
            l += hits as f64 * f + (reached - hits.min(reached)) as f64 * not;
        }
        let (leave, stay) = self.patience[s];
        l += c.left as f64 * leave + c.stayed as f64 * stay;
        l
    }
}

/// The stopping rule: EM has converged when one EM step moves no parameter (share, entry
/// weight, transition or friction) by more than `TOLERANCE`, or when an iteration (two EM
/// steps, or SQUAREM's extrapolation and its EM step) raises the log-likelihood by less than
/// `GAIN` nats. The second ends most fits early on ridges where EM crawls: a log-likelihood
/// difference of δ nats is √(2δ) ≈ 10⁻⁴ standard errors; where EM's rate is slow the point
/// may still be further from the maximum than that (the tests: SQUAREM's point within
/// 5·10⁻⁴ of plain EM's fixed point on a three-segment mixture whose shares' standard
/// errors are about 10⁻²).
const TOLERANCE: f64 = 1e-8;
const GAIN: f64 = 1e-8;

/// The most EM steps (evaluations of the EM map, SQUAREM's extrapolations included) one fit
/// may take, the estimate's and each bootstrap replicate's; a fit that reaches it says so.
const MAX_STEPS: usize = 20_000;

/// SQUAREM's growth factor of the largest step length (`mstep` of Varadhan & Roland).
const STEP_GROWTH: f64 = 4.0;

/// The mixture's data: distinct customer statistics `all`, customer `i`'s counted
/// `weight[i]` times (a bootstrap replicate, or every customer once).
struct Mixture<'a> {
    all: &'a [Stats],
    weight: &'a [f64],
    n_tp: usize,
    n_seg: usize,
}

/// How one fit ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// EM steps taken (evaluations of the EM map).
    pub steps: usize,
    /// The stopping rule was met (else `MAX_STEPS` was reached).
    pub converged: bool,
}

impl Params {
    /// The free parameters as one vector: shares, entry weights, transitions, friction.
    fn to_vec(&self) -> Vec<f64> {
        let mut v = self.share.clone();
        v.extend(self.entry.iter().flatten());
        v.extend(self.moves.iter().flatten().flatten());
        v.extend(self.friction.iter().flatten());
        v
    }

    /// Sets the free parameters from a vector of [`Params::to_vec`]'s layout.
    fn set(&mut self, v: &[f64]) {
        let mut it = v.iter().copied();
        let slots = self
            .share
            .iter_mut()
            .chain(self.entry.iter_mut().flatten())
            .chain(self.moves.iter_mut().flatten().flatten())
            .chain(self.friction.iter_mut().flatten());
        for (slot, x) in slots.zip(&mut it) {
            *slot = x;
        }
    }
}

impl<'a> Mixture<'a> {
    fn new(j: &Journey, all: &'a [Stats], weight: &'a [f64]) -> Self {
        Mixture {
            all,
            weight,
            n_tp: j.touchpoints.len(),
            n_seg: j.segments.len(),
        }
    }

    /// One EM step from `p`: the parameters it leads to, and the log-likelihood at `p`.
    fn step(&self, p: &Params) -> (Params, f64) {
        let (n_tp, n_seg) = (self.n_tp, self.n_seg);
        let mut r = vec![0.0; n_seg];
        let n: f64 = self.weight.iter().sum::<f64>().max(1.0);
        let mut share = vec![0.0; n_seg];
        let mut entry = vec![vec![0.0; n_tp]; n_seg];
        let mut moves = vec![vec![vec![0.0; n_tp + 1]; n_tp]; n_seg];
        let mut fr = vec![vec![(0.0, 0.0); n_tp]; n_seg];
        let ln_share: Vec<f64> = p.share.iter().map(|x| x.max(FLOOR).ln()).collect();
        let logs = p.logs();
        let mut log_likelihood = 0.0;
        for (c, &times) in self.all.iter().zip(self.weight) {
            if times == 0.0 {
                continue;
            }
            // E: responsibilities.
            let mut best = f64::NEG_INFINITY;
            for (s, rs) in r.iter_mut().enumerate() {
                *rs = ln_share[s] + logs.log_likelihood(s, c, n_tp);
                best = best.max(*rs);
            }
            let mut total = 0.0;
            for rs in r.iter_mut() {
                *rs = (*rs - best).exp();
                total += *rs;
            }
            log_likelihood += times * (best + total.ln());
            for (s, rs) in r.iter().enumerate() {
                let w = times * rs / total;
                share[s] += w;
                for &(tp, k) in &c.entries {
                    entry[s][tp as usize] += w * k as f64;
                }
                for &(tp, to, k) in &c.moves {
                    let x = if to == EXIT { n_tp } else { to as usize };
                    moves[s][tp as usize][x] += w * k as f64;
                }
                for &(tp, hits, reached) in &c.friction {
                    let cell = &mut fr[s][tp as usize];
                    cell.0 += w * hits as f64;
                    cell.1 += w * reached as f64;
                }
            }
        }
        // M: weighted proportions (a touchpoint a segment never visits keeps its values;
        // friction at 0 stays 0).
        let mut next = p.clone();
        for s in 0..n_seg {
            next.share[s] = share[s] / n;
            let e: f64 = entry[s].iter().sum();
            if e > 0.0 {
                for (to, from) in next.entry[s].iter_mut().zip(&entry[s]) {
                    *to = from / e;
                }
            }
            for tp in 0..n_tp {
                let m: f64 = moves[s][tp].iter().sum();
                if m > 0.0 {
                    for (to, from) in next.moves[s][tp].iter_mut().zip(&moves[s][tp]) {
                        *to = from / m;
                    }
                }
                let (h, reached) = fr[s][tp];
                if reached > 0.0 && p.friction[s][tp] > 0.0 {
                    next.friction[s][tp] = h / reached;
                }
            }
        }
        (next, log_likelihood)
    }

    /// Plain EM from `start` until the stopping rule (for the tests: SQUAREM must reach the
    /// same fixed point).
    #[cfg(test)]
    fn plain(&self, start: Params) -> (Params, Run) {
        let mut p = start;
        let mut steps = 0;
        loop {
            let (next, _) = self.step(&p);
            steps += 1;
            let change = largest_change(&p.to_vec(), &next.to_vec());
            p = next;
            if change < TOLERANCE || steps >= MAX_STEPS {
                let converged = change < TOLERANCE;
                return (p, Run { steps, converged });
            }
        }
    }

    /// EM from `start` to convergence, accelerated by SQUAREM (Varadhan & Roland 2008,
    /// scheme S3, with the safeguards of their `squarem` package): from θ₀, two EM steps give
    /// θ₁ and θ₂; with r = θ₁ − θ₀ and v = θ₂ − 2θ₁ + θ₀ the step length is α = ‖r‖/‖v‖,
    /// held within [1, α_max], and θ′ = θ₀ + 2αr + α²v is stabilised by one EM step. The
    /// extrapolated point is kept only if it is a valid set of probabilities (every
    /// coordinate in [0, 1]; the sums to 1 are kept by construction: r and v sum to 0 over
    /// each distribution) and the likelihood at its EM step is no lower than at θ₀; else the
    /// plain EM step θ₂ is taken and α_max shrinks. α_max starts at 1 and grows fourfold
    /// each time α reaches it. Every point kept is an EM step's result, so the likelihood
    /// never decreases and every distribution sums to 1 up to rounding. `trace` gets the
    /// log-likelihood of each point kept (for the tests).
    fn converge(&self, start: Params, mut trace: impl FnMut(f64)) -> (Params, Run) {
        let mut x0 = start;
        let (mut f0, mut l0) = self.step(&x0);
        trace(l0);
        let mut steps = 1;
        let mut step_max = 1.0f64;
        loop {
            let v0 = x0.to_vec();
            let v1 = f0.to_vec();
            if largest_change(&v0, &v1) < TOLERANCE {
                return (
                    f0,
                    Run {
                        steps,
                        converged: true,
                    },
                );
            }
            if steps + 3 > MAX_STEPS {
                return (
                    f0,
                    Run {
                        steps,
                        converged: false,
                    },
                );
            }
            let (x2, _) = self.step(&f0);
            steps += 1;
            let v2 = x2.to_vec();
            let r: Vec<f64> = v1.iter().zip(&v0).map(|(a, b)| a - b).collect();
            let v: Vec<f64> = (0..v0.len()).map(|i| v2[i] - 2.0 * v1[i] + v0[i]).collect();
            let norm = |x: &[f64]| x.iter().map(|a| a * a).sum::<f64>().sqrt();
            let (rn, vn) = (norm(&r), norm(&v));
            let alpha = if vn > 0.0 {
                (rn / vn).clamp(1.0, step_max)
            } else {
                1.0
            };
            let mut extrapolated = None;
            if alpha > 1.0 {
                let xp: Vec<f64> = (0..v0.len())
                    .map(|i| v0[i] + 2.0 * alpha * r[i] + alpha * alpha * v[i])
                    .collect();
                if xp.iter().all(|x| (0.0..=1.0).contains(x)) {
                    let mut p = x0.clone();
                    p.set(&xp);
                    let (stable, _) = self.step(&p);
                    steps += 1;
                    extrapolated = Some(stable);
                }
            }
            let plain = |steps: &mut usize| {
                let (f, l) = self.step(&x2);
                *steps += 1;
                (x2.clone(), f, l)
            };
            let (x, f, l) = match extrapolated {
                Some(candidate) => {
                    let (f, l) = self.step(&candidate);
                    steps += 1;
                    if l >= l0 {
                        if alpha >= step_max {
                            step_max *= STEP_GROWTH;
                        }
                        (candidate, f, l)
                    } else {
                        if alpha >= step_max {
                            step_max = (step_max / STEP_GROWTH).max(1.0);
                        }
                        plain(&mut steps)
                    }
                }
                None => {
                    if alpha > 1.0 {
                        // Left the parameter space.
                        step_max = (step_max / STEP_GROWTH).max(1.0);
                    } else if alpha >= step_max {
                        step_max *= STEP_GROWTH;
                    }
                    plain(&mut steps)
                }
            };
            trace(l);
            if l - l0 < GAIN {
                return (
                    f,
                    Run {
                        steps,
                        converged: true,
                    },
                );
            }
            (x0, f0, l0) = (x, f, l);
        }
    }
}

/// The largest absolute difference between two parameter vectors.
fn largest_change(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// How EM ended: for the estimate, and for each bootstrap replicate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Convergence {
    /// The estimate's fit (from the declared values).
    pub estimate: Run,
    /// Each replicate's fit (from the estimate), in replicate order.
    pub replicates: Vec<Run>,
}

impl Convergence {
    /// What to say when a fit stopped at `MAX_STEPS` before the stopping rule held.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if !self.estimate.converged {
            notes.push(format!(
                "EM stopped after {MAX_STEPS} steps before converging (no parameter moving by \
                 more than {TOLERANCE:e} in a step, or the log-likelihood rising by less than \
                 {GAIN:e}): the estimates may still be off their maximum"
            ));
        }
        let short = self.replicates.iter().filter(|r| !r.converged).count();
        if short > 0 {
            notes.push(format!(
                "{short} of {} bootstrap replicates stopped after {MAX_STEPS} EM steps before \
                 converging: the intervals may be too narrow",
                self.replicates.len()
            ));
        }
        notes
    }
}

/// The estimate and its bootstrap replicates.
struct Latent {
    point: Params,
    replicates: Vec<Params>,
    convergence: Convergence,
}

/// EM over `customers`' statistics from the declared values, and `replicates` bootstrap
/// replicates over customers (a fixed xorshift stream: the same log gives the same output,
/// whatever the threads), each from the estimate (warm start) to convergence.
fn estimate(j: &Journey, customers: &[Stats], replicates: usize) -> Latent {
    // Customers with the same statistics have the same likelihood: EM runs over the distinct
    // ones, weighted (a log of many short journeys has few distinct customers).
    let mut index: std::collections::HashMap<&Stats, usize> = std::collections::HashMap::new();
    let mut distinct: Vec<Stats> = Vec::new();
    let mut of: Vec<usize> = Vec::with_capacity(customers.len());
    for c in customers {
        let k = *index.entry(c).or_insert_with(|| {
            distinct.push(c.clone());
            distinct.len() - 1
        });
        of.push(k);
    }
    let mut every = vec![0.0; distinct.len()];
    for &k in &of {
        every[k] += 1.0;
    }
    let (point, run) = Mixture::new(j, &distinct, &every).converge(Params::declared(j), |_| {});
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let n = customers.len();
    let samples: Vec<Vec<f64>> = (0..replicates)
        .map(|_| {
            let mut w = vec![0.0; distinct.len()];
            for _ in 0..n {
                w[of[((next() as u128 * n as u128) >> 64) as usize]] += 1.0;
            }
            w
        })
        .collect();
    use rayon::prelude::*;
    let (reps, runs): (Vec<Params>, Vec<Run>) = samples
        .par_iter()
        .map(|w| Mixture::new(j, &distinct, w).converge(point.clone(), |_| {}))
        .unzip();
    Latent {
        point,
        replicates: reps,
        convergence: Convergence {
            estimate: run,
            replicates: runs,
        },
    }
}

/// The 95% percentile interval of the replicates' values `xs`, widened to hold `value`: the
/// k-th smallest and the k-th largest of the B replicates, k = ⌊0.025 (B + 1)⌋ (at least
/// one). When the replicates scatter around the estimate as the estimate scatters around the
/// truth, the truth falls between them with chance (B + 1 − 2k)/(B + 1): with B = 40, the
/// smallest and largest, 39/41 ≈ 95% (the 2nd smallest and 2nd largest: 37/41 ≈ 90%).
fn percentile(value: f64, mut xs: Vec<f64>) -> Interval {
    if xs.is_empty() {
        return Interval::exact(value);
    }
    xs.sort_by(f64::total_cmp);
    let b = xs.len();
    let k = ((0.025 * (b + 1) as f64).floor() as usize).clamp(1, b.div_ceil(2));
    Interval {
        value,
        low: xs[k - 1].min(value),
        high: xs[b - k].max(value),
    }
}

/// The estimates of a log without a `segment` column: EM over `customers`' statistics, with
/// bootstrap intervals of `replicates` replicates (see [`estimate`]), and how EM ended.
/// Returns are pooled from `pooled` (every customer counted as segment 0).
pub fn fit_latent(
    j: &Journey,
    customers: &[Stats],
    pooled: &Counts,
    min_count: u64,
    replicates: usize,
) -> (Vec<Fitted>, Convergence) {
    let n_tp = j.touchpoints.len();
    let n = customers.len();
    let Latent {
        point,
        replicates: reps,
        convergence,
    } = estimate(j, customers, replicates);
    let interval = |value: f64, get: &dyn Fn(&Params) -> f64| -> Option<Interval> {
        Some(percentile(value, reps.iter().map(get).collect()))
    };
    // Observations: the expected counts of each segment (responsibilities), rounded.
    let expected = |s: usize| (point.share[s] * n as f64).round() as u64;
    let mut out = Vec::new();
    // Weak identification: at a touchpoint, two segments whose declared transitions and
    // friction are the same (they may differ in patience).
    let same_here = |a: usize, b: usize, tp: usize| {
        let t = &j.touchpoints[tp];
        let key = |s: usize| {
            let mut v: Vec<(usize, u64)> = t.transitions[s]
                .iter()
                .map(|x| {
                    let k = match x.target {
                        Target::Exit => n_tp,
                        Target::Touchpoint(k) => k,
                    };
                    (k, x.probability.to_bits())
                })
                .collect();
            v.sort_unstable();
            (v, t.visit(s).friction.to_bits())
        };
        key(a) == key(b)
    };
    let weak_at =
        |s: usize, tp: usize| (0..j.segments.len()).any(|o| o != s && same_here(s, o, tp));
    let mut push = |segment, what: What, declared: f64, fitted: Option<Interval>, n: u64| {
        let weak = match what {
            What::Move(tp, _) | What::Friction(tp) => weak_at(segment, tp),
            _ => false,
        };
        let too_few = n < min_count;
        let outside = !too_few
            && fitted.is_some_and(|f| declared < f.low - 1e-12 || declared > f.high + 1e-12);
        out.push(Fitted {
            segment,
            option: None,
            what,
            declared,
            fitted,
            n,
            too_few,
            outside,
            weak,
        });
    };
    let visits: Vec<u64> = (0..n_tp)
        .map(|tp| {
            customers
                .iter()
                .map(|c| {
                    c.moves
                        .iter()
                        .filter(|m| m.0 as usize == tp)
                        .map(|m| m.2 as u64)
                        .sum::<u64>()
                })
                .sum()
        })
        .collect();
    for (s, seg) in j.segments.iter().enumerate() {
        push(
            s,
            What::Share,
            seg.share,
            interval(point.share[s], &|p| p.share[s]),
            n as u64,
        );
        for (tp, t) in j.touchpoints.iter().enumerate() {
            if t.entry > 0.0 {
                push(
                    s,
                    What::Entry(tp),
                    t.entry,
                    interval(point.entry[s][tp], &|p| p.entry[s][tp]),
                    expected(s),
                );
            }
        }
        for (tp, t) in j.touchpoints.iter().enumerate() {
            let share_visits = (visits[tp] as f64 * point.share[s]).round() as u64;
            for x in &t.transitions[s] {
                let (k, to) = match x.target {
                    Target::Exit => (n_tp, EXIT),
                    Target::Touchpoint(k) => (k, k as To),
                };
                let f = interval(point.moves[s][tp][k], &|p| p.moves[s][tp][k]);
                push(s, What::Move(tp, to), x.probability, f, share_visits);
            }
            let declared = t.visit(s).friction;
            if declared > 0.0 {
                let f = interval(point.friction[s][tp], &|p| p.friction[s][tp]);
                push(s, What::Friction(tp), declared, f, share_visits);
            }
        }
    }
    // Trigger returns, pooled over segments (listed under the first).
    for (x, trigger) in j.triggers.iter().enumerate() {
        let (r, f) = (pooled.returns[x], pooled.firings[x]);
        push(0, What::Return(x), trigger.probability, proportion(r, f), f);
    }
    (out, convergence)
}

#[cfg(test)]
mod tests {
    //! EM on mixtures whose truth is known: customers drawn here, segment by segment, at a
    //! touchpoint `a` that loops on itself, goes on to `b` (a goal) or exits.
    use super::*;
    use crate::model::{self, Options};

    /// The segments' names, as `mixture` declares them.
    const NAMES: [&str; 3] = ["x", "y", "z"];

    /// A journey of `segments` segments, declared with even shares and chances at `a` that
    /// differ by segment but are all away from the truth (EM starts from them; segments
    /// declared alike would stay alike: EM cannot tell them apart from the start).
    fn mixture(segments: usize) -> Journey {
        let mut text = String::from("journey t {\n  channel web digital\n");
        for name in &NAMES[..segments] {
            let share = 100.0 / segments as f64;
            text.push_str(&format!("  segment {name} {{ share {share}% }}\n"));
        }
        text.push_str("  stage s {\n    touchpoint a on web {\n      entry\n");
        for (s, name) in NAMES[..segments].iter().enumerate() {
            let stay = [40, 20, 30][s];
            text.push_str(&format!(
                "      -> a {stay}% for {name}\n      -> b 30% for {name}\n"
            ));
        }
        text.push_str("      -> exit\n    }\n    touchpoint b on web { goal buy }\n  }\n}\n");
        let c = model::resolve_source("t.journey", &text, &Options::default()).expect("resolves");
        c.journey
            .unwrap_or_else(|| panic!("does not resolve: {:#?}\n{text}", c.findings))
    }

    /// A segment's truth: (share, chance to loop at `a`, chance to go on to `b`).
    type Truth = (f64, f64, f64);

    /// `n` customers drawn from `truth` (a xorshift64* stream from `seed`).
    fn customers(truth: &[Truth], n: usize, seed: u64) -> Vec<Stats> {
        let mut state = seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1;
        let mut uniform = || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n)
            .map(|_| {
                let mut u = uniform();
                let mut s = 0;
                while s + 1 < truth.len() && u >= truth[s].0 {
                    u -= truth[s].0;
                    s += 1;
                }
                let (_, stay, go_on) = truth[s];
                let mut loops = 0;
                let last = loop {
                    let u = uniform();
                    if u < stay {
                        loops += 1;
                    } else if u < stay + go_on {
                        break 1;
                    } else {
                        break EXIT;
                    }
                };
                let mut moves = Vec::new();
                if loops > 0 {
                    moves.push((0, 0, loops));
                }
                moves.push((0, last, 1));
                Stats {
                    entries: vec![(0, 1)],
                    moves,
                    ..Stats::default()
                }
            })
            .collect()
    }

    /// Every share, entry row and transition row sums to 1 (or 0: `b` moves nowhere); every
    /// parameter is in [0, 1].
    fn valid(p: &Params) {
        assert!(p.to_vec().iter().all(|x| (0.0..=1.0).contains(x)), "{p:?}");
        let sums = std::iter::once(p.share.iter().sum::<f64>())
            .chain(p.entry.iter().map(|e| e.iter().sum()))
            .chain(p.moves.iter().flatten().map(|row| row.iter().sum()));
        for sum in sums {
            assert!((sum - 1.0).abs() < 1e-12 || sum == 0.0, "{sum}: {p:?}");
        }
    }

    const TWO: [Truth; 2] = [(0.3, 0.6, 0.3), (0.7, 0.1, 0.3)];
    const THREE: [Truth; 3] = [(0.2, 0.7, 0.2), (0.5, 0.1, 0.3), (0.3, 0.3, 0.6)];

    #[test]
    fn squarem_reaches_the_fixed_point_of_plain_em_with_fewer_steps() {
        let (mut plain_steps, mut squarem_steps) = (0, 0);
        for (truth, seed) in [
            (&TWO[..], 1),
            (&TWO[..], 2),
            (&THREE[..], 3),
            (&THREE[..], 4),
        ] {
            let j = mixture(truth.len());
            let all = customers(truth, 3000, seed);
            let once = vec![1.0; all.len()];
            let m = Mixture::new(&j, &all, &once);
            let (plain, slow) = m.plain(Params::declared(&j));
            let (fast, quick) = m.converge(Params::declared(&j), |_| {});
            assert!(slow.converged && quick.converged, "{slow:?} {quick:?}");
            valid(&fast);
            // Plain EM runs to the parameter rule alone (10⁻⁸ per step); SQUAREM stops on
            // either rule, mostly on the likelihood's (< 10⁻⁸ nats gained). Both land on the
            // same maximum: within 10⁻³ of each other (the shares' standard error here is
            // about 10⁻²) and within 10⁻³ nats.
            let apart = largest_change(&plain.to_vec(), &fast.to_vec());
            assert!(apart < 1e-3, "seed {seed}: {apart:e}\n{plain:?}\n{fast:?}");
            let (_, l_plain) = m.step(&plain);
            let (_, l_fast) = m.step(&fast);
            assert!((l_plain - l_fast).abs() < 1e-3, "{l_plain} {l_fast}");
            plain_steps += slow.steps;
            squarem_steps += quick.steps;
        }
        assert!(
            2 * squarem_steps < plain_steps,
            "SQUAREM {squarem_steps} steps, plain EM {plain_steps}"
        );
    }

    #[test]
    fn the_likelihood_never_decreases_and_the_parameters_stay_valid() {
        let mut converged = 0;
        for seed in 1..=20 {
            let truth = if seed % 2 == 0 { &TWO[..] } else { &THREE[..] };
            let j = mixture(truth.len());
            let all = customers(truth, 500, seed);
            // A bootstrap-like weighting, some customers left out.
            let weight: Vec<f64> = (0..all.len())
                .map(|i| ((i * 7 + seed as usize) % 3) as f64)
                .collect();
            let m = Mixture::new(&j, &all, &weight);
            let mut trace = Vec::new();
            let (p, run) = m.converge(Params::declared(&j), |l| trace.push(l));
            // (Not every one converges: with 500 customers two of three segments may nearly
            // merge, a ridge EM crawls along; the likelihood still never decreases.)
            converged += run.converged as u32;
            valid(&p);
            for pair in trace.windows(2) {
                assert!(
                    pair[1] >= pair[0] - 1e-12 * pair[0].abs(),
                    "seed {seed}: {} then {}",
                    pair[0],
                    pair[1]
                );
            }
        }
        assert!(converged >= 18, "{converged} of 20 converged");
    }

    #[test]
    fn separated_segments_are_recovered_and_their_intervals_cover() {
        // Two clearly separated segments (x mostly loops, y mostly exits), 2,000 customers
        // per log, 200 logs: the share's estimates centre on the truth (their mean within 4
        // standard errors of it), and each estimate's 95% bootstrap interval holds the truth
        // in at least 93% of the (estimate, log) pairs (95% expected, the 93% asked;
        // the pairs of one log are not independent, so the margin is about 2–3 standard
        // errors). With the 2nd smallest and 2nd largest of the 40 replicates instead of
        // the smallest and largest, 899 of 1,000 cover here.
        let truth: [Truth; 2] = [(0.3, 0.7, 0.2), (0.7, 0.05, 0.25)];
        let j = mixture(2);
        let (logs, n) = (200, 2000);
        let mut shares = Vec::new();
        let (mut covered, mut pairs) = (0, 0);
        for seed in 1..=logs {
            let all = customers(&truth, n, seed);
            let Latent {
                point,
                replicates,
                convergence,
            } = estimate(&j, &all, 40);
            assert!(convergence.notes().is_empty(), "{convergence:?}");
            shares.push(point.share[0]);
            // x's share; each segment's chances to loop and to go on.
            let mut judge = |want: f64, get: &dyn Fn(&Params) -> f64| {
                let i = percentile(get(&point), replicates.iter().map(get).collect());
                pairs += 1;
                covered += (i.low <= want && want <= i.high) as u64;
            };
            judge(truth[0].0, &|p| p.share[0]);
            for (s, &(_, stay, go_on)) in truth.iter().enumerate() {
                judge(stay, &|p| p.moves[s][0][0]);
                judge(go_on, &|p| p.moves[s][0][1]);
            }
        }
        let mean = shares.iter().sum::<f64>() / logs as f64;
        let sd =
            (shares.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (logs - 1) as f64).sqrt();
        let se = sd / (logs as f64).sqrt();
        assert!(
            (mean - truth[0].0).abs() < 4.0 * se,
            "mean share {mean:.4}, truth {}, standard error {se:.4}",
            truth[0].0
        );
        assert!(
            covered as f64 >= 0.93 * pairs as f64,
            "{covered} of {pairs} intervals cover"
        );
    }

    #[test]
    fn the_cap_is_said() {
        let run = Run {
            steps: MAX_STEPS,
            converged: false,
        };
        let c = Convergence {
            estimate: run,
            replicates: vec![
                run,
                Run {
                    steps: 10,
                    converged: true,
                },
            ],
        };
        let notes = c.notes();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[1].starts_with("1 of 2 bootstrap replicates"),
            "{notes:?}"
        );
    }
}
