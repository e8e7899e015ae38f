//! J0201 probability-range: a probability outside 0..100%.
//!
//! Found by the resolver (`src/model/resolve.rs`, `Resolver::prob`), for every probability:
//! entries, transitions, friction, shares, patience, `context_loss`, trigger returns and the
//! targets of rate KPIs.

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
