//! Levers: where to invest, from the exact chain. For every touchpoint, how much conversion
//! to a goal depends on it — three exact figures, all per customer of the population (all
//! customers mixed by share, or one segment's):
//!
//! - **Removal effect** (Markov attribution's): the conversion lost if customers arriving at
//!   the touchpoint left the journey at once — the touchpoint becomes an absorbing state
//!   that converts nobody. Arriving there (from an entry, a transition or a trigger's
//!   return) ends the journey: no visit, no pain point, no goal, no trigger fires there.
//!   Customers who achieved the goal before arriving keep it. Reported absolute, relative to
//!   the baseline conversion, and as a share of the removal effects of all touchpoints.
//! - **Friction gain**: the conversion gained if the touchpoint's `friction` were halved
//!   (0 without friction). Context loss is left as it is.
//! - **Sensitivity** of each transition, per segment's resolved transitions: moving
//!   probability ε onto transition `i` of the touchpoint, the segment's other transitions
//!   there scaled down in proportion (`p_l · (1 − p_i − ε) / (1 − p_i)`), the derivative
//!   dC/dε at ε = 0. Over several segments the same move is made in every segment that has
//!   this transition (a segment without it is left alone), so the population's figure is
//!   the share-weighted sum of the segments'. A touchpoint's only transition has none.
//!
//! # How, and why it is exact
//! One chain per segment, whose goal bit tracks the chosen goal ([`super::analyze`] tracks
//! the primary one). With `v` the expected visits of every state (one forward sweep) and
//! `h` the conversion probability from every state (one backward sweep: states holding the
//! goal never lead back to states without it, so no cut is needed), for a touchpoint `T`
//! with states `S` that do not hold the goal yet:
//! - removal: `vᵀ_S N(S,S)⁻¹ h_S`, `N = (I − Q)⁻¹` — first-arrival mass at `T` times the
//!   conversion it would have had; for a touchpoint achieving the goal, the mass that
//!   first achieves it there;
//! - friction: the rows of `S` change by `Δstay_x · g_x` (more customers carry on, fewer
//!   abandon, with the triggers each ending fires), a rank-|S| update, so by the
//!   Sherman–Morrison–Woodbury identity `C' − C = vᵀ_S (I − D N(·,S))⁻¹ δ` with
//!   `δ_x = Δstay_x g_x·h`;
//! - sensitivity: `dC = vᵀ dQ h`, the first-order term of the same identity.
//!
//! When `T` lies on no cycle of the touchpoint graph, `N(·,S)` vanishes off the identity and
//! every figure is a sum over `S`; otherwise the columns `N(·,x)` come from backward sweeps
//! over `T`'s component only. The whole ranking costs about one analysis (see
//! `docs/levers.md`), and each figure equals [`super::analyze`] run on the modified journey
//! (the tests check it to 1e-9 on every sample touchpoint).

mod lifetime;
mod segment;

pub use lifetime::{ClvLevers, clv_levers};

#[cfg(test)]
mod tests;

use super::{AnalyzeError, MAX_STATES};
use crate::model::{GoalId, Journey, SegmentId, Target, TouchpointId};

/// What the levers are computed for.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct LeverOptions {
    /// The goal whose conversion counts; `None`: the primary goal.
    pub goal: Option<GoalId>,
    /// Only this segment's customers; `None`: all customers, segments mixed by share.
    pub segment: Option<SegmentId>,
}

/// The order of a ranking (largest first; ties in stage order).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum LeverSort {
    /// By what a change to the touchpoint gains: friction gain first, then the largest
    /// transition sensitivity, then removal effect. Must-pass steps all have the same
    /// removal effect (the whole conversion), so removal alone cannot rank them.
    #[default]
    Change,
    /// By removal effect.
    Removal,
    /// By friction gain.
    Friction,
    /// By the largest sensitivity among the touchpoint's transitions.
    Sensitivity,
}

