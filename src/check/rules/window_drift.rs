//! J0604 window-drift (`conform --window DURATION` only): a touchpoint whose move
//! distribution differs between consecutive windows of the log.

use crate::diagnostic::Finding;
use crate::rules::Rule;
use crate::source::Span;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
`journeyc conform FILE LOG --window DURATION` only. Cuts the log into consecutive windows of
the given length (by the time of each visit, from 1970-01-01 UTC) and, per segment,
touchpoint and option, compares the moves and exits of each window with the next by a G-test
of homogeneity; the p-values of all comparisons are corrected together by Benjamini–Hochberg
at `--fdr` (default 5%). A finding names the two windows, the share that moved most, and
points at the touchpoint.

## Why is this bad?
Customers started behaving differently from one window to the next: a release, an outage, a
campaign or a price change. The journey's numbers describe an average over a world that no
longer holds; fit the recent window alone before trusting them.

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
with a log where `bag -> pay` is 70% in January and 55% in February (`--window 30d`).

## Use instead
```journey
journey shop {
  channel web digital
  stage buy {
    touchpoint bag on web {
      entry
      -> pay 55%
      -> exit
    }
    touchpoint pay on web { goal purchase }
  }
}
```
and fit on the recent window only.
"#;

/// The finding for touchpoint `tp` (declared at `span`) and `segment`, whose moves differ
/// between windows `first` and `second` (`what` says which share moved most).
pub fn finding(
    span: Span,
    tp: &str,
    segment: &str,
    first: &str,
    second: &str,
    what: &str,
    p: f64,
) -> Finding {
    Finding::new(
        Rule::WindowDrift,
        span,
        format!(
            "`{tp}`: the moves of `{segment}` changed between the window from {first} and the \
             one from {second}: {what} (G-test p = {})",
            super::transition_drift::p_value(p)
        ),
    )
    .label(format!("moves of `{segment}` drift here"))
    .help("customers changed behaviour between these windows: fit the recent window alone")
}
