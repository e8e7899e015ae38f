//! The most travelled path of a journey and the expected sentiment along it, which the map
//! draws as its emotion curve.

use super::layout::targets_of;
use crate::model::{Journey, SegmentId, TouchpointId};
use crate::sim::figures::Figures;

/// Why the most travelled path ends where it does.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// At a touchpoint with a goal.
    Goal,
    /// At a touchpoint whose only ways on are `exit` (or that has no transitions).
    Exit,
    /// The most reached next touchpoint is already on the path.
    Repeat,
    /// No simulated customer reached any next touchpoint.
    Unvisited,
}

/// One step of the most travelled path, with the expected sentiment it brings.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The touchpoint.
    pub touchpoint: TouchpointId,
    /// Its `emotion`.
    pub emotion: f64,
    /// Expected pain points here: its friction, plus `context_loss` when the step arrives
    /// from a channel that does not share context.
    pub pains: f64,
    /// Sentiment so far: the sum of `emotion − pains` over the steps up to this one.
    pub cumulative: f64,
}

/// The most travelled path: from the entry with the most simulated visits, at each touchpoint
/// on to the possible next touchpoint with the highest simulated reach (ties: the one written
/// first), until a goal, an exit or a repeat.
#[derive(Clone, Debug, PartialEq)]
pub struct MostTravelled {
    /// The steps, from the entry.
    pub steps: Vec<Step>,
    /// Why it ends at the last step.
    pub end: End,
}

/// The most travelled path of a journey given simulated figures (`None` without entries).
pub fn most_travelled(j: &Journey, f: &Figures) -> Option<MostTravelled> {
    most_travelled_in(j, f, None)
}

/// The most travelled path of one segment, given that segment's simulated figures: the same
/// rule over the segment's own transitions (the moves of positive probability for it) and
/// reach, with the emotion and friction a visit has for it (`None` without entries).
pub fn most_travelled_of(j: &Journey, f: &Figures, segment: SegmentId) -> Option<MostTravelled> {
    most_travelled_in(j, f, Some(segment))
}

