//! The model compiled into flat tables for the walk: struct-of-arrays indexed by dense ids,
//! probabilities as integer thresholds, one alias table per touchpoint and segment. Built
//! once per run; the hot loop then reads no `String`, `HashMap` or `Vec` of `Vec`.

use crate::model::{Journey, Target, TriggerEvent};

/// `Target::Exit` in [`Alias::outcome`].
pub(crate) const EXIT: u32 = u32::MAX;
/// No goal at a touchpoint.
pub(crate) const NO_GOAL: u32 = u32::MAX;
/// `1 << 53`: a Bernoulli threshold that always succeeds (see [`bernoulli`]).
pub(crate) const ALWAYS: u64 = 1 << 53;

/// A probability as a threshold on 53 random bits: `(r >> 11) < threshold` succeeds with
/// probability `p` (to 2⁻⁵³), exactly 0 for `p = 0` and exactly 1 for `p = 1`.
pub(crate) fn bernoulli(p: f64) -> u64 {
    (p.clamp(0.0, 1.0) * ALWAYS as f64).round() as u64
}

/// Walker's alias tables (Vose's construction), many in one flat store: one draw of 64 bits
/// picks among `n` outcomes in constant time — the high 32 bits choose a column, the low 32
/// bits compare with its threshold.
#[derive(Clone, Debug, Default)]
pub(crate) struct Alias {
    /// Per column: keep the column when `low 32 bits < threshold` (threshold in 0..=2³²).
    threshold: Vec<u64>,
    /// Per column: the column's own outcome.
    outcome: Vec<u32>,
    /// Per column: the outcome taken otherwise.
    alias: Vec<u32>,
}

/// One table in an [`Alias`] store.
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct Range {
    /// First column.
    pub start: u32,
    /// Number of columns (0: no outcome at all).
    pub len: u32,
}

