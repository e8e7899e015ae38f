//! The full-state decision process over a customer's lifetime (LANGUAGE-2.md §3 with §4): the
//! bound of `optimize` for the lifetime metrics (`cycles`, `purchases`, `lifetime_cost`,
//! `lifetime_revenue`, `clv`), alone or with first-cycle ones.
//!
//! A customer's whole state over the lifetime is the chain state of the cycle they are in,
//! the cycle's number (`max_cycles` ends the lifetime) and, where `clv` discounts, the time
//! since the first cycle began — or rather `u = e^(−δt)`, the discount factor of a money
//! event now. Cycles are *layers* solved backwards from the last: a layer is the one-cycle
//! process of [`Mdp`] whose endings lead, with the segment's `repeat` (goal achieved) or
//! `winback` chance, to the next layer's start, after the delay.
//!
//! How a layer's optimal values depend on `u`:
//! - **flat** — no discounted metric (`clv` at a 0% discount counts as undiscounted): `u`
//!   does not matter, and the layer is an ordinary process;
//! - **proportional** — only discounted metrics: every reward scales with `u`, so the values
//!   do (`V(x, u) = u · V(x, 1)`), and discounting is a factor on every move (the expected
//!   `e^(−δτ)` of a uniform duration τ): an ordinary process too. Both are exact, so the
//!   optimum they give is the optimum over full-state policies;
//! - **grid** — discounted and undiscounted metrics together (`maximize clv` under a
//!   first-cycle cost constraint, say): the best choice then depends on the time, and the
//!   value `V(x, ·)` is the upper envelope of one line per way of going on (a policy from `x`
//!   is worth `u·A + B`), so it is convex in `u`. It is kept at grid points `u_g` from 1 to 0
//!   and bounded above between them by the chord (linear interpolation); the expected value
//!   at an arrival whose factor `U` ranges over `[lo, hi]` with mean `ū` is bounded by the
//!   chord of `V` over `[lo, hi]` at `ū` (Edmundson–Madansky: a convex function lies under
//!   its chord). Every step over-estimates, and value iteration with an over-estimating,
//!   monotone step converges to values at least the true ones: the optimum it gives is a
//!   bound on the full-state optimum, a little above it, never below.
//!
//! First-cycle metrics count in layer 0 only; `cycles` counts 1 at every cycle's start. A
//! layer past which nothing changes any more (the values of two successive layers agree to
//! 1e-15) is the fixed point every earlier layer but the first repeats.

use super::{Mdp, Solution};
use crate::analyze::AnalyzeError;
use crate::analyze::lifetime::factor;
use crate::model::{Comeback, Journey, Metric, SegmentId};

/// Grid points of `u` where a layer's values depend on the time.
const GRID: usize = 24;

