//! The full-state Markov decision process of one segment (LANGUAGE-2.md §4): the states of
//! `analyze`'s chain (touchpoint, context break, goal achieved, firings used), with a choice
//! of option at every state whose touchpoint has options, so that a policy may depend on
//! the customer's whole state. Its optimum bounds every policy the language can state (one
//! option per segment and touchpoint): `optimize`'s certificate.
//!
//! Rewards are per visit and additive over a customer's first cycle, so only per-customer
//! expectations that add up visit by visit are supported ([`supported`]): conversion to the
//! primary goal (a visit of a state with the goal achieved, weighted by the chance the
//! journey ends there), touches, pains, sentiment, effort, cost, revenue, profit, and
//! `reach(TP)` and conversion to a goal other than the primary (the first arrival at TP or
//! at a touchpoint achieving the goal; the state then also holds which of those arrivals
//! happened). The lifetime metrics are solved in layers, one
//! per cycle ([`life`]).

use super::AnalyzeError;
use super::chain::{Context, Key, MAX_STATES};
use super::lifetime::factor;
use crate::model::{Duration, Journey, Metric, SegmentId, Transition, Visit};
use std::collections::HashMap;

mod life;
pub use life::over_lifetime;

/// Metrics whose value is a sum of per-visit rewards in the chain's state space (`reach` and
/// conversion to a goal other than the primary: with a bit each in the state, at most
/// [`MAX_TRACKED`] of them).
pub fn supported(j: &Journey, m: Metric) -> bool {
    match m {
        Metric::Conversion(_)
        | Metric::Touches
        | Metric::Pains
        | Metric::Sentiment
        | Metric::CostPerCustomer
        | Metric::RevenuePerCustomer
        | Metric::Profit
        | Metric::Reach(_) => true,
        Metric::Effort => j.rates_effort(),
        _ => false,
    }
}

/// The most first arrivals (`reach(TP)`, a goal other than the primary) one process tracks:
/// a bit each in the state.
pub const MAX_TRACKED: usize = 8;

/// The process can be built for `metrics` together: each is [`supported`] or
/// [`over_lifetime`], and at most [`MAX_TRACKED`] first arrivals are tracked.
pub fn supports(j: &Journey, metrics: &[Metric]) -> bool {
    metrics.iter().all(|&m| supported(j, m) || over_lifetime(m))
        && tracked(j, metrics).len() <= MAX_TRACKED
}

