//! The model compiled into flat tables for the walk: one record per touchpoint indexed by
//! dense ids, probabilities as integer thresholds, one cumulative table ([`Cdf`]) per
//! touchpoint and segment for the moves. Built once per run (`learn` patches them where a
//! new policy changes them: `Tables::patch`); the hot loop then reads no
//! `String`, `HashMap` or `Vec` of `Vec`. ([`Alias`] tables, the textbook alternative, serve
//! the benchmark's raw baseline.)

use super::stats::{CHANCE_UNIT, EFFORT_UNIT, MONEY_UNIT, TIME_UNIT, to_units};
use crate::model::{Journey, Target, Touchpoint, TriggerEvent, Visit};

/// `Target::Exit` as an alias-table outcome.
pub(crate) const EXIT: u32 = u32::MAX;
/// No goal at a touchpoint.
pub(crate) const NO_GOAL: u32 = u32::MAX;
/// `1 << 32`: a Bernoulli threshold that always succeeds (see [`bernoulli`]).
pub(crate) const ALWAYS: u64 = 1 << 32;

/// A probability as a threshold on 32 random bits: `(bits as u64) < threshold` succeeds with
/// probability `p` (to 2⁻³²), exactly 0 for `p = 0` and exactly 1 for `p = 1`.
pub fn bernoulli(p: f64) -> u64 {
    (p.clamp(0.0, 1.0) * ALWAYS as f64).round() as u64
}

/// Walker's alias tables (Vose's construction), many in one flat store: one draw of 64 bits
/// picks among `n` outcomes in constant time — the high 32 bits choose a column, the low 32
/// bits compare with its threshold.
// Not part of the API: the engine draws from [`Cdf`] tables; only the raw baseline of
// benches/simulate.rs uses this, so it is public for the bench and hidden from the docs.
#[doc(hidden)]
#[derive(Clone, Debug, Default)]
pub struct Alias {
    /// The columns of every table, one after the other.
    columns: Vec<Column>,
}

/// One column of an alias table (16 bytes: four to a cache line).
#[derive(Copy, Clone, Debug)]
struct Column {
    /// Keep the column's own outcome when the low 32 random bits are below (0..=2³²).
    threshold: u64,
    /// The column's own outcome.
    outcome: u32,
    /// The outcome taken otherwise.
    alias: u32,
}

/// One table in an [`Alias`] store.
#[derive(Copy, Clone, Debug, Default)]
pub struct Range {
    /// First column.
    pub start: u32,
    /// Number of columns (0: no outcome at all).
    pub len: u32,
}

