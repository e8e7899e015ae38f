//! J0205 bad-value: a value that cannot be right whatever the journey means.
//!
//! The resolver (`src/model/resolve.rs`) reads every number through these checks: negative or
//! too large durations, costs, delays and goal values, backwards duration ranges, a horizon of
//! zero, `max_steps` or `limit` that is not a whole number, emotions past their limit, a
//! trigger returning to `exit` or limited with `for`, and KPI targets of the wrong unit. Each
//! returns the value to use, or the finding.

use crate::ast::KpiValue;
use crate::diagnostic::Finding;
use crate::model::figure;
use crate::model::types::limits;
use crate::rules::Rule;
use crate::source::Span;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Reports values outside what their attribute allows: a negative duration, cost, delay or
goal value; a duration range whose minimum is above its maximum (`6m..2m`); a `horizon` of
zero; `max_steps` or a trigger's `limit` that is not a whole number; a trigger's return to
`exit` or restricted with `for`; and a KPI whose target has the wrong unit (a duration for a
rate, a percentage for a time). It also reports amounts past the language's limits
(`docs/language.md`, decision 14): money above 100000000000, a time above `100000000d`, an
emotion beyond ±1000000, a `max_steps` above 1000000000, an `effort` above 1000, which the
simulator could not count exactly. A KPI on a score nothing in the journey rates (`csat`,
`csat(TP)`, `effort`, `ces` without the `csat` or `effort` lines they need) is reported
too: its value would never be available.

## Why is this bad?
These values have no meaning in the customer model: time runs forward, costs are paid, and
a KPI target in the wrong unit can never be compared with the measured value.

## Example
```journey
journey demo {
  channel web digital
  stage visit {
    touchpoint form on web {
      entry
      duration 6m..2m
      -> exit
    }
  }
}
```

## Use instead
```journey
journey demo {
  channel web digital
  stage visit {
    touchpoint form on web {
      entry
      duration 2m..6m
      -> exit
    }
  }
}
```
"#;

/// `value` (a `what`: `duration`, `delay`, `cost`…) if it is 0 or more.
pub(crate) fn not_negative(value: f64, span: Span, what: &str) -> Result<f64, Finding> {
    if value >= 0.0 {
        return Ok(value);
    }
    Err(
        Finding::new(Rule::BadValue, span, format!("{what} cannot be negative"))
            .label("negative")
            .help(format!("write a {what} of 0 or more")),
    )
}

/// A money amount (`cost`, `goal value`) of 0 or more and at most [`limits::MONEY`].
pub(crate) fn money(value: f64, span: Span, what: &str) -> Result<f64, Finding> {
    if value > limits::MONEY {
        return Err(past_limit(
            span,
            what,
            limits::MONEY_TEXT,
            "too large",
            "larger amounts",
        ));
    }
    not_negative(value, span, what)
}

/// A duration (or delay, or horizon) of 0 or more and at most [`limits::TIME`] seconds.
pub(crate) fn time(seconds: f64, span: Span, what: &str) -> Result<f64, Finding> {
    if seconds > limits::TIME {
        return Err(past_limit(
            span,
            what,
            limits::TIME_TEXT,
            "too long",
            "longer times",
        ));
    }
    not_negative(seconds, span, what)
}

/// A value past the largest the walk counts exactly (decision 14).
fn past_limit(span: Span, what: &str, limit: &str, label: &str, larger: &str) -> Finding {
    Finding::new(
        Rule::BadValue,
        span,
        format!("{what} is past the limit of {limit}"),
    )
    .label(label)
    .help(format!(
        "write a {what} of at most {limit}: {larger} cannot be counted exactly (docs/language.md, decision 14)"
    ))
}

/// An `effort` amount: 0 or more and at most [`limits::EFFORT`] (effort scores are small
/// numbers, 1–7 for CES; the bound keeps every customer's total exact).
pub(crate) fn effort(value: f64, span: Span) -> Result<f64, Finding> {
    if value > limits::EFFORT_SCORE {
        return Err(Finding::new(
            Rule::BadValue,
            span,
            format!("effort is past the limit of {}", limits::EFFORT_SCORE),
        )
        .label("too large")
        .help(format!(
            "write an effort of at most {} (a score such as CES 1–7): larger ones cannot be counted exactly (docs/language.md, decision 15)",
            limits::EFFORT_SCORE
        )));
    }
    not_negative(value, span, "effort")
}

/// The journey's `horizon`: a positive duration within [`limits::TIME`].
pub(crate) fn horizon(seconds: f64, span: Span) -> Result<f64, Finding> {
    let seconds = time(seconds, span, "horizon")?;
    if seconds <= 0.0 {
        return Err(
            Finding::new(Rule::BadValue, span, "the horizon must be longer than zero")
                .label("not positive")
                .help("write a positive duration, or drop `horizon` to follow customers without a time limit"),
        );
    }
    Ok(seconds)
}

