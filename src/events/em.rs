//! Latent segments (LANGUAGE-2.md §5 and "Settled"): where a log has no `segment` column,
//! `fit` maximises the likelihood of the mixture of the declared segments by
//! expectation–maximisation started from the declared values, and fits the shares too.
//! EM fits shares, entries, transitions and friction per segment; patience and context loss
//! stay declared (they enter the likelihood through the abandonments after pain points);
//! trigger returns are pooled. Intervals: bootstrap over customers, each replicate re-running
//! EM from the declared values. Needs `end` rows (the kind of each ending is then observed).

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

/// EM iterations for the estimate, and for each bootstrap replicate (started from the
/// declared values, as the estimate is; fewer, since a replicate only needs to land near its
/// own optimum for the interval's quantiles).
const ITERATIONS: usize = 200;
const REPLICATE_ITERATIONS: usize = 100;

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

/// EM from the declared values over distinct customer statistics `all`, customer `i`'s
/// statistics counted `weight[i]` times (a bootstrap replicate, or every customer once).
fn em(j: &Journey, all: &[Stats], weight: &[f64], iterations: usize) -> Params {
    let n_tp = j.touchpoints.len();
    let n_seg = j.segments.len();
    let mut p = Params::declared(j);
    let mut r = vec![0.0; n_seg];
    let n: f64 = weight.iter().sum::<f64>().max(1.0);
    for _ in 0..iterations {
        let mut share = vec![0.0; n_seg];
        let mut entry = vec![vec![0.0; n_tp]; n_seg];
        let mut moves = vec![vec![vec![0.0; n_tp + 1]; n_tp]; n_seg];
        let mut fr = vec![vec![(0.0, 0.0); n_tp]; n_seg];
        let ln_share: Vec<f64> = p.share.iter().map(|x| x.max(FLOOR).ln()).collect();
        let logs = p.logs();
        for (c, &times) in all.iter().zip(weight) {
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
        // M: weighted proportions (a touchpoint a segment never visits keeps its values).
        for s in 0..n_seg {
            p.share[s] = share[s] / n;
            let e: f64 = entry[s].iter().sum();
            if e > 0.0 {
                for (to, from) in p.entry[s].iter_mut().zip(&entry[s]) {
                    *to = from / e;
                }
            }
            for tp in 0..n_tp {
                let m: f64 = moves[s][tp].iter().sum();
                if m > 0.0 {
                    for (to, from) in p.moves[s][tp].iter_mut().zip(&moves[s][tp]) {
                        *to = from / m;
                    }
                }
                let (h, reached) = fr[s][tp];
                if reached > 0.0 && p.friction[s][tp] > 0.0 {
                    p.friction[s][tp] = h / reached;
                }
            }
        }
    }
    p
}

/// The estimates of a log without a `segment` column: EM over `customers`' statistics, with
/// bootstrap intervals of `replicates` replicates (a fixed seed: the same log gives the
/// same output). Returns are pooled from `pooled` (every customer counted as segment 0).
pub fn fit_latent(
    j: &Journey,
    customers: &[Stats],
    pooled: &Counts,
    min_count: u64,
    replicates: usize,
) -> Vec<Fitted> {
    let n_tp = j.touchpoints.len();
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
    let point = em(j, &distinct, &every, ITERATIONS);
    // Bootstrap: resample customers (a fixed xorshift stream), re-run EM from the declared.
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
    let reps: Vec<Params> = samples
        .par_iter()
        .map(|w| em(j, &distinct, w, REPLICATE_ITERATIONS))
        .collect();
    let interval = |value: f64, get: &dyn Fn(&Params) -> f64| -> Option<Interval> {
        let mut xs: Vec<f64> = reps.iter().map(get).collect();
        if xs.is_empty() {
            return Some(Interval::exact(value));
        }
        xs.sort_by(f64::total_cmp);
        let at = |q: f64| xs[((q * (xs.len() - 1) as f64).round() as usize).min(xs.len() - 1)];
        Some(Interval {
            value,
            low: at(0.025).min(value),
            high: at(0.975).max(value),
        })
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
    out
}
