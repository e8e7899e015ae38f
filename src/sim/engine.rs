//! The walk: customers through the compiled tables, exactly as LANGUAGE.md's "What a
//! customer does" says, counted into a [`Tally`] without allocating.
//!
//! # Random numbers
//! Every random decision of a customer has a number of its own, computed rather than drawn
//! from a sequence: the decision's *address* — the customer's index in the population, the
//! visit's step, and what is decided (duration, context loss, patience, friction, move,
//! trigger return) — goes through SplitMix64's output function keyed by the run's seed
//! ([`Draws`]). That is SplitMix64 itself, a generator that passes BigCrush, read at chosen
//! positions. Consequences:
//! - results depend on neither the thread count nor how the population is cut into blocks
//!   or shards (a customer's numbers depend only on the seed and their index);
//! - two journeys simulated with the same seed give a customer the same number for the same
//!   decision at the same step, for as long as their journeys coincide, whatever other
//!   decisions differ — skipping a draw in one journey (a touchpoint without friction)
//!   shifts nothing in the other. This is what makes `compare`'s common random numbers
//!   effective;
//! - no per-customer generator state to seed, and the draws of one visit are independent
//!   computations the processor overlaps.

use super::compile::{ALWAYS, EXIT, NO_GOAL, Tables};
use super::stats::TIME_UNIT;
use super::tally::{Tally, ending};

/// No channel: the customer entered the journey here.
const NO_CHANNEL: u32 = u32::MAX;

/// The SplitMix64 finaliser: a bijective 64-bit mix.
#[inline(always)]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64's increment (the golden ratio in 64 bits).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// What a draw decides, within one step of a customer's journey.
#[derive(Copy, Clone)]
#[repr(u64)]
enum Purpose {
    Segment = 0,
    Entry,
    Duration,
    ContextLoss,
    ContextPatience,
    Friction,
    FrictionPatience,
    Move,
    TriggerReturn,
}

/// Purposes per step (a power of two above the number of purposes).
const PURPOSES: u64 = 16;

/// The random numbers of one customer: `draw(step, purpose)` is SplitMix64's output at
/// position `step · 16 + purpose` of the customer's own stream.
#[derive(Copy, Clone, Debug)]
pub struct Draws {
    key: u64,
}

impl Draws {
    /// The numbers of customer `index` of a run with seed `seed`.
    #[inline(always)]
    pub fn new(seed: u64, index: u64) -> Self {
        Draws {
            key: mix64(mix64(seed ^ 0x6A09_E667_F3BC_C909).wrapping_add(index)),
        }
    }

    /// The number of a decision.
    #[inline(always)]
    fn draw(self, step: u32, purpose: Purpose) -> u64 {
        let position = step as u64 * PURPOSES + purpose as u64;
        mix64(
            self.key
                .wrapping_add(position.wrapping_add(1).wrapping_mul(GAMMA)),
        )
    }

    /// A 64-bit number at an arbitrary position (for tests of the generator).
    pub fn at(self, position: u64) -> u64 {
        mix64(
            self.key
                .wrapping_add(position.wrapping_add(1).wrapping_mul(GAMMA)),
        )
    }

    /// True with the probability of a [`super::compile::bernoulli`] threshold.
    #[inline(always)]
    fn chance(self, step: u32, purpose: Purpose, threshold: u64) -> bool {
        match threshold {
            0 => false,
            ALWAYS => true,
            t => (self.draw(step, purpose) >> 11) < t,
        }
    }
}

/// A uniform integer in `0..=span` from 64 random bits (multiply-high: no division).
#[inline(always)]
fn uniform(r: u64, span: u64) -> i64 {
    ((r as u128 * (span as u128 + 1)) >> 64) as i64
}

/// Per-thread working memory, reused from customer to customer.
pub(crate) struct Scratch {
    /// Per touchpoint: what the current customer did there.
    seen: Vec<Seen>,
    /// The touchpoints the current customer visited, in first-visit order.
    pub touched: Vec<u32>,
    /// Per stage and per goal: the customer stamp that last reached it.
    stage_seen: Vec<u64>,
    goal_seen: Vec<u64>,
    /// Per trigger: firings of the current customer, and whether it brought them back.
    firings: Vec<u32>,
    returned: Vec<bool>,
    /// A number unique to the current customer in this scratch.
    stamp: u64,
}

