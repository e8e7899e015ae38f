//! The rules the model finds, J0101–J0206: one file per rule, each with its documentation
//! (`DOC`, shown by `journeyc explain` and collected in `docs/rules.md`) and the code that
//! decides and words its findings. The loader and the resolver call them as they meet each
//! value; nothing here reads the whole journey (the graph rules J0301–J0501, which do, are in
//! `check::rules`; J0001 is the parser's, in `syntax::error`).
//!
//! Beside the rules: the one tolerance within which written probabilities, segment shares and
//! entry weights add up to 100% (J0202, J0203, J0204).

pub mod bad_policy;
pub mod bad_use;
pub mod bad_value;
pub mod duplicate_name;
pub mod entry;
pub mod probability_range;
pub mod share_sum;
pub mod transition_sum;
pub mod unknown_name;

/// At most this many parts of a sum are marked in a finding (J0203's shares, J0204's entry
/// weights). A journey of 20,000 segments gave a J0203 of 20,000 labels: 3.3 MB of output and
/// 18 s of rendering. The message states the total; the help line counts the parts not marked.
pub(crate) const MAX_MARKED: usize = 10;

/// Adds `marks` (span, label) to `f` as secondary labels, the first [`MAX_MARKED`] of them,
/// and says in the help line how many more `what` (a plural noun) are not marked.
pub(crate) fn mark_parts(
    mut f: crate::diagnostic::Finding,
    marks: impl IntoIterator<Item = (crate::source::Span, String)>,
    what: &str,
) -> crate::diagnostic::Finding {
    let mut more = 0usize;
    for (span, label) in marks {
        if f.secondary.len() < MAX_MARKED {
            f = f.with(span, label);
        } else {
            more += 1;
        }
    }
    if more > 0 {
        let help = f.help.take().unwrap_or_default();
        f = f.help(format!("{help} ({more} more {what} not marked)"));
    }
    f
}

/// How far from 100% written probabilities, segment shares and entry weights may add up and
/// still count as adding up (`33.3333%` three times is 99.9999%). The one tolerance of the
/// language (`docs/language.md`, decision 4); rows within it are scaled to add up to exactly
/// 1 (see [`normalise`]), so that every command that solves or walks the model sees a
/// stochastic matrix.
pub const SUM_TOLERANCE: f64 = 1e-6;

/// Rounding of decimal fractions added in `f64` (`0.333333 × 3` is `0.99999900000000002876`):
/// a sum exactly at the tolerance is inside it.
const SUM_SLACK: f64 = 1e-12;

/// Whether written parts add up to more than 100%, past [`SUM_TOLERANCE`].
pub(crate) fn sum_over(sum: f64) -> bool {
    sum > 1.0 + SUM_TOLERANCE + SUM_SLACK
}

/// Whether written parts (none missing) do not add up to 100%, within [`SUM_TOLERANCE`].
pub(crate) fn sum_off(sum: f64) -> bool {
    (sum - 1.0).abs() > SUM_TOLERANCE + SUM_SLACK || sum.is_nan()
}

/// Scales parts that add up to 100% within [`SUM_TOLERANCE`] to add up to exactly 1. Parts
/// already within [`SUM_SLACK`] of 1 are left alone (the same numbers as written).
pub(crate) fn normalise(parts: &mut [&mut f64]) {
    normalise_each(parts, |p| &mut **p);
}

/// [`normalise`] of the value `value` picks out of each item, in place (no list of
/// references made first).
pub(crate) fn normalise_each<T>(items: &mut [T], value: fn(&mut T) -> &mut f64) {
    let total: f64 = items.iter_mut().map(|t| *value(t)).sum();
    if total > 0.0 && (total - 1.0).abs() > SUM_SLACK {
        for t in items {
            *value(t) /= total;
        }
    }
}
