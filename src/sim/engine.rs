//! The walk: customers through the compiled tables, exactly as LANGUAGE.md's "What a
//! customer does" says, counted into a [`Tally`] without allocating.
//!
//! Every customer has a random stream of their own, seeded from the run's seed and the
//! customer's index in the population ([`customer_rng`]). Results therefore depend on
//! neither the thread count, nor how the population is cut into blocks or shards; and two
//! journeys simulated with the same seed meet the same customers with the same draws for
//! as long as their journeys coincide (common random numbers, for `compare`).

use super::compile::{ALWAYS, EXIT, NO_GOAL, Tables};
use super::tally::{Tally, ending};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// No channel: the customer entered the journey here.
const NO_CHANNEL: u32 = u32::MAX;

/// The SplitMix64 finaliser: a bijective 64-bit mix.
#[inline]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random stream of customer `index` of a run with seed `seed`.
#[inline]
pub fn customer_rng(seed: u64, index: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(mix64(seed.wrapping_add(0x9E37_79B9_7F4A_7C15)) ^ index)
}

/// A uniform number in `[0, 1)` from 53 random bits.
#[inline(always)]
fn unit(r: u64) -> f64 {
    (r >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// True with the probability of a [`super::compile::bernoulli`] threshold; draws only when
/// the outcome is uncertain.
#[inline(always)]
fn chance(rng: &mut Xoshiro256PlusPlus, threshold: u64) -> bool {
    match threshold {
        0 => false,
        ALWAYS => true,
        t => (rng.next_u64() >> 11) < t,
    }
}

/// Per-thread working memory, reused from customer to customer.
pub(crate) struct Scratch {
    /// Visits of the current customer per touchpoint (0 outside `touched`).
    visits: Vec<u32>,
    /// Pain points of the current customer per touchpoint.
    pains: Vec<u32>,
    /// Touchpoints the current customer visited.
    touched: Vec<u32>,
    /// Per stage and per goal: the customer stamp that last reached it.
    stage_seen: Vec<u64>,
    goal_seen: Vec<u64>,
    /// Per trigger: firings of the current customer, and whether it brought them back.
    firings: Vec<u32>,
    returned: Vec<bool>,
    /// A number unique to the current customer in this scratch.
    stamp: u64,
}

impl Scratch {
    /// Working memory for a compiled journey.
    pub fn new(t: &Tables) -> Self {
        Scratch {
            visits: vec![0; t.n_tp],
            pains: vec![0; t.n_tp],
            touched: Vec::with_capacity(t.n_tp.min(1024)),
            stage_seen: vec![0; t.n_stages],
            goal_seen: vec![0; t.n_goals],
            firings: vec![0; t.n_triggers],
            returned: vec![false; t.n_triggers],
            stamp: 0,
        }
    }
}

/// Walks customers `from..to` of a run with seed `seed`, adding them to `tally`.
pub(crate) fn walk(t: &Tables, seed: u64, from: u64, to: u64, s: &mut Scratch, tally: &mut Tally) {
    for index in from..to {
        let mut rng = customer_rng(seed, index);
        customer(t, &mut rng, s, tally);
    }
}

/// One customer, from the segment draw to the end of their journey.
#[inline]
fn customer(t: &Tables, rng: &mut Xoshiro256PlusPlus, s: &mut Scratch, tally: &mut Tally) {
    let seg = if t.segment.len > 1 {
        t.alias.pick(t.segment, rng.next_u64()) as usize
    } else {
        0
    };
    let mut tp = if t.entry.len > 1 {
        t.alias.pick(t.entry, rng.next_u64())
    } else {
        t.alias.pick(t.entry, 0)
    };
    let st = &mut tally.segments[seg];
    let patience = t.patience[seg];
    s.stamp += 1;
    let stamp = s.stamp;

    let mut from = NO_CHANNEL;
    let (mut time, mut cost, mut revenue) = (0.0f64, 0.0f64, 0.0f64);
    let (mut sentiment, mut steps, mut pains) = (0i64, 0u32, 0u32);
    let mut converted = false;
    let mut time_to_convert = 0.0;
    let outcome = loop {
        let k = tp as usize;
        // 1. Visit.
        time += t.dur_min[k];
        let span = t.dur_span[k];
        if span > 0.0 {
            time += span * unit(rng.next_u64());
        }
        cost += t.cost[k];
        sentiment += t.emotion[k] as i64;
        steps += 1;
        let v = &mut s.visits[k];
        if *v == 0 {
            s.touched.push(tp);
        }
        *v += 1;
        let g = t.goal[k];
        if g != NO_GOAL {
            revenue += t.value[k];
            let g = g as usize;
            if s.goal_seen[g] != stamp {
                s.goal_seen[g] = stamp;
                st.goals[g] += 1;
                if g as u32 == t.primary {
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
        let channel = t.channel[k];
        let mut abandoned = false;
        if from != NO_CHANNEL
            && t.context_loss > 0
            && !t.shares_context(from, channel)
            && chance(rng, t.context_loss)
        {
            pains += 1;
            sentiment -= 1;
            s.pains[k] += 1;
            abandoned = !chance(rng, patience);
        }
        if !abandoned && chance(rng, t.friction[k]) {
            pains += 1;
            sentiment -= 1;
            s.pains[k] += 1;
            abandoned = !chance(rng, patience);
        }
        // 3. Move (4. bounds before a move to a touchpoint).
        let ended = if abandoned {
            ending::ABANDONED
        } else {
            let moves = t.moves[k * t.n_seg + seg];
            if moves.len == 0 {
                ending::COMPLETED
            } else {
                let r = if moves.len > 1 { rng.next_u64() } else { 0 };
                let target = t.alias.pick(moves, r);
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
        time += trigger.after;
        cost += trigger.via_cost;
        if !chance(rng, trigger.back) {
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
    st.cost_sq.add(cost * cost);
    st.revenue.add(revenue);
    st.revenue_sq.add(revenue * revenue);
    if converted {
        st.cost_converted.add(cost);
        st.time.add(time_to_convert);
        st.time_sq.add(time_to_convert * time_to_convert);
        st.time_hist.add(time_to_convert);
    }
    for &tp in &s.touched {
        let k = tp as usize;
        let (v, p) = (s.visits[k] as u64, s.pains[k] as u64);
        let row = &mut st.touchpoints[k];
        row.reach += 1;
        row.visits += v;
        row.visits_sq = row.visits_sq.saturating_add(v * v);
        row.pains += p;
        row.pains_sq = row.pains_sq.saturating_add(p * p);
        s.visits[k] = 0;
        s.pains[k] = 0;
        let stage = t.stage[k] as usize;
        if s.stage_seen[stage] != stamp {
            s.stage_seen[stage] = stamp;
            st.stages[stage] += 1;
        }
    }
    s.touched.clear();
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
}
