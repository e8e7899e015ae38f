//! The resolved model as JSON or YAML (`journeyc compile --emit`), documented in
//! `docs/model.md`. References are written as names, units are normalised (seconds,
//! probabilities 0..1), and every default is spelled out, so the output shows exactly what
//! the resolver understood.

use super::types::*;
use serde::Serialize;

#[derive(Serialize)]
struct Model<'a> {
    schema_version: u32,
    journey: &'a str,
    label: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scenario: Option<&'a str>,
    owner: Option<&'a str>,
    description: Option<&'a str>,
    horizon_seconds: Option<f64>,
    max_steps: u32,
    primary_goal: Option<&'a str>,
    context: Vec<&'a str>,
    /// Named context groups (LANGUAGE-2.md §6): absent without any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    context_groups: Vec<ContextGroupOut<'a>>,
    context_loss: f64,
    channels: Vec<ChannelOut<'a>>,
    segments: Vec<SegmentOut<'a>>,
    stages: Vec<StageOut<'a>>,
    goals: Vec<GoalOut<'a>>,
    triggers: Vec<TriggerOut<'a>>,
    /// The lifecycle (LANGUAGE-2.md §3): absent without a `lifecycle` block.
    #[serde(skip_serializing_if = "Option::is_none")]
    lifecycle: Option<LifecycleOut<'a>>,
    kpis: Vec<KpiOut<'a>>,
    /// `objective` (LANGUAGE-2.md §4): absent when not written (`maximize conversion`).
    #[serde(skip_serializing_if = "Option::is_none")]
    objective: Option<ObjectiveOut>,
    /// `constraint` lines: absent without any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    constraints: Vec<KpiOut<'a>>,
    scenarios: Vec<ScenarioOut<'a>>,
}

#[derive(Serialize)]
struct ObjectiveOut {
    direction: &'static str,
    metric: String,
}

/// An option of a touchpoint (LANGUAGE-2.md §4), resolved: every segment's visit and
/// transitions when the policy chooses it.
#[derive(Serialize)]
struct OptionOut<'a> {
    name: &'a str,
    label: &'a str,
    visits: Vec<VisitOut<'a>>,
    transitions: TransitionsOut<'a>,
}

/// The option one segment gets at a touchpoint with options.
#[derive(Serialize)]
struct PolicyOut<'a> {
    segment: &'a str,
    option: &'a str,
}

#[derive(Serialize)]
struct LifecycleOut<'a> {
    /// Per segment, in segment order.
    segments: Vec<ComebacksOut<'a>>,
    discount: f64,
    max_cycles: u32,
}

#[derive(Serialize)]
struct ComebacksOut<'a> {
    segment: &'a str,
    repeat: ComebackOut,
    winback: ComebackOut,
}

#[derive(Serialize)]
struct ComebackOut {
    chance: f64,
    after_seconds: [f64; 2],
}

impl From<Comeback> for ComebackOut {
    fn from(c: Comeback) -> Self {
        ComebackOut {
            chance: c.chance,
            after_seconds: [c.after.min, c.after.max],
        }
    }
}

#[derive(Serialize)]
struct ContextGroupOut<'a> {
    name: &'a str,
    channels: Vec<&'a str>,
}

#[derive(Serialize)]
struct ChannelOut<'a> {
    name: &'a str,
    kind: ChannelKind,
    cost: f64,
}

#[derive(Serialize)]
struct SegmentOut<'a> {
    name: &'a str,
    label: &'a str,
    share: f64,
    prefers: Vec<&'a str>,
    patience: f64,
    implicit: bool,
}

#[derive(Serialize)]
struct StageOut<'a> {
    name: &'a str,
    label: &'a str,
    touchpoints: TouchpointsOut<'a>,
}

/// A stage's touchpoints, each made just before it is written: the model is never copied
/// whole into these output structures.
struct TouchpointsOut<'a> {
    j: &'a Journey,
    ids: &'a [TouchpointId],
}

impl Serialize for TouchpointsOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.ids.iter().map(|&t| touchpoint_out(self.j, t)))
    }
}

