//! Analyze: the exact answer of a journey, no sampling — the absorbing Markov chain of
//! LANGUAGE.md's "What a customer does", one chain per segment, mixed by share.
//!
//! [`analyze`] ignores `horizon` and `max_steps`: every customer travels until the journey
//! ends (abandoned, left or completed), so no one times out or gets stuck. Reports say so.
//!
//! # The state
//! A transient state is a customer *arriving* at a touchpoint, before step 1, with exactly
//! what the rest of their journey depends on:
//! - **the touchpoint**;
//! - **a context break or not** on this arrival: step 2a rolls `context_loss` only when the
//!   customer came from a touchpoint, or a trigger's `via` channel, that does not share
//!   context with this touchpoint's channel; entries never lose context. The previous
//!   channel matters only through this bit, so it is all the state keeps (always false when
//!   `context_loss` is 0);
//! - **the primary goal achieved or not** (after this visit's step 1): drop-off counts
//!   journeys that ended without it, and time to convert stops at its first visit;
//! - **firings used per trigger**, 0..=limit each: step 5 skips a trigger at its limit. The
//!   product of (limit + 1) multiplies the state space; states are explored from the
//!   entries (only reachable ones exist) and the analysis refuses past
//!   [`chain::MAX_STATES`] per segment with [`AnalyzeError::TooManyStates`].
//!
//! The *pending ending* of step 5 (a customer who abandoned, left or completed at T, before
//! a trigger fires or not) is not a state of its own: which trigger fires is decided by the
//! firings already used, so the ending resolves within the same step into the trigger's
//! return (a move to the target, arriving from the `via` channel, with one more firing
//! used) or a final ending at T. Those final endings are the absorbing states: (touchpoint,
//! abandoned | left | completed, primary goal or not). The firing itself (its delay, the
//! message's cost) is a reward of the state it ends.
//!
//! # The figures
//! With `Q` the transient part of the chain and `α` the entry distribution, expected visits
//! solve `(I − Q)ᵀ v = α`; visits, pains, sentiment, cost, revenue, endings and firings
//! are sums of `v` times each state's expected reward. Conversion to the primary goal and
//! time to convert come from the moves into goal-achieved states; reach and other goals
//! need hitting probabilities (see [`totals`]). Ratios (drop-off, cost per conversion, mean
//! time to convert) are taken over share-weighted totals. NPS and time percentiles need
//! distributions, not means: `None` (see [`figures`]).
//!
//! # The solver
//! See [`solve`] and `docs/simulation.md`, section "Exact analysis". Every solve's
//! residual is checked and a bad one fails with [`AnalyzeError::Inaccurate`] rather than
//! printing wrong numbers.
//!
//! # Levers
//! [`levers()`] reads the same chains differently: for every touchpoint, the conversion
//! lost if it were removed, gained if its friction were halved, and the sensitivity of
//! conversion to its transitions (see [`mod@levers`] and `docs/levers.md`).

mod chain;
pub mod figures;
pub mod levers;
mod lifetime;
mod lp;
pub mod mdp;
pub mod optimize;
mod solve;
mod totals;

#[cfg(test)]
mod tests;

pub use chain::MAX_STATES;
pub use figures::{
    Analysis, Figures, Outcomes, TimeToConvert, TouchpointFigures, TriggerFigures, needs_simulation,
};
pub use levers::{LeverOptions, LeverSort, Levers, levers};

use crate::model::{Journey, SegmentId};
use totals::Totals;

/// Why a journey cannot be analysed exactly.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalyzeError {
    /// The journey has no entry touchpoint.
    #[error("the journey has no entry: no customer starts anywhere")]
    NoEntry,
    /// Levers were asked of a journey without a goal (there is no conversion to measure).
    #[error("the journey has no goal: levers measure conversion to a goal")]
    NoGoal,
    /// The trigger limits multiply the state space past [`MAX_STATES`].
    #[error(
        "the exact chain{} would have more than {limit} states: the firings used per trigger \
         multiply it (triggers: {triggers}); lower the limits or use `journeyc simulate`",
        for_segment(.segment)
    )]
    TooManyStates {
        /// The segment whose chain got too large (empty when known before exploring).
        segment: String,
        /// The limit.
        limit: usize,
        /// The triggers with their limits.
        triggers: String,
    },
    /// Some customers can loop for ever: no exit, no ending, no pain point to abandon at.
    #[error(
        "customers of segment `{segment}` can loop for ever among {} (no exit, no touchpoint \
         without transitions, no pain point to abandon at): their expected visits are \
         infinite. Fix the trap (J0303): give one of them `-> exit` or a transition out of \
         the loop",
        names(.touchpoints)
    )]
    NeverEnds {
        /// The segment.
        segment: String,
        /// The touchpoints of the loop.
        touchpoints: Vec<String>,
    },
    /// A block of `I − Q` could not be factorised.
    #[error("the chain{} is singular: some customers never end their journey", for_segment(.segment))]
    Singular {
        /// The segment.
        segment: String,
    },
    /// A solve missed its accuracy check.
    #[error(
        "the exact solve of {what}{} is not accurate enough (relative residual {residual:.3e}); \
         refusing to print wrong numbers: use `journeyc simulate`",
        for_segment(.segment)
    )]
    Inaccurate {
        /// The segment.
        segment: String,
        /// Which figure.
        what: &'static str,
        /// The residual or consistency gap found.
        residual: f64,
    },
    /// A broken internal invariant (a bug).
    #[error("internal error in the exact analysis: {0}")]
    Internal(&'static str),
    /// A figure the journey has no value of (`effort` when nothing rates effort).
    #[error("the journey has no value of {0}")]
    Unavailable(&'static str),
}

fn for_segment(segment: &str) -> String {
    if segment.is_empty() {
        String::new()
    } else {
        format!(" of segment `{segment}`")
    }
}

fn names(list: &[String]) -> String {
    const SHOWN: usize = 6;
    let mut out: Vec<String> = list.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    if list.len() > SHOWN {
        out.push(format!("and {} more", list.len() - SHOWN));
    }
    out.join(", ")
}

impl AnalyzeError {
    /// Names the segment in an error raised without it.
    fn in_segment(mut self, j: &Journey, seg: SegmentId) -> Self {
        let name = &j.segments[seg].name;
        match &mut self {
            AnalyzeError::TooManyStates { segment, .. }
            | AnalyzeError::Singular { segment }
            | AnalyzeError::Inaccurate { segment, .. }
            | AnalyzeError::NeverEnds { segment, .. } => {
                if segment.is_empty() {
                    segment.clone_from(name);
                }
            }
            AnalyzeError::NoEntry
            | AnalyzeError::NoGoal
            | AnalyzeError::Internal(_)
            | AnalyzeError::Unavailable(_) => {}
        }
        self
    }
}

/// The exact analysis of a journey (see the module documentation).
pub fn analyze(journey: &Journey) -> Result<Analysis, AnalyzeError> {
    analyze_within(journey, MAX_STATES)
}

/// [`analyze`] with another cap on the states of one segment's chain.
fn analyze_within(journey: &Journey, max_states: usize) -> Result<Analysis, AnalyzeError> {
    let parts = (0..journey.segments.len())
        .map(|s| totals::segment(journey, s, max_states).map_err(|e| e.in_segment(journey, s)))
        .collect::<Result<Vec<Totals>, _>>()?;
    let mix = Totals::mix(journey, &parts);
    Ok(Analysis {
        all: Figures::from_totals(journey, &mix),
        segments: parts
            .iter()
            .map(|t| Figures::from_totals(journey, t))
            .collect(),
        states: mix.states,
        residual: mix.residual,
    })
}
