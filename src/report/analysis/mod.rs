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
use crate::model::figure::{self, Verdict};
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
    let value = a.kpi_value(j, kpi);
    let status = match figure::judge(kpi.comparison, kpi.target, value.as_ref()) {
        Verdict::Pass => KpiStatus::Pass,
        Verdict::Fail => KpiStatus::Fail,
        Verdict::Inconclusive => KpiStatus::Inconclusive,
    };
    (value, status)
}

pub use crate::model::figure::{money, percent};

/// A value in the unit of a metric (percent, duration, money or plain number).
pub fn metric_value(metric: Metric, v: f64) -> String {
    metric.info().unit.value(v)
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
