//! `journeyc explain RULE`: a rule's documentation (the same text as its section of
//! `docs/rules.md`); `journeyc explain --list`: the table of every rule.

use super::{Exit, Failure};
use crate::check::docs;
use crate::names;
use crate::rules::Rule;

/// Explain a rule: what it finds, why it matters, a failing and a fixed example.
#[derive(Debug, Clone, clap::Args)]
pub struct ExplainArgs {
    /// The rule: its code (`J0402`, in any case) or its name (`context-break`).
    #[arg(required_unless_present = "list", value_name = "RULE")]
    pub rule: Option<String>,
    /// List every rule with its code, name and level instead.
    #[arg(long, conflicts_with = "rule")]
    pub list: bool,
}

/// The text `explain` prints, or a failure naming the closest rule.
pub fn text(args: &ExplainArgs) -> Result<String, Failure> {
    let key = match (&args.rule, args.list) {
        (Some(key), false) => key.trim(),
        _ => return Ok(docs::table()),
    };
    if let Some(rule) = Rule::lookup(key) {
        return Ok(docs::explain(rule));
    }
    let upper = key.to_ascii_uppercase();
    let candidates = Rule::ALL.iter().flat_map(|r| [r.code(), r.name()]);
    let guess = names::suggest(&upper, Rule::ALL.iter().map(|r| r.code()))
        .or_else(|| names::suggest(key, candidates));
    let hint = match guess.and_then(Rule::lookup) {
        Some(r) => format!("did you mean `{}` ({})? ", r.code(), r.name()),
        None => String::new(),
    };
    Err(Failure(format!(
        "unknown rule `{key}`; {hint}`journeyc explain --list` lists every rule"
    )))
}

/// Prints the rule's documentation or the table.
pub fn run(args: &ExplainArgs) -> Result<Exit, Failure> {
    super::output::out(&text(args)?)?;
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explain(rule: &str) -> Result<String, Failure> {
        text(&ExplainArgs {
            rule: Some(rule.into()),
            list: false,
        })
    }

    #[test]
    fn by_code_in_any_case_or_by_name() {
        let by_code = explain("J0402").unwrap();
        assert!(by_code.starts_with("J0402 context-break (warning)\n\n## What it does\n"));
        assert_eq!(explain("j0402").unwrap(), by_code);
        assert_eq!(explain("context-break").unwrap(), by_code);
    }

    #[test]
    fn unknown_rules_get_a_suggestion() {
        let err = explain("J042").unwrap_err().0;
        assert!(
            err.contains("did you mean `J0402` (context-break)?"),
            "{err}"
        );
        let err = explain("contxt-break").unwrap_err().0;
        assert!(err.contains("did you mean `J0402`"), "{err}");
        let err = explain("nonsense-words").unwrap_err().0;
        assert!(!err.contains("did you mean"), "{err}");
        assert!(err.contains("--list"), "{err}");
    }

    #[test]
    fn list_has_every_rule() {
        let table = text(&ExplainArgs {
            rule: None,
            list: true,
        })
        .unwrap();
        assert_eq!(table.lines().count(), Rule::ALL.len() + 1);
        assert!(table.contains("J0404  single-channel-stage  info"));
    }
}
