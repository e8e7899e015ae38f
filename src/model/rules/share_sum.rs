//! J0203 share-sum: segment shares not adding up to 100%.
//!
//! The resolver (`src/model/resolve.rs`, `Resolver::segments`) reads the shares and calls
//! [`missing`] for a declared segment without `share` and [`check`] on the total.

use super::sum_off;
use crate::diagnostic::Finding;
use crate::model::resolve::trim;
use crate::rules::Rule;
use crate::source::Span;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Checks that every declared segment has a `share` and that the shares add up to 100%.
Without declared segments, the journey has one implicit segment, `everyone`, of 100%.
The finding marks the first ten shares; the help line counts the others.

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

/// Segment `name` (declared at `span`) has no `share`.
pub(crate) fn missing(name: &str, span: Span) -> Finding {
    Finding::new(
        Rule::ShareSum,
        span,
        format!("segment `{name}` has no share"),
    )
    .label("no `share`")
    .help("give every segment a `share`; shares add up to 100%")
}

/// The J0203 finding when the shares (each segment's name, share and the span of its
/// `share`) do not add up to 100%, pointed at the first segment (declared at `first`).
pub(crate) fn check<'a>(
    first: Span,
    shares: impl Iterator<Item = (&'a str, f64, Span)> + Clone,
) -> Option<Finding> {
    let total: f64 = shares.clone().map(|(_, s, _)| s).sum();
    if !sum_off(total) {
        return None;
    }
    let f = Finding::new(
        Rule::ShareSum,
        first,
        format!(
            "segment shares add up to {}%, not 100%",
            trim(total * 100.0)
        ),
    )
    .label(format!("shares total {}%", trim(total * 100.0)))
    .help("adjust the shares so that they add up to 100%");
    let f = super::mark_parts(
        f,
        shares.map(|(name, _, span)| (span, format!("`{name}`"))),
        "shares",
    );
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn shares_within_the_tolerance_pass_and_others_name_every_share() {
        let s = |i| Span::new(FileId(0), i, i + 1);
        let third = 0.333333;
        let ok = [("a", third, s(1)), ("b", third, s(2)), ("c", third, s(3))];
        assert!(check(s(0), ok.iter().copied()).is_none());
        let off = [("a", 0.5, s(1)), ("b", 0.4, s(2))];
        let f = check(s(0), off.iter().copied()).unwrap();
        assert_eq!(f.message, "segment shares add up to 90%, not 100%");
        assert_eq!(f.secondary.len(), 2);
        assert_eq!(
            f.help.as_deref(),
            Some("adjust the shares so that they add up to 100%")
        );
    }

    #[test]
    fn past_ten_shares_the_rest_are_counted_not_marked() {
        let s = |i| Span::new(FileId(0), i, i + 1);
        let many: Vec<(String, f64, Span)> =
            (0..25).map(|i| (format!("s{i}"), 0.01, s(i + 1))).collect();
        let f = check(s(0), many.iter().map(|(n, x, sp)| (n.as_str(), *x, *sp))).unwrap();
        assert_eq!(f.message, "segment shares add up to 25%, not 100%");
        assert_eq!(f.secondary.len(), 10);
        assert_eq!(f.secondary[9].message, "`s9`");
        assert_eq!(
            f.help.as_deref(),
            Some("adjust the shares so that they add up to 100% (15 more shares not marked)")
        );
    }
}
