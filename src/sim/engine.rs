//! The walk: customers through the compiled tables, exactly as LANGUAGE.md's "What a
//! customer does" says, counted into a [`Tally`] without allocating.
//!
//! # Random numbers
//! Every random decision of a customer has random bits of its own, computed rather than
//! drawn from a sequence: the decision's *address* — the customer's index in the population,
//! the visit's step, and the [`Lane`] that holds the decision — selects a position in a
//! wyrand stream keyed by the run's seed ([`Draws`]). wyrand (a Weyl sequence through a
//! 64×64→128-bit multiply folded in two: the generator of the `fastrand` crate and of Zig's
//! standard library, passing BigCrush and PractRand) is counter-based by construction, so
//! reading it at chosen positions is reading the generator itself; decisions that need 32
//! bits share a number, one in each half. Consequences:
//! - results depend on neither the thread count nor how the population is cut into blocks
//!   or shards (a customer's numbers depend only on the seed and their index);
//! - two journeys simulated with the same seed give a customer the same number for the same
//!   decision at the same step, for as long as their journeys coincide, whatever other
//!   decisions differ — skipping a draw in one journey (a fixed duration) shifts nothing in
//!   the other. This is what makes `compare`'s common random numbers effective;
//! - no per-customer generator state to seed, and the draws of one visit are independent
//!   computations the processor overlaps; a draw made and not used (a move from a touchpoint
//!   with one way on) changes no number, so the walk makes it rather than branch.

use super::compile::LifeTables;
use super::compile::{
    COMPLETE, COST, DONE, EXIT, Hop, LEAVE, MOOD, NO_GOAL, RATES_CSAT, RATES_EFFORT, Stop, TIME,
    TOTALS, Tables, VALUE,
};
use super::stats::{MONEY_UNIT, TIME_UNIT, TimeBuckets};
use super::tally::{Counts, Life, count_at, ending};

/// The context class before the first visit (no switch at the entry).
const ENTRY: u32 = u32::MAX;

/// The SplitMix64 finaliser: a bijective 64-bit mix (of the seed).
#[inline(always)]
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// wyrand's increment: the stream's state at position `k` is `key + (k + 1) · GAMMA`.
const GAMMA: u64 = 0xA076_1D64_78BD_642F;

/// wyrand's output function: the state times itself with its bits flipped by a constant, the
/// 128-bit product's halves xor-ed (one multiply where SplitMix64 takes two, and half the
/// instructions).
#[inline(always)]
fn wymix(state: u64) -> u64 {
    let m = state as u128 * (state ^ 0xE703_7ED1_A0B4_28DB) as u128;
    (m >> 64) as u64 ^ m as u64
}

/// Which number of a step a decision reads. Each is 64 bits; most decisions need 32, so
/// two share a number, one in each half (the halves of a wyrand output are as independent
/// as two outputs): a visit then computes one number for its move and friction, a second
/// for its duration, and more only after a channel switch or a pain point.
#[derive(Copy, Clone)]
#[repr(u64)]
enum Lane {
    /// A visit: move (high half), friction (low half). (Step 0, before the first visit,
    /// reads no lane: the segment and entry come from the customer's key, see [`Start`].)
    Main = 0,
    /// A duration (all 64 bits).
    Duration,
    /// A context break (high), and patience after it (low).
    Context,
    /// Patience after friction (high), and a trigger's return (low).
    Late,
}

/// Lanes per step (a power of two).
const LANES: u64 = 4;

/// The high half of a number, as a 64-bit draw for a [`super::compile::Cdf`] pick (picks
/// then resolve probabilities to 2⁻³²).
#[inline(always)]
fn high(r: u64) -> u64 {
    r & 0xFFFF_FFFF_0000_0000
}

/// The low half of a number, as a 64-bit draw for a pick.
#[inline(always)]
fn low(r: u64) -> u64 {
    r << 32
}

/// True with the probability of a [`super::compile::bernoulli`] threshold, from 32 bits.
#[inline(always)]
fn hit(bits: u32, threshold: u64) -> bool {
    (bits as u64) < threshold
}

/// The random numbers of one customer: `lane(step, lane)` is wyrand's output at position
/// `step · 4 + lane` of the customer's own stream.
#[derive(Copy, Clone, Debug)]
pub struct Draws {
    key: u64,
}

impl Draws {
    /// The numbers of customer `index` of a run with seed `seed`: a stream keyed by output
    /// `index` of the run's own stream (keyed by the seed through SplitMix64's finaliser, so
    /// nearby seeds give unrelated runs; computed once per run where customers are walked in
    /// a loop).
    #[inline(always)]
    pub fn new(seed: u64, index: u64) -> Self {
        let run = mix64(seed ^ 0x6A09_E667_F3BC_C909);
        Draws {
            key: wymix(run.wrapping_add(index.wrapping_add(1).wrapping_mul(GAMMA))),
        }
    }

    /// The number of a lane at a step (step `n` is the `n`-th visit).
    #[cfg(test)]
    fn lane(self, step: u32, lane: Lane) -> u64 {
        self.at(step as u64 * LANES + lane as u64)
    }

    /// The numbers of step 0, to move on from step to step with [`Step::next`].
    #[inline(always)]
    fn first_step(self) -> Step {
        Step {
            base: self.key.wrapping_add(GAMMA),
        }
    }

    /// The number at an arbitrary position of the stream.
    #[inline(always)]
    pub fn at(self, position: u64) -> u64 {
        wymix(
            self.key
                .wrapping_add(position.wrapping_add(1).wrapping_mul(GAMMA)),
        )
    }
}

/// The numbers of one step of a customer: [`Draws::lane`] at that step, with the position's
/// multiplication done once (`base` is the stream's state at the step's first lane).
#[derive(Copy, Clone, Debug)]
struct Step {
    base: u64,
}

impl Step {
    /// The next step.
    #[inline(always)]
    fn next(self) -> Step {
        Step {
            base: self.base.wrapping_add(LANES.wrapping_mul(GAMMA)),
        }
    }

    /// The number of a lane.
    #[inline(always)]
    fn lane(self, lane: Lane) -> u64 {
        wymix(self.base.wrapping_add((lane as u64).wrapping_mul(GAMMA)))
    }
}

/// A uniform integer in `0..=span` from 64 random bits (multiply-high: no division).
#[inline(always)]
fn uniform(r: u64, span: u64) -> i64 {
    // `span` comes from a difference of non-negative `i64`s: `span + 1` cannot overflow.
    ((r as u128 * span.wrapping_add(1) as u128) >> 64) as i64
}

