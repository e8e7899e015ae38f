//! Statistics of a simulated population: exact, mergeable accumulators and 95% intervals.
//!
//! Every accumulator is an integer — counts, and sums of amounts the walk keeps in integer
//! units of time and money ([`Sum`]) — so adding two of them is associative and commutative: blocks of
//! customers, threads and shards combine in any order into exactly the same totals, and the
//! output is byte-identical whatever the thread count. Intervals (all at 95%):
//! - proportions: Wilson score interval;
//! - means: normal approximation, mean ± 1.96 s/√n with the sample standard deviation;
//! - ratios of means (cost per conversion): the delta method;
//! - NPS: the difference of two multinomial proportions, normal approximation;
//! - percentiles: distribution-free, the order statistics at ranks np ∓ 1.96 √(np(1−p)),
//!   read from a log-linear histogram ([`Histogram`]: 128 buckets per power of two, values
//!   within 0.4% relative, exact for values that repeat).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The 97.5% quantile of the standard normal distribution.
pub const Z95: f64 = 1.959_963_984_540_054;

/// An estimate and its 95% interval (`low..=high`).
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// Lower end of the 95% interval.
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
}

impl Estimate {
    /// An estimate with no sampling error.
    pub fn exact(value: f64) -> Self {
        Estimate {
            value,
            low: value,
            high: value,
        }
    }

    /// Half the interval's width: what `±` shows.
    pub fn half_width(&self) -> f64 {
        (self.high - self.low) / 2.0
    }
}

/// The customers a run of `n` customers would need for the 95% interval of `e` to leave
/// `target` behind, estimated from the interval now: the half-width shrinks as 1/√n, so
/// about n·(half-width / |estimate − target|)². An estimate, not a promise (the estimate
/// itself moves with more customers, and Wilson and percentile intervals are not exactly
/// symmetric). `None` when the estimate sits on the target or the interval has no width.
pub fn customers_to_decide(n: u64, e: &Estimate, target: f64) -> Option<u64> {
    let gap = (e.value - target).abs();
    let half = e.half_width();
    if n == 0 || gap.is_nan() || gap <= 0.0 || half.is_nan() || half <= 0.0 || !half.is_finite() {
        return None;
    }
    let needed = n as f64 * (half / gap).powi(2);
    (needed < 1e18).then(|| (needed.ceil() as u64).max(n))
}

/// A proportion `k / n` with its Wilson score interval; `None` when `n` is 0.
pub fn proportion(k: u64, n: u64) -> Option<Estimate> {
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At k = 0 (k = n) the lower (upper) bound is exactly 0 (1); computed, it carries
    // rounding noise (2⁻⁶² at n = 1000), which CSV and JSON would print.
    Some(Estimate {
        value: p,
        low: if k == 0 {
            0.0
        } else {
            (centre - half).max(0.0)
        },
        high: if k as f64 == n {
            1.0
        } else {
            (centre + half).min(1.0)
        },
    })
}

/// A mean from `n` observations with sum `sum` and sum of squares `sum_sq`, ± 1.96 standard
/// errors; `None` when `n` is 0.
pub fn mean(sum: f64, sum_sq: f64, n: u64) -> Option<Estimate> {
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let m = sum / nf;
    let var = if n > 1 {
        ((sum_sq - sum * m) / (nf - 1.0)).max(0.0)
    } else {
        0.0
    };
    let half = Z95 * (var / nf).sqrt();
    Some(Estimate {
        value: m,
        low: m - half,
        high: m + half,
    })
}

/// The ratio `Σx / Σy` over `n` observations (delta method), given `Σx`, `Σx²`, `Σy`, `Σy²`
/// and `Σxy`; `None` when `Σy` is 0.
pub fn ratio(x: f64, xx: f64, y: f64, yy: f64, xy: f64, n: u64) -> Option<Estimate> {
    if y == 0.0 || n == 0 {
        return None;
    }
    let nf = n as f64;
    let r = x / y;
    let (mx, my) = (x / nf, y / nf);
    let d = (nf - 1.0).max(1.0);
    let vx = (xx - x * mx) / d;
    let vy = (yy - y * my) / d;
    let cxy = (xy - x * my) / d;
    let var = ((vx - 2.0 * r * cxy + r * r * vy) / (nf * my * my)).max(0.0);
    let half = Z95 * var.sqrt();
    Some(Estimate {
        value: r,
        low: r - half,
        high: r + half,
    })
}