/// [`most_travelled`] for all customers (`None`: the moves of any segment, the unqualified
/// emotion and friction) or for one segment ([`most_travelled_of`]).
fn most_travelled_in(
    j: &Journey,
    f: &Figures,
    segment: Option<SegmentId>,
) -> Option<MostTravelled> {
    let visits = |t: TouchpointId| f.touchpoints.get(t).map_or(0.0, |x| x.visits.value);
    let reach = |t: TouchpointId| f.touchpoints.get(t).map_or(0.0, |x| x.reach.value);
    let mut start: Option<TouchpointId> = None;
    for (t, _) in j.entries() {
        if start.is_none_or(|s| visits(t) > visits(s)) {
            start = Some(t);
        }
    }
    let mut at = start?;
    let mut path = vec![at];
    let mut on_path = vec![false; j.touchpoints.len()];
    on_path[at] = true;
    let end = loop {
        if j.touchpoints[at].goal.is_some() {
            break End::Goal;
        }
        let next = targets_of(j, at, segment);
        let mut best: Option<TouchpointId> = None;
        for b in next {
            if best.is_none_or(|x| reach(b) > reach(x)) {
                best = Some(b);
            }
        }
        match best {
            None => break End::Exit,
            Some(b) if reach(b) <= 0.0 => break End::Unvisited,
            Some(b) if on_path[b] => break End::Repeat,
            Some(b) => {
                on_path[b] = true;
                path.push(b);
                at = b;
            }
        }
    };
    let mut steps: Vec<Step> = Vec::with_capacity(path.len());
    for (i, &t) in path.iter().enumerate() {
        let tp = &j.touchpoints[t];
        let visit = match segment {
            None => tp.unqualified(),
            Some(s) => tp.visit(s),
        };
        let lost = i > 0 && !j.shares_context(j.touchpoints[path[i - 1]].channel, tp.channel);
        let pains = visit.friction + if lost { j.context_loss } else { 0.0 };
        let emotion = f64::from(visit.emotion);
        let before = steps.last().map_or(0.0, |s| s.cumulative);
        steps.push(Step {
            touchpoint: t,
            emotion,
            pains,
            cumulative: before + emotion - pains,
        });
    }
    Some(MostTravelled { steps, end })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::html::testing::{FORKED, TINY, figures, journey};

    #[test]
    fn most_travelled_path_follows_the_highest_reach() {
        let j = journey(TINY);
        let (f, _) = figures(&j);
        let p = most_travelled(&j, &f).unwrap();
        let names: Vec<&str> = p
            .steps
            .iter()
            .map(|s| j.touchpoints[s.touchpoint].name.as_str())
            .collect();
        // Starts at `a` (more visits than `z`), goes to `c` (reach ~48% > `b`'s ~24%), ends
        // at the goal `d`.
        assert_eq!(names, ["a", "c", "d"]);
        assert_eq!(p.end, End::Goal);
        // web → shop loses context (30% default), plus the 50% friction; shop → web again.
        let c = &p.steps[1];
        assert!((c.pains - 0.8).abs() < 1e-12, "{c:?}");
        let d = &p.steps[2];
        assert!((d.pains - 0.3).abs() < 1e-12, "{d:?}");
        assert!((d.cumulative - (0.0 - 0.8 + 1.0 - 0.3)).abs() < 1e-12);
    }

    #[test]
    fn each_segment_has_its_own_most_travelled_path_and_feelings() {
        let j = journey(FORKED);
        let (_, segments) = figures(&j);
        let names = |p: &MostTravelled| -> Vec<String> {
            p.steps
                .iter()
                .map(|s| j.touchpoints[s.touchpoint].name.clone())
                .collect()
        };
        let a = most_travelled_of(&j, &segments[0], 0).unwrap();
        assert_eq!(names(&a), ["start", "left"]);
        assert_eq!(a.steps[1].emotion, 2.0);
        assert_eq!(a.end, End::Goal);
        // b goes on to `far` (web → shop: friction 20% and the default context loss 30%).
        let b = most_travelled_of(&j, &segments[1], 1).unwrap();
        assert_eq!(names(&b), ["start", "far", "right"]);
        assert!((b.steps[1].pains - 0.5).abs() < 1e-12, "{b:?}");
        assert!(
            (b.steps[2].cumulative - (-0.5 - 0.3)).abs() < 1e-12,
            "{b:?}"
        );
        // b's own emotion at `left`, where its path would pass there.
        let b_left = most_travelled_of(&j, &segments[0], 1).unwrap();
        assert_eq!(names(&b_left), ["start", "left"]);
        assert_eq!(b_left.steps[1].emotion, -1.0);
        // All customers: the unqualified values, the moves of any segment.
        let (all, _) = figures(&j);
        let p = most_travelled(&j, &all).unwrap();
        assert_eq!(p.steps.last().map(|s| s.emotion), Some(2.0));
    }

    #[test]
    fn most_travelled_path_stops_at_a_repeat_and_at_an_exit() {
        let j = journey(
            r#"journey loop {
  channel web digital
  stage s {
    touchpoint a on web { entry  -> b }
    touchpoint b on web { -> a 60%  -> c 10%  -> exit }
    touchpoint c on web { -> exit }
  }
}"#,
        );
        let (f, _) = figures(&j);
        let p = most_travelled(&j, &f).unwrap();
        assert_eq!(p.steps.len(), 2);
        assert_eq!(p.end, End::Repeat);
        let j = journey(
            r#"journey leave {
  channel web digital
  stage s {
    touchpoint a on web { entry  -> b 50%  -> exit }
    touchpoint b on web { -> exit }
  }
}"#,
        );
        let p = most_travelled(&j, &figures(&j).0).unwrap();
        assert_eq!(p.steps.len(), 2);
        assert_eq!(p.end, End::Exit);
    }
}
