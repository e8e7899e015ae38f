//! Reports of the exact analysis (`journeyc analyze`): a table for people, JSON for tools
//! (schema in `docs/simulation.md`, "Exact analysis"). Both say that `horizon` and
//! `max_steps` were ignored.

mod json;
mod table;

pub(crate) use crate::report::num::{Keyed, Num};
pub(crate) use json::Ignored;
pub use json::json;
pub use table::{table, table_to};

use crate::analyze::{Analysis, needs_simulation};
use crate::model::figure::{self, Verdict};
use crate::model::{Journey, Kpi, Metric, Touchpoint, format_duration};
use crate::report::Shows;

/// What `journey` has (scores it rates, a lifecycle): which figures its reports show.
pub(crate) fn shows(j: &Journey) -> Shows {
    Shows::of_journey(j)
}

/// True when a touchpoint is rated with `csat` for some segment: it has a `csat(TP)`.
pub(crate) fn rated_csat(tp: &Touchpoint) -> bool {
    tp.csat.is_some() || tp.by_segment.iter().any(|v| v.csat.is_some())
}

/// The exact value of a KPI and its verdict; `None` for a KPI the exact analysis cannot judge
/// (NPS and time percentiles need the distribution: `journeyc simulate`). An empty
/// denominator (nobody reaches the touchpoint, nobody converts) is `Verdict::Inconclusive`.
pub fn judge(j: &Journey, a: &Analysis, kpi: &Kpi) -> (Option<f64>, Option<Verdict>) {
    if needs_simulation(kpi.metric) {
        return (None, None);
    }
    let value = a.kpi_value(j, kpi);
    let verdict = figure::judge(kpi.comparison, kpi.target, value.as_ref());
    (value, Some(verdict))
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
