//! J0301 unreachable: a touchpoint no entry leads to, for any segment.

use crate::check::Context;
use crate::diagnostic::Finding;
use crate::rules::Rule;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Finds touchpoints that no customer can ever visit: for every segment, no path of transitions
(and trigger returns) leads to them from an entry.

## Why is this bad?
An unreachable touchpoint is usually a forgotten transition or a typo in a `for` list. Its
reach is 0%, so every KPI about it is inconclusive, and the journey map shows a step that no
customer experiences.

## Example
```journey
journey demo {
  channel web digital
  stage visit {
    touchpoint home on web {
      entry
      -> signup 40%
      -> exit
    }
    touchpoint pricing on web {
      -> signup 50%
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
      -> pricing 20%
      -> exit
    }
    touchpoint pricing on web {
      -> signup 50%
      -> exit
    }
    touchpoint signup on web { goal signed_up }
  }
}
```
"#;

/// Reports every touchpoint no segment can reach.
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (id, tp) in cx.journey.touchpoints.iter().enumerate() {
        if cx.reached(id) {
            continue;
        }
        out.push(
            Finding::new(
                Rule::Unreachable,
                tp.span,
                format!("touchpoint `{}` cannot be reached from any entry", tp.name),
            )
            .label("no path from an entry leads here")
            .help(format!(
                "add a transition into `{}` from a touchpoint customers reach, or make it an \
                 entry with `entry`",
                tp.name
            )),
        );
    }
}
