//! One segment's absorbing chain: the states a customer of that segment can be in, explored
//! breadth-first from the entries, with every transition probability, ending and reward that
//! step 1–5 of LANGUAGE.md's "What a customer does" give them (see the module doc of
//! [`super`] for why the state holds what it holds).

use super::AnalyzeError;
use crate::model::{GoalId, Journey, SegmentId, Target, TouchpointId, TriggerEvent};
use std::collections::HashMap;

/// Above this many states in one segment's chain the analysis refuses (memory and time).
pub const MAX_STATES: usize = 5_000_000;

/// The three ways a journey ends at a touchpoint, as indices into per-ending arrays.
pub(super) const ABANDON: usize = 0;
/// An `exit` transition.
pub(super) const LEAVE: usize = 1;
/// No transition at all.
pub(super) const COMPLETE: usize = 2;

/// A state: the customer is arriving at `tp`, before step 1.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub tp: u32,
    /// The arrival crosses a context break (step 2a will roll `context_loss`).
    pub brk: bool,
    /// The primary goal is achieved once this visit's step 1 is done.
    pub flag: bool,
    /// Firings used per trigger, in mixed radix (digit k counts trigger k, base limit+1).
    pub fires: u128,
}

/// A trigger firing that a state's ending causes (step 5).
#[derive(Copy, Clone, Debug)]
pub(super) struct Firing {
    /// Which trigger.
    pub trigger: u32,
    /// Probability, per visit of the state, that it fires.
    pub mass: f64,
    /// True when this is the trigger's first firing for the customer.
    pub first: bool,
}

/// The chain of one segment: transient states in discovery order, rows of the transition
/// matrix `Q` in compressed form, and what each visit of a state contributes.
#[derive(Debug, Default)]
pub(super) struct Chain {
    /// The touchpoint of each state.
    pub tp: Vec<u32>,
    /// The primary goal is achieved after the state's visit.
    pub flag: Vec<bool>,
    /// Expected pain points per visit (context loss, then friction).
    pub pains: Vec<f64>,
    /// Probability per visit of at least one pain point (what `csat … pain` and
    /// `effort … pain` depend on, LANGUAGE-2.md §2).
    pub pained: Vec<f64>,
    /// Probability per visit that the journey finally ends here, by ending (no trigger
    /// brings the customer back).
    pub end: Vec<[f64; 3]>,
    /// `edge_start[x]..edge_start[x + 1]` are the successors of state `x`.
    pub edge_start: Vec<usize>,
    /// Successor state.
    pub edge_to: Vec<u32>,
    /// Transition probability.
    pub edge_p: Vec<f64>,
    /// Probability-weighted trigger delay on the edge (`Σ p·after` over trigger returns).
    pub edge_delay: Vec<f64>,
    /// `fire_start[x]..fire_start[x + 1]` are the firings of state `x`.
    pub fire_start: Vec<usize>,
    /// Firings.
    pub fires: Vec<Firing>,
    /// The initial distribution over states (the entries, no context break).
    pub init: Vec<(u32, f64)>,
    /// Where each transition and ending of a state leads, when [`explore_with`] was asked
    /// to record it (levers); `None` for [`explore`].
    pub links: Option<Links>,
}

/// "No such state" (or no such trigger) in [`Links`].
pub(super) const NONE: u32 = u32::MAX;

/// What a state's row of `Q` is made of, kept apart so that one transition probability or
/// one friction can be varied: the rows themselves merge edges to the same state.
#[derive(Debug, Default)]
pub(super) struct Links {
    /// The arrival crosses a context break (step 2a rolls `context_loss`).
    pub brk: Vec<bool>,
    /// Probability per visit of carrying on past the pain points (step 2).
    pub stay: Vec<f64>,
    /// `move_start[x]..move_start[x + 1]` index [`Links::move_to`] with the resolved
    /// transitions of the state's touchpoint for the segment, in order.
    pub move_start: Vec<usize>,
    /// The state a transition moves to: [`NONE`] for `exit`, and for a move nobody makes
    /// (`stay` is 0: no state was created for it).
    pub move_to: Vec<u32>,
    /// Per ending (abandon, leave, complete): the trigger that fires and the state its
    /// return arrives at ([`NONE`] when no trigger fires, when it never brings anyone back,
    /// or when nobody ends that way, so nothing was explored).
    pub ret: Vec<[(u32, u32); 3]>,
}