impl Alias {
    /// Adds a table for `(outcome, weight)` pairs (weights need not sum to 1; zero weights
    /// are kept as columns that are never chosen) and returns its range.
    pub fn push(&mut self, items: &[(u32, f64)]) -> Range {
        let start = self.columns.len() as u32;
        let n = items.len();
        let total: f64 = items.iter().map(|&(_, w)| w.max(0.0)).sum();
        if n == 0 || total <= 0.0 {
            return Range { start, len: 0 };
        }
        let scaled: Vec<f64> = items
            .iter()
            .map(|&(_, w)| w.max(0.0) * n as f64 / total)
            .collect();
        let mut threshold = vec![1.0f64; n];
        let mut alias: Vec<usize> = (0..n).collect();
        let mut work = scaled.clone();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| work[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            threshold[s] = work[s];
            alias[s] = l;
            work[l] -= 1.0 - work[s];
            if work[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Leftovers (rounding) keep their own column with certainty.
        for i in small.into_iter().chain(large) {
            threshold[i] = 1.0;
            alias[i] = i;
        }
        for i in 0..n {
            self.columns.push(Column {
                threshold: (threshold[i].clamp(0.0, 1.0) * 4_294_967_296.0).round() as u64,
                outcome: items[i].0,
                alias: items[alias[i]].0,
            });
        }
        Range {
            start,
            len: n as u32,
        }
    }

    /// Draws an outcome of a table with at least one column from 64 random bits.
    #[inline(always)]
    pub fn pick(&self, range: Range, r: u64) -> u32 {
        let c =
            self.columns[(range.start as u64 + (((r >> 32) * range.len as u64) >> 32)) as usize];
        if (r & 0xFFFF_FFFF) < c.threshold {
            c.outcome
        } else {
            c.alias
        }
    }
}

/// Discrete distributions as cumulative thresholds, many in one flat store: one draw of 64
/// bits picks the first outcome whose cumulative threshold exceeds it (inverse CDF, outcomes in
/// written order). Unlike an alias table, the pick is monotone in the draw: two journeys whose
/// probabilities differ a little send the same customer (the same draw) the same way almost
/// always — common random numbers couple well (`compare`). A linear scan for the short tables
/// journeys have, a binary search past 16 outcomes.
#[derive(Clone, Debug, Default)]
pub struct Cdf {
    steps: Vec<Step>,
}

/// A step of a [`Cdf`] outside every table (the unused end of a slot).
const PAD: Step = Step {
    below: 0,
    outcome: 0,
};

/// One outcome of a [`Cdf`] table.
#[derive(Copy, Clone, Debug)]
struct Step {
    /// Draws below this (and not below the previous outcome's) pick this outcome.
    below: u64,
    /// The outcome.
    outcome: u32,
}

impl Cdf {
    /// Adds a table for `(outcome, weight)` pairs (weights need not sum to 1; zero weights are
    /// never picked) and returns its range.
    pub fn push(&mut self, items: &[(u32, f64)]) -> Range {
        let start = self.steps.len();
        self.steps.resize(start + items.len(), PAD);
        self.put(start as u32, items.len(), items)
    }

    /// Writes the table for `items` into `slot` steps from `start` (at least `items.len()`),
    /// the rest of the slot [`PAD`], and returns its range: a table rewritten in place, as
    /// [`Cdf::push`] of the same items would write it.
    fn put(&mut self, start: u32, slot: usize, items: &[(u32, f64)]) -> Range {
        let at = start as usize;
        self.steps[at..at + slot].fill(PAD);
        let total: f64 = items.iter().map(|&(_, w)| w.max(0.0)).sum();
        if items.is_empty() || total <= 0.0 {
            return Range { start, len: 0 };
        }
        let mut cumulative = 0.0;
        for (i, &(outcome, w)) in items.iter().enumerate() {
            cumulative += w.max(0.0) / total;
            let below = if i + 1 == items.len() {
                u64::MAX
            } else {
                // `as` saturates: a cumulative probability of 1 becomes u64::MAX.
                (cumulative * 18_446_744_073_709_551_616.0) as u64
            };
            self.steps[at + i] = Step { below, outcome };
        }
        Range {
            start,
            len: items.len() as u32,
        }
    }

    /// Reserves `n` more steps (never picked: no range covers them).
    fn pad(&mut self, n: usize) {
        self.steps.resize(self.steps.len() + n, PAD);
    }

    /// Draws an outcome of a table with at least one outcome from 64 random bits.
    #[inline(always)]
    pub fn pick(&self, range: Range, r: u64) -> u32 {
        let steps = &self.steps[range.start as usize..(range.start + range.len) as usize];
        let (last, rest) = match steps.split_last() {
            Some(x) => x,
            None => return u32::MAX,
        };
        if rest.len() < 16 {
            // The thresholds rise, so those at or below `r` are a prefix: counting them
            // (no branch on the draw) finds the first above `r`.
            let i = rest.iter().map(|s| (s.below <= r) as usize).sum::<usize>();
            steps.get(i).map_or(last.outcome, |s| s.outcome)
        } else {
            let i = rest.partition_point(|s| s.below <= r);
            steps[i].outcome
        }
    }

    /// The steps of a table.
    fn table(&self, range: Range) -> &[Step] {
        &self.steps[range.start as usize..(range.start + range.len) as usize]
    }
}

/// A trigger, flattened.
#[derive(Copy, Clone, Debug)]
pub(crate) struct TriggerRow {
    /// Delay before the message, time units.
    pub after: i64,
    /// The `via` channel.
    pub via: u32,
    /// The message's cost, money units.
    pub via_cost: i64,
    /// Firings per customer.
    pub limit: u32,
    /// Where a returning customer arrives.
    pub target: u32,
    /// Return chance as a [`bernoulli`] threshold.
    pub back: u64,
}

/// What a visit of a touchpoint reads, in one record of one cache line.
#[derive(Copy, Clone, Debug)]
#[repr(C, align(64))]
pub(crate) struct Stop {
    /// What a visit adds to the customer's totals ([`TOTALS`] order: shortest duration in
    /// time units, cost and goal value in money units, sentiment change), as one array the
    /// walk adds in one loop.
    pub adds: [i64; 4],
    /// Spread of the duration (`max − min`), time units; 0 when fixed.
    pub dur_span: u64,
    /// Friction as a [`bernoulli`] threshold.
    pub friction: u64,
    /// Goal (`NO_GOAL` without one).
    pub goal: u32,
    /// Stage.
    pub stage: u32,
    /// The channel's context class (see [`Tables::class`]).
    pub class: u32,
    /// Triggers watch this touchpoint: [`LEAVE`] when the journey is abandoned or left here,
    /// [`COMPLETE`] when it completes here (built by [`Tables::link`]).
    pub watched: u8,
    /// The touchpoint achieves the journey's primary goal (built by [`Tables::link`]).
    pub primary: bool,
    /// The visit is rated ([`RATES_CSAT`], [`RATES_EFFORT`] bits): its scores are in
    /// [`Tables::scores`] at the hop's index.
    pub rated: u8,
}

/// The lifecycle as the walk reads it.
#[derive(Clone, Debug)]
pub(crate) struct LifeTables {
    /// Per segment, after a cycle without and with the primary goal (`winback`, `repeat`):
    /// the chance of another cycle as a [`bernoulli`] threshold, and the delay's least value
    /// and spread in time units.
    pub comeback: Vec<[(u64, i64, u64); 2]>,
    /// Cycles per customer at most.
    pub max_cycles: u32,
    /// The discount rate per time unit (0: `clv` is undiscounted net money).
    pub delta: f64,
}

impl LifeTables {
    fn new(j: &Journey, l: &crate::model::Lifecycle) -> Self {
        let row = |c: crate::model::Comeback| {
            let (lo, hi) = (
                to_units(c.after.min, TIME_UNIT),
                to_units(c.after.max, TIME_UNIT),
            );
            (bernoulli(c.chance), lo, hi.saturating_sub(lo).max(0) as u64)
        };
        LifeTables {
            comeback: (0..j.segments.len())
                .map(|s| [row(l.winback[s]), row(l.repeat[s])])
                .collect(),
            max_cycles: l.max_cycles,
            delta: l.rate_per_second() * TIME_UNIT,
        }
    }
}

/// [`Stop::rated`] bits.
pub(crate) const RATES_CSAT: u8 = 1;
pub(crate) const RATES_EFFORT: u8 = 2;

/// What a rated visit adds to the customer's scores (LANGUAGE-2.md §2), without and with
/// a pain point: the chance of a satisfied rating in [`CHANCE_UNIT`]s, and the effort in
/// [`EFFORT_UNIT`]s (0 where the visit is not rated for that score).
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct ScoreRow {
    pub satisfied: [i64; 2],
    pub effort: [i64; 2],
}

impl ScoreRow {
    fn of(visit: &Visit) -> Self {
        let both = |s: Option<crate::model::Score>, unit: f64| {
            s.map_or([0, 0], |s| [to_units(s.base, unit), to_units(s.pain, unit)])
        };
        ScoreRow {
            satisfied: both(visit.csat, CHANCE_UNIT),
            effort: both(visit.effort, EFFORT_UNIT),
        }
    }
}

/// Each channel's context class, and the table of moves that keep the context when classes
/// cannot say it (see [`Tables::keeps`]). Without loss all channels are one class; without
/// named groups the unnamed group is one class and every other channel its own; with named
/// groups that do not overlap in effect (sharing context is an equivalence), each class is
/// its least channel.
fn context_classes(j: &Journey) -> (Vec<u32>, Vec<u64>) {
    let n = j.channels.len();
    if j.context_loss <= 0.0 {
        return (vec![0; n], Vec::new());
    }
    if j.context_groups.is_empty() {
        let class = (0..n)
            .map(|c| if j.in_context[c] { n as u32 } else { c as u32 })
            .collect();
        return (class, Vec::new());
    }
    // Each channel's class: the least channel it shares context with.
    let class: Vec<u32> = (0..n)
        .map(|a| (0..n).find(|&b| j.shares_context(a, b)).unwrap_or(a) as u32)
        .collect();
    let equivalence =
        (0..n).all(|a| (0..n).all(|b| j.shares_context(a, b) == (class[a] == class[b])));
    if equivalence {
        return (class, Vec::new());
    }
    let mut keeps = vec![0u64; (n * n).div_ceil(64)];
    for a in 0..n {
        for b in 0..n {
            if j.shares_context(a, b) {
                let i = a * n + b;
                keeps[i / 64] |= 1 << (i % 64);
            }
        }
    }
    ((0..n as u32).collect(), keeps)
}

/// What a visit of touchpoint `t` reads when it does `visit` (its stage and channel class
/// given; the trigger and goal flags are set by [`Tables::link`]).
fn stop(t: &Touchpoint, visit: Visit, stage: u32, class: u32) -> Stop {
    let (lo, hi) = (
        to_units(visit.duration.min, TIME_UNIT),
        to_units(visit.duration.max, TIME_UNIT),
    );
    Stop {
        adds: [
            lo,
            to_units(visit.cost, MONEY_UNIT),
            to_units(visit.value, MONEY_UNIT),
            visit.emotion as i64,
        ],
        dur_span: hi.saturating_sub(lo).max(0) as u64,
        friction: bernoulli(visit.friction),
        goal: t.goal.map_or(NO_GOAL, |g| g.goal as u32),
        stage,
        class,
        watched: 0,
        primary: false,
        rated: visit.csat.map_or(0, |_| RATES_CSAT) | visit.effort.map_or(0, |_| RATES_EFFORT),
    }
}

/// The moves of touchpoint `t` for segment `seg` as [`Cdf`] items, into `items`.
fn move_items(t: &Touchpoint, seg: usize, items: &mut Vec<(u32, f64)>) {
    items.clear();
    if let Some(ts) = t.transitions.get(seg) {
        items.extend(ts.iter().map(|t| {
            let target = match t.target {
                Target::Exit => EXIT,
                Target::Touchpoint(k) => k as u32,
            };
            (target, t.probability)
        }));
    }
}

/// The steps a touchpoint's moves for a segment take in the [`Cdf`]: with options, room
/// for the longest option's (so that any policy's fit in place).
fn slot(t: &Touchpoint, seg: usize) -> usize {
    let len = |ts: Option<&Vec<crate::model::Transition>>| ts.map_or(0, Vec::len);
    t.choices
        .iter()
        .map(|c| len(c.transitions.get(seg)))
        .fold(len(t.transitions.get(seg)), usize::max)
}

/// The most stages and goals counted as one set per customer ([`Tables::combos`]): 2¹⁰
/// counts, 8 KiB per segment.
pub(crate) const COMBO_BITS: usize = 10;

/// The most counts [`Tables::combos`] keeps per thread (512 KiB): past it (many segments),
/// stages and goals are counted per customer, so memory does not grow with segments × sets.
pub(crate) const COMBO_CELLS: usize = 1 << 16;

/// [`Stop::watched`] bits.
pub(crate) const LEAVE: u8 = 1;
pub(crate) const COMPLETE: u8 = 2;

/// The customer totals a visit adds to, as indices of [`Stop::adds`]: time, cost, revenue
/// (goal value) and sentiment.
pub(crate) const TIME: usize = 0;
pub(crate) const COST: usize = 1;
pub(crate) const VALUE: usize = 2;
pub(crate) const MOOD: usize = 3;
/// Their number.
pub(crate) const TOTALS: usize = 4;

/// A [`Hop`] outcome: the journey completes (the touchpoint has no transitions).
pub(crate) const DONE: u32 = u32::MAX - 1;
/// Outcomes a [`Hop`] inlines; longer tables stay in the [`Cdf`].
const INLINE: usize = 4;

/// A distribution of a [`Cdf`] as the walk reads it: inlined when it has at most four
/// outcomes — cumulative thresholds padded with the last outcome, so a draw picks with three
/// comparisons, no branch and no second load — or else the table's range in the `Cdf`.
/// Picks are those of [`Cdf::pick`] on the same table.
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct Choice {
    /// The thresholds of the first three outcomes (`u64::MAX` past the table's end).
    below: [u64; INLINE - 1],
    /// The outcomes (the last one repeated past the table's end; `empty` for no outcome).
    next: [u32; INLINE],
    /// A longer table (len 0: inlined).
    big: Range,
}

impl Choice {
    /// Table `range` of `cdf`, its outcomes mapped by `map` when inlined; `empty` is the
    /// outcome of a table without outcomes.
    fn new(cdf: &Cdf, range: Range, map: impl Fn(u32) -> u32, empty: u32) -> Self {
        let steps = cdf.table(range);
        let mut choice = Choice {
            below: [u64::MAX; INLINE - 1],
            next: [empty; INLINE],
            big: Range::default(),
        };
        if steps.len() > INLINE {
            choice.big = range;
        } else if let Some(last) = steps.last() {
            choice.next = [map(last.outcome); INLINE];
            for (x, step) in steps.iter().enumerate() {
                choice.next[x] = map(step.outcome);
                if x + 1 < steps.len() {
                    choice.below[x] = step.below;
                }
            }
        }
        choice
    }

    /// The inlined outcome for draw `r`, or `None` for a longer table.
    #[inline(always)]
    fn inlined(&self, r: u64) -> Option<u32> {
        if self.big.len == 0 {
            let [a, b, c] = self.below;
            let i = (a <= r) as usize + (b <= r) as usize + (c <= r) as usize;
            Some(self.next[i & (INLINE - 1)])
        } else {
            None
        }
    }

    /// The outcome for draw `r` (of a table whose outcomes are not mapped).
    #[inline(always)]
    pub fn pick(&self, cdf: &Cdf, r: u64) -> u32 {
        self.inlined(r).unwrap_or_else(|| cdf.pick(self.big, r))
    }
}

/// Where a customer of one segment goes from one touchpoint, and what they count there, in
/// two cache lines (the moves, then the touchpoint's record). Moves lead to hop indices (`touchpoint · segments + segment`: a customer
/// keeps their segment), [`EXIT`] or [`DONE`].
#[derive(Copy, Clone, Debug)]
#[repr(C, align(64))]
pub(crate) struct Hop {
    /// The moves.
    moves: Choice,
    /// The touchpoint.
    pub tp: u32,
    /// The touchpoint's stage and goal as bits of one word: stage `s` as bit `s`, goal `g`
    /// as bit `stages + g` (0 when the journey is not [`Tables::narrow`]).
    pub reached: u64,
    /// The touchpoint's record, copied into the hop's second cache line (a visit then reads
    /// one place, with no second lookup by touchpoint).
    pub stop: Stop,
}

/// The compiled journey.
#[derive(Clone, Debug)]
pub(crate) struct Tables {
    /// Touchpoints, segments, goals, triggers, stages.
    pub n_tp: usize,
    pub n_seg: usize,
    pub n_goals: usize,
    pub n_triggers: usize,
    pub n_stages: usize,
    /// Segment draw (outcome = segment id).
    pub segment: Range,
    /// Entry draw (outcome = touchpoint id).
    pub entry: Range,
    /// `segment` and `entry` as the walk reads them (built by [`Tables::link`]).
    pub segment_choice: Choice,
    pub entry_choice: Choice,
    /// Per touchpoint: what a visit reads, with the unqualified attributes.
    pub stops: Vec<Stop>,
    /// Per touchpoint × segment (`tp * n_seg + seg`, like `moves`): what a visit reads when
    /// some touchpoint's attributes differ by segment (LANGUAGE-2.md §1); empty otherwise.
    pub segment_stops: Vec<Stop>,
    /// Per touchpoint × segment (like `moves`): what a rated visit adds to the customer's
    /// scores, when the journey rates some visit (`csat`, `effort`); empty otherwise.
    pub scores: Vec<ScoreRow>,
    /// The journey rates some visit with `csat` / with `effort`.
    pub rates: (bool, bool),
    /// The lifecycle (LANGUAGE-2.md §3); `None`: one cycle per customer.
    pub lifecycle: Option<LifeTables>,
    /// Per touchpoint × segment (`tp * n_seg + seg`): the transitions (len 0: completes).
    pub moves: Vec<Range>,
    /// Every distribution: segments, entries, moves.
    pub cdf: Cdf,
    /// Per touchpoint × segment (`tp * n_seg + seg`, like `moves`): the walk's view of
    /// `moves` (built by [`Tables::link`]).
    pub hops: Vec<Hop>,
    /// Per channel: its context class. A move keeps the customer's context exactly when
    /// it stays within a class: channels in the `context` set share one class, any other
    /// channel is a class of its own (and all are one class when `context_loss` is 0).
    pub class: Vec<u32>,
    /// When context groups overlap (a channel in two named groups, LANGUAGE-2.md §6), so
    /// that sharing context is not an equivalence: bit `a · channels + b` is set when a move
    /// from channel `a` to channel `b` keeps the context, and `class` is the channel itself.
    /// Empty otherwise (the classes decide).
    pub keeps: Vec<u64>,
    /// `context_loss` as a threshold.
    pub context_loss: u64,
    /// Per segment: patience as a threshold.
    pub patience: Vec<u64>,
    /// The primary goal (`NO_GOAL` without one).
    pub primary: u32,
    /// Per touchpoint: candidate triggers when the journey is abandoned or left there
    /// (abandon triggers, then exit triggers, each in written order), as a range of `cands`.
    pub on_leave: Vec<(u32, u32)>,
    /// Per touchpoint: candidate triggers when the journey completes there (exit triggers).
    pub on_complete: Vec<(u32, u32)>,
    /// Trigger ids of the candidate lists.
    pub cands: Vec<u32>,
    /// Triggers.
    pub triggers: Vec<TriggerRow>,
    /// Horizon in time units (`i64::MAX` when none or ignored).
    pub horizon: i64,
    /// Visits per customer before the journey ends stuck.
    pub max_steps: u32,
    /// The touchpoints with options, whose stops a policy changes ([`Tables::patch`]).
    optioned: Vec<u32>,
    /// The largest time, spread, cost and value of a visit (absolute) over the stops of the
    /// other touchpoints (built by [`Tables::link`]; `bounds` adds the optioned ones').
    fixed_top: [i128; 4],
    /// No customer's time, cost or revenue can overflow 64 bits: at most `max_steps` visits
    /// and as many trigger firings, each adding at most the largest amount, stay below 2⁶².
    /// The walk then adds without saturating (built by [`Tables::link`]).
    pub bounded: bool,
    /// Some goal has a value (built by [`Tables::link`]).
    pub valued: bool,
    /// Stages and goals together fit in the bits of a `u64`: the walk then marks what a
    /// customer reached in one register rather than in per-stage and per-goal stamps (built
    /// by [`Tables::link`]; a test may clear it to exercise the stamps).
    pub narrow: bool,
    /// Narrow, and stages and goals together few enough to count a customer's reached set
    /// as one number (see `engine::Scratch`; built by [`Tables::link`]).
    pub combos: bool,
}

impl Tables {
    /// Compiles a journey; `ignore_horizon` drops its horizon.
    pub fn new(j: &Journey, ignore_horizon: bool) -> Self {
        let n_seg = j.segments.len();
        let mut cdf = Cdf::default();
        let shares: Vec<(u32, f64)> = j
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| (i as u32, s.share))
            .collect();
        let segment = cdf.push(&shares);
        let entries: Vec<(u32, f64)> = j.entries().map(|(t, w)| (t as u32, w)).collect();
        let entry = cdf.push(&entries);
        let mut moves = Vec::with_capacity(j.touchpoints.len() * n_seg);
        let mut items = Vec::new();
        for tp in &j.touchpoints {
            for seg in 0..n_seg {
                move_items(tp, seg, &mut items);
                let range = cdf.push(&items);
                // A touchpoint with options keeps room for its longest option's moves, so
                // that another policy's moves are rewritten in place (`Tables::patch`).
                cdf.pad(slot(tp, seg) - items.len());
                moves.push(range);
            }
        }
        let mut on_leave = Vec::with_capacity(j.touchpoints.len());
        let mut on_complete = Vec::with_capacity(j.touchpoints.len());
        let mut cands = Vec::new();
        let watching = |event: TriggerEvent, tp: usize| {
            j.triggers
                .iter()
                .enumerate()
                .filter(move |(_, t)| t.event == event && t.at.contains(&tp))
                .map(|(k, _)| k as u32)
        };
        for tp in 0..j.touchpoints.len() {
            let start = cands.len() as u32;
            cands.extend(watching(TriggerEvent::Abandon, tp));
            cands.extend(watching(TriggerEvent::Exit, tp));
            on_leave.push((start, cands.len() as u32));
            let start = cands.len() as u32;
            cands.extend(watching(TriggerEvent::Exit, tp));
            on_complete.push((start, cands.len() as u32));
        }
        let mut stage = vec![0u32; j.touchpoints.len()];
        for (s, st) in j.stages.iter().enumerate() {
            for &t in &st.touchpoints {
                stage[t] = s as u32;
            }
        }
        let (class, keeps) = context_classes(j);
        Tables {
            n_tp: j.touchpoints.len(),
            n_seg,
            n_goals: j.goals.len(),
            n_triggers: j.triggers.len(),
            n_stages: j.stages.len(),
            segment,
            entry,
            segment_choice: Choice::default(),
            entry_choice: Choice::default(),
            stops: j
                .touchpoints
                .iter()
                .enumerate()
                .map(|(k, t)| stop(t, t.unqualified(), stage[k], class[t.channel]))
                .collect(),
            segment_stops: if j.touchpoints.iter().any(|t| !t.by_segment.is_empty()) {
                j.touchpoints
                    .iter()
                    .enumerate()
                    .flat_map(|(k, t)| {
                        let (stage, class) = (stage[k], class[t.channel]);
                        (0..n_seg).map(move |seg| stop(t, t.visit(seg), stage, class))
                    })
                    .collect()
            } else {
                Vec::new()
            },
            scores: if j.rates_csat() || j.rates_effort() {
                j.touchpoints
                    .iter()
                    .flat_map(|t| (0..n_seg).map(move |seg| ScoreRow::of(&t.visit(seg))))
                    .collect()
            } else {
                Vec::new()
            },
            rates: (j.rates_csat(), j.rates_effort()),
            lifecycle: j.lifecycle.as_ref().map(|l| LifeTables::new(j, l)),
            moves,
            cdf,
            hops: Vec::new(),
            class,
            keeps,
            context_loss: bernoulli(j.context_loss),
            patience: j.segments.iter().map(|s| bernoulli(s.patience)).collect(),
            primary: j.primary_goal.map_or(NO_GOAL, |g| g as u32),
            on_leave,
            on_complete,
            cands,
            triggers: j
                .triggers
                .iter()
                .map(|t| TriggerRow {
                    after: to_units(t.after, TIME_UNIT),
                    via: t.via as u32,
                    via_cost: to_units(j.channels[t.via].cost, MONEY_UNIT),
                    limit: t.limit,
                    target: t.target as u32,
                    back: bernoulli(t.probability),
                })
                .collect(),
            horizon: match j.horizon {
                Some(h) if !ignore_horizon => to_units(h, TIME_UNIT),
                _ => i64::MAX,
            },
            max_steps: j.max_steps,
            optioned: (0..j.touchpoints.len() as u32)
                .filter(|&k| !j.touchpoints[k as usize].choices.is_empty())
                .collect(),
            fixed_top: [0; 4],
            bounded: false,
            valued: false,
            narrow: false,
            combos: false,
        }
        .link()
    }

    /// Builds what the walk reads and `new` leaves blank: [`Self::hops`] from `moves` and the
    /// stops, the segment and entry choices, [`Stop::watched`], and the flags `bounded`,
    /// `valued`, `narrow` and `combos`. Run again after `moves` or `entry` change.
    fn link(mut self) -> Self {
        self.narrow = self.n_stages + self.n_goals <= 64;
        self.combos = self.narrow
            && self.n_stages + self.n_goals <= COMBO_BITS
            && self.n_seg << (self.n_stages + self.n_goals) <= COMBO_CELLS;
        let n_seg = self.n_seg.max(1);
        let stride = |stops: &Vec<Stop>| if stops.len() == self.n_tp { 1 } else { n_seg };
        let (a, b) = (stride(&self.stops), stride(&self.segment_stops));
        for (stops, per_tp) in [(&mut self.stops, a), (&mut self.segment_stops, b)] {
            for (i, stop) in stops.iter_mut().enumerate() {
                let k = i / per_tp;
                stop.primary = stop.goal != NO_GOAL && stop.goal == self.primary;
                let (leave, complete) = (self.on_leave[k], self.on_complete[k]);
                stop.watched = ((leave.0 < leave.1) as u8 * LEAVE)
                    | ((complete.0 < complete.1) as u8 * COMPLETE);
            }
        }
        self.fixed();
        self.bounds();
        self.hops = (0..self.moves.len()).map(|i| self.hop_at(i)).collect();
        self.segment_choice = Choice::new(&self.cdf, self.segment, |x| x, 0);
        self.entry_choice = Choice::new(&self.cdf, self.entry, |x| x, EXIT);
        self
    }

    /// The largest time, spread, cost and value of touchpoint `k`'s visits (absolute), as
    /// a maximum with `top`.
    fn top(&self, k: usize, mut top: [i128; 4]) -> [i128; 4] {
        let segment = self
            .segment_stops
            .get(k * self.n_seg..(k + 1) * self.n_seg)
            .unwrap_or(&[]);
        for x in std::iter::once(&self.stops[k]).chain(segment) {
            let here = [
                (x.adds[TIME] as i128).abs(),
                x.dur_span as i128,
                (x.adds[COST] as i128).abs(),
                (x.adds[VALUE] as i128).abs(),
            ];
            for (t, h) in top.iter_mut().zip(here) {
                *t = (*t).max(h);
            }
        }
        top
    }

    /// Sets `fixed_top` from the stops of the touchpoints without options.
    fn fixed(&mut self) {
        let mut optioned = self.optioned.iter().peekable();
        let mut top = [0i128; 4];
        for k in 0..self.n_tp {
            if optioned.next_if(|&&x| x as usize == k).is_none() {
                top = self.top(k, top);
            }
        }
        self.fixed_top = top;
    }

    /// Sets `valued` and `bounded` from the stops and triggers: `fixed_top` and the stops
    /// of the touchpoints with options.
    fn bounds(&mut self) {
        let largest = |xs: &mut dyn Iterator<Item = i64>| -> i128 {
            xs.map(|x| (x as i128).abs()).max().unwrap_or(0)
        };
        let top = self
            .optioned
            .iter()
            .fold(self.fixed_top, |top, &k| self.top(k as usize, top));
        let per_step = [
            top[0] + top[1] + largest(&mut self.triggers.iter().map(|x| x.after)),
            top[2] + largest(&mut self.triggers.iter().map(|x| x.via_cost)),
            top[3],
        ];
        self.valued = top[3] != 0;
        self.bounded = per_step
            .iter()
            .all(|&x| x * (self.max_steps as i128 + 1) < 1 << 62);
    }

    /// Hop `i` (`touchpoint · segments + segment`) from `moves` and the stops.
    fn hop_at(&self, i: usize) -> Hop {
        let n_seg = self.n_seg as u32;
        let hop_of = |tp: u32, seg: u32| if tp == EXIT { EXIT } else { tp * n_seg + seg };
        let (tp, seg) = ((i / self.n_seg) as u32, (i % self.n_seg) as u32);
        let stop = self.stop(tp as usize, seg as usize);
        Hop {
            moves: Choice::new(&self.cdf, self.moves[i], |x| hop_of(x, seg), DONE),
            tp,
            stop,
            reached: self.reached_bits(&stop),
        }
    }

    /// Compiles again touchpoints `tps` of `j`, a journey that differs from the one these
    /// tables were built from (by `new` or `patch`) only in those touchpoints' attributes
    /// and moves — e.g. another policy applied at decision touchpoints — so that the tables
    /// equal `Tables::new(j, _)`: their stops, scores, moves and hops, and the flags that
    /// depend on every stop. False, leaving the tables unusable, when the layout depends on
    /// the change (segment-specific stops or rated visits appear or disappear, or the moves
    /// outgrow their room) or a touchpoint of `tps` has no options: build them anew then.
    pub fn patch(&mut self, j: &Journey, tps: &[usize]) -> bool {
        let n_seg = self.n_seg;
        let by_segment = j.touchpoints.iter().any(|t| !t.by_segment.is_empty());
        let rates = (j.rates_csat(), j.rates_effort());
        if by_segment == self.segment_stops.is_empty()
            || rates != self.rates
            || tps
                .iter()
                .any(|&k| self.optioned.binary_search(&(k as u32)).is_err())
        {
            return false;
        }
        let mut items = Vec::new();
        for &k in tps {
            let t = &j.touchpoints[k];
            // The stop of a visit, its stage, class and trigger flags kept (they do not
            // depend on the touchpoint's attributes).
            let primary = self.primary;
            let again = |old: Stop, visit: Visit| Stop {
                primary: t.goal.is_some_and(|g| g.goal as u32 == primary),
                watched: old.watched,
                ..stop(t, visit, old.stage, old.class)
            };
            self.stops[k] = again(self.stops[k], t.unqualified());
            for seg in 0..n_seg {
                let i = k * n_seg + seg;
                if by_segment {
                    self.segment_stops[i] = again(self.segment_stops[i], t.visit(seg));
                }
                if !self.scores.is_empty() {
                    self.scores[i] = ScoreRow::of(&t.visit(seg));
                }
                move_items(t, seg, &mut items);
                let room = slot(t, seg);
                let start = self.moves[i].start;
                if items.len() > room || start as usize + room > self.cdf.steps.len() {
                    return false;
                }
                self.moves[i] = self.cdf.put(start, room, &items);
            }
        }
        self.bounds();
        for &k in tps {
            for seg in 0..n_seg {
                self.hops[k * n_seg + seg] = self.hop_at(k * n_seg + seg);
            }
        }
        true
    }

    /// What a visit of touchpoint `tp` reads for a customer of segment `seg`.
    pub fn stop(&self, tp: usize, seg: usize) -> Stop {
        match self.segment_stops.get(tp * self.n_seg + seg) {
            Some(s) => *s,
            None => self.stops[tp],
        }
    }

    /// A touchpoint's stage and goal as [`Hop::reached`] bits.
    fn reached_bits(&self, stop: &Stop) -> u64 {
        let bit = |i: u64| 1u64.checked_shl(i as u32).unwrap_or(0);
        match self.narrow {
            false => 0,
            true if stop.goal == NO_GOAL => bit(stop.stage as u64),
            true => bit(stop.stage as u64) | bit(self.n_stages as u64 + stop.goal as u64),
        }
    }

    /// The hop index where customers of segment `seg` start at touchpoint `tp`.
    #[inline(always)]
    pub fn start(&self, tp: u32, seg: u32) -> u32 {
        tp * self.n_seg as u32 + seg
    }

    /// Where a draw `r` leads a customer of segment `seg` from hop `h` (a hop index,
    /// [`EXIT`] or [`DONE`]).
    #[inline(always)]
    pub fn hop(&self, h: &Hop, r: u64, seg: u32) -> u32 {
        h.moves
            .inlined(r)
            .unwrap_or_else(|| match self.cdf.pick(h.moves.big, r) {
                EXIT => EXIT,
                tp => self.start(tp, seg),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_pick_what_their_cdf_picks() {
        // Tables of 0 to 7 outcomes (inlined up to 4, scanned beyond), some weights zero or
        // tiny; draws at random and at every threshold and its neighbours.
        let draws = crate::sim::engine::Draws::new(3, 4);
        let mut cdf = Cdf::default();
        let mut k = 0;
        for n in 0..8u32 {
            for round in 0..20 {
                let items: Vec<(u32, f64)> = (0..n)
                    .map(|i| {
                        k += 1;
                        let w = match (round + i) % 5 {
                            0 => 0.0,
                            1 => 1e-12,
                            _ => (draws.at(k) >> 11) as f64,
                        };
                        (100 + i, w)
                    })
                    .collect();
                let range = cdf.push(&items);
                let choice = Choice::new(&cdf, range, |x| x, EXIT);
                let mut probes: Vec<u64> = (0..200).map(|i| draws.at(k * 1000 + i)).collect();
                for step in cdf.table(range) {
                    let b = step.below;
                    probes.extend([b.wrapping_sub(1), b, b.wrapping_add(1)]);
                }
                probes.extend([0, u64::MAX]);
                for r in probes {
                    let want = if range.len == 0 {
                        EXIT
                    } else {
                        cdf.pick(range, r)
                    };
                    assert_eq!(choice.pick(&cdf, r), want, "{items:?} at {r:#x}");
                }
            }
        }
    }

    /// Tables patched at the decisions whose choices change, policy after policy, equal
    /// the tables built anew for each policy, field by field (their `Debug` text), on the
    /// example with options and on generated journeys with options.
    #[test]
    fn patched_tables_equal_tables_built_anew() {
        use crate::model::{Options, resolve_source};
        let example = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/decisions.journey"
        ))
        .unwrap();
        let texts = [
            example,
            crate::generate::with_options(120, 12, 3),
            crate::generate::with_options(300, 30, 7),
        ];
        let draws = crate::sim::engine::Draws::new(9, 2);
        let mut k = 0u64;
        let (mut patched, mut rebuilt) = (0, 0);
        for text in &texts {
            let j = resolve_source("t.journey", text.as_str(), &Options::default())
                .unwrap()
                .journey
                .unwrap();
            let decisions: Vec<usize> = j.decisions().collect();
            let nseg = j.segments.len();
            let mut scratch = j.clone();
            let mut t = Tables::new(&scratch, true);
            let mut policy: Vec<Vec<usize>> = decisions
                .iter()
                .map(|&tp| match &j.touchpoints[tp].policy {
                    p if p.len() == nseg => p.clone(),
                    _ => vec![0; nseg],
                })
                .collect();
            for round in 0..300 {
                // Few changes, many, or a uniform policy (segment-specific stops may vanish).
                let chance = [2, 20, 100][round % 3];
                let mut changed = Vec::new();
                for (d, &tp) in decisions.iter().enumerate() {
                    let n = j.touchpoints[tp].choices.len() as u64;
                    let mut next = policy[d].clone();
                    for c in &mut next {
                        k += 1;
                        if draws.at(k) % 100 < chance {
                            k += 1;
                            *c = (draws.at(k) % n) as usize;
                        }
                    }
                    if round % 29 == 28 {
                        next = vec![next[0]; nseg];
                    }
                    if next != policy[d] {
                        scratch.touchpoints[tp].apply_policy(&next);
                        policy[d] = next;
                        changed.push(tp);
                    }
                }
                if t.patch(&scratch, &changed) {
                    patched += 1;
                } else {
                    rebuilt += 1;
                    t = Tables::new(&scratch, true);
                }
                let fresh = Tables::new(&j.with_policy(&policy), true);
                assert_eq!(
                    format!("{t:?}"),
                    format!("{fresh:?}"),
                    "round {round}: {policy:?}"
                );
            }
        }
        assert!(
            patched > 10 * rebuilt,
            "{patched} patched, {rebuilt} rebuilt"
        );
    }

    #[test]
    fn alias_tables_reproduce_their_weights() {
        let mut a = Alias::default();
        let r = a.push(&[(7, 0.5), (8, 0.3), (9, 0.2), (10, 0.0)]);
        // 2^20 draws: each outcome's share is its weight within 0.005 (> 7 standard errors).
        let draws = crate::sim::engine::Draws::new(1, 2);
        let mut counts = [0u64; 4];
        let steps = 1u64 << 20;
        for i in 0..steps {
            counts[(a.pick(r, draws.at(i)) - 7) as usize] += 1;
        }
        let share = |k: usize| counts[k] as f64 / steps as f64;
        assert!((share(0) - 0.5).abs() < 0.005, "{counts:?}");
        assert!((share(1) - 0.3).abs() < 0.005, "{counts:?}");
        assert!((share(2) - 0.2).abs() < 0.005, "{counts:?}");
        assert_eq!(counts[3], 0, "a zero weight is never drawn");
    }

    #[test]
    fn alias_of_one_outcome_and_of_none() {
        let mut a = Alias::default();
        let one = a.push(&[(3, 1.0)]);
        assert_eq!(a.pick(one, 0), 3);
        assert_eq!(a.pick(one, u64::MAX), 3);
        assert_eq!(a.push(&[]).len, 0);
        assert_eq!(a.push(&[(1, 0.0)]).len, 0);
    }

    #[test]
    fn cdf_tables_pick_in_written_order() {
        let mut c = Cdf::default();
        let r = c.push(&[(7, 0.5), (8, 0.0), (9, 0.5)]);
        assert_eq!(c.pick(r, 0), 7);
        assert_eq!(c.pick(r, u64::MAX / 2 - 1), 7);
        assert_eq!(
            c.pick(r, u64::MAX / 2 + 2),
            9,
            "a zero weight is never picked"
        );
        assert_eq!(c.pick(r, u64::MAX), 9);
        let one = c.push(&[(3, 1.0)]);
        assert_eq!((c.pick(one, 0), c.pick(one, u64::MAX)), (3, 3));
        assert_eq!(c.push(&[(1, 0.0)]).len, 0);
        // Long tables (binary search) agree with the linear scan's rule.
        let items: Vec<(u32, f64)> = (0..40).map(|i| (i, 1.0)).collect();
        let long = c.push(&items);
        for k in 0..40u64 {
            let r = (u64::MAX / 40) * k + 12345;
            assert_eq!(c.pick(long, r), k as u32, "draw {r}");
        }
    }

    #[test]
    fn cdf_picks_are_monotone_in_the_draw() {
        // A small change of probabilities moves few draws: common random numbers couple.
        let mut c = Cdf::default();
        let a = c.push(&[(0, 0.45), (1, 0.30), (2, 0.25)]);
        let b = c.push(&[(0, 0.65), (1, 0.20), (2, 0.15)]);
        let draws = crate::sim::engine::Draws::new(3, 4);
        let n = 100_000;
        let same = (0..n)
            .filter(|&i| {
                let r = draws.at(i);
                c.pick(a, r) == c.pick(b, r)
            })
            .count();
        // The same draw picks the same outcome on [0, 0.45), [0.65, 0.75) and [0.85, 1): 70%
        // of customers (an alias table would keep no such structure).
        assert!((same as f64 / n as f64 - 0.70).abs() < 0.01, "{same}");
    }

    #[test]
    fn bernoulli_thresholds_are_exact_at_the_ends() {
        assert_eq!(bernoulli(0.0), 0);
        assert_eq!(bernoulli(1.0), ALWAYS);
        const { assert!((u32::MAX as u64) < ALWAYS, "p = 1 always succeeds") };
        assert_eq!(bernoulli(0.5), ALWAYS / 2);
    }
}
