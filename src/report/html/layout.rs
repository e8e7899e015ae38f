//! Where the touchpoints go on the map and in the flow diagram, computed once per page.
//!
//! Each stage is cut into *slots* (sub-columns). Two placements share the moves, computed
//! once ([`Layout::targets`]):
//!
//! - the flow's columns ([`Layout::flow`]): a move inside a stage always goes to a later slot
//!   — a touchpoint's slot is one past the slots of the touchpoints written before it in its
//!   stage that lead to it — and two touchpoints of one channel never share a slot;
//! - the map's places ([`Layout::map`]), packed: a move inside a stage to another channel may
//!   stay in the same slot (the card sits in another lane, the move is drawn down or up), so a
//!   stage that is a chain across channels takes the width of its longest run on one channel
//!   instead of climbing diagonally, one slot per card.
//!
//! Both run in time linear in touchpoints and moves: the moves are listed once, predecessors
//! push their slot forward to their targets, and a free slot is found with a "next free"
//! table per lane (path-compressed), so a stage of thousands of touchpoints costs no more per
//! touchpoint than a small one.

use crate::model::{Journey, SegmentId, Target, TouchpointId};
use std::collections::HashMap;

/// One placement: every touchpoint's global slot, and the slots of each stage.
#[derive(Clone, Debug)]
pub struct Slots {
    /// Slots per stage, in stage order (at least 1).
    pub per_stage: Vec<usize>,
    /// First global slot of each stage.
    pub first: Vec<usize>,
    /// Global slot of each touchpoint, by id.
    pub slot: Vec<usize>,
}

impl Slots {
    /// All slots.
    pub fn total(&self) -> usize {
        self.per_stage.iter().sum::<usize>().max(1)
    }

    /// The slot of `t` inside its stage.
    pub fn local(&self, j: &Journey, t: TouchpointId) -> usize {
        self.slot[t] - self.first.get(j.touchpoints[t].stage).copied().unwrap_or(0)
    }
}

/// The page's layout: the lanes, the moves, and the two placements.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The channels shown as lanes (those with a touchpoint), in declaration order.
    pub lanes: Vec<usize>,
    /// Lane of each touchpoint, by id.
    pub lane: Vec<usize>,
    /// The touchpoints some segment can move to from each touchpoint (positive
    /// probability), sorted, by id.
    pub targets: Vec<Vec<TouchpointId>>,
    /// The map's packed placement.
    pub map: Slots,
    /// The flow's placement (moves inside a stage always go right).
    pub flow: Slots,
}

impl Layout {
    /// The layout of a journey (see the module documentation).
    pub fn new(j: &Journey) -> Layout {
        let mut used = vec![false; j.channels.len()];
        for t in &j.touchpoints {
            if let Some(u) = used.get_mut(t.channel) {
                *u = true;
            }
        }
        let lanes: Vec<usize> = (0..j.channels.len()).filter(|&c| used[c]).collect();
        let mut lane_of = vec![0usize; j.channels.len()];
        for (i, &c) in lanes.iter().enumerate() {
            lane_of[c] = i;
        }
        let lane: Vec<usize> = j
            .touchpoints
            .iter()
            .map(|t| lane_of.get(t.channel).copied().unwrap_or(0))
            .collect();
        let targets: Vec<Vec<TouchpointId>> =
            (0..j.touchpoints.len()).map(|t| targets(j, t)).collect();
        let map = place(j, &lane, &targets, true);
        let flow = place(j, &lane, &targets, false);
        Layout {
            lanes,
            lane,
            targets,
            map,
            flow,
        }
    }
}

