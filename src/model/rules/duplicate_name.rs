//! J0102 duplicate-name: two declarations of one name, or one attribute stated twice.
//!
//! The resolver (`src/model/resolve.rs`) looks each name up as it declares it and calls these
//! when it was already there: channels, segments, stages, touchpoints, triggers and KPIs
//! declared twice (a library's included), attributes stated twice in one block, and two
//! transitions to the same target that apply to the same segment.

use crate::diagnostic::Finding;
use crate::rules::Rule;
use crate::source::Span;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Reports a second declaration of a name already declared (a channel, segment, stage,
touchpoint or trigger — also across a used library and the journey), an attribute stated
twice in one block (`friction` twice in a touchpoint, or twice for one segment with `for`), a
KPI stated twice, two context groups of one name, and two transitions of one touchpoint to the
same target that apply to the same segment.

## Why is this bad?
References are by name: with two declarations, which one a transition or a KPI means is a
guess. An attribute stated twice is almost always an edit that forgot the old line, and two
transitions to one target make its probability ambiguous.

## Example
```journey
journey demo {
  channel web digital
  stage buy {
    touchpoint basket on web {
      entry
      friction 10%
      friction 20%
      -> exit
    }
  }
}
```

## Use instead
```journey
journey demo {
  channel web digital
  stage buy {
    touchpoint basket on web {
      entry
      friction 20%
      -> exit
    }
  }
}
```
"#;

/// `what` (`channel`, `segment`, `stage`, `touchpoint`, `trigger`) `name` declared at `span`
/// after its first declaration at `first`.
pub(crate) fn declared_twice(what: &str, name: &str, span: Span, first: Span) -> Finding {
    Finding::new(
        Rule::DuplicateName,
        span,
        format!("{what} `{name}` is declared twice"),
    )
    .label("declared again here")
    .with(first, "first declared here")
    .help(format!("rename one of them, or merge them into one {what}"))
}

/// An attribute (`keyword`) stated a second time at `span` in `owner` (`touchpoint `x``).
pub(crate) fn stated_twice(keyword: &str, owner: &str, span: Span, first: Span) -> Finding {
    Finding::new(
        Rule::DuplicateName,
        span,
        format!("`{keyword}` is stated twice in {owner}"),
    )
    .label("stated again here")
    .with(first, "first stated here")
    .help(format!("keep one `{keyword}`"))
}

/// A second transition out of `touchpoint` (at `span`) to the target of the one at `first`,
/// applying to a common segment.
pub(crate) fn same_target(touchpoint: &str, span: Span, first: Span) -> Finding {
    Finding::new(
        Rule::DuplicateName,
        span,
        format!("two transitions from `{touchpoint}` to the same target"),
    )
    .label("same target again")
    .with(first, "first transition to it")
    .help("merge them into one transition, or restrict them to different segments with `for`")
}

/// A KPI whose text (whitespace normalised) was stated before.
pub(crate) fn kpi_twice(text: &str, span: Span) -> Finding {
    Finding::new(
        Rule::DuplicateName,
        span,
        format!("the KPI `{text}` is stated twice"),
    )
    .label("stated again")
    .help("keep one")
}
