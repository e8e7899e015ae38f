//! J0101 unknown-name: a reference to an undeclared name.
//!
//! Found by the resolver (`src/model/resolve.rs`: channels, touchpoints, segments, goals, KPI
//! metrics) and by scenarios (`src/model/scenario.rs`: a changed or removed touchpoint or
//! trigger the baseline does not have), with "did you mean" from `src/names.rs`.

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Reports a reference to a channel, touchpoint, segment, goal, trigger or KPI metric that is
not declared, with the closest declared name ("did you mean `checkout`?") when there is one.
In a scenario, it also reports changes to names the baseline does not have, and references
to a touchpoint or trigger the scenario removes.

## Why is this bad?
A misspelt name is a transition, trigger or KPI that silently means something else or
nothing at all. References are resolved before anything runs, so the journey has no model
until every name is known.

## Example
```journey
journey demo {
  channel web digital
  stage buy {
    touchpoint basket on web {
      entry
      -> chekout 60%
      -> exit
    }
    touchpoint checkout on web { goal purchase }
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
      -> checkout 60%
      -> exit
    }
    touchpoint checkout on web { goal purchase }
  }
}
```
"#;
