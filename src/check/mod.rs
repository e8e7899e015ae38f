//! Check: the graph rules of LANGUAGE.md's table (J0301–J0501) on the resolved model.
//!
//! [`check`] builds one petgraph graph per segment ([`graph`]), computes what each segment
//! can reach once, and runs every rule of [`rules`] over that shared [`Context`]. Rules
//! J0001–J0205 are found earlier, by the parser and the resolver; their rule files hold only
//! their documentation. The code table, with each rule's level, is [`crate::rules::Rule`]
//! (the bottom layer); each rule's documentation is [`docs::doc`].

pub mod docs;
pub mod graph;
pub mod rules;
pub mod session;
pub mod suppress;

use crate::diagnostic::Finding;
use crate::model::{Journey, SegmentId, TouchpointId};

/// What every rule may read: the journey and, per segment, the touchpoints it can reach.
pub struct Context<'a> {
    /// The journey being checked.
    pub journey: &'a Journey,
    /// `reach[segment][touchpoint]`: some entry leads there by the segment's transitions and
    /// trigger returns.
    pub reach: Vec<Vec<bool>>,
}

impl<'a> Context<'a> {
    /// Computes reachability for every segment.
    pub fn new(journey: &'a Journey) -> Context<'a> {
        let reach = (0..journey.segments.len())
            .map(|s| graph::reachable(journey, &graph::segment_graph(journey, s, true)))
            .collect();
        Context { journey, reach }
    }

    /// True when some segment can reach touchpoint `tp`.
    pub fn reached(&self, tp: TouchpointId) -> bool {
        self.reach.iter().any(|r| r[tp])
    }
}

/// Runs the graph rules on a journey; findings have their rules' default levels, in rule
/// order (the caller applies [`crate::diagnostic::RuleLevels`] and sorts).
pub fn check(journey: &Journey) -> Vec<Finding> {
    let cx = Context::new(journey);
    let mut out = Vec::new();
    rules::unreachable::check(&cx, &mut out);
    rules::goal_unreachable::check(&cx, &mut out);
    rules::trap::check(&cx, &mut out);
    rules::dead_end::check(&cx, &mut out);
    rules::channel_gap::check(&cx, &mut out);
    rules::context_break::check(&cx, &mut out);
    rules::unused_channel::check(&cx, &mut out);
    rules::single_channel_stage::check(&cx, &mut out);
    rules::idle_trigger::check(&cx, &mut out);
    out
}

/// Names in backticks, comma-separated; past `max` names, "and N more".
pub(crate) fn name_list<'n>(names: impl IntoIterator<Item = &'n str>, max: usize) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    let mut shown: Vec<String> = names.iter().take(max).map(|n| format!("`{n}`")).collect();
    if names.len() > max {
        shown.push(format!("and {} more", names.len() - max));
    }
    shown.join(", ")
}

/// Names in backticks joined with a conjunction: "`a`", "`a` and `b`", "`a`, `b` or `c`";
/// past `max` names, "… and N more".
pub(crate) fn joined<'n>(
    names: impl IntoIterator<Item = &'n str>,
    max: usize,
    conjunction: &str,
) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    let mut shown: Vec<String> = names.iter().take(max).map(|n| format!("`{n}`")).collect();
    if names.len() > max {
        shown.push(format!("{} more", names.len() - max));
        return format!("{} and {}", shown[..max].join(", "), shown[max]);
    }
    match shown.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("{} {conjunction} {last}", rest.join(", "))
        }
        _ => shown.concat(),
    }
}

/// "segment `a`" or "segments `a`, `b`".
pub(crate) fn segments_phrase(journey: &Journey, segs: &[SegmentId]) -> String {
    let names = segs.iter().map(|&s| journey.segments[s].name.as_str());
    let plural = if segs.len() == 1 { "" } else { "s" };
    format!("segment{plural} {}", name_list(names, 8))
}

/// A probability as people write it: `30%`, `12.5%`.
pub(crate) fn percent(p: f64) -> String {
    format!("{}%", crate::model::trim(p * 100.0))
}

#[cfg(test)]
mod tests;
