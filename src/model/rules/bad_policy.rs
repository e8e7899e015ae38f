//! J0206 bad-policy: a policy (LANGUAGE-2.md §4) that does not say one option per segment.
//!
//! The resolver calls these as it reads a scenario touchpoint's `use` lines: a `use` at a
//! touchpoint that has no options, two unqualified `use` lines, or one segment named by two
//! `use … for` lines. An unknown option is J0101 (`unknown_name`).

use crate::ast::Name;
use crate::diagnostic::Finding;
use crate::rules::Rule;
use crate::source::Span;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Reports a scenario's `use` line that cannot be part of a policy: a `use` at a touchpoint
that declares no `option`, a second `use` without `for` at one touchpoint, or a segment named
by two `use … for` lines of one touchpoint. (`use` of an option the touchpoint does not
declare is J0101.)

## Why is this bad?
A policy gives every segment exactly one option at every touchpoint that has options. With
two lines for one segment, which version of the step its customers see is a guess, and a
`use` where there is nothing to choose is a scenario that does not do what its author thinks.

## Example
```journey
journey demo {
  channel web digital
  segment a { share 50% }
  segment b { share 50% }
  stage buy {
    touchpoint pay on web {
      entry
      -> exit
      option quick { friction 5% }
      option chat { cost 2 }
    }
  }
  scenario try {
    touchpoint pay { use quick for a  use chat for a }
  }
}
```

## Use instead
```journey
journey demo {
  channel web digital
  segment a { share 50% }
  segment b { share 50% }
  stage buy {
    touchpoint pay on web {
      entry
      -> exit
      option quick { friction 5% }
      option chat { cost 2 }
    }
  }
  scenario try {
    touchpoint pay { use quick for a  use chat for b }
  }
}
```
"#;

/// `use` at a touchpoint that declares no option.
pub(crate) fn no_options(touchpoint: &str, span: Span) -> Finding {
    Finding::new(
        Rule::BadPolicy,
        span,
        format!("`use` at touchpoint `{touchpoint}`, which has no options"),
    )
    .label("nothing to choose here")
    .help(format!(
        "declare `option NAME {{ … }}` inside touchpoint `{touchpoint}`, or change its \
         attributes directly in the scenario"
    ))
}

/// A second `use` without `for` at one touchpoint.
pub(crate) fn twice(touchpoint: &str, span: Span, first: Span) -> Finding {
    Finding::new(
        Rule::BadPolicy,
        span,
        format!("two `use` lines for every segment at touchpoint `{touchpoint}`"),
    )
    .label("second `use`")
    .with(first, "first `use`")
    .help("keep one `use` without `for`; give other segments theirs with `use OPTION for SEG`")
}

/// One segment named by two `use … for` lines.
pub(crate) fn segment_twice(touchpoint: &str, segment: &Name, first: Span) -> Finding {
    Finding::new(
        Rule::BadPolicy,
        segment.span,
        format!(
            "segment `{}` is given two options at touchpoint `{touchpoint}`",
            segment.text
        ),
    )
    .label("named again")
    .with(first, "first named here")
    .help(format!("name `{}` in one `use … for` line", segment.text))
}
