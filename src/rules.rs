//! The one table of rule codes: every rule's code, name, default level and one-line summary,
//! as data. Codes are stable and never reused; names can be used in configuration
//! (`--allow context-break`, `journeyc.toml`) in place of codes.
//!
//! The table sits at the bottom layer, beside [`crate::diagnostic`], so that every phase can
//! name the rule of a finding without importing the phases above it. What each rule finds and
//! its documentation live in its rule file, in the layer that finds it: J0001 in
//! `syntax::error`, J0101–J0205 in [`crate::model::rules`], J0301–J0501 and J0701 in
//! [`crate::check::rules`]; [`crate::check::docs::doc`] reads the documentation.

use crate::diagnostic::Level;
use serde::Serialize;

/// Every rule journeyc knows, in code order.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Rule {
    /// J0001: the file does not parse.
    Syntax,
    /// J0101: a reference to an undeclared name.
    UnknownName,
    /// J0102: two declarations of one name (or an attribute stated twice).
    DuplicateName,
    /// J0103: a `use` that is missing, outside the root, or cyclic.
    BadUse,
    /// J0201: a probability outside 0..100%.
    ProbabilityRange,
    /// J0202: transitions that do not add up, per segment.
    TransitionSum,
    /// J0203: segment shares not adding up to 100%.
    ShareSum,
    /// J0204: no entry, or entry weights not adding up.
    Entry,
    /// J0205: a negative duration or cost, a range with min > max, a KPI of the wrong unit.
    BadValue,
    /// J0206: a `use` at a touchpoint without options, or a segment given two options.
    BadPolicy,
    /// J0301: a touchpoint no entry can reach.
    Unreachable,
    /// J0302: the primary goal can't be reached by some segment.
    GoalUnreachable,
    /// J0303: touchpoints customers can enter and never leave.
    Trap,
    /// J0304: a touchpoint with no transitions and no goal.
    DeadEnd,
    /// J0401: a stage offering none of the channels a segment prefers.
    ChannelGap,
    /// J0402: a transition between channels that do not share context.
    ContextBreak,
    /// J0403: a channel nothing uses.
    UnusedChannel,
    /// J0404: a stage served by one channel in a journey of several.
    SingleChannelStage,
    /// J0501: a trigger whose event can never happen.
    IdleTrigger,
    /// J0601: log rows naming what the journey lacks (`conform`).
    UnknownActivity,
    /// J0602: an observed entry, move or return the journey does not allow (`conform`).
    UndeclaredMove,
    /// J0603: observed moves that differ from the declared ones (`conform`).
    TransitionDrift,
    /// J0604: moves that differ between windows of the log (`conform --window`).
    WindowDrift,
    /// J0701: a `# journeyc: allow(…)` comment that suppresses nothing.
    UnusedSuppression,
}

impl Rule {
    /// Every rule, in code order (the index is `rule as usize`).
    pub const ALL: [Rule; 24] = [
        Rule::Syntax,
        Rule::UnknownName,
        Rule::DuplicateName,
        Rule::BadUse,
        Rule::ProbabilityRange,
        Rule::TransitionSum,
        Rule::ShareSum,
        Rule::Entry,
        Rule::BadValue,
        Rule::BadPolicy,
        Rule::Unreachable,
        Rule::GoalUnreachable,
        Rule::Trap,
        Rule::DeadEnd,
        Rule::ChannelGap,
        Rule::ContextBreak,
        Rule::UnusedChannel,
        Rule::SingleChannelStage,
        Rule::IdleTrigger,
        Rule::UnknownActivity,
        Rule::UndeclaredMove,
        Rule::TransitionDrift,
        Rule::WindowDrift,
        Rule::UnusedSuppression,
    ];