#[derive(Serialize)]
struct TouchpointOut<'a> {
    name: &'a str,
    label: &'a str,
    channel: &'a str,
    entry: f64,
    duration_seconds: [f64; 2],
    friction: f64,
    friction_label: Option<&'a str>,
    emotion: i32,
    cost: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    csat: Option<ScoreOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    effort: Option<ScoreOut>,
    moment_of_truth: bool,
    goal: Option<&'a str>,
    goal_value: f64,
    /// The segments whose attributes differ from the unqualified ones (LANGUAGE-2.md §1),
    /// each with every attribute that may differ; absent when none differs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    by_segment: Vec<VisitOut<'a>>,
    /// Segment name → resolved transitions (target name or "exit", probability).
    transitions: TransitionsOut<'a>,
    /// The options, `as_is` first (LANGUAGE-2.md §4): absent without options.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    options: Vec<OptionOut<'a>>,
    /// The option each segment gets here: absent without options.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    policy: Vec<PolicyOut<'a>>,
}

/// `csat P pain Q` or `effort N pain M`, normalised (both parts spelled out).
#[derive(Serialize)]
struct ScoreOut {
    base: f64,
    pain: f64,
}

impl From<Score> for ScoreOut {
    fn from(s: Score) -> Self {
        ScoreOut {
            base: s.base,
            pain: s.pain,
        }
    }
}

/// What a visit does to one segment whose attributes differ from the unqualified ones.
#[derive(Serialize)]
struct VisitOut<'a> {
    segment: &'a str,
    duration_seconds: [f64; 2],
    friction: f64,
    emotion: i32,
    cost: f64,
    goal_value: f64,
    csat: Option<ScoreOut>,
    effort: Option<ScoreOut>,
}

#[derive(Serialize)]
struct SegmentTransitions<'a> {
    segment: &'a str,
    to: ToOut<'a>,
}

/// Each segment's transitions, written as they are read from the model.
struct TransitionsOut<'a> {
    j: &'a Journey,
    ts: &'a [Vec<Transition>],
}

impl Serialize for TransitionsOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let j = self.j;
        s.collect_seq(
            j.segments
                .iter()
                .zip(self.ts)
                .map(|(seg, list)| SegmentTransitions {
                    segment: &seg.name,
                    to: ToOut { j, list },
                }),
        )
    }
}

/// One segment's transitions.
struct ToOut<'a> {
    j: &'a Journey,
    list: &'a [Transition],
}

impl Serialize for ToOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let j = self.j;
        s.collect_seq(self.list.iter().map(|tr| TransitionOut {
            target: match tr.target {
                Target::Exit => "exit",
                Target::Touchpoint(t) => j.touchpoints[t].name.as_str(),
            },
            probability: tr.probability,
        }))
    }
}

#[derive(Serialize)]
struct TransitionOut<'a> {
    target: &'a str,
    probability: f64,
}

#[derive(Serialize)]
struct GoalOut<'a> {
    name: &'a str,
    touchpoints: Vec<&'a str>,
}

#[derive(Serialize)]
struct TriggerOut<'a> {
    name: &'a str,
    label: &'a str,
    event: TriggerEvent,
    at: Vec<&'a str>,
    after_seconds: f64,
    via: &'a str,
    limit: u32,
    target: &'a str,
    probability: f64,
}

#[derive(Serialize)]
struct KpiOut<'a> {
    kpi: &'a str,
    metric: String,
    segment: Option<&'a str>,
    comparison: Comparison,
    target: f64,
}

#[derive(Serialize)]
struct ScenarioOut<'a> {
    name: &'a str,
    label: &'a str,
}

