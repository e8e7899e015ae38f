//! The most travelled path of a journey and the expected sentiment along it, which the map
//! draws as its emotion curve.

use super::layout::targets;
use crate::model::{Journey, TouchpointId};
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
        let mut best: Option<TouchpointId> = None;
        for b in targets(j, at) {
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
        let lost = i > 0 && !j.shares_context(j.touchpoints[path[i - 1]].channel, tp.channel);
        let pains = tp.friction + if lost { j.context_loss } else { 0.0 };
        let emotion = f64::from(tp.emotion);
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
    use crate::report::html::testing::{TINY, figures, journey};

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
