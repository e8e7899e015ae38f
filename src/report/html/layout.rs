//! Where the touchpoints go on the map and in the flow diagram.
//!
//! Each stage is cut into *slots* (sub-columns) so that a move inside a stage always goes to a
//! later slot: a touchpoint's slot is one past the slots of the touchpoints written before it
//! in its stage that lead to it, and two touchpoints of one channel never share a slot. Every
//! touchpoint thus has its own place on the map (and a step of the most travelled path its own
//! x), and the flow diagram ([`super::flow`]) uses the slots as its columns.

use crate::model::{Journey, Target, TouchpointId};

/// Where every touchpoint goes: its slot (global sub-column) and its lane (channel row).
pub struct Slots {
    /// Slots per stage, in stage order.
    pub per_stage: Vec<usize>,
    /// First global slot of each stage.
    pub first: Vec<usize>,
    /// Global slot of each touchpoint, by id.
    pub slot: Vec<usize>,
    /// The channels shown as lanes (those with a touchpoint), in declaration order.
    pub lanes: Vec<usize>,
    /// Lane of each touchpoint, by id.
    pub lane: Vec<usize>,
}

impl Slots {
    /// The slots of a journey (see the module documentation).
    pub fn new(j: &Journey) -> Slots {
        let lanes: Vec<usize> = (0..j.channels.len())
            .filter(|&c| j.touchpoints.iter().any(|t| t.channel == c))
            .collect();
        let lane: Vec<usize> = j
            .touchpoints
            .iter()
            .map(|t| lanes.iter().position(|&c| c == t.channel).unwrap_or(0))
            .collect();
        let mut local = vec![0usize; j.touchpoints.len()];
        let mut per_stage = Vec::with_capacity(j.stages.len());
        for stage in &j.stages {
            let mut taken: Vec<(usize, usize)> = Vec::new(); // (lane, slot)
            let mut count = 0;
            for (i, &t) in stage.touchpoints.iter().enumerate() {
                let mut slot = stage.touchpoints[..i]
                    .iter()
                    .filter(|&&p| leads_to(j, p, t))
                    .map(|&p| local[p] + 1)
                    .max()
                    .unwrap_or(0);
                while taken.contains(&(lane[t], slot)) {
                    slot += 1;
                }
                taken.push((lane[t], slot));
                local[t] = slot;
                count = count.max(slot + 1);
            }
            per_stage.push(count.max(1));
        }
        let mut first = Vec::with_capacity(per_stage.len());
        let mut at = 0;
        for &c in &per_stage {
            first.push(at);
            at += c;
        }
        let slot = j
            .touchpoints
            .iter()
            .enumerate()
            .map(|(k, t)| first.get(t.stage).copied().unwrap_or(0) + local[k])
            .collect();
        Slots {
            per_stage,
            first,
            slot,
            lanes,
            lane,
        }
    }

    /// All slots.
    pub fn total(&self) -> usize {
        self.per_stage.iter().sum::<usize>().max(1)
    }
}

/// True when some segment can move from `a` to `b`.
pub fn leads_to(j: &Journey, a: TouchpointId, b: TouchpointId) -> bool {
    targets(j, a).contains(&b)
}

/// The touchpoints some segment can move to from `t` (positive probability), by id.
pub fn targets(j: &Journey, t: TouchpointId) -> Vec<TouchpointId> {
    let mut out: Vec<TouchpointId> = j.touchpoints[t]
        .transitions
        .iter()
        .flatten()
        .filter(|tr| tr.probability > 0.0)
        .filter_map(|tr| match tr.target {
            Target::Touchpoint(b) => Some(b),
            Target::Exit => None,
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::html::testing::{TINY, journey};

    #[test]
    fn slots_put_moves_inside_a_stage_to_the_right() {
        let j = journey(TINY);
        let s = Slots::new(&j);
        assert_eq!(s.per_stage, [1, 1, 1]);
        let j = journey(
            r#"journey inner {
  channel web digital
  channel mail digital
  stage s {
    touchpoint a on web { entry  -> b }
    touchpoint b on web { -> c }
    touchpoint c on mail { -> exit }
    touchpoint d on mail { -> exit }
  }
}"#,
        );
        let s = Slots::new(&j);
        assert_eq!(s.slot, [0, 1, 2, 0]);
        assert_eq!(s.per_stage, [3]);
        assert_eq!(s.lanes, [0, 1]);
    }
}
