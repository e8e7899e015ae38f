//! J0603 transition-drift (`conform` only): a touchpoint whose observed move distribution
//! differs from the declared one for a segment. Also the statistics `conform`'s drift rules
//! share: the G-test and Benjamini–Hochberg.

use crate::diagnostic::Finding;
use crate::rules::Rule;
use crate::source::Span;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
`journeyc conform FILE LOG` only. For every segment, touchpoint and option in the log, tests
the observed moves and exits of the visits that neither abandoned nor completed against the
declared transition probabilities (a G-test, the likelihood-ratio test of a multinomial), and
corrects the p-values of all those tests together by Benjamini–Hochberg at `--fdr` (default
5%: among the touchpoints flagged, at most 5% are expected to be flagged by chance). A
finding points at the transition whose observed share is furthest from its declared value,
with the share observed, its 95% interval and the visits it rests on.

## Why is this bad?
The journey's numbers no longer describe what customers do, so every figure computed from
them — conversion, cost, the value of a fix — is off. `journeyc fit --write` rewrites the
numbers from the log, as a reviewable diff.

## Example
```journey
journey shop {
  channel web digital
  stage buy {
    touchpoint bag on web {
      entry
      -> pay 85%
      -> exit
    }
    touchpoint pay on web { goal purchase }
  }
}
```
with a log where 78% of the visits to `bag` move on to `pay`.

## Use instead
```journey
journey shop {
  channel web digital
  stage buy {
    touchpoint bag on web {
      entry
      -> pay 78%
      -> exit
    }
    touchpoint pay on web { goal purchase }
  }
}
```
"#;

/// The G statistic of observed counts against expected probabilities (categories with an
/// expected probability of 0 left out), its degrees of freedom and its p-value (χ²).
pub fn g_test(observed: &[u64], expected: &[f64]) -> Option<(f64, usize, f64)> {
    let n: u64 = observed
        .iter()
        .zip(expected)
        .filter(|(_, p)| **p > 0.0)
        .map(|(o, _)| *o)
        .sum();
    let total_p: f64 = expected.iter().filter(|p| **p > 0.0).sum();
    let k = expected.iter().filter(|p| **p > 0.0).count();
    if n == 0 || k < 2 || total_p <= 0.0 {
        return None;
    }
    let mut g = 0.0;
    for (&o, &p) in observed.iter().zip(expected) {
        if p <= 0.0 || o == 0 {
            continue;
        }
        let e = n as f64 * p / total_p;
        g += o as f64 * (o as f64 / e).ln();
    }
    let g = (2.0 * g).max(0.0);
    Some((g, k - 1, chi2_sf(g, (k - 1) as f64)))
}

/// The G-test of homogeneity of two rows of counts (a 2 × k table): statistic, degrees of
/// freedom, p-value.
pub fn g_homogeneity(a: &[u64], b: &[u64]) -> Option<(f64, usize, f64)> {
    let (na, nb): (u64, u64) = (a.iter().sum(), b.iter().sum());
    let cols: Vec<usize> = (0..a.len()).filter(|&i| a[i] + b[i] > 0).collect();
    if na == 0 || nb == 0 || cols.len() < 2 {
        return None;
    }
    let n = (na + nb) as f64;
    let mut g = 0.0;
    for &i in &cols {
        let col = (a[i] + b[i]) as f64;
        for (o, row) in [(a[i], na), (b[i], nb)] {
            if o > 0 {
                let e = row as f64 * col / n;
                g += o as f64 * (o as f64 / e).ln();
            }
        }
    }
    let g = (2.0 * g).max(0.0);
    let df = cols.len() - 1;
    Some((g, df, chi2_sf(g, df as f64)))
}

/// Benjamini–Hochberg at false discovery rate `q`: which of the p-values are discoveries.
pub fn benjamini_hochberg(p: &[f64], q: f64) -> Vec<bool> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut cut = 0;
    for (rank, &i) in order.iter().enumerate() {
        if p[i] <= (rank + 1) as f64 / m as f64 * q {
            cut = rank + 1;
        }
    }
    let mut out = vec![false; m];
    for &i in &order[..cut] {
        out[i] = true;
    }
    out
}

