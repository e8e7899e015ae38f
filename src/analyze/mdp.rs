//! The full-state Markov decision process of one segment (LANGUAGE-2.md §4): the states of
//! `analyze`'s chain (touchpoint, context break, goal achieved, firings used), with a choice
//! of option at every state whose touchpoint has options, so that a policy may depend on
//! the customer's whole state. Its optimum bounds every policy the language can state (one
//! option per segment and touchpoint): `optimize`'s certificate.
//!
//! Rewards are per visit and additive over a customer's first cycle, so only per-customer
//! expectations that add up visit by visit are supported ([`supported`]): conversion to the
//! primary goal (a visit of a state with the goal achieved, weighted by the chance the
//! journey ends there), touches, pains, sentiment, effort, cost, revenue and profit.

use super::AnalyzeError;
use super::chain::{Context, Key, MAX_STATES};
use crate::model::{Journey, Metric, SegmentId, Transition, Visit};
use std::collections::HashMap;

/// Metrics whose value is a sum of per-visit rewards in the chain's state space.
pub fn supported(j: &Journey, m: Metric) -> bool {
    match m {
        Metric::Conversion(g) => Some(g) == j.primary_goal,
        Metric::Touches
        | Metric::Pains
        | Metric::Sentiment
        | Metric::CostPerCustomer
        | Metric::RevenuePerCustomer
        | Metric::Profit => true,
        Metric::Effort => j.rates_effort(),
        _ => false,
    }
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

fn reward(j: &Journey, m: Metric, visit: &Visit, step: &super::chain::Step, flag: bool) -> f64 {
    let fired_cost: f64 = step
        .fires
        .iter()
        .map(|f| f.mass * j.channels[j.triggers[f.trigger as usize].via].cost)
        .sum();
    match m {
        Metric::Conversion(_) if flag => step.end.iter().sum(),
        Metric::Conversion(_) => 0.0,
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
        let mut index: HashMap<Key, u32> = HashMap::new();
        let mut keys: Vec<Key> = Vec::new();
        let mut intern = |key: Key, keys: &mut Vec<Key>| -> Result<u32, AnalyzeError> {
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
        };
        for (t, w) in j.entries() {
            let key = Key {
                tp: t as u32,
                brk: false,
                flag: ctx.primary(t),
                fires: 0,
            };
            let i = intern(key, &mut keys)?;
            m.init.push((i, w));
        }
        let mut x = 0;
        while x < keys.len() {
            let key = keys[x];
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
                for &metric in metrics {
                    m.reward.push(reward(j, metric, visit, &step, key.flag));
                }
                for (to, &p) in step.moves.iter().zip(&step.move_p) {
                    if let Some(to) = to {
                        let y = intern(*to, &mut keys)?;
                        m.edge_to.push(y);
                        m.edge_p.push(p);
                    }
                }
                for (_, back, to) in step.returns.iter().flatten() {
                    if let Some(to) = to {
                        let y = intern(*to, &mut keys)?;
                        m.edge_to.push(y);
                        m.edge_p.push(*back);
                    }
                }
                m.edge_start.push(m.edge_to.len());
            }
            m.tp.push(key.tp);
            m.act_start.push(m.choice.len());
            x += 1;
        }
        Ok(m)
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
    /// none): policy evaluation by Gauss–Seidel sweeps until no value moves by more than 1e-14
    /// of its size. `warm` (states × metrics, grown to size on first use) holds the values
    /// between calls: started from a nearby policy's values, few sweeps are needed.
    pub fn evaluate(
        &self,
        choice: &[usize],
        warm: &mut Vec<f64>,
    ) -> Result<Vec<f64>, AnalyzeError> {
        let (n, m) = (self.len(), self.metrics);
        warm.resize(n * m, 0.0);
        let action = |x: usize| {
            let first = self.act_start[x];
            let count = self.act_start[x + 1] - first;
            first + choice[self.tp[x] as usize].min(count - 1)
        };
        let mut converged = false;
        for _ in 0..1_000_000 {
            let mut delta: f64 = 0.0;
            for x in (0..n).rev() {
                let a = action(x);
                for k in 0..m {
                    let next: f64 = (self.edge_start[a]..self.edge_start[a + 1])
                        .map(|e| self.edge_p[e] * warm[self.edge_to[e] as usize * m + k])
                        .sum();
                    let v = self.reward[a * m + k] + next;
                    delta = delta.max((v - warm[x * m + k]).abs() / v.abs().max(1.0));
                    warm[x * m + k] = v;
                }
            }
            if delta <= 1e-14 {
                converged = true;
                break;
            }
        }
        if !converged {
            return Err(AnalyzeError::Inaccurate {
                segment: String::new(),
                what: "a policy's values",
                residual: f64::NAN,
            });
        }
        Ok((0..m)
            .map(|k| {
                self.init
                    .iter()
                    .map(|&(x, p)| p * warm[x as usize * m + k])
                    .sum()
            })
            .collect())
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
    /// value iteration (Gauss–Seidel sweeps until no value moves by more than 1e-14 of its
    /// size), then evaluates the greedy policy's totals per metric.
    pub fn solve(&self, j: &Journey, w: &[f64]) -> Result<Solution, AnalyzeError> {
        let n = self.len();
        let mut v = vec![0.0f64; n];
        let mut best = vec![0usize; n];
        let mut converged = false;
        for _ in 0..1_000_000 {
            let mut delta: f64 = 0.0;
            for x in (0..n).rev() {
                let (mut top, mut arg) = (f64::NEG_INFINITY, self.act_start[x]);
                for a in self.act_start[x]..self.act_start[x + 1] {
                    let q = self.q(a, w, &v);
                    if q > top + 1e-15 * q.abs().max(1.0) {
                        top = q;
                        arg = a;
                    }
                }
                delta = delta.max((top - v[x]).abs() / top.abs().max(1.0));
                v[x] = top;
                best[x] = arg;
            }
            if delta <= 1e-14 {
                converged = true;
                break;
            }
        }
        if !converged {
            return Err(AnalyzeError::Inaccurate {
                segment: String::new(),
                what: "the optimal policy's values",
                residual: f64::NAN,
            });
        }
        // Expected visits of each state under the greedy actions, and each metric's total.
        let mut occ = vec![0.0f64; n];
        let mut inflow = vec![0.0f64; n];
        for &(x, p) in &self.init {
            inflow[x as usize] += p;
        }
        // Forward sweeps: occ = inflow + Σ occ[x] p(x → y).
        for _ in 0..1_000_000 {
            let mut next = inflow.clone();
            for x in 0..n {
                let a = best[x];
                for e in self.edge_start[a]..self.edge_start[a + 1] {
                    next[self.edge_to[e] as usize] += occ[x] * self.edge_p[e];
                }
            }
            let delta = next
                .iter()
                .zip(&occ)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            occ = next;
            if delta <= 1e-15 {
                break;
            }
        }
        let totals: Vec<f64> = (0..self.metrics)
            .map(|k| {
                (0..n)
                    .map(|x| occ[x] * self.reward[best[x] * self.metrics + k])
                    .sum()
            })
            .collect();
        let value = self.init.iter().map(|&(x, p)| p * v[x as usize]).sum();
        let mut choices: Vec<Option<(usize, bool)>> = vec![None; j.touchpoints.len()];
        let mut heaviest = vec![0.0f64; j.touchpoints.len()];
        for x in 0..n {
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
        Ok(Solution {
            value,
            totals,
            choices,
        })
    }
}
