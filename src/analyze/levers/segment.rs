//! One segment's levers, read off its chain: expected visits `v` (one forward sweep),
//! conversion from every state `h` (one backward sweep), then per touchpoint a low-rank
//! update for removal and halved friction, and a first-order formula for the sensitivities.
//! The derivations are in the documentation of [`super`] and in `docs/levers.md`.

use crate::analyze::AnalyzeError;
use crate::analyze::chain::{self, ABANDON, COMPLETE, Chain, LEAVE, Links, NONE, Pred};
use crate::analyze::solve::{Solver, TOLERANCE};
use crate::analyze::totals::within;
use crate::analyze::totals::{self, TouchpointGraph};
use crate::model::{GoalId, Journey, SegmentId, Target, TouchpointId};
use faer::Mat;
use faer::linalg::solvers::Solve;

/// Largest gap allowed between conversion computed forward (by first arrivals) and
/// backward (from the entries' conversion probabilities).
const CONSERVATION: f64 = 1e-8;

/// The levers of one segment, per customer of the segment.
#[derive(Clone, Debug, Default)]
pub(super) struct SegmentLevers {
    /// P(goal achieved at least once).
    pub conversion: f64,
    /// Conversion lost when each touchpoint is removed.
    pub removal: Vec<f64>,
    /// Conversion gained when each touchpoint's friction is halved.
    pub friction: Vec<f64>,
    /// Per touchpoint, per resolved transition of the segment (in order): the derivative
    /// of conversion (see [`super`]); `None` for a touchpoint's only transition.
    pub sensitivity: Vec<Vec<Option<f64>>>,
    /// Transient states of the chain.
    pub states: usize,
    /// Worst relative residual of the solves.
    pub residual: f64,
}

/// Computes the levers of segment `seg` for `goal` (at most `max_states` states).
pub(super) fn segment(
    j: &Journey,
    seg: SegmentId,
    goal: GoalId,
    max_states: usize,
) -> Result<SegmentLevers, AnalyzeError> {
    let c = chain::explore_with(j, seg, max_states, Some(goal), true)?;
    let pred = Pred::new(&c);
    chain::check_endings(j, seg, &c, &pred)?;
    let solver = Solver::new(&c, pred)?;
    let links = c.links.as_ref().ok_or(AnalyzeError::Internal(
        "the chain was explored without links",
    ))?;
    let mut run = Run {
        j,
        seg,
        goal,
        max_states,
        c: &c,
        s: &solver,
        links,
        v: Vec::new(),
        hbar: Vec::new(),
        residual: 0.0,
    };
    run.levers()
}

struct Run<'a> {
    j: &'a Journey,
    seg: SegmentId,
    goal: GoalId,
    max_states: usize,
    c: &'a Chain,
    s: &'a Solver<'a>,
    links: &'a Links,
    /// Expected visits of every state.
    v: Vec<f64>,
    /// P(goal achieved | arriving at the state): 1 on goal states (`flag`).
    hbar: Vec<f64>,
    residual: f64,
}

/// The columns `N(·, x')` of the fundamental matrix for the non-goal states `x'` of one
/// touchpoint, at the rows a lever needs (`rows`, sorted).
struct Columns {
    rows: Vec<u32>,
    /// `n[col][row]`.
    n: Vec<Vec<f64>>,
}

impl Columns {
    /// `N(y, col)`; zero for a row not kept (a state that cannot reach the touchpoint).
    fn get(&self, y: u32, col: usize) -> f64 {
        self.rows.binary_search(&y).map_or(0.0, |r| self.n[col][r])
    }
}