impl Chain {
    /// Number of transient states.
    pub fn len(&self) -> usize {
        self.tp.len()
    }

    /// Successors of `x` with their probabilities.
    pub fn edges(&self, x: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let r = self.edge_start[x]..self.edge_start[x + 1];
        self.edge_to[r.clone()]
            .iter()
            .zip(&self.edge_p[r])
            .map(|(&y, &p)| (y as usize, p))
    }
}

/// Trigger candidates per touchpoint and ending, in the order step 5 tries them.
struct Candidates {
    lists: Vec<[Vec<u32>; 3]>,
}

impl Candidates {
    fn new(j: &Journey) -> Self {
        let n = j.touchpoints.len();
        let mut on_abandon = vec![Vec::new(); n];
        let mut on_exit = vec![Vec::new(); n];
        for (k, tr) in j.triggers.iter().enumerate() {
            let lists = match tr.event {
                TriggerEvent::Abandon => &mut on_abandon,
                TriggerEvent::Exit => &mut on_exit,
            };
            for &t in &tr.at {
                if !lists[t].contains(&(k as u32)) {
                    lists[t].push(k as u32);
                }
            }
        }
        let lists = on_abandon
            .into_iter()
            .zip(on_exit)
            .map(|(a, e)| {
                // Abandoning or leaving: the `on abandon at` ones, then the `on exit at`
                // ones; completing: only the `on exit at` ones.
                let both: Vec<u32> = a.iter().chain(&e).copied().collect();
                [both.clone(), both, e]
            })
            .collect();
        Candidates { lists }
    }
}

/// Mixed-radix digits of the firing counts.
struct Radix {
    limit: Vec<u128>,
    stride: Vec<u128>,
}

impl Radix {
    fn new(j: &Journey) -> Result<Self, AnalyzeError> {
        let mut stride = Vec::with_capacity(j.triggers.len());
        let mut product: u128 = 1;
        for tr in &j.triggers {
            stride.push(product);
            product = product
                .checked_mul(u128::from(tr.limit) + 1)
                .ok_or_else(|| too_many(j, None, MAX_STATES))?;
        }
        let limit = j.triggers.iter().map(|t| u128::from(t.limit)).collect();
        Ok(Radix { limit, stride })
    }

    fn used(&self, code: u128, k: usize) -> u128 {
        (code / self.stride[k]) % (self.limit[k] + 1)
    }
}

/// The error for a state space past `limit`, naming the triggers whose limits multiply it.
fn too_many(j: &Journey, segment: Option<SegmentId>, limit: usize) -> AnalyzeError {
    let triggers: Vec<String> = j
        .triggers
        .iter()
        .map(|t| format!("{} (limit {})", t.name, t.limit))
        .collect();
    AnalyzeError::TooManyStates {
        segment: segment.map_or_else(String::new, |s| j.segments[s].name.clone()),
        limit,
        triggers: triggers.join(", "),
    }
}

/// Explores the chain of segment `seg` from its entries, refusing past `max_states`.
pub(super) fn explore(
    j: &Journey,
    seg: SegmentId,
    max_states: usize,
) -> Result<Chain, AnalyzeError> {
    explore_with(j, seg, max_states, j.primary_goal, false)
}

