//! `journeyc learn`: test-and-learn, simulated (LANGUAGE-2.md §4). Customers arrive one
//! after another in batches; before each batch a learner chooses, for every segment, the
//! option at every decision touchpoint from what the earlier customers' finished journeys
//! showed; the batch's customers walk the journey under that policy with the simulator's
//! engine; the learner then reads their journeys. Every figure is measured against
//! `optimize`'s exact optimum.
//!
//! **What the learner learns.** For each segment `s`, decision touchpoint `d` and option `c`,
//! the *value from the visit onward*: for every customer of `s` who visited `d` while `c` was
//! in force, the objective (its sign flipped for `minimize`) accrued from their first visit
//! to `d` (that visit included) to the end of their journey — of their lifetime, for lifetime
//! metrics — less, for each constraint, its price times the constraint's metric accrued the
//! same way (plus it, for a `>=` constraint). The prices are those at which the constrained
//! optimum is also the optimum of the priced objective (`optimize`'s supporting prices, or
//! `--price`), so that the learner aims at the constrained optimum: a live test has no exact
//! model to weigh the budget against the objective, and its planner sets that price.
//!
//! **How it chooses** (`Method`): Thompson sampling draws, for every `(s, d, c)`, a value from
//! a normal approximation of its posterior (mean of the values seen, variance of the values
//! over their count) and takes the option with the highest draw; an option never seen twice
//! is drawn first. `greedy:EPS` takes the option with the best mean, or with chance `EPS` one
//! at random. One policy is drawn per batch (batched Thompson sampling: a live test deploys
//! one configuration per release window), so every customer of a batch plays it and its
//! exact value, hence the batch's regret, costs one exact analysis.
//!
//! **Deterministic**: customer `i` walks with the numbers of customer `i` of a simulation
//! with the same seed, the learner's draws come from the seed and the batch, and a batch's
//! customers are read in fixed chunks combined in order, so the output does not depend on
//! the threads.

use super::compile::{NO_GOAL, Tables};
use super::engine::{Sink, customer_events, mix64};
use super::stats::MONEY_UNIT;
use crate::analyze::AnalyzeError;
use crate::analyze::optimize::{Evaluated, Evaluator, Optimum, Problem, direction};
use crate::model::{Journey, Metric, TouchpointId};
use rayon::prelude::*;

/// Customers read by one task: batches are cut into chunks of this size, whatever the
/// threads, and the chunks' sums combined in order.
const CHUNK: u64 = 1024;
/// Values this close count as equal (a greedy policy at the optimum's value).
const EPS: f64 = 1e-9;
/// The target of a transition to `exit`, in [`Moves`].
const EXIT_TARGET: u32 = u32::MAX;

/// How the learner chooses.
#[derive(Copy, Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum Method {
    /// Thompson sampling on a normal approximation of each option's value.
    Thompson,
    /// The best mean, or a random option with chance `epsilon`.
    Greedy {
        /// The chance of a random option.
        epsilon: f64,
    },
    /// Posterior sampling on the model: each option's friction and transition
    /// probabilities learnt from the moves seen, a draw of them optimised exactly
    /// (`optimize`) per batch.
    Model,
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "thompson" {
            return Ok(Method::Thompson);
        }
        if s == "model" {
            return Ok(Method::Model);
        }
        if s == "greedy" {
            return Ok(Method::Greedy { epsilon: 0.1 });
        }
        if let Some(e) = s.strip_prefix("greedy:") {
            return match e.parse::<f64>() {
                Ok(x) if (0.0..=1.0).contains(&x) => Ok(Method::Greedy { epsilon: x }),
                _ => Err(format!(
                    "`{s}`: the exploration chance of `greedy:EPS` is a number from 0 to 1 \
                     (e.g. `greedy:0.1`)"
                )),
            };
        }
        Err(format!(
            "`{s}` is not a learner: use `thompson`, `greedy:EPS` (e.g. `greedy:0.1`) or `model`"
        ))
    }
}

/// How to run `learn`.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Customers, in all.
    pub customers: u64,
    /// Customers per batch (the learner updates between batches).
    pub batch: u64,
    /// The learner.
    pub method: Method,
    /// The seed.
    pub seed: u64,
    /// Worker threads (0: all cores).
    pub threads: usize,
    /// Prices of the constraints (one per constraint); `None`: `optimize`'s supporting prices.
    pub prices: Option<Vec<f64>>,
}

/// One batch's figures.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Batch {
    /// Customers before this batch's end (the last customer's number).
    pub customers: u64,
    /// The batch's customers.
    pub size: u64,
    /// The policy played (`policy[d][s]`, choice indices).
    #[serde(skip)]
    pub policy: Vec<Vec<usize>>,
    /// The objective's exact value over all customers under the policy played.
    pub value: f64,
    /// Regret of the batch per customer: the optimum's exact value less the played policy's,
    /// for each customer's segment, averaged over the batch's customers (its sign flipped for
    /// `minimize`, so that regret is what the learner lost).
    pub regret_per_customer: f64,
    /// Regret summed over every customer so far.
    pub cumulative_regret: f64,
    /// Visits to decision touchpoints in the batch.
    pub decisions: u64,
    /// Of those, visits whose option is the optimum's for the customer's segment.
    pub optimal_decisions: u64,
    /// The learner's greedy policy after reading the batch (best mean everywhere) is the
    /// optimum: its exact value equals the optimum's.
    pub greedy_is_optimum: bool,
    /// The greedy policy's exact value.
    pub greedy_value: f64,
    /// The played policy meets every constraint.
    pub feasible: bool,
}

/// What receives each batch's policy played and the learner's greedy policy after it.
type Judge<'a> = dyn FnMut(&[Vec<usize>], &[Vec<usize>]) -> Result<(), LearnError> + 'a;

/// A batch as walked, before its exact figures.
struct Walked {
    customers: u64,
    size: u64,
    policy: Vec<Vec<usize>>,
    /// Customers per segment.
    per_segment: Vec<u64>,
    decisions: u64,
    optimal_decisions: u64,
}

