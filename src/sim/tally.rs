//! What a run counts: integer totals per segment, merged exactly in any order (see
//! [`super::stats`]), written to shard files and read back by `journeyc merge`.

use super::compile::Tables;
use super::stats::{Cross, Histogram, Sum};
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
    /// Of those, customers who had achieved the primary goal before the journey ended.
    #[serde(default)]
    pub outcomes_converted: [u64; ending::COUNT],
    /// Customers achieving each goal at least once, by [`crate::model::GoalId`].
    pub goals: Vec<u64>,
    /// Visits: sum and sum of squares of the per-customer counts.
    pub touches: u64,
    /// Σ visits² (128 bits: a customer's visits² alone can reach 10¹⁸).
    pub touches_sq: u128,
    /// Pain points: sum over customers.
    pub pains: u64,
    /// Σ pains² (128 bits).
    pub pains_sq: u128,
    /// Final sentiment: sum (128 bits: exact over every emotion the language accepts).
    pub sentiment: i128,
    /// Σ sentiment² (128 bits).
    pub sentiment_sq: u128,
    /// Customers whose time, cost or revenue total reached the 64-bit limit of the walk
    /// (possible only when [`Tables::bounded`] is false): the figures made of those totals
    /// are then not available rather than clamped.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub clipped: u64,
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
    /// Profit (revenue − cost) per customer, in money units; counted only when some goal has
    /// a value (otherwise it is −cost, and the figure is read from `cost`).
    #[serde(default)]
    pub profit: Sum,
    /// Customer scores (LANGUAGE-2.md §2): empty unless the journey rates some visit.
    #[serde(default, skip_serializing_if = "Scores::is_empty")]
    pub scores: Scores,
    /// Lifetime totals (LANGUAGE-2.md §3): empty without a lifecycle.
    #[serde(default, skip_serializing_if = "Life::is_empty")]
    pub life: Life,
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
    /// Σ visits² per customer (128 bits).
    pub visits_sq: u128,
    /// Pain points here: sum over customers.
    pub pains: u64,
    /// Σ pains² per customer (128 bits).
    pub pains_sq: u128,
    /// Journeys that ended here, per ending.
    pub ended: [u64; ending::COUNT],
    /// Journeys that ended here without the primary goal.
    pub ended_no_goal: u64,
    /// Per customer, the chances of a satisfied rating of their visits here, in
    /// `stats::CHANCE_UNIT`s (`csat(TP)`): empty unless the touchpoint is rated.
    #[serde(default, skip_serializing_if = "Sum::is_empty")]
    pub satisfied: Sum,
    /// Σ over customers of satisfied × visits here (the covariance term of `csat(TP)`).
    #[serde(default, skip_serializing_if = "Cross::is_empty")]
    pub satisfied_visits: Cross,
}

/// Per-customer lifetime totals of one segment (LANGUAGE-2.md §3).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Life {
    /// Cycles per customer.
    pub cycles: Sum,
    /// Visits over all cycles (the walk's work; benchmarks read it).
    #[serde(default)]
    pub visits: u64,
    /// Cycles that achieved the primary goal, per customer.
    pub purchases: Sum,
    /// Customers by their number of purchases (`purchases_hist[k]`: exactly k).
    pub purchases_hist: Vec<u64>,
    /// Cost over all cycles, in money units.
    pub cost: Sum,
    /// Revenue over all cycles, in money units.
    pub revenue: Sum,
    /// Discounted net value, in money units (rounded per customer).
    pub clv: Sum,
    /// Customers starting a cycle in month m since their first (`months[m]`; a month is 30
    /// days; the first 1,200 months).
    pub months: Vec<u64>,
    /// Customers whose lifetime cost or revenue reached the 64-bit limit: the lifetime money
    /// figures are then not available.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub clipped: u64,
}

impl Life {
    /// True when no customer was counted.
    pub fn is_empty(&self) -> bool {
        self.cycles.is_empty()
    }