/// [`explore`] with the state's goal bit tracking `goal` instead of the primary goal, and
/// with [`Chain::links`] recorded when `record` is set.
pub(super) fn explore_with(
    j: &Journey,
    seg: SegmentId,
    max_states: usize,
    goal: Option<GoalId>,
    record: bool,
) -> Result<Chain, AnalyzeError> {
    let ctx = Context::new(j, seg, goal)?;
    let primary = |t: usize| ctx.primary(t);
    let mut links = record.then(|| Links {
        move_start: vec![0],
        ..Links::default()
    });
    let mut index: HashMap<Key, u32> = HashMap::new();
    let mut keys: Vec<Key> = Vec::new();
    let mut intern = |key: Key, keys: &mut Vec<Key>| -> Result<u32, AnalyzeError> {
        if let Some(&i) = index.get(&key) {
            return Ok(i);
        }
        if keys.len() >= max_states {
            return Err(too_many(j, Some(seg), max_states));
        }
        let i = keys.len() as u32;
        index.insert(key, i);
        keys.push(key);
        Ok(i)
    };

    let mut c = Chain::default();
    for (t, w) in j.entries() {
        let key = Key {
            tp: t as u32,
            brk: false,
            flag: primary(t),
            fires: 0,
        };
        let i = intern(key, &mut keys)?;
        c.init.push((i, w));
    }
    if c.init.is_empty() {
        return Err(AnalyzeError::NoEntry);
    }

    c.edge_start.push(0);
    c.fire_start.push(0);
    let mut x = 0;
    while x < keys.len() {
        let key = keys[x];
        let tp = &j.touchpoints[key.tp as usize];
        let moves = tp.transitions.get(seg).map_or(&[][..], Vec::as_slice);
        let step = ctx.step(key, tp.visit(seg).friction, moves);
        let first_edge = c.edge_to.len();
        for (to, &p) in step.moves.iter().zip(&step.move_p) {
            let to_state = match to {
                Some(to) => {
                    let y = intern(*to, &mut keys)?;
                    push_edge(&mut c, first_edge, y, p, 0.0);
                    y
                }
                None => NONE,
            };
            if let Some(l) = links.as_mut() {
                l.move_to.push(to_state);
            }
        }
        let mut ret = [(NONE, NONE); 3];
        for (kind, r) in step.returns.iter().enumerate() {
            let Some((k, back, to)) = r else { continue };
            ret[kind].0 = *k;
            if let Some(to) = to {
                let y = intern(*to, &mut keys)?;
                let tr = &j.triggers[*k as usize];
                push_edge(&mut c, first_edge, y, *back, *back * tr.after);
                ret[kind].1 = y;
            }
        }
        c.fires.extend(step.fires);
        if let Some(l) = links.as_mut() {
            l.brk.push(key.brk);
            l.stay.push(step.stay);
            l.move_start.push(l.move_to.len());
            l.ret.push(ret);
        }
        c.tp.push(key.tp);
        c.flag.push(key.flag);
        c.pains.push(step.pains);
        c.pained.push(step.pained);
        c.end.push(step.end);
        c.edge_start.push(c.edge_to.len());
        c.fire_start.push(c.fires.len());
        x += 1;
    }
    c.links = links;
    Ok(c)
}

/// What one state's step needs besides the state: the journey, the segment and the
/// trigger tables.
pub(super) struct Context<'a> {
    j: &'a Journey,
    patience: f64,
    radix: Radix,
    cands: Candidates,
    goal: Option<GoalId>,
    lossy: bool,
}

/// One visit of a state (steps 2, 3 and 5 of LANGUAGE.md), with the visit's friction and
/// moves given (the touchpoint's for the segment, or an option's: `optimize`).
pub(super) struct Step {
    /// Expected pain points per visit.
    pub pains: f64,
    /// Probability of at least one pain point.
    pub pained: f64,
    /// Probability of carrying on past the pain points.
    pub stay: f64,
    /// Probability per visit that the journey finally ends here, by ending.
    pub end: [f64; 3],
    /// Per written move: the state it arrives at (`None`: `exit`, or nobody moves).
    pub moves: Vec<Option<Key>>,
    /// Per written move: its probability per visit.
    pub move_p: Vec<f64>,
    /// Per ending: the trigger that fires, the probability it brings the customer back, and
    /// the state the return arrives at (`None` when it never brings anyone back).
    pub returns: [Option<(u32, f64, Option<Key>)>; 3],
    /// The firings.
    pub fires: Vec<Firing>,
}

