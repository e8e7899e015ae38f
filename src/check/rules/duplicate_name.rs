//! J0102 duplicate-name: two declarations of one name, or one attribute stated twice.
//!
//! Found by the resolver (`src/model/resolve.rs`): channels, segments, stages, touchpoints,
//! triggers and KPIs declared twice (a library's included), attributes stated twice in one
//! block, and two transitions to the same target that apply to the same segment.

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Reports a second declaration of a name already declared (a channel, segment, stage,
touchpoint or trigger — also across a used library and the journey), an attribute stated
twice in one block (`friction` twice in a touchpoint), a KPI stated twice, and two
transitions of one touchpoint to the same target that apply to the same segment.

## Why is this bad?
References are by name: with two declarations, which one a transition or a KPI means is a
guess. An attribute stated twice is almost always an edit that forgot the old line, and two
transitions to one target make its probability ambiguous.

## Example
```journey
journey demo {
  channel web digital
  stage buy {
    touchpoint basket on web {
      entry
      friction 10%
      friction 20%
      -> exit
    }
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
      friction 20%
      -> exit
    }
  }
}
```
"#;
