//! Lifetime figures (LANGUAGE-2.md §3): customers come back for more cycles, each a fresh
//! walk of the journey, so one segment's cycles are independent and identically distributed
//! given the segment, and everything follows from a few first-cycle quantities:
//!
//! - `p`, the chance a cycle achieves the primary goal; the chance of another cycle after
//!   it is then `r` (the segment's `repeat`) or `w` (`winback`), so a cycle follows the
//!   previous one with chance `c = p·r + (1 − p)·w`, and with at most `M` cycles
//!   `cycles = Σ_{k<M} cᵏ`, `purchases = p · cycles`, and lifetime cost and revenue are the
//!   first cycle's times `cycles`;
//! - for `clv`, with δ = ln(1 + discount) per 365 days: `V`, the expected discounted net
//!   money of one cycle from its start, and `D₁`, `D₀`, the expected discount factor of the
//!   cycle's length on the cycles that did and did not convert. The next cycle starts after
//!   the delay, whose factor for a uniform delay on [a, b] is (e^(−δa) − e^(−δb)) / (δ(b − a)),
//!   so the start of cycle k+1 is discounted by `gᵏ` with `g = D₁·r·φ_r + D₀·w·φ_w`, and
//!   `clv = V · Σ_{k<M} gᵏ`;
//! - `retention(K)`, the chance of at least K converting cycles, by a walk over (cycle,
//!   purchases so far) that stops counting at K.
//!
//! `V` and `D` come from the chain with every transition discounted by the time it takes (the
//! visit's duration, plus a trigger's delay on a return): its expected discounted arrivals
//! solve `(I − Q_δ)ᵀ v_δ = α` like the expected visits. Money is counted on arrival (a
//! visit's cost and goal value, before its duration) and at firing (a trigger's message,
//! after the visit's duration and the trigger's delay); a cycle ends after its last visit's
//! duration, plus the delay of a trigger that fired without bringing the customer back.

use super::AnalyzeError;
use super::chain::{Chain, Pred};
use super::solve::{Solver, TOLERANCE};
use super::totals::within;
use crate::model::{Comeback, Duration, Journey, Metric, SegmentId};

/// The lifetime figures of one segment (or mixed by share).
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Life {
    pub cycles: f64,
    pub purchases: f64,
    pub lifetime_cost: f64,
    pub lifetime_revenue: f64,
    pub clv: f64,
    /// `retention[K − 1]`, K = 1..=[`depth`].
    pub retention: Vec<f64>,
}

impl Life {
    /// Adds `w` times another population's figures (mixing segments by share).
    pub fn mix(&mut self, w: f64, o: &Life) {
        self.cycles += w * o.cycles;
        self.purchases += w * o.purchases;
        self.lifetime_cost += w * o.lifetime_cost;
        self.lifetime_revenue += w * o.lifetime_revenue;
        self.clv += w * o.clv;
        if self.retention.len() < o.retention.len() {
            self.retention.resize(o.retention.len(), 0.0);
        }
        for (a, b) in self.retention.iter_mut().zip(&o.retention) {
            *a += w * b;
        }
    }
}