/// `max_steps`: a whole number from 1 to [`limits::STEPS`].
pub(crate) fn max_steps(value: f64, span: Span) -> Result<u32, Finding> {
    if value < 1.0 || value.fract() != 0.0 {
        return Err(Finding::new(
            Rule::BadValue,
            span,
            "max_steps must be a whole number of at least 1",
        )
        .label("not a positive whole number")
        .help("write a whole number like 1000"));
    }
    if value > limits::STEPS as f64 {
        return Err(Finding::new(
            Rule::BadValue,
            span,
            format!("max_steps is past the limit of {}", limits::STEPS),
        )
        .label("too large")
        .help(format!(
            "write a whole number from 1 to {}: a safety bound on visits per customer",
            limits::STEPS
        )));
    }
    Ok(value as u32)
}

/// `max_cycles`: a whole number from 1 to [`limits::CYCLES`].
pub(crate) fn max_cycles(value: f64, span: Span) -> Result<u32, Finding> {
    if value < 1.0 || value.fract() != 0.0 || value > limits::CYCLES as f64 {
        return Err(Finding::new(
            Rule::BadValue,
            span,
            format!(
                "max_cycles must be a whole number from 1 to {}",
                limits::CYCLES
            ),
        )
        .label("not a whole number from 1 up")
        .help("write the most cycles a customer can have, like `max_cycles 40` (default 100)"));
    }
    Ok(value as u32)
}

/// The K of `retention(K)`: a whole number from 1 to [`limits::RETENTION_K`].
pub(crate) fn retention_k(text: &str, span: Span) -> Result<u32, Finding> {
    match text.parse::<u32>() {
        Ok(k) if (1..=limits::RETENTION_K).contains(&k) => Ok(k),
        _ => Err(Finding::new(
            Rule::BadValue,
            span,
            format!(
                "`retention({text})`: K is a whole number of purchases from 1 to {}",
                limits::RETENTION_K
            ),
        )
        .label("not a number of purchases")
        .help("write `retention(1)` for the share who buy at least once, `retention(2)` for at least twice")),
    }
}

/// A duration range `min..max` (spanning `span`) whose `min` is greater than its `max`.
pub(crate) fn backwards_range(span: Span) -> Finding {
    Finding::new(Rule::BadValue, span, "the duration range runs backwards")
        .label("min is greater than max")
        .help("write the shorter duration first, like `2m..6m`")
}

/// An `emotion` within ±[`limits::EMOTION`].
pub(crate) fn emotion(e: i32, span: Span) -> Result<i32, Finding> {
    if e.unsigned_abs() <= limits::EMOTION {
        return Ok(e);
    }
    Err(Finding::new(
        Rule::BadValue,
        span,
        format!("emotion {e:+} is past the limit of ±{}", limits::EMOTION),
    )
    .label("too large")
    .help(format!(
        "write an emotion from -{0} to +{0}: larger ones cannot be counted exactly (docs/language.md, decision 14)",
        limits::EMOTION
    )))
}

/// A trigger's `limit`: a whole number of firings that fits 32 bits.
pub(crate) fn trigger_limit(value: f64, span: Span) -> Result<u32, Finding> {
    if value < 0.0 || value.fract() != 0.0 || value > u32::MAX as f64 {
        return Err(Finding::new(
            Rule::BadValue,
            span,
            "a trigger's limit is a whole number of firings",
        )
        .label("not a whole number of 0 or more")
        .help("write `limit 1` for one message per customer"));
    }
    Ok(value as u32)
}

/// A trigger's return (`span`) limited to segments with `for`.
pub(crate) fn return_for_segments(span: Span) -> Finding {
    Finding::new(
        Rule::BadValue,
        span,
        "a trigger's return cannot be limited to segments",
    )
    .label("`for` is not allowed here")
    .help("drop the `for` list; a trigger brings back customers of every segment")
}

/// A trigger's return to `exit` (at `span`).
pub(crate) fn return_to_exit(span: Span) -> Finding {
    Finding::new(
        Rule::BadValue,
        span,
        "a trigger brings customers back to a touchpoint, not to `exit`",
    )
    .label("not a touchpoint")
    .help("name the touchpoint the message brings customers back to")
}

/// A KPI on a score (`csat`, `effort`, `ces`, or `csat(TP)` when `touchpoint` is named)
/// that nothing in the journey rates: its value would never be available.
pub(crate) fn unrated(metric: &str, touchpoint: Option<&crate::ast::Name>, span: Span) -> Finding {
    let attribute = if metric == "csat" { "csat" } else { "effort" };
    let (message, help) = match touchpoint {
        Some(t) => (
            format!(
                "`csat({0})`: touchpoint `{0}` is not rated with `csat`",
                t.text
            ),
            format!("add `csat P` to touchpoint `{}`", t.text),
        ),
        None => (
            format!("`{metric}`: the journey rates no visit with `{attribute}`"),
            format!(
                "add `{attribute} …` to the touchpoints customers rate (docs/language.md, \"Customer scores\")"
            ),
        ),
    };
    Finding::new(Rule::BadValue, span, message)
        .label("never rated")
        .help(help)
}

