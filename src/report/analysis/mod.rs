//! Reports of the exact analysis (`journeyc analyze`): a table for people, JSON for tools
//! (schema in `docs/simulation.md`, "Exact analysis"). Both say that `horizon` and
//! `max_steps` were ignored.

mod json;
mod table;

pub(crate) use crate::report::num::{Keyed, Num};
pub(crate) use json::Ignored;
pub use json::json;
pub use table::table;

use crate::analyze::{Analysis, needs_simulation};
use crate::model::{Journey, Kpi, Metric, format_duration};

/// A KPI judged on its exact value.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiStatus {
    /// The exact value meets the target.
    Pass,
    /// The exact value misses the target.
    Fail,
    /// The value has an empty denominator (nobody reaches the touchpoint, nobody converts).
    Inconclusive,
    /// NPS and time percentiles need the distribution: `journeyc simulate`.
    NeedsSimulate,
}

/// The exact value of a KPI and its status.
pub fn judge(j: &Journey, a: &Analysis, kpi: &Kpi) -> (Option<f64>, KpiStatus) {
    if needs_simulation(kpi.metric) {
        return (None, KpiStatus::NeedsSimulate);
    }
    match a.kpi_value(j, kpi) {
        Some(v) if kpi.comparison.holds(v, kpi.target) => (Some(v), KpiStatus::Pass),
        Some(v) => (Some(v), KpiStatus::Fail),
        None => (None, KpiStatus::Inconclusive),
    }
}

/// A probability as a percentage (`7.35%`; `<0.01%` for a tiny positive one).
pub fn percent(p: f64) -> String {
    let p = p.max(0.0);
    if p > 0.0 && p < 0.00005 {
        "<0.01%".into()
    } else {
        format!("{:.2}%", p * 100.0)
    }
}

/// Money, two decimals.
pub fn money(x: f64) -> String {
    format!("{x:.2}")
}

/// A value in the unit of a metric (percent, duration, money or plain number).
pub fn metric_value(metric: Metric, v: f64) -> String {
    match metric {
        Metric::Conversion(_) | Metric::Reach(_) | Metric::DropOff(_) => percent(v),
        Metric::TimeToConvert(_) => format_duration(v),
        Metric::CostPerCustomer | Metric::CostPerConversion | Metric::RevenuePerCustomer => {
            money(v)
        }
        Metric::Touches | Metric::Pains => format!("{v:.3}"),
        Metric::Sentiment => format!("{v:+.3}"),
        Metric::Nps => format!("{v:.1}"),
    }
}

/// The first line of every exact report: what was ignored.
pub fn ignored_line(j: &Journey) -> String {
    let horizon = j.horizon.map_or_else(
        || "no horizon".to_string(),
        |h| format!("horizon {}", format_duration(h)),
    );
    format!(
        "Exact analysis: horizon and max_steps are ignored (here {horizon}, max_steps {}).",
        j.max_steps
    )
}