/// NPS, `100 × (promoters − detractors) / n`, with its interval; `None` when `n` is 0.
pub fn nps(promoters: u64, detractors: u64, n: u64) -> Option<Estimate> {
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let (a, b) = (promoters as f64 / nf, detractors as f64 / nf);
    let d = a - b;
    let var = ((a + b - d * d) / nf).max(0.0);
    let half = 100.0 * Z95 * var.sqrt();
    Some(Estimate {
        value: 100.0 * d,
        low: (100.0 * d - half).max(-100.0),
        high: (100.0 * d + half).min(100.0),
    })
}

/// Seconds per time unit: the walk counts time in integer units of 2⁻¹⁰ s (about 1 ms).
pub const TIME_UNIT: f64 = 1.0 / 1024.0;
/// Money per unit: the walk counts money in integer units of 2⁻²⁴ (about 6·10⁻⁸).
pub const MONEY_UNIT: f64 = 1.0 / 16_777_216.0;

/// Satisfaction per unit: a rated visit adds its chance of being rated satisfied in
/// integer units of 2⁻³² (a customer's total stays below 2⁶² over 10⁹ visits).
pub const CHANCE_UNIT: f64 = 1.0 / 4_294_967_296.0;
/// Effort per unit: the walk counts effort in integer units of 2⁻²⁰ (about 10⁻⁶); a visit's
/// effort is at most 1000 (`model::types::limits::EFFORT`), so a customer's total stays
/// below 2⁶⁰ over 10⁹ visits.
pub const EFFORT_UNIT: f64 = 1.0 / 1_048_576.0;

/// `x` in integer units of `unit` (rounded to the nearest; saturating far out of range).
pub fn to_units(x: f64, unit: f64) -> i64 {
    (x / unit).round() as i64
}

/// The sum and the sum of squares of per-customer integer amounts (time or money units),
/// exact, so sums add up in any order. A customer's amount is below 2⁶³ units, so the sum
/// (128 bits) holds 2⁶⁴ customers of any amount; a square is below 2¹²⁶, so the sum of
/// squares is kept in 190 bits: `sum_sq` below 2¹²⁶ and `sum_sq_hi` multiples of 2¹²⁶
/// (0, and not written, for any journey whose squares add up below 2¹²⁶).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sum {
    /// Σ x.
    #[serde(with = "as_string")]
    pub sum: i128,
    /// Σ x², modulo 2¹²⁶.
    #[serde(with = "as_string")]
    pub sum_sq: i128,
    /// Σ x² divided by 2¹²⁶.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sum_sq_hi: u64,
}

fn is_zero(x: &u64) -> bool {
    *x == 0
}

/// 2¹²⁶: where [`Sum::sum_sq`] carries into [`Sum::sum_sq_hi`].
const SQ_CARRY: i128 = 1 << 126;

/// Adds `x` (in `0..2¹²⁶`) to the 190-bit number `hi·2¹²⁶ + lo` (`lo` in `0..2¹²⁶`): both
/// terms below 2¹²⁶, the addition cannot overflow.
#[inline(always)]
pub fn add_wide(lo: &mut i128, hi: &mut u64, x: i128) {
    *lo += x;
    if *lo >= SQ_CARRY {
        *lo -= SQ_CARRY;
        *hi = hi.saturating_add(1);
    }
}

/// `hi·2¹²⁶ + lo` as a float (exactly `lo as f64` when `hi` is 0).
pub fn wide_f64(lo: i128, hi: u64) -> f64 {
    match hi {
        0 => lo as f64,
        hi => hi as f64 * SQ_CARRY as f64 + lo as f64,
    }
}

impl Sum {
    /// Adds one customer's amount (`0..2⁶³`).
    #[inline]
    pub fn add(&mut self, x: i64) {
        let x = x as i128;
        self.sum = self.sum.wrapping_add(x);
        add_wide(&mut self.sum_sq, &mut self.sum_sq_hi, x * x);
    }