/// An `objective` or `constraint` naming a ratio, a time or `retention(K)` (LANGUAGE-2.md
/// §4): only per-customer expectations add up over customers, so only they can be optimised
/// and bounded.
pub(crate) fn not_an_expectation(keyword: &str, metric: &str, span: Span) -> Finding {
    Finding::new(
        Rule::BadValue,
        span,
        format!("`{keyword}` cannot use `{metric}`: it is not a per-customer expectation"),
    )
    .label("a ratio, a time or a retention share")
    .help(format!(
        "{} names one of conversion, conversion(GOAL), reach(TP), touches, pains, \
         sentiment, effort, cost_per_customer, revenue_per_customer, profit, clv, purchases, \
         cycles, lifetime_cost, lifetime_revenue; keep `{metric}` as a `kpi`",
        if keyword == "objective" {
            "an objective"
        } else {
            "a constraint"
        }
    ))
}

/// How a KPI's target must be written, by the unit of its metric.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// A rate: a percentage or a fraction.
    Rate,
    /// A duration.
    Time,
    /// A plain number (money, a mean, NPS).
    Plain,
}

impl Target {
    /// How a target of a metric in `unit` is written.
    pub(crate) fn of(unit: figure::Unit) -> Target {
        match unit {
            figure::Unit::Percent => Target::Rate,
            figure::Unit::Duration => Target::Time,
            figure::Unit::Money
            | figure::Unit::Number
            | figure::Unit::Signed
            | figure::Unit::Nps => Target::Plain,
        }
    }
}

/// A KPI on `metric`, whose target must be written as `want`, written as `value` instead.
pub(crate) fn kpi_unit(metric: &str, want: Target, value: &KpiValue) -> Finding {
    let (want, example) = match want {
        Target::Rate => ("a rate", "3% or 0.03"),
        Target::Time => ("a duration", "2d or 36h"),
        Target::Plain => ("a plain number", "4.0 or 20"),
    };
    let got = match value {
        KpiValue::Percent(..) => "a percentage",
        KpiValue::Duration(..) => "a duration",
        KpiValue::Number(..) => "a plain number",
    };
    Finding::new(
        Rule::BadValue,
        value.span(),
        format!("`{metric}` is measured as {want}, not {got}"),
    )
    .label(got.to_string())
    .help(format!("write the target as {want}, like {example}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn s() -> Span {
        Span::new(FileId(0), 0, 1)
    }

    #[test]
    fn values_in_range_pass_through() {
        assert_eq!(money(12.5, s(), "cost").unwrap(), 12.5);
        assert_eq!(time(0.0, s(), "delay").unwrap(), 0.0);
        assert_eq!(horizon(60.0, s()).unwrap(), 60.0);
        assert_eq!(max_steps(1000.0, s()).unwrap(), 1000);
        assert_eq!(emotion(-3, s()).unwrap(), -3);
        assert_eq!(trigger_limit(0.0, s()).unwrap(), 0);
    }

    #[test]
    fn values_out_of_range_are_j0205_with_their_reason() {
        let msg = |r: Result<f64, Finding>| r.unwrap_err().message;
        assert_eq!(msg(money(-1.0, s(), "cost")), "cost cannot be negative");
        assert_eq!(
            msg(money(2e11, s(), "goal value")),
            "goal value is past the limit of 100000000000"
        );
        assert_eq!(
            msg(time(2e13, s(), "duration")),
            "duration is past the limit of 100000000d"
        );
        assert_eq!(
            msg(horizon(0.0, s())),
            "the horizon must be longer than zero"
        );
        assert_eq!(msg(horizon(-1.0, s())), "horizon cannot be negative");
        assert!(max_steps(0.5, s()).is_err());
        assert!(max_steps(2e9, s()).is_err());
        assert!(emotion(2_000_000, s()).is_err());
        assert!(trigger_limit(1.5, s()).is_err());
        assert!(trigger_limit(5e9, s()).is_err());
    }

    #[test]
    fn a_target_is_written_in_its_metric_s_unit() {
        assert_eq!(Target::of(figure::Unit::Percent), Target::Rate);
        assert_eq!(Target::of(figure::Unit::Money), Target::Plain);
        let f = kpi_unit("nps", Target::Plain, &KpiValue::Percent(0.3, s()));
        assert_eq!(
            f.message,
            "`nps` is measured as a plain number, not a percentage"
        );
        assert_eq!(f.rule, Rule::BadValue);
    }
}