/// Per-thread working memory, reused from customer to customer: what the current customer
/// did, and the per-touchpoint, per-stage and per-goal counts of every customer walked since
/// the last [`Scratch::flush`] (kept here, next to the marks the walk reads anyway, so a
/// visit updates one record instead of three).
pub(crate) struct Scratch {
    /// Per hop (touchpoint × segment, see [`super::compile::Hop`]).
    cells: Vec<Cell>,
    /// Per hop, when the journey rates some visit with `csat`: the satisfied chances of
    /// the visits there (`csat(TP)`); empty otherwise.
    rated: Vec<RatedCell>,
    /// Per stage slot and goal slot (`segment · stages + stage`, `segment · goals + goal`,
    /// and one more goal slot that touchpoints without a goal count into).
    stages: Vec<Mark>,
    goals: Vec<Mark>,
    /// Per trigger: firings of the current customer, and whether it brought them back.
    firings: Vec<u32>,
    returned: Vec<bool>,
    /// A number unique to the current customer in this scratch.
    stamp: u64,
    /// The current customer's segment.
    seg: usize,
    /// Segments, stages and goals of the journey.
    dims: (usize, usize, usize),
    /// In a narrow journey ([`Tables::narrow`]): the stages and goals the current customer
    /// reached, as bits (`stages` and `goals` are then unused).
    masks: Option<(u64, u64)>,
    /// When [`Tables::combos`]: per segment and per set of
    /// stages and goals reached (the bits `stages | goals << stage count`), the customers who
    /// reached exactly that set — one count per customer, spread over stages and goals at
    /// [`Scratch::flush`]. Empty otherwise.
    reached: Vec<u64>,
    /// Per segment: the times to convert.
    times: TimeBuckets,
    /// Per hop: the journeys that ended there, by [`end_slot`] (ending, and whether the
    /// primary goal was achieved).
    ends: Vec<[u64; END_SLOTS]>,
    /// Per segment and number of visits below [`FEW_STEPS`]: customers with that many
    /// visits.
    steps: Vec<u64>,
    /// Per segment, number of pain points below [`FEW_PAINS`] and emotion total in
    /// [`MOODS`]: customers with those (see [`mood_slot`]).
    moods: Vec<u64>,
    /// Visits since the last [`Scratch::flush`], and how many trigger one (see
    /// [`FLUSH_VISITS`]; fewer in tests).
    visits: u64,
    flush_every: u64,
}

/// Visits after which the scratch is flushed into the tally, even within a block: a cell's
/// 64-bit sums of squares (Σ earlier visits, Σ pains²) then stay below
/// (2³⁰ + max_steps)² ≤ 2⁶¹·⁴, with `max_steps` at most 10⁹ (`model::types::limits::STEPS`).
/// Ordinary runs never reach it (a thousand customers of a million visits each would).
const FLUSH_VISITS: u64 = 1 << 30;

/// Slots of [`Scratch::ends`]: per ending, without or with the primary goal.
const END_SLOTS: usize = 2 * ending::COUNT;

/// The [`Scratch::ends`] slot of a journey's ending.
#[inline(always)]
fn end_slot(outcome: usize, converted: bool) -> usize {
    outcome * 2 + converted as usize
}

/// Visits per customer counted by number ([`Scratch::steps`]); more are added one by one.
const FEW_STEPS: usize = 64;
/// Pain points per customer counted by number ([`Scratch::moods`]); more are added one by
/// one.
const FEW_PAINS: usize = 8;
/// Segments whose customers' visits, pain points and emotions are counted by value
/// ([`Scratch::steps`], [`Scratch::moods`]); the others' are added one by one.
const COUNTED_SEGMENTS: usize = 64;
/// The emotion totals counted by value ([`Scratch::moods`]), from −`MOODS / 2`.
const MOODS: usize = 64;

/// The [`Scratch::moods`] slot of a customer of segment `seg` with `pains` pain points and
/// emotion total `mood`, when counted by value.
#[inline(always)]
fn mood_slot(seg: usize, pains: u32, mood: i64) -> Option<usize> {
    let m = mood.wrapping_add(MOODS as i64 / 2) as u64;
    ((pains as usize) < FEW_PAINS && m < MOODS as u64)
        .then(|| (seg * FEW_PAINS + pains as usize) * MOODS + m as usize)
}

/// One touchpoint for one segment's customers: the current customer's visits and pain points
/// there (valid only when `stamp` is theirs, so nothing is reset between customers), and the
/// totals of [`super::tally::TouchpointTally`] not yet flushed — visits as first visits
/// (`reach`) and revisits, which are few: a first visit, the common case, adds to one count.
#[derive(Copy, Clone, Default)]
struct Cell {
    stamp: u64,
    /// The current customer's visits (low 32 bits) and pain points (high 32 bits) here.
    now: u64,
    /// First visits: customers who came here.
    reach: u64,
    /// Visits after the first.
    revisits: u64,
    /// Σ over revisits of the customer's earlier visits here. A customer's c-th visit adds
    /// 2(c − 1) + 1 to Σ visits², so Σ visits² = visits + 2 · `earlier`.
    earlier: u64,
    pains: u64,
    pains_sq: u64,
}

/// One touchpoint rated with `csat`, for one segment's customers: the current customer's
/// satisfied chances there (valid when `stamp` is theirs), and the not yet flushed sums of
/// [`super::tally::TouchpointTally::satisfied`] and `satisfied_visits`, kept incrementally:
/// a visit adding `x` to a customer's `S` (after `r` earlier visits here) adds
/// `2·S·x + x²` to Σ S² and `S + x·(r + 1)` to Σ S·visits. Within a flush (at most 2³⁰
/// visits of at most 2⁶² each) the sums stay below 2¹²⁶.
#[derive(Copy, Clone, Default)]
struct RatedCell {
    stamp: u64,
    now: i64,
    sum: i128,
    sum_sq: i128,
    cross: i128,
}

/// A stage or goal: the last customer who reached it, and how many did since the last flush.
#[derive(Copy, Clone, Default)]
struct Mark {
    stamp: u64,
    count: u64,
}

impl Mark {
    /// Marks the current customer; true when it is their first time here.
    #[inline(always)]
    fn reach(&mut self, stamp: u64) -> bool {
        let first = self.stamp != stamp;
        self.stamp = stamp;
        self.count += first as u64;
        first
    }
}

impl Scratch {
    /// Working memory for a compiled journey.
    pub fn new(t: &Tables) -> Self {
        Scratch {
            cells: vec![Cell::default(); t.hops.len()],
            rated: match t.rates.0 {
                true => vec![RatedCell::default(); t.hops.len()],
                false => Vec::new(),
            },
            stages: vec![Mark::default(); t.n_seg * t.n_stages],
            goals: vec![Mark::default(); t.n_seg * t.n_goals + 1],
            firings: vec![0; t.n_triggers],
            returned: vec![false; t.n_triggers],
            stamp: 0,
            seg: 0,
            dims: (t.n_seg, t.n_stages, t.n_goals),
            masks: t.narrow.then_some((0, 0)),
            reached: match t.combos {
                true => vec![0; t.n_seg << (t.n_stages + t.n_goals)],
                false => Vec::new(),
            },
            times: TimeBuckets::new(),
            ends: vec![[0; END_SLOTS]; t.hops.len()],
            // Only the first `COUNTED_SEGMENTS` segments: the others' customers are added
            // to the tally one by one (the same totals), so a journey of many segments does
            // not cost 4.5 KiB per segment and thread.
            steps: vec![0; t.n_seg.min(COUNTED_SEGMENTS) * FEW_STEPS],
            moods: vec![0; t.n_seg.min(COUNTED_SEGMENTS) * FEW_PAINS * MOODS],
            visits: 0,
            flush_every: FLUSH_VISITS,
        }
    }

    /// Flushes after `visits` visits rather than [`FLUSH_VISITS`].
    #[cfg(test)]
    pub fn flushing_every(self, visits: u64) -> Self {
        Scratch {
            flush_every: visits,
            ..self
        }
    }