/// The levers of a journey (see the module documentation).
#[derive(Clone, Debug)]
pub struct Levers {
    /// The goal measured.
    pub goal: GoalId,
    /// The segment measured; `None`: all customers.
    pub segment: Option<SegmentId>,
    /// Conversion to the goal of the population, unchanged journey.
    pub baseline: f64,
    /// Per touchpoint, by [`TouchpointId`].
    pub touchpoints: Vec<TouchpointLevers>,
    /// Transient states of the chains solved.
    pub states: usize,
    /// Worst relative residual of the solves.
    pub residual: f64,
    /// The sum of every touchpoint's removal effect (the denominator of [`Levers::share`]).
    pub removal_total: f64,
}

/// The levers of one touchpoint.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TouchpointLevers {
    /// Conversion lost if customers arriving here left at once (absolute, ≥ 0).
    pub removal: f64,
    /// Conversion gained if the friction here were halved (0 without friction).
    pub friction_gain: f64,
    /// One entry per target of the population's transitions here, in order of first
    /// appearance (segments in order).
    pub transitions: Vec<TransitionLevers>,
}

/// The sensitivity of conversion to one transition (one target) of a touchpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct TransitionLevers {
    /// Where it leads.
    pub target: Target,
    /// dC/dε of the population; `None` when no segment has another transition to take ε from.
    pub sensitivity: Option<f64>,
    /// The segments of the population that have this transition.
    pub segments: Vec<SegmentTransition>,
}

/// One segment's side of a transition.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct SegmentTransition {
    /// The segment.
    pub segment: SegmentId,
    /// Its resolved probability.
    pub probability: f64,
    /// dC/dε of that segment's own conversion; `None` for its only transition here.
    pub sensitivity: Option<f64>,
}

impl Levers {
    /// Removal effect over baseline conversion; `None` when nobody converts.
    pub fn relative(&self, t: TouchpointId) -> Option<f64> {
        (self.baseline > 0.0).then(|| self.touchpoints[t].removal / self.baseline)
    }

    /// Removal effect as a share of all touchpoints' (Markov attribution); `None` when they
    /// are all 0.
    pub fn share(&self, t: TouchpointId) -> Option<f64> {
        let total = self.removal_total;
        (total > 0.0).then(|| self.touchpoints[t].removal / total)
    }

    /// The transition with the largest sensitivity (first of equals), when moving
    /// probability onto it raises conversion; `None` when no transition does (the
    /// sensitivities of a touchpoint average 0 weighted by probability, so the largest is
    /// never negative; below `1e-12 ×` the baseline it counts as rounding).
    pub fn best(&self, t: TouchpointId) -> Option<&TransitionLevers> {
        let mut best: Option<(&TransitionLevers, f64)> = None;
        for tr in &self.touchpoints[t].transitions {
            let Some(s) = tr.sensitivity else { continue };
            if best.is_none_or(|(_, b)| round12(s) > round12(b)) {
                best = Some((tr, s));
            }
        }
        best.filter(|&(_, s)| s > 1e-12 * self.baseline)
            .map(|(tr, _)| tr)
    }