/// What `learn` found.
#[derive(Clone, Debug)]
pub struct Learned {
    /// The decision touchpoints, in written order.
    pub decisions: Vec<TouchpointId>,
    /// The optimum it is measured against.
    pub optimum: Evaluated,
    /// The prices charged for the constraints: `prices[k][s]`, constraint `k`, segment `s`.
    pub prices: Vec<Vec<f64>>,
    /// Where the prices came from: `optimize` (true) or the command line.
    pub prices_from_optimize: bool,
    /// At the prices, the optimum is the best priced policy (so the learner can reach it).
    pub prices_support: bool,
    /// Per batch.
    pub batches: Vec<Batch>,
    /// The customers after which the greedy policy is the optimum and stays so (through the
    /// last batch); `None` when the last greedy policy is not the optimum.
    pub settled_after: Option<u64>,
    /// The greedy policy after the last batch.
    pub greedy: Vec<Vec<usize>>,
    /// Segment policies evaluated exactly (each segment's choices, evaluated once).
    pub analysed: usize,
}

/// Why `learn` cannot run.
#[derive(Debug)]
pub enum LearnError {
    /// The exact analysis failed.
    Analyze(AnalyzeError),
    /// No policy meets the constraints: nothing to measure against.
    Infeasible,
    /// The objective or a constraint is a metric the learner cannot accrue from a visit on.
    Metric(String),
    /// A constraint has no price (none given, and `optimize` found none).
    NoPrice,
    /// `--price` gives the wrong number of prices.
    Prices(usize, usize),
}

impl std::fmt::Display for LearnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LearnError::Analyze(e) => write!(f, "{e}"),
            LearnError::Infeasible => write!(
                f,
                "no policy meets the constraints (see `journeyc optimize`): there is no \
                 optimum to learn"
            ),
            LearnError::Metric(m) => write!(
                f,
                "`learn` accrues the objective and the constraints visit by visit: `{m}` is \
                 not one it can (it can: conversion, conversion(GOAL), reach(TP), touches, \
                 pains, cost_per_customer, revenue_per_customer, profit, cycles, purchases, \
                 lifetime_cost, lifetime_revenue, clv)"
            ),
            LearnError::NoPrice => write!(
                f,
                "no price makes the constrained optimum the best priced policy (or there are \
                 several constraints): give each constraint's price with `--price`"
            ),
            LearnError::Prices(got, want) => write!(
                f,
                "`--price` gives {got} price(s) for {want} constraint(s): give one per \
                 constraint, in written order"
            ),
        }
    }
}

impl From<AnalyzeError> for LearnError {
    fn from(e: AnalyzeError) -> Self {
        LearnError::Analyze(e)
    }
}

/// The weight of each accrued quantity in the learner's value (the objective, signed, less
/// the priced constraints).
#[derive(Clone, Debug)]
struct Weights {
    /// Per goal: achieving it in the first cycle.
    goal: Vec<f64>,
    /// Per touchpoint: reaching it in the first cycle.
    reach: Vec<f64>,
    /// First-cycle visits, pain points, cost and revenue (currency).
    touches: f64,
    pains: f64,
    cost: f64,
    revenue: f64,
    /// Cycles, cycles with the primary goal, cost and revenue over the lifetime, and `clv`.
    cycles: f64,
    purchases: f64,
    lifetime_cost: f64,
    lifetime_revenue: f64,
    clv: f64,
}

impl Weights {
    fn new(j: &Journey) -> Self {
        Weights {
            goal: vec![0.0; j.goals.len()],
            reach: vec![0.0; j.touchpoints.len()],
            touches: 0.0,
            pains: 0.0,
            cost: 0.0,
            revenue: 0.0,
            cycles: 0.0,
            purchases: 0.0,
            lifetime_cost: 0.0,
            lifetime_revenue: 0.0,
            clv: 0.0,
        }
    }

    /// Adds `w` times metric `m`.
    fn add(&mut self, m: Metric, w: f64) -> Result<(), Metric> {
        match m {
            Metric::Conversion(g) => self.goal[g] += w,
            Metric::Reach(t) => self.reach[t] += w,
            Metric::Touches => self.touches += w,
            Metric::Pains => self.pains += w,
            Metric::CostPerCustomer => self.cost += w,
            Metric::RevenuePerCustomer => self.revenue += w,
            Metric::Profit => {
                self.revenue += w;
                self.cost -= w;
            }
            Metric::Cycles => self.cycles += w,
            Metric::Purchases => self.purchases += w,
            Metric::LifetimeCost => self.lifetime_cost += w,
            Metric::LifetimeRevenue => self.lifetime_revenue += w,
            Metric::Clv => self.clv += w,
            other => return Err(other),
        }
        Ok(())
    }
}

/// One customer's walk as the learner reads it: the value accrued so far, and where each
/// decision touchpoint was first visited.
struct Reader<'a> {
    t: &'a Tables,
    /// Per segment: the weights.
    weights: &'a [Weights],
    /// Per touchpoint: its decision index, or `u32::MAX`.
    decision_of: &'a [u32],
    /// The primary goal (`NO_GOAL` without one).
    primary: u32,
    /// The discount rate per time unit (`clv`), 0 without.
    delta: f64,
    seg: usize,
    cycle: u32,
    /// Time units from the first cycle's start to the current one's.
    clock: i64,
    /// The value accrued so far.
    acc: f64,
    /// Per decision: the value accrued before its first visit (NaN: not visited).
    prefix: Vec<f64>,
    /// Decisions visited, in order (to reset `prefix`).
    visited: Vec<u32>,
    /// Goals achieved (first cycle), touchpoints reached (first cycle), and the current
    /// cycle achieved the primary goal; each with the list to reset.
    goals: Vec<bool>,
    reached: Vec<bool>,
    marks: Vec<u32>,
    purchased: bool,
    /// Visits to decision touchpoints.
    decision_visits: Vec<u64>,
    /// `targets[d][s]`: the targets of the played choice's transitions (`EXIT` for exit).
    targets: &'a [Vec<Vec<u32>>],
    /// The decision visit whose outcome is still to come: (decision, context pain,
    /// friction pain).
    open: Option<(u32, bool, bool)>,
    /// `moves[d * segments + s]`: what decision visits showed.
    moves: Vec<Moves>,
}