    /// Adds the counts kept here to `tally`, and clears them.
    pub fn flush(&mut self, t: &Tables, tally: &mut Counts) {
        self.visits = 0;
        for (i, cell) in self.rated.iter_mut().enumerate() {
            if cell.sum == 0 && cell.cross == 0 {
                continue;
            }
            let (tp, seg) = (i / t.n_seg, i % t.n_seg);
            let row = &mut tally.segment(seg).touchpoints[tp];
            row.satisfied.add_raw(cell.sum, cell.sum_sq);
            row.satisfied_visits.add_raw(cell.cross);
            (cell.sum, cell.sum_sq, cell.cross) = (0, 0, 0);
        }
        for (i, cell) in self.cells.iter_mut().enumerate() {
            let ends = &mut self.ends[i];
            if cell.reach == 0 && cell.revisits == 0 && ends.iter().all(|&n| n == 0) {
                // Nothing here since the last flush (no record made for the segment).
                continue;
            }
            let (tp, seg) = (i / t.n_seg, i % t.n_seg);
            let st = tally.segment(seg);
            let row = &mut st.touchpoints[tp];
            let Cell {
                reach,
                revisits,
                earlier,
                pains,
                pains_sq,
                ..
            } = std::mem::replace(
                cell,
                Cell {
                    stamp: cell.stamp,
                    now: cell.now,
                    ..Cell::default()
                },
            );
            row.reach += reach;
            row.visits += reach + revisits;
            row.visits_sq += (reach + revisits) as u128 + 2 * earlier as u128;
            row.pains += pains;
            row.pains_sq += pains_sq as u128;
            let ends = std::mem::take(ends);
            for (outcome, pair) in ends.chunks(2).enumerate() {
                let n = pair[0] + pair[1];
                row.ended[outcome] += n;
                row.ended_no_goal += pair[0];
                st.outcomes[outcome] += n;
                st.outcomes_converted[outcome] += pair[1];
                st.customers += n;
            }
        }
        for (i, n) in self.steps.iter_mut().enumerate() {
            let n = std::mem::take(n);
            if n > 0 {
                let (seg, x) = (i / FEW_STEPS, (i % FEW_STEPS) as u64);
                tally.segment(seg).add_touches(n, x);
            }
        }
        for (i, n) in self.moods.iter_mut().enumerate() {
            let n = std::mem::take(n);
            if n == 0 {
                continue;
            }
            let seg = i / (FEW_PAINS * MOODS);
            let p = (i / MOODS % FEW_PAINS) as u64;
            let sentiment = (i % MOODS) as i64 - (MOODS / 2) as i64 - p as i64;
            tally.segment(seg).add_feelings(n, p, sentiment);
        }
        let bits = t.n_stages + t.n_goals;
        for (i, count) in self.reached.iter_mut().enumerate() {
            let n = std::mem::take(count);
            if n > 0 {
                let (seg, set) = (i >> bits, i & ((1 << bits) - 1));
                let st = tally.segment(seg);
                for (x, total) in st.stages.iter_mut().enumerate() {
                    *total += n * (set >> x & 1) as u64;
                }
                for (x, total) in st.goals.iter_mut().enumerate() {
                    *total += n * (set >> (t.n_stages + x) & 1) as u64;
                }
            }
        }
        for (seg, i, n, lo, hi) in self.times.drain() {
            if seg < t.n_seg {
                tally.segment(seg).time_hist.put(i, n, lo, hi);
            }
        }
        for seg in 0..t.n_seg {
            let stages = &mut self.stages[seg * t.n_stages..(seg + 1) * t.n_stages];
            let goals = &mut self.goals[seg * t.n_goals..(seg + 1) * t.n_goals];
            if stages.iter().chain(goals.iter()).all(|m| m.count == 0) {
                continue;
            }
            let st = tally.segment(seg);
            for (total, mark) in st.stages.iter_mut().zip(stages) {
                *total += std::mem::take(&mut mark.count);
            }
            for (total, mark) in st.goals.iter_mut().zip(goals) {
                *total += std::mem::take(&mut mark.count);
            }
        }
    }

    /// The current customer's segment.
    #[cfg(test)]
    pub fn segment(&self) -> usize {
        self.seg
    }

    /// True when the current customer visited touchpoint `k`.
    pub fn visited(&self, k: usize) -> bool {
        self.cells
            .get(k * self.dims.0 + self.seg)
            .is_some_and(|x| x.stamp == self.stamp)
    }

    /// True when the current customer achieved goal `g`.
    pub fn achieved(&self, g: usize) -> bool {
        self.has_reached(self.masks.map(|m| m.1), &self.goals, self.dims.2, g)
    }

    /// True when the current customer reached stage `s`.
    pub fn reached_stage(&self, s: usize) -> bool {
        self.has_reached(self.masks.map(|m| m.0), &self.stages, self.dims.1, s)
    }

    /// True when the current customer reached item `i` of `count` stages or goals: its bit
    /// in `mask` in a narrow journey, else its mark in `marks`.
    fn has_reached(&self, mask: Option<u64>, marks: &[Mark], count: usize, i: usize) -> bool {
        i < count
            && match mask {
                Some(mask) => mask >> i & 1 == 1,
                None => marks
                    .get(self.seg * count + i)
                    .is_some_and(|x| x.stamp == self.stamp),
            }
    }
}

/// What one customer's journey came to (the per-customer values a paired comparison needs;
/// their visits, goals and stages stay in the [`Scratch`] until the next customer).
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct Trace {
    /// How the journey ended (`tally::ending`).
    pub outcome: usize,
    /// Visits.
    pub touches: u64,
    /// Pain points.
    pub pains: u64,
    /// Final sentiment.
    pub sentiment: i64,
    /// Cost, money units.
    pub cost: i64,
    /// Revenue, money units.
    pub revenue: i64,
    /// With a lifecycle: cycles, purchases and clv (money units) over the lifetime.
    pub life: [i64; 3],
}

/// Where a customer starts: their numbers, segment and first hop. Independent of every
/// other customer, so [`walk`] computes the next customer's while the current one walks
/// (the processor overlaps the two instead of waiting at each customer's first draws).
#[derive(Copy, Clone, Debug)]
pub(crate) struct Start {
    rng: Draws,
    seg: u32,
    hop: u32,
}

impl Start {
    /// Customer `index` of a run with seed `seed`.
    #[inline(always)]
    pub fn new(t: &Tables, seed: u64, index: u64) -> Self {
        let rng = Draws::new(seed, index);
        // The key, itself an output of the run's stream, is the customer's first number:
        // segment (high half) and entry (low half).
        let r = rng.key;
        let seg = t.segment_choice.pick(&t.cdf, high(r));
        let tp = t.entry_choice.pick(&t.cdf, low(r));
        Start {
            rng,
            seg,
            hop: t.start(tp, seg),
        }
    }
}

/// Walks customers `from..to` of a run with seed `seed`, adding them to `tally`.
pub(crate) fn walk(t: &Tables, seed: u64, from: u64, to: u64, s: &mut Scratch, tally: &mut Counts) {
    match (t.bounded, t.narrow) {
        (true, true) => walk_all::<false, true>(t, seed, from, to, s, tally),
        (true, false) => walk_all::<false, false>(t, seed, from, to, s, tally),
        (false, true) => walk_all::<true, true>(t, seed, from, to, s, tally),
        (false, false) => walk_all::<true, false>(t, seed, from, to, s, tally),
    }
}