    /// Touchpoint ids ranked by `sort`, largest first; values equal to 12 significant
    /// digits keep stage order, and a touchpoint without the figure comes last.
    pub fn ranked(&self, sort: LeverSort) -> Vec<TouchpointId> {
        if sort == LeverSort::Change {
            // Lexicographic: friction gain, best sensitivity (none: below any), removal.
            let key = |t: TouchpointId| {
                let l = &self.touchpoints[t];
                let best = self
                    .best(t)
                    .and_then(|b| b.sensitivity)
                    .map_or(f64::NEG_INFINITY, round12);
                (round12(l.friction_gain), best, round12(l.removal))
            };
            let keys: Vec<(f64, f64, f64)> = (0..self.touchpoints.len()).map(key).collect();
            let mut ids: Vec<TouchpointId> = (0..self.touchpoints.len()).collect();
            ids.sort_by(|&a, &b| {
                let (x, y) = (keys[a], keys[b]);
                y.0.total_cmp(&x.0)
                    .then(y.1.total_cmp(&x.1))
                    .then(y.2.total_cmp(&x.2))
                    .then(a.cmp(&b))
            });
            return ids;
        }
        let keys: Vec<Option<f64>> = (0..self.touchpoints.len())
            .map(|t| {
                let l = &self.touchpoints[t];
                match sort {
                    LeverSort::Change | LeverSort::Removal => Some(l.removal),
                    LeverSort::Friction => Some(l.friction_gain),
                    LeverSort::Sensitivity => self.best(t).and_then(|b| b.sensitivity),
                }
                .map(round12)
            })
            .collect();
        let mut ids: Vec<TouchpointId> = (0..self.touchpoints.len()).collect();
        ids.sort_by(|&a, &b| match (keys[a], keys[b]) {
            (Some(x), Some(y)) => y.total_cmp(&x).then(a.cmp(&b)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.cmp(&b),
        });
        ids
    }
}

/// `x` rounded to 12 significant digits, as the JSON reports write it (so that rankings do
/// not depend on the last floating-point bits).
pub fn round12(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return if x.is_finite() { 0.0 } else { x };
    }
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// The levers of a journey for a goal and a population (see the module documentation).
///
/// Fails like [`super::analyze`] on journeys it cannot solve exactly, and with
/// [`AnalyzeError::NoGoal`] when `options.goal` is `None` and the journey has no goal.
/// Panics when `options` holds an id the journey does not have.
pub fn levers(journey: &Journey, options: &LeverOptions) -> Result<Levers, AnalyzeError> {
    levers_within(journey, options, MAX_STATES)
}

/// [`levers`] with another cap on the states of one segment's chain.
fn levers_within(
    j: &Journey,
    options: &LeverOptions,
    max_states: usize,
) -> Result<Levers, AnalyzeError> {
    let goal = options
        .goal
        .or(j.primary_goal)
        .ok_or(AnalyzeError::NoGoal)?;
    assert!(goal < j.goals.len(), "goal id out of range");
    let population: Vec<(SegmentId, f64)> = match options.segment {
        Some(s) => vec![(s, 1.0)],
        None => j.segments.iter().map(|s| s.share).enumerate().collect(),
    };
    let parts = population
        .iter()
        .map(|&(s, _)| segment::segment(j, s, goal, max_states).map_err(|e| e.in_segment(j, s)))
        .collect::<Result<Vec<_>, _>>()?;

    let ntp = j.touchpoints.len();
    let mut out = Levers {
        goal,
        segment: options.segment,
        baseline: 0.0,
        touchpoints: vec![TouchpointLevers::default(); ntp],
        states: 0,
        residual: 0.0,
        removal_total: 0.0,
    };
    for (&(_, w), part) in population.iter().zip(&parts) {
        out.baseline += w * part.conversion;
        out.states += part.states;
        out.residual = out.residual.max(part.residual);
        for (t, l) in out.touchpoints.iter_mut().enumerate() {
            l.removal += w * part.removal[t];
            l.friction_gain += w * part.friction[t];
        }
    }
    for (t, l) in out.touchpoints.iter_mut().enumerate() {
        // Removing a touchpoint never raises conversion; a rounding negative reads as 0.
        l.removal = l.removal.max(0.0);
        for (&(s, _), part) in population.iter().zip(&parts) {
            let moves = j.touchpoints[t]
                .transitions
                .get(s)
                .map_or(&[][..], Vec::as_slice);
            for (m, &sens) in moves.iter().zip(&part.sensitivity[t]) {
                let side = SegmentTransition {
                    segment: s,
                    probability: m.probability,
                    sensitivity: sens,
                };
                match l.transitions.iter_mut().find(|tr| tr.target == m.target) {
                    Some(tr) => tr.segments.push(side),
                    None => l.transitions.push(TransitionLevers {
                        target: m.target,
                        sensitivity: None,
                        segments: vec![side],
                    }),
                }
            }
        }
        for tr in &mut l.transitions {
            let weight = |s: SegmentId| population.iter().find(|p| p.0 == s).map_or(0.0, |p| p.1);
            if tr.segments.iter().any(|side| side.sensitivity.is_some()) {
                tr.sensitivity = Some(
                    tr.segments
                        .iter()
                        .map(|side| weight(side.segment) * side.sensitivity.unwrap_or(0.0))
                        .sum(),
                );
            }
        }
    }
    out.removal_total = out.touchpoints.iter().map(|l| l.removal).sum();
    Ok(out)
}
