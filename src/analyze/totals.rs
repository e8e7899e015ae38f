//! Per-segment totals: every figure as an expectation per customer of the segment, so that
//! segments mix linearly by share and ratios (drop-off, cost per conversion, mean time to
//! convert) are taken last, over the mixed totals.

use super::AnalyzeError;
use super::chain::{self, ABANDON, COMPLETE, Chain, LEAVE, Pred};
use super::lifetime::{FirstCycle, Life};
use super::solve::{Factor, Solver, TOLERANCE};
use crate::model::{Journey, SegmentId, Visit};
use faer::linalg::solvers::Solve;
use faer::{ColMut, Mat};
use petgraph::Graph;
use petgraph::algo::kosaraju_scc;

/// Largest gap allowed between two ways of computing one probability (the sum of all
/// endings and 1; conversion by first visits and by endings).
const CONSERVATION: f64 = 1e-8;

/// Expectations per customer (one segment's, or the share-weighted mix).
#[derive(Clone, Debug, Default)]
pub(super) struct Totals {
    /// P(goal achieved at least once), per goal.
    pub goal: Vec<f64>,
    /// P(at least one visit), per touchpoint.
    pub reach: Vec<f64>,
    /// Expected visits, per touchpoint.
    pub visits: Vec<f64>,
    /// P(journey finally ended here), per ending (abandon, leave, complete) and touchpoint.
    pub ended: [Vec<f64>; 3],
    /// P(journey finally ended here without the primary goal), per touchpoint.
    pub ended_no_goal: Vec<f64>,
    /// P(journey left by an `exit` after the primary goal).
    pub left_converted: f64,
    /// Expected pain points.
    pub pains: f64,
    /// Expected sum of emotions (sentiment before pains).
    pub emotion: f64,
    /// Expected cost (visits and trigger messages).
    pub cost: f64,
    /// Expected revenue (goal values on every visit).
    pub revenue: f64,
    /// Expected visits to touchpoints with `csat`, per touchpoint.
    pub rated: Vec<f64>,
    /// Expected visits rated satisfied, per touchpoint.
    pub satisfied: Vec<f64>,
    /// Expected visits to touchpoints with `effort`.
    pub effort_visits: f64,
    /// Expected total effort.
    pub effort: f64,
    /// The lifetime figures (LANGUAGE-2.md §3).
    pub life: Life,
    /// E[time to convert · 1{converted}], seconds.
    pub time_converted: f64,
    /// Expected firings, per trigger.
    pub firings: Vec<f64>,
    /// Expected returns, per trigger.
    pub returns: Vec<f64>,
    /// P(brought back at least once), per trigger.
    pub brought_back: Vec<f64>,
    /// Transient states of the chain(s).
    pub states: usize,
    /// Worst relative residual of the solves.
    pub residual: f64,
}

impl Totals {
    fn zero(j: &Journey) -> Self {
        let (t, g, k) = (j.touchpoints.len(), j.goals.len(), j.triggers.len());
        Totals {
            goal: vec![0.0; g],
            reach: vec![0.0; t],
            visits: vec![0.0; t],
            ended: [vec![0.0; t], vec![0.0; t], vec![0.0; t]],
            ended_no_goal: vec![0.0; t],
            left_converted: 0.0,
            rated: vec![0.0; t],
            satisfied: vec![0.0; t],
            firings: vec![0.0; k],
            returns: vec![0.0; k],
            brought_back: vec![0.0; k],
            ..Default::default()
        }
    }