/// [`walk`], with saturating totals or not, stage and goal bits or stamps.
fn walk_all<const SAT: bool, const NARROW: bool>(
    t: &Tables,
    seed: u64,
    from: u64,
    to: u64,
    s: &mut Scratch,
    tally: &mut Counts,
) {
    let view = View::new(t);
    let (mut visits, every) = (s.visits, s.flush_every);
    let mut work = s.work();
    let mut next = Start::new(t, seed, from);
    for index in from..to {
        let start = next;
        next = Start::new(t, seed, index + 1);
        visits += walk_one::<SAT, NARROW>(&view, start, &mut work, tally).touches;
        if visits >= every {
            (s.stamp, s.seg) = (work.stamp, work.seg);
            s.flush(t, tally);
            (visits, work) = (0, s.work());
        }
    }
    let (stamp, seg) = (work.stamp, work.seg);
    (s.stamp, s.seg, s.visits) = (stamp, seg, visits);
}

/// One customer, from the segment draw to the end of their journey, counted into `tally`
/// (per-touchpoint, stage and goal counts into `s`, until [`Scratch::flush`]).
pub(crate) fn customer(t: &Tables, start: Start, s: &mut Scratch, tally: &mut Counts) -> Trace {
    let view = View::new(t);
    let mut work = s.work();
    let trace = match (t.bounded, t.narrow) {
        (true, true) => walk_one::<false, true>(&view, start, &mut work, tally),
        (true, false) => walk_one::<false, false>(&view, start, &mut work, tally),
        (false, true) => walk_one::<true, true>(&view, start, &mut work, tally),
        (false, false) => walk_one::<true, false>(&view, start, &mut work, tally),
    };
    let (stamp, seg, masks) = (work.stamp, work.seg, work.masks);
    (s.stamp, s.seg) = (stamp, seg);
    if s.masks.is_some() {
        s.masks = Some(masks);
    }
    s.visits += trace.touches;
    if s.visits >= s.flush_every {
        s.flush(t, tally);
    }
    trace
}

/// What the walk reads of the tables, as local slices and numbers (so the compiler keeps
/// them at hand from customer to customer instead of reloading them through `Tables`).
struct View<'a> {
    t: &'a Tables,
    hops: &'a [Hop],
    /// [`Tables::keeps`].
    keeps: &'a [u64],
    channels: u32,
    /// The lifecycle's discount rate per time unit (0: none, or no lifecycle).
    delta: f64,
    horizon: i64,
    max_steps: u32,
    context_loss: u64,
}

impl<'a> View<'a> {
    /// A move from channel `a` to channel `b` keeps the customer's context (overlapping
    /// context groups: [`Tables::keeps`]).
    #[inline]
    fn keeps_context(&self, a: u32, b: u32) -> bool {
        let i = a as usize * self.channels as usize + b as usize;
        self.keeps
            .get(i / 64)
            .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    #[inline(always)]
    fn new(t: &'a Tables) -> Self {
        View {
            t,
            hops: &t.hops,
            keeps: &t.keeps,
            channels: t.class.len() as u32,
            delta: t.lifecycle.as_ref().map_or(0.0, |l| l.delta),
            horizon: t.horizon,
            max_steps: t.max_steps,
            context_loss: t.context_loss,
        }
    }
}

/// A [`Scratch`] borrowed as slices for a walk.
struct Work<'a> {
    cells: &'a mut [Cell],
    rated: &'a mut [RatedCell],
    stages: &'a mut [Mark],
    goals: &'a mut [Mark],
    firings: &'a mut [u32],
    returned: &'a mut [bool],
    reached: &'a mut [u64],
    times: &'a mut TimeBuckets,
    ends: &'a mut [[u64; END_SLOTS]],
    steps: &'a mut [u64],
    moods: &'a mut [u64],
    stamp: u64,
    seg: usize,
    masks: (u64, u64),
}

impl Scratch {
    /// The scratch as slices.
    #[inline(always)]
    fn work(&mut self) -> Work<'_> {
        Work {
            cells: &mut self.cells,
            rated: &mut self.rated,
            stages: &mut self.stages,
            goals: &mut self.goals,
            firings: &mut self.firings,
            returned: &mut self.returned,
            reached: &mut self.reached,
            times: &mut self.times,
            ends: &mut self.ends,
            steps: &mut self.steps,
            moods: &mut self.moods,
            stamp: self.stamp,
            seg: self.seg,
            masks: (0, 0),
        }
    }
}

/// `a + b`, saturating when `SAT` (journeys whose totals could overflow: see
/// [`Tables::bounded`]).
#[inline(always)]
fn add<const SAT: bool>(a: i64, b: i64) -> i64 {
    if SAT {
        a.saturating_add(b)
    } else {
        a.wrapping_add(b)
    }
}

/// Adds 1 to `counts[i]` for each bit `i` set in `mask`: a pass over every count when they
/// are few (a loop of fixed length, no branch on the bits), over the set bits otherwise.
#[inline(always)]
fn count_bits(counts: &mut [u64], mask: u64) {
    if counts.len() <= 8 {
        for (i, c) in counts.iter_mut().enumerate() {
            *c += mask >> i & 1;
        }
    } else {
        let mut m = mask;
        while m != 0 {
            if let Some(c) = counts.get_mut(m.trailing_zeros() as usize) {
                *c += 1;
            }
            m &= m - 1;
        }
    }
}

/// How a journey ends when it does not go on (steps 3 and 4): abandoned, left or completed
/// (`Ok`, triggers may fire), or past a bound (`Err`: timed out past the horizon, else stuck
/// at `max_steps`; no trigger fires).
#[inline(always)]
fn ending_of(abandoned: bool, target: u32, past_horizon: bool) -> Result<usize, usize> {
    if abandoned {
        Ok(ending::ABANDONED)
    } else if target == EXIT {
        Ok(ending::LEFT)
    } else if target == DONE {
        Ok(ending::COMPLETED)
    } else if past_horizon {
        Err(ending::TIMED_OUT)
    } else {
        Err(ending::STUCK)
    }
}

/// Step 2 after its draws: whether the customer abandons, and how many pain points count
/// (friction is not counted when a context break already made them leave).
#[inline(always)]
fn survive(at: Step, broken: bool, rubbed: bool, patience: u64) -> (bool, u32) {
    let left_broken = broken && !hit(at.lane(Lane::Context) as u32, patience);
    let rubbed = rubbed && !left_broken;
    let abandoned = left_broken || (rubbed && !hit((at.lane(Lane::Late) >> 32) as u32, patience));
    (abandoned, broken as u32 + rubbed as u32)
}

impl View<'_> {
    /// Step 2's draws at a visit of `stop` arriving from context class `from`: a context
    /// break, and friction (drawn whatever the break did).
    #[inline(always)]
    fn pain_points(&self, at: Step, main: u64, from: u32, stop: &Stop) -> (bool, bool) {
        let switched = match self.keeps.is_empty() {
            true => (from != stop.class) & (from != ENTRY),
            false => from != ENTRY && !self.keeps_context(from, stop.class),
        };
        let broken = switched && hit((at.lane(Lane::Context) >> 32) as u32, self.context_loss);
        (broken, hit(main as u32, stop.friction))
    }
}