    /// Adds another sum.
    #[inline]
    pub fn merge(&mut self, other: Sum) {
        self.sum = self.sum.saturating_add(other.sum);
        self.sum_sq_hi = self.sum_sq_hi.saturating_add(other.sum_sq_hi);
        add_wide(&mut self.sum_sq, &mut self.sum_sq_hi, other.sum_sq);
    }

    /// Adds sums counted elsewhere: `sum` (Σ x) and `sum_sq` (Σ x², `0..2¹²⁶`).
    pub fn add_raw(&mut self, sum: i128, sum_sq: i128) {
        self.sum = self.sum.saturating_add(sum);
        add_wide(&mut self.sum_sq, &mut self.sum_sq_hi, sum_sq);
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.sum == 0 && self.sum_sq == 0 && self.sum_sq_hi == 0
    }

    /// Σ x² as a float (exactly `sum_sq as f64` when nothing carried).
    pub fn sum_sq_f64(&self) -> f64 {
        wide_f64(self.sum_sq, self.sum_sq_hi)
    }

    /// The mean over `n` customers with its interval, in `unit`s; `None` when `n` is 0.
    pub fn mean(&self, n: u64, unit: f64) -> Option<Estimate> {
        mean(self.sum as f64 * unit, self.sum_sq_f64() * unit * unit, n)
    }
}

/// A cross sum of amounts, Σ a · b over customers, exact past 128 bits: `hi·2¹²⁶ + lo`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cross {
    #[serde(with = "as_string")]
    lo: i128,
    #[serde(default, skip_serializing_if = "is_zero")]
    hi: u64,
}

impl Cross {
    /// Adds one customer's product. Amounts are 0 or more and below 2⁶³: products below
    /// 2¹²⁶.
    #[inline]
    pub fn add(&mut self, a: i64, b: i64) {
        add_wide(&mut self.lo, &mut self.hi, a as i128 * b as i128);
    }

    /// Adds a sum of products (`0..2¹²⁶`) counted elsewhere.
    pub fn add_raw(&mut self, x: i128) {
        add_wide(&mut self.lo, &mut self.hi, x);
    }

    /// Adds another cross sum.
    pub fn merge(&mut self, o: Cross) {
        self.hi = self.hi.saturating_add(o.hi);
        add_wide(&mut self.lo, &mut self.hi, o.lo);
    }

    /// The sum as a float.
    pub fn f64(self) -> f64 {
        wide_f64(self.lo, self.hi)
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.lo == 0 && self.hi == 0
    }
}

/// Serialises 128-bit integers as decimal strings (JSON readers lose precision past 2⁵³).
pub mod as_string {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the integer as a string.
    pub fn serialize<S: Serializer>(x: &i128, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(x)
    }

    /// Reads the integer from a string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Sub-buckets per power of two in a [`Histogram`].
const SUB_BITS: u32 = 7;
/// Smallest power of two with buckets (2⁻¹⁰ s ≈ 1 ms); anything smaller counts as 0.
const MIN_EXP: i32 = -10;
/// Largest power of two with buckets (2⁴² s ≈ 139,000 years); anything larger is clamped.
const MAX_EXP: i32 = 42;
/// Number of buckets: one for zero, then `2^SUB_BITS` per power of two.
const BUCKETS: usize = 1 + (((MAX_EXP - MIN_EXP + 1) as usize) << SUB_BITS);

/// A log-linear histogram of non-negative values (seconds), mergeable exactly: bucket `0`
/// holds values below 2⁻¹⁰, then each power of two is split in 128 equal buckets. The bucket
/// of a value is computed from its bits (no logarithm: the same on every machine). Each
/// bucket also keeps the least and greatest value it saw, so a quantile is reported as the
/// bucket's midpoint clamped to them: exact when all the bucket's values are equal (fixed
/// durations), within 0.4% of the true order statistic otherwise.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Sparse", into = "Sparse")]
pub struct Histogram {
    /// Observations.
    pub count: u64,
    /// The non-empty buckets, by index: `(bucket, count, least, greatest)` — a few dozen
    /// in practice, out of [`BUCKETS`] (a dense array per segment cost 160 KiB each).
    sparse: Vec<(u32, u64, f64, f64)>,
}

/// The written form of a [`Histogram`]: its non-empty buckets only.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Sparse {
    count: u64,
    /// `(bucket, count, least, greatest)`, by bucket.
    buckets: Vec<(u32, u64, f64, f64)>,
}