impl Reader<'_> {
    fn money(&self, x: i64) -> f64 {
        x as f64 * MONEY_UNIT
    }

    fn discount(&self, time: i64) -> f64 {
        match self.delta > 0.0 {
            true => (-(self.delta * (self.clock.saturating_add(time)) as f64)).exp(),
            false => 1.0,
        }
    }

    /// Starts a new customer.
    fn reset(&mut self) {
        for d in self.visited.drain(..) {
            self.prefix[d as usize] = f64::NAN;
        }
        for &m in &self.marks {
            match (m as usize).checked_sub(self.goals.len()) {
                None => self.goals[m as usize] = false,
                Some(tp) => self.reached[tp] = false,
            }
        }
        self.marks.clear();
        self.acc = 0.0;
        self.cycle = 0;
        self.clock = 0;
        self.open = None;
    }

    /// Closes the open decision visit: a friction trial (unless the customer abandoned at a
    /// context break before it) and the move to `to` (`None`: no move seen).
    fn close(&mut self, abandoned: bool, to: Option<u32>) {
        let Some((d, context, friction)) = self.open.take() else {
            return;
        };
        let ns = self.weights.len();
        let m = &mut self.moves[d as usize * ns + self.seg];
        if !(abandoned && context && !friction) {
            m.trials += 1;
            m.pained += friction as u64;
        }
        if let Some(to) = to {
            let targets = &self.targets[d as usize][self.seg];
            if let Some(i) = targets.iter().position(|&x| x == to) {
                if m.to.len() < targets.len() {
                    m.to.resize(targets.len(), 0);
                }
                m.to[i] += 1;
            }
        }
    }
}

impl Sink for Reader<'_> {
    const ON: bool = true;

    fn cycle(&mut self, seg: usize, number: u32, clock: i64) {
        self.open = None;
        self.seg = seg;
        self.cycle = number;
        let w = &self.weights[seg];
        self.clock = clock;
        self.purchased = false;
        self.acc += w.cycles;
    }

    fn visit(&mut self, tp: usize, time: i64) {
        // An open decision visit moved here.
        self.close(false, Some(tp as u32));
        if let Some(&d) = self.decision_of.get(tp).filter(|&&d| d != u32::MAX) {
            self.open = Some((d, false, false));
            self.decision_visits[d as usize * self.weights.len() + self.seg] += 1;
            if self.prefix[d as usize].is_nan() {
                self.prefix[d as usize] = self.acc;
                self.visited.push(d);
            }
        }
        let stop = self.t.stop(tp, self.seg);
        let (cost, value) = (
            self.money(stop.adds[super::compile::COST]),
            self.money(stop.adds[super::compile::VALUE]),
        );
        let w = &self.weights[self.seg];
        let mut add = w.lifetime_cost * cost + w.lifetime_revenue * value;
        if w.clv != 0.0 {
            add += w.clv * (value - cost) * self.discount(time);
        }
        if stop.goal != NO_GOAL && stop.goal == self.primary && !self.purchased {
            self.purchased = true;
            add += w.purchases;
        }
        if self.cycle == 1 {
            add += w.touches + w.cost * cost + w.revenue * value;
            if stop.goal != NO_GOAL && !self.goals[stop.goal as usize] {
                self.goals[stop.goal as usize] = true;
                self.marks.push(stop.goal);
                add += w.goal[stop.goal as usize];
            }
            if !self.reached[tp] {
                self.reached[tp] = true;
                self.marks.push((self.goals.len() + tp) as u32);
                add += w.reach[tp];
            }
        }
        self.acc += add;
    }

    fn pains(&mut self, context: bool, friction: bool) {
        if let Some(o) = &mut self.open {
            o.1 = context;
            o.2 = friction;
        }
        if self.cycle == 1 {
            self.acc += self.weights[self.seg].pains * (context as u8 + friction as u8) as f64;
        }
    }

    fn end(&mut self, _: usize, outcome: usize, _: i64) {
        use crate::sim::tally::ending;
        match outcome {
            ending::ABANDONED => self.close(true, None),
            ending::LEFT => self.close(false, Some(EXIT_TARGET)),
            _ => self.close(false, None),
        }
    }

    fn message(&mut self, trigger: usize, time: i64) {
        let cost = self.money(self.t.triggers[trigger].via_cost);
        let w = &self.weights[self.seg];
        let mut add = w.lifetime_cost * cost - w.clv * cost * self.discount(time);
        if self.cycle == 1 {
            add += w.cost * cost;
        }
        self.acc += add;
    }
}

/// Sums of values seen: count, sum, sum of squares.
#[derive(Copy, Clone, Debug, Default)]
struct Seen {
    n: u64,
    sum: f64,
    squares: f64,
}

impl Seen {
    fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.squares += x * x;
    }

    fn merge(&mut self, o: &Seen) {
        self.n += o.n;
        self.sum += o.sum;
        self.squares += o.squares;
    }

    fn mean(&self) -> f64 {
        self.sum / self.n as f64
    }
}

/// What visits to a decision touchpoint under one choice showed of the choice's model:
/// friction trials and pains, and the moves made, by transition (the segment's transitions
/// of that choice, in order).
#[derive(Clone, Debug, Default)]
struct Moves {
    trials: u64,
    pained: u64,
    to: Vec<u64>,
}

impl Moves {
    fn merge(&mut self, o: &Moves) {
        self.trials += o.trials;
        self.pained += o.pained;
        if self.to.len() < o.to.len() {
            self.to.resize(o.to.len(), 0);
        }
        for (a, b) in self.to.iter_mut().zip(&o.to) {
            *a += b;
        }
    }
}

/// What a chunk of customers showed (indices `d * segments + s`: decision `d`, segment
/// `s`).
#[derive(Clone, Debug)]
struct Read {
    /// The values from the visit onward.
    seen: Vec<Seen>,
    /// Visits.
    visits: Vec<u64>,
    /// Customers per segment.
    customers: Vec<u64>,
    /// Per segment: the value accrued over the whole journey, summed over customers.
    total: Vec<f64>,
    /// What the visits showed of the choice played.
    moves: Vec<Moves>,
}

impl Read {
    fn merge(&mut self, o: &Read) {
        for (a, b) in self.seen.iter_mut().zip(&o.seen) {
            a.merge(b);
        }
        for (a, b) in self.visits.iter_mut().zip(&o.visits) {
            *a += b;
        }
        for (a, b) in self.customers.iter_mut().zip(&o.customers) {
            *a += b;
        }
        for (a, b) in self.total.iter_mut().zip(&o.total) {
            *a += b;
        }
        for (a, b) in self.moves.iter_mut().zip(&o.moves) {
            a.merge(b);
        }
    }
}

/// The learner's random numbers: SplitMix64 from the seed and the batch.
struct Stream(u64);

impl Stream {
    fn new(seed: u64, batch: u64) -> Self {
        Stream(mix64(seed ^ mix64(batch.wrapping_add(0x6c65_6172_6e00))))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Approximately standard normal: the sum of twelve uniforms less six (Irwin–Hall),
    /// computed with additions only, so the same on every machine.
    fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }
}

/// Customers after which what a batch showed counts half (older batches fade: the values
/// from a visit onward depend on the choices after it, which the learner keeps changing).
const HALF_LIFE: f64 = 40_000.0;

