//! J0201 probability-range: a probability outside 0..100%.
//!
//! Checked for every probability the resolver reads (entries, transitions, friction, shares,
//! patience, `context_loss`, trigger returns and the targets of rate KPIs) by [`check`].

use crate::ast::Probability;
use crate::diagnostic::Finding;
use crate::model::resolve::trim;
use crate::rules::Rule;

/// How far outside 0..=1 a written probability may lie and still be read (and clamped):
/// `100.0000000001%` from arithmetic in a generator is 100%.
const EPS: f64 = 1e-9;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Reports a probability outside 0..100%. Probabilities are written as percentages (`35%`) or
fractions (`0.35`), so a bare `35` is 3,500% — the help line suggests `35%`.

## Why is this bad?
A probability above 100% or below 0% has no meaning: transitions, shares and entry weights
could not add up, and a simulation would draw impossible outcomes.

## Example
```journey
journey demo {
  channel web digital
  stage buy {
    touchpoint basket on web {
      entry
      -> pay 35
      -> exit
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
      -> pay 35%
      -> exit
    }
    touchpoint pay on web { goal purchase }
  }
}
```
"#;

/// The probability `p` (of the thing called `what`, as the message says it) in 0..=1, or
/// the J0201 finding that it is outside.
pub(crate) fn check(p: &Probability, what: &str) -> Result<f64, Finding> {
    if (-EPS..=1.0 + EPS).contains(&p.value) {
        return Ok(p.value.clamp(0.0, 1.0));
    }
    let shown = if p.percent {
        format!("{}%", trim(p.value * 100.0))
    } else {
        trim(p.value)
    };
    let help = if !p.percent && p.value > 1.0 && p.value <= 100.0 {
        format!(
            "a bare number is a fraction: write {}% or {}",
            trim(p.value),
            trim(p.value / 100.0)
        )
    } else {
        "probabilities lie between 0% and 100% (or 0 and 1)".to_string()
    };
    Err(Finding::new(
        Rule::ProbabilityRange,
        p.span,
        format!("{what} {shown} is outside 0..100%"),
    )
    .label("out of range")
    .help(help))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn p(value: f64, percent: bool) -> Probability {
        Probability {
            value,
            percent,
            span: Span::new(FileId(0), 0, 1),
        }
    }

    #[test]
    fn inside_is_read_and_a_hair_outside_is_clamped() {
        assert_eq!(check(&p(0.35, true), "x").unwrap(), 0.35);
        assert_eq!(check(&p(1.0 + 1e-12, false), "x").unwrap(), 1.0);
        assert_eq!(check(&p(-1e-12, false), "x").unwrap(), 0.0);
    }

    #[test]
    fn outside_is_j0201_and_a_bare_percentage_gets_its_fix() {
        let f = check(&p(35.0, false), "friction").unwrap_err();
        assert_eq!(f.rule, Rule::ProbabilityRange);
        assert_eq!(f.message, "friction 35 is outside 0..100%");
        assert_eq!(
            f.help.as_deref(),
            Some("a bare number is a fraction: write 35% or 0.35")
        );
        let f = check(&p(1.5, true), "share").unwrap_err();
        assert_eq!(f.message, "share 150% is outside 0..100%");
    }
}