impl Tables {
    /// Step 5: the trigger that fires when the journey ends (`ended`) at `here`, the first
    /// candidate under its limit (`firings` so far).
    #[inline(always)]
    fn fires(&self, here: &Hop, ended: usize, firings: &[u32]) -> Option<usize> {
        let watch = if ended == ending::COMPLETED {
            COMPLETE
        } else {
            LEAVE
        };
        if here.stop.watched & watch == 0 {
            return None;
        }
        let k = here.tp as usize;
        let (a, b) = if ended == ending::COMPLETED {
            self.on_complete[k]
        } else {
            self.on_leave[k]
        };
        self.cands[a as usize..b as usize]
            .iter()
            .map(|&x| x as usize)
            .find(|&x| firings[x] < self.triggers[x].limit)
    }
}

/// One customer, with saturating totals or not.
#[inline(always)]
fn walk_one<const SAT: bool, const NARROW: bool>(
    v: &View<'_>,
    start: Start,
    s: &mut Work<'_>,
    tally: &mut Counts,
) -> Trace {
    let t = v.t;
    let Start { rng, seg, hop } = start;
    let seg = seg as usize;
    let st = tally.segment(seg);
    let patience = t.patience[seg];
    // In a narrow journey, the stages and goals reached (`Hop::reached` bits).
    let mut reached = 0u64;
    s.seg = seg;
    s.stamp += 1;
    let stamp = s.stamp;

    let mut h = hop;
    // As long as the hops (so a hop index that reads one reads a cell without a check).
    let cells = &mut s.cells[..v.hops.len()];
    // The context class of the last visit's (or message's) channel; `ENTRY` at the entry.
    let mut from = ENTRY;
    // Time, cost, revenue and sentiment (`compile::TIME` and the others), time and money in
    // integer units (see `stats::TIME_UNIT`, `stats::MONEY_UNIT`); sentiment as the visits'
    // emotions (pain points are taken off at the end).
    let mut sums = [0i64; TOTALS];
    let (mut steps, mut pains) = (0u32, 0u32);
    // Rated visits, satisfied chances, effort visits and effort (`Scores::add` order).
    let mut scores = [0i64; 4];
    let mut converted = false;
    // With a discounted lifecycle: the first cycle's money events, discounted (`clv`).
    let mut clv = 0.0f64;
    // The numbers of the current step (advanced at each visit).
    let mut at = rng.first_step();
    let mut fired_any = false;
    let outcome = loop {
        let here = &v.hops[h as usize];
        let stop = &here.stop;
        // 1. Visit. The step's main number (move and friction) is made at every visit, even
        // when it decides nothing (no friction, one way on): a draw's value depends only on
        // its address, so that changes no number, and it saves a branch the processor would
        // often guess wrong. So is the duration's (a fixed duration spans 0, and adds 0):
        // with a multiply-based number, cheaper than the branch on whether it varies.
        steps += 1;
        at = at.next();
        let main = at.lane(Lane::Main);
        let duration = uniform(at.lane(Lane::Duration), stop.dur_span);
        if v.delta > 0.0 {
            clv += discounted(stop.adds[VALUE] - stop.adds[COST], v.delta, sums[TIME]);
        }
        for (sum, &x) in sums.iter_mut().zip(&stop.adds) {
            *sum = add::<SAT>(*sum, x);
        }
        sums[TIME] = add::<SAT>(sums[TIME], duration);
        // Per-touchpoint counts as they happen (a first visit starts both of the customer's
        // counts here again).
        let cell = &mut cells[h as usize];
        if cell.stamp != stamp {
            cell.stamp = stamp;
            cell.now = 1;
            cell.reach += 1;
        } else {
            cell.revisits += 1;
            cell.earlier += cell.now as u32 as u64;
            cell.now += 1;
        }
        if NARROW {
            reached |= here.reached;
        } else {
            s.stages[seg * t.n_stages + stop.stage as usize].reach(stamp);
            let slot = match stop.goal {
                NO_GOAL => s.goals.len() - 1,
                g => seg * t.n_goals + g as usize,
            };
            s.goals[slot].reach(stamp);
        }
        // The first visit of the primary goal converts.
        let converts = stop.primary & !converted;
        if converts {
            // Time to convert, counted now (once per customer) rather than carried along.
            converted = true;
            st.time.add(sums[TIME]);
            s.times.add(seg, sums[TIME], &mut st.time_hist);
            if fired_any {
                for (x, &back) in s.returned.iter().enumerate() {
                    if back {
                        st.triggers[x].converted_after += 1;
                    }
                }
            }
        }
        // 2. Pain points: a context break, then friction.
        let (broken, rubbed) = v.pain_points(at, main, from, stop);
        if stop.rated != 0 {
            let visits_before = (cell.now as u32 - 1) as i64;
            let row = &t.scores[h as usize];
            let pained = (broken | rubbed) as usize;
            if stop.rated & RATES_CSAT != 0 {
                let x = row.satisfied[pained];
                scores[0] += 1;
                scores[1] += x;
                if let Some(rc) = s.rated.get_mut(h as usize) {
                    if rc.stamp != stamp {
                        (rc.stamp, rc.now) = (stamp, 0);
                    }
                    let (now, x128) = (rc.now as i128, x as i128);
                    rc.sum += x128;
                    rc.sum_sq += 2 * now * x128 + x128 * x128;
                    rc.cross += now + x128 * (visits_before as i128 + 1);
                    rc.now += x;
                }
            }
            if stop.rated & RATES_EFFORT != 0 {
                scores[2] += 1;
                scores[3] += row.effort[pained];
            }
        }
        let mut abandoned = false;
        if broken || rubbed {
            let (left, counted) = survive(at, broken, rubbed, patience);
            abandoned = left;
            // n pain points here: Σ pains² grows by (p + n)² − p² = n(2p + n).
            let n = counted;
            pains += n;
            let (n, before) = (n as u64, cell.now >> 32);
            cell.pains += n;
            cell.pains_sq += n * (2 * before + n);
            cell.now += n << 32;
        }
        // 3. Move (4. bounds before a move to a touchpoint).
        let target = t.hop(here, high(main), seg as u32);
        // One branch for the common case, the journey going on (ending is once per customer).
        let on = !abandoned & (target < DONE) & (sums[TIME] <= v.horizon) & (steps < v.max_steps);
        if on {
            from = stop.class;
            h = target;
            continue;
        }
        let ended = match ending_of(abandoned, target, sums[TIME] > v.horizon) {
            Ok(ended) => ended,
            Err(bound) => break bound,
        };
        // 5. Triggers: the first candidate under its limit fires.
        let Some(x) = t.fires(here, ended, s.firings) else {
            break ended;
        };
        let trigger = &t.triggers[x];
        s.firings[x] += 1;
        fired_any = true;
        sums[TIME] = add::<SAT>(sums[TIME], trigger.after);
        sums[COST] = add::<SAT>(sums[COST], trigger.via_cost);
        if v.delta > 0.0 {
            clv -= discounted(trigger.via_cost, v.delta, sums[TIME]);
        }
        if !hit(at.lane(Lane::Late) as u32, trigger.back) {
            break ended;
        }
        if sums[TIME] > t.horizon {
            break ending::TIMED_OUT;
        }
        if steps >= t.max_steps {
            break ending::STUCK;
        }
        st.triggers[x].returns += 1;
        s.returned[x] = true;
        from = t.class[trigger.via as usize];
        h = t.start(trigger.target, seg as u32);
    };

    // The customer's totals. (Each pain point cost a point of sentiment.)
    let (cost, revenue, mood) = (sums[COST], sums[VALUE], sums[MOOD]);
    if SAT
        && [TIME, COST, VALUE]
            .iter()
            .any(|&k| matches!(sums[k], i64::MAX | i64::MIN))
    {
        // A total stopped at the limit: the figures made of it are not available.
        st.clipped += 1;
    }
    let sentiment = mood - pains as i64;
    if NARROW {
        let stage_mask = reached & u64::MAX.checked_shr(64 - t.n_stages as u32).unwrap_or(0);
        let goal_mask = reached.checked_shr(t.n_stages as u32).unwrap_or(0);
        s.masks = (stage_mask, goal_mask);
        if s.reached.is_empty() {
            count_bits(&mut st.stages, stage_mask);
            count_bits(&mut st.goals, goal_mask);
        } else {
            s.reached[seg << (t.n_stages + t.n_goals) | reached as usize] += 1;
        }
    }
    if let Some(end) = s.ends.get_mut(h as usize) {
        end[end_slot(outcome, converted)] += 1;
    }
    let steps = steps as u64;
    let step_slot = ((steps as usize) < FEW_STEPS).then(|| seg * FEW_STEPS + steps as usize);
    match step_slot.and_then(|i| s.steps.get_mut(i)) {
        Some(n) => *n += 1,
        None => st.add_touches(1, steps),
    }
    let p = pains as u64;
    match mood_slot(seg, pains, mood).and_then(|i| s.moods.get_mut(i)) {
        Some(n) => *n += 1,
        None => st.add_feelings(1, p, sentiment),
    }
    st.cost.add(cost);
    if !t.scores.is_empty() {
        st.scores.add(scores);
    }
    if t.valued {
        // (Adding zeros changes no sum: journeys without goal values skip it.)
        st.revenue.add(revenue);
        // Revenue − cost: exact in 64 bits when the totals are bounded (each below 2⁶²).
        st.profit.add(revenue.saturating_sub(cost));
    }
    if converted {
        st.cost_converted = st.cost_converted.wrapping_add(cost as i128);
    }
    if fired_any {
        for (x, f) in s.firings.iter_mut().enumerate() {
            if *f > 0 {
                let n = *f as u64;
                let row = &mut st.triggers[x];
                row.firings += n;
                row.firings_sq += (n * n) as u128;
                if s.returned[x] {
                    row.brought_back += 1;
                }
                *f = 0;
                s.returned[x] = false;
            }
        }
    }
    let mut lifetime_values = [0; 3];
    if let Some(life) = &t.lifecycle {
        let first = Cycle {
            converted,
            steps: steps as u32,
            time: sums[TIME],
            cost,
            revenue,
            at,
            clv,
        };
        #[cfg(debug_assertions)]
        {
            // The lifetime's own walk of a cycle, checked against the first walk.
            let mut again = rng.first_step();
            let mut clv = 0.0;
            let c = replay::<SAT, _>(
                v,
                seg,
                hop,
                &mut again,
                s.firings,
                1.0,
                life.delta,
                &mut clv,
                &mut NoSink,
            );
            debug_assert_eq!(
                (c.converted, c.time, c.cost, c.revenue, again.base, clv),
                (converted, sums[TIME], cost, revenue, at.base, first.clv),
                "the lifetime's walk of the first cycle differs from the first walk"
            );
        }
        lifetime_values = lifetime::<SAT>(v, life, seg, first, s.firings, &mut st.life);
    }
    Trace {
        outcome,
        touches: steps,
        pains: p,
        sentiment,
        cost,
        revenue,
        life: lifetime_values,
    }
}