/// The name of a metric as it is written, with its argument resolved (`drop_off(checkout)`).
pub fn metric_name(j: &Journey, m: Metric) -> String {
    match m {
        Metric::Conversion(g) if Some(g) == j.primary_goal => "conversion".into(),
        Metric::Conversion(g) => format!("conversion({})", j.goals[g].name),
        Metric::Reach(t) => format!("reach({})", j.touchpoints[t].name),
        Metric::DropOff(t) => format!("drop_off({})", j.touchpoints[t].name),
        Metric::CsatAt(t) => format!("csat({})", j.touchpoints[t].name),
        Metric::Retention(k) => format!("retention({k})"),
        Metric::TimeToConvert(TimeStat::Mean) => "mean(time_to_convert)".into(),
        Metric::TimeToConvert(TimeStat::P50) => "p50(time_to_convert)".into(),
        Metric::TimeToConvert(TimeStat::P90) => "p90(time_to_convert)".into(),
        Metric::TimeToConvert(TimeStat::P99) => "p99(time_to_convert)".into(),
        // The plain metrics: their registry name.
        Metric::Touches
        | Metric::Pains
        | Metric::Sentiment
        | Metric::Nps
        | Metric::CostPerCustomer
        | Metric::CostPerConversion
        | Metric::RevenuePerCustomer
        | Metric::Profit
        | Metric::Csat
        | Metric::Effort
        | Metric::Ces
        | Metric::Cycles
        | Metric::Purchases
        | Metric::LifetimeCost
        | Metric::LifetimeRevenue
        | Metric::Clv => m.info().name.into(),
    }
}

fn model(j: &Journey) -> Model<'_> {
    Model {
        schema_version: SCHEMA_VERSION,
        journey: &j.name,
        label: &j.label,
        scenario: j.scenario.as_deref(),
        owner: j.owner.as_deref(),
        description: j.description.as_deref(),
        horizon_seconds: j.horizon,
        max_steps: j.max_steps,
        primary_goal: j.primary_goal.map(|g| j.goals[g].name.as_str()),
        context: j
            .channels
            .iter()
            .zip(&j.in_context)
            .filter(|(_, c)| **c)
            .map(|(ch, _)| ch.name.as_str())
            .collect(),
        context_groups: j
            .context_groups
            .iter()
            .map(|g| ContextGroupOut {
                name: &g.name,
                channels: j
                    .channels
                    .iter()
                    .zip(&g.channels)
                    .filter(|(_, c)| **c)
                    .map(|(ch, _)| ch.name.as_str())
                    .collect(),
            })
            .collect(),
        context_loss: j.context_loss,
        channels: j
            .channels
            .iter()
            .map(|c| ChannelOut {
                name: &c.name,
                kind: c.kind,
                cost: c.cost,
            })
            .collect(),
        segments: j
            .segments
            .iter()
            .map(|s| SegmentOut {
                name: &s.name,
                label: &s.label,
                share: s.share,
                prefers: s
                    .prefers
                    .iter()
                    .map(|&c| j.channels[c].name.as_str())
                    .collect(),
                patience: s.patience,
                implicit: s.implicit,
            })
            .collect(),
        stages: j
            .stages
            .iter()
            .map(|s| StageOut {
                name: &s.name,
                label: &s.label,
                touchpoints: TouchpointsOut {
                    j,
                    ids: &s.touchpoints,
                },
            })
            .collect(),
        goals: j
            .goals
            .iter()
            .map(|g| GoalOut {
                name: &g.name,
                touchpoints: g
                    .touchpoints
                    .iter()
                    .map(|&t| j.touchpoints[t].name.as_str())
                    .collect(),
            })
            .collect(),
        triggers: j
            .triggers
            .iter()
            .map(|t| TriggerOut {
                name: &t.name,
                label: &t.label,
                event: t.event,
                at: t
                    .at
                    .iter()
                    .map(|&a| j.touchpoints[a].name.as_str())
                    .collect(),
                after_seconds: t.after,
                via: &j.channels[t.via].name,
                limit: t.limit,
                target: &j.touchpoints[t.target].name,
                probability: t.probability,
            })
            .collect(),
        lifecycle: j.lifecycle.as_ref().map(|l| LifecycleOut {
            segments: j
                .segments
                .iter()
                .enumerate()
                .map(|(s, seg)| ComebacksOut {
                    segment: &seg.name,
                    repeat: l.repeat[s].into(),
                    winback: l.winback[s].into(),
                })
                .collect(),
            discount: l.discount,
            max_cycles: l.max_cycles,
        }),
        kpis: j.kpis.iter().map(|k| kpi_out(j, k)).collect(),
        objective: j.objective.as_ref().map(|o| ObjectiveOut {
            direction: if o.maximize { "maximize" } else { "minimize" },
            metric: metric_name(j, o.metric),
        }),
        constraints: j.constraints.iter().map(|k| kpi_out(j, k)).collect(),
        scenarios: j
            .scenarios
            .iter()
            .map(|s| ScenarioOut {
                name: &s.name,
                label: &s.label,
            })
            .collect(),
    }
}