/// How many K of `retention(K)` the analysis computes: 3, or the largest a KPI asks for.
pub fn depth(j: &Journey) -> u32 {
    j.kpis
        .iter()
        .filter_map(|k| match k.metric {
            Metric::Retention(k) => Some(k),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .max(3)
}

/// The expected discount factor `E[e^(−δX)]` of a delay X uniform on the duration's range.
pub fn factor(delta: f64, d: Duration) -> f64 {
    if delta == 0.0 {
        return 1.0;
    }
    let (a, b) = (d.min, d.max);
    if b <= a {
        return (-delta * a).exp();
    }
    ((-delta * a).exp() - (-delta * b).exp()) / (delta * (b - a))
}

/// What the lifetime figures need of a segment's first cycle.
pub(super) struct FirstCycle<'a> {
    pub j: &'a Journey,
    pub seg: SegmentId,
    pub c: &'a Chain,
    /// Expected visits per state.
    pub visits: &'a [f64],
    /// P(the cycle achieves the primary goal).
    pub converts: f64,
    pub cost: f64,
    pub revenue: f64,
}

impl FirstCycle<'_> {
    /// The lifetime figures of the segment.
    pub fn life(&self) -> Result<Life, AnalyzeError> {
        let j = self.j;
        let lifecycle = j.lifecycle.as_ref();
        let none = Comeback::default();
        let (repeat, winback) =
            lifecycle.map_or((none, none), |l| (l.repeat[self.seg], l.winback[self.seg]));
        let max_cycles = lifecycle.map_or(1, |l| l.max_cycles);
        let delta = lifecycle.map_or(0.0, |l| l.rate_per_second());
        let p = self.converts;
        let cont = p * repeat.chance + (1.0 - p) * winback.chance;
        let cycles = geometric(cont, max_cycles);
        let (value, ends) = self.discounted(delta)?;
        let g = ends[1] * repeat.chance * factor(delta, repeat.after)
            + ends[0] * winback.chance * factor(delta, winback.after);
        Ok(Life {
            cycles,
            purchases: p * cycles,
            lifetime_cost: self.cost * cycles,
            lifetime_revenue: self.revenue * cycles,
            clv: value * geometric(g, max_cycles),
            retention: retention(p, repeat.chance, winback.chance, max_cycles, depth(j)),
        })
    }

    /// `V`, and `[D₀, D₁]`: the discounted net money of a cycle, and the discount factor of
    /// its length on the cycles without and with the primary goal.
    fn discounted(&self, delta: f64) -> Result<(f64, [f64; 2]), AnalyzeError> {
        let (j, c) = (self.j, self.c);
        let n = c.len();
        let dur: Vec<f64> = (0..n)
            .map(|x| {
                factor(
                    delta,
                    j.touchpoints[c.tp[x] as usize].visit(self.seg).duration,
                )
            })
            .collect();
        let arrivals = if delta == 0.0 {
            self.visits.to_vec()
        } else {
            self.discounted_arrivals(delta, &dur)?
        };
        let (mut value, mut ends) = (0.0, [0.0; 2]);
        for (x, &a) in arrivals.iter().enumerate() {
            let visit = j.touchpoints[c.tp[x] as usize].visit(self.seg);
            value += a * (visit.value - visit.cost);
            let mut ended: f64 = c.end[x].iter().sum();
            let mut fired_end = 0.0;
            for f in &c.fires[c.fire_start[x]..c.fire_start[x + 1]] {
                let tr = &j.triggers[f.trigger as usize];
                let later = (-delta * tr.after).exp();
                value -= a * dur[x] * f.mass * later * j.channels[tr.via].cost;
                let stays_away = f.mass * (1.0 - tr.probability);
                ended -= stays_away;
                fired_end += stays_away * later;
            }
            ends[c.flag[x] as usize] += a * dur[x] * (ended.max(0.0) + fired_end);
        }
        Ok((value, ends))
    }

    /// `v_δ`: expected discounted arrivals per state, `(I − Q_δ)ᵀ v_δ = α`, with each
    /// transition discounted by the visit's duration (`dur`) and a return's delay.
    fn discounted_arrivals(&self, delta: f64, dur: &[f64]) -> Result<Vec<f64>, AnalyzeError> {
        let c = self.c;
        let n = c.len();
        let mut d = Chain {
            tp: c.tp.clone(),
            edge_start: c.edge_start.clone(),
            edge_to: c.edge_to.clone(),
            ..Chain::default()
        };
        d.edge_p = (0..n)
            .flat_map(|x| {
                (c.edge_start[x]..c.edge_start[x + 1]).map(move |i| {
                    let (p, delay) = (c.edge_p[i], c.edge_delay[i]);
                    // Merged edges to one state share their trigger, so one delay.
                    let wait = if delay > 0.0 && p > 0.0 {
                        (-delta * delay / p).exp()
                    } else {
                        1.0
                    };
                    p * dur[x] * wait
                })
            })
            .collect();
        let solver = Solver::new(&d, Pred::new(&d))?;
        let mut alpha = vec![0.0; n];
        for &(x, w) in &c.init {
            alpha[x as usize] += w;
        }
        let mut v = alpha.clone();
        solver.forward(&mut v, None, &[]);
        let r = solver.forward_residual(&v, &alpha, None);
        within(r, TOLERANCE, "discounted arrivals")?;
        Ok(v)
    }
}