/// One cycle as the lifetime sees it: whether it achieved the primary goal, and its totals
/// (time, cost, revenue; time from the cycle's start).
struct Cycle {
    converted: bool,
    /// Visits.
    steps: u32,
    time: i64,
    cost: i64,
    revenue: i64,
    /// The numbers at the cycle's last step.
    at: Step,
    /// Its money events, discounted (with a discount rate).
    clv: f64,
}

/// Net money `net` (money units) at `time` (time units from its cycle's start), discounted
/// at `delta` per time unit, in money at the cycle's start.
#[inline]
fn discounted(net: i64, delta: f64, time: i64) -> f64 {
    if net == 0 {
        return 0.0;
    }
    net as f64 * MONEY_UNIT * exp_neg(delta * time as f64)
}

/// e^(−x) for x ≥ 0, computed the same way on every machine (the platform's `exp` may
/// differ in the last bit, and a customer's `clv` is rounded to money units): for small x
/// (most money events: a year's discount is about 0.08) a Taylor polynomial, else
/// e^(−x) = 2^(−n) · e^(−r) with x = n·ln 2 + r, |r| ≤ ln 2 / 2, and e^(−r) by its series to
/// 2⁻⁵³.
#[inline]
fn exp_neg(x: f64) -> f64 {
    if x < 1.0 / 1024.0 {
        // Error below x⁶/720 < 2⁻⁶⁹.
        return 1.0
            - x * (1.0 - x * (0.5 - x * (1.0 / 6.0 - x * (1.0 / 24.0 - x * (1.0 / 120.0)))));
    }
    if x < 1.0 / 16.0 {
        // The series to x⁸/8! (error below x⁹/9! < 2⁻⁵⁴ relative), evaluated in pairs so
        // its multiplications do not wait on each other (Estrin's scheme): this is the
        // factor of a cycle's gap in a lifetime (a few months at a yearly rate).
        let y = -x;
        let y2 = y * y;
        let y4 = y2 * y2;
        let f = &INVERSE_FACTORIALS;
        let low = (f[0] + f[1] * y) + y2 * (f[2] + f[3] * y);
        let high = (f[4] + f[5] * y) + y2 * (f[6] + f[7] * y);
        return low + y4 * high + y4 * y4 * f[8];
    }
    if x < 0.25 {
        return series(x);
    }
    if x > 745.0 {
        return 0.0;
    }
    let n = (x / std::f64::consts::LN_2).round();
    let r = x - n * std::f64::consts::LN_2;
    // 2^(−n) from its bits (n ≤ 1075 here, so the exponent stays normal or reaches 0).
    let scale = match 1023 - n as i64 {
        e if e > 0 => f64::from_bits((e as u64) << 52),
        _ => 2f64.powi(-(n as i32)),
    };
    series(r.abs()).powi(if r < 0.0 { -1 } else { 1 }) * scale
}

/// e^(−x) for |x| ≤ 0.35 by its series to x¹⁴/14! (below 2⁻⁵³), in Horner's form.
#[inline]
fn series(x: f64) -> f64 {
    let mut sum = INVERSE_FACTORIALS[14];
    for k in (0..14).rev() {
        sum = INVERSE_FACTORIALS[k] - x * sum;
    }
    sum
}

/// 1/k! for k = 0..=14.
const INVERSE_FACTORIALS: [f64; 15] = {
    let mut out = [1.0; 15];
    let mut k = 1;
    while k < 15 {
        out[k] = out[k - 1] / k as f64;
        k += 1;
    }
    out
};

