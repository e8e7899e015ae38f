//! Reports of a simulation (`journeyc simulate`, `journeyc merge`): a table for people, JSON
//! and CSV for tools (schemas in `docs/simulation.md`). Everything is computed from the
//! [`Run`] alone — frame and totals — so a merged run prints exactly what the single run
//! prints.

mod csv;
mod json;
mod table;

pub use csv::csv;
pub use json::{ShardRead, fingerprint, json, read_shard, shard_json};
pub use table::{table, table_to};

use crate::analyze::Outcomes;
use crate::model::{Metric, format_duration};
use crate::report::analysis::percent;
use crate::sim::tally::ending;
use crate::sim::{Estimate, KpiVerdict, Run};

pub use crate::sim::figures::Computed;

/// The exact shares of journeys per ending, in [`ending::NAMES`] order, beside the simulated
/// ones: the exact analysis ignores the horizon and `max_steps`, so none times out or gets
/// stuck there.
fn exact_endings(o: &Outcomes) -> [f64; ending::COUNT] {
    let mut x = [0.0; ending::COUNT];
    x[ending::ABANDONED] = o.abandoned;
    x[ending::LEFT] = o.left;
    x[ending::COMPLETED] = o.completed;
    x
}

impl Computed<'_> {
    /// What `--gate` says about KPIs it cannot judge because their population has no
    /// customer: for each, why, and how to get a verdict.
    pub fn empty_population_notes(&self) -> Vec<String> {
        let f = &self.run.frame;
        let mut notes = Vec::new();
        for (k, r) in f.kpis.iter().zip(&self.kpis) {
            let Some(s) = k.segment else { continue };
            let (Some(seg), Some(x)) = (f.segments.get(s), self.segments.get(s)) else {
                continue;
            };
            if r.estimate.is_some() || x.customers > 0 {
                continue;
            }
            let how = if seg.share > 0.0 {
                // About 100 customers in the segment: enough for an interval to mean something.
                let needed = (100.0 / seg.share).ceil();
                let needed = if needed < 1e18 {
                    format!("`-n {}`", nice_up(needed as u64))
                } else {
                    "a population too large to simulate".into()
                };
                format!(
                    "segment `{}` (share {}) got none of the {} customers; for about 100 \
                     of its customers run with {} or more, or judge it exactly with \
                     `journeyc analyze`",
                    seg.name,
                    percent(seg.share),
                    thousands(self.run.customers),
                    needed
                )
            } else {
                format!(
                    "segment `{}` has share 0%, so no simulated customer is ever in it; judge it \
                     exactly with `journeyc analyze`",
                    seg.name
                )
            };
            notes.push(format!("KPI `{}` is inconclusive: {how}", k.text));
        }
        notes
    }

    /// True when some KPI fails (what `--gate` acts on).
    pub fn any_kpi_fails(&self) -> bool {
        self.kpis.iter().any(|k| k.verdict == KpiVerdict::Fail)
    }

    /// The exact value of a metric, for all customers or a segment, when the run carries the
    /// exact analysis: `None` without it, `Some(None)` when the analysis does not compute it.
    pub fn exact(&self, metric: Metric, segment: Option<usize>) -> Option<Option<f64>> {
        let a = self.run.exact.as_ref()?;
        let f = match segment {
            Some(s) => a.segments.get(s),
            None => Some(&a.all),
        };
        Some(f.and_then(|f| f.metric(metric)))
    }
}

pub use crate::model::figure::Unit;

/// How an estimate is written in its figure's unit.
pub trait Written {
    /// An estimate with its interval: `7.35% ±0.16` for symmetric-looking intervals of
    /// rates and means, `1d 2h (1d 1h – 1d 3h)` for durations (percentile intervals are
    /// not symmetric).
    fn estimate(self, e: &Estimate) -> String;
    /// The interval alone: `6.9% – 7.5%`.
    fn interval(self, e: &Estimate) -> String;
}