    fn merge(&mut self, o: &Life) {
        self.cycles.merge(o.cycles);
        self.visits = self.visits.saturating_add(o.visits);
        self.purchases.merge(o.purchases);
        add_grown(&mut self.purchases_hist, &o.purchases_hist);
        self.cost.merge(o.cost);
        self.revenue.merge(o.revenue);
        self.clv.merge(o.clv);
        add_grown(&mut self.months, &o.months);
        self.clipped += o.clipped;
    }
}

/// Adds `b` into `a`, growing `a` to `b`'s length.
fn add_grown(a: &mut Vec<u64>, b: &[u64]) {
    if a.len() < b.len() {
        a.resize(b.len(), 0);
    }
    add_all(a, b);
}

/// Adds 1 at index `i`, growing the counts as needed.
pub(crate) fn count_at(counts: &mut Vec<u64>, i: usize) {
    if counts.len() <= i {
        counts.resize(i + 1, 0);
    }
    counts[i] += 1;
}

/// Per-customer score totals of one segment (LANGUAGE-2.md §2): sums, sums of squares and
/// the cross sums the ratios `csat` and `ces` need for their intervals (delta method).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Visits rated with `csat`.
    pub rated: Sum,
    /// Chances of a satisfied rating, in `stats::CHANCE_UNIT`s.
    pub satisfied: Sum,
    /// Σ satisfied × rated.
    pub satisfied_rated: Cross,
    /// Visits to touchpoints with `effort`.
    pub effort_visits: Sum,
    /// Effort, in `stats::EFFORT_UNIT`s.
    pub effort: Sum,
    /// Σ effort × effort visits.
    pub effort_cross: Cross,
}

impl Scores {
    /// True when no customer was rated.
    pub fn is_empty(&self) -> bool {
        self.rated.is_empty() && self.effort_visits.is_empty()
    }

    /// Adds one customer's totals: `[rated, satisfied, effort visits, effort]`.
    #[inline]
    pub(crate) fn add(&mut self, [rated, satisfied, visits, effort]: [i64; 4]) {
        self.rated.add(rated);
        self.satisfied.add(satisfied);
        self.satisfied_rated.add(satisfied, rated);
        self.effort_visits.add(visits);
        self.effort.add(effort);
        self.effort_cross.add(effort, visits);
    }

    fn merge(&mut self, o: &Scores) {
        self.rated.merge(o.rated);
        self.satisfied.merge(o.satisfied);
        self.satisfied_rated.merge(o.satisfied_rated);
        self.effort_visits.merge(o.effort_visits);
        self.effort.merge(o.effort);
        self.effort_cross.merge(o.effort_cross);
    }
}

/// The totals of one trigger (over one segment's customers).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TriggerTally {
    /// Firings: sum over customers.
    pub firings: u64,
    /// Σ firings² per customer (128 bits).
    pub firings_sq: u128,
    /// Firings that brought the customer back.
    pub returns: u64,
    /// Customers brought back at least once.
    pub brought_back: u64,
    /// Customers who achieved the primary goal after it brought them back.
    pub converted_after: u64,
}