/// A customer's whole lifetime (LANGUAGE-2.md §3) after their first cycle (`first`, as the
/// first walk counted it, its numbers where that walk stopped): each further cycle — after a
/// cycle with the primary goal, another with the segment's `repeat` chance, else with
/// `winback` — from a newly drawn entry, after the delay, each with its own horizon,
/// `max_steps` and trigger limits, up to `max_cycles`. Money and time accumulate; `clv`
/// discounts each money event to the first cycle's start.
#[inline(never)]
fn lifetime<const SAT: bool>(
    v: &View<'_>,
    life: &LifeTables,
    seg: usize,
    first: Cycle,
    firings: &mut [u32],
    out: &mut Life,
) -> [i64; 3] {
    let t = v.t;
    let mut c = first;
    let mut clv = c.clv;
    let mut at = c.at;
    // The hop where the next cycle starts.
    let mut h = 0;
    // The current cycle's start, in time units since the first's, and its discount factor
    // (kept as a product of each cycle's and delay's factors: small exponents).
    let mut clock: i64 = 0;
    let mut start = 1.0f64;
    let (mut cycles, mut purchases) = (0i64, 0i64);
    let (mut cost, mut revenue) = (0i64, 0i64);
    let mut visits = 0u64;
    let mut month = None;
    loop {
        cycles += 1;
        let m = (clock as f64 * TIME_UNIT / MONTH) as usize;
        if month != Some(m) && m < MONTHS {
            count_at(&mut out.months, m);
        }
        month = Some(m);
        if cycles > 1 {
            c = replay::<SAT, _>(
                v,
                seg,
                h,
                &mut at,
                firings,
                start,
                life.delta,
                &mut clv,
                &mut NoSink,
            );
        }
        cost = cost.saturating_add(c.cost);
        revenue = revenue.saturating_add(c.revenue);
        purchases += c.converted as i64;
        visits += c.steps as u64;
        if cycles >= life.max_cycles as i64 {
            break;
        }
        let Some((gap, next)) = next_cycle(t, life, seg, &c, &mut at) else {
            break;
        };
        clock = clock.saturating_add(gap);
        if life.delta > 0.0 {
            start *= exp_neg(life.delta * gap as f64);
        }
        h = next;
    }
    out.cycles.add(cycles);
    out.visits += visits;
    out.purchases.add(purchases);
    count_at(&mut out.purchases_hist, purchases as usize);
    if [cost, revenue]
        .iter()
        .any(|&x| matches!(x, i64::MAX | i64::MIN))
    {
        out.clipped += 1;
    }
    out.cost.add(cost);
    out.revenue.add(revenue);
    let clv = match life.delta > 0.0 {
        true => (clv / MONEY_UNIT).round() as i64,
        false => revenue.saturating_sub(cost),
    };
    out.clv.add(clv);
    [cycles, purchases, clv]
}

/// Whether a customer starts another cycle after cycle `c` (its numbers `at` moved on to
/// the decision's step): after the delay, the gap from that cycle's start to the next's (the
/// cycle's own time included), and the hop where it starts. Shared by [`lifetime`] and
/// [`customer_events`], so the event log walks exactly the customers the tally counts.
#[inline(always)]
fn next_cycle(
    t: &Tables,
    life: &LifeTables,
    seg: usize,
    c: &Cycle,
    at: &mut Step,
) -> Option<(i64, u32)> {
    *at = at.next();
    let r = at.lane(Lane::Main);
    let (chance, lo, span) = life.comeback[seg][c.converted as usize];
    if !hit((r >> 32) as u32, chance) {
        return None;
    }
    let gap = c
        .time
        .saturating_add(lo)
        .saturating_add(uniform(at.lane(Lane::Duration), span));
    Some((
        gap,
        t.start(t.entry_choice.pick(&t.cdf, low(r)), seg as u32),
    ))
}

/// What a walk tells as it goes, for the event log (`simulate --events`, LANGUAGE-2.md §5):
/// times are in time units ([`super::stats::TIME_UNIT`]) from the start of the current cycle.
/// The plain walk passes [`NoSink`], whose calls compile to nothing (`ON` is false, and the
/// walk skips the work of the calls too), so it costs the simulation nothing.
pub trait Sink {
    /// False for a sink that records nothing.
    const ON: bool;
    /// A cycle (`number`, from 1) of a customer of segment `seg` starts, `clock` time units
    /// after the customer's first cycle started.
    fn cycle(&mut self, seg: usize, number: u32, clock: i64);
    /// A visit to touchpoint `tp` starts at `time`.
    fn visit(&mut self, tp: usize, time: i64);
    /// The visit's pain points: a context break, friction (counted only when the customer
    /// did not leave at the break).
    fn pains(&mut self, context: bool, friction: bool);
    /// The journey ended at touchpoint `tp` with `outcome` ([`ending`]) at `time`.
    fn end(&mut self, tp: usize, outcome: usize, time: i64);
    /// Trigger `trigger` fired (its message sent) at `time`.
    fn message(&mut self, trigger: usize, time: i64);
}

/// The sink of a walk that tells nothing.
pub struct NoSink;

impl Sink for NoSink {
    const ON: bool = false;
    #[inline(always)]
    fn cycle(&mut self, _: usize, _: u32, _: i64) {}
    #[inline(always)]
    fn visit(&mut self, _: usize, _: i64) {}
    #[inline(always)]
    fn pains(&mut self, _: bool, _: bool) {}
    #[inline(always)]
    fn end(&mut self, _: usize, _: usize, _: i64) {}
    #[inline(always)]
    fn message(&mut self, _: usize, _: i64) {}
}

/// Customer `index` of a run with seed `seed`, told to `sink` event by event, every cycle of
/// their lifetime: the same walk, numbers and decisions as the tally's (the first cycle by
/// the lifetime's walk, which is checked against the first walk in debug builds).
/// `firings` is zeroed scratch of one count per trigger (left zeroed).
pub(crate) fn customer_events<S: Sink>(
    t: &Tables,
    seed: u64,
    index: u64,
    firings: &mut [u32],
    sink: &mut S,
) {
    let v = View::new(t);
    let Start { rng, seg, hop } = Start::new(t, seed, index);
    let seg = seg as usize;
    let mut at = rng.first_step();
    let (mut h, mut clock, mut number) = (hop, 0i64, 1u32);
    let mut clv = 0.0;
    loop {
        sink.cycle(seg, number, clock);
        let c = match t.bounded {
            true => replay::<false, S>(&v, seg, h, &mut at, firings, 1.0, 0.0, &mut clv, sink),
            false => replay::<true, S>(&v, seg, h, &mut at, firings, 1.0, 0.0, &mut clv, sink),
        };
        let Some(life) = &t.lifecycle else {
            break;
        };
        if number >= life.max_cycles {
            break;
        }
        let Some((gap, next)) = next_cycle(t, life, seg, &c, &mut at) else {
            break;
        };
        clock = clock.saturating_add(gap);
        h = next;
        number += 1;
    }
}

/// A month in the cohort retention curve: 30 days.
const MONTH: f64 = 30.0 * 86_400.0;
/// Months counted in the curve (100 years).
const MONTHS: usize = 1200;

