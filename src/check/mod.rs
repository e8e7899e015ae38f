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

use crate::diagnostic::{self, Finding};
use crate::model::{Journey, SegmentId, TouchpointId};
use crate::rules::Rule;

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
    check_rules(journey, |_| true)
}

/// [`check`] with only the rules `wanted` says yes to (each rule module reports its own rule
/// only): a command that runs a journey asks for the rules that can stop it, and does not
/// spend time and memory on a warning per touchpoint it would throw away.
pub fn check_rules(journey: &Journey, wanted: impl Fn(Rule) -> bool) -> Vec<Finding> {
    type Check = fn(&Context, &mut Vec<Finding>);
    const RULES: [(Rule, Check); 9] = [
        (Rule::Unreachable, rules::unreachable::check),
        (Rule::GoalUnreachable, rules::goal_unreachable::check),
        (Rule::Trap, rules::trap::check),
        (Rule::DeadEnd, rules::dead_end::check),
        (Rule::ChannelGap, rules::channel_gap::check),
        (Rule::ContextBreak, rules::context_break::check),
        (Rule::UnusedChannel, rules::unused_channel::check),
        (Rule::SingleChannelStage, rules::single_channel_stage::check),
        (Rule::IdleTrigger, rules::idle_trigger::check),
    ];
    let cx = Context::new(journey);
    let mut out = Vec::new();
    for (rule, check) in RULES {
        if wanted(rule) {
            check(&cx, &mut out);
        }
    }
    out
}

/// The transition rules (J0302 goal unreachable, J0303 trap, J0304 dead end) on each option
/// of the journey's decision touchpoints, as LANGUAGE-2.md §4 asks ("an option's transitions
/// obey the version-1 checks like a touchpoint's"): for every option other than `as_is`,
/// the journey with that option in force at its touchpoint for every segment (the other
/// touchpoints as they are) is checked, and each finding the journey as it is does not have
/// is reported at the option, ``with option `NAME` of `TP`:`` before its message, the spot
/// it names kept as a secondary label.
pub fn check_options(journey: &Journey) -> Vec<Finding> {
    let transition_rules = |j: &Journey| {
        let cx = Context::new(j);
        let mut out = Vec::new();
        rules::goal_unreachable::check(&cx, &mut out);
        rules::trap::check(&cx, &mut out);
        rules::dead_end::check(&cx, &mut out);
        out
    };
    let decisions: Vec<_> = journey.decisions().collect();
    if decisions.is_empty() {
        return Vec::new();
    }
    let key = |f: &Finding| (f.rule, f.primary.span, f.message.clone());
    let baseline: crate::fasthash::Set<_> = transition_rules(journey).iter().map(key).collect();
    let nseg = journey.segments.len();
    let given: Vec<Vec<usize>> = decisions
        .iter()
        .map(|&t| journey.touchpoints[t].policy.clone())
        .collect();
    let mut seen = crate::fasthash::Set::default();
    let mut out = Vec::new();
    for (d, &t) in decisions.iter().enumerate() {
        let tp = &journey.touchpoints[t];
        for (c, choice) in tp.choices.iter().enumerate().skip(1) {
            let mut policy = given.clone();
            policy[d] = vec![c; nseg];
            for f in transition_rules(&journey.with_policy(&policy)) {
                let k = key(&f);
                if baseline.contains(&k) || !seen.insert((d, c, k)) {
                    continue;
                }
                let mut f = f;
                f.message = format!(
                    "with option `{}` of `{}`: {}",
                    choice.name, tp.name, f.message
                );
                let spot = std::mem::replace(
                    &mut f.primary,
                    diagnostic::Label::new(choice.span, "this option"),
                );
                f.secondary.insert(0, spot);
                out.push(f);
            }
        }
    }
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
