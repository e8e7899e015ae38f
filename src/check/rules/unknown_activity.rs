//! J0601 unknown-activity (`conform` only): log rows naming a touchpoint, segment, trigger
//! or option the journey lacks.

use crate::diagnostic::Finding;
use crate::rules::Rule;
use crate::source::Span;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
`journeyc conform FILE LOG` only. Finds rows of an event log that name a touchpoint, segment,
trigger or option the journey does not declare, with the number of such rows and the line of
the first. The finding points at the journey's name: the declaration that lacks the name.

## Why is this bad?
A row the journey cannot place is left out of every count, so the fit and the drift tests
judge a journey that differs from what customers did: a renamed page, a new call reason or
a campaign nobody modelled. Either the journey is missing a touchpoint, or the log needs a
mapping (`--map FILE.csv`) from its raw activity names to touchpoints.

## Example
```journey
journey shop {
  channel web digital
  stage buy {
    touchpoint bag on web {
      entry
      -> exit
    }
  }
}
```
with a log row `c1,2026-01-01T09:00:00Z,visit,checkout` (`checkout` is not declared).

## Use instead
```journey
journey shop {
  channel web digital
  stage buy {
    touchpoint bag on web {
      entry
      -> checkout 60%
      -> exit
    }
    touchpoint checkout on web { goal purchase }
  }
}
```
or map the raw name to a declared touchpoint with `--map`.
"#;

/// The finding for `rows` rows (the first at `line` of `log`) whose `column` names `name`,
/// which the journey (declared at `journey`) lacks; `guess` is a close declared name.
pub fn finding(
    journey: Span,
    column: &str,
    name: &str,
    rows: u64,
    line: u64,
    log: &str,
    guess: Option<&str>,
) -> Finding {
    let rows_name = match rows {
        1 => "1 row names".to_string(),
        n => format!("{n} rows name"),
    };
    let f = Finding::new(
        Rule::UnknownActivity,
        journey,
        format!(
            "{log}: {rows_name} {column} `{name}`, which the journey lacks (first at line \
             {line})"
        ),
    )
    .label(format!("no {column} `{name}` here"));
    match guess {
        Some(g) => f.help(format!(
            "did you mean `{g}`? Otherwise declare it, or map the log's name to a touchpoint \
             with --map"
        )),
        None => f.help(format!(
            "declare the {column}, or map the log's names to touchpoints with --map FILE.csv"
        )),
    }
}
