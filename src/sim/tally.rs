//! What a run counts: integer totals per segment, merged exactly in any order (see
//! [`super::stats`]), written to shard files and read back by `journeyc merge`.

use super::compile::Tables;
use super::stats::{Histogram, Sum};
use serde::{Deserialize, Serialize};

/// How a customer's journey ended, as indices of [`SegmentTally::outcomes`].
pub mod ending {
    /// Abandoned after a pain point.
    pub const ABANDONED: usize = 0;
    /// Left by an `exit` transition.
    pub const LEFT: usize = 1;
    /// Completed at a touchpoint without transitions.
    pub const COMPLETED: usize = 2;
    /// Still travelling past the horizon.
    pub const TIMED_OUT: usize = 3;
    /// Reached `max_steps` visits.
    pub const STUCK: usize = 4;
    /// Number of endings.
    pub const COUNT: usize = 5;
    /// Their names, as reports write them.
    pub const NAMES: [&str; COUNT] = ["abandoned", "left", "completed", "timed_out", "stuck"];
}

/// The totals of a run: one [`SegmentTally`] per segment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// Per segment, by [`crate::model::SegmentId`].
    pub segments: Vec<SegmentTally>,
}

/// The totals of one segment's customers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentTally {
    /// Customers.
    pub customers: u64,
    /// Customers per ending (see [`ending`]).
    pub outcomes: [u64; ending::COUNT],
    /// Customers achieving each goal at least once, by [`crate::model::GoalId`].
    pub goals: Vec<u64>,
    /// Visits: sum and sum of squares of the per-customer counts.
    pub touches: u64,
    /// Σ visits².
    pub touches_sq: u64,
    /// Pain points: sum over customers.
    pub pains: u64,
    /// Σ pains².
    pub pains_sq: u64,
    /// Final sentiment: sum (128 bits: exact over every emotion the language accepts).
    pub sentiment: i128,
    /// Σ sentiment² (128 bits).
    pub sentiment_sq: u128,
    /// Customers ending with sentiment ≥ +2.
    pub promoters: u64,
    /// Customers ending with sentiment ≤ −1.
    pub detractors: u64,
    /// Cost per customer, in money units.
    pub cost: Sum,
    /// Σ cost of converted customers (the covariance term of cost per conversion).
    #[serde(with = "super::stats::as_string")]
    pub cost_converted: i128,
    /// Revenue per customer, in money units.
    pub revenue: Sum,
    /// Time to convert of converted customers, in time units.
    pub time: Sum,
    /// Time to convert: distribution.
    pub time_hist: Histogram,
    /// Customers reaching each stage, by [`crate::model::StageId`].
    pub stages: Vec<u64>,
    /// Per touchpoint, by [`crate::model::TouchpointId`].
    pub touchpoints: Vec<TouchpointTally>,
    /// Per trigger, by [`crate::model::TriggerId`].
    pub triggers: Vec<TriggerTally>,
}

/// The totals of one touchpoint (over one segment's customers).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TouchpointTally {
    /// Customers with at least one visit.
    pub reach: u64,
    /// Visits: sum over customers.
    pub visits: u64,
    /// Σ visits² per customer.
    pub visits_sq: u64,
    /// Pain points here: sum over customers.
    pub pains: u64,
    /// Σ pains² per customer.
    pub pains_sq: u64,
    /// Journeys that ended here, per ending.
    pub ended: [u64; ending::COUNT],
    /// Journeys that ended here without the primary goal.
    pub ended_no_goal: u64,
}

/// The totals of one trigger (over one segment's customers).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TriggerTally {
    /// Firings: sum over customers.
    pub firings: u64,
    /// Σ firings² per customer.
    pub firings_sq: u64,
    /// Firings that brought the customer back.
    pub returns: u64,
    /// Customers brought back at least once.
    pub brought_back: u64,
    /// Customers who achieved the primary goal after it brought them back.
    pub converted_after: u64,
}

fn add<const N: usize>(a: &mut [u64; N], b: &[u64; N]) {
    a.iter_mut()
        .zip(b)
        .for_each(|(x, y)| *x = x.saturating_add(*y));
}

fn add_all(a: &mut [u64], b: &[u64]) {
    a.iter_mut()
        .zip(b)
        .for_each(|(x, y)| *x = x.saturating_add(*y));
}

