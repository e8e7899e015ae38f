//! J0304 dead-end: a touchpoint with no transitions and no goal.

use crate::check::Context;
use crate::diagnostic::Finding;
use crate::rules::Rule;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Finds touchpoints without transitions that carry no goal. A touchpoint without transitions
ends the journey there (the customer completes), which is right for a goal and almost never
right otherwise.

## Why is this bad?
Customers who complete at a dead end count neither as converted nor as having left: a
forgotten `-> exit` or a forgotten next step hides as a silent end of the journey, and
`on exit` triggers fire there as if that were intended.

## Example
```journey
journey demo {
  channel web digital
  stage visit {
    touchpoint home on web {
      entry
      -> newsletter 20%
      -> signup
    }
    touchpoint newsletter on web { }
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
      -> newsletter 20%
      -> signup
    }
    touchpoint newsletter on web {
      -> signup 10%
      -> exit
    }
    touchpoint signup on web { goal signed_up }
  }
}
```
"#;

/// Reports every terminal touchpoint without a goal.
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for tp in &cx.journey.touchpoints {
        if !tp.is_terminal() || tp.goal.is_some() {
            continue;
        }
        out.push(
            Finding::new(
                Rule::DeadEnd,
                tp.span,
                format!("touchpoint `{}` ends the journey without a goal", tp.name),
            )
            .label("no transitions and no goal")
            .help(
                "add `-> exit` if customers leave here, a transition to where they go next, \
                 or `goal NAME` if arriving here is an achievement",
            ),
        );
    }
}