impl From<Histogram> for Sparse {
    fn from(h: Histogram) -> Self {
        Sparse {
            count: h.count,
            buckets: h
                .buckets()
                .map(|(i, n, lo, hi)| (i as u32, n, lo, hi))
                .collect(),
        }
    }
}

impl TryFrom<Sparse> for Histogram {
    type Error = String;

    fn try_from(s: Sparse) -> Result<Self, String> {
        let mut h = Histogram::default();
        let mut total: u64 = 0;
        for (i, n, lo, hi) in s.buckets {
            let i = i as usize;
            // A bucket's bounds are values that fall in it (a hand-edited file may say
            // anything), and the counts must not overflow.
            if i >= BUCKETS
                || lo.is_nan()
                || hi.is_nan()
                || lo > hi
                || bucket(lo) != i
                || bucket(hi) != i
            {
                return Err(format!("histogram bucket {i} is out of range"));
            }
            total = total.checked_add(n).ok_or("histogram counts overflow")?;
            h.put(i, n, lo, hi);
        }
        if h.count != s.count {
            return Err("histogram count does not match its buckets".into());
        }
        Ok(h)
    }
}

/// The bucket of a value.
fn bucket(x: f64) -> usize {
    // NaN and values below the first bucket count as zero.
    if x.is_nan() || x < f64::from_bits(((MIN_EXP + 1023) as u64) << 52) {
        return 0;
    }
    let bits = x
        .min(f64::from_bits(((MAX_EXP + 1023) as u64) << 52) * 1.999)
        .to_bits();
    let exp = ((bits >> 52) & 0x7FF) as i32 - 1023;
    let sub = (bits >> (52 - SUB_BITS)) & ((1 << SUB_BITS) - 1);
    1 + (((exp - MIN_EXP) as usize) << SUB_BITS) + sub as usize
}

/// Time in integer [`TIME_UNIT`]s, bucketed exactly as [`Histogram`] buckets the same times
/// in seconds, per segment: what the walk fills — the bucket from the integer's bits and
/// integer bounds, one record per bucket — then [`TimeBuckets::drain`]s into a segment's
/// [`Histogram`] (equal to adding each time to it in seconds: converting the bounds commutes
/// with taking them, the conversion being exact and increasing below 2⁵² units).
#[derive(Clone, Debug, Default)]
pub(crate) struct TimeBuckets {
    /// Per segment and bucket that received a time (key `segment · BUCKETS + bucket`):
    /// `(count, least, greatest)`. A map, not a dense array: a thread's scratch holds only
    /// the cells its customers filled (a dense array cost 160 KiB per segment and thread).
    cells: HashMap<u64, (u64, i64, i64), BuildHasherDefault<KeyHasher>>,
}

/// A hasher for [`TimeBuckets`]' integer keys: one multiply (the keys are not chosen by an
/// adversary who could aim at collisions: they come from the journey's segments and times,
/// and a collision costs time, never a wrong number).
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }

    #[inline(always)]
    fn write_u64(&mut self, x: u64) {
        // Fibonacci hashing: the high bits, which the table uses, depend on all of `x`.
        self.0 = (self.0 ^ x)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(26);
    }
}

/// An empty [`TimeBuckets`] record.
const NO_TIME: (u64, i64, i64) = (0, i64::MAX, i64::MIN);

// A time unit must be the first bucket's lower bound for `TimeBuckets::index` to be right.
const _: () = assert!(TIME_UNIT == 1.0 / (1u64 << -MIN_EXP) as f64);

impl TimeBuckets {
    /// Empty buckets.
    pub fn new() -> Self {
        TimeBuckets::default()
    }

    /// The [`bucket`] of `t` time units, or `None` from 2⁵² units on (past 100,000 years,
    /// where seconds are no longer exact in an `f64`).
    #[inline(always)]
    fn index(t: i64) -> Option<usize> {
        if t <= 0 {
            // Below 2⁻¹⁰ s: the zero bucket.
            return Some(0);
        }
        if t >= 1 << 52 {
            return None;
        }
        // `t · 2⁻¹⁰` s has exponent `top − 10`, so it falls `top` powers of two above the
        // first bucket's; the sub-bucket is the 7 bits after the leading one.
        let top = 63 - t.leading_zeros();
        let sub = ((t as u64) << (63 - top)) >> (63 - SUB_BITS) & ((1 << SUB_BITS) - 1);
        Some(1 + ((top as usize) << SUB_BITS) + sub as usize)
    }