impl Alias {
    /// Adds a table for `(outcome, weight)` pairs (weights need not sum to 1; zero weights
    /// are kept as columns that are never chosen) and returns its range.
    pub fn push(&mut self, items: &[(u32, f64)]) -> Range {
        let start = self.outcome.len() as u32;
        let n = items.len();
        let total: f64 = items.iter().map(|&(_, w)| w.max(0.0)).sum();
        if n == 0 || total <= 0.0 {
            return Range { start, len: 0 };
        }
        let scaled: Vec<f64> = items
            .iter()
            .map(|&(_, w)| w.max(0.0) * n as f64 / total)
            .collect();
        let mut threshold = vec![1.0f64; n];
        let mut alias: Vec<usize> = (0..n).collect();
        let mut work = scaled.clone();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| work[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            threshold[s] = work[s];
            alias[s] = l;
            work[l] -= 1.0 - work[s];
            if work[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Leftovers (rounding) keep their own column with certainty.
        for i in small.into_iter().chain(large) {
            threshold[i] = 1.0;
            alias[i] = i;
        }
        for i in 0..n {
            self.threshold
                .push((threshold[i].clamp(0.0, 1.0) * 4_294_967_296.0).round() as u64);
            self.outcome.push(items[i].0);
            self.alias.push(items[alias[i]].0);
        }
        Range {
            start,
            len: n as u32,
        }
    }

    /// Draws an outcome of a table with at least one column from 64 random bits.
    #[inline(always)]
    pub fn pick(&self, range: Range, r: u64) -> u32 {
        let column = (range.start as u64 + (((r >> 32) * range.len as u64) >> 32)) as usize;
        if (r & 0xFFFF_FFFF) < self.threshold[column] {
            self.outcome[column]
        } else {
            self.alias[column]
        }
    }
}

/// A trigger, flattened.
#[derive(Copy, Clone, Debug)]
pub(crate) struct TriggerRow {
    /// Delay before the message, seconds.
    pub after: f64,
    /// The `via` channel.
    pub via: u32,
    /// The message's cost.
    pub via_cost: f64,
    /// Firings per customer.
    pub limit: u32,
    /// Where a returning customer arrives.
    pub target: u32,
    /// Return chance as a [`bernoulli`] threshold.
    pub back: u64,
}

/// The compiled journey.
#[derive(Clone, Debug)]
pub(crate) struct Tables {
    /// Touchpoints, segments, goals, triggers, stages.
    pub n_tp: usize,
    pub n_seg: usize,
    pub n_goals: usize,
    pub n_triggers: usize,
    pub n_stages: usize,
    /// Segment draw (outcome = segment id).
    pub segment: Range,
    /// Entry draw (outcome = touchpoint id).
    pub entry: Range,
    /// Per touchpoint.
    pub dur_min: Vec<f64>,
    pub dur_span: Vec<f64>,
    pub cost: Vec<f64>,
    pub emotion: Vec<i32>,
    pub friction: Vec<u64>,
    pub channel: Vec<u32>,
    pub stage: Vec<u32>,
    pub goal: Vec<u32>,
    pub value: Vec<f64>,
    /// Per touchpoint × segment (`tp * n_seg + seg`): the transitions (len 0: completes).
    pub moves: Vec<Range>,
    /// Every alias table: segments, entries, moves.
    pub alias: Alias,
    /// Per channel: in the `context` set.
    pub in_context: Vec<bool>,
    /// `context_loss` as a threshold.
    pub context_loss: u64,
    /// Per segment: patience as a threshold.
    pub patience: Vec<u64>,
    /// The primary goal (`NO_GOAL` without one).
    pub primary: u32,
    /// Per touchpoint: candidate triggers when the journey is abandoned or left there
    /// (abandon triggers, then exit triggers, each in written order), as a range of `cands`.
    pub on_leave: Vec<(u32, u32)>,
    /// Per touchpoint: candidate triggers when the journey completes there (exit triggers).
    pub on_complete: Vec<(u32, u32)>,
    /// Trigger ids of the candidate lists.
    pub cands: Vec<u32>,
    /// Triggers.
    pub triggers: Vec<TriggerRow>,
    /// Horizon in seconds (infinite when none or ignored).
    pub horizon: f64,
    /// Visits per customer before the journey ends stuck.
    pub max_steps: u32,
}

impl Tables {
    /// Compiles a journey; `ignore_horizon` drops its horizon.
    pub fn new(j: &Journey, ignore_horizon: bool) -> Self {
        let n_seg = j.segments.len();
        let mut alias = Alias::default();
        let shares: Vec<(u32, f64)> = j
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| (i as u32, s.share))
            .collect();
        let segment = alias.push(&shares);
        let entries: Vec<(u32, f64)> = j.entries().map(|(t, w)| (t as u32, w)).collect();
        let entry = alias.push(&entries);
        let mut moves = Vec::with_capacity(j.touchpoints.len() * n_seg);
        for tp in &j.touchpoints {
            for seg in 0..n_seg {
                let items: Vec<(u32, f64)> = tp
                    .transitions
                    .get(seg)
                    .map(|ts| {
                        ts.iter()
                            .map(|t| {
                                let target = match t.target {
                                    Target::Exit => EXIT,
                                    Target::Touchpoint(k) => k as u32,
                                };
                                (target, t.probability)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                moves.push(alias.push(&items));
            }
        }
        let mut on_leave = Vec::with_capacity(j.touchpoints.len());
        let mut on_complete = Vec::with_capacity(j.touchpoints.len());
        let mut cands = Vec::new();
        let watching = |event: TriggerEvent, tp: usize| {
            j.triggers
                .iter()
                .enumerate()
                .filter(move |(_, t)| t.event == event && t.at.contains(&tp))
                .map(|(k, _)| k as u32)
        };
        for tp in 0..j.touchpoints.len() {
            let start = cands.len() as u32;
            cands.extend(watching(TriggerEvent::Abandon, tp));
            cands.extend(watching(TriggerEvent::Exit, tp));
            on_leave.push((start, cands.len() as u32));
            let start = cands.len() as u32;
            cands.extend(watching(TriggerEvent::Exit, tp));
            on_complete.push((start, cands.len() as u32));
        }
        let mut stage = vec![0u32; j.touchpoints.len()];
        for (s, st) in j.stages.iter().enumerate() {
            for &t in &st.touchpoints {
                stage[t] = s as u32;
            }
        }
        Tables {
            n_tp: j.touchpoints.len(),
            n_seg,
            n_goals: j.goals.len(),
            n_triggers: j.triggers.len(),
            n_stages: j.stages.len(),
            segment,
            entry,
            dur_min: j.touchpoints.iter().map(|t| t.duration.min).collect(),
            dur_span: j
                .touchpoints
                .iter()
                .map(|t| (t.duration.max - t.duration.min).max(0.0))
                .collect(),
            cost: j.touchpoints.iter().map(|t| t.cost).collect(),
            emotion: j.touchpoints.iter().map(|t| t.emotion).collect(),
            friction: j
                .touchpoints
                .iter()
                .map(|t| bernoulli(t.friction))
                .collect(),
            channel: j.touchpoints.iter().map(|t| t.channel as u32).collect(),
            stage,
            goal: j
                .touchpoints
                .iter()
                .map(|t| t.goal.map_or(NO_GOAL, |g| g.goal as u32))
                .collect(),
            value: j
                .touchpoints
                .iter()
                .map(|t| t.goal.map_or(0.0, |g| g.value))
                .collect(),
            moves,
            alias,
            in_context: j.in_context.clone(),
            context_loss: bernoulli(j.context_loss),
            patience: j.segments.iter().map(|s| bernoulli(s.patience)).collect(),
            primary: j.primary_goal.map_or(NO_GOAL, |g| g as u32),
            on_leave,
            on_complete,
            cands,
            triggers: j
                .triggers
                .iter()
                .map(|t| TriggerRow {
                    after: t.after,
                    via: t.via as u32,
                    via_cost: j.channels[t.via].cost,
                    limit: t.limit,
                    target: t.target as u32,
                    back: bernoulli(t.probability),
                })
                .collect(),
            horizon: match j.horizon {
                Some(h) if !ignore_horizon => h,
                _ => f64::INFINITY,
            },
            max_steps: j.max_steps,
        }
    }

    /// True when a move from channel `a` to channel `b` keeps the customer's context.
    #[inline(always)]
    pub fn shares_context(&self, a: u32, b: u32) -> bool {
        a == b || (self.in_context[a as usize] && self.in_context[b as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_tables_reproduce_their_weights() {
        let mut a = Alias::default();
        let r = a.push(&[(7, 0.5), (8, 0.3), (9, 0.2), (10, 0.0)]);
        // 2^20 draws: each outcome's share is its weight within 0.005 (> 7 standard errors).
        let mut rng = crate::sim::engine::customer_rng(1, 2);
        let mut counts = [0u64; 4];
        let steps = 1u64 << 20;
        for _ in 0..steps {
            counts[(a.pick(r, rand::Rng::next_u64(&mut rng)) - 7) as usize] += 1;
        }
        let share = |k: usize| counts[k] as f64 / steps as f64;
        assert!((share(0) - 0.5).abs() < 0.005, "{counts:?}");
        assert!((share(1) - 0.3).abs() < 0.005, "{counts:?}");
        assert!((share(2) - 0.2).abs() < 0.005, "{counts:?}");
        assert_eq!(counts[3], 0, "a zero weight is never drawn");
    }

    #[test]
    fn alias_of_one_outcome_and_of_none() {
        let mut a = Alias::default();
        let one = a.push(&[(3, 1.0)]);
        assert_eq!(a.pick(one, 0), 3);
        assert_eq!(a.pick(one, u64::MAX), 3);
        assert_eq!(a.push(&[]).len, 0);
        assert_eq!(a.push(&[(1, 0.0)]).len, 0);
    }

    #[test]
    fn bernoulli_thresholds_are_exact_at_the_ends() {
        assert_eq!(bernoulli(0.0), 0);
        assert_eq!(bernoulli(1.0), ALWAYS);
        const { assert!((u64::MAX >> 11) < ALWAYS, "p = 1 always succeeds") };
        assert_eq!(bernoulli(0.5), ALWAYS / 2);
    }
}