impl<'a> Context<'a> {
    /// The context of segment `seg`'s chain, its goal bit tracking `goal`.
    pub fn new(j: &'a Journey, seg: SegmentId, goal: Option<GoalId>) -> Result<Self, AnalyzeError> {
        Ok(Context {
            j,
            patience: j.segments[seg].patience,
            radix: Radix::new(j)?,
            cands: Candidates::new(j),
            goal,
            lossy: j.context_loss > 0.0,
        })
    }

    /// Visiting touchpoint `t` achieves the tracked goal.
    pub fn primary(&self, t: usize) -> bool {
        self.goal.is_some() && self.j.touchpoints[t].goal.map(|g| g.goal) == self.goal
    }

    /// The step of `key` with `friction` and `moves`.
    pub fn step(&self, key: Key, friction: f64, moves: &[crate::model::Transition]) -> Step {
        let j = self.j;
        let t = key.tp as usize;
        let tp = &j.touchpoints[t];
        let patience = self.patience;
        // Step 2: context loss first, then friction; each pain point is survived with
        // the segment's patience. (Friction is rolled even after a break: the visit is
        // pained when either happens, whether or not the customer then left.)
        let loss = if key.brk { j.context_loss } else { 0.0 };
        let keep_loss = 1.0 - loss * (1.0 - patience);
        let pains = loss + keep_loss * friction;
        let pained = 1.0 - (1.0 - loss) * (1.0 - friction);
        let stay = keep_loss * (1.0 - friction * (1.0 - patience));
        let mut ending = [1.0 - stay, 0.0, 0.0];
        let mut end = [0.0; 3];
        let mut out = Step {
            pains,
            pained,
            stay,
            end,
            moves: Vec::with_capacity(moves.len()),
            move_p: Vec::with_capacity(moves.len()),
            returns: [None, None, None],
            fires: Vec::new(),
        };
        // Step 3: move.
        if moves.is_empty() {
            ending[COMPLETE] = stay;
        }
        for m in moves {
            let p = stay * m.probability;
            let to = match m.target {
                Target::Exit => {
                    ending[LEAVE] += p;
                    None
                }
                // A move nobody makes creates no state (a trap behind it is never entered).
                Target::Touchpoint(_) if p <= 0.0 => None,
                Target::Touchpoint(u) => Some(Key {
                    tp: u as u32,
                    brk: self.lossy && !j.shares_context(tp.channel, j.touchpoints[u].channel),
                    flag: key.flag || self.primary(u),
                    fires: key.fires,
                }),
            };
            out.moves.push(to);
            out.move_p.push(p);
        }
        // Step 5: the first candidate trigger under its limit fires.
        for (kind, &mass) in ending.iter().enumerate() {
            if mass <= 0.0 {
                continue;
            }
            let fired = self.cands.lists[t][kind]
                .iter()
                .map(|&k| k as usize)
                .find(|&k| self.radix.used(key.fires, k) < self.radix.limit[k]);
            let Some(k) = fired else {
                end[kind] += mass;
                continue;
            };
            let tr = &j.triggers[k];
            out.fires.push(Firing {
                trigger: k as u32,
                mass,
                first: self.radix.used(key.fires, k) == 0,
            });
            let back = mass * tr.probability;
            end[kind] += mass * (1.0 - tr.probability);
            let to = (back > 0.0).then(|| {
                let u = tr.target;
                Key {
                    tp: u as u32,
                    brk: self.lossy && !j.shares_context(tr.via, j.touchpoints[u].channel),
                    flag: key.flag || self.primary(u),
                    fires: key.fires + self.radix.stride[k],
                }
            });
            out.returns[kind] = Some((k as u32, back, to));
        }
        out.end = end;
        out
    }
}