    /// Records `t` units for segment `seg`; from 2⁵² units on, adds it to `far` (the
    /// segment's histogram, in seconds) at once.
    #[inline(always)]
    pub fn add(&mut self, seg: usize, t: i64, far: &mut Histogram) {
        match Self::index(t) {
            Some(i) => {
                let key = seg as u64 * BUCKETS as u64 + i as u64;
                let b = self.cells.entry(key).or_insert(NO_TIME);
                b.0 += 1;
                b.1 = b.1.min(t);
                b.2 = b.2.max(t);
            }
            None => far.add(t as f64 * TIME_UNIT),
        }
    }

    /// Empties the buckets: `(segment, bucket, count, least, greatest)`, times in
    /// seconds, for [`Histogram::put`] (keeping the map's memory for the next customers).
    pub fn drain(&mut self) -> impl Iterator<Item = (usize, usize, u64, f64, f64)> + '_ {
        self.cells.drain().map(|(key, (n, lo, hi))| {
            let (seg, i) = (key / BUCKETS as u64, key % BUCKETS as u64);
            (
                seg as usize,
                i as usize,
                n,
                lo as f64 * TIME_UNIT,
                hi as f64 * TIME_UNIT,
            )
        })
    }
}

/// The value range `[low, high)` of a bucket.
fn bucket_range(i: usize) -> (f64, f64) {
    if i == 0 {
        return (0.0, 0.0);
    }
    let exp = ((i - 1) >> SUB_BITS) as i32 + MIN_EXP;
    let sub = ((i - 1) & ((1 << SUB_BITS) - 1)) as f64;
    let base = 2f64.powi(exp);
    let step = base / (1 << SUB_BITS) as f64;
    (base + sub * step, base + (sub + 1.0) * step)
}

impl Histogram {
    /// Records a value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let b = self.slot(bucket(x));
        // (`<` and `>`: what `f64::min` and `max` give here — a NaN never replaces a
        // bound, and bounds are never NaN — without their NaN handling.)
        b.1 += 1;
        b.2 = if x < b.2 { x } else { b.2 };
        b.3 = if x > b.3 { x } else { b.3 };
        self.count += 1;
    }

    /// Bucket `i`'s record, created empty when missing.
    #[inline]
    fn slot(&mut self, i: usize) -> &mut (u32, u64, f64, f64) {
        let i = i as u32;
        let at = match self.sparse.binary_search_by_key(&i, |b| b.0) {
            Ok(at) => at,
            Err(at) => {
                self.sparse
                    .insert(at, (i, 0, f64::INFINITY, f64::NEG_INFINITY));
                at
            }
        };
        &mut self.sparse[at]
    }

    /// Adds `n` values in `lo..=hi` to bucket `i`.
    pub(crate) fn put(&mut self, i: usize, n: u64, lo: f64, hi: f64) {
        let b = self.slot(i);
        b.1 += n;
        b.2 = b.2.min(lo);
        b.3 = b.3.max(hi);
        self.count += n;
    }

    /// Adds another histogram's observations.
    pub fn merge(&mut self, other: &Histogram) {
        for (i, n, lo, hi) in other.buckets() {
            self.put(i, n, lo, hi);
        }
    }

    /// The non-empty buckets: `(index, count, least, greatest)`.
    fn buckets(&self) -> impl Iterator<Item = (usize, u64, f64, f64)> + '_ {
        self.sparse
            .iter()
            .filter(|b| b.1 > 0)
            .map(|b| (b.0 as usize, b.1, b.2, b.3))
    }

    /// The value of rank `k` (1-based) in sorted order, to the histogram's precision.
    fn rank(&self, k: u64) -> Option<f64> {
        let mut seen = 0;
        for (i, n, lo, hi) in self.buckets() {
            seen += n;
            if seen >= k {
                // The last bucket also holds every larger value (`bucket` clamps): a rank
                // there is known only when all its values are equal.
                if i == BUCKETS - 1 && lo != hi {
                    return None;
                }
                let (a, b) = bucket_range(i);
                return Some(((a + b) / 2.0).clamp(lo, hi));
            }
        }
        None
    }

    /// The `p`-quantile (nearest rank: the smallest value with at least `p·n` values at or
    /// below it) with a distribution-free 95% interval; `None` when empty, or when the
    /// estimate or an end of its interval falls among values past the histogram's range
    /// (2⁴³ s), which it does not tell apart: never a clamped number.
    pub fn quantile(&self, p: f64) -> Option<Estimate> {
        let n = self.count;
        if n == 0 {
            return None;
        }
        let nf = n as f64;
        let at = |r: f64| self.rank((r.ceil() as u64).clamp(1, n));
        let spread = Z95 * (nf * p * (1.0 - p)).sqrt();
        Some(Estimate {
            value: at(nf * p)?,
            low: at(nf * p - spread)?,
            high: at(nf * p + spread + 1.0)?,
        })
    }
}

