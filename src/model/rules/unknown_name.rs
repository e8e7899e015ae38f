//! J0101 unknown-name: a reference to an undeclared name.
//!
//! The resolver (`src/model/resolve.rs`) calls [`unknown`] for a channel, touchpoint, segment,
//! goal or metric it cannot find in its scope, and the KPI checks below for a metric without
//! its argument or without a goal; scenarios (`src/model/scenario.rs`) call
//! [`changes_unknown`] and [`removes_unknown`] for a touchpoint or trigger the baseline does
//! not have. "Did you mean" comes from `src/names.rs`.

use crate::ast::Name;
use crate::diagnostic::Finding;
use crate::names;
use crate::rules::Rule;
use crate::source::Span;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Reports a reference to a channel, touchpoint, segment, goal, trigger or KPI metric that is
not declared, with the closest declared name ("did you mean `checkout`?") when there is one.
In a scenario, it also reports changes to names the baseline does not have, and references
to a touchpoint or trigger the scenario removes. An attribute line `for` a segment that does
not exist, and a `goal … for SEG` line naming another goal than the touchpoint's own, are
reported too.

## Why is this bad?
A misspelt name is a transition, trigger or KPI that silently means something else or
nothing at all. References are resolved before anything runs, so the journey has no model
until every name is known.

## Example
```journey
journey demo {
  channel web digital
  stage buy {
    touchpoint basket on web {
      entry
      -> chekout 60%
      -> exit
    }
    touchpoint checkout on web { goal purchase }
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
      -> checkout 60%
      -> exit
    }
    touchpoint checkout on web { goal purchase }
  }
}
```
"#;

/// Where an unknown name may have gone, for a better help line than "did you mean".
#[derive(Copy, Clone, Default)]
pub(crate) struct Context<'a> {
    /// The scenario that removes this touchpoint or trigger, if one does.
    pub removed_by: Option<&'a str>,
    /// A `use` that could not be loaded: an unknown channel or segment is most likely
    /// declared in that library, so the finding blames it.
    pub failed_use: Option<Span>,
}

/// An unknown `what` (`channel`, `touchpoint`, `segment`, `goal`, `metric`, `trigger`)
/// `name`, among the declared `candidates` (searched for a close one when `suggest`).
pub(crate) fn unknown(
    what: &str,
    name: &Name,
    candidates: &[&str],
    suggest: bool,
    context: Context,
) -> Finding {
    let mut help = names::help(what, &name.text, candidates, suggest);
    if let Some(scenario) = context.removed_by {
        help = format!(
            "scenario `{scenario}` removes `{}`: change this reference in the scenario too",
            name.text
        );
    }
    let mut f = Finding::new(
        Rule::UnknownName,
        name.span,
        format!("unknown {what} `{}`", name.text),
    )
    .label(format!("no {what} is called `{}`", name.text));
    let from_library = matches!(what, "channel" | "segment");
    if let Some(failed) = context.failed_use.filter(|_| from_library) {
        help = "a `use` of this file could not be loaded, and the library may declare it: fix that `use` first".into();
        if name.span.file == failed.file {
            f = f.with(failed, "this library was not loaded");
        }
    }
    f.help(help)
}

/// A KPI metric (`reach`, `p90`…) written at `span` without the `what` it needs in
/// parentheses.
pub(crate) fn needs_argument(metric: &str, span: Span, what: &str) -> Finding {
    Finding::new(
        Rule::UnknownName,
        span,
        format!("`{metric}` needs a {what} in parentheses"),
    )
    .label(format!("which {what}?"))
    .help(format!("write `{metric}(NAME)`"))
}

/// A KPI metric that takes no argument, given one at `span`.
pub(crate) fn takes_no_argument(metric: &str, span: Span) -> Finding {
    Finding::new(
        Rule::UnknownName,
        span,
        format!("`{metric}` takes no argument"),
    )
    .label("not expected here")
    .help(format!("write `{metric}` alone"))
}

/// `conversion` (at `span`) in a journey without goals.
pub(crate) fn conversion_without_goal(span: Span) -> Finding {
    Finding::new(
        Rule::UnknownName,
        span,
        "`conversion` needs a goal, and the journey has none",
    )
    .label("no goal to convert to")
    .help("mark the touchpoint that achieves the goal with `goal NAME`")
}

/// A time-to-convert KPI (at `span`) in a journey without goals.
pub(crate) fn time_without_goal(span: Span) -> Finding {
    Finding::new(
        Rule::UnknownName,
        span,
        "time to convert needs a goal, and the journey has none",
    )
    .label("no goal")
    .help("mark the touchpoint that achieves the goal with `goal NAME`")
}

/// Scenario `scenario` changes touchpoint `name`, which the baseline does not have (its
/// touchpoints are `known`).
pub(crate) fn changes_unknown(
    scenario: &str,
    name: &Name,
    known: &[&str],
    suggest: bool,
) -> Finding {
    let mut help = names::help("touchpoint", &name.text, known, suggest);
    if !suggest || names::suggest(&name.text, known.iter().copied()).is_none() {
        help =
            "to add a touchpoint, put it in a `stage NAME { touchpoint … }` block of the scenario"
                .into();
    }
    Finding::new(
        Rule::UnknownName,
        name.span,
        format!(
            "scenario `{scenario}` changes unknown touchpoint `{}`",
            name.text
        ),
    )
    .label("no such touchpoint in the baseline")
    .help(help)
}

/// Scenario `scenario` removes the `what` (`touchpoint` or `trigger`) `name`, which the
/// baseline does not have (its names of that kind are `known`).
pub(crate) fn removes_unknown(
    scenario: &str,
    what: &str,
    name: &Name,
    known: &[&str],
    suggest: bool,
) -> Finding {
    Finding::new(
        Rule::UnknownName,
        name.span,
        format!(
            "scenario `{scenario}` removes unknown {what} `{}`",
            name.text
        ),
    )
    .label(format!("no such {what}"))
    .help(names::help(what, &name.text, known, suggest))
}

/// A `goal … for SEG` line naming `name`, at a touchpoint whose goal is `own`: per-segment
/// lines change the goal's value, not which goal it is.
pub(crate) fn not_own_goal(name: &Name, own: &str) -> Finding {
    Finding::new(
        Rule::UnknownName,
        name.span,
        format!("`goal {} for …` does not name this touchpoint's goal `{own}`", name.text),
    )
    .label(format!("this touchpoint's goal is `{own}`"))
    .help(format!(
        "a `for` line changes the value of the touchpoint's own goal: write `goal {own} value N for …`"
    ))
}
