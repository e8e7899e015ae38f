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
    let total: f64 = parts.iter().map(|p| **p).sum();
    if total > 0.0 && (total - 1.0).abs() > SUM_SLACK {
        for p in parts.iter_mut() {
            **p /= total;
        }
    }
}