impl crate::model::figure::Judged for Estimate {
    fn bounds(&self) -> (f64, f64) {
        (self.low, self.high)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_to_decide_scales_with_the_squared_ratio() {
        // Half-width 0.01 around 0.10 with target 0.095: the gap is half the half-width, so
        // four times the customers.
        let e = Estimate {
            value: 0.10,
            low: 0.09,
            high: 0.11,
        };
        assert_eq!(customers_to_decide(10_000, &e, 0.095), Some(40_000));
        // On the target, or without width: no population decides it.
        assert_eq!(customers_to_decide(10_000, &e, 0.10), None);
        let point = Estimate {
            value: 0.1,
            low: 0.1,
            high: 0.1,
        };
        assert_eq!(customers_to_decide(10_000, &point, 0.2), None);
        assert_eq!(customers_to_decide(0, &e, 0.2), None);
        // Never fewer than the customers already simulated.
        assert_eq!(customers_to_decide(10_000, &e, 0.5), Some(10_000));
        let nan = Estimate {
            value: f64::NAN,
            low: 0.0,
            high: 1.0,
        };
        assert_eq!(customers_to_decide(10_000, &nan, 0.5), None);
    }

    #[test]
    fn sums_of_huge_amounts_are_exact() {
        // 2·10¹² money units, 10⁶ times: Σx = 2·10¹⁸, Σx² = 4·10³⁰ (no carry).
        let mut s = Sum::default();
        (0..1_000_000).for_each(|_| s.add(2_000_000_000_000));
        assert_eq!(s.sum, 2_000_000_000_000_000_000);
        assert_eq!(
            (s.sum_sq, s.sum_sq_hi),
            (4_000_000_000_000_000_000_000_000_000_000, 0)
        );
        // The largest amount, 2⁶³ − 1, 4 times: the squares carry past 2¹²⁶.
        let (x, n) = (i64::MAX as i128, 4i128);
        let mut s = Sum::default();
        (0..n).for_each(|_| s.add(i64::MAX));
        assert_eq!(s.sum, x * n);
        // x² · n = hi · 2¹²⁶ + lo: (x² mod 2¹²⁶) · 4 is below 2¹²⁸, a u128.
        let (q, r) = (x * x / SQ_CARRY, (x * x % SQ_CARRY) as u128);
        let lo = r * n as u128;
        let carry = (lo >> 126) as i128;
        assert!(s.sum_sq_hi > 0);
        assert_eq!(s.sum_sq_hi as i128, q * n + carry);
        assert_eq!(s.sum_sq as u128, lo & ((1 << 126) - 1));
        // Merged in halves: the same.
        let mut a = Sum::default();
        let mut b = Sum::default();
        (0..n / 2).for_each(|_| a.add(i64::MAX));
        (0..n / 2).for_each(|_| b.add(i64::MAX));
        a.merge(b);
        assert_eq!(a, s);
        // Mean and variance of the constant: x exactly, and an interval of zero width
        // around it (to the precision of a float).
        let m = s.mean(4, 1.0).unwrap();
        assert_eq!(m.value, x as f64);
        assert!(m.half_width() <= 1e-6 * x as f64, "{m:?}");
        // Half 0, half 2·10¹² (in units of 1): mean 10¹², standard deviation 10¹².
        let mut s = Sum::default();
        (0..5000).for_each(|i| s.add(if i % 2 == 0 { 0 } else { 2_000_000_000_000 }));
        let m = s.mean(10_000 / 2, 1.0).unwrap();
        assert_eq!(m.value, 2e12 * 2500.0 / 5000.0);
        let se = 1e12 * (5000.0f64 / 4999.0).sqrt() / (5000f64).sqrt();
        assert!((m.half_width() - Z95 * se).abs() < 1e-6 * se, "{m:?}");
    }

    #[test]
    fn no_quantile_past_the_histograms_range() {
        let mut h = Histogram::default();
        // Values past 2⁴³ s all fall in the last bucket.
        for k in 0..100 {
            h.add(1e13 + k as f64 * 1e11);
        }
        assert_eq!(h.quantile(0.5), None);
        // One repeated value there is still known exactly.
        let mut h = Histogram::default();
        (0..100).for_each(|_| h.add(1e13));
        assert_eq!(h.quantile(0.5), Some(Estimate::exact(1e13)));
        // Below the range: known.
        let mut h = Histogram::default();
        (0..100).for_each(|k| h.add(1e12 + k as f64));
        assert!(h.quantile(0.9).is_some());
    }

    #[test]
    fn time_buckets_are_the_histograms_buckets() {
        // Every power of two up to 2⁵² units with its neighbours, sub-bucket edges, a
        // spread of other values, zero and negatives.
        let mut ts: Vec<i64> = vec![0, -1, -1000, i64::MIN];
        for k in 0..53 {
            let p = 1i64 << k;
            ts.extend([p - 1, p, p + 1, p + (p >> 7), p + (p >> 7) - 1, p + p / 3]);
        }
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ts.push((x >> (x % 40 + 12)) as i64);
        }
        for &t in &ts {
            let seconds = t as f64 * TIME_UNIT;
            match TimeBuckets::index(t) {
                Some(i) => assert_eq!(i, bucket(seconds), "{t} units"),
                None => assert!(t >= 1 << 52, "{t} units"),
            }
        }
        // Filled through the buckets and drained, or added one by one: the same histogram.
        let (mut direct, mut drained) = (Histogram::default(), Histogram::default());
        let mut buckets = TimeBuckets::new();
        for &t in &ts {
            direct.add(t as f64 * TIME_UNIT);
            buckets.add(1, t, &mut drained);
        }
        // Only the segment that got times has cells: memory follows what was filled.
        assert!(buckets.cells.keys().all(|k| k / BUCKETS as u64 == 1));
        for (seg, i, n, lo, hi) in buckets.drain() {
            assert_eq!(seg, 1, "segment 0 got nothing");
            drained.put(i, n, lo, hi);
        }
        assert_eq!(direct, drained);
        // Drained means emptied.
        assert_eq!(buckets.drain().count(), 0);
    }

