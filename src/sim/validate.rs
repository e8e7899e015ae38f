//! Checks a run read from a shard file against its own frame before anything is computed
//! from it: a damaged or hand-edited file must give an error, never a panic in a renderer
//! or an impossible figure (a share above 100%, a goal reached by more customers than ran).
//!
//! What a run of `simulate` always satisfies, and so what is checked:
//! - the frame is consistent: every index (primary goal, a touchpoint's stage, a stage's
//!   touchpoints, a KPI's segment and metric) is in range, each touchpoint is in exactly one
//!   stage, shares and the horizon are finite and in range;
//! - the totals have the frame's shape (one tally per segment; goals, stages, touchpoints,
//!   triggers as the frame lists them), and so has the exact analysis when present;
//! - the counts add up: the segments' customers are the shard's slice of the population,
//!   each segment's endings add up to its customers, no count of customers (goal, stage,
//!   reach, promoters and detractors, brought back…) exceeds the customers it is a part of,
//!   the time histogram counts the converted customers, visits stay within `max_steps`,
//!   clipped customers are customers, and a counted profit is revenue minus cost.

use super::figures::Frame;
use super::tally::{SegmentTally, ending};
use super::{MAX_SHARDS, Run};
use crate::model::Metric;

/// Checks a run (a shard, or a merged run) against its frame; the error says what is wrong.
pub fn check(run: &Run) -> Result<(), String> {
    check_frame(&run.frame)?;
    let f = &run.frame;
    if let Some(s) = run.shard
        && (s.index == 0 || s.index > s.count || s.count > MAX_SHARDS)
    {
        return Err(format!("shard {}/{} does not exist", s.index, s.count));
    }
    if run.customers == 0 {
        return Err("the population has no customer".into());
    }
    let (from, to) = run
        .shard
        .map_or((0, run.customers), |s| s.range(run.customers));
    let expected = to - from;
    if run.tally.segments.len() != f.segments.len() {
        return Err(format!(
            "{} segment totals for {} segments",
            run.tally.segments.len(),
            f.segments.len()
        ));
    }
    let mut total: u64 = 0;
    for (s, t) in f.segments.iter().zip(&run.tally.segments) {
        check_segment(f, t).map_err(|e| format!("segment `{}`: {e}", s.name))?;
        total = total
            .checked_add(t.customers)
            .ok_or("the segments' customers overflow")?;
    }
    if total != expected {
        return Err(format!(
            "the segments hold {total} customers, the slice has {expected}"
        ));
    }
    if let Some(a) = &run.exact {
        let shape = |x: &crate::analyze::Figures| {
            x.goals.len() == f.goals.len()
                && x.touchpoints.len() == f.touchpoints.len()
                && x.triggers.len() == f.triggers.len()
        };
        if a.segments.len() != f.segments.len() || !shape(&a.all) || !a.segments.iter().all(shape) {
            return Err("the exact analysis does not have the journey's shape".into());
        }
        for x in std::iter::once(&a.all).chain(&a.segments) {
            check_exact(x)?;
        }
    }
    Ok(())
}

fn check_frame(f: &Frame) -> Result<(), String> {
    let bad = |what: String| Err(format!("the journey's description is damaged: {what}"));
    if f.segments.is_empty() {
        return bad("no segment".into());
    }
    if let Some(g) = f.primary_goal
        && g >= f.goals.len()
    {
        return bad(format!("primary goal {g} of {} goals", f.goals.len()));
    }
    if f.horizon.is_some_and(|h| !(h.is_finite() && h > 0.0)) {
        return bad("the horizon is not a positive duration".into());
    }
    for s in &f.segments {
        if !(0.0..=1.0).contains(&s.share) {
            return bad(format!("segment `{}` has share {}", s.name, s.share));
        }
    }
    let mut stage_of = vec![None; f.touchpoints.len()];
    for (i, stage) in f.stages.iter().enumerate() {
        for &t in &stage.touchpoints {
            match stage_of.get_mut(t) {
                Some(slot @ None) => *slot = Some(i),
                Some(Some(_)) => return bad(format!("touchpoint {t} is in two stages")),
                None => return bad(format!("stage `{}` lists touchpoint {t}", stage.name)),
            }
        }
    }
    for (t, tp) in f.touchpoints.iter().enumerate() {
        if stage_of[t] != Some(tp.stage) {
            return bad(format!("touchpoint `{}` is not in its stage", tp.name));
        }
    }
    for k in &f.kpis {
        if k.segment.is_some_and(|s| s >= f.segments.len()) {
            return bad(format!(
                "KPI `{}` is about a segment that does not exist",
                k.text
            ));
        }
        let in_range = match k.metric {
            Metric::Conversion(g) => g < f.goals.len(),
            Metric::Reach(t) | Metric::DropOff(t) => t < f.touchpoints.len(),
            _ => true,
        };
        if !in_range || !k.target.is_finite() {
            return bad(format!(
                "KPI `{}` is about a figure that does not exist",
                k.text
            ));
        }
    }
    Ok(())
}

