//! J0701 unused-suppression: a `# journeyc: allow(…)` comment that suppresses nothing, names
//! no rule, or is not written as a suppression. [`crate::check::suppress`] finds them.

use crate::diagnostic::Finding;
use crate::names;
use crate::rules::Rule;
use crate::source::Span;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Finds `# journeyc: allow(RULE, …)` comments that suppress nothing: a rule named there has no
finding on the line the comment covers (or in the block that line opens), the name is not a
rule's name or code, or the comment after `journeyc:` is not `allow(…)`. Only the checked
file's own comments are reported, not those of the libraries it uses, and not while the file
has an error that stops the graph rules.

## Why is this bad?
A suppression outlives the finding it was written for: once the journey is fixed, the stale
comment would silently hide the next real finding of that rule on that line. A misspelt rule
name suppresses nothing while looking as if it did.

## Example
```journey
journey demo {
  channel web digital
  stage visit {
    touchpoint home on web {   # journeyc: allow(context-break)
      entry
      -> signup 40%
      -> exit
    }
    touchpoint signup on web { goal signed_up }
  }
}
```

## Use instead
```journey
journey demo {
  channel web digital
  stage visit {
    touchpoint home on web {
      entry
      -> signup 40%
      -> exit
    }
    touchpoint signup on web { goal signed_up }
  }
}
```
"#;

/// `rule` was allowed at `span` but had no finding there.
pub fn unused(rule: Rule, span: Span) -> Finding {
    Finding::new(
        Rule::UnusedSuppression,
        span,
        format!(
            "`allow({})` suppresses nothing: no {} finding here",
            rule.name(),
            rule.code()
        ),
    )
    .label("nothing to suppress")
    .help("remove it, or move it to the line of the finding (or the line opening its block)")
}

/// `name` in an `allow(…)` is no rule.
pub fn unknown(name: &str, span: Span) -> Finding {
    let all = Rule::ALL.iter().flat_map(|r| [r.code(), r.name()]);
    let help = match names::suggest(name, all) {
        Some(s) => format!("did you mean `{s}`? `journeyc explain --list` lists the rules"),
        None => "name a rule by its name or code; `journeyc explain --list` lists them".into(),
    };
    Finding::new(
        Rule::UnusedSuppression,
        span,
        format!("`{name}` is not a rule: this suppression suppresses nothing"),
    )
    .label("unknown rule")
    .help(help)
}

/// The comment after `journeyc:` is not `allow(…)`.
pub fn malformed(span: Span) -> Finding {
    Finding::new(
        Rule::UnusedSuppression,
        span,
        "not a suppression: expected `# journeyc: allow(RULE, …)`",
    )
    .label("not understood")
    .help("write `# journeyc: allow(context-break)`, with rule names or codes separated by commas")
}