    #[test]
    fn histograms_hold_only_their_filled_buckets() {
        let mut h = Histogram::default();
        for x in [3.0, 1.0, 3.0, 1e6, 0.0, f64::NAN, 2.5] {
            h.add(x);
        }
        assert_eq!(h.count, 7);
        // 0 and NaN share the zero bucket; 3.0 twice: 5 buckets, in order.
        assert_eq!(h.sparse.len(), 5);
        assert!(h.sparse.windows(2).all(|w| w[0].0 < w[1].0));
        let mut merged = Histogram::default();
        merged.merge(&h);
        merged.merge(&h);
        assert_eq!(merged.count, 14);
        assert_eq!(merged.sparse.len(), 5);
    }

    #[test]
    fn wilson_matches_a_published_value() {
        // 81 successes in 263 trials (Wilson 1927, as tabulated by Newcombe 1998): 0.2553–0.3662.
        let e = proportion(81, 263).unwrap();
        assert!((e.low - 0.2553).abs() < 5e-4, "{e:?}");
        assert!((e.high - 0.3662).abs() < 5e-4, "{e:?}");
        let zero = proportion(0, 10).unwrap();
        assert_eq!(zero.low, 0.0);
        // No rounding noise at the ends, whatever n.
        for n in 1..=5000 {
            assert_eq!(proportion(0, n).unwrap().low, 0.0, "0 of {n}");
            assert_eq!(proportion(n, n).unwrap().high, 1.0, "{n} of {n}");
        }
        assert!(zero.high > 0.25 && zero.high < 0.32, "{zero:?}");
        assert!(proportion(0, 0).is_none());
    }

