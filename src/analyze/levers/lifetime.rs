//! Levers by customer lifetime value (`journeyc levers --objective clv`, LANGUAGE-2.md §3):
//! for every touchpoint, the clv lost if customers arriving there left at once, and the clv
//! gained if its friction were halved — the same two changes as the conversion levers, each
//! measured by the exact analysis of the changed journey (its lifetime figures: every cycle
//! of every customer meets the change). One analysis per touchpoint and change, run in
//! parallel; the figures equal `analyze` on the changed journey by construction.

use super::super::{AnalyzeError, analyze};
use crate::model::{Journey, Metric, SegmentId, Target, TouchpointId, Transition};
use rayon::prelude::*;

/// The clv levers of a population (all customers, or one segment's).
#[derive(Clone, Debug, PartialEq)]
pub struct ClvLevers {
    /// clv of the unchanged journey.
    pub baseline: f64,
    /// Per touchpoint: clv lost if customers arriving there left at once (negative when the
    /// touchpoint costs more than it brings).
    pub removal: Vec<f64>,
    /// Per touchpoint: clv gained if its friction were halved (0 without friction).
    pub friction: Vec<f64>,
}

/// The clv levers of `j` for `segment` (`None`: all customers, mixed by share).
pub fn clv_levers(j: &Journey, segment: Option<SegmentId>) -> Result<ClvLevers, AnalyzeError> {
    let clv = |j: &Journey| -> Result<f64, AnalyzeError> {
        let a = analyze(j)?;
        let f = match segment {
            Some(s) => &a.segments[s],
            None => &a.all,
        };
        Ok(f.metric(Metric::Clv).unwrap_or(0.0))
    };
    let baseline = clv(j)?;
    let changes: Vec<(f64, f64)> = (0..j.touchpoints.len())
        .into_par_iter()
        .map(|t| {
            let gone = clv(&removed(j, t))?;
            let eased = match rubs(j, t) {
                true => clv(&halved(j, t))? - baseline,
                false => 0.0,
            };
            Ok((baseline - gone, eased))
        })
        .collect::<Result<_, AnalyzeError>>()?;
    Ok(ClvLevers {
        baseline,
        removal: changes.iter().map(|c| c.0).collect(),
        friction: changes.iter().map(|c| c.1).collect(),
    })
}

/// Some segment meets friction at `t`.
fn rubs(j: &Journey, t: TouchpointId) -> bool {
    let tp = &j.touchpoints[t];
    tp.friction > 0.0 || tp.by_segment.iter().any(|v| v.friction > 0.0)
}

/// `j` with customers arriving at `t` leaving at once: no visit there (no cost, value,
/// emotion, duration, friction or score), no goal, no trigger watching it.
pub(super) fn removed(j: &Journey, t: TouchpointId) -> Journey {
    let mut m = j.clone();
    let tp = &mut m.touchpoints[t];
    tp.goal = None;
    tp.friction = 0.0;
    tp.cost = 0.0;
    tp.emotion = 0;
    tp.duration = Default::default();
    tp.csat = None;
    tp.effort = None;
    tp.by_segment.clear();
    tp.transitions = vec![
        vec![Transition {
            target: Target::Exit,
            probability: 1.0,
            arrow: 0,
        }];
        m.segments.len()
    ];
    for g in &mut m.goals {
        g.touchpoints.retain(|&k| k != t);
    }
    for tr in &mut m.triggers {
        tr.at.retain(|&k| k != t);
    }
    m
}

/// `j` with the friction of `t` halved, for every segment.
pub(super) fn halved(j: &Journey, t: TouchpointId) -> Journey {
    let mut m = j.clone();
    let tp = &mut m.touchpoints[t];
    tp.friction /= 2.0;
    for v in &mut tp.by_segment {
        v.friction /= 2.0;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Options, resolve_source};

    /// A touchpoint that always leads to the purchase: removing it loses every customer's
    /// clv; halving a friction of f with patience 0 raises conversion from 1 − f to 1 − f/2.
    #[test]
    fn clv_levers_of_a_two_step_journey() {
        let text = "journey t {
          channel web digital
          segment all { share 100% patience 0% }
          stage s {
            touchpoint a on web { entry friction 20% -> b }
            touchpoint b on web { goal buy value 100 }
          }
          lifecycle { repeat 50% }
        }";
        let j = resolve_source("t.journey", text, &Options::default())
            .unwrap()
            .journey
            .unwrap();
        let l = clv_levers(&j, None).unwrap();
        // clv = 100 p · cycles, cycles = 1 / (1 − 0.5 p) (no winback, undiscounted).
        let clv = |p: f64| 100.0 * p * (1.0 - (0.5 * p).powi(100)) / (1.0 - 0.5 * p);
        assert!((l.baseline - clv(0.8)).abs() < 1e-9, "{l:?}");
        assert!((l.removal[0] - clv(0.8)).abs() < 1e-9);
        assert!((l.friction[0] - (clv(0.9) - clv(0.8))).abs() < 1e-9);
        assert_eq!(l.friction[1], 0.0);
    }
}