    /// The share-weighted mix of the segments' totals.
    pub fn mix(j: &Journey, parts: &[Totals]) -> Totals {
        let mut m = Totals::zero(j);
        for (s, p) in parts.iter().enumerate() {
            let w = j.segments[s].share;
            let add =
                |a: &mut Vec<f64>, b: &Vec<f64>| a.iter_mut().zip(b).for_each(|(a, b)| *a += w * b);
            add(&mut m.goal, &p.goal);
            add(&mut m.reach, &p.reach);
            add(&mut m.visits, &p.visits);
            for e in 0..3 {
                add(&mut m.ended[e], &p.ended[e]);
            }
            add(&mut m.ended_no_goal, &p.ended_no_goal);
            m.left_converted += w * p.left_converted;
            add(&mut m.firings, &p.firings);
            add(&mut m.returns, &p.returns);
            add(&mut m.brought_back, &p.brought_back);
            add(&mut m.rated, &p.rated);
            add(&mut m.satisfied, &p.satisfied);
            m.life.mix(w, &p.life);
            m.effort_visits += w * p.effort_visits;
            m.effort += w * p.effort;
            m.pains += w * p.pains;
            m.emotion += w * p.emotion;
            m.cost += w * p.cost;
            m.revenue += w * p.revenue;
            m.time_converted += w * p.time_converted;
            m.states += p.states;
            m.residual = m.residual.max(p.residual);
        }
        m
    }
}

/// Builds, checks and solves the chain of segment `seg` (at most `max_states` states).
pub(super) fn segment(
    j: &Journey,
    seg: SegmentId,
    max_states: usize,
) -> Result<Totals, AnalyzeError> {
    let c = chain::explore(j, seg, max_states)?;
    let pred = Pred::new(&c);
    chain::check_endings(j, seg, &c, &pred)?;
    let solver = Solver::new(&c, pred)?;
    let mut run = Run {
        j,
        seg,
        c: &c,
        s: &solver,
        residual: 0.0,
    };
    run.totals()
}

/// Fails when a residual or consistency gap is past `tolerance` (or not a number); the
/// levers (`levers::segment`) check theirs with it too.
pub(super) fn within(gap: f64, tolerance: f64, what: &'static str) -> Result<(), AnalyzeError> {
    // `<=` is false for NaN, so a NaN gap fails too.
    if gap <= tolerance {
        Ok(())
    } else {
        Err(AnalyzeError::Inaccurate {
            segment: String::new(),
            what,
            residual: gap,
        })
    }
}

struct Run<'a> {
    j: &'a Journey,
    seg: SegmentId,
    c: &'a Chain,
    s: &'a Solver<'a>,
    residual: f64,
}