/// What the learner knows of one (decision, segment, option): the values from the visit
/// onward, customer by customer and batch by batch, older batches faded.
#[derive(Clone, Debug, Default)]
struct Posterior {
    /// Visits, their values and squares (faded).
    w: f64,
    sum: f64,
    squares: f64,
    /// Batches that visited, their means and squares (faded).
    b: f64,
    bsum: f64,
    bsquares: f64,
    /// Batches that visited (not faded).
    batches: u64,
}

impl Posterior {
    fn fade(&mut self, keep: f64) {
        self.w *= keep;
        self.sum *= keep;
        self.squares *= keep;
        self.b *= keep;
        self.bsum *= keep;
        self.bsquares *= keep;
    }

    fn add_batch(&mut self, s: &Seen) {
        if s.n == 0 {
            return;
        }
        self.w += s.n as f64;
        self.sum += s.sum;
        self.squares += s.squares;
        let m = s.mean();
        self.b += 1.0;
        self.bsum += m;
        self.bsquares += m * m;
        self.batches += 1;
    }

    fn seen(&self) -> bool {
        self.batches > 0 && self.w > 0.0
    }

    fn mean(&self) -> f64 {
        self.sum / self.w
    }

    /// The variance of the mean: the larger of the customers' (their variance over their
    /// count) and the batches' (the batch means' variance over the batches), so that values
    /// that move with the choices after the visit are not taken as settled.
    fn spread(&self) -> f64 {
        let within = ((self.squares - self.sum * self.sum / self.w) / (self.w - 1.0).max(1.0))
            .max(0.0)
            / self.w;
        let between = if self.b > 1.0 {
            ((self.bsquares - self.bsum * self.bsum / self.b) / (self.b - 1.0)).max(0.0) / self.b
        } else {
            0.0
        };
        // A floor, so that options whose values have all been equal still get drawn.
        within.max(between) + 1e-12
    }
}

/// The learner's state: `seen[d][s][c]`, and `moves[d][s][c]` for the model.
struct Learner {
    seen: Vec<Vec<Vec<Posterior>>>,
    moves: Vec<Vec<Vec<Moves>>>,
}

/// Sets, in `model` (a copy of `j`), every option's friction and transition probabilities
/// from what the learner saw: their posterior means (`rng` `None`) or a draw — a normal
/// approximation of the Beta (friction) and Dirichlet (transitions) posteriors from uniform
/// priors, clipped and normalised. `as_is` keeps its written values (the journey as it runs
/// today is known from its logs); the options' costs, durations and the rest are design,
/// known too.
#[allow(clippy::needless_range_loop)] // `moves` and the journey's choices share the indices
fn modelled(
    model: &mut Journey,
    j: &Journey,
    decisions: &[TouchpointId],
    moves: &[Vec<Vec<Moves>>],
    mut rng: Option<&mut Stream>,
) {
    for (d, &tp) in decisions.iter().enumerate() {
        let written = &j.touchpoints[tp];
        for c in 1..written.choices.len() {
            for seg in 0..j.segments.len() {
                let m = &moves[d][seg][c];
                let a = 1.0 + m.pained as f64;
                let b = 1.0 + m.trials.saturating_sub(m.pained) as f64;
                let n = a + b;
                let mean = a / n;
                let friction = match rng.as_deref_mut() {
                    Some(r) => {
                        (mean + (a * b / (n * n * (n + 1.0))).sqrt() * r.normal()).clamp(0.0, 1.0)
                    }
                    None => mean,
                };
                let option = &mut model.touchpoints[tp].choices[c];
                if let Some(v) = option.visits.get_mut(seg) {
                    v.friction = friction;
                }
                let Some(ts) = option.transitions.get_mut(seg) else {
                    continue;
                };
                let k = ts.len();
                if k == 0 {
                    continue;
                }
                let total = m.to.iter().sum::<u64>() as f64 + k as f64;
                let mut ps: Vec<f64> = (0..k)
                    .map(|i| {
                        let mean = (1.0 + m.to.get(i).copied().unwrap_or(0) as f64) / total;
                        match rng.as_deref_mut() {
                            Some(r) => (mean
                                + (mean * (1.0 - mean) / (total + 1.0)).sqrt() * r.normal())
                            .max(1e-9),
                            None => mean,
                        }
                    })
                    .collect();
                let sum: f64 = ps.iter().sum();
                for p in &mut ps {
                    *p /= sum;
                }
                for (t, p) in ts.iter_mut().zip(ps) {
                    t.probability = p;
                }
            }
        }
    }
}

/// The optimum of `model` for `problem` (`None`: none feasible, or the analysis failed).
fn model_optimum(model: &Journey, problem: &Problem) -> Option<Vec<Vec<usize>>> {
    crate::analyze::optimize::optimize(model, problem)
        .ok()
        .and_then(|o| o.best)
        .map(|b| b.policy)
}

impl Learner {
    /// The policy the learner plays next.
    fn draw(&self, method: Method, rng: &mut Stream) -> Vec<Vec<usize>> {
        self.seen
            .iter()
            .map(|per_seg| {
                per_seg
                    .iter()
                    .map(|opts| match method {
                        Method::Thompson => {
                            let mut best = (f64::NEG_INFINITY, 0);
                            for (c, o) in opts.iter().enumerate() {
                                // Unseen options first (a random one among them).
                                let x = match o.batches {
                                    0 | 1 => f64::INFINITY,
                                    _ => o.mean() + o.spread().sqrt() * rng.normal(),
                                };
                                let tie = x == best.0 && rng.below(2) == 0;
                                if x > best.0 || tie {
                                    best = (x, c);
                                }
                            }
                            best.1
                        }
                        Method::Greedy { epsilon } => {
                            if rng.uniform() < epsilon {
                                rng.below(opts.len())
                            } else {
                                greedy_choice(opts)
                            }
                        }
                        // Drawn on the model instead (see `learn`).
                        Method::Model => greedy_choice(opts),
                    })
                    .collect()
            })
            .collect()
    }

    /// [`Learner::greedy`] into `out`, its buffers reused.
    fn greedy_into(&self, out: &mut Vec<Vec<usize>>) {
        out.resize_with(self.seen.len(), Vec::new);
        for (to, per_seg) in out.iter_mut().zip(&self.seen) {
            to.clear();
            to.extend(per_seg.iter().map(|o| greedy_choice(o)));
        }
    }

    /// The best mean at every decision (`as_is` where nothing was seen).
    fn greedy(&self) -> Vec<Vec<usize>> {
        self.seen
            .iter()
            .map(|per_seg| per_seg.iter().map(|o| greedy_choice(o)).collect())
            .collect()
    }
}

