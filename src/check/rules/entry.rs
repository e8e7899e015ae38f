//! J0204 entry: no entry, or entry weights not adding up.
//!
//! Found by the resolver (`src/model/resolve.rs`, `Resolver::entries`).

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Checks that the journey has at least one entry (`entry` on a touchpoint) and that the
entry weights follow the remainder rule: they add up to 100%, or one entry without a weight
takes the rest.

## Why is this bad?
Customers start at the entries, in proportion to their weights. Without an entry no
customer ever starts; with weights that do not add up, where they start is undefined.

## Example
```journey
journey demo {
  channel web   digital
  channel store physical
  stage visit {
    touchpoint ad on web {
      entry 70%
      -> exit
    }
    touchpoint window on store {
      entry 20%
      -> exit
    }
  }
}
```

## Use instead
```journey
journey demo {
  channel web   digital
  channel store physical
  stage visit {
    touchpoint ad on web {
      entry 70%
      -> exit
    }
    touchpoint window on store {
      entry
      -> exit
    }
  }
}
```
"#;