impl Run<'_> {
    /// Records a relative residual and fails past [`TOLERANCE`].
    fn check(&mut self, residual: f64, what: &'static str) -> Result<(), AnalyzeError> {
        self.residual = self.residual.max(residual);
        within(residual, TOLERANCE, what)
    }

    fn totals(&mut self) -> Result<Totals, AnalyzeError> {
        let (j, c) = (self.j, self.c);
        let n = c.len();
        let mut t = Totals::zero(j);
        t.states = n;

        // Expected visits of every state: (I − Q)ᵀ v = initial distribution.
        let mut alpha = vec![0.0; n];
        for &(x, w) in &c.init {
            alpha[x as usize] += w;
        }
        let mut v = alpha.clone();
        self.s.forward(&mut v, None, &[]);
        let r = self.s.forward_residual(&v, &alpha, None);
        self.check(r, "expected visits")?;

        let mut ended_total = 0.0;
        let mut ended_converted = 0.0;
        let visits: Vec<Visit> = j.touchpoints.iter().map(|tp| tp.visit(self.seg)).collect();
        for (x, &vx) in v.iter().enumerate() {
            let k = c.tp[x] as usize;
            let visit = &visits[k];
            t.visits[k] += vx;
            t.pains += vx * c.pains[x];
            t.emotion += vx * f64::from(visit.emotion);
            t.cost += vx * visit.cost;
            t.revenue += vx * visit.value;
            if let Some(csat) = visit.csat {
                t.rated[k] += vx;
                t.satisfied[k] += vx * csat.expected(c.pained[x]);
            }
            if let Some(effort) = visit.effort {
                t.effort_visits += vx;
                t.effort += vx * effort.expected(c.pained[x]);
            }
            let mut out = 0.0;
            for e in [ABANDON, LEAVE, COMPLETE] {
                t.ended[e][k] += vx * c.end[x][e];
                out += vx * c.end[x][e];
            }
            ended_total += out;
            if c.flag[x] {
                ended_converted += out;
                t.left_converted += vx * c.end[x][LEAVE];
            } else {
                t.ended_no_goal[k] += out;
            }
            for f in &c.fires[c.fire_start[x]..c.fire_start[x + 1]] {
                let tr = &j.triggers[f.trigger as usize];
                let k = f.trigger as usize;
                t.firings[k] += vx * f.mass;
                t.returns[k] += vx * f.mass * tr.probability;
                if f.first {
                    t.brought_back[k] += vx * f.mass * tr.probability;
                }
                t.cost += vx * f.mass * j.channels[tr.via].cost;
            }
        }
        // Every customer's journey ends exactly once.
        within(
            (ended_total - 1.0).abs(),
            CONSERVATION,
            "probability of ending",
        )?;

        if let Some(g) = j.primary_goal {
            let (p, time) = self.conversion_time(&v)?;
            within((p - ended_converted).abs(), CONSERVATION, "conversion")?;
            t.goal[g] = p;
            t.time_converted = time;
        }
        let graph = TouchpointGraph::new(j.touchpoints.len(), c);
        self.reach(&v, &graph, &mut t)?;
        for g in 0..j.goals.len() {
            if Some(g) != j.primary_goal {
                t.goal[g] = self.goal(g, &graph, &t)?;
            }
        }
        let cycle = FirstCycle {
            j,
            seg: self.seg,
            c,
            visits: &v,
            converts: j.primary_goal.map_or(0.0, |g| t.goal[g]),
            cost: t.cost,
            revenue: t.revenue,
        };
        t.life = cycle.life()?;
        t.residual = self.residual;
        Ok(t)
    }

    /// P(converted) and E[time to convert · 1{converted}]: first-conversion visits are the
    /// moves from a state without the primary goal into one with it, and
    /// `u = E[Σ arrival time over visits]` solves `(I − Q)ᵀ u = g` with the time each move
    /// adds (the mean duration of the visit left, plus the trigger's delay on a return).
    fn conversion_time(&mut self, v: &[f64]) -> Result<(f64, f64), AnalyzeError> {
        let (j, c) = (self.j, self.c);
        let n = c.len();
        let seg = self.seg;
        let dur = |x: usize| j.touchpoints[c.tp[x] as usize].visit(seg).duration.mean();
        let mut g = vec![0.0; n];
        for x in (0..n).filter(|&x| !c.flag[x]) {
            for i in c.edge_start[x]..c.edge_start[x + 1] {
                let y = c.edge_to[i] as usize;
                g[y] += v[x] * (dur(x) * c.edge_p[i] + c.edge_delay[i]);
            }
        }
        let mut u = g.clone();
        self.s.forward(&mut u, None, &[]);
        let r = self.s.forward_residual(&u, &g, None);
        self.check(r, "time to convert")?;
        let (mut p, mut time) = (0.0, 0.0);
        for &(y, w) in &c.init {
            if c.flag[y as usize] {
                p += w;
                time += w * dur(y as usize);
            }
        }
        for x in (0..n).filter(|&x| !c.flag[x]) {
            for i in c.edge_start[x]..c.edge_start[x + 1] {
                let y = c.edge_to[i] as usize;
                if c.flag[y] {
                    let q = c.edge_p[i];
                    p += v[x] * q;
                    time += u[x] * q + v[x] * (dur(x) * q + c.edge_delay[i]) + v[x] * q * dur(y);
                }
            }
        }
        Ok((p, time))
    }

    /// Reach of every touchpoint: its visits when no customer can come back to it; else,
    /// within its strongly connected component C of the touchpoint graph, the first-visit
    /// mass `f` over its states S from `vᵀ_S = fᵀ N(S,S)`, where the columns of the
    /// fundamental matrix `N = (I − Q)⁻¹` come from backward sweeps over C's blocks.
    fn reach(
        &mut self,
        v: &[f64],
        graph: &TouchpointGraph,
        t: &mut Totals,
    ) -> Result<(), AnalyzeError> {
        let (j, c, s) = (self.j, self.c, self.s);
        let ntp = j.touchpoints.len();
        t.reach.clone_from(&t.visits);
        // Blocks of each component of the touchpoint graph, in topological order.
        let mut comp_blocks: Vec<Vec<u32>> = vec![Vec::new(); graph.comps];
        for b in 0..s.blocks() {
            let tp = c.tp[s.block(b)[0] as usize] as usize;
            comp_blocks[graph.comp[tp]].push(b as u32);
        }
        let mut states_of: Vec<Vec<u32>> = vec![Vec::new(); ntp];
        for (k, list) in comp_blocks.iter().enumerate() {
            if !graph.cyclic_comp[k] {
                continue;
            }
            for &b in list {
                for &x in s.block(b as usize) {
                    states_of[c.tp[x as usize] as usize].push(x);
                }
            }
        }
        let mut x = vec![0.0; c.len()];
        let mut buf = Vec::new();
        for tp in 0..ntp {
            if !graph.cyclic[tp] || states_of[tp].is_empty() {
                continue;
            }
            let blocks = &comp_blocks[graph.comp[tp]];
            let set = &states_of[tp];
            let reach = self.first_visits(v, set, blocks, &mut x, &mut buf)?;
            if !(-TOLERANCE..=t.visits[tp] * (1.0 + TOLERANCE) + TOLERANCE).contains(&reach) {
                return Err(AnalyzeError::Inaccurate {
                    segment: String::new(),
                    what: "reach",
                    residual: reach - t.visits[tp],
                });
            }
            t.reach[tp] = reach.clamp(0.0, t.visits[tp]);
        }
        Ok(())
    }

    /// Σ f for `vᵀ_S = fᵀ N(S,S)` (see [`Run::reach`]); `x` is a zeroed scratch vector.
    fn first_visits(
        &mut self,
        v: &[f64],
        set: &[u32],
        blocks: &[u32],
        x: &mut [f64],
        buf: &mut Vec<f64>,
    ) -> Result<f64, AnalyzeError> {
        let s = self.s;
        let k = set.len();
        let lo = set
            .iter()
            .map(|&y| s.block_of[y as usize])
            .min()
            .unwrap_or(0);
        let first = blocks.partition_point(|&b| b < lo);
        let mut m = Mat::<f64>::zeros(k, k);
        for (col, &target) in set.iter().enumerate() {
            let hi = s.block_of[target as usize];
            let last = blocks.partition_point(|&b| b <= hi);
            let range = &blocks[first..last];
            x[target as usize] = 1.0;
            s.backward(x, range, buf);
            let r = s.backward_residual(x, range, target as usize);
            for (row, &y) in set.iter().enumerate() {
                m[(row, col)] = x[y as usize];
            }
            for &b in range {
                for &y in s.block(b as usize) {
                    x[y as usize] = 0.0;
                }
            }
            self.check(r, "reach")?;
        }
        let mut f: Vec<f64> = set.iter().map(|&y| v[y as usize]).collect();
        m.partial_piv_lu()
            .solve_transpose_in_place(ColMut::from_slice_mut(&mut f));
        let reach: f64 = f.iter().sum();
        if reach.is_finite() {
            Ok(reach)
        } else {
            Err(AnalyzeError::Singular {
                segment: String::new(),
            })
        }
    }

    /// P(goal `g` achieved at least once): the visits of its touchpoints when no customer
    /// can visit them twice; else the mass absorbed by its states, made absorbing.
    fn goal(&mut self, g: usize, graph: &TouchpointGraph, t: &Totals) -> Result<f64, AnalyzeError> {
        let (j, c, s) = (self.j, self.c, self.s);
        let mut member = vec![false; j.touchpoints.len()];
        for &k in &j.goals[g].touchpoints {
            member[k] = true;
        }
        if !graph.revisits(&member) {
            return Ok(j.goals[g].touchpoints.iter().map(|&k| t.visits[k]).sum());
        }
        let n = c.len();
        let cut: Vec<bool> = (0..n).map(|x| member[c.tp[x] as usize]).collect();
        let mut touched: Vec<usize> = (0..n)
            .filter(|&x| cut[x])
            .map(|x| s.block_of[x] as usize)
            .collect();
        touched.sort_unstable();
        touched.dedup();
        let refactored = touched
            .into_iter()
            .map(|b| s.factor(b, Some(&cut)).map(|f| (b, f)))
            .collect::<Result<Vec<(usize, Factor)>, _>>()?;
        let alpha: Vec<f64> = {
            let mut a = vec![0.0; n];
            for &(x, w) in &c.init {
                a[x as usize] += w;
            }
            a
        };
        let mut w = alpha.clone();
        s.forward(&mut w, Some(&cut), &refactored);
        let r = s.forward_residual(&w, &alpha, Some(&cut));
        self.check(r, "goal conversion")?;
        Ok((0..n).filter(|&x| cut[x]).map(|x| w[x]).sum())
    }
}

