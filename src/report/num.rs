//! Helpers shared by the JSON reports: numbers rounded for stable output, maps in the
//! journey's order.

use serde::{Serialize, Serializer};

/// A number rounded to 12 significant digits when written.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Num(pub f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(round12(self.0))
    }
}

/// `x` rounded to 12 significant digits, as [`Num`] writes it (`-0.0` becomes `0.0`;
/// non-finite values are returned as they are). The HTML report's `data-value` attributes
/// use it so that they equal the JSON report's numbers.
pub(crate) fn round12(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        // -0.0 and tiny rounding negatives of a zero probability print as 0.
        return if x.is_finite() { 0.0 } else { x };
    }
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// A map written in the order of its entries (serde_json's `Map` would sort the names).
#[derive(Debug)]
pub(crate) struct Keyed<'a, T>(pub Vec<(&'a str, T)>);

impl<T: Serialize> Serialize for Keyed<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}
