//! The figure registry: every metric the product reports, with what every output needs to
//! know of it — its name (as a `.journey` KPI and a JSON or CSV key writes it), its label, its
//! unit and the one formatter of that unit, which way is better, and whether the exact
//! analysis computes it. Renderers, `compare`, the KPI parser and the KPI judge read this
//! table instead of listing the figures again; adding a metric starts here (see
//! `docs/architecture.md`, "Adding a metric").

use super::format_duration;
use super::types::{Comparison, Metric, TimeStat};

/// How a figure is written. Each unit has one formatter ([`Unit::value`]), used by every
/// output.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A probability, as a percentage.
    Percent,
    /// Seconds, as a duration.
    Duration,
    /// Money, two decimals.
    Money,
    /// A plain mean, three decimals.
    Number,
    /// A sentiment, signed, three decimals.
    Signed,
    /// NPS, one decimal.
    Nps,
}

impl Unit {
    /// The unit of a metric.
    pub fn of(metric: Metric) -> Self {
        metric.info().unit
    }

    /// A value in this unit: `7.35%`, `1d 2h`, `12.50`, `1.234`, `+0.250`, `31.0`.
    pub fn value(self, v: f64) -> String {
        match self {
            Unit::Percent => percent(v),
            Unit::Duration => format_duration(v),
            Unit::Money => money(v),
            Unit::Number => format!("{v:.3}"),
            Unit::Signed => format!("{v:+.3}"),
            Unit::Nps => format!("{v:.1}"),
        }
    }

    /// Half an interval's width `h` in this unit (percentage points for percentages).
    pub fn spread(self, h: f64) -> String {
        match self {
            Unit::Percent => format!("{:.2}", h * 100.0),
            Unit::Duration => format_duration(h),
            Unit::Money => format!("{h:.2}"),
            Unit::Number | Unit::Signed => format!("{h:.3}"),
            Unit::Nps => format!("{h:.1}"),
        }
    }

    /// A difference in this unit, signed: `+1.23 pp` (percentage points for percentages),
    /// `−2h 5m`, `+0.50`; `+` for zero. Every output that shows a difference writes it so.
    pub fn difference(self, d: f64) -> String {
        let sign = if d < 0.0 { "−" } else { "+" };
        let a = d.abs();
        match self {
            Unit::Percent => format!("{sign}{:.2} pp", a * 100.0),
            Unit::Duration => format!("{sign}{}", format_duration(a)),
            _ => format!("{sign}{}", self.spread(a)),
        }
    }
}

/// A probability as a percentage (`7.35%`; `<0.01%` for a tiny positive one).
pub fn percent(p: f64) -> String {
    percent_to(p, 2)
}

/// A probability as a percentage with `decimals` decimals; a positive one too small to show
/// is `<0.01%` (for 2), never `0%`; not a number is `n/a`.
pub fn percent_to(p: f64, decimals: usize) -> String {
    let smallest = 0.5 * 10f64.powi(-(decimals as i32)) / 100.0;
    if p.is_nan() {
        "n/a".into()
    } else if p > 0.0 && p < smallest {
        format!("<{:.decimals$}%", 2.0 * smallest * 100.0)
    } else {
        format!("{:.decimals$}%", p.max(0.0) * 100.0)
    }
}

/// A number as a journey file writes it, without trailing zeros and at most `decimals`
/// decimals: `35`, `12.5`, `0.333333` (for 6); never `-0`.
pub fn trimmed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Money, two decimals.
pub fn money(x: f64) -> String {
    format!("{x:.2}")
}

/// Which way a figure is better.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Better {
    /// More is better (conversion, revenue, NPS).
    Higher,
    /// Less is better (cost, pain points, time).
    Lower,
}

