//! The JSON report of the exact analysis: every figure, touchpoints (in stage order), goals,
//! segments and triggers keyed by name, `"schema_version": 1`. Numbers are rounded to 12
//! significant digits so that the last bits of floating point (which may differ between
//! CPUs) do not change the output. Schema: `docs/simulation.md`, "Exact analysis".

use super::{judge, rated_csat, shows};
use crate::analyze::{Analysis, Figures, Outcomes};
use crate::model::figure::Verdict;
use crate::model::{Comparison, Journey, metric_name};
use crate::report::num::{Keyed, Num};
use crate::report::{summary_key, summary_metrics};
use serde::Serialize;

/// Version of the `analyze --format json` schema.
pub const SCHEMA_VERSION: u32 = 1;

/// Renders the analysis as pretty JSON (with a final newline).
pub fn json(j: &Journey, a: &Analysis) -> String {
    let out = Out {
        schema_version: SCHEMA_VERSION,
        journey: &j.name,
        label: &j.label,
        scenario: j.scenario.as_deref(),
        method: "exact",
        ignored: Ignored {
            horizon_seconds: j.horizon.map(Num),
            max_steps: j.max_steps,
        },
        states: a.states,
        primary_goal: j.primary_goal.map(|g| j.goals[g].name.as_str()),
        all: figures(j, &a.all),
        segments: Keyed(
            j.segments
                .iter()
                .zip(&a.segments)
                .map(|(s, f)| {
                    let seg = SegmentOut {
                        label: &s.label,
                        share: Num(s.share),
                        figures: figures(j, f),
                    };
                    (s.name.as_str(), seg)
                })
                .collect(),
        ),
        kpis: j
            .kpis
            .iter()
            .map(|k| {
                let (value, status) = judge(j, a, k);
                KpiOut {
                    kpi: &k.text,
                    metric: metric_name(j, k.metric),
                    segment: k.segment.map(|s| j.segments[s].name.as_str()),
                    comparison: k.comparison,
                    target: Num(k.target),
                    value: value.map(Num),
                    status,
                }
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

fn figures<'a>(j: &'a Journey, f: &Figures) -> FiguresOut<'a> {
    let touchpoints = j
        .stages
        .iter()
        .flat_map(|s| s.touchpoints.iter().map(move |&k| (s, k)))
        .map(|(stage, k)| {
            let tp = &j.touchpoints[k];
            let t = &f.touchpoints[k];
            let out = TouchpointOut {
                label: &tp.label,
                stage: &stage.name,
                channel: &j.channels[tp.channel].name,
                moment_of_truth: tp.moment_of_truth,
                reach: Num(t.reach),
                visits: Num(t.visits),
                drop_off: t.drop_off.map(Num),
                // Only at a touchpoint rated with `csat`; null when nobody visits it.
                csat: rated_csat(tp).then(|| t.csat.map(Num)),
                ended: outcomes(&t.ended),
            };
            (tp.name.as_str(), out)
        })
        .collect();
    FiguresOut {
        conversion: f.conversion.map(Num),
        goals: Keyed(
            j.goals
                .iter()
                .zip(&f.goals)
                .map(|(g, &p)| (g.name.as_str(), Num(p)))
                .collect(),
        ),
        // The registry's summary figures, by name; null when not available.
        summary: Keyed(
            summary_metrics(shows(j))
                .map(|m| (summary_key(m), f.metric(m).map(Num)))
                .collect(),
        ),
        time_to_convert: TimeOut {
            mean_seconds: f.time_to_convert.mean.map(Num),
            p50_seconds: f.time_to_convert.p50.map(Num),
            p90_seconds: f.time_to_convert.p90.map(Num),
            p99_seconds: f.time_to_convert.p99.map(Num),
        },
        outcomes: outcomes(&f.outcomes),
        touchpoints: Keyed(touchpoints),
        triggers: Keyed(
            j.triggers
                .iter()
                .zip(&f.triggers)
                .map(|(t, x)| {
                    let out = TriggerOut {
                        firings: Num(x.firings),
                        returns: Num(x.returns),
                        brought_back: Num(x.brought_back),
                    };
                    (t.name.as_str(), out)
                })
                .collect(),
        ),
    }
}

fn outcomes(o: &Outcomes) -> OutcomesOut {
    OutcomesOut {
        abandoned: Num(o.abandoned),
        left: Num(o.left),
        completed: Num(o.completed),
    }
}

#[derive(Serialize)]
struct Out<'a> {
    schema_version: u32,
    journey: &'a str,
    label: &'a str,
    scenario: Option<&'a str>,
    method: &'static str,
    ignored: Ignored,
    states: usize,
    primary_goal: Option<&'a str>,
    all: FiguresOut<'a>,
    segments: Keyed<'a, SegmentOut<'a>>,
    kpis: Vec<KpiOut<'a>>,
}

/// The bounds an exact report ignored.
#[derive(Serialize)]
pub(crate) struct Ignored {
    /// `horizon`, seconds.
    pub(crate) horizon_seconds: Option<Num>,
    /// `max_steps`.
    pub(crate) max_steps: u32,
}

#[derive(Serialize)]
struct SegmentOut<'a> {
    label: &'a str,
    share: Num,
    #[serde(flatten)]
    figures: FiguresOut<'a>,
}

#[derive(Serialize)]
struct FiguresOut<'a> {
    conversion: Option<Num>,
    goals: Keyed<'a, Num>,
    #[serde(flatten)]
    summary: Keyed<'a, Option<Num>>,
    time_to_convert: TimeOut,
    outcomes: OutcomesOut,
    touchpoints: Keyed<'a, TouchpointOut<'a>>,
    triggers: Keyed<'a, TriggerOut>,
}

#[derive(Serialize)]
struct TimeOut {
    mean_seconds: Option<Num>,
    p50_seconds: Option<Num>,
    p90_seconds: Option<Num>,
    p99_seconds: Option<Num>,
}

#[derive(Serialize)]
struct OutcomesOut {
    abandoned: Num,
    left: Num,
    completed: Num,
}

#[derive(Serialize)]
struct TouchpointOut<'a> {
    label: &'a str,
    stage: &'a str,
    channel: &'a str,
    moment_of_truth: bool,
    reach: Num,
    visits: Num,
    drop_off: Option<Num>,
    #[serde(skip_serializing_if = "Option::is_none")]
    csat: Option<Option<Num>>,
    ended: OutcomesOut,
}

#[derive(Serialize)]
struct TriggerOut {
    firings: Num,
    returns: Num,
    brought_back: Num,
}

#[derive(Serialize)]
struct KpiOut<'a> {
    kpi: &'a str,
    metric: String,
    segment: Option<&'a str>,
    comparison: Comparison,
    target: Num,
    value: Option<Num>,
    /// The verdict, or `needs_simulate` for a KPI the exact analysis cannot judge.
    #[serde(serialize_with = "status")]
    status: Option<Verdict>,
}

/// A KPI's status as the schema writes it: its verdict, or `needs_simulate`.
fn status<S: serde::Serializer>(v: &Option<Verdict>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => v.serialize(s),
        None => s.serialize_str("needs_simulate"),
    }
}
