//! J0202 transition-sum: transitions of a touchpoint that do not add up, per segment.
//!
//! Found by the resolver (`src/model/resolve.rs`, `Resolver::transitions`), which resolves
//! each segment's transitions with the remainder rule and names the segments a problem
//! concerns when it is not all of them.

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