/// One cycle of the walk from hop `hop` with the numbers from `at` on, without any tally:
/// the same steps 1–5 as [`walk_one`] (sharing its pain, ending and trigger rules), adding
/// each money event's value discounted by `delta` per time unit to the lifetime's start
/// (`start` is the discount factor of this cycle's start; each event adds its own, a small
/// exponent within the cycle) to `clv` when `delta` is positive.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn replay<const SAT: bool, S: Sink>(
    v: &View<'_>,
    seg: usize,
    hop: u32,
    at: &mut Step,
    firings: &mut [u32],
    start: f64,
    delta: f64,
    clv: &mut f64,
    sink: &mut S,
) -> Cycle {
    let t = v.t;
    let patience = t.patience[seg];
    let (mut h, mut from) = (hop, ENTRY);
    let mut sums = [0i64; TOTALS];
    let mut steps = 0u32;
    let (mut converted, mut fired_any) = (false, false);
    loop {
        let here = &v.hops[h as usize];
        let stop = &here.stop;
        steps += 1;
        *at = at.next();
        let main = at.lane(Lane::Main);
        let duration = uniform(at.lane(Lane::Duration), stop.dur_span);
        if S::ON {
            sink.visit(here.tp as usize, sums[TIME]);
        }
        if delta > 0.0 {
            let net = stop.adds[VALUE] - stop.adds[COST];
            *clv += start * discounted(net, delta, sums[TIME]);
        }
        for (sum, &x) in sums.iter_mut().zip(&stop.adds) {
            *sum = add::<SAT>(*sum, x);
        }
        sums[TIME] = add::<SAT>(sums[TIME], duration);
        converted |= stop.primary;
        let (broken, rubbed) = v.pain_points(*at, main, from, stop);
        let abandoned = (broken || rubbed) && survive(*at, broken, rubbed, patience).0;
        if S::ON && (broken || rubbed) {
            let counted = survive(*at, broken, rubbed, patience).1;
            sink.pains(broken, counted > broken as u32);
        }
        let target = t.hop(here, high(main), seg as u32);
        if !abandoned & (target < DONE) & (sums[TIME] <= v.horizon) & (steps < v.max_steps) {
            from = stop.class;
            h = target;
            continue;
        }
        let ended = match ending_of(abandoned, target, sums[TIME] > v.horizon) {
            Ok(ended) => ended,
            Err(bound) => {
                if S::ON {
                    sink.end(here.tp as usize, bound, sums[TIME]);
                }
                break;
            }
        };
        if S::ON {
            // Before the triggers this ending fires (LANGUAGE-2.md §5).
            sink.end(here.tp as usize, ended, sums[TIME]);
        }
        let Some(x) = t.fires(here, ended, firings) else {
            break;
        };
        let trigger = &t.triggers[x];
        firings[x] += 1;
        fired_any = true;
        sums[TIME] = add::<SAT>(sums[TIME], trigger.after);
        sums[COST] = add::<SAT>(sums[COST], trigger.via_cost);
        if S::ON {
            sink.message(x, sums[TIME]);
        }
        if delta > 0.0 {
            *clv -= start * discounted(trigger.via_cost, delta, sums[TIME]);
        }
        if !hit(at.lane(Lane::Late) as u32, trigger.back) {
            break;
        }
        if sums[TIME] > t.horizon || steps >= t.max_steps {
            if S::ON {
                // A return blocked by a bound: a second `end` at firing time, where the
                // journey ended (LANGUAGE-2.md, "Settled").
                let bound = match sums[TIME] > t.horizon {
                    true => ending::TIMED_OUT,
                    false => ending::STUCK,
                };
                sink.end(here.tp as usize, bound, sums[TIME]);
            }
            break;
        }
        from = t.class[trigger.via as usize];
        h = t.start(trigger.target, seg as u32);
    }
    if fired_any {
        firings.fill(0);
    }
    Cycle {
        converted,
        steps,
        time: sums[TIME],
        cost: sums[COST],
        revenue: sums[VALUE],
        at: *at,
        clv: *clv,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pearson's correlation of two samples.
    fn correlation(x: &[f64], y: &[f64]) -> f64 {
        let n = x.len() as f64;
        let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (a, b) in x.iter().zip(y) {
            sxy += (a - mx) * (b - my);
            sxx += (a - mx) * (a - mx);
            syy += (b - my) * (b - my);
        }
        sxy / (sxx * syy).sqrt()
    }

    /// The 32-bit halves of a number, as uniforms in [0, 1).
    fn halves(r: u64) -> (f64, f64) {
        (
            (r >> 32) as f64 / 4294967296.0,
            r as u32 as f64 / 4294967296.0,
        )
    }

    #[test]
    fn the_discount_factor_agrees_with_exp() {
        for &x in &[
            0.0, 1e-12, 1e-6, 0.0009, 0.001, 0.03, 0.0624, 0.08, 0.5, 1.0, 3.3, 40.0, 700.0,
        ] {
            let (got, want) = (exp_neg(x), (-x).exp());
            assert!((got - want).abs() <= 1e-13 * want, "{x}: {got} vs {want}");
        }
        assert_eq!(exp_neg(1000.0), 0.0);
    }

    #[test]
    fn draws_are_balanced_and_uncorrelated_where_the_walk_reads_them() {
        // What the walk pairs up: the two halves of a number, the lanes of a step, a lane at
        // consecutive steps, and the same address for neighbouring customers (and seeds).
        // With n = 2¹⁸ pairs, an independent pair's correlation has standard error 1/√n; the
        // test allows 5 of them.
        let n = 1 << 18;
        let limit = 5.0 / (n as f64).sqrt();
        let mut bits = [0u64; 64];
        let (mut hi, mut lo, mut lanes, mut next, mut neighbour, mut seeds, mut keys) =
            (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
        for i in 0..n as u64 {
            let d = Draws::new(7, i);
            let step = d.first_step().next();
            let main = step.lane(Lane::Main);
            for (b, count) in bits.iter_mut().enumerate() {
                *count += main >> b & 1;
            }
            let (h, l) = halves(main);
            hi.push(h);
            lo.push(l);
            lanes.push(halves(step.lane(Lane::Context)).0);
            next.push(halves(step.next().lane(Lane::Main)).0);
            neighbour.push(halves(Draws::new(7, i + 1).first_step().next().lane(Lane::Main)).0);
            seeds.push(halves(Draws::new(8, i).first_step().next().lane(Lane::Main)).0);
            keys.push(halves(d.key).0);
            // Addressed and stepped numbers agree.
            assert_eq!(main, d.lane(1, Lane::Main));
        }
        for (b, &count) in bits.iter().enumerate() {
            let z = (count as f64 - n as f64 / 2.0) / (n as f64 / 4.0).sqrt();
            assert!(z.abs() < 5.0, "bit {b} is set {count} times in {n}");
        }
        for (what, other) in [
            ("the low half", &lo),
            ("another lane", &lanes),
            ("the next step", &next),
            ("the next customer", &neighbour),
            ("the next seed", &seeds),
            ("the customer's key (their step-0 number)", &keys),
        ] {
            let r = correlation(&hi, other);
            assert!(r.abs() < limit, "correlated with {what}: {r}");
        }
        // The step-0 numbers (segment and entry) of neighbouring customers.
        let r = correlation(&keys[..n - 1], &keys[1..]);
        assert!(r.abs() < limit, "neighbours' keys are correlated: {r}");
    }
}