/// The touchpoint graph one segment's chain moves on (transitions and trigger returns).
pub(super) struct TouchpointGraph {
    /// Successors, deduplicated.
    next: Vec<Vec<u32>>,
    /// Component of each touchpoint.
    pub comp: Vec<usize>,
    /// Number of components.
    pub comps: usize,
    /// The component has a cycle (several touchpoints, or one with a self-loop).
    cyclic_comp: Vec<bool>,
    /// The touchpoint lies on a cycle: customers may visit it more than once.
    pub cyclic: Vec<bool>,
}

impl TouchpointGraph {
    /// The touchpoint graph of chain `c` over `ntp` touchpoints, with its components.
    pub fn new(ntp: usize, c: &Chain) -> Self {
        let mut next: Vec<Vec<u32>> = vec![Vec::new(); ntp];
        for x in 0..c.len() {
            for (y, _) in c.edges(x) {
                next[c.tp[x] as usize].push(c.tp[y]);
            }
        }
        let mut g: Graph<(), (), petgraph::Directed, u32> = Graph::with_capacity(ntp, 0);
        for _ in 0..ntp {
            g.add_node(());
        }
        for (a, list) in next.iter_mut().enumerate() {
            list.sort_unstable();
            list.dedup();
            for &b in list.iter() {
                g.add_edge((a as u32).into(), b.into(), ());
            }
        }
        let sccs = kosaraju_scc(&g);
        let mut comp = vec![0; ntp];
        let mut cyclic = vec![false; ntp];
        let mut cyclic_comp = vec![false; sccs.len()];
        for (k, scc) in sccs.iter().enumerate() {
            for node in scc {
                let a = node.index();
                comp[a] = k;
                cyclic[a] = scc.len() > 1 || next[a].contains(&(a as u32));
            }
            cyclic_comp[k] = scc.iter().any(|n| cyclic[n.index()]);
        }
        TouchpointGraph {
            next,
            comp,
            comps: sccs.len(),
            cyclic_comp,
            cyclic,
        }
    }

    /// True when a customer can visit the set of `member` touchpoints twice (a path of one move or more from
    /// one of them to one of them).
    fn revisits(&self, member: &[bool]) -> bool {
        let mut seen = vec![false; self.next.len()];
        let mut stack: Vec<usize> = Vec::new();
        for (t, _) in member.iter().enumerate().filter(|(_, m)| **m) {
            stack.extend(self.next[t].iter().map(|&u| u as usize));
        }
        while let Some(a) = stack.pop() {
            if seen[a] {
                continue;
            }
            if member[a] {
                return true;
            }
            seen[a] = true;
            stack.extend(self.next[a].iter().map(|&u| u as usize));
        }
        false
    }
}
