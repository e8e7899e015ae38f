//! J0202 transition-sum: transitions of a touchpoint that do not add up, per segment.
//!
//! The resolver (`src/model/resolve.rs`, `Resolver::transitions`) resolves each segment's
//! transitions with the remainder rule; [`problem`] says what is wrong for one segment, and
//! [`finding`] reports a problem once for all the segments it concerns, naming them when it
//! is not all of them.

use super::{sum_off, sum_over};
use crate::diagnostic::Finding;
use crate::model::resolve::trim;
use crate::model::types::Arrow;
use crate::rules::Rule;
use crate::source::Span;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
For each segment, takes the transitions of a touchpoint that apply to it (no `for`, or a
`for` naming it) and checks the remainder rule: written probabilities add up to at most
100%, at most one transition has no probability (it takes the rest), and with none missing
they add up to exactly 100%. A touchpoint whose transitions all exclude a segment is
reported too. The message names the segments concerned when it is not all of them.

## Why is this bad?
Transitions that add up to more or less than 100% do not say what happens to the customers
in between; the simulator and the analyzer would have to guess, and each would guess
differently.

## Example
```journey
journey demo {
  channel web digital
  stage buy {
    touchpoint basket on web {
      entry
      -> pay 70%
      -> exit 40%
    }
    touchpoint pay on web { goal purchase }
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
      -> pay 70%
      -> exit
    }
    touchpoint pay on web { goal purchase }
  }
}
```
"#;

/// What is wrong with one segment's transitions out of a touchpoint.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SumProblem {
    /// No transition applies to the segment.
    NoneApplies,
    /// More than one transition has no probability.
    SeveralOpen,
    /// The written probabilities add up past 100% (the sum, as written).
    Over(String),
    /// They add up to less than 100% and none takes the rest.
    Off(String),
}

impl SumProblem {
    fn message(&self) -> String {
        match self {
            SumProblem::NoneApplies => "no transition applies".into(),
            SumProblem::SeveralOpen => "more than one transition has no probability".into(),
            SumProblem::Over(sum) => format!("transitions add up to {sum}%, more than 100%"),
            SumProblem::Off(sum) => format!("transitions add up to {sum}%, not 100%"),
        }
    }

    fn help(&self) -> &'static str {
        match self {
            SumProblem::NoneApplies => {
                "add a transition without `for`, or name this segment in a `for`"
            }
            SumProblem::SeveralOpen => {
                "give all transitions but one a probability; the one without takes the rest"
            }
            SumProblem::Over(_) | SumProblem::Off(_) => {
                "make the probabilities add up to 100%, or leave one transition without a probability to take the rest"
            }
        }
    }
}

/// What is wrong with the transitions `applies` (indices into `arrows`) of one segment out of
/// the touchpoint named at `name`, and where to point; `None` when the remainder rule
/// resolves them.
pub(crate) fn problem(
    arrows: &[Arrow],
    applies: &[usize],
    name: Span,
) -> Option<(SumProblem, Span)> {
    let written: f64 = applies.iter().filter_map(|&i| arrows[i].probability).sum();
    let open: Vec<usize> = applies
        .iter()
        .copied()
        .filter(|&i| arrows[i].probability.is_none())
        .collect();
    if applies.is_empty() {
        Some((SumProblem::NoneApplies, name))
    } else if open.len() > 1 {
        Some((SumProblem::SeveralOpen, arrows[open[1]].span))
    } else if sum_over(written) {
        Some((SumProblem::Over(trim(written * 100.0)), name))
    } else if open.is_empty() && sum_off(written) {
        Some((SumProblem::Off(trim(written * 100.0)), name))
    } else {
        None
    }
}

/// The finding for `problem` at `span` of touchpoint `touchpoint`, for the `segments` it
/// concerns (empty: every segment), each written probability labelled.
pub(crate) fn finding(
    touchpoint: &str,
    problem: &SumProblem,
    span: Span,
    segments: &[&str],
    arrows: &[Arrow],
) -> Finding {
    let msg = problem.message();
    let who = if segments.is_empty() {
        String::new()
    } else {
        format!(
            " for segment{} {}",
            if segments.len() > 1 { "s" } else { "" },
            segments
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut f = Finding::new(
        Rule::TransitionSum,
        span,
        format!("`{touchpoint}`: {msg}{who}"),
    )
    .label(format!("{msg}{who}"))
    .help(problem.help());
    for a in arrows {
        if let Some(p) = a.probability {
            f = f.with(a.span, format!("{}%", trim(p * 100.0)));
        }
    }
    f
}