impl Better {
    /// The direction a KPI asks for: `>=`/`>` want more, `<=`/`<` less.
    pub fn of_kpi(comparison: Comparison) -> Self {
        match comparison {
            Comparison::Ge | Comparison::Gt => Better::Higher,
            Comparison::Le | Comparison::Lt => Better::Lower,
        }
    }
}

/// What the registry knows of a metric.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Info {
    /// Its name in a KPI without argument, and its JSON and CSV key (`cost_per_customer`);
    /// for a metric with an argument, the name before the parentheses (`reach`).
    pub name: &'static str,
    /// Its label in tables (`cost per customer`).
    pub label: &'static str,
    /// Its title where a report names it in a sentence or a heading (`Cost per customer`).
    pub title: &'static str,
    /// Its unit.
    pub unit: Unit,
    /// Which way is better.
    pub better: Better,
    /// True when `analyze` computes it exactly; false for distributions (NPS, percentiles),
    /// which only `simulate` estimates.
    pub exact: bool,
}

const fn info(
    name: &'static str,
    label: &'static str,
    title: &'static str,
    unit: Unit,
    better: Better,
    exact: bool,
) -> Info {
    Info {
        name,
        label,
        title,
        unit,
        better,
        exact,
    }
}

impl Metric {
    /// The registry's entry for this metric.
    pub fn info(self) -> Info {
        use Better::{Higher, Lower};
        use Unit::*;
        match self {
            Metric::Conversion(_) => info(
                "conversion",
                "conversion",
                "Conversion",
                Percent,
                Higher,
                true,
            ),
            Metric::Reach(_) => info("reach", "reach", "Reach", Percent, Higher, true),
            Metric::DropOff(_) => info("drop_off", "drop-off", "Drop-off", Percent, Lower, true),
            Metric::TimeToConvert(s) => {
                let (name, label, title) = match s {
                    TimeStat::Mean => (
                        "time_to_convert_mean",
                        "time to convert, mean",
                        "Mean time to convert",
                    ),
                    TimeStat::P50 => (
                        "time_to_convert_p50",
                        "time to convert, p50",
                        "Median time to convert",
                    ),
                    TimeStat::P90 => (
                        "time_to_convert_p90",
                        "time to convert, p90",
                        "90th percentile of time to convert",
                    ),
                    TimeStat::P99 => (
                        "time_to_convert_p99",
                        "time to convert, p99",
                        "99th percentile of time to convert",
                    ),
                };
                info(name, label, title, Duration, Lower, s == TimeStat::Mean)
            }
            Metric::Touches => info(
                "touches",
                "touches",
                "Visits per customer",
                Number,
                Lower,
                true,
            ),
            Metric::Pains => info(
                "pains",
                "pains",
                "Pain points per customer",
                Number,
                Lower,
                true,
            ),
            Metric::Sentiment => info(
                "sentiment",
                "sentiment",
                "Final sentiment",
                Signed,
                Higher,
                true,
            ),
            Metric::Nps => info("nps", "nps", "NPS", Nps, Higher, false),
            Metric::CostPerCustomer => info(
                "cost_per_customer",
                "cost per customer",
                "Cost per customer",
                Money,
                Lower,
                true,
            ),
            Metric::CostPerConversion => info(
                "cost_per_conversion",
                "cost per conversion",
                "Cost per conversion",
                Money,
                Lower,
                true,
            ),
            Metric::RevenuePerCustomer => info(
                "revenue_per_customer",
                "revenue per customer",
                "Revenue per customer",
                Money,
                Higher,
                true,
            ),
            Metric::Profit => info(
                "profit",
                "profit per customer",
                "Profit per customer",
                Money,
                Higher,
                true,
            ),
            Metric::Csat | Metric::CsatAt(_) => info("csat", "csat", "CSAT", Percent, Higher, true),
            Metric::Effort => info(
                "effort",
                "effort per customer",
                "Effort per customer",
                Number,
                Lower,
                true,
            ),
            Metric::Ces => info("ces", "ces", "Customer effort score", Number, Lower, true),
            Metric::Cycles => info(
                "cycles",
                "cycles per customer",
                "Cycles per customer",
                Number,
                Higher,
                true,
            ),
            Metric::Purchases => info(
                "purchases",
                "purchases per customer",
                "Purchases per customer",
                Number,
                Higher,
                true,
            ),
            Metric::Retention(_) => {
                info("retention", "retention", "Retention", Percent, Higher, true)
            }
            Metric::LifetimeCost => info(
                "lifetime_cost",
                "lifetime cost",
                "Lifetime cost per customer",
                Money,
                Lower,
                true,
            ),
            Metric::LifetimeRevenue => info(
                "lifetime_revenue",
                "lifetime revenue",
                "Lifetime revenue per customer",
                Money,
                Higher,
                true,
            ),
            Metric::Clv => info("clv", "clv", "Customer lifetime value", Money, Higher, true),
        }
    }

