//! Findings: what a phase says about a file, as data. Rendering happens in [`crate::report`].
//!
//! Every finding carries a [`Rule`] (its stable code and name), a level, a message, a primary
//! labelled span, optional secondary spans and a help line. Levels can be changed per run and
//! per repository through [`RuleLevels`].

use crate::rules::Rule;
use crate::source::Span;
use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Informational: shown, never fails a run.
    Info,
    /// A likely mistake: shown, fails only with `--deny warnings`.
    Warning,
    /// The file is wrong: the run exits 1.
    Error,
}

impl Level {
    /// The lowercase word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// A span with a message saying what is wrong at that spot.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is wrong there (may be empty).
    pub message: String,
}

impl Label {
    /// A label at `span` saying `message`.
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: message.into(),
        }
    }
}

/// One diagnostic about a source file.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The rule that fired.
    pub rule: Rule,
    /// Its level for this run (the rule's default unless configured).
    pub level: Level,
    /// One sentence saying what is wrong.
    pub message: String,
    /// The spot the finding is about.
    pub primary: Label,
    /// Other spots that help explain it (both ends of a context break, the first declaration…).
    pub secondary: Vec<Label>,
    /// How to fix it, when there is something to say. Shared: a rule that says the same
    /// thing at many places (one context break per pair of channels) keeps one copy.
    pub help: Option<std::sync::Arc<str>>,
}

impl Finding {
    /// A finding of `rule` at its default level.
    pub fn new(rule: Rule, span: Span, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            level: rule.default_level(),
            message: message.into(),
            primary: Label::new(span, ""),
            secondary: Vec::new(),
            help: None,
        }
    }

    /// Sets the primary label's text.
    pub fn label(mut self, message: impl Into<String>) -> Finding {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary labelled span.
    pub fn with(mut self, span: Span, message: impl Into<String>) -> Finding {
        self.secondary.push(Label::new(span, message));
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<std::sync::Arc<str>>) -> Finding {
        self.help = Some(help.into());
        self
    }
}

/// The level of each rule for one run: defaults, then `journeyc.toml`, then command-line flags.
#[derive(Clone, Debug)]
pub struct RuleLevels {
    levels: Vec<Option<Level>>,
    deny_warnings: bool,
}

impl Default for RuleLevels {
    fn default() -> Self {
        RuleLevels {
            levels: Rule::ALL.iter().map(|r| Some(r.default_level())).collect(),
            deny_warnings: false,
        }
    }
}

impl RuleLevels {
    /// Sets a rule's level; `None` means allowed (not reported).
    pub fn set(&mut self, rule: Rule, level: Option<Level>) {
        self.levels[rule as usize] = level;
    }

    /// `--deny warnings`: every warning fails the run.
    pub fn set_deny_warnings(&mut self, deny: bool) {
        self.deny_warnings = deny;
    }

    /// The level of a rule in this run, `None` when allowed.
    pub fn level(&self, rule: Rule) -> Option<Level> {
        self.levels[rule as usize]
    }

    /// Applies the configured levels: drops allowed findings, re-levels the others.
    /// Syntax errors are never downgraded: a file that does not parse has no model.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter_map(|mut f| {
                if f.rule == Rule::Syntax {
                    return Some(f);
                }
                let level = self.level(f.rule)?;
                f.level = if self.deny_warnings && level == Level::Warning {
                    Level::Error
                } else {
                    level
                };
                Some(f)
            })
            .collect()
    }
}

/// Sorts findings by file, position, then code: the order every report uses.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            a.primary.span.file,
            a.primary.span.start,
            a.rule.code(),
            &a.message,
        )
            .cmp(&(
                b.primary.span.file,
                b.primary.span.start,
                b.rule.code(),
                &b.message,
            ))
    });
}