fn is_zero(x: &u64) -> bool {
    *x == 0
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
    #[cfg(test)]
    pub(crate) fn new(t: &Tables) -> Self {
        Counts::new(t).into_tally()
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

/// The totals one worker counts: a record only for the segments that have had one of its
/// customers, so that a worker's memory does not grow with segments × touchpoints when most
/// segments never see one of its customers (a journey of 100,000 segments, say). Integer
/// totals: [`Counts::into_tally`] gives the same [`Tally`] whatever the order of the merges.
pub(crate) struct Counts {
    segments: Vec<Option<Box<SegmentTally>>>,
    /// The shape of a segment's record: goals, stages, touchpoints, triggers.
    shape: [usize; 4],
}

impl Counts {
    /// No customer yet, for a compiled journey.
    pub(crate) fn new(t: &Tables) -> Self {
        Counts {
            segments: (0..t.n_seg).map(|_| None).collect(),
            shape: [t.n_goals, t.n_stages, t.n_tp, t.n_triggers],
        }
    }

    /// The record of segment `seg`, made (empty) on first use.
    #[inline]
    pub(crate) fn segment(&mut self, seg: usize) -> &mut SegmentTally {
        let shape = self.shape;
        self.segments[seg].get_or_insert_with(|| Box::new(SegmentTally::shaped(shape)))
    }

    /// Adds another worker's counts (of the same journey).
    pub(crate) fn merge(&mut self, other: Counts) {
        for (a, b) in self.segments.iter_mut().zip(other.segments) {
            match (a.as_mut(), b) {
                (Some(a), Some(b)) => a.merge(&b),
                (None, b) => *a = b,
                (_, None) => {}
            }
        }
    }

    /// The segments with a record.
    #[cfg(test)]
    pub(crate) fn records(&self) -> usize {
        self.segments.iter().flatten().count()
    }

    /// The totals, with an empty record for each segment that had no customer.
    pub(crate) fn into_tally(self) -> Tally {
        let shape = self.shape;
        Tally {
            segments: self
                .segments
                .into_iter()
                .map(|s| s.map_or_else(|| SegmentTally::shaped(shape), |s| *s))
                .collect(),
        }
    }
}

impl SegmentTally {
    /// No customer, with `[goals, stages, touchpoints, triggers]` records.
    fn shaped([goals, stages, touchpoints, triggers]: [usize; 4]) -> Self {
        SegmentTally {
            goals: vec![0; goals],
            stages: vec![0; stages],
            touchpoints: vec![TouchpointTally::default(); touchpoints],
            triggers: vec![TriggerTally::default(); triggers],
            ..SegmentTally::default()
        }
    }

    /// Adds `n` customers with `steps` visits each.
    #[inline]
    pub(crate) fn add_touches(&mut self, n: u64, steps: u64) {
        let (n, steps) = (n as u128, steps as u128);
        self.touches = self.touches.wrapping_add((n * steps) as u64);
        self.touches_sq = self.touches_sq.saturating_add(n * steps * steps);
    }

    /// Adds `n` customers with `pains` pain points each and final sentiment `sentiment`.
    #[inline]
    pub(crate) fn add_feelings(&mut self, n: u64, pains: u64, sentiment: i64) {
        let s2 = (sentiment.unsigned_abs() as u128).pow(2);
        self.pains = self.pains.wrapping_add(n.wrapping_mul(pains));
        let (n128, p) = (n as u128, pains as u128);
        self.pains_sq = self.pains_sq.saturating_add(n128 * p * p);
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
        add(&mut self.outcomes_converted, &o.outcomes_converted);
        add_all(&mut self.goals, &o.goals);
        self.touches = self.touches.saturating_add(o.touches);
        self.touches_sq = self.touches_sq.saturating_add(o.touches_sq);
        self.pains = self.pains.saturating_add(o.pains);
        self.pains_sq = self.pains_sq.saturating_add(o.pains_sq);
        self.sentiment = self.sentiment.saturating_add(o.sentiment);
        self.sentiment_sq = self.sentiment_sq.saturating_add(o.sentiment_sq);
        self.clipped += o.clipped;
        self.promoters += o.promoters;
        self.detractors += o.detractors;
        self.cost.merge(o.cost);
        self.cost_converted = self.cost_converted.saturating_add(o.cost_converted);
        self.revenue.merge(o.revenue);
        self.profit.merge(o.profit);
        self.scores.merge(&o.scores);
        self.life.merge(&o.life);
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
            a.satisfied.merge(b.satisfied);
            a.satisfied_visits.merge(b.satisfied_visits);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A customer's visits² alone can pass 2⁶⁴ / 100 (10⁹ visits, the largest `max_steps`):
    /// the sums of squares are 128 bits wide, exact where 64 bits saturated.
    #[test]
    fn sums_of_squares_of_long_walks_are_exact() {
        let mut a = SegmentTally::default();
        a.add_touches(100, 1_000_000_000);
        a.add_feelings(100, 1_000_000_000, 0);
        let want = 100u128 * 1_000_000_000u128.pow(2);
        assert!(want > u64::MAX as u128);
        assert_eq!((a.touches_sq, a.pains_sq), (want, want));
        let mut b = a.clone();
        b.merge(&a);
        assert_eq!((b.touches_sq, b.pains_sq), (2 * want, 2 * want));
        assert_eq!(b.touches, 200 * 1_000_000_000);
    }
}