/// Adds an edge of the state being built (whose edges start at `first`), merging it with an
/// edge to the same state: two endings may fire the same trigger back to the same place.
fn push_edge(c: &mut Chain, first: usize, to: u32, p: f64, delay: f64) {
    if let Some(i) = (first..c.edge_to.len()).find(|&i| c.edge_to[i] == to) {
        c.edge_p[i] += p;
        c.edge_delay[i] += delay;
        return;
    }
    c.edge_to.push(to);
    c.edge_p.push(p);
    c.edge_delay.push(delay);
}

/// Fails when some state cannot reach an ending: its customers would loop for ever (the
/// simulator stops them at `max_steps`; an exact answer would have infinite visits).
pub(super) fn check_endings(
    j: &Journey,
    seg: SegmentId,
    c: &Chain,
    pred: &Pred,
) -> Result<(), AnalyzeError> {
    let n = c.len();
    let mut ok = vec![false; n];
    let mut stack: Vec<usize> = (0..n)
        .filter(|&x| c.end[x].iter().any(|&e| e > 0.0))
        .collect();
    for &x in &stack {
        ok[x] = true;
    }
    while let Some(y) = stack.pop() {
        for (x, _) in pred.of(y) {
            if !ok[x] {
                ok[x] = true;
                stack.push(x);
            }
        }
    }
    let mut stuck: Vec<TouchpointId> = (0..n)
        .filter(|&x| !ok[x])
        .map(|x| c.tp[x] as usize)
        .collect();
    if stuck.is_empty() {
        return Ok(());
    }
    stuck.sort_unstable();
    stuck.dedup();
    Err(AnalyzeError::NeverEnds {
        segment: j.segments[seg].name.clone(),
        touchpoints: stuck
            .iter()
            .map(|&t| j.touchpoints[t].name.clone())
            .collect(),
    })
}

/// The indices `0..keys.len()` grouped by their key, in increasing order within a group (a
/// counting sort: the transpose of a map from index to key). Group `k` is
/// `items[start[k]..start[k + 1]]`; returns `(start, items)`.
pub(super) fn group_by_key(keys: &[u32], groups: usize) -> (Vec<usize>, Vec<u32>) {
    let mut start = vec![0usize; groups + 1];
    for &k in keys {
        start[k as usize + 1] += 1;
    }
    for k in 0..groups {
        start[k + 1] += start[k];
    }
    let mut fill = start.clone();
    let mut items = vec![0u32; keys.len()];
    for (i, &k) in keys.iter().enumerate() {
        items[fill[k as usize]] = i as u32;
        fill[k as usize] += 1;
    }
    (start, items)
}

/// The predecessors of every state (the transposed rows of `Q`).
#[derive(Debug)]
pub(super) struct Pred {
    start: Vec<usize>,
    from: Vec<u32>,
    p: Vec<f64>,
}

impl Pred {
    /// Transposes the chain's edges.
    pub fn new(c: &Chain) -> Self {
        let (start, edges) = group_by_key(&c.edge_to, c.len());
        let mut source = vec![0u32; c.edge_to.len()];
        for x in 0..c.len() {
            source[c.edge_start[x]..c.edge_start[x + 1]].fill(x as u32);
        }
        let from = edges.iter().map(|&e| source[e as usize]).collect();
        let p = edges.iter().map(|&e| c.edge_p[e as usize]).collect();
        Pred { start, from, p }
    }

    /// Predecessors of `y` with the probability of their edge into `y`.
    pub fn of(&self, y: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let r = self.start[y]..self.start[y + 1];
        self.from[r.clone()]
            .iter()
            .zip(&self.p[r])
            .map(|(&x, &p)| (x as usize, p))
    }
}