fn check_segment(f: &Frame, t: &SegmentTally) -> Result<(), String> {
    if t.goals.len() != f.goals.len()
        || t.stages.len() != f.stages.len()
        || t.touchpoints.len() != f.touchpoints.len()
        || t.triggers.len() != f.triggers.len()
    {
        return Err("the totals do not have the journey's shape".into());
    }
    let n = t.customers;
    let at_most = |what: &str, k: u64, of: u64, whole: &str| {
        if k > of {
            Err(format!("{k} {what}, more than the {of} {whole}"))
        } else {
            Ok(())
        }
    };
    let ended: u128 = t.outcomes.iter().map(|&k| k as u128).sum();
    if ended != n as u128 {
        return Err(format!("the endings add up to {ended} customers, not {n}"));
    }
    for (i, name) in ending::NAMES.iter().enumerate() {
        at_most(
            &format!("customers ended `{name}` after the goal"),
            t.outcomes_converted[i],
            t.outcomes[i],
            "who ended so",
        )?;
    }
    for (g, &k) in t.goals.iter().enumerate() {
        at_most(
            &format!("customers reach goal `{}`", f.goals[g]),
            k,
            n,
            "customers",
        )?;
    }
    for (s, &k) in t.stages.iter().enumerate() {
        at_most(
            &format!("customers reach stage `{}`", f.stages[s].name),
            k,
            n,
            "customers",
        )?;
    }
    at_most(
        "promoters and detractors",
        t.promoters.saturating_add(t.detractors),
        n,
        "customers",
    )?;
    at_most("customers with clipped totals", t.clipped, n, "customers")?;
    // Profit is counted per customer as revenue − cost (when goals have values): its sum is
    // theirs, unless totals were clipped.
    let profit_counted = t.profit != Default::default();
    if profit_counted
        && t.clipped == 0
        && Some(t.profit.sum) != t.revenue.sum.checked_sub(t.cost.sum)
    {
        return Err("the profit does not equal revenue minus cost".into());
    }
    lifetime(f, t, n)?;
    let converted = f.primary_goal.map_or(0, |g| t.goals[g]);
    if t.time_hist.count != converted {
        return Err(format!(
            "{} times to convert for {converted} converted customers",
            t.time_hist.count
        ));
    }
    let max_visits = n as u128 * f.max_steps as u128;
    if t.touches as u128 > max_visits {
        return Err(format!("{} visits, more than max_steps allows", t.touches));
    }
    let mut ended_at = [0u128; ending::COUNT];
    for (k, x) in t.touchpoints.iter().enumerate() {
        let name = &f.touchpoints[k].name;
        at_most(
            &format!("customers reach `{name}`"),
            x.reach,
            n,
            "customers",
        )?;
        at_most(&format!("visits of `{name}`"), x.reach, x.visits, "")
            .map_err(|_| format!("`{name}` has fewer visits than customers reaching it"))?;
        if x.visits as u128 > max_visits {
            return Err(format!("`{name}` has more visits than max_steps allows"));
        }
        let here: u128 = x.ended.iter().map(|&k| k as u128).sum();
        if here > x.reach as u128 || x.ended_no_goal as u128 > here {
            return Err(format!("more journeys end at `{name}` than reach it"));
        }
        for (a, &b) in ended_at.iter_mut().zip(&x.ended) {
            *a += b as u128;
        }
    }
    if ended_at
        .iter()
        .zip(&t.outcomes)
        .any(|(&a, &b)| a > b as u128)
    {
        return Err("the touchpoints' endings exceed the segment's".into());
    }
    for (k, x) in t.triggers.iter().enumerate() {
        let name = &f.triggers[k].name;
        at_most(
            &format!("customers brought back by `{name}`"),
            x.brought_back,
            n,
            "customers",
        )?;
        if x.converted_after > x.brought_back || x.brought_back > x.returns || x.returns > x.firings
        {
            return Err(format!("the counts of trigger `{name}` do not add up"));
        }
    }
    Ok(())
}

fn check_exact(x: &crate::analyze::Figures) -> Result<(), String> {
    let p = |v: f64| (0.0..=1.0).contains(&v);
    let outcomes = |o: &crate::analyze::Outcomes| p(o.abandoned) && p(o.left) && p(o.completed);
    let ok = x.conversion.is_none_or(p)
        && x.goals.iter().all(|&g| p(g))
        && outcomes(&x.outcomes)
        && x.touchpoints
            .iter()
            .all(|t| p(t.reach) && t.drop_off.is_none_or(p) && outcomes(&t.ended))
        && x.triggers.iter().all(|t| p(t.brought_back));
    if ok {
        Ok(())
    } else {
        Err("the exact analysis has a probability outside 0..1".into())
    }
}

/// The lifetime totals (LANGUAGE-2.md §3) of one segment's `n` customers: present exactly
/// when the journey has a lifecycle, every customer counted once by number of purchases and
/// in their first month, no more purchases than cycles, no more cycles than `max_cycles`
/// allows, and no more customers in a later month than in the first.
fn lifetime(f: &Frame, t: &SegmentTally, n: u64) -> Result<(), String> {
    let life = &t.life;
    if !f.lifecycle {
        return match life.is_empty() && life.purchases_hist.is_empty() && life.months.is_empty() {
            true => Ok(()),
            false => Err("lifetime totals for a journey without a lifecycle".into()),
        };
    }
    if n == 0 {
        return Ok(());
    }
    let counted: u128 = life.purchases_hist.iter().map(|&k| k as u128).sum();
    if counted != n as u128 {
        return Err(format!(
            "{counted} customers counted by purchases, for {n} customers"
        ));
    }
    if life.months.first().copied() != Some(n) || life.months.iter().any(|&k| k > n) {
        return Err("the customers starting a cycle per month do not match the customers".into());
    }
    let (cycles, purchases) = (life.cycles.sum, life.purchases.sum);
    if cycles < n as i128 || purchases < 0 || purchases > cycles {
        return Err(format!(
            "{cycles} cycles and {purchases} purchases for {n} customers"
        ));
    }
    let by_hist: i128 = life
        .purchases_hist
        .iter()
        .enumerate()
        .map(|(k, &c)| k as i128 * c as i128)
        .sum();
    if by_hist != purchases {
        return Err("the purchases do not match their distribution".into());
    }
    if life.clipped > n {
        return Err(format!(
            "{} customers with clipped lifetime totals, more than the {n} customers",
            life.clipped
        ));
    }
    Ok(())
}