    /// The stable code, e.g. `J0402`.
    pub fn code(self) -> &'static str {
        self.info().0
    }

    /// The kebab-case name, e.g. `context-break`.
    pub fn name(self) -> &'static str {
        self.info().1
    }

    /// The level a finding of this rule has unless configured otherwise.
    pub fn default_level(self) -> Level {
        self.info().2
    }

    /// One line saying what the rule finds.
    pub fn summary(self) -> &'static str {
        self.info().3
    }

    fn info(self) -> (&'static str, &'static str, Level, &'static str) {
        use Level::*;
        match self {
            Rule::Syntax => ("J0001", "syntax", Error, "anything that does not parse"),
            Rule::UnknownName => (
                "J0101",
                "unknown-name",
                Error,
                "a reference to an undeclared channel, touchpoint, segment, goal or trigger",
            ),
            Rule::DuplicateName => (
                "J0102",
                "duplicate-name",
                Error,
                "two declarations of one name",
            ),
            Rule::BadUse => (
                "J0103",
                "bad-use",
                Error,
                "a `use` that is missing, outside the root, or cyclic",
            ),
            Rule::ProbabilityRange => (
                "J0201",
                "probability-range",
                Error,
                "a probability outside 0..100%",
            ),
            Rule::TransitionSum => (
                "J0202",
                "transition-sum",
                Error,
                "transitions of a touchpoint that do not add up, per segment",
            ),
            Rule::ShareSum => (
                "J0203",
                "share-sum",
                Error,
                "segment shares not adding up to 100%",
            ),
            Rule::Entry => (
                "J0204",
                "entry",
                Error,
                "no entry, or entry weights not adding up",
            ),
            Rule::BadValue => (
                "J0205",
                "bad-value",
                Error,
                "a negative duration or cost, a range with min > max, a KPI of the wrong unit",
            ),
            Rule::BadPolicy => (
                "J0206",
                "bad-policy",
                Error,
                "a `use` at a touchpoint without options, or two `use` lines for one segment",
            ),
            Rule::Unreachable => (
                "J0301",
                "unreachable",
                Warning,
                "a touchpoint no entry can reach, for any segment",
            ),
            Rule::GoalUnreachable => (
                "J0302",
                "goal-unreachable",
                Error,
                "the primary goal can't be reached by some segment",
            ),
            Rule::Trap => (
                "J0303",
                "trap",
                Error,
                "touchpoints that customers can enter and never leave by a transition",
            ),
            Rule::DeadEnd => (
                "J0304",
                "dead-end",
                Warning,
                "a touchpoint with no transitions and no goal",
            ),
            Rule::ChannelGap => (
                "J0401",
                "channel-gap",
                Warning,
                "a stage that a segment reaches offers none of the channels the segment prefers",
            ),
            Rule::ContextBreak => (
                "J0402",
                "context-break",
                Warning,
                "a transition between channels that do not share context",
            ),
            Rule::UnusedChannel => (
                "J0403",
                "unused-channel",
                Warning,
                "a channel no touchpoint or trigger uses",
            ),
            Rule::SingleChannelStage => (
                "J0404",
                "single-channel-stage",
                Info,
                "a stage served by one channel in a journey of several",
            ),
            Rule::IdleTrigger => (
                "J0501",
                "idle-trigger",
                Warning,
                "a trigger none of whose touchpoints can end the way its event needs",
            ),
            Rule::UnknownActivity => (
                "J0601",
                "unknown-activity",
                Error,
                "log rows naming a touchpoint, segment, trigger or option the journey lacks",
            ),
            Rule::UndeclaredMove => (
                "J0602",
                "undeclared-move",
                Error,
                "an observed entry, move or return the journey does not allow for that segment",
            ),
            Rule::TransitionDrift => (
                "J0603",
                "transition-drift",
                Warning,
                "a touchpoint whose observed moves differ from the declared ones, for a segment",
            ),
            Rule::WindowDrift => (
                "J0604",
                "window-drift",
                Warning,
                "a touchpoint whose moves differ between consecutive windows of the log",
            ),
            Rule::UnusedSuppression => (
                "J0701",
                "unused-suppression",
                Warning,
                "a `# journeyc: allow(…)` comment that suppresses nothing, or names no rule",
            ),
        }
    }

    /// True for the rules only `journeyc conform` finds (they need an event log).
    pub fn needs_log(self) -> bool {
        matches!(
            self,
            Rule::UnknownActivity
                | Rule::UndeclaredMove
                | Rule::TransitionDrift
                | Rule::WindowDrift
        )
    }

    /// The heading of the rule's documentation: `J0402 context-break (warning)`.
    pub fn title(self) -> String {
        format!(
            "{} {} ({})",
            self.code(),
            self.name(),
            self.default_level().as_str()
        )
    }

    /// Looks a rule up by code (`J0402`, any case) or name (`context-break`).
    pub fn lookup(key: &str) -> Option<Rule> {
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.code().eq_ignore_ascii_case(key) || r.name() == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_code_order_and_indexable() {
        for (i, rule) in Rule::ALL.iter().enumerate() {
            assert_eq!(*rule as usize, i);
        }
        let codes: Vec<_> = Rule::ALL.iter().map(|r| r.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn lookup_by_code_or_name() {
        assert_eq!(Rule::lookup("J0402"), Some(Rule::ContextBreak));
        assert_eq!(Rule::lookup("j0402"), Some(Rule::ContextBreak));
        assert_eq!(Rule::lookup("context-break"), Some(Rule::ContextBreak));
        assert_eq!(Rule::lookup("nope"), None);
    }
}