/// `Σ_{k<m} xᵏ`.
fn geometric(x: f64, m: u32) -> f64 {
    if (x - 1.0).abs() < 1e-15 {
        return m as f64;
    }
    (1.0 - x.powi(m as i32)) / (1.0 - x)
}

/// `P(at least K converting cycles)` for K = 1..=`depth`: cycles convert with chance `p`; after
/// one that did, another follows with chance `r`, after one that did not with `w`; at most
/// `m` cycles.
fn retention(p: f64, r: f64, w: f64, m: u32, depth: u32) -> Vec<f64> {
    let depth = depth as usize;
    let mut out = vec![0.0; depth];
    // before[j]: P(this cycle happens with j converting cycles before it), j < depth.
    let mut before = vec![0.0; depth];
    before[0] = 1.0;
    for _ in 0..m {
        let mut next = vec![0.0; depth];
        for (j, &b) in before.iter().enumerate() {
            if b == 0.0 {
                continue;
            }
            // This cycle converts: the (j + 1)-th purchase.
            out[j] += b * p;
            if j + 1 < depth {
                next[j + 1] += b * p * r;
            }
            next[j] += b * (1.0 - p) * w;
        }
        if next.iter().all(|&x| x == 0.0) {
            break;
        }
        before = next;
    }
    // `out[j]` is P(reaching j + 1 purchases): at least j + 1.
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometric_sums() {
        assert_eq!(geometric(0.5, 1), 1.0);
        assert!((geometric(0.5, 3) - 1.75).abs() < 1e-15);
        assert_eq!(geometric(1.0, 40), 40.0);
    }

    /// Converting with certainty and coming back with chance r: retention(K) = r^(K − 1).
    #[test]
    fn retention_of_certain_conversion_is_a_power_of_the_repeat_chance() {
        let r = retention(1.0, 0.4, 0.0, 100, 4);
        for (k, v) in r.iter().enumerate() {
            assert!((v - 0.4f64.powi(k as i32)).abs() < 1e-15, "{r:?}");
        }
        // At most two cycles: nobody buys three times.
        assert_eq!(retention(1.0, 0.4, 0.0, 2, 3)[2], 0.0);
    }

    /// With winback, retention(1) = P(some cycle converts) exceeds first-cycle conversion.
    #[test]
    fn winback_lifts_retention_above_conversion() {
        let (p, w) = (0.3, 0.5);
        let r1 = retention(p, 0.0, w, 1000, 1)[0];
        // P(a conversion before the customer is gone): p / (1 − (1 − p)·w).
        assert!((r1 - p / (1.0 - (1.0 - p) * w)).abs() < 1e-12, "{r1}");
        assert!(r1 > p);
    }

    #[test]
    fn discount_factor_of_a_uniform_delay() {
        let d = |a: f64, b: f64| Duration { min: a, max: b };
        assert_eq!(factor(0.0, d(5.0, 9.0)), 1.0);
        assert!((factor(0.1, d(2.0, 2.0)) - (-0.2f64).exp()).abs() < 1e-15);
        let want = ((-0.1f64 * 2.0).exp() - (-0.1f64 * 6.0).exp()) / (0.1 * 4.0);
        assert!((factor(0.1, d(2.0, 6.0)) - want).abs() < 1e-15);
    }
}