/// Places every stage's touchpoints in slots; `packed`: a move to another lane may keep
/// the slot.
fn place(j: &Journey, lane: &[usize], targets: &[Vec<TouchpointId>], packed: bool) -> Slots {
    let n = j.touchpoints.len();
    // Position of each touchpoint in its stage's written order.
    let mut order = vec![usize::MAX; n];
    for stage in &j.stages {
        for (i, &t) in stage.touchpoints.iter().enumerate() {
            if t < n {
                order[t] = i;
            }
        }
    }
    let mut local = vec![0usize; n];
    // The least slot each touchpoint may take, pushed forward by its predecessors.
    let mut need = vec![0usize; n];
    let mut per_stage = Vec::with_capacity(j.stages.len());
    for (k, stage) in j.stages.iter().enumerate() {
        let mut free = NextFree::default();
        let mut count = 0;
        for &t in &stage.touchpoints {
            if t >= n {
                continue;
            }
            let slot = free.take(lane[t], need[t]);
            local[t] = slot;
            count = count.max(slot + 1);
            for &b in &targets[t] {
                if j.touchpoints[b].stage == k && order[b] > order[t] {
                    let step = usize::from(!packed || lane[b] == lane[t]);
                    need[b] = need[b].max(slot + step);
                }
            }
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
        .map(|(t, tp)| first.get(tp.stage).copied().unwrap_or(0) + local[t])
        .collect();
    Slots {
        per_stage,
        first,
        slot,
    }
}

/// The taken slots of one stage, per lane: `take(lane, s)` returns the first free slot at or
/// after `s` and marks it taken. Each taken slot points past itself, and lookups compress the
/// chains they walk, so a run of taken slots is crossed in near-constant time.
#[derive(Default)]
struct NextFree {
    next: HashMap<(usize, usize), usize>,
}

impl NextFree {
    fn take(&mut self, lane: usize, from: usize) -> usize {
        // Find the first free slot.
        let mut s = from;
        let mut walked = Vec::new();
        while let Some(&after) = self.next.get(&(lane, s)) {
            walked.push(s);
            s = after;
        }
        // Compress: every slot walked now points at (or past) the free one.
        for w in walked {
            self.next.insert((lane, w), s + 1);
        }
        self.next.insert((lane, s), s + 1);
        s
    }
}

/// The touchpoints some segment can move to from `t` (positive probability), by id.
pub fn targets(j: &Journey, t: TouchpointId) -> Vec<TouchpointId> {
    targets_of(j, t, None)
}

/// The touchpoints `segment` (`None`: any segment) can move to from `t` (positive
/// probability), sorted, by id.
pub fn targets_of(j: &Journey, t: TouchpointId, segment: Option<SegmentId>) -> Vec<TouchpointId> {
    let rows = &j.touchpoints[t].transitions;
    let rows = match segment {
        Some(s) => rows.get(s..=s).unwrap_or(&[]),
        None => &rows[..],
    };
    let mut out: Vec<TouchpointId> = rows
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
        let l = Layout::new(&j);
        assert_eq!(l.flow.per_stage, [1, 1, 1]);
        assert_eq!(l.map.per_stage, [1, 1, 1]);
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
        let l = Layout::new(&j);
        assert_eq!(l.flow.slot, [0, 1, 2, 0]);
        assert_eq!(l.flow.per_stage, [3]);
        assert_eq!(l.lanes, [0, 1]);
        // Packed: `c` is on another channel than `b`, so it keeps b's slot.
        assert_eq!(l.map.slot, [0, 1, 1, 0]);
        assert_eq!(l.map.per_stage, [2]);
    }

    #[test]
    fn a_chain_across_channels_packs_instead_of_climbing() {
        // A stage that is a chain zigzagging over three channels: one slot per card in the
        // flow, but only as many as the longest run on one channel on the map.
        let j = journey(
            r#"journey zig {
  channel a digital
  channel b digital
  channel c digital
  stage s {
    touchpoint t1 on a { entry  -> t2 }
    touchpoint t2 on b { -> t3 }
    touchpoint t3 on c { -> t4 }
    touchpoint t4 on a { -> t5 }
    touchpoint t5 on b { -> t6 }
    touchpoint t6 on c { -> exit }
  }
}"#,
        );
        let l = Layout::new(&j);
        assert_eq!(l.flow.per_stage, [6]);
        assert_eq!(l.map.slot, [0, 0, 0, 1, 1, 1]);
        assert_eq!(l.map.per_stage, [2]);
    }

    #[test]
    fn next_free_skips_taken_runs() {
        let mut f = NextFree::default();
        assert_eq!(f.take(0, 0), 0);
        assert_eq!(f.take(0, 0), 1);
        assert_eq!(f.take(0, 0), 2);
        assert_eq!(f.take(1, 0), 0);
        assert_eq!(f.take(0, 5), 5);
        assert_eq!(f.take(0, 1), 3);
        assert_eq!(f.take(0, 0), 4);
        assert_eq!(f.take(0, 0), 6);
    }

    #[test]
    fn a_stage_of_many_unconnected_touchpoints_on_one_channel_is_linear() {
        // 20,000 touchpoints of one stage on one channel, none leading to another: each
        // takes the next slot; quadratic code would take minutes here.
        let mut text = String::from("journey wide {\n  channel web digital\n  stage s {\n");
        text.push_str("    touchpoint t0 on web { entry  -> exit }\n");
        for i in 1..20_000 {
            text.push_str(&format!("    touchpoint t{i} on web {{ -> exit }}\n"));
        }
        text.push_str("  }\n}\n");
        let j = journey(&text);
        let l = Layout::new(&j);
        assert_eq!(l.map.per_stage, [20_000]);
        assert_eq!(l.flow.slot[19_999], 19_999);
    }
}
