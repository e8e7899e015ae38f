//! J0205 bad-value: a value that cannot be right whatever the journey means.
//!
//! Found by the resolver (`src/model/resolve.rs`): negative durations, costs, delays and goal
//! values, backwards duration ranges, a horizon of zero, `max_steps` or `limit` that is not a
//! whole number, a trigger returning to `exit` or limited with `for`, and KPI targets of the
//! wrong unit.

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Reports values outside what their attribute allows: a negative duration, cost, delay or
goal value; a duration range whose minimum is above its maximum (`6m..2m`); a `horizon` of
zero; `max_steps` or a trigger's `limit` that is not a whole number; a trigger's return to
`exit` or restricted with `for`; and a KPI whose target has the wrong unit (a duration for a
rate, a percentage for a time). It also reports amounts past the language's limits
(`docs/language.md`, decision 14): money above 100000000000, a time above `100000000d`, an
emotion beyond ±1000000, a `max_steps` above 1000000000, which the simulator could not
count exactly.

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