/// The metrics counted at a customer's first arrival at one of a set of touchpoints, in order
/// of first mention: `reach(TP)` (the set is TP) and conversion to a goal other than the
/// primary (every touchpoint achieving it; the primary goal has its own bit in the chain).
fn tracked(j: &Journey, metrics: &[Metric]) -> Vec<Metric> {
    let mut out: Vec<Metric> = Vec::new();
    for &m in metrics {
        let first_arrival = match m {
            Metric::Reach(_) => true,
            Metric::Conversion(g) => Some(g) != j.primary_goal,
            _ => false,
        };
        if first_arrival && !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// One segment's decision process.
pub struct Mdp {
    /// Touchpoint of each state.
    pub(super) tp: Vec<u32>,
    /// `act_start[x]..act_start[x + 1]` are the actions of state `x`.
    pub(super) act_start: Vec<usize>,
    /// The choice (index in the touchpoint's choices; 0 without options) of each action.
    pub(super) choice: Vec<u32>,
    /// `reward[a * metrics + k]`: metric `k`'s reward per visit under action `a`.
    pub(super) reward: Vec<f64>,
    pub(super) metrics: usize,
    /// `edge_start[a]..edge_start[a + 1]`: successors of action `a`.
    pub(super) edge_start: Vec<usize>,
    pub(super) edge_to: Vec<u32>,
    pub(super) edge_p: Vec<f64>,
    /// The initial distribution.
    pub(super) init: Vec<(u32, f64)>,
    /// The metrics, in the order of `reward`'s.
    kinds: Vec<Metric>,
    /// Per state: the primary goal is achieved (what the lifecycle's next cycle depends on).
    flag: Vec<bool>,
    /// Per action: the visit's duration.
    dur: Vec<Duration>,
    /// Per edge: the delay past the visit's duration before the arrival (a trigger's
    /// `after` for a return, 0 for a move).
    edge_delay: Vec<f64>,
    /// `term_start[a]..term_start[a + 1]`: how action `a` ends the cycle, as pieces of
    /// probability `term_mass` that end `term_delay` past the visit's duration (a trigger
    /// that fired without bringing the customer back ends the cycle at its firing).
    term_start: Vec<usize>,
    term_mass: Vec<f64>,
    term_delay: Vec<f64>,
    /// The states in evaluation order: the strongly connected components of the graph of
    /// every action's moves, successors first (reverse topological order), each
    /// component's states by decreasing index; `component[c]..component[c + 1]` is
    /// component `c`'s range of `order` (built by [`Mdp::components`]).
    order: Vec<u32>,
    component: Vec<u32>,
    /// Per component: it is one state without a move to itself, so that its value under
    /// any action follows from its successors' in one step.
    acyclic: Vec<bool>,
}

/// What [`Mdp::evaluate`] keeps between calls: the last policy's values, and the action
/// each state took for them.
#[derive(Clone, Debug, Default)]
pub struct Warm {
    /// `values[x * metrics + k]`.
    values: Vec<f64>,
    /// Per state: the action behind `values` (`u32::MAX`: none yet).
    action: Vec<u32>,
    /// Per state, during a call: its values changed.
    changed: Vec<bool>,
    /// The values of one component before it is evaluated again.
    old: Vec<f64>,
}

/// A solved process: values and the best action of every state.
pub struct Solution {
    /// The optimal weighted value from the initial distribution.
    pub value: f64,
    /// Per metric, its expected total under the optimal actions.
    pub totals: Vec<f64>,
    /// Per touchpoint with options: the choice taken at the state with the largest expected
    /// visits (`None` where no state of it is visited), and whether every visited state of
    /// it takes that choice.
    pub choices: Vec<Option<(usize, bool)>>,
}

/// Runs `sweep` (which says whether a value moved) until none moves: at most a million
/// sweeps, past which the values of `what` are reported inaccurate.
fn sweep_until_settled(
    what: &'static str,
    mut sweep: impl FnMut() -> bool,
) -> Result<(), AnalyzeError> {
    for _ in 0..1_000_000 {
        if !sweep() {
            return Ok(());
        }
    }
    Err(AnalyzeError::Inaccurate {
        segment: String::new(),
        what,
        residual: f64::NAN,
    })
}

/// Metric `m`'s reward per visit. For the lifetime metrics ([`over_lifetime`]) it is the
/// visit's share of one cycle's: purchases count the cycle's conversion, `clv` the visit's
/// net money discounted to its arrival (a message's cost at its firing, past the visit's
/// duration and the trigger's delay, `delta` per second), `cycles` nothing (each cycle
/// counts 1 at its start).
fn reward(
    j: &Journey,
    m: Metric,
    visit: &Visit,
    step: &super::chain::Step,
    flag: bool,
    delta: f64,
) -> f64 {
    // The messages' cost, each discounted by `at` (the visit's duration) and its delay when
    // `discount` is set.
    let fired = |discount: bool| -> f64 {
        let at = if discount {
            factor(delta, visit.duration)
        } else {
            1.0
        };
        step.fires
            .iter()
            .map(|f| {
                let tr = &j.triggers[f.trigger as usize];
                let later = if discount && delta > 0.0 {
                    at * (-delta * tr.after).exp()
                } else {
                    1.0
                };
                f.mass * later * j.channels[tr.via].cost
            })
            .sum()
    };
    let fired_cost = fired(false);
    match m {
        Metric::Conversion(_) | Metric::Purchases if flag => step.end.iter().sum(),
        Metric::Conversion(_) | Metric::Purchases => 0.0,
        Metric::LifetimeCost => visit.cost + fired_cost,
        Metric::LifetimeRevenue => visit.value,
        Metric::Clv => visit.value - visit.cost - fired(true),
        Metric::Touches => 1.0,
        Metric::Pains => step.pains,
        Metric::Sentiment => f64::from(visit.emotion) - step.pains,
        Metric::CostPerCustomer => visit.cost + fired_cost,
        Metric::RevenuePerCustomer => visit.value,
        Metric::Profit => visit.value - visit.cost - fired_cost,
        Metric::Effort => visit.effort.map_or(0.0, |e| e.expected(step.pained)),
        _ => 0.0,
    }
}

impl Mdp {
    /// Explores every state reachable under some policy, for `metrics`.
    pub fn new(j: &Journey, seg: SegmentId, metrics: &[Metric]) -> Result<Mdp, AnalyzeError> {
        let ctx = Context::new(j, seg, j.primary_goal)?;
        // A state: the chain's, and which tracked first arrivals happened before arriving.
        let tracked = tracked(j, metrics);
        if tracked.len() > MAX_TRACKED {
            return Err(AnalyzeError::Unavailable(
                "reach of, or conversion to, more than 8 targets at once",
            ));
        }
        // Per touchpoint: the tracked arrivals a visit of it makes.
        let bits: Vec<u8> = (0..j.touchpoints.len())
            .map(|t| {
                tracked.iter().enumerate().fold(0u8, |b, (i, m)| {
                    let hit = match *m {
                        Metric::Reach(r) => r == t,
                        Metric::Conversion(g) => j.touchpoints[t].goal.map(|x| x.goal) == Some(g),
                        _ => false,
                    };
                    b | (u8::from(hit) << i)
                })
            })
            .collect();
        let bit = |t: u32| bits[t as usize];
        let mut index: HashMap<(Key, u8), u32> = HashMap::new();
        let mut keys: Vec<(Key, u8)> = Vec::new();
        let mut intern = |key: (Key, u8), keys: &mut Vec<(Key, u8)>| -> Result<u32, AnalyzeError> {
            if let Some(&i) = index.get(&key) {
                return Ok(i);
            }
            if keys.len() >= MAX_STATES {
                return Err(AnalyzeError::TooManyStates {
                    segment: j.segments[seg].name.clone(),
                    limit: MAX_STATES,
                    triggers: String::new(),
                });
            }
            index.insert(key, keys.len() as u32);
            keys.push(key);
            Ok(keys.len() as u32 - 1)
        };
        let mut m = Mdp {
            tp: Vec::new(),
            act_start: vec![0],
            choice: Vec::new(),
            reward: Vec::new(),
            metrics: metrics.len(),
            edge_start: vec![0],
            edge_to: Vec::new(),
            edge_p: Vec::new(),
            init: Vec::new(),
            kinds: metrics.to_vec(),
            flag: Vec::new(),
            dur: Vec::new(),
            edge_delay: Vec::new(),
            term_start: vec![0],
            term_mass: Vec::new(),
            term_delay: Vec::new(),
            order: Vec::new(),
            component: Vec::new(),
            acyclic: Vec::new(),
        };
        for (t, w) in j.entries() {
            let key = Key {
                tp: t as u32,
                brk: false,
                flag: ctx.primary(t),
                fires: 0,
            };
            let i = intern((key, 0), &mut keys)?;
            m.init.push((i, w));
        }
        let delta = j.lifecycle.as_ref().map_or(0.0, |l| l.rate_per_second());
        let mut x = 0;
        while x < keys.len() {
            let (key, seen) = keys[x];
            let after = seen | bit(key.tp);
            let tp = &j.touchpoints[key.tp as usize];
            let options: Vec<(Visit, &[Transition])> = if tp.choices.is_empty() {
                vec![(
                    tp.visit(seg),
                    tp.transitions.get(seg).map_or(&[][..], Vec::as_slice),
                )]
            } else {
                tp.choices
                    .iter()
                    .map(|c| {
                        (
                            c.visits[seg],
                            c.transitions.get(seg).map_or(&[][..], Vec::as_slice),
                        )
                    })
                    .collect()
            };
            for (c, (visit, moves)) in options.iter().enumerate() {
                let step = ctx.step(key, visit.friction, moves);
                m.choice.push(c as u32);
                m.dur.push(visit.duration);
                for &metric in metrics {
                    // A tracked metric: 1 at the first arrival at its touchpoints.
                    let first = tracked
                        .iter()
                        .position(|&t| t == metric)
                        .map(|i| f64::from(u8::from(after & !seen & (1 << i) != 0)));
                    m.reward.push(match first {
                        Some(r) => r,
                        None => reward(j, metric, visit, &step, key.flag, delta),
                    });
                }
                for (to, &p) in step.moves.iter().zip(&step.move_p) {
                    if let Some(to) = to {
                        let y = intern((*to, after), &mut keys)?;
                        m.edge_to.push(y);
                        m.edge_p.push(p);
                        m.edge_delay.push(0.0);
                    }
                }
                for (k, back, to) in step.returns.iter().flatten() {
                    if let Some(to) = to {
                        let y = intern((*to, after), &mut keys)?;
                        m.edge_to.push(y);
                        m.edge_p.push(*back);
                        m.edge_delay.push(j.triggers[*k as usize].after);
                    }
                }
                m.edge_start.push(m.edge_to.len());
                // The cycle ends: at the visit's end, or at a firing that brings nobody back.
                let mut ended: f64 = step.end.iter().sum();
                for f in &step.fires {
                    let tr = &j.triggers[f.trigger as usize];
                    let away = f.mass * (1.0 - tr.probability);
                    if away > 0.0 {
                        ended -= away;
                        m.term_mass.push(away);
                        m.term_delay.push(tr.after);
                    }
                }
                if ended > 0.0 {
                    m.term_mass.push(ended);
                    m.term_delay.push(0.0);
                }
                m.term_start.push(m.term_mass.len());
            }
            m.tp.push(key.tp);
            m.flag.push(key.flag);
            m.act_start.push(m.choice.len());
            x += 1;
        }
        m.components();
        Ok(m)
    }

    /// Builds `order`, `component` and `acyclic`: Tarjan's algorithm (iterative) on the
    /// graph whose edges are every action's moves, which emits components successors
    /// first. Whatever the policy, a state's successors are then in its component or in one
    /// before it.
    fn components(&mut self) {
        let n = self.len();
        const NONE: u32 = u32::MAX;
        let succ =
            |x: usize| self.edge_start[self.act_start[x]]..self.edge_start[self.act_start[x + 1]];
        let mut index = vec![NONE; n];
        let mut low = vec![0u32; n];
        let mut on_stack = vec![false; n];
        let mut stack: Vec<u32> = Vec::new();
        // The depth-first path: (state, next edge to follow).
        let mut path: Vec<(u32, usize)> = Vec::new();
        let mut next = 0u32;
        let (mut order, mut component, mut acyclic) =
            (Vec::with_capacity(n), vec![0u32], Vec::new());
        for root in 0..n {
            if index[root] != NONE {
                continue;
            }
            index[root] = next;
            low[root] = next;
            next += 1;
            stack.push(root as u32);
            on_stack[root] = true;
            path.push((root as u32, succ(root).start));
            while let Some(&mut (x, ref mut e)) = path.last_mut() {
                let x = x as usize;
                if *e < succ(x).end {
                    let y = self.edge_to[*e] as usize;
                    *e += 1;
                    if index[y] == NONE {
                        index[y] = next;
                        low[y] = next;
                        next += 1;
                        stack.push(y as u32);
                        on_stack[y] = true;
                        path.push((y as u32, succ(y).start));
                    } else if on_stack[y] {
                        low[x] = low[x].min(index[y]);
                    }
                    continue;
                }
                path.pop();
                if let Some(&(parent, _)) = path.last() {
                    low[parent as usize] = low[parent as usize].min(low[x]);
                }
                if low[x] == index[x] {
                    let from = order.len();
                    loop {
                        let y = stack.pop().expect("x is on the stack");
                        on_stack[y as usize] = false;
                        order.push(y);
                        if y as usize == x {
                            break;
                        }
                    }
                    order[from..].sort_unstable_by(|a, b| b.cmp(a));
                    acyclic.push(
                        order.len() - from == 1 && !succ(x).any(|e| self.edge_to[e] as usize == x),
                    );
                    component.push(order.len() as u32);
                }
            }
        }
        self.order = order;
        self.component = component;
        self.acyclic = acyclic;
    }

    /// States.
    pub fn len(&self) -> usize {
        self.tp.len()
    }

    /// True without states.
    pub fn is_empty(&self) -> bool {
        self.tp.is_empty()
    }

    /// The expected total of every metric under the deterministic policy that takes choice
    /// `choice[t]` at every state of touchpoint `t` (index in its choices; 0 where it has
    /// none): policy evaluation component by component, successors first (see
    /// [`Mdp::components`]) — a state alone in its component is exact in one step, the states
    /// of a cycle take Gauss–Seidel sweeps until no value moves by more than 1e-14 of its
    /// size. `warm` holds the values between calls: a component whose actions and
    /// successors' values are those of the last call keeps its values, and one evaluated
    /// again starts from them (a nearby policy's values: few sweeps).
    pub fn evaluate(&self, choice: &[usize], warm: &mut Warm) -> Result<Vec<f64>, AnalyzeError> {
        // The usual few metrics as a constant, so that the loops over them unroll.
        match self.metrics {
            1 => self.evaluate_with::<1>(choice, warm),
            2 => self.evaluate_with::<2>(choice, warm),
            3 => self.evaluate_with::<3>(choice, warm),
            4 => self.evaluate_with::<4>(choice, warm),
            _ => self.evaluate_with::<0>(choice, warm),
        }
    }

    /// [`Mdp::evaluate`] with `M` metrics (0: `self.metrics`, any number).
    fn evaluate_with<const M: usize>(
        &self,
        choice: &[usize],
        warm: &mut Warm,
    ) -> Result<Vec<f64>, AnalyzeError> {
        let n = self.len();
        let m = if M == 0 { self.metrics } else { M };
        if warm.values.len() != n * m || warm.action.len() != n {
            warm.values = vec![0.0; n * m];
            warm.action = vec![u32::MAX; n];
            warm.changed = vec![false; n];
        }
        let Warm {
            values,
            action: taken,
            changed,
            old,
        } = warm;
        let action = |x: usize| {
            let first = self.act_start[x];
            let count = self.act_start[x + 1] - first;
            first + choice[self.tp[x] as usize].min(count - 1)
        };
        for c in 0..self.acyclic.len() {
            let states = &self.order[self.component[c] as usize..self.component[c + 1] as usize];
            if self.acyclic[c] {
                // One step, exact: its successors' values are final. Taken again only when
                // its action or a successor's value changed.
                let x = states[0] as usize;
                let a = action(x);
                let edges = self.edge_start[a]..self.edge_start[a + 1];
                if taken[x] == a as u32 && !self.edge_to[edges].iter().any(|&y| changed[y as usize])
                {
                    changed[x] = false;
                    continue;
                }
                taken[x] = a as u32;
                changed[x] = self.step::<M>(x, a, values).1;
                continue;
            }
            for &x in states {
                changed[x as usize] = false;
            }
            let dirty = states.iter().any(|&x| {
                let (x, a) = (x as usize, action(x as usize));
                taken[x] != a as u32
                    || self.edge_to[self.edge_start[a]..self.edge_start[a + 1]]
                        .iter()
                        .any(|&y| changed[y as usize])
            });
            if !dirty {
                continue;
            }
            old.clear();
            for &x in states {
                let x = x as usize;
                taken[x] = action(x) as u32;
                old.extend_from_slice(&values[x * m..(x + 1) * m]);
            }
            // A cycle: Gauss–Seidel sweeps over its states.
            sweep_until_settled("a policy's values", || {
                let mut moved = false;
                for &x in states {
                    moved |= self
                        .step::<M>(x as usize, taken[x as usize] as usize, values)
                        .0;
                }
                moved
            })?;
            for (i, &x) in states.iter().enumerate() {
                let x = x as usize;
                changed[x] = values[x * m..(x + 1) * m] != old[i * m..(i + 1) * m];
            }
        }
        Ok((0..m)
            .map(|k| {
                self.init
                    .iter()
                    .map(|&(x, p)| p * values[x as usize * m + k])
                    .sum()
            })
            .collect())
    }

    /// State `x`'s values under action `a` from its successors' (`M` metrics, 0: any
    /// number): whether one moved by more than 1e-14 of its size, and whether one changed.
    #[inline(always)]
    fn step<const M: usize>(&self, x: usize, a: usize, values: &mut [f64]) -> (bool, bool) {
        // Every metric in one pass over the moves, up to `WIDE` metrics.
        const WIDE: usize = 4;
        let m = if M == 0 { self.metrics } else { M };
        let edges = self.edge_start[a]..self.edge_start[a + 1];
        let (to, p) = (&self.edge_to[edges.clone()], &self.edge_p[edges]);
        let mut next = [0.0f64; WIDE];
        if m <= WIDE {
            for (&y, &p) in to.iter().zip(p) {
                let y = &values[y as usize * m..][..m];
                for k in 0..m {
                    next[k] += p * y[k];
                }
            }
        }
        let (mut moved, mut changed) = (false, false);
        let reward = &self.reward[a * m..][..m];
        for k in 0..m {
            let next = match m <= WIDE {
                true => next[k],
                false => to
                    .iter()
                    .zip(p)
                    .map(|(&y, &p)| p * values[y as usize * m + k])
                    .sum(),
            };
            let v = reward[k] + next;
            let was = values[x * m + k];
            moved |= (v - was).abs() > 1e-14 * v.abs().max(1.0);
            changed |= v != was;
            values[x * m + k] = v;
        }
        (moved, changed)
    }

    fn q(&self, a: usize, w: &[f64], v: &[f64]) -> f64 {
        let r: f64 = (0..self.metrics)
            .map(|k| w[k] * self.reward[a * self.metrics + k])
            .sum();
        let next: f64 = (self.edge_start[a]..self.edge_start[a + 1])
            .map(|e| self.edge_p[e] * v[self.edge_to[e] as usize])
            .sum();
        r + next
    }

    /// Maximises the weighted reward `Σ_k w[k] · metric_k` over full-state policies, by
    /// value iteration component by component (Gauss–Seidel sweeps over a cycle's states
    /// until no value moves by more than 1e-14 of its size), then evaluates the greedy
    /// policy's totals per metric.
    pub fn solve(&self, j: &Journey, w: &[f64]) -> Result<Solution, AnalyzeError> {
        let n = self.len();
        let mut v = vec![0.0f64; n];
        let mut best = vec![0usize; n];
        // The best action of `x` from its successors' values: how far its value moved.
        let mut update = |x: usize, v: &mut [f64]| {
            let (mut top, mut arg) = (f64::NEG_INFINITY, self.act_start[x]);
            for a in self.act_start[x]..self.act_start[x + 1] {
                let q = self.q(a, w, v);
                if q > top + 1e-15 * q.abs().max(1.0) {
                    top = q;
                    arg = a;
                }
            }
            let delta = (top - v[x]).abs() / top.abs().max(1.0);
            v[x] = top;
            best[x] = arg;
            delta
        };
        // Component by component, successors first: a state alone in its component is
        // final in one step, a cycle's states take sweeps until none moves.
        for c in 0..self.acyclic.len() {
            let states = &self.order[self.component[c] as usize..self.component[c + 1] as usize];
            if self.acyclic[c] {
                update(states[0] as usize, &mut v);
                continue;
            }
            sweep_until_settled("the optimal policy's values", || {
                let mut delta: f64 = 0.0;
                for &x in states {
                    delta = delta.max(update(x as usize, &mut v));
                }
                delta > 1e-14
            })?;
        }
        // Expected visits of each state under the greedy actions, and each metric's total.
        let occ = self.occupation(&best);
        let totals: Vec<f64> = (0..self.metrics)
            .map(|k| {
                (0..n)
                    .map(|x| occ[x] * self.reward[best[x] * self.metrics + k])
                    .sum()
            })
            .collect();
        let value = self.init.iter().map(|&(x, p)| p * v[x as usize]).sum();
        let choices = self.choices(j, &best, &occ);
        Ok(Solution {
            value,
            totals,
            choices,
        })
    }

    /// Expected visits of each state when state `x` takes action `best[x]`: the entry mass
    /// pushed forward component by component, predecessors first (the reverse of
    /// [`Mdp::components`]' order) — a state alone in its component receives all its visits
    /// before it passes them on, and a cycle's states pass their unpassed visits round until
    /// what is left is under 1e-16 of the component's largest.
    fn occupation(&self, best: &[usize]) -> Vec<f64> {
        let n = self.len();
        let mut occ = vec![0.0f64; n];
        // Visits arrived at each state and not yet passed on.
        let mut held = vec![0.0f64; n];
        for &(x, p) in &self.init {
            held[x as usize] += p;
        }
        let pass = |x: usize, r: f64, held: &mut [f64]| {
            let a = best[x];
            for e in self.edge_start[a]..self.edge_start[a + 1] {
                held[self.edge_to[e] as usize] += r * self.edge_p[e];
            }
        };
        for c in (0..self.acyclic.len()).rev() {
            let states = &self.order[self.component[c] as usize..self.component[c + 1] as usize];
            if self.acyclic[c] {
                let x = states[0] as usize;
                let r = std::mem::take(&mut held[x]);
                occ[x] = r;
                pass(x, r, &mut held);
                continue;
            }
            for _ in 0..1_000_000 {
                let (mut left, mut top) = (0.0f64, 0.0f64);
                for &x in states {
                    let x = x as usize;
                    let r = std::mem::take(&mut held[x]);
                    if r != 0.0 {
                        occ[x] += r;
                        pass(x, r, &mut held);
                    }
                    top = top.max(occ[x]);
                }
                for &x in states {
                    left = left.max(held[x as usize]);
                }
                if left <= 1e-16 * top {
                    break;
                }
            }
            for &x in states {
                occ[x as usize] += std::mem::take(&mut held[x as usize]);
            }
        }
        occ
    }

    /// Per touchpoint with options, the choice of its most visited state under the actions
    /// `best` (`occ`: their expected visits), and whether every visited state of it agrees.
    fn choices(&self, j: &Journey, best: &[usize], occ: &[f64]) -> Vec<Option<(usize, bool)>> {
        let mut choices: Vec<Option<(usize, bool)>> = vec![None; j.touchpoints.len()];
        let mut heaviest = vec![0.0f64; j.touchpoints.len()];
        for x in 0..self.len() {
            let t = self.tp[x] as usize;
            if j.touchpoints[t].choices.is_empty() || occ[x] <= 0.0 {
                continue;
            }
            let c = self.choice[best[x]] as usize;
            match &mut choices[t] {
                None => {
                    choices[t] = Some((c, true));
                    heaviest[t] = occ[x];
                }
                Some((held, same)) => {
                    if *held != c {
                        *same = false;
                        if occ[x] > heaviest[t] {
                            *held = c;
                        }
                    }
                    heaviest[t] = heaviest[t].max(occ[x]);
                }
            }
        }
        choices
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Options, resolve_source};

    /// Policy evaluation as plain Gauss–Seidel sweeps over every state, from zero, until no
    /// value moves by more than 1e-15 of its size.
    fn reference(mdp: &Mdp, choice: &[usize]) -> Vec<f64> {
        let (n, m) = (mdp.len(), mdp.metrics);
        let mut v = vec![0.0f64; n * m];
        loop {
            let mut delta: f64 = 0.0;
            for x in (0..n).rev() {
                let first = mdp.act_start[x];
                let a = first + choice[mdp.tp[x] as usize].min(mdp.act_start[x + 1] - first - 1);
                for k in 0..m {
                    let next: f64 = (mdp.edge_start[a]..mdp.edge_start[a + 1])
                        .map(|e| mdp.edge_p[e] * v[mdp.edge_to[e] as usize * m + k])
                        .sum();
                    let y = mdp.reward[a * m + k] + next;
                    delta = delta.max((y - v[x * m + k]).abs() / y.abs().max(1.0));
                    v[x * m + k] = y;
                }
            }
            if delta <= 1e-15 {
                break;
            }
        }
        (0..m)
            .map(|k| {
                mdp.init
                    .iter()
                    .map(|&(x, p)| p * v[x as usize * m + k])
                    .sum()
            })
            .collect()
    }

    /// Evaluated component by component and warm-started along a sequence of random
    /// policies (few choices changed, many, or none), the totals equal plain sweeps' to
    /// 1e-12; the components cover every state once and successors come first.
    #[test]
    fn evaluation_by_components_equals_plain_sweeps() {
        let example = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/decisions.journey"
        ))
        .unwrap();
        // SplitMix64 (no dependence on the simulator's streams).
        let mut k = 0u64;
        let draw = |k: u64| {
            let mut z = k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        for text in [example, crate::generate::with_options(300, 30, 7)] {
            let j = resolve_source("t.journey", text.as_str(), &Options::default())
                .unwrap()
                .journey
                .unwrap();
            let metrics = [Metric::Touches, Metric::CostPerCustomer, Metric::Profit];
            for seg in 0..j.segments.len() {
                let mdp = Mdp::new(&j, seg, &metrics).unwrap();
                let mut position = vec![usize::MAX; mdp.len()];
                for (i, &x) in mdp.order.iter().enumerate() {
                    assert_eq!(position[x as usize], usize::MAX, "state {x} twice");
                    position[x as usize] = i;
                }
                let component_of = |i: usize| mdp.component.partition_point(|&c| c as usize <= i);
                for x in 0..mdp.len() {
                    for e in mdp.edge_start[mdp.act_start[x]]..mdp.edge_start[mdp.act_start[x + 1]]
                    {
                        let y = mdp.edge_to[e] as usize;
                        assert!(component_of(position[y]) <= component_of(position[x]));
                    }
                }
                let mut choice = vec![0usize; j.touchpoints.len()];
                let mut warm = Warm::default();
                for round in 0..60 {
                    let chance = [3, 30, 0][round % 3];
                    for t in j.decisions() {
                        k += 1;
                        if draw(k) % 100 < chance {
                            k += 1;
                            choice[t] = (draw(k) % j.touchpoints[t].choices.len() as u64) as usize;
                        }
                    }
                    let fast = mdp.evaluate(&choice, &mut warm).unwrap();
                    let slow = reference(&mdp, &choice);
                    for (x, y) in fast.iter().zip(&slow) {
                        assert!(
                            (x - y).abs() <= 1e-12 * (1.0 + y.abs()),
                            "segment {seg}, round {round}: {x} vs {y}"
                        );
                    }
                }
            }
        }
    }

    /// Expected visits pushed forward component by component equal plain forward sweeps
    /// (`occ = entries + Σ occ·p` from zero until nothing moves) to 1e-12, under random
    /// policies on the example and a generated journey with loops and a trigger.
    #[test]
    fn occupation_by_components_equals_plain_sweeps() {
        let example = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/decisions.journey"
        ))
        .unwrap();
        let mut k = 7u64;
        for text in [example, crate::generate::with_options(300, 30, 7)] {
            let j = resolve_source("t.journey", text.as_str(), &Options::default())
                .unwrap()
                .journey
                .unwrap();
            for seg in 0..j.segments.len() {
                let mdp = Mdp::new(&j, seg, &[Metric::Touches]).unwrap();
                for _ in 0..5 {
                    let best: Vec<usize> = (0..mdp.len())
                        .map(|x| {
                            k = k
                                .wrapping_mul(6364136223846793005)
                                .wrapping_add(1442695040888963407);
                            let count = mdp.act_start[x + 1] - mdp.act_start[x];
                            mdp.act_start[x] + (k >> 33) as usize % count
                        })
                        .collect();
                    let fast = mdp.occupation(&best);
                    let mut slow = vec![0.0f64; mdp.len()];
                    loop {
                        let mut next = vec![0.0f64; mdp.len()];
                        for &(x, p) in &mdp.init {
                            next[x as usize] += p;
                        }
                        for x in 0..mdp.len() {
                            let a = best[x];
                            for e in mdp.edge_start[a]..mdp.edge_start[a + 1] {
                                next[mdp.edge_to[e] as usize] += slow[x] * mdp.edge_p[e];
                            }
                        }
                        let moved = next.iter().zip(&slow).any(|(a, b)| (a - b).abs() > 1e-16);
                        slow = next;
                        if !moved {
                            break;
                        }
                    }
                    for (x, (a, b)) in fast.iter().zip(&slow).enumerate() {
                        assert!((a - b).abs() <= 1e-12 * (1.0 + b), "state {x}: {a} vs {b}");
                    }
                }
            }
        }
    }
}