impl Run<'_> {
    fn check(&mut self, residual: f64, what: &'static str) -> Result<(), AnalyzeError> {
        self.residual = self.residual.max(residual);
        within(residual, TOLERANCE, what)
    }

    fn levers(&mut self) -> Result<SegmentLevers, AnalyzeError> {
        let (j, c, s) = (self.j, self.c, self.s);
        let n = c.len();
        let ntp = j.touchpoints.len();

        // Expected visits: (I − Q)ᵀ v = α.
        let mut alpha = vec![0.0; n];
        for &(x, w) in &c.init {
            alpha[x as usize] += w;
        }
        let mut v = alpha.clone();
        s.forward(&mut v, None, &[]);
        self.check(s.forward_residual(&v, &alpha, None), "expected visits")?;

        // Conversion from each state without the goal: (I − Q) h = r, r the chance that
        // the next move arrives at a goal touchpoint. States with the goal cannot lead back
        // to states without it, so the uncut chain gives the hitting probabilities.
        let mut r = vec![0.0; n];
        for (x, rx) in r.iter_mut().enumerate() {
            if !c.flag[x] {
                *rx = c.edges(x).filter(|&(y, _)| c.flag[y]).map(|(_, p)| p).sum();
            }
        }
        let mut h = r.clone();
        let all: Vec<u32> = (0..s.blocks() as u32).collect();
        s.backward(&mut h, &all, &mut Vec::new());
        self.check(
            s.backward_residual_all(&h, &r),
            "conversion from each state",
        )?;
        for (x, hx) in h.iter_mut().enumerate() {
            if c.flag[x] {
                *hx = 1.0;
            }
        }

        // Conversion, both ways, and the first arrivals at goal states.
        let mut first = vec![0.0; n];
        for &(x, w) in &c.init {
            if c.flag[x as usize] {
                first[x as usize] += w;
            }
        }
        for x in (0..n).filter(|&x| !c.flag[x]) {
            for (y, p) in c.edges(x) {
                if c.flag[y] {
                    first[y] += v[x] * p;
                }
            }
        }
        let forward: f64 = first.iter().sum();
        let backward: f64 = alpha.iter().zip(&h).map(|(a, h)| a * h).sum();
        within((forward - backward).abs(), CONSERVATION, "conversion")?;
        self.v = v;
        self.hbar = h;

        // The states of each touchpoint.
        let (start, states) = chain::group_by_key(&c.tp, ntp);
        let graph = TouchpointGraph::new(ntp, c);
        let mut comp_blocks: Vec<Vec<u32>> = vec![Vec::new(); graph.comps];
        for b in 0..s.blocks() {
            let t = c.tp[s.block(b)[0] as usize] as usize;
            comp_blocks[graph.comp[t]].push(b as u32);
        }

        let mut out = SegmentLevers {
            conversion: backward,
            removal: vec![0.0; ntp],
            friction: vec![0.0; ntp],
            sensitivity: vec![Vec::new(); ntp],
            states: n,
            residual: 0.0,
        };
        let mut scratch = vec![0.0; n];
        for t in 0..ntp {
            let of_t = &states[start[t]..start[t + 1]];
            out.sensitivity[t] = self.sensitivity(t, of_t);
            if j.touchpoints[t].goal.map(|g| g.goal) == Some(self.goal) {
                // Arriving here achieves the goal: removing it loses the first arrivals;
                // its friction and transitions come after the goal.
                out.removal[t] = of_t.iter().map(|&x| first[x as usize]).sum();
                continue;
            }
            let open: Vec<u32> = of_t
                .iter()
                .copied()
                .filter(|&x| !c.flag[x as usize])
                .collect();
            if open.is_empty() {
                continue;
            }
            let cols = if graph.cyclic[t] {
                Some(self.columns(&open, &comp_blocks[graph.comp[t]], &mut scratch)?)
            } else {
                None
            };
            out.removal[t] = self.removal(&open, cols.as_ref())?;
            out.friction[t] = self.friction(t, &open, cols.as_ref(), backward)?;
        }
        out.residual = self.residual;
        Ok(out)
    }

    /// Conversion lost when arriving at the touchpoint ends the journey at once: with `S`
    /// its states without the goal, `vᵀ_S N(S,S)⁻¹ h_S` (the first-arrival mass at each
    /// state times its conversion; `N(S,S)` is the identity when no customer comes back).
    fn removal(&self, open: &[u32], cols: Option<&Columns>) -> Result<f64, AnalyzeError> {
        let w: Vec<f64> = open.iter().map(|&x| self.v[x as usize]).collect();
        let delta: Vec<f64> = open.iter().map(|&x| self.hbar[x as usize]).collect();
        let Some(cols) = cols else {
            return Ok(dot(&w, &delta));
        };
        let k = open.len();
        let mut m = Mat::<f64>::zeros(k, k);
        for (row, &x) in open.iter().enumerate() {
            for col in 0..k {
                m[(row, col)] = cols.get(x, col);
            }
        }
        woodbury(&m, &w, delta)
    }

    /// Conversion gained by halving the touchpoint's friction: each state's row of `Q`
    /// changes by `Δstay · g` (more customers carry on, fewer abandon), a change of rank
    /// at most |S|, so `C' − C = wᵀ (I − D N_{·,S})⁻¹ δ` (Sherman–Morrison–Woodbury).
    fn friction(
        &self,
        t: TouchpointId,
        open: &[u32],
        cols: Option<&Columns>,
        conversion: f64,
    ) -> Result<f64, AnalyzeError> {
        let (j, links) = (self.j, self.links);
        let friction = j.touchpoints[t].visit(self.seg).friction;
        let patience = j.segments[self.seg].patience;
        if friction <= 0.0 || patience >= 1.0 {
            return Ok(0.0);
        }
        let mut w = Vec::with_capacity(open.len());
        let mut delta = Vec::with_capacity(open.len());
        let mut rows: Vec<(f64, Vec<(u32, f64)>)> = Vec::with_capacity(open.len());
        for &x in open {
            let x = x as usize;
            let loss = if links.brk[x] { j.context_loss } else { 0.0 };
            let keep_loss = 1.0 - loss * (1.0 - patience);
            let dstay = keep_loss * (friction / 2.0) * (1.0 - patience);
            if dstay > 0.0 && links.stay[x] <= 0.0 {
                // Nobody carried on here, so the states beyond were never explored.
                return self.friction_by_reanalysis(t, conversion);
            }
            let g = self.carry_on(x);
            let gh: f64 = g.iter().map(|&(y, q)| q * self.hbar[y as usize]).sum();
            w.push(self.v[x]);
            delta.push(dstay * gh);
            rows.push((dstay, g));
        }
        let Some(cols) = cols else {
            return Ok(dot(&w, &delta));
        };
        let k = open.len();
        let mut m = Mat::<f64>::zeros(k, k);
        for (row, (dstay, g)) in rows.iter().enumerate() {
            for col in 0..k {
                let dn: f64 = g.iter().map(|&(y, q)| q * cols.get(y, col)).sum();
                let identity = if row == col { 1.0 } else { 0.0 };
                m[(row, col)] = identity - dstay * dn;
            }
        }
        woodbury(&m, &w, delta)
    }

    /// The exact fallback for a touchpoint nobody got past (friction 100%, patience 0%):
    /// the chain of the journey with that friction halved.
    fn friction_by_reanalysis(
        &self,
        t: TouchpointId,
        conversion: f64,
    ) -> Result<f64, AnalyzeError> {
        let mut j = self.j.clone();
        let tp = &mut j.touchpoints[t];
        tp.friction /= 2.0;
        for v in &mut tp.by_segment {
            v.friction /= 2.0;
        }
        let after = totals::segment(&j, self.seg, self.max_states)?.goal[self.goal];
        Ok(after - conversion)
    }

    /// The derivative of state `x`'s row of `Q` with respect to its chance of carrying on
    /// past the pain points: the moves (with the trigger an `exit` or a completion fires)
    /// minus the trigger that abandoning fires.
    fn carry_on(&self, x: usize) -> Vec<(u32, f64)> {
        let (j, links) = (self.j, self.links);
        let t = self.c.tp[x] as usize;
        let moves = j.touchpoints[t]
            .transitions
            .get(self.seg)
            .map_or(&[][..], Vec::as_slice);
        let mut g = Vec::with_capacity(moves.len() + 1);
        let ret = |e: usize| {
            let (k, z) = links.ret[x][e];
            (k != NONE && z != NONE).then(|| (z, j.triggers[k as usize].probability))
        };
        if moves.is_empty() {
            g.extend(ret(COMPLETE));
        }
        for (i, m) in moves.iter().enumerate() {
            match m.target {
                Target::Exit => g.extend(ret(LEAVE).map(|(z, p)| (z, p * m.probability))),
                Target::Touchpoint(_) => {
                    g.push((links.move_to[links.move_start[x] + i], m.probability));
                }
            }
        }
        g.extend(ret(ABANDON).map(|(z, p)| (z, -p)));
        g
    }

    /// The value of state `x`'s `i`-th transition: conversion from where it leads (for
    /// `exit`, from where the trigger that leaving fires brings the customer back).
    fn move_value(&self, x: usize, i: usize, target: Target) -> f64 {
        let links = self.links;
        match target {
            Target::Exit => {
                let (k, z) = links.ret[x][LEAVE];
                if k == NONE || z == NONE {
                    0.0
                } else {
                    self.j.triggers[k as usize].probability * self.hbar[z as usize]
                }
            }
            Target::Touchpoint(_) => {
                let y = links.move_to[links.move_start[x] + i];
                if y == NONE {
                    0.0
                } else {
                    self.hbar[y as usize]
                }
            }
        }
    }

    /// dC/dε for moving ε onto each transition, the others scaled down in proportion:
    /// `Σ_x v_x stay_x Σ_{l≠i} p_l (V_i(x) − V_l(x)) / Σ_{l≠i} p_l` over the states without
    /// the goal (written with differences, which stay accurate when `p_i` is near 1).
    fn sensitivity(&self, t: TouchpointId, of_t: &[u32]) -> Vec<Option<f64>> {
        let moves = self.j.touchpoints[t]
            .transitions
            .get(self.seg)
            .map_or(&[][..], Vec::as_slice);
        let k = moves.len();
        if k == 0 {
            return Vec::new();
        }
        if k == 1 {
            return vec![None];
        }
        let mut acc = vec![0.0; k];
        let mut values = vec![0.0; k];
        for &x in of_t {
            let x = x as usize;
            let weight = self.v[x] * self.links.stay[x];
            if self.c.flag[x] || weight <= 0.0 {
                continue;
            }
            for (i, m) in moves.iter().enumerate() {
                values[i] = self.move_value(x, i, m.target);
            }
            for (i, a) in acc.iter_mut().enumerate() {
                let num: f64 = moves
                    .iter()
                    .enumerate()
                    .filter(|&(l, _)| l != i)
                    .map(|(l, m)| m.probability * (values[i] - values[l]))
                    .sum();
                *a += weight * num;
            }
        }
        (0..k)
            .map(|i| {
                let others: f64 = moves
                    .iter()
                    .enumerate()
                    .filter(|&(l, _)| l != i)
                    .map(|(_, m)| m.probability)
                    .sum();
                Some(acc[i] / others)
            })
            .collect()
    }

    /// Columns `N(·, x')` for every `x'` in `open` (states of one touchpoint on a cycle),
    /// by backward sweeps over the blocks of its component of the touchpoint graph (paths
    /// from the touchpoint back to it never leave the component). `scratch` is zeroed.
    fn columns(
        &mut self,
        open: &[u32],
        blocks: &[u32],
        scratch: &mut [f64],
    ) -> Result<Columns, AnalyzeError> {
        let s = self.s;
        // The rows a lever reads: the states themselves and where their rows lead.
        let mut rows: Vec<u32> = Vec::new();
        for &x in open {
            rows.push(x);
            rows.extend(self.c.edges(x as usize).map(|(y, _)| y as u32));
            rows.extend(self.carry_on(x as usize).iter().map(|&(y, _)| y));
        }
        rows.sort_unstable();
        rows.dedup();
        let mut n = Vec::with_capacity(open.len());
        let mut buf = Vec::new();
        for &target in open {
            let hi = s.block_of[target as usize];
            let range = &blocks[..blocks.partition_point(|&b| b <= hi)];
            scratch[target as usize] = 1.0;
            s.backward(scratch, range, &mut buf);
            let r = s.backward_residual(scratch, range, target as usize);
            n.push(rows.iter().map(|&y| scratch[y as usize]).collect());
            for &b in range {
                for &y in s.block(b as usize) {
                    scratch[y as usize] = 0.0;
                }
            }
            self.check(r, "levers (visits between a touchpoint's states)")?;
        }
        Ok(Columns { rows, n })
    }
}

/// `wᵀ M⁻¹ δ` for a small dense `M`, failing when the result is not a number.
fn woodbury(m: &Mat<f64>, w: &[f64], mut delta: Vec<f64>) -> Result<f64, AnalyzeError> {
    m.partial_piv_lu()
        .solve_in_place(faer::ColMut::from_slice_mut(&mut delta));
    let x = dot(w, &delta);
    if x.is_finite() {
        Ok(x)
    } else {
        Err(AnalyzeError::Singular {
            segment: String::new(),
        })
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}