impl Written for Unit {
    /// An estimate with its interval: `7.35% ±0.16` for symmetric-looking intervals of
    /// rates and means, `1d 2h (1d 1h – 1d 3h)` for durations (percentile intervals are
    /// not symmetric).
    fn estimate(self, e: &Estimate) -> String {
        match self {
            Unit::Duration => format!(
                "{} ({} – {})",
                self.value(e.value),
                self.value(e.low),
                self.value(e.high)
            ),
            _ => format!("{} ±{}", self.value(e.value), self.spread(e.half_width())),
        }
    }

    fn interval(self, e: &Estimate) -> String {
        format!("{} – {}", self.value(e.low), self.value(e.high))
    }
}

/// The first lines of every simulation report: what was simulated.
pub fn header(run: &Run) -> Vec<String> {
    let f = &run.frame;
    let scenario = f
        .scenario
        .as_ref()
        .map(|s| format!(", scenario `{s}`"))
        .unwrap_or_default();
    let horizon = match (f.horizon, f.horizon_ignored) {
        (Some(h), true) => format!("horizon {} ignored (--ignore-horizon)", format_duration(h)),
        (Some(h), false) => format!("horizon {}", format_duration(h)),
        (None, _) => "no horizon".into(),
    };
    let mut lines = vec![
        format!("Journey `{}` ({}){scenario}.", f.journey, f.label),
        format!(
            "Simulated {} customers, seed {}; {horizon}, max_steps {}. Intervals are 95%.",
            thousands(run.customers),
            run.seed,
            f.max_steps
        ),
    ];
    if run.exact.is_some() {
        lines.push(
            "Exact: the absorbing-chain analysis of the same journey, which ignores horizon and \
             max_steps."
                .into(),
        );
    }
    lines
}

/// A count with thousands separators: `1,000,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` rounded up to one significant digit and a half step (1, 2, 5 × 10^k): a population
/// size worth typing.
fn nice_up(n: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1u64, 2, 5] {
            let candidate = step.saturating_mul(m);
            if candidate >= n || candidate == u64::MAX {
                return candidate;
            }
        }
        step = step.saturating_mul(10);
    }
}

/// What `--strict` says of a KPI that stays inconclusive: how many customers would decide
/// it, estimated from its interval now ([`crate::sim::stats::customers_to_decide`]).
pub fn undecided_note(
    text: &str,
    estimate: Option<&Estimate>,
    target: f64,
    customers: u64,
) -> String {
    let Some(e) = estimate else {
        return format!(
            "KPI `{text}` is inconclusive: no value to judge (nobody the figure needs was \
             simulated); judge it exactly with `journeyc analyze` or simulate more customers"
        );
    };
    match crate::sim::stats::customers_to_decide(customers, e, target) {
        Some(n) => format!(
            "KPI `{text}` is inconclusive at {} customers: about {} customers would decide it \
             (estimated from the 95% interval now: n·(half-width / |estimate − target|)²); \
             rerun with `-n {}` or more",
            thousands(customers),
            thousands(n),
            nice_up(n)
        ),
        None => format!(
            "KPI `{text}` is inconclusive at {} customers: the estimate sits on the target, so \
             no number of customers can be counted on to decide it",
            thousands(customers)
        ),
    }
}

/// A KPI verdict as the table writes it.
pub fn verdict(v: KpiVerdict, available: bool) -> &'static str {
    match v {
        KpiVerdict::Pass => "pass",
        KpiVerdict::Fail => "FAIL",
        KpiVerdict::Inconclusive if available => "inconclusive",
        KpiVerdict::Inconclusive => "inconclusive (n/a)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn populations_are_rounded_up_to_a_size_worth_typing() {
        assert_eq!(nice_up(1), 1);
        assert_eq!(nice_up(3), 5);
        assert_eq!(nice_up(1_000_000), 1_000_000);
        assert_eq!(nice_up(1_000_001), 2_000_000);
        assert_eq!(nice_up(u64::MAX), u64::MAX);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn estimates_are_written_with_their_spread() {
        let e = Estimate {
            value: 0.0735,
            low: 0.0719,
            high: 0.0751,
        };
        assert_eq!(Unit::Percent.estimate(&e), "7.35% ±0.16");
        let d = Estimate {
            value: 93_600.0,
            low: 90_000.0,
            high: 97_200.0,
        };
        assert_eq!(Unit::Duration.estimate(&d), "1d 2h (1d 1h – 1d 3h)");
    }
}