/// A customer's visits and pain points at one touchpoint; valid only when `stamp` is the
/// current customer's (so nothing is reset between customers).
#[derive(Copy, Clone, Default)]
struct Seen {
    stamp: u64,
    visits: u32,
    pains: u32,
}

impl Scratch {
    /// Working memory for a compiled journey.
    pub fn new(t: &Tables) -> Self {
        Scratch {
            seen: vec![Seen::default(); t.n_tp],
            touched: Vec::with_capacity(t.n_tp.min(256)),
            stage_seen: vec![0; t.n_stages],
            goal_seen: vec![0; t.n_goals],
            firings: vec![0; t.n_triggers],
            returned: vec![false; t.n_triggers],
            stamp: 0,
        }
    }
}

impl Scratch {
    /// True when the current customer visited touchpoint `k`.
    pub fn visited(&self, k: usize) -> bool {
        self.seen.get(k).is_some_and(|x| x.stamp == self.stamp)
    }

    /// True when the current customer achieved goal `g`.
    pub fn achieved(&self, g: usize) -> bool {
        self.goal_seen.get(g) == Some(&self.stamp)
    }

    /// True when the current customer reached stage `s`.
    pub fn reached_stage(&self, s: usize) -> bool {
        self.stage_seen.get(s) == Some(&self.stamp)
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
}

/// Walks customers `from..to` of a run with seed `seed`, adding them to `tally`.
pub(crate) fn walk(t: &Tables, seed: u64, from: u64, to: u64, s: &mut Scratch, tally: &mut Tally) {
    for index in from..to {
        customer(t, Draws::new(seed, index), s, tally);
    }
}

/// One customer, from the segment draw to the end of their journey, counted into `tally`.
#[inline]
pub(crate) fn customer(t: &Tables, rng: Draws, s: &mut Scratch, tally: &mut Tally) -> Trace {
    let seg = t.cdf.pick(t.segment, rng.draw(0, Purpose::Segment)) as usize;
    let mut tp = t.cdf.pick(t.entry, rng.draw(0, Purpose::Entry));
    let st = &mut tally.segments[seg];
    let patience = t.patience[seg];
    s.stamp += 1;
    let stamp = s.stamp;
    s.touched.clear();

    let mut from = NO_CHANNEL;
    // Time and money in integer units (see `stats::TIME_UNIT`, `stats::MONEY_UNIT`).
    let (mut time, mut cost, mut revenue) = (0i64, 0i64, 0i64);
    let (mut sentiment, mut steps, mut pains) = (0i64, 0u32, 0u32);
    let mut converted = false;
    let mut time_to_convert = 0i64;
    let outcome = loop {
        let k = tp as usize;
        let stop = &t.stops[k];
        // 1. Visit.
        time = time.saturating_add(stop.dur_min);
        if stop.dur_span > 0 {
            time = time.saturating_add(uniform(rng.draw(steps, Purpose::Duration), stop.dur_span));
        }
        cost = cost.saturating_add(stop.cost);
        sentiment += stop.emotion as i64;
        steps += 1;
        // Per-touchpoint counts as they happen: Σ visits² grows by 2c − 1 at the c-th visit.
        let seen = &mut s.seen[k];
        let row = &mut st.touchpoints[k];
        if seen.stamp != stamp {
            *seen = Seen {
                stamp,
                visits: 0,
                pains: 0,
            };
            row.reach += 1;
            s.touched.push(tp);
            let stage = stop.stage as usize;
            if s.stage_seen[stage] != stamp {
                s.stage_seen[stage] = stamp;
                st.stages[stage] += 1;
            }
        }
        seen.visits += 1;
        row.visits += 1;
        row.visits_sq += 2 * seen.visits as u64 - 1;
        if stop.goal != NO_GOAL {
            revenue = revenue.saturating_add(stop.value);
            let g = stop.goal as usize;
            if s.goal_seen[g] != stamp {
                s.goal_seen[g] = stamp;
                st.goals[g] += 1;
                if stop.goal == t.primary {
                    converted = true;
                    time_to_convert = time;
                    for (x, &back) in s.returned.iter().enumerate() {
                        if back {
                            st.triggers[x].converted_after += 1;
                        }
                    }
                }
            }
        }
        // 2. Pain points: a context break, then friction.
        let mut pain = |seen: &mut Seen, row: &mut super::tally::TouchpointTally| {
            pains += 1;
            sentiment -= 1;
            seen.pains += 1;
            row.pains += 1;
            row.pains_sq += 2 * seen.pains as u64 - 1;
        };
        let channel = stop.channel;
        let mut abandoned = false;
        if from != NO_CHANNEL
            && t.context_loss > 0
            && !t.shares_context(from, channel)
            && rng.chance(steps, Purpose::ContextLoss, t.context_loss)
        {
            pain(seen, row);
            abandoned = !rng.chance(steps, Purpose::ContextPatience, patience);
        }
        if !abandoned && rng.chance(steps, Purpose::Friction, stop.friction) {
            pain(seen, row);
            abandoned = !rng.chance(steps, Purpose::FrictionPatience, patience);
        }
        // 3. Move (4. bounds before a move to a touchpoint).
        let ended = if abandoned {
            ending::ABANDONED
        } else {
            let moves = t.moves[k * t.n_seg + seg];
            if moves.len == 0 {
                ending::COMPLETED
            } else {
                let target = if moves.len > 1 {
                    t.cdf.pick(moves, rng.draw(steps, Purpose::Move))
                } else {
                    t.cdf.only(moves)
                };
                if target == EXIT {
                    ending::LEFT
                } else if time > t.horizon {
                    break ending::TIMED_OUT;
                } else if steps >= t.max_steps {
                    break ending::STUCK;
                } else {
                    from = channel;
                    tp = target;
                    continue;
                }
            }
        };
        // 5. Triggers: the first candidate under its limit fires.
        let (a, b) = if ended == ending::COMPLETED {
            t.on_complete[k]
        } else {
            t.on_leave[k]
        };
        let fired = t.cands[a as usize..b as usize]
            .iter()
            .map(|&x| x as usize)
            .find(|&x| s.firings[x] < t.triggers[x].limit);
        let Some(x) = fired else {
            break ended;
        };
        let trigger = &t.triggers[x];
        s.firings[x] += 1;
        time = time.saturating_add(trigger.after);
        cost = cost.saturating_add(trigger.via_cost);
        if !rng.chance(steps, Purpose::TriggerReturn, trigger.back) {
            break ended;
        }
        if time > t.horizon {
            break ending::TIMED_OUT;
        }
        if steps >= t.max_steps {
            break ending::STUCK;
        }
        st.triggers[x].returns += 1;
        s.returned[x] = true;
        from = trigger.via;
        tp = trigger.target;
    };

    // The customer's totals.
    let k = tp as usize;
    st.customers += 1;
    st.outcomes[outcome] += 1;
    let end = &mut st.touchpoints[k];
    end.ended[outcome] += 1;
    if !converted {
        end.ended_no_goal += 1;
    }
    let steps = steps as u64;
    st.touches += steps;
    st.touches_sq = st.touches_sq.saturating_add(steps * steps);
    let p = pains as u64;
    st.pains += p;
    st.pains_sq = st.pains_sq.saturating_add(p * p);
    st.sentiment += sentiment;
    st.sentiment_sq = st.sentiment_sq.saturating_add(
        sentiment
            .unsigned_abs()
            .saturating_mul(sentiment.unsigned_abs()),
    );
    if sentiment >= 2 {
        st.promoters += 1;
    } else if sentiment <= -1 {
        st.detractors += 1;
    }
    st.cost.add(cost);
    st.revenue.add(revenue);
    if converted {
        st.cost_converted = st.cost_converted.wrapping_add(cost as i128);
        st.time.add(time_to_convert);
        st.time_hist.add(time_to_convert as f64 * TIME_UNIT);
    }
    for (x, f) in s.firings.iter_mut().enumerate() {
        if *f > 0 {
            let n = *f as u64;
            let row = &mut st.triggers[x];
            row.firings += n;
            row.firings_sq += n * n;
            if s.returned[x] {
                row.brought_back += 1;
            }
            *f = 0;
            s.returned[x] = false;
        }
    }
    Trace {
        outcome,
        touches: steps,
        pains: p,
        sentiment,
        cost,
        revenue,
    }
}
