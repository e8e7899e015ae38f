//! J0203 share-sum: segment shares not adding up to 100%.
//!
//! Found by the resolver (`src/model/resolve.rs`, `Resolver::segments`): a declared segment
//! without `share`, or shares whose total is not 100%.

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Checks that every declared segment has a `share` and that the shares add up to 100%.
Without declared segments, the journey has one implicit segment, `everyone`, of 100%.

## Why is this bad?
Shares say how the population splits into segments; every journey-wide figure
(conversion, cost per customer, NPS) is a share-weighted total. Shares that do not add up
make each of those figures wrong.

## Example
```journey
journey demo {
  channel web digital
  segment new       { share 60% }
  segment returning { share 30% }
  stage visit {
    touchpoint home on web {
      entry
      -> exit
    }
  }
}
```

## Use instead
```journey
journey demo {
  channel web digital
  segment new       { share 60% }
  segment returning { share 40% }
  stage visit {
    touchpoint home on web {
      entry
      -> exit
    }
  }
}
```
"#;
