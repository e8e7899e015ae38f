//! J0602 undeclared-move (`conform` only): an observed entry, move or return the journey
//! does not allow for that segment.

use crate::diagnostic::Finding;
use crate::rules::Rule;
use crate::source::Span;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
`journeyc conform FILE LOG` only. Finds what customers of a segment did that the journey
does not allow them: an entry at a touchpoint that is not an entry, a move between two
touchpoints with no transition for that segment (`-> X` missing, or written `for` other
segments only), or a visit right after a trigger's message at another touchpoint than the
trigger's target. It gives the count and the first line of the log.

## Why is this bad?
The journey says this cannot happen, so every figure computed from it leaves these customers
out: a path customers really take (a deep link, a store pickup) is missing from the model,
and its conversion, cost and drop-off with it.

## Example
```journey
journey shop {
  channel web digital
  stage buy {
    touchpoint bag on web {
      entry
      -> pay 70%
      -> exit
    }
    touchpoint pay on web { goal purchase }
  }
}
```
with log rows `c1,…,visit,bag` then `c1,…,visit,home` — or a customer who enters at `pay`.

## Use instead
```journey
journey shop {
  channel web digital
  stage buy {
    touchpoint bag on web {
      entry 80%
      -> pay 70%
      -> exit
    }
    touchpoint pay on web {
      entry 20%
      goal purchase
    }
  }
}
```
"#;

/// The finding for `count` observations of `what` (e.g. "move `bag -> home`") by customers
/// of `segment`, the first at `line` of `log`, at the declaration `span` it concerns.
pub fn finding(span: Span, what: &str, segment: &str, count: u64, line: u64, log: &str) -> Finding {
    let times = if count == 1 {
        "once".to_string()
    } else {
        format!("{count} times")
    };
    Finding::new(
        Rule::UndeclaredMove,
        span,
        format!(
            "{log}: {what} by `{segment}` observed {times} (first at line {line}), but the \
             journey does not allow it for `{segment}`"
        ),
    )
    .label(format!("{what} not declared for `{segment}`"))
    .help("declare it (a transition, an entry weight, a trigger target), or check the log")
}