    /// True for a per-customer expectation (LANGUAGE-2.md §4): what an `objective` or a
    /// `constraint` may name. Ratios (`cost_per_conversion`, `csat`, `ces`, `nps`,
    /// `drop_off`), times and `retention(K)` are not.
    pub fn is_expectation(self) -> bool {
        matches!(
            self,
            Metric::Conversion(_)
                | Metric::Reach(_)
                | Metric::Touches
                | Metric::Pains
                | Metric::Sentiment
                | Metric::Effort
                | Metric::CostPerCustomer
                | Metric::RevenuePerCustomer
                | Metric::Profit
                | Metric::Clv
                | Metric::Purchases
                | Metric::Cycles
                | Metric::LifetimeCost
                | Metric::LifetimeRevenue
        )
    }

    /// The metric a KPI names without an argument (`touches`, `profit`, `csat`); `None` for
    /// names that need one (`reach(TP)`) or are unknown.
    pub fn plain(name: &str) -> Option<Metric> {
        SUMMARY
            .iter()
            .chain(&SCORES)
            .chain(&LIFETIME)
            .copied()
            .find(|m| m.info().name == name)
    }
}

/// The customer scores (LANGUAGE-2.md §2), in report order: shown after [`SUMMARY`] by
/// reports of a journey that rates some touchpoint (`csat` or `effort`), so a version-1
/// journey's reports do not change.
pub const SCORES: [Metric; 3] = [Metric::Csat, Metric::Effort, Metric::Ces];

/// The lifetime figures without an argument (LANGUAGE-2.md §3), in report order: shown by
/// reports of a journey with a `lifecycle` block (with `retention(1)`…), so a version-1
/// journey's reports do not change. Without a lifecycle every customer has one cycle.
pub const LIFETIME: [Metric; 5] = [
    Metric::Cycles,
    Metric::Purchases,
    Metric::LifetimeCost,
    Metric::LifetimeRevenue,
    Metric::Clv,
];

/// The per-customer figures of a population that take no argument, in report order: the
/// summary of every report after conversion, and the KPIs written without parentheses.
pub const SUMMARY: [Metric; 8] = [
    Metric::Touches,
    Metric::Pains,
    Metric::Sentiment,
    Metric::Nps,
    Metric::CostPerCustomer,
    Metric::CostPerConversion,
    Metric::RevenuePerCustomer,
    Metric::Profit,
];

/// Time to convert, in report order.
pub const TIMES: [TimeStat; 4] = [TimeStat::Mean, TimeStat::P50, TimeStat::P90, TimeStat::P99];

/// A KPI's verdict, exact or simulated.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The value (for an estimate: its whole interval) meets the target.
    Pass,
    /// The value (for an estimate: its whole interval) misses the target.
    Fail,
    /// The interval straddles the target, or the value is not available.
    Inconclusive,
}

/// A value a KPI can be judged on: an exact number, or an estimate with its interval.
pub trait Judged {
    /// The value's lowest and highest plausible values (equal for an exact one).
    fn bounds(&self) -> (f64, f64);
}