/// The option with the best mean among those seen (the first on ties; `as_is` when none).
fn greedy_choice(opts: &[Posterior]) -> usize {
    let mut best: Option<(f64, usize)> = None;
    for (c, o) in opts.iter().enumerate() {
        if !o.seen() {
            continue;
        }
        if best.is_none_or(|(m, _)| o.mean() > m + EPS) {
            best = Some((o.mean(), c));
        }
    }
    best.map_or(0, |b| b.1)
}

/// Runs `learn` on `j` for `problem`, measured against `optimum`.
#[allow(clippy::needless_range_loop)] // `policy`, `seen`, `visits` and `best` share the indices
pub fn learn(
    j: &Journey,
    problem: &Problem,
    optimum: &Optimum,
    s: &Settings,
) -> Result<Learned, LearnError> {
    let best = optimum.best.clone().ok_or(LearnError::Infeasible)?;
    let (prices, prices_from_optimize) = match &s.prices {
        // The model learner meets the constraints exactly: nothing to price.
        _ if s.method == Method::Model => (Vec::new(), true),
        Some(p) if p.len() != problem.constraints.len() => {
            return Err(LearnError::Prices(p.len(), problem.constraints.len()));
        }
        Some(p) => (
            p.iter().map(|&x| vec![x; j.segments.len()]).collect(),
            false,
        ),
        None if problem.constraints.is_empty() => (Vec::new(), true),
        None => (optimum.prices.clone().ok_or(LearnError::NoPrice)?, true),
    };
    let sign = if problem.maximize { 1.0 } else { -1.0 };
    let refused = |m: Metric| LearnError::Metric(crate::model::metric_name(j, m));
    let nseg = j.segments.len();
    // Per segment, the weights: the objective, signed, less each constraint binding the
    // segment at the segment's price.
    let per_segment: Vec<Weights> = (0..nseg)
        .map(|seg| {
            let mut w = Weights::new(j);
            w.add(problem.metric, sign).map_err(refused)?;
            for (k, price) in problem.constraints.iter().zip(&prices) {
                if k.segment.is_none_or(|x| x == seg) {
                    w.add(k.metric, -price[seg] * direction(k))
                        .map_err(refused)?;
                }
            }
            Ok(w)
        })
        .collect::<Result<_, LearnError>>()?;
    let decisions: Vec<TouchpointId> = j.decisions().collect();
    let nd = decisions.len();
    let mut decision_of = vec![u32::MAX; j.touchpoints.len()];
    for (d, &tp) in decisions.iter().enumerate() {
        decision_of[tp] = d as u32;
    }
    let choices: Vec<usize> = decisions
        .iter()
        .map(|&t| j.touchpoints[t].choices.len())
        .collect();
    let mut learner = Learner {
        seen: choices
            .iter()
            .map(|&n| vec![vec![Posterior::default(); n]; nseg])
            .collect(),
        moves: choices
            .iter()
            .map(|&n| vec![vec![Moves::default(); n]; nseg])
            .collect(),
    };
    let model_based = s.method == Method::Model;
    let mut model = j.clone();
    let threads = super::worker_threads(s.threads, s.customers.div_ceil(CHUNK));
    // The walk's threads: no more than a batch has chunks (a thread without one would only
    // spin beside the thread of the exact figures).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(
            threads
                .min(usize::try_from(s.batch.max(1).div_ceil(CHUNK)).unwrap_or(threads))
                .max(1),
        )
        .build()
        .map_err(|e| LearnError::Metric(format!("cannot start threads: {e}")))?;
    // Exact figures per segment policy. The journey under the policy played and its tables,
    // both kept across batches: a new policy is applied at the decisions whose choices
    // change, and the tables patched there (the first, built while the exact figures are set
    // up, are the journey's as written).
    let (exact, tables) =
        pool.install(|| rayon::join(|| Evaluator::new(j, problem, &[]), || Tables::new(j, true)));
    let mut exact = exact?;
    // The optimum's figures as the evaluator gives them (policy evaluation where the metrics
    // allow, else `analyze`, as `optimize`), so that its regret is 0 to the bit.
    let reference = exact.evaluate(&best.policy)?;
    let mut scratch = j.clone();
    let mut t: Option<Tables> = Some(tables);
    // `targets[d][s]`: the targets of the played choices' transitions, for the model.
    let mut targets: Vec<Vec<Vec<u32>>> = vec![vec![Vec::new(); nseg]; nd];
    let mut changed: Vec<TouchpointId> = Vec::with_capacity(nd);
    let primary = j.primary_goal.map_or(NO_GOAL, |g| g as u32);
    let batch = s.batch.max(1);
    let mut greedy = learner.greedy();
    let mut done = 0u64;
    let mut number = 0u64;
    // The policy the tables hold (none before the first batch).
    let mut compiled: Vec<Vec<usize>> = Vec::new();
    // The batches as walked; their exact figures come from `judge`, in batch order.
    let mut walked: Vec<Walked> = Vec::new();
    // The walk of every batch, each batch's policies handed to `judge` as soon as known.
    let mut walk = |judge: &mut Judge<'_>| -> Result<(), LearnError> {
        while done < s.customers {
            let size = batch.min(s.customers - done);
            let mut rng = Stream::new(s.seed, number);
            let policy = match model_based {
                true => {
                    modelled(&mut model, j, &decisions, &learner.moves, Some(&mut rng));
                    model_optimum(&model, problem).unwrap_or_else(|| greedy.clone())
                }
                false => learner.draw(s.method, &mut rng),
            };
            changed.clear();
            for (d, &tp) in decisions.iter().enumerate() {
                if compiled.get(d) == Some(&policy[d]) {
                    continue;
                }
                changed.push(tp);
                scratch.touchpoints[tp].apply_policy(&policy[d]);
                for seg in 0..nseg {
                    let ts = j.touchpoints[tp].choices[policy[d][seg]]
                        .transitions
                        .get(seg);
                    targets[d][seg].clear();
                    targets[d][seg].extend(ts.into_iter().flatten().map(|t| match t.target {
                        crate::model::Target::Exit => EXIT_TARGET,
                        crate::model::Target::Touchpoint(k) => k as u32,
                    }));
                }
            }
            if !t.as_mut().is_some_and(|t| t.patch(&scratch, &changed)) {
                t = Some(Tables::new(&scratch, true));
            }
            let t = t.as_ref().expect("compiled");
            let chunks = size.div_ceil(CHUNK);
            let reads: Vec<Read> = (0..chunks)
                .into_par_iter()
                .map(|c| {
                    let from = done + c * CHUNK;
                    let to = (from + CHUNK).min(done + size);
                    read_chunk(
                        t,
                        &per_segment,
                        &decision_of,
                        primary,
                        nd,
                        nseg,
                        s.seed,
                        &targets,
                        from..to,
                    )
                })
                .collect();
            let keep = 0.5f64.powf(size as f64 / HALF_LIFE);
            let mut reads = reads.into_iter();
            let mut read = reads.next().expect("a batch has customers");
            for r in reads {
                read.merge(&r);
            }
            for d in 0..nd {
                for seg in 0..nseg {
                    for o in &mut learner.seen[d][seg] {
                        o.fade(keep);
                    }
                    let i = d * nseg + seg;
                    learner.seen[d][seg][policy[d][seg]].add_batch(&read.seen[i]);
                    learner.moves[d][seg][policy[d][seg]].merge(&read.moves[i]);
                }
            }
            let (mut visits, mut optimal) = (0, 0);
            for d in 0..nd {
                for seg in 0..nseg {
                    visits += read.visits[d * nseg + seg];
                    if policy[d][seg] == best.policy[d][seg] {
                        optimal += read.visits[d * nseg + seg];
                    }
                }
            }
            match model_based {
                true => {
                    modelled(&mut model, j, &decisions, &learner.moves, None);
                    if let Some(p) = model_optimum(&model, problem) {
                        greedy = p;
                    }
                }
                false => learner.greedy_into(&mut greedy),
            }
            judge(&policy, &greedy)?;
            done += size;
            number += 1;
            compiled.clone_from(&policy);
            walked.push(Walked {
                customers: done,
                size,
                policy,
                per_segment: read.customers.clone(),
                decisions: visits,
                optimal_decisions: optimal,
            });
        }
        Ok(())
    };
    // The exact figures of each batch's policy played and of the learner's greedy policy
    // after it, in batch order: on a thread of their own when there are two or more (they do
    // not steer the learner, and in the same order the same figures come out), else after
    // each batch.
    let mut judged: Vec<(Evaluated, Evaluated)> = Vec::new();
    if threads > 1 {
        let own = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .map_err(|e| LearnError::Metric(format!("cannot start threads: {e}")))?;
        // Both policies flat (decision-major, `nseg` a decision): two allocations a batch on
        // the walking thread instead of one per decision.
        let (tx, rx) = std::sync::mpsc::channel::<(Vec<usize>, Vec<usize>)>();
        std::thread::scope(|scope| -> Result<(), LearnError> {
            let judging = scope.spawn(|| {
                own.install(|| -> Result<Vec<(Evaluated, Evaluated)>, AnalyzeError> {
                    let mut out = Vec::new();
                    for (policy, greedy) in rx {
                        let nested = |flat: Vec<usize>| -> Vec<Vec<usize>> {
                            flat.chunks(nseg).map(<[usize]>::to_vec).collect()
                        };
                        let (policy, greedy) = (nested(policy), nested(greedy));
                        out.push((exact.evaluate(&policy)?, exact.evaluate(&greedy)?));
                    }
                    Ok(out)
                })
            });
            let walking = pool.install(|| {
                walk(&mut |policy, greedy| {
                    // A closed channel: the judging thread stopped on an error, which its
                    // join reports.
                    let _ = tx.send((policy.concat(), greedy.concat()));
                    Ok(())
                })
            });
            drop(tx);
            let out = judging.join().expect("the judging thread does not panic");
            walking?;
            judged = out?;
            Ok(())
        })?;
    } else {
        pool.install(|| {
            walk(&mut |policy, greedy| {
                judged.push((exact.evaluate(policy)?, exact.evaluate(greedy)?));
                Ok(())
            })
        })?;
    }
    let mut batches = Vec::with_capacity(walked.len());
    let mut cumulative = 0.0;
    let mut settled_after: Option<u64> = None;
    for (w, (played, g)) in walked.into_iter().zip(judged) {
        let regret: f64 = (0..nseg)
            .map(|seg| {
                w.per_segment[seg] as f64
                    * sign
                    * (reference.per_segment[seg] - played.per_segment[seg])
            })
            .sum();
        cumulative += regret;
        let at_optimum =
            g.feasible && (g.value - best.value).abs() <= EPS * (1.0 + best.value.abs());
        match at_optimum {
            true => {
                settled_after.get_or_insert(w.customers);
            }
            false => settled_after = None,
        }
        batches.push(Batch {
            customers: w.customers,
            size: w.size,
            policy: w.policy,
            value: played.value,
            regret_per_customer: regret / w.size as f64,
            cumulative_regret: cumulative,
            decisions: w.decisions,
            optimal_decisions: w.optimal_decisions,
            greedy_is_optimum: at_optimum,
            greedy_value: g.value,
            feasible: played.feasible,
        });
    }
    Ok(Learned {
        decisions,
        optimum: best,
        prices,
        prices_from_optimize,
        prices_support: problem.constraints.is_empty()
            || s.method == Method::Model
            || (prices_from_optimize && optimum.prices_support),
        batches,
        settled_after,
        greedy,
        analysed: exact.evaluated,
    })
}

