//! The journey as a petgraph graph, one per segment, and the few graph facts the rules share.
//!
//! Nodes are touchpoints (node index `i` is touchpoint `i`); edges are the segment's resolved
//! transitions (zero-probability ones are already gone from the model) and, when asked for,
//! trigger returns. Every traversal here is iterative: a 1,000,000-touchpoint chain must not
//! overflow the stack, which rules out petgraph's recursive `tarjan_scc`.

use crate::model::{Journey, SegmentId, Target, TouchpointId};
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::Dfs;

/// A directed graph over a journey's touchpoints.
pub type TouchGraph = DiGraph<(), ()>;

/// The edges a customer of segment `seg` can follow: the segment's transitions and, when
/// `returns` is set, every trigger's return (watched touchpoint → target).
pub fn segment_graph(journey: &Journey, seg: SegmentId, returns: bool) -> TouchGraph {
    let n = journey.touchpoints.len();
    let mut g = TouchGraph::with_capacity(n, n);
    for _ in 0..n {
        g.add_node(());
    }
    for (from, tp) in journey.touchpoints.iter().enumerate() {
        for t in tp.transitions.get(seg).into_iter().flatten() {
            if let Target::Touchpoint(to) = t.target {
                g.add_edge(NodeIndex::new(from), NodeIndex::new(to), ());
            }
        }
    }
    if returns {
        for (from, to) in trigger_returns(journey) {
            g.add_edge(NodeIndex::new(from), NodeIndex::new(to), ());
        }
    }
    g
}

/// Trigger returns that can happen: (watched touchpoint, target), for triggers with a
/// positive return chance and a positive limit.
pub fn trigger_returns(
    journey: &Journey,
) -> impl Iterator<Item = (TouchpointId, TouchpointId)> + '_ {
    journey
        .triggers
        .iter()
        .filter(|t| t.probability > 0.0 && t.limit > 0)
        .flat_map(|t| t.at.iter().map(move |&at| (at, t.target)))
}

/// `reach[tp]`: some entry of the journey leads to `tp` in `g`.
pub fn reachable(journey: &Journey, g: &TouchGraph) -> Vec<bool> {
    let mut dfs = Dfs::empty(g);
    dfs.stack = journey.entries().map(|(e, _)| NodeIndex::new(e)).collect();
    let mut reach = vec![false; journey.touchpoints.len()];
    while let Some(n) = dfs.next(g) {
        reach[n.index()] = true;
    }
    reach
}

/// The bottom strongly connected components of `g`: sets of touchpoints that lead only to
/// each other. Each component is sorted by touchpoint id; components are in id order.
pub fn bottom_components(g: &TouchGraph) -> Vec<Vec<TouchpointId>> {
    let sccs = kosaraju_scc(g);
    let mut component = vec![0usize; g.node_count()];
    for (c, scc) in sccs.iter().enumerate() {
        for n in scc {
            component[n.index()] = c;
        }
    }
    let mut out: Vec<Vec<TouchpointId>> = sccs
        .into_iter()
        .enumerate()
        .filter(|(c, scc)| {
            scc.iter()
                .all(|&n| g.neighbors(n).all(|m| component[m.index()] == *c))
        })
        .map(|(_, scc)| {
            let mut ids: Vec<TouchpointId> = scc.into_iter().map(NodeIndex::index).collect();
            ids.sort_unstable();
            ids
        })
        .collect();
    out.sort_unstable_by_key(|c| c[0]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(n: usize, edges: &[(usize, usize)]) -> TouchGraph {
        let mut g = TouchGraph::new();
        for _ in 0..n {
            g.add_node(());
        }
        for &(a, b) in edges {
            g.add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
        }
        g
    }

    #[test]
    fn bottom_components_are_the_sinks_of_the_condensation() {
        // 0 → 1 ⇄ 2, 0 → 3 (a sink), 4 ↺ (a self-loop on its own).
        let g = graph(5, &[(0, 1), (1, 2), (2, 1), (0, 3), (4, 4)]);
        assert_eq!(bottom_components(&g), vec![vec![1, 2], vec![3], vec![4]]);
    }

    #[test]
    fn a_million_node_chain_does_not_overflow() {
        let n = 1_000_000;
        let edges: Vec<(usize, usize)> = (0..n - 1).map(|i| (i, i + 1)).collect();
        let g = graph(n, &edges);
        assert_eq!(bottom_components(&g), vec![vec![n - 1]]);
        // Closing the chain makes one component of a million nodes, with nothing below it.
        let mut g = g;
        g.add_edge(NodeIndex::new(n - 1), NodeIndex::new(0), ());
        let bottom = bottom_components(&g);
        assert_eq!(bottom.len(), 1);
        assert_eq!(bottom[0].len(), n);
    }
}
