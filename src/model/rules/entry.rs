//! J0204 entry: no entry, or entry weights not adding up.
//!
//! The resolver (`src/model/resolve.rs`, `Resolver::entries`) collects the entries as written
//! and calls [`check`] before it applies the remainder rule.

use super::{sum_off, sum_over};
use crate::diagnostic::Finding;
use crate::model::resolve::trim;
use crate::rules::Rule;
use crate::source::Span;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Checks that the journey has at least one entry (`entry` on a touchpoint) and that the
entry weights follow the remainder rule: they add up to 100%, or one entry without a weight
takes the rest. The finding marks the first ten entries; the help line counts the others.

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

/// The J0204 finding for the journey declared at `journey`, whose entries are `entries` (each
/// one's written weight, `None` for one that takes the rest, and the span of its `entry`), or
/// `None` when they follow the remainder rule.
pub(crate) fn check(entries: &[(Option<f64>, Span)], journey: Span) -> Option<Finding> {
    let open: Vec<Span> = entries
        .iter()
        .filter(|(w, _)| w.is_none())
        .map(|(_, s)| *s)
        .collect();
    let written: f64 = entries.iter().filter_map(|(w, _)| *w).sum();
    let positive = entries.iter().any(|(w, _)| w.is_none_or(|w| w > 0.0));
    let (msg, span, help) = if !positive {
        (
            "the journey has no entry".to_string(),
            journey,
            "mark where customers start with `entry` (e.g. `entry 70%`)",
        )
    } else if open.len() > 1 {
        (
            "more than one entry has no weight".to_string(),
            open[1],
            "give every entry but one a weight; the one without takes the rest",
        )
    } else if sum_over(written) {
        (
            format!(
                "entry weights add up to {}%, more than 100%",
                trim(written * 100.0)
            ),
            journey,
            "make the entry weights add up to 100%",
        )
    } else if open.is_empty() && sum_off(written) {
        (
            format!(
                "entry weights add up to {}%, not 100%",
                trim(written * 100.0)
            ),
            journey,
            "make the entry weights add up to 100%, or leave one entry without a weight",
        )
    } else {
        return None;
    };
    let f = Finding::new(Rule::Entry, span, msg.clone())
        .label(msg)
        .help(help);
    let marks = entries.iter().map(|(w, s)| {
        let w = w.map_or_else(
            || "the rest".to_string(),
            |w| format!("{}%", trim(w * 100.0)),
        );
        (*s, w)
    });
    Some(super::mark_parts(f, marks, "entries"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn s(i: usize) -> Span {
        Span::new(FileId(0), i, i + 1)
    }

    #[test]
    fn the_remainder_rule_for_entries() {
        assert!(check(&[(Some(0.7), s(1)), (None, s(2))], s(0)).is_none());
        assert!(check(&[(Some(0.5), s(1)), (Some(0.5), s(2))], s(0)).is_none());
        let none = check(&[], s(0)).unwrap();
        assert_eq!(none.message, "the journey has no entry");
        let zero = check(&[(Some(0.0), s(1))], s(0)).unwrap();
        assert_eq!(zero.message, "the journey has no entry");
        let open = check(&[(None, s(1)), (None, s(2))], s(0)).unwrap();
        assert_eq!(open.primary.span, s(2));
        let over = check(&[(Some(0.7), s(1)), (Some(0.6), s(2))], s(0)).unwrap();
        assert_eq!(over.message, "entry weights add up to 130%, more than 100%");
        let off = check(&[(Some(0.7), s(1))], s(0)).unwrap();
        assert_eq!(off.message, "entry weights add up to 70%, not 100%");
    }
}