/// The lifetime metrics: their value adds up over every cycle.
pub fn over_lifetime(m: Metric) -> bool {
    matches!(
        m,
        Metric::Cycles
            | Metric::Purchases
            | Metric::LifetimeCost
            | Metric::LifetimeRevenue
            | Metric::Clv
    )
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Class {
    /// Counted in the first cycle, undiscounted.
    First,
    /// Counted in every cycle, undiscounted.
    Life,
    /// Counted in every cycle, discounted to the first cycle's start.
    Discounted,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Shape {
    Flat,
    Proportional,
    Grid,
}

/// A function of `u` per state (or one, a layer's start), as `width` numbers per point:
/// the weighted value, then each metric's.
struct Values {
    shape: Shape,
    /// `at[(x * points + g) * width + k]`.
    at: Vec<f64>,
}

/// Where an expectation `E[V(U)]`, `U` in `[lo, hi]` with mean `mean`, is read: grid
/// points and weights (at most four), bounding it from above for a convex `V`.
#[derive(Default)]
struct Read {
    n: usize,
    g: [usize; 4],
    w: [f64; 4],
}

impl Read {
    fn push(&mut self, g: usize, w: f64) {
        if w != 0.0 {
            self.g[self.n] = g;
            self.w[self.n] = w;
            self.n += 1;
        }
    }
}

struct Layers<'a> {
    mdp: &'a Mdp,
    classes: Vec<Class>,
    /// Per metric: what a cycle's start adds (1 for `cycles`).
    per_cycle: Vec<f64>,
    w: &'a [f64],
    /// Per flag (goal not achieved, achieved): the chance of another cycle and its delay.
    next: [Comeback; 2],
    /// The grid, `u` decreasing from 1 to 0 (only where `clv` discounts: a grid needs it).
    grid: Vec<f64>,
    /// Per edge: the range and mean `[lo, mean, hi]` of its discount factor (see
    /// [`discount`]); per ending piece, the same up to the next cycle's start.
    edge_factor: Vec<[f64; 3]>,
    term_factor: Vec<[f64; 3]>,
}

/// The range and mean `[lo, mean, hi]` of `e^(−δ(τ + delay + gap))` for a duration τ, a
/// delay, and the gap to another cycle (`None`: within the cycle), all uniform.
fn discount(
    delta: f64,
    d: crate::model::Duration,
    delay: f64,
    gap: Option<crate::model::Duration>,
) -> [f64; 3] {
    if delta == 0.0 {
        return [1.0; 3];
    }
    let (gmin, gmax, gmean) = gap.map_or((0.0, 0.0, 1.0), |g| {
        (g.min, g.max.max(g.min), factor(delta, g))
    });
    let e = |t: f64| (-delta * t).exp();
    [
        e(d.max.max(d.min) + delay + gmax),
        factor(delta, d) * e(delay) * gmean,
        e(d.min + delay + gmin),
    ]
}

impl Layers<'_> {
    fn width(&self) -> usize {
        self.mdp.metrics + 1
    }

    fn points(&self, shape: Shape) -> usize {
        if shape == Shape::Grid { GRID } else { 1 }
    }

    fn shape(&self, first: bool) -> Shape {
        let has = |c: Class| {
            self.classes
                .iter()
                .any(|&k| k == c && (first || k != Class::First))
        };
        match (
            has(Class::Discounted),
            has(Class::First) || has(Class::Life),
        ) {
            (false, _) => Shape::Flat,
            (true, false) => Shape::Proportional,
            (true, true) => Shape::Grid,
        }
    }

    /// Linear interpolation at `v` in `[0, 1]` of the grid.
    fn interpolate(&self, v: f64, scale: f64, r: &mut Read) {
        let g = &self.grid;
        // The first point at or below v (grid decreasing; the last is 0).
        let i = g.partition_point(|&u| u > v).min(GRID - 1);
        if i == 0 || g[i] == v {
            r.push(i, scale);
            return;
        }
        let (hi, lo) = (g[i - 1], g[i]);
        let t = (v - lo) / (hi - lo);
        r.push(i - 1, scale * t);
        r.push(i, scale * (1.0 - t));
    }

    /// Where `E[V(U)]` of a function of shape `shape` is read, `U = u·X` with `X` in
    /// `[lo, hi]` of mean `mean`.
    fn read(&self, shape: Shape, u: f64, lo: f64, mean: f64, hi: f64) -> Read {
        let mut r = Read::default();
        match shape {
            Shape::Flat => r.push(0, 1.0),
            // Stored at u = 1: V(u·X) = u·X·V(1).
            Shape::Proportional => r.push(0, u * mean),
            Shape::Grid => {
                let (lo, mean, hi) = (u * lo, u * mean, u * hi);
                if hi - lo <= 1e-15 * hi {
                    self.interpolate(mean, 1.0, &mut r);
                } else {
                    let t = ((mean - lo) / (hi - lo)).clamp(0.0, 1.0);
                    self.interpolate(lo, 1.0 - t, &mut r);
                    self.interpolate(hi, t, &mut r);
                }
            }
        }
        r
    }

    /// Solves one layer: `values` (warm, or of another shape: restarted from 0) becomes the
    /// layer's, given the next layer's start (`None` for the last). Returns the action
    /// taken at every state at `u = 1`.
    fn layer(
        &self,
        first: bool,
        values: &mut Values,
        next: Option<&Values>,
    ) -> Result<Vec<usize>, AnalyzeError> {
        let mdp = self.mdp;
        let (n, m, width) = (mdp.len(), mdp.metrics, self.width());
        let shape = self.shape(first);
        let points = self.points(shape);
        if values.shape != shape || values.at.len() != n * points * width {
            *values = Values {
                shape,
                at: vec![0.0; n * points * width],
            };
        }
        let mut best = vec![0usize; n];
        let mut q = vec![0.0f64; width];
        let mut top = vec![0.0f64; width];
        // Lowest u first: a point's values read only its own and lower points'.
        for g in (0..points).rev() {
            let u = if shape == Shape::Grid {
                self.grid[g]
            } else {
                1.0
            };
            // State x's best action at this point from its successors': whether a value
            // moved by more than 1e-14 of its size.
            let mut update = |x: usize, values: &mut Values| -> bool {
                let mut moved = false;
                let mut arg = usize::MAX;
                for a in mdp.act_start[x]..mdp.act_start[x + 1] {
                    q.fill(0.0);
                    for k in 0..m {
                        let r = mdp.reward[a * m + k];
                        let r = match self.classes[k] {
                            Class::First if !first => 0.0,
                            Class::First | Class::Life => r,
                            Class::Discounted if shape == Shape::Grid => u * r,
                            Class::Discounted => r,
                        };
                        q[1 + k] = r;
                        q[0] += self.w[k] * r;
                    }
                    for e in mdp.edge_start[a]..mdp.edge_start[a + 1] {
                        let [lo, mean, hi] = self.edge_factor[e];
                        let r = self.read(shape, u, lo, mean, hi);
                        let y = mdp.edge_to[e] as usize;
                        let p = mdp.edge_p[e];
                        for i in 0..r.n {
                            let at = &values.at[(y * points + r.g[i]) * width..][..width];
                            let w = p * r.w[i];
                            for k in 0..width {
                                q[k] += w * at[k];
                            }
                        }
                    }
                    if let Some(next) = next {
                        let flag = mdp.flag[x] as usize;
                        let again = self.next[flag];
                        if again.chance > 0.0 {
                            for t in mdp.term_start[a]..mdp.term_start[a + 1] {
                                let [lo, mean, hi] = self.term_factor[t];
                                let r = self.read(next.shape, u, lo, mean, hi);
                                let p = mdp.term_mass[t] * again.chance;
                                for i in 0..r.n {
                                    let at = &next.at[r.g[i] * width..][..width];
                                    let w = p * r.w[i];
                                    for k in 0..width {
                                        q[k] += w * at[k];
                                    }
                                }
                            }
                        }
                    }
                    if arg == usize::MAX || q[0] > top[0] + 1e-15 * q[0].abs().max(1.0) {
                        top.copy_from_slice(&q);
                        arg = a;
                    }
                }
                let at = &mut values.at[(x * points + g) * width..][..width];
                for k in 0..width {
                    moved |= (top[k] - at[k]).abs() > 1e-14 * top[k].abs().max(1.0);
                    at[k] = top[k];
                }
                if g == 0 {
                    best[x] = arg;
                }
                moved
            };
            // Component by component, successors first (see `Mdp::components`).
            for c in 0..mdp.acyclic.len() {
                let states = &mdp.order[mdp.component[c] as usize..mdp.component[c + 1] as usize];
                if mdp.acyclic[c] {
                    update(states[0] as usize, values);
                    continue;
                }
                super::sweep_until_settled("the optimal policy's lifetime values", || {
                    let mut moved = false;
                    for &x in states {
                        moved |= update(x as usize, values);
                    }
                    moved
                })?;
            }
        }
        Ok(best)
    }

    /// The start of a layer: its entries' values, plus what a cycle's start adds.
    fn start(&self, values: &Values) -> Values {
        let width = self.width();
        let points = self.points(values.shape);
        let mut at = vec![0.0; points * width];
        for g in 0..points {
            let here = &mut at[g * width..][..width];
            for &(x, p) in &self.mdp.init {
                let v = &values.at[(x as usize * points + g) * width..][..width];
                for k in 0..width {
                    here[k] += p * v[k];
                }
            }
            // Only `cycles` adds at the start: undiscounted, so never in a proportional layer.
            for k in 0..self.mdp.metrics {
                here[1 + k] += self.per_cycle[k];
                here[0] += self.w[k] * self.per_cycle[k];
            }
        }
        Values {
            shape: values.shape,
            at,
        }
    }
}

