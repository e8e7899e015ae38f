//! The rule documentation as text: `journeyc explain` and `docs/rules.md` are generated from
//! the rule table ([`crate::rules`]) and the rule files (`syntax::error` for J0001,
//! `model::rules` for J0101–J0205, `check::rules` for the graph rules), so the two can never
//! disagree.

use crate::rules::Rule;

/// The rule's documentation (What it does / Why is this bad? / Example / Use instead):
/// what `journeyc explain` prints and `docs/rules.md` collects.
pub fn doc(rule: Rule) -> &'static str {
    use super::rules::*;
    use crate::model::rules::*;
    match rule {
        Rule::Syntax => crate::syntax::error::DOC,
        Rule::UnknownName => unknown_name::DOC,
        Rule::DuplicateName => duplicate_name::DOC,
        Rule::BadUse => bad_use::DOC,
        Rule::ProbabilityRange => probability_range::DOC,
        Rule::TransitionSum => transition_sum::DOC,
        Rule::ShareSum => share_sum::DOC,
        Rule::Entry => entry::DOC,
        Rule::BadValue => bad_value::DOC,
        Rule::BadPolicy => bad_policy::DOC,
        Rule::Unreachable => unreachable::DOC,
        Rule::GoalUnreachable => goal_unreachable::DOC,
        Rule::Trap => trap::DOC,
        Rule::DeadEnd => dead_end::DOC,
        Rule::ChannelGap => channel_gap::DOC,
        Rule::ContextBreak => context_break::DOC,
        Rule::UnusedChannel => unused_channel::DOC,
        Rule::SingleChannelStage => single_channel_stage::DOC,
        Rule::IdleTrigger => idle_trigger::DOC,
        Rule::UnknownActivity => unknown_activity::DOC,
        Rule::UndeclaredMove => undeclared_move::DOC,
        Rule::TransitionDrift => transition_drift::DOC,
        Rule::WindowDrift => window_drift::DOC,
        Rule::UnusedSuppression => unused_suppression::DOC,
    }
}

/// What `journeyc explain RULE` prints: the title line, then the rule's documentation.
pub fn explain(rule: Rule) -> String {
    format!("{}\n\n{}", rule.title(), doc(rule))
}

/// The table of every rule (code, name, level, what it finds), aligned for a terminal.
pub fn table() -> String {
    let rows: Vec<[&str; 4]> = std::iter::once(["code", "name", "level", "finds"])
        .chain(
            Rule::ALL
                .iter()
                .map(|r| [r.code(), r.name(), r.default_level().as_str(), r.summary()]),
        )
        .collect();
    let width = |col: usize| rows.iter().map(|r| r[col].len()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0), width(1), width(2));
    rows.iter()
        .map(|r| format!("{:w0$}  {:w1$}  {:w2$}  {}\n", r[0], r[1], r[2], r[3]))
        .collect()
}

/// The whole of `docs/rules.md`: a title, the table of rules, then one section per rule
/// (the rule's documentation with its headings one level down).
pub fn markdown() -> String {
    let mut out = String::from(
        "# Rules\n\n\
         <!-- Generated from src/rules.rs and the rule files: do not edit.\n     \
         Regenerate with `UPDATE_DOCS=1 cargo test --test integration rules::rules_md`. -->\n\n\
         Every finding of `journeyc check` comes from one of these rules. Codes are stable and\n\
         never reused; a rule can be named by its code or its name in `--allow`, `--warn`,\n\
         `--deny` and `journeyc.toml`. `journeyc explain CODE` prints a rule's section.\n\n\
         | code | name | level | finds |\n| --- | --- | --- | --- |\n",
    );
    for r in Rule::ALL {
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} |\n",
            r.code(),
            anchor(&r.title()),
            r.name(),
            r.default_level().as_str(),
            r.summary()
        ));
    }
    for r in Rule::ALL {
        out.push_str(&format!("\n## {}\n\n{}", r.title(), demote(doc(r))));
    }
    out
}

/// GitHub's heading anchor: lowercase, punctuation other than `-` dropped, spaces to `-`.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Moves every Markdown heading outside code blocks one level down.
fn demote(doc: &str) -> String {
    let mut fenced = false;
    doc.lines()
        .map(|line| {
            if line.starts_with("```") {
                fenced = !fenced;
            }
            if !fenced && line.starts_with('#') {
                format!("#{line}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_follow_github() {
        assert_eq!(
            anchor("J0402 context-break (warning)"),
            "j0402-context-break-warning"
        );
    }

    #[test]
    fn demote_leaves_code_blocks_alone() {
        let doc = "## What it does\ntext\n```journey\n## not a heading\n```\n";
        assert_eq!(
            demote(doc),
            "### What it does\ntext\n```journey\n## not a heading\n```\n"
        );
    }
}