    #[test]
    fn mean_interval_is_two_standard_errors() {
        // Values 1, 2, 3, 4: mean 2.5, sample variance 5/3.
        let e = mean(10.0, 30.0, 4).unwrap();
        assert_eq!(e.value, 2.5);
        let se = (5.0f64 / 3.0 / 4.0).sqrt();
        assert!((e.half_width() - Z95 * se).abs() < 1e-12);
    }

    #[test]
    fn ratio_of_constant_values_has_no_width() {
        // x = 2y for every observation: the ratio is exactly 2.
        let (n, y, yy) = (10, 4.0, 4.0);
        let e = ratio(8.0, 16.0, y, yy, 8.0, n).unwrap();
        assert!((e.value - 2.0).abs() < 1e-12);
        assert!(e.half_width() < 1e-9, "{e:?}");
        assert!(ratio(1.0, 1.0, 0.0, 0.0, 0.0, 3).is_none());
    }

    #[test]
    fn sums_in_any_order_are_equal() {
        let xs = [0.1, 1e6, 0.05, 2.5, 1.0 / 3.0, 7e-8].map(|x| to_units(x, MONEY_UNIT));
        let mut a = Sum::default();
        let mut b = Sum::default();
        xs.iter().for_each(|&x| a.add(x));
        xs.iter().rev().for_each(|&x| b.add(x));
        assert_eq!(a, b);
        let m = a.mean(6, MONEY_UNIT).unwrap();
        assert!(
            (m.value - (1e6 + 2.65 + 1.0 / 3.0 + 7e-8) / 6.0).abs() < 1e-6,
            "{m:?}"
        );
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Sum>(&json).unwrap(), a);
    }

    #[test]
    fn histogram_buckets_cover_their_values() {
        for &x in &[0.001, 0.5, 1.0, 59.9, 60.0, 240.0, 86_400.0 * 3.7, 1e9] {
            let (lo, hi) = bucket_range(bucket(x));
            assert!(lo <= x && x < hi, "{x} not in [{lo}, {hi})");
            assert!((hi - lo) / lo <= 1.0 / 128.0 + 1e-12);
        }
        assert_eq!(bucket(0.0), 0);
        assert_eq!(bucket(f64::NAN), 0);
    }

    #[test]
    fn quantiles_of_repeated_values_are_exact() {
        let mut h = Histogram::default();
        for _ in 0..90 {
            h.add(240.0);
        }
        for _ in 0..10 {
            h.add(86_400.0);
        }
        assert_eq!(h.quantile(0.5).unwrap().value, 240.0);
        assert_eq!(h.quantile(0.9).unwrap().value, 240.0);
        assert_eq!(h.quantile(0.91).unwrap().value, 86_400.0);
    }

    #[test]
    fn quantiles_are_within_the_stated_precision() {
        let mut h = Histogram::default();
        let values: Vec<f64> = (1..=10_000).map(|i| i as f64 * 3.7).collect();
        values.iter().for_each(|&v| h.add(v));
        for p in [0.5, 0.9, 0.99] {
            let truth = values[(p * 10_000.0) as usize - 1];
            let got = h.quantile(p).unwrap();
            assert!(
                (got.value - truth).abs() / truth < 0.004,
                "{p}: {got:?} vs {truth}"
            );
            assert!(got.low <= got.value && got.value <= got.high);
        }
    }

    #[test]
    fn merged_histograms_equal_one_built_at_once() {
        let (mut a, mut b, mut all) = (
            Histogram::default(),
            Histogram::default(),
            Histogram::default(),
        );
        for i in 0..1000 {
            let x = (i * 37 % 1000) as f64 * 1.5;
            if i % 3 == 0 {
                a.add(x)
            } else {
                b.add(x)
            }
            all.add(x);
        }
        let json = serde_json::to_string(&b).unwrap();
        let back: Histogram = serde_json::from_str(&json).unwrap();
        a.merge(&back);
        assert_eq!(a.count, all.count);
        for p in [0.1, 0.5, 0.9, 0.99] {
            assert_eq!(a.quantile(p), all.quantile(p));
        }
    }
}