/// P(χ²_df > x): the regularized upper incomplete gamma function Q(df/2, x/2).
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    gamma_q(df / 2.0, x / 2.0)
}

/// Q(a, x) by its series (x < a + 1) or its continued fraction (Numerical Recipes §6.2).
fn gamma_q(a: f64, x: f64) -> f64 {
    let ln_front = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        let (mut sum, mut term, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (1.0 - sum * ln_front.exp()).clamp(0.0, 1.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (ln_front.exp() * h).clamp(0.0, 1.0)
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// A p-value as findings print it: `0.003`, `2e-9`.
pub fn p_value(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.3}")
    } else {
        format!("{p:.0e}")
    }
}

/// A share as findings print it: `78.1%`.
pub fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A count with thousands separators: `41,203`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What J0603 says of one touchpoint for one segment.
pub struct Drift<'a> {
    /// Where the finding points: the transition furthest from its declared value (or the
    /// touchpoint when that transition is not written).
    pub span: Span,
    /// The transition as written, e.g. `-> order_confirmed 85%`.
    pub written: &'a str,
    /// The touchpoint's name.
    pub touchpoint: &'a str,
    /// The segment's name.
    pub segment: &'a str,
    /// The option, where the log has one.
    pub option: Option<&'a str>,
    /// The declared probability of that transition.
    pub declared: f64,
    /// Observed share, and its 95% interval.
    pub observed: (f64, f64, f64),
    /// Visits the test rests on.
    pub visits: u64,
    /// The test's p-value, and the false discovery rate.
    pub p: f64,
    /// See `p`.
    pub fdr: f64,
}

/// The finding of a drifting touchpoint.
pub fn finding(d: &Drift<'_>) -> Finding {
    let option = d
        .option
        .map_or(String::new(), |o| format!(" (option `{o}`)"));
    Finding::new(
        Rule::TransitionDrift,
        d.span,
        format!(
            "`{}` at `{}`{option} — observed {} ({:.1}–{}) over {} visits by `{}`, declared {} \
             (G-test p = {}, significant at FDR {}%)",
            d.written,
            d.touchpoint,
            percent(d.observed.0),
            d.observed.1 * 100.0,
            percent(d.observed.2),
            thousands(d.visits),
            d.segment,
            percent(d.declared),
            p_value(d.p),
            d.fdr * 100.0,
        ),
    )
    .label(format!(
        "observed {} for `{}`",
        percent(d.observed.0),
        d.segment
    ))
    .help("`journeyc fit FILE LOG --write` rewrites the numbers from the log")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_square_tail_matches_tables() {
        // χ² critical values at 5%: 3.841 (1 df), 5.991 (2 df), 11.070 (5 df).
        for (x, df) in [(3.841_458_8, 1.0), (5.991_464_5, 2.0), (11.070_497_7, 5.0)] {
            assert!(
                (chi2_sf(x, df) - 0.05).abs() < 1e-6,
                "{x} {df}: {}",
                chi2_sf(x, df)
            );
        }
        assert!((chi2_sf(2.0, 2.0) - (-1.0f64).exp()).abs() < 1e-12);
        assert!(chi2_sf(200.0, 3.0) < 1e-40);
    }

    #[test]
    fn benjamini_hochberg_step_up() {
        let p = [0.01, 0.04, 0.03, 0.5];
        // Ranked 0.01 ≤ 0.0125, 0.03 ≤ 0.025? no, 0.04 ≤ 0.0375? no.
        assert_eq!(
            benjamini_hochberg(&p, 0.05),
            vec![true, false, false, false]
        );
        assert_eq!(benjamini_hochberg(&[0.001, 0.02], 0.05), vec![true, true]);
    }

    #[test]
    fn g_test_of_a_fair_split_is_not_significant() {
        let (g, df, p) = g_test(&[50, 50], &[0.5, 0.5]).unwrap();
        assert_eq!((g, df, p), (0.0, 1, 1.0));
        let (_, _, p) = g_test(&[70, 30], &[0.5, 0.5]).unwrap();
        assert!(p < 0.001);
    }
}