impl Tally {
    /// Empty totals shaped for a compiled journey.
    pub(crate) fn new(t: &Tables) -> Self {
        Tally {
            segments: (0..t.n_seg)
                .map(|_| SegmentTally {
                    goals: vec![0; t.n_goals],
                    stages: vec![0; t.n_stages],
                    touchpoints: vec![TouchpointTally::default(); t.n_tp],
                    triggers: vec![TriggerTally::default(); t.n_triggers],
                    ..SegmentTally::default()
                })
                .collect(),
        }
    }

    /// True when two tallies have the same shape (segments, goals, stages, touchpoints,
    /// triggers), so that they can be merged.
    pub fn same_shape(&self, other: &Tally) -> bool {
        self.segments.len() == other.segments.len()
            && self.segments.iter().zip(&other.segments).all(|(a, b)| {
                a.goals.len() == b.goals.len()
                    && a.stages.len() == b.stages.len()
                    && a.touchpoints.len() == b.touchpoints.len()
                    && a.triggers.len() == b.triggers.len()
            })
    }

    /// Adds another run's totals (of the same shape).
    pub fn merge(&mut self, other: &Tally) {
        for (a, b) in self.segments.iter_mut().zip(&other.segments) {
            a.merge(b);
        }
    }

    /// All segments together.
    pub fn total(&self) -> SegmentTally {
        let mut all = self.segments.first().cloned().unwrap_or_default();
        for s in self.segments.iter().skip(1) {
            all.merge(s);
        }
        all
    }

    /// Customers in all segments.
    pub fn customers(&self) -> u64 {
        self.segments.iter().map(|s| s.customers).sum()
    }
}

impl SegmentTally {
    /// Adds `n` customers with `steps` visits each.
    #[inline]
    pub(crate) fn add_touches(&mut self, n: u64, steps: u64) {
        self.touches = self.touches.wrapping_add(n.wrapping_mul(steps));
        self.touches_sq = self
            .touches_sq
            .saturating_add(n.saturating_mul(steps.saturating_mul(steps)));
    }

    /// Adds `n` customers with `pains` pain points each and final sentiment `sentiment`.
    #[inline]
    pub(crate) fn add_feelings(&mut self, n: u64, pains: u64, sentiment: i64) {
        let s2 = (sentiment.unsigned_abs() as u128).pow(2);
        self.pains = self.pains.wrapping_add(n.wrapping_mul(pains));
        self.pains_sq = self
            .pains_sq
            .saturating_add(n.saturating_mul(pains.saturating_mul(pains)));
        self.sentiment = self.sentiment.saturating_add(n as i128 * sentiment as i128);
        self.sentiment_sq = self
            .sentiment_sq
            .saturating_add((n as u128).saturating_mul(s2));
        self.promoters += n * (sentiment >= 2) as u64;
        self.detractors += n * (sentiment <= -1) as u64;
    }

    /// Adds another tally of the same shape.
    pub fn merge(&mut self, o: &SegmentTally) {
        self.customers += o.customers;
        add(&mut self.outcomes, &o.outcomes);
        add_all(&mut self.goals, &o.goals);
        self.touches = self.touches.saturating_add(o.touches);
        self.touches_sq = self.touches_sq.saturating_add(o.touches_sq);
        self.pains = self.pains.saturating_add(o.pains);
        self.pains_sq = self.pains_sq.saturating_add(o.pains_sq);
        self.sentiment = self.sentiment.saturating_add(o.sentiment);
        self.sentiment_sq = self.sentiment_sq.saturating_add(o.sentiment_sq);
        self.promoters += o.promoters;
        self.detractors += o.detractors;
        self.cost.merge(o.cost);
        self.cost_converted = self.cost_converted.saturating_add(o.cost_converted);
        self.revenue.merge(o.revenue);
        self.time.merge(o.time);
        self.time_hist.merge(&o.time_hist);
        add_all(&mut self.stages, &o.stages);
        for (a, b) in self.touchpoints.iter_mut().zip(&o.touchpoints) {
            a.reach += b.reach;
            a.visits = a.visits.saturating_add(b.visits);
            a.visits_sq = a.visits_sq.saturating_add(b.visits_sq);
            a.pains = a.pains.saturating_add(b.pains);
            a.pains_sq = a.pains_sq.saturating_add(b.pains_sq);
            add(&mut a.ended, &b.ended);
            a.ended_no_goal += b.ended_no_goal;
        }
        for (a, b) in self.triggers.iter_mut().zip(&o.triggers) {
            a.firings = a.firings.saturating_add(b.firings);
            a.firings_sq = a.firings_sq.saturating_add(b.firings_sq);
            a.returns = a.returns.saturating_add(b.returns);
            a.brought_back += b.brought_back;
            a.converted_after += b.converted_after;
        }
    }
}