fn kpi_out<'a>(j: &'a Journey, k: &'a Kpi) -> KpiOut<'a> {
    KpiOut {
        kpi: &k.text,
        metric: metric_name(j, k.metric),
        segment: k.segment.map(|s| j.segments[s].name.as_str()),
        comparison: k.comparison,
        target: k.target,
    }
}

fn visit_out<'a>(segment: &'a str, v: &Visit) -> VisitOut<'a> {
    VisitOut {
        segment,
        duration_seconds: [v.duration.min, v.duration.max],
        friction: v.friction,
        emotion: v.emotion,
        cost: v.cost,
        goal_value: v.value,
        csat: v.csat.map(ScoreOut::from),
        effort: v.effort.map(ScoreOut::from),
    }
}

/// One touchpoint of the model, as written.
fn touchpoint_out(j: &Journey, t: TouchpointId) -> TouchpointOut<'_> {
    let t = &j.touchpoints[t];
    TouchpointOut {
        name: &t.name,
        label: &t.label,
        channel: &j.channels[t.channel].name,
        entry: t.entry,
        duration_seconds: [t.duration.min, t.duration.max],
        friction: t.friction,
        friction_label: t.friction_label.as_deref(),
        emotion: t.emotion,
        cost: t.cost,
        csat: t.csat.map(ScoreOut::from),
        effort: t.effort.map(ScoreOut::from),
        moment_of_truth: t.moment_of_truth,
        goal: t.goal.map(|g| j.goals[g.goal].name.as_str()),
        goal_value: t.goal.map_or(0.0, |g| g.value),
        by_segment: j
            .segments
            .iter()
            .zip(&t.by_segment)
            .filter(|(_, v)| **v != t.unqualified())
            .map(|(s, v)| visit_out(&s.name, v))
            .collect(),
        transitions: transitions_out(j, &t.transitions),
        options: t
            .choices
            .iter()
            .map(|c| OptionOut {
                name: &c.name,
                label: &c.label,
                visits: j
                    .segments
                    .iter()
                    .zip(&c.visits)
                    .map(|(s, v)| visit_out(&s.name, v))
                    .collect(),
                transitions: transitions_out(j, &c.transitions),
            })
            .collect(),
        policy: j
            .segments
            .iter()
            .enumerate()
            .filter_map(|(s, seg)| {
                Some(PolicyOut {
                    segment: &seg.name,
                    option: t.choice_of(s)?,
                })
            })
            .collect(),
    }
}

fn transitions_out<'a>(j: &'a Journey, ts: &'a [Vec<Transition>]) -> TransitionsOut<'a> {
    TransitionsOut { j, ts }
}

/// The model as pretty JSON.
pub fn emit_json(j: &Journey) -> String {
    let mut s = serde_json::to_string_pretty(&model(j)).expect("the model always serialises");
    s.push('\n');
    s
}

/// The model as YAML.
pub fn emit_yaml(j: &Journey) -> String {
    serde_saphyr::to_string(&model(j)).expect("the model always serialises")
}

/// Writes [`emit_json`]'s text to `out` as it is serialized.
pub fn write_json(j: &Journey, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    super::json::pretty_to(out, &model(j))
}

/// Writes [`emit_yaml`]'s text to `out` as it is serialized; a write error is returned as it
/// came (a closed pipe stays a closed pipe).
pub fn write_yaml(j: &Journey, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    /// serde-saphyr writes to a `fmt::Write`: this one passes the text on and keeps the
    /// I/O error that `fmt::Error` cannot carry.
    struct Adapter<'a> {
        out: &'a mut dyn std::io::Write,
        error: Option<std::io::Error>,
    }
    impl std::fmt::Write for Adapter<'_> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.out.write_all(s.as_bytes()).map_err(|e| {
                self.error = Some(e);
                std::fmt::Error
            })
        }
    }
    let mut adapter = Adapter { out, error: None };
    match serde_saphyr::to_fmt_writer(&mut adapter, &model(j)) {
        Ok(()) => Ok(()),
        Err(e) => Err(adapter
            .error
            .take()
            .unwrap_or_else(|| std::io::Error::other(e.to_string()))),
    }
}
