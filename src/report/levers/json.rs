//! The JSON report of `journeyc levers`: the touchpoints in ranking order with every figure,
//! `"schema_version": 1`, numbers rounded to 12 significant digits like the analysis JSON.
//! Schema: `docs/levers.md`.

use super::{View, sort_name};
use crate::analyze::levers::TransitionLevers;
use crate::report::analysis::{Ignored, Keyed, Num};
use serde::Serialize;

/// Version of the `levers --format json` schema.
pub const SCHEMA_VERSION: u32 = 1;

/// Renders the levers as pretty JSON (with a final newline).
pub fn json(view: &View) -> String {
    let (j, l) = (view.journey, view.levers);
    let touchpoints = view
        .listed()
        .into_iter()
        .enumerate()
        .map(|(rank, k)| {
            let tp = &j.touchpoints[k];
            let lever = &l.touchpoints[k];
            TouchpointOut {
                rank: rank + 1,
                touchpoint: &tp.name,
                label: &tp.label,
                stage: &j.stages[tp.stage].name,
                channel: &j.channels[tp.channel].name,
                moment_of_truth: tp.moment_of_truth,
                removal_effect: Num(lever.removal),
                relative_removal_effect: l.relative(k).map(Num),
                attribution_share: l.share(k).map(Num),
                friction: Num(tp.friction),
                friction_gain: Num(lever.friction_gain),
                clv_removal_effect: view.clv.map(|c| Num(c.removal[k])),
                clv_friction_gain: view.clv.map(|c| Num(c.friction[k])),
                best_transition: l.best(k).map(|b| BestOut {
                    to: view.target(b.target),
                    sensitivity: b.sensitivity.map(Num),
                }),
                transitions: lever
                    .transitions
                    .iter()
                    .map(|tr| transition(view, tr))
                    .collect(),
            }
        })
        .collect();
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
        states: l.states,
        goal: &j.goals[l.goal].name,
        primary_goal: Some(l.goal) == j.primary_goal,
        segment: l.segment.map(|s| j.segments[s].name.as_str()),
        baseline_conversion: Num(l.baseline),
        objective: view.clv.map(|_| "clv"),
        baseline_clv: view.clv.map(|c| Num(c.baseline)),
        sort: sort_name(view.sort),
        touchpoint_count: l.touchpoints.len(),
        touchpoints,
    };
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

fn transition<'a>(view: &View<'a>, tr: &TransitionLevers) -> TransitionOut<'a> {
    let j = view.journey;
    TransitionOut {
        to: view.target(tr.target),
        sensitivity: tr.sensitivity.map(Num),
        segments: Keyed(
            tr.segments
                .iter()
                .map(|s| {
                    let side = SideOut {
                        probability: Num(s.probability),
                        sensitivity: s.sensitivity.map(Num),
                    };
                    (j.segments[s.segment].name.as_str(), side)
                })
                .collect(),
        ),
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
    goal: &'a str,
    primary_goal: bool,
    segment: Option<&'a str>,
    baseline_conversion: Num,
    /// `clv` with `--objective clv` (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    objective: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_clv: Option<Num>,
    sort: &'static str,
    touchpoint_count: usize,
    touchpoints: Vec<TouchpointOut<'a>>,
}

#[derive(Serialize)]
struct TouchpointOut<'a> {
    rank: usize,
    touchpoint: &'a str,
    label: &'a str,
    stage: &'a str,
    channel: &'a str,
    moment_of_truth: bool,
    removal_effect: Num,
    relative_removal_effect: Option<Num>,
    attribution_share: Option<Num>,
    friction: Num,
    friction_gain: Num,
    #[serde(skip_serializing_if = "Option::is_none")]
    clv_removal_effect: Option<Num>,
    #[serde(skip_serializing_if = "Option::is_none")]
    clv_friction_gain: Option<Num>,
    best_transition: Option<BestOut<'a>>,
    transitions: Vec<TransitionOut<'a>>,
}

#[derive(Serialize)]
struct BestOut<'a> {
    to: &'a str,
    sensitivity: Option<Num>,
}

#[derive(Serialize)]
struct TransitionOut<'a> {
    to: &'a str,
    sensitivity: Option<Num>,
    segments: Keyed<'a, SideOut>,
}

#[derive(Serialize)]
struct SideOut {
    probability: Num,
    sensitivity: Option<Num>,
}