/// Walks customers `range` under tables `t` and reads their journeys.
#[allow(clippy::too_many_arguments)]
fn read_chunk(
    t: &Tables,
    weights: &[Weights],
    decision_of: &[u32],
    primary: u32,
    nd: usize,
    nseg: usize,
    seed: u64,
    targets: &[Vec<Vec<u32>>],
    range: std::ops::Range<u64>,
) -> Read {
    let mut seen = vec![Seen::default(); nd * nseg];
    let (mut customers, mut total) = (vec![0; nseg], vec![0.0; nseg]);
    let mut firings = vec![0u32; t.n_triggers];
    let mut r = Reader {
        t,
        weights,
        decision_of,
        primary,
        delta: t.lifecycle.as_ref().map_or(0.0, |l| l.delta),
        seg: 0,
        cycle: 0,
        clock: 0,
        acc: 0.0,
        prefix: vec![f64::NAN; nd],
        visited: Vec::new(),
        goals: vec![false; t.n_goals],
        reached: vec![false; t.n_tp],
        marks: Vec::new(),
        purchased: false,
        decision_visits: vec![0; nd * nseg],
        targets,
        open: None,
        moves: vec![Moves::default(); nd * nseg],
    };
    for index in range {
        r.reset();
        customer_events(t, seed, index, &mut firings, &mut r);
        let seg = r.seg;
        customers[seg] += 1;
        total[seg] += r.acc;
        for &d in &r.visited {
            seen[d as usize * nseg + seg].add(r.acc - r.prefix[d as usize]);
        }
    }
    Read {
        seen,
        visits: r.decision_visits,
        customers,
        total,
        moves: r.moves,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze;
    use crate::analyze::optimize::{evaluate_policy, optimize};
    use crate::model::{Options, resolve_source};

    fn journey(text: &str) -> Journey {
        let c = resolve_source("t.journey", text, &Options::default()).expect("resolves");
        c.journey.unwrap_or_else(|| panic!("{:?}", c.findings))
    }

    fn shop() -> Journey {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/v2/shop.journey");
        journey(&std::fs::read_to_string(path).expect("the shop sample"))
    }

    fn decisions() -> Journey {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/decisions.journey");
        journey(&std::fs::read_to_string(path).expect("the decisions example"))
    }

    /// Each customer's whole-journey value of `m` as the reader accrues it, for the journey
    /// as written (horizon ignored, as the exact analysis does).
    fn accrued(j: &Journey, m: Metric, customers: u64) -> Vec<Vec<f64>> {
        let t = Tables::new(j, true);
        let mut w = Weights::new(j);
        w.add(m, 1.0).unwrap();
        let weights = vec![w; j.segments.len()];
        let decision_of = vec![u32::MAX; j.touchpoints.len()];
        let mut r = Reader {
            t: &t,
            weights: &weights,
            decision_of: &decision_of,
            primary: j.primary_goal.map_or(NO_GOAL, |g| g as u32),
            delta: t.lifecycle.as_ref().map_or(0.0, |l| l.delta),
            seg: 0,
            cycle: 0,
            clock: 0,
            acc: 0.0,
            prefix: Vec::new(),
            visited: Vec::new(),
            goals: vec![false; t.n_goals],
            reached: vec![false; t.n_tp],
            marks: Vec::new(),
            purchased: false,
            decision_visits: Vec::new(),
            targets: &[],
            open: None,
            moves: Vec::new(),
        };
        let mut firings = vec![0u32; t.n_triggers];
        let mut out = vec![Vec::new(); j.segments.len()];
        for index in 0..customers {
            r.reset();
            customer_events(&t, 11, index, &mut firings, &mut r);
            out[r.seg].push(r.acc);
        }
        out
    }

    #[test]
    fn the_reader_accrues_every_metric_the_exact_analysis_figures() {
        // Exact vs simulated: per segment, the mean of each customer's accrued value is
        // within 4 standard errors of the exact figure (the seed is fixed).
        let j = shop();
        let exact = analyze(&j).unwrap();
        let goal = |name: &str| j.goals.iter().position(|g| g.name == name).unwrap();
        let tp = |name: &str| j.touchpoint(name).unwrap();
        let metrics = [
            Metric::Conversion(j.primary_goal.unwrap()),
            Metric::Conversion(goal("advocacy")),
            Metric::Reach(tp("payment")),
            Metric::Touches,
            Metric::Pains,
            Metric::CostPerCustomer,
            Metric::RevenuePerCustomer,
            Metric::Profit,
            Metric::Cycles,
            Metric::Purchases,
            Metric::LifetimeCost,
            Metric::LifetimeRevenue,
            Metric::Clv,
        ];
        for m in metrics {
            for (s, values) in accrued(&j, m, 40_000).iter().enumerate() {
                let want = exact.segments[s].metric(m).unwrap();
                let n = values.len() as f64;
                let mean = values.iter().sum::<f64>() / n;
                let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
                let se = (var / n).sqrt();
                assert!(
                    (mean - want).abs() <= 4.0 * se + 1e-6 * (1.0 + want.abs()),
                    "{m:?} for segment {s}: accrued {mean} ± {se}, exact {want}"
                );
            }
        }
    }

    #[test]
    fn metrics_the_reader_cannot_accrue_are_refused() {
        let j = shop();
        let mut w = Weights::new(&j);
        for m in [Metric::Sentiment, Metric::Effort, Metric::Nps] {
            assert_eq!(w.add(m, 1.0), Err(m));
        }
    }

    fn settings(threads: usize) -> Settings {
        Settings {
            customers: 40_000,
            batch: 1_000,
            method: Method::Thompson,
            seed: 1,
            threads,
            prices: None,
        }
    }

    /// The example's problem with the budget at 2.50, where the optimum is a priced optimum
    /// in every segment (at the file's 1.60 it is not: a duality gap, see docs/decisions.md).
    fn supported() -> (Journey, Problem) {
        let j = decisions();
        let mut problem = Problem::of(&j).unwrap();
        problem.constraints[0].target = 2.5;
        (j, problem)
    }

    /// What the reader counts for the model recovers every option's friction and
    /// transition probabilities: each within 4 standard errors, over 200,000 customers with
    /// every decision at its first option.
    #[test]
    fn the_moves_read_recover_each_options_friction_and_transitions() {
        let j = decisions();
        let decisions: Vec<TouchpointId> = j.decisions().collect();
        let nseg = j.segments.len();
        for c in [1usize, 2] {
            let policy: Vec<Vec<usize>> = decisions.iter().map(|_| vec![c; nseg]).collect();
            let played = j.with_policy(&policy);
            let t = Tables::new(&played, true);
            let weights: Vec<Weights> = (0..nseg).map(|_| Weights::new(&j)).collect();
            let mut decision_of = vec![u32::MAX; j.touchpoints.len()];
            for (d, &tp) in decisions.iter().enumerate() {
                decision_of[tp] = d as u32;
            }
            let targets: Vec<Vec<Vec<u32>>> = decisions
                .iter()
                .map(|&tp| {
                    (0..nseg)
                        .map(|seg| {
                            j.touchpoints[tp].choices[c].transitions[seg]
                                .iter()
                                .map(|x| match x.target {
                                    crate::model::Target::Exit => EXIT_TARGET,
                                    crate::model::Target::Touchpoint(k) => k as u32,
                                })
                                .collect()
                        })
                        .collect()
                })
                .collect();
            let read = read_chunk(
                &t,
                &weights,
                &decision_of,
                NO_GOAL,
                decisions.len(),
                nseg,
                5,
                &targets,
                0..200_000,
            );
            let mut checked = 0;
            for (d, &tp) in decisions.iter().enumerate() {
                for seg in 0..nseg {
                    let m = &read.moves[d * nseg + seg];
                    let option = &j.touchpoints[tp].choices[c];
                    let near = |k: u64, n: u64, p: f64| {
                        let se = (p * (1.0 - p) / n as f64).sqrt();
                        ((k as f64 / n as f64) - p).abs() <= 4.0 * se + 1e-12
                    };
                    if m.trials < 1_000 {
                        continue;
                    }
                    let f = option.visits[seg].friction;
                    assert!(
                        near(m.pained, m.trials, f),
                        "{tp} {seg} friction {f}: {m:?}"
                    );
                    let moved: u64 = m.to.iter().sum();
                    for (i, x) in option.transitions[seg].iter().enumerate() {
                        let k = m.to.get(i).copied().unwrap_or(0);
                        assert!(near(k, moved, x.probability), "{tp} {seg} {i}: {m:?}");
                    }
                    checked += 1;
                }
            }
            assert!(
                checked >= 4,
                "option {c}: {checked} (decision, segment) pairs checked"
            );
        }
    }

    /// The model learner at the example's own budget (1.60: a duality gap, which the
    /// per-option learner cannot reach): over 6 seeds of 100,000 customers regret per customer
    /// falls in every seed and the greedy policy settles on the optimum in at least 4 (10 of
    /// 12 measured, docs/decisions.md); its output does not depend on the threads.
    #[test]
    fn the_model_learner_reaches_an_optimum_no_price_supports() {
        let j = decisions();
        let problem = Problem::of(&j).unwrap();
        let optimum = optimize(&j, &problem).unwrap();
        assert!(
            !optimum.prices_support,
            "the example's budget has a duality gap"
        );
        let mut settled = 0;
        for seed in 1..=6 {
            let s = Settings {
                customers: 100_000,
                seed,
                method: Method::Model,
                ..settings(2)
            };
            let out = learn(&j, &problem, &optimum, &s).unwrap();
            let b = &out.batches;
            let mean =
                |x: &[Batch]| x.iter().map(|x| x.regret_per_customer).sum::<f64>() / x.len() as f64;
            let (early, late) = (mean(&b[..10]), mean(&b[b.len() - 10..]));
            assert!(
                late < early / 4.0,
                "seed {seed}: regret {early} early, {late} late"
            );
            settled += out.settled_after.is_some() as usize;
        }
        assert!(settled >= 4, "settled in {settled} of 6 seeds");
        let small = |threads| Settings {
            customers: 8_000,
            method: Method::Model,
            ..settings(threads)
        };
        let key = |l: &Learned| serde_json::to_string(&l.batches).unwrap();
        assert_eq!(
            key(&learn(&j, &problem, &optimum, &small(1)).unwrap()),
            key(&learn(&j, &problem, &optimum, &small(2)).unwrap())
        );
    }

    /// Over 12 seeds of 100,000 customers on the example: regret per customer falls in every
    /// seed, without a budget (its optimum is every segment's best policy) and at 2.50 (a
    /// priced optimum); without a budget the greedy policy reaches the optimum and keeps it in
    /// at least 10 seeds (11 of 12 measured, docs/decisions.md). With a budget no settling is
    /// claimed: near the supporting price the priced values of rival options almost tie.
    #[test]
    fn regret_falls_in_every_seed_and_the_unconstrained_optimum_is_found() {
        let j = decisions();
        let mut free = Problem::of(&j).unwrap();
        free.constraints.clear();
        let (_, budget) = supported();
        for (problem, claims_settling) in [(&free, true), (&budget, false)] {
            let optimum = optimize(&j, problem).unwrap();
            let mut settled = 0;
            for seed in 1..=12 {
                let s = Settings {
                    customers: 100_000,
                    seed,
                    ..settings(2)
                };
                let out = learn(&j, problem, &optimum, &s).unwrap();
                let b = &out.batches;
                let mean = |x: &[Batch]| {
                    x.iter().map(|x| x.regret_per_customer).sum::<f64>() / x.len() as f64
                };
                let (early, late) = (mean(&b[..10]), mean(&b[b.len() - 10..]));
                assert!(
                    late < early,
                    "seed {seed}: regret {early} early, {late} late"
                );
                if let Some(n) = out.settled_after {
                    assert!(
                        b[(n / 1000) as usize - 1..]
                            .iter()
                            .all(|x| x.greedy_is_optimum)
                    );
                    settled += 1;
                }
            }
            if claims_settling {
                assert!(settled >= 10, "settled in {settled} of 12 seeds");
            }
        }
    }

    #[test]
    fn the_result_does_not_depend_on_the_threads() {
        let j = decisions();
        let problem = Problem::of(&j).unwrap();
        let optimum = optimize(&j, &problem).unwrap();
        let one = learn(&j, &problem, &optimum, &settings(1)).unwrap();
        let two = learn(&j, &problem, &optimum, &settings(2)).unwrap();
        let key = |l: &Learned| serde_json::to_string(&l.batches).unwrap();
        assert_eq!(key(&one), key(&two));
    }

    /// A segment's cost per customer under a policy, exactly.
    fn segment_cost(j: &Journey, policy: &[Vec<usize>], seg: usize) -> f64 {
        analyze(&j.with_policy(policy)).unwrap().segments[seg]
            .metric(Metric::CostPerCustomer)
            .unwrap()
    }

    #[test]
    fn the_supporting_price_makes_the_optimum_the_best_priced_policy() {
        let (j, problem) = supported();
        let optimum = optimize(&j, &problem).unwrap();
        let prices = optimum.prices.clone().unwrap();
        assert_eq!(prices.len(), 1, "one constraint");
        assert!(
            prices[0].iter().any(|&p| p > 0.0),
            "the budget binds: {prices:?}"
        );
        let best = optimum.best.unwrap();
        let priced = |e: &Evaluated, seg: usize| {
            let (o, g) = (e.per_segment[seg], segment_cost(&j, &e.policy, seg));
            o - prices[0][seg] * g
        };
        // Every policy of the first segment, the second's as the optimum's.
        let choices: Vec<usize> = j
            .decisions()
            .map(|t| j.touchpoints[t].choices.len())
            .collect();
        let n: usize = choices.iter().product();
        for seg in 0..j.segments.len() {
            for i in 0..n {
                let mut p = best.policy.clone();
                let mut k = i;
                for (d, &c) in choices.iter().enumerate() {
                    p[d][seg] = k % c;
                    k /= c;
                }
                let e = evaluate_policy(&j, &problem, &p).unwrap();
                assert!(priced(&e, seg) <= priced(&best, seg) + 1e-9, "{p:?}");
            }
        }
    }
}