impl Judged for f64 {
    fn bounds(&self) -> (f64, f64) {
        (*self, *self)
    }
}

/// The one KPI judge: pass when every plausible value meets `comparison target`, fail when
/// none does, inconclusive otherwise or without a value.
pub fn judge<V: Judged>(comparison: Comparison, target: f64, value: Option<&V>) -> Verdict {
    let Some(v) = value else {
        return Verdict::Inconclusive;
    };
    let (low, high) = v.bounds();
    match (
        comparison.holds(low, target),
        comparison.holds(high, target),
    ) {
        (true, true) => Verdict::Pass,
        (false, false) => Verdict::Fail,
        _ => Verdict::Inconclusive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_plain_names_round_trip() {
        let mut names: Vec<&str> = SUMMARY.iter().map(|m| m.info().name).collect();
        names.extend(TIMES.map(|s| Metric::TimeToConvert(s).info().name));
        names.extend(["conversion", "reach", "drop_off"]);
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "a name used twice");
        for m in SUMMARY {
            assert_eq!(Metric::plain(m.info().name), Some(m));
        }
        assert_eq!(Metric::plain("reach"), None);
    }

    #[test]
    fn units_format_one_way() {
        assert_eq!(Unit::Percent.value(0.0735), "7.35%");
        assert_eq!(Unit::Percent.value(1e-7), "<0.01%");
        assert_eq!(Unit::Money.value(-3.456), "-3.46");
        assert_eq!(Unit::Signed.value(0.25), "+0.250");
        assert_eq!(Unit::Percent.spread(0.0016), "0.16");
    }

    #[test]
    fn the_judge_reads_exact_values_and_intervals_alike() {
        struct Interval(f64, f64);
        impl Judged for Interval {
            fn bounds(&self) -> (f64, f64) {
                (self.0, self.1)
            }
        }
        let ge = Comparison::Ge;
        assert_eq!(judge(ge, 0.5, Some(&0.5)), Verdict::Pass);
        assert_eq!(judge(ge, 0.5, Some(&0.4)), Verdict::Fail);
        assert_eq!(judge(ge, 0.5, Some(&Interval(0.6, 0.7))), Verdict::Pass);
        assert_eq!(
            judge(ge, 0.5, Some(&Interval(0.4, 0.6))),
            Verdict::Inconclusive
        );
        assert_eq!(judge(ge, 0.5, Some(&Interval(0.3, 0.4))), Verdict::Fail);
        assert_eq!(judge::<f64>(ge, 0.5, None), Verdict::Inconclusive);
    }
}

#[cfg(test)]
mod formatter_tests {
    use super::*;

    /// The shared formatters keep what each output wrote before: journey-file numbers, axis
    /// ticks, flow labels, one-decimal shares and signed differences.
    #[test]
    fn every_output_writes_numbers_one_way() {
        assert_eq!(trimmed(12.5, 6), "12.5");
        assert_eq!(trimmed(1.0 / 3.0, 6), "0.333333");
        assert_eq!(trimmed(-0.0000001, 6), "0");
        assert_eq!(trimmed(0.5, 3), "0.5");
        assert_eq!(percent_to(0.3621, 1), "36.2%");
        assert_eq!(percent_to(0.0001, 1), "<0.1%");
        assert_eq!(percent_to(0.00001, 2), "<0.01%");
        assert_eq!(percent_to(f64::NAN, 2), "n/a");
        assert_eq!(Unit::Percent.difference(0.0123), "+1.23 pp");
        assert_eq!(Unit::Money.difference(-2.5), "−2.50");
        assert_eq!(Unit::Number.difference(0.0), "+0.000");
        assert_eq!(Unit::Nps.difference(3.25), "+3.2");
        assert_eq!(Unit::Duration.difference(-7500.0), "−2h 5m");
    }
}