impl Mdp {
    /// Maximises the weighted reward `Σ_k w[k] · metric_k` over policies that may depend on
    /// the customer's whole state over the lifetime (see the module), where the metrics
    /// include lifetime ones: layer by layer, from the last cycle back to the first. The
    /// totals are each metric's under the maximising choices (for a grid, the same bound's).
    pub fn solve_lifetime(
        &self,
        j: &Journey,
        seg: SegmentId,
        w: &[f64],
    ) -> Result<Solution, AnalyzeError> {
        let lifecycle = j.lifecycle.as_ref();
        let delta = lifecycle.map_or(0.0, |l| l.rate_per_second());
        let none = Comeback::default();
        let next = lifecycle.map_or([none, none], |l| [l.winback[seg], l.repeat[seg]]);
        let cycles = lifecycle.map_or(1, |l| l.max_cycles).max(1);
        let classes: Vec<Class> = self
            .kinds
            .iter()
            .map(|&k| match k {
                Metric::Clv if delta > 0.0 => Class::Discounted,
                k if over_lifetime(k) => Class::Life,
                _ => Class::First,
            })
            .collect();
        // u at the grid: 1, then e^(−δt) for t from an hour to where u is 1e-4 (geometric),
        // then 0.
        let mut grid = Vec::new();
        if delta > 0.0 {
            let (t0, t1) = (3600.0f64, (1e4f64.ln() / delta).max(7200.0));
            let ratio = (t1 / t0).powf(1.0 / (GRID - 3) as f64);
            grid.push(1.0);
            grid.extend((0..GRID - 2).map(|i| (-delta * t0 * ratio.powi(i as i32)).exp()));
            grid.push(0.0);
        }
        // The discount factors of every move and ending, once for all the sweeps.
        let mut edge_factor = vec![[1.0; 3]; self.edge_to.len()];
        let mut term_factor = vec![[1.0; 3]; self.term_mass.len()];
        if delta > 0.0 {
            for x in 0..self.len() {
                let after = next[self.flag[x] as usize].after;
                for a in self.act_start[x]..self.act_start[x + 1] {
                    let (edges, terms) = (
                        self.edge_start[a]..self.edge_start[a + 1],
                        self.term_start[a]..self.term_start[a + 1],
                    );
                    for (f, &delay) in edge_factor[edges.clone()]
                        .iter_mut()
                        .zip(&self.edge_delay[edges])
                    {
                        *f = discount(delta, self.dur[a], delay, None);
                    }
                    for (f, &delay) in term_factor[terms.clone()]
                        .iter_mut()
                        .zip(&self.term_delay[terms])
                    {
                        *f = discount(delta, self.dur[a], delay, Some(after));
                    }
                }
            }
        }
        let layers = Layers {
            mdp: self,
            per_cycle: self
                .kinds
                .iter()
                .map(|&k| if k == Metric::Cycles { 1.0 } else { 0.0 })
                .collect(),
            classes,
            w,
            next,
            grid,
            edge_factor,
            term_factor,
        };
        let mut values = Values {
            shape: Shape::Flat,
            at: Vec::new(),
        };
        let mut start: Option<Values> = None;
        // Layers past the first, last first, until two in a row agree.
        for _ in 1..cycles {
            layers.layer(false, &mut values, start.as_ref())?;
            let s = layers.start(&values);
            let settled = start.as_ref().is_some_and(|was| {
                was.shape == s.shape
                    && was
                        .at
                        .iter()
                        .zip(&s.at)
                        .all(|(a, b)| (a - b).abs() <= 1e-15 * a.abs().max(1.0))
            });
            start = Some(s);
            if settled {
                break;
            }
        }
        let best = layers.layer(true, &mut values, start.as_ref())?;
        let first = layers.start(&values);
        let occ = self.occupation(&best);
        Ok(Solution {
            value: first.at[0],
            totals: first.at[1..layers.width()].to_vec(),
            choices: self.choices(j, &best, &occ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze;
    use crate::analyze::optimize::{Optimality, Problem, evaluate_policy, optimize};
    use crate::model::{Comparison, Options, resolve_source};

    fn resolve(text: &str) -> Journey {
        let c = resolve_source("life.journey", text, &Options::default()).unwrap();
        c.journey.unwrap_or_else(|| panic!("{:?}", c.findings))
    }

    /// A generated journey with options at `decisions` touchpoints, a trigger, context loss
    /// and loops, given a lifecycle with a yearly `discount`.
    fn with_lifecycle(seed: u64, decisions: usize, discount: &str) -> Journey {
        let text = crate::generate::with_options(12, decisions, seed);
        resolve(&crate::generate::with_lifecycle(&text, discount))
    }

    /// The journey under one policy, its options dropped: one action per state.
    fn fixed(j: &Journey, policy: &[Vec<usize>]) -> Journey {
        let mut j = j.with_policy(policy);
        for t in &mut j.touchpoints {
            t.choices.clear();
        }
        j
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    /// With one action per state the optimum is the policy's value: every lifetime metric,
    /// alone and beside a first-cycle one (a grid where `clv` discounts), equals `analyze`'s
    /// closed form (lifetime.rs) on every segment — also at a grid, since a single policy's
    /// value is affine in the discount factor and its chords are exact.
    #[test]
    fn one_policy_over_the_lifetime_equals_analyze() {
        let mut journeys = Vec::new();
        for (seed, discount) in [(3, "10%"), (5, "0%"), (8, "35%")] {
            let j = with_lifecycle(seed, 3, discount);
            let n = j.decisions().count();
            journeys.push(fixed(&j, &vec![vec![0, 0]; n]));
            journeys.push(fixed(&j, &vec![vec![2, 1]; n]));
        }
        let shop = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/v2/shop.journey"
        ))
        .unwrap();
        let shop = resolve(&shop);
        let n = shop.decisions().count();
        journeys.push(fixed(&shop, &vec![vec![0; shop.segments.len()]; n]));
        let lifetime = [
            Metric::Cycles,
            Metric::Purchases,
            Metric::LifetimeCost,
            Metric::LifetimeRevenue,
            Metric::Clv,
        ];
        for (i, j) in journeys.iter().enumerate() {
            let a = analyze(j).unwrap();
            for s in 0..j.segments.len() {
                let f = &a.segments[s];
                for m in lifetime {
                    for beside in [None, Some(Metric::CostPerCustomer), Some(Metric::Cycles)] {
                        let metrics: Vec<Metric> = std::iter::once(m).chain(beside).collect();
                        let mdp = Mdp::new(j, s, &metrics).unwrap();
                        let w = vec![1.0, -0.7];
                        let sol = mdp.solve_lifetime(j, s, &w[..metrics.len()]).unwrap();
                        let want: Vec<f64> =
                            metrics.iter().map(|&k| f.metric(k).unwrap()).collect();
                        for (k, (got, want)) in sol.totals.iter().zip(&want).enumerate() {
                            assert!(
                                close(*got, *want),
                                "journey {i}, segment {s}, {m:?} beside {beside:?}: metric {k} {got} vs {want}"
                            );
                        }
                        let value: f64 = want.iter().zip(&w).map(|(a, b)| a * b).sum();
                        assert!(
                            close(sol.value, value),
                            "journey {i} {m:?}: {} vs {value}",
                            sol.value
                        );
                    }
                }
            }
        }
    }

    /// Every policy of `j` (each segment's every choice), evaluated exactly: the best
    /// feasible value.
    fn brute(j: &Journey, problem: &Problem) -> Option<f64> {
        let nseg = j.segments.len();
        let slots: Vec<usize> = j
            .decisions()
            .flat_map(|t| std::iter::repeat_n(j.touchpoints[t].choices.len(), nseg))
            .collect();
        let total: usize = slots.iter().product();
        let mut best: Option<f64> = None;
        for mut i in 0..total {
            let flat: Vec<usize> = slots
                .iter()
                .map(|&n| {
                    let c = i % n;
                    i /= n;
                    c
                })
                .collect();
            let policy: Vec<Vec<usize>> = flat.chunks(nseg).map(<[usize]>::to_vec).collect();
            let e = evaluate_policy(j, problem, &policy).unwrap();
            let better = |b: f64| {
                if problem.maximize {
                    e.value > b
                } else {
                    e.value < b
                }
            };
            if e.feasible && best.is_none_or(better) {
                best = Some(e.value);
            }
        }
        best
    }

    /// On generated journeys with a lifecycle (a trigger, context loss, loops; 81 policies),
    /// for lifetime objectives alone and under first-cycle and lifetime constraints, at 0%
    /// and positive discounts: `optimize` equals brute force, and its full-state bound is
    /// never on the wrong side of it. Returns (proved, problems) for the record.
    #[test]
    fn the_lifetime_bound_is_never_below_brute_force() {
        let (mut proved, mut problems, mut worst_gap) = (0, 0, 0.0f64);
        for (seed, discount) in [(3, "10%"), (5, "0%"), (8, "35%"), (13, "10%")] {
            let j = with_lifecycle(seed, 2, discount);
            let kpi = |metric: Metric, le: bool, target: f64| {
                let mut k = j.constraints[0].clone();
                k.metric = metric;
                k.segment = None;
                k.comparison = if le { Comparison::Le } else { Comparison::Ge };
                k.target = target;
                k
            };
            for (metric, maximize, limit) in [
                (Metric::Clv, true, None),
                (Metric::Purchases, true, None),
                (Metric::Cycles, true, None),
                (
                    Metric::LifetimeCost,
                    false,
                    Some((Metric::Purchases, false)),
                ),
                (Metric::Clv, true, Some((Metric::CostPerCustomer, true))),
                (
                    Metric::LifetimeRevenue,
                    true,
                    Some((Metric::LifetimeCost, true)),
                ),
                (Metric::Profit, true, Some((Metric::LifetimeCost, true))),
            ] {
                let free = Problem {
                    metric,
                    maximize,
                    constraints: Vec::new(),
                };
                let mut problem = free.clone();
                if let Some((m, le)) = limit {
                    // Halfway between the journey as written and the free optimum.
                    let n = j.decisions().count();
                    let given = vec![vec![0usize; 2]; n];
                    let top = optimize(&j, &free).unwrap().best.unwrap().policy;
                    let probe = Problem {
                        metric: m,
                        maximize: true,
                        constraints: Vec::new(),
                    };
                    let a = evaluate_policy(&j, &probe, &given).unwrap().value;
                    let b = evaluate_policy(&j, &probe, &top).unwrap().value;
                    problem.constraints.push(kpi(m, le, 0.5 * (a + b)));
                }
                let want = brute(&j, &problem);
                let got = optimize(&j, &problem).unwrap();
                let what = format!("seed {seed}, discount {discount}, {metric:?} under {limit:?}");
                let (Some(want), Some(best)) = (want, got.best.as_ref()) else {
                    assert!(want.is_none() && got.best.is_none(), "{what}");
                    continue;
                };
                assert!(
                    (best.value - want).abs() <= 1e-9 * want.abs().max(1.0),
                    "{what}"
                );
                let bound = got.bound.unwrap_or_else(|| panic!("{what}: no bound"));
                let gap = if maximize { bound - want } else { want - bound };
                assert!(
                    gap >= -1e-9 * want.abs().max(1.0),
                    "{what}: bound {bound}, optimum {want}"
                );
                worst_gap = worst_gap.max(gap / want.abs().max(1e-9));
                problems += 1;
                proved += usize::from(got.optimality == Optimality::Proved);
            }
        }
        eprintln!("proved {proved} of {problems}, worst relative gap {worst_gap:e}");
        assert!(proved * 2 >= problems, "proved {proved} of {problems}");
    }
}
