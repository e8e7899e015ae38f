//! Items (a journey's, with its libraries' in front, a scenario already applied) → [`Journey`].
//!
//! Every problem found here is a finding of the J01xx/J02xx rules. The resolver keeps going
//! after a problem so that one run reports all of them; the model is only returned when no
//! error was found, so later stages never see an inconsistent journey.

use super::figure;
use super::types::*;
use crate::ast::{self, Item, KpiValue, SegmentAttr, TargetName, TouchpointAttr, TriggerAttr};
use crate::diagnostic::{Finding, Level};
use crate::names;
use crate::rules::Rule;
use crate::source::Span;
use std::collections::{HashMap, HashSet};

const EPS: f64 = 1e-9;

/// How far from 100% written probabilities, segment shares and entry weights may add up and
/// still count as adding up (`33.3333%` three times is 99.9999%). The one tolerance of the
/// language (`docs/language.md`, decision 4); rows within it are scaled to add up to exactly
/// 1 (see [`normalise`]), so that every command that solves or walks the model sees a
/// stochastic matrix.
pub const SUM_TOLERANCE: f64 = 1e-6;

/// Rounding of decimal fractions added in `f64` (`0.333333 × 3` is `0.99999900000000002876`):
/// a sum exactly at the tolerance is inside it.
const SUM_SLACK: f64 = 1e-12;

/// Whether written parts add up to more than 100%, past [`SUM_TOLERANCE`].
pub(crate) fn sum_over(sum: f64) -> bool {
    sum > 1.0 + SUM_TOLERANCE + SUM_SLACK
}

/// Whether written parts (none missing) do not add up to 100%, within [`SUM_TOLERANCE`].
pub(crate) fn sum_off(sum: f64) -> bool {
    (sum - 1.0).abs() > SUM_TOLERANCE + SUM_SLACK || sum.is_nan()
}

/// Scales parts that add up to 100% within [`SUM_TOLERANCE`] to add up to exactly 1. Parts
/// already within [`SUM_SLACK`] of 1 are left alone (the same numbers as written).
pub(crate) fn normalise(parts: &mut [&mut f64]) {
    let total: f64 = parts.iter().map(|p| **p).sum();
    if total > 0.0 && (total - 1.0).abs() > SUM_SLACK {
        for p in parts.iter_mut() {
            **p /= total;
        }
    }
}

/// The journey's own head (name, label, span), beside its items.
pub(crate) struct Head<'a> {
    pub name: &'a ast::Name,
    pub label: Option<&'a ast::Label>,
}

/// Names removed by the applied scenario, for better help lines.
#[derive(Default)]
pub(crate) struct Removed {
    pub touchpoints: HashMap<String, String>,
    pub triggers: HashMap<String, String>,
}

pub(crate) struct Resolver<'a> {
    pub findings: Vec<Finding>,
    removed: &'a Removed,
    /// Channel, segment and goal names → ids (each reference one look-up, not a scan: a
    /// journey of 100,000 segments referenced 100,000 times was quadratic).
    channel_ix: HashMap<String, ChannelId>,
    segment_ix: HashMap<String, SegmentId>,
    goal_ix: HashMap<String, GoalId>,
    /// Comparisons left for "did you mean" suggestions.
    suggestions: names::Budget,
    /// A `use` that could not be loaded (its J0104): the channels and segments the journey
    /// names are most likely declared in that library, so an unknown one blames it.
    failed_use: Option<Span>,
}

/// The symbol tables of a journey being resolved, passed as one value to what resolves its
/// touchpoints, transitions, triggers and KPIs.
#[derive(Clone, Copy)]
struct Scope<'s> {
    channels: &'s [Channel],
    segments: &'s [Segment],
    tp_index: &'s HashMap<&'s str, TouchpointId>,
    tp_names: &'s [&'s str],
    seg_names: &'s [&'s str],
}

/// Resolves the items of one journey.
pub(crate) fn resolve_journey(
    head: Head,
    items: &[Item],
    scenarios: &[ScenarioInfo],
    scenario: Option<&str>,
    removed: &Removed,
    failed_use: Option<Span>,
) -> (Option<Journey>, Vec<Finding>) {
    let mut r = Resolver::new(removed, failed_use);
    let journey = r.journey(head, items, scenarios, scenario);
    let ok = !r.findings.iter().any(|f| f.level == Level::Error);
    (if ok { Some(journey) } else { None }, r.findings)
}

/// Resolves a library's items on their own (names, channels, values), for `check`.
pub(crate) fn check_library(items: &[Item], failed_use: Option<Span>) -> Vec<Finding> {
    let removed = Removed::default();
    let mut r = Resolver::new(&removed, failed_use);
    let channels = r.channels(items);
    r.context(items, &channels);
    r.segments(items, &channels, false);
    r.findings
}

impl<'a> Resolver<'a> {
    fn new(removed: &'a Removed, failed_use: Option<Span>) -> Self {
        Resolver {
            findings: Vec::new(),
            removed,
            failed_use,
            channel_ix: HashMap::new(),
            segment_ix: HashMap::new(),
            goal_ix: HashMap::new(),
            suggestions: names::Budget::default(),
        }
    }
}

impl Resolver<'_> {
    fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }

    fn unknown(&mut self, what: &str, name: &ast::Name, candidates: &[&str]) {
        let suggest = self.suggestions.spend(candidates.len());
        let mut help = names::help(what, &name.text, candidates, suggest);
        let removed = match what {
            "touchpoint" => self.removed.touchpoints.get(&name.text),
            "trigger" => self.removed.triggers.get(&name.text),
            _ => None,
        };
        if let Some(scenario) = removed {
            help = format!(
                "scenario `{scenario}` removes `{}`: change this reference in the scenario too",
                name.text
            );
        }
        let mut f = Finding::new(
            Rule::UnknownName,
            name.span,
            format!("unknown {what} `{}`", name.text),
        )
        .label(format!("no {what} is called `{}`", name.text));
        let from_library = matches!(what, "channel" | "segment");
        if let Some(failed) = self.failed_use.filter(|_| from_library) {
            help = "a `use` of this file could not be loaded, and the library may declare it: fix that `use` first".into();
            if name.span.file == failed.file {
                f = f.with(failed, "this library was not loaded");
            }
        }
        self.push(f.help(help));
    }

    fn duplicate(&mut self, what: &str, name: &str, span: Span, first: Span) {
        self.push(
            Finding::new(
                Rule::DuplicateName,
                span,
                format!("{what} `{name}` is declared twice"),
            )
            .label("declared again here")
            .with(first, "first declared here")
            .help(format!("rename one of them, or merge them into one {what}")),
        );
    }

    fn duplicate_attr(&mut self, keyword: &str, owner: &str, span: Span, first: Span) {
        self.push(
            Finding::new(
                Rule::DuplicateName,
                span,
                format!("`{keyword}` is stated twice in {owner}"),
            )
            .label("stated again here")
            .with(first, "first stated here")
            .help(format!("keep one `{keyword}`")),
        );
    }

    /// A probability in 0..=1, or a J0201 finding (and 0).
    fn prob(&mut self, p: &ast::Probability, what: &str) -> f64 {
        if (-EPS..=1.0 + EPS).contains(&p.value) {
            return p.value.clamp(0.0, 1.0);
        }
        let shown = if p.percent {
            format!("{}%", trim(p.value * 100.0))
        } else {
            trim(p.value)
        };
        let help = if !p.percent && p.value > 1.0 && p.value <= 100.0 {
            format!(
                "a bare number is a fraction: write {}% or {}",
                trim(p.value),
                trim(p.value / 100.0)
            )
        } else {
            "probabilities lie between 0% and 100% (or 0 and 1)".to_string()
        };
        self.push(
            Finding::new(
                Rule::ProbabilityRange,
                p.span,
                format!("{what} {shown} is outside 0..100%"),
            )
            .label("out of range")
            .help(help),
        );
        0.0
    }

    fn non_negative(&mut self, value: f64, span: Span, what: &str) -> f64 {
        if value > limits::MONEY {
            self.push(
                Finding::new(
                    Rule::BadValue,
                    span,
                    format!("{what} is past the limit of {}", limits::MONEY_TEXT),
                )
                .label("too large")
                .help(format!(
                    "write a {what} of at most {}: larger amounts cannot be counted exactly (docs/language.md, decision 14)",
                    limits::MONEY_TEXT
                )),
            );
            return 0.0;
        }
        self.sign(value, span, what)
    }

    /// `value` if it is 0 or more, or a J0205 finding (and 0).
    fn sign(&mut self, value: f64, span: Span, what: &str) -> f64 {
        if value >= 0.0 {
            return value;
        }
        self.push(
            Finding::new(Rule::BadValue, span, format!("{what} cannot be negative"))
                .label("negative")
                .help(format!("write a {what} of 0 or more")),
        );
        0.0
    }

    /// A duration (or delay, or horizon) of 0 or more and at most [`limits::TIME`] seconds,
    /// or a J0205 finding (and 0).
    fn time(&mut self, seconds: f64, span: Span, what: &str) -> f64 {
        if seconds > limits::TIME {
            self.push(
                Finding::new(
                    Rule::BadValue,
                    span,
                    format!("{what} is past the limit of {}", limits::TIME_TEXT),
                )
                .label("too long")
                .help(format!(
                    "write a {what} of at most {}: longer times cannot be counted exactly (docs/language.md, decision 14)",
                    limits::TIME_TEXT
                )),
            );
            return 0.0;
        }
        self.sign(seconds, span, what)
    }

    fn channels(&mut self, items: &[Item]) -> Vec<Channel> {
        let mut out: Vec<Channel> = Vec::new();
        // Name → first declaration: duplicates found in one look-up each, not a scan.
        let mut declared: HashMap<&str, Span> = HashMap::new();
        for item in items {
            let Item::Channel(c) = item else { continue };
            if let Some(&first) = declared.get(c.name.text.as_str()) {
                self.duplicate("channel", &c.name.text, c.name.span, first);
                continue;
            }
            declared.insert(&c.name.text, c.name.span);
            let kind = match c.kind.as_ref().map(|k| k.text.as_str()) {
                Some("digital") => ChannelKind::Digital,
                Some("physical") => ChannelKind::Physical,
                Some("human") => ChannelKind::Human,
                _ => {
                    self.push(
                        Finding::new(
                            Rule::Syntax,
                            c.name.span,
                            format!("new channel `{}` needs a kind", c.name.text),
                        )
                        .label("no kind")
                        .help("write `channel NAME digital`, `physical` or `human`"),
                    );
                    ChannelKind::Digital
                }
            };
            let mut cost = 0.0;
            for (i, (n, s)) in c.costs.iter().enumerate() {
                if i > 0 {
                    self.duplicate_attr(
                        "cost",
                        &format!("channel `{}`", c.name.text),
                        *s,
                        c.costs[0].1,
                    );
                    continue;
                }
                cost = self.non_negative(n.value, n.span, "cost");
            }
            out.push(Channel {
                name: c.name.text.clone(),
                kind,
                cost,
                span: c.name.span,
            });
        }
        self.channel_ix = out
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), i))
            .collect();
        out
    }

    fn channel_ref(&mut self, channels: &[Channel], name: &ast::Name) -> Option<ChannelId> {
        let found = self.channel_ix.get(&name.text).copied();
        if found.is_none() {
            let names: Vec<&str> = channels.iter().map(|c| c.name.as_str()).collect();
            self.unknown("channel", name, &names);
        }
        found
    }

    fn context(&mut self, items: &[Item], channels: &[Channel]) -> Vec<bool> {
        let mut in_context = vec![false; channels.len()];
        for item in items {
            if let Item::Context(list, _) = item {
                for n in list {
                    if let Some(c) = self.channel_ref(channels, n) {
                        in_context[c] = true;
                    }
                }
            }
        }
        in_context
    }

    fn segments(&mut self, items: &[Item], channels: &[Channel], journey: bool) -> Vec<Segment> {
        let mut out: Vec<Segment> = Vec::new();
        let mut share_spans = Vec::new();
        let mut missing_share = false;
        let mut declared: HashMap<&str, Span> = HashMap::new();
        for item in items {
            let Item::Segment(s) = item else { continue };
            if let Some(&first) = declared.get(s.name.text.as_str()) {
                self.duplicate("segment", &s.name.text, s.name.span, first);
                continue;
            }
            declared.insert(&s.name.text, s.name.span);
            let owner = format!("segment `{}`", s.name.text);
            let mut seen: HashMap<&str, Span> = HashMap::new();
            let (mut share, mut prefers, mut patience) = (None, Vec::new(), 0.7);
            for a in &s.attrs {
                if let Some(first) = seen.get(a.keyword()) {
                    self.duplicate_attr(a.keyword(), &owner, a.span(), *first);
                    continue;
                }
                seen.insert(a.keyword(), a.span());
                match a {
                    SegmentAttr::Share(p, _) => {
                        share = Some(self.prob(p, "share"));
                        share_spans.push(p.span);
                    }
                    SegmentAttr::Prefers(list, _) => {
                        prefers = list
                            .iter()
                            .filter_map(|n| self.channel_ref(channels, n))
                            .collect()
                    }
                    SegmentAttr::Patience(p, _) => patience = self.prob(p, "patience"),
                }
            }
            if share.is_none() {
                missing_share = true;
                if journey {
                    self.push(
                        Finding::new(
                            Rule::ShareSum,
                            s.name.span,
                            format!("segment `{}` has no share", s.name.text),
                        )
                        .label("no `share`")
                        .help("give every segment a `share`; shares add up to 100%"),
                    );
                }
            }
            let label = s
                .label
                .as_ref()
                .map_or_else(|| s.name.text.clone(), |l| l.text.clone());
            out.push(Segment {
                name: s.name.text.clone(),
                label,
                share: share.unwrap_or(0.0),
                prefers,
                patience,
                implicit: false,
                span: s.name.span,
            });
        }
        if journey && !out.is_empty() && !missing_share {
            let total: f64 = out.iter().map(|s| s.share).sum();
            if sum_off(total) {
                let mut f = Finding::new(
                    Rule::ShareSum,
                    out[0].span,
                    format!(
                        "segment shares add up to {}%, not 100%",
                        trim(total * 100.0)
                    ),
                )
                .label(format!("shares total {}%", trim(total * 100.0)))
                .help("adjust the shares so that they add up to 100%");
                for (s, span) in out.iter().zip(&share_spans) {
                    f = f.with(*span, format!("`{}`", s.name));
                }
                self.push(f);
            } else {
                normalise(&mut out.iter_mut().map(|s| &mut s.share).collect::<Vec<_>>());
            }
        }
        self.segment_ix = out
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i))
            .collect();
        out
    }

    fn journey(
        &mut self,
        head: Head,
        items: &[Item],
        scenarios: &[ScenarioInfo],
        scenario: Option<&str>,
    ) -> Journey {
        let channels = self.channels(items);
        let in_context = self.context(items, &channels);
        let mut segments = self.segments(items, &channels, true);
        if segments.is_empty() {
            segments.push(Segment {
                name: "everyone".into(),
                label: "Everyone".into(),
                share: 1.0,
                prefers: Vec::new(),
                patience: 0.7,
                implicit: true,
                span: head.name.span,
            });
        }

        // Journey-level attributes.
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let (mut owner, mut description, mut horizon, mut max_steps, mut context_loss) =
            (None, None, None, 1000u32, 0.3);
        let mut primary_goal_name: Option<&ast::Name> = None;
        for item in items {
            let key = match item {
                Item::Owner(..) => "owner",
                Item::Description(..) => "description",
                Item::Horizon(..) => "horizon",
                Item::MaxSteps(..) => "max_steps",
                Item::ContextLoss(..) => "context_loss",
                Item::PrimaryGoal(..) => "primary_goal",
                _ => continue,
            };
            if let Some(first) = seen.get(key) {
                self.duplicate_attr(
                    key,
                    &format!("journey `{}`", head.name.text),
                    item.span(),
                    *first,
                );
                continue;
            }
            seen.insert(key, item.span());
            match item {
                Item::Owner(l, _) => owner = Some(l.text.clone()),
                Item::Description(l, _) => description = Some(l.text.clone()),
                Item::Horizon(d, _) => {
                    let before = self.findings.len();
                    self.time(d.seconds, d.span, "horizon");
                    if self.findings.len() > before {
                        continue;
                    }
                    if d.seconds <= 0.0 {
                        self.push(
                            Finding::new(Rule::BadValue, d.span, "the horizon must be longer than zero")
                                .label("not positive")
                                .help("write a positive duration, or drop `horizon` to follow customers without a time limit"),
                        );
                    } else {
                        horizon = Some(d.seconds);
                    }
                }
                Item::MaxSteps(n, _) => {
                    if n.value < 1.0 || n.value.fract() != 0.0 {
                        self.push(
                            Finding::new(
                                Rule::BadValue,
                                n.span,
                                "max_steps must be a whole number of at least 1",
                            )
                            .label("not a positive whole number")
                            .help("write a whole number like 1000"),
                        );
                    } else if n.value > limits::STEPS as f64 {
                        self.push(
                            Finding::new(
                                Rule::BadValue,
                                n.span,
                                format!("max_steps is past the limit of {}", limits::STEPS),
                            )
                            .label("too large")
                            .help(format!(
                                "write a whole number from 1 to {}: a safety bound on visits per customer",
                                limits::STEPS
                            )),
                        );
                    } else {
                        max_steps = n.value as u32;
                    }
                }
                Item::ContextLoss(p, _) => context_loss = self.prob(p, "context_loss"),
                Item::PrimaryGoal(n, _) => primary_goal_name = Some(n),
                _ => {}
            }
        }

        // Stages and touchpoints: declare every name first, then resolve references.
        let mut stages: Vec<Stage> = Vec::new();
        let mut tp_asts: Vec<&ast::Touchpoint> = Vec::new();
        let mut tp_index: HashMap<&str, TouchpointId> = HashMap::new();
        let mut tp_stage: Vec<StageId> = Vec::new();
        let mut declared: HashMap<&str, Span> = HashMap::new();
        for item in items {
            let Item::Stage(s) = item else { continue };
            if let Some(&first) = declared.get(s.name.text.as_str()) {
                self.duplicate("stage", &s.name.text, s.name.span, first);
                continue;
            }
            declared.insert(&s.name.text, s.name.span);
            let sid = stages.len();
            let mut members = Vec::new();
            for t in &s.touchpoints {
                if let Some(&first) = tp_index.get(t.name.text.as_str()) {
                    self.duplicate(
                        "touchpoint",
                        &t.name.text,
                        t.name.span,
                        tp_asts[first].name.span,
                    );
                    continue;
                }
                tp_index.insert(&t.name.text, tp_asts.len());
                members.push(tp_asts.len());
                tp_asts.push(t);
                tp_stage.push(sid);
            }
            let label = s
                .label
                .as_ref()
                .map_or_else(|| s.name.text.clone(), |l| l.text.clone());
            stages.push(Stage {
                name: s.name.text.clone(),
                label,
                touchpoints: members,
                span: s.name.span,
            });
        }
        let tp_names: Vec<&str> = tp_asts.iter().map(|t| t.name.text.as_str()).collect();
        let seg_names: Vec<&str> = segments.iter().map(|s| s.name.as_str()).collect();
        let scope = Scope {
            channels: &channels,
            segments: &segments,
            tp_index: &tp_index,
            tp_names: &tp_names,
            seg_names: &seg_names,
        };

        let mut goals: Vec<Goal> = Vec::new();
        let mut touchpoints = Vec::with_capacity(tp_asts.len());
        for (id, t) in tp_asts.iter().enumerate() {
            let tp = self.touchpoint(t, tp_stage[id], &scope, &mut goals, id);
            touchpoints.push(tp);
        }
        self.entries(&mut touchpoints, tp_asts.as_slice(), head.name.span);

        let primary_goal = match primary_goal_name {
            Some(n) => {
                let g = self.goal_ix.get(&n.text).copied();
                if g.is_none() {
                    let names: Vec<&str> = goals.iter().map(|g| g.name.as_str()).collect();
                    self.unknown("goal", n, &names);
                }
                g
            }
            None if goals.is_empty() => None,
            None => Some(0),
        };

        let triggers = self.triggers(items, &scope);
        let kpis = self.kpis(items, &goals, primary_goal, &scope);

        let label = head
            .label
            .map_or_else(|| head.name.text.clone(), |l| l.text.clone());
        Journey {
            name: head.name.text.clone(),
            label,
            owner,
            description,
            horizon,
            max_steps,
            channels,
            in_context,
            context_loss,
            segments,
            stages,
            touchpoints,
            goals,
            primary_goal,
            triggers,
            kpis,
            scenarios: scenarios.to_vec(),
            scenario: scenario.map(str::to_string),
            span: head.name.span,
        }
    }

    fn touchpoint(
        &mut self,
        t: &ast::Touchpoint,
        stage: StageId,
        scope: &Scope,
        goals: &mut Vec<Goal>,
        id: TouchpointId,
    ) -> Touchpoint {
        let Scope {
            channels, segments, ..
        } = *scope;
        let owner = format!("touchpoint `{}`", t.name.text);
        let channel_name = t
            .channel
            .as_ref()
            .expect("declared touchpoints always have `on`");
        let channel = self.channel_ref(channels, channel_name).unwrap_or(0);
        let mut tp = Touchpoint {
            name: t.name.text.clone(),
            label: t
                .label
                .as_ref()
                .map_or_else(|| t.name.text.clone(), |l| l.text.clone()),
            stage,
            channel,
            entry: 0.0,
            duration: Duration::default(),
            friction: 0.0,
            friction_label: None,
            emotion: 0,
            cost: channels.get(channel).map_or(0.0, |c| c.cost),
            moment_of_truth: false,
            goal: None,
            arrows: Vec::new(),
            transitions: Vec::new(),
            span: t.name.span,
            channel_span: channel_name.span,
            friction_span: None,
        };
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for a in &t.attrs {
            if !matches!(a, TouchpointAttr::Arrow(_)) {
                if let Some(first) = seen.get(a.keyword()) {
                    self.duplicate_attr(a.keyword(), &owner, a.span(), *first);
                    continue;
                }
                seen.insert(a.keyword(), a.span());
            }
            match a {
                TouchpointAttr::Entry(p, _) => {
                    tp.entry = p
                        .as_ref()
                        .map_or(f64::NAN, |p| self.prob(p, "entry weight"))
                }
                TouchpointAttr::Duration(lo, hi, _) => {
                    let before = self.findings.len();
                    let min = self.time(lo.seconds, lo.span, "duration");
                    let max = match hi {
                        Some(hi) => self.time(hi.seconds, hi.span, "duration"),
                        None => min,
                    };
                    if self.findings.len() > before {
                        // Already reported: a negative or too long end.
                    } else if max < min {
                        let hi = hi.as_ref().expect("a range has two ends");
                        self.push(
                            Finding::new(
                                Rule::BadValue,
                                lo.span.to(hi.span),
                                "the duration range runs backwards",
                            )
                            .label("min is greater than max")
                            .help("write the shorter duration first, like `2m..6m`"),
                        );
                    } else {
                        tp.duration = Duration { min, max };
                    }
                }
                TouchpointAttr::Friction(p, label, s) => {
                    tp.friction = self.prob(p, "friction");
                    tp.friction_label = label.as_ref().map(|l| l.text.clone());
                    tp.friction_span = Some(*s);
                }
                TouchpointAttr::Emotion(e, s) => {
                    if e.unsigned_abs() > limits::EMOTION {
                        self.push(
                            Finding::new(
                                Rule::BadValue,
                                *s,
                                format!(
                                    "emotion {e:+} is past the limit of ±{}",
                                    limits::EMOTION
                                ),
                            )
                            .label("too large")
                            .help(format!(
                                "write an emotion from -{0} to +{0}: larger ones cannot be counted exactly (docs/language.md, decision 14)",
                                limits::EMOTION
                            )),
                        );
                    } else {
                        tp.emotion = *e;
                    }
                }
                TouchpointAttr::Cost(n, _) => tp.cost = self.non_negative(n.value, n.span, "cost"),
                TouchpointAttr::MomentOfTruth(_) => tp.moment_of_truth = true,
                TouchpointAttr::Goal(name, value, _) => {
                    let value = match value {
                        Some(v) => self.non_negative(v.value, v.span, "goal value"),
                        None => 0.0,
                    };
                    let gid = match self.goal_ix.get(&name.text) {
                        Some(&g) => g,
                        None => {
                            goals.push(Goal {
                                name: name.text.clone(),
                                touchpoints: Vec::new(),
                                span: name.span,
                            });
                            self.goal_ix.insert(name.text.clone(), goals.len() - 1);
                            goals.len() - 1
                        }
                    };
                    goals[gid].touchpoints.push(id);
                    tp.goal = Some(GoalAt { goal: gid, value });
                }
                TouchpointAttr::Arrow(arrow) => {
                    if let Some(a) = self.arrow(arrow, scope) {
                        tp.arrows.push(a);
                    }
                }
            }
        }
        tp.transitions = self.transitions(&tp, segments, t);
        tp
    }

    fn arrow(&mut self, a: &ast::Arrow, scope: &Scope) -> Option<Arrow> {
        let Scope {
            tp_index,
            tp_names,
            seg_names,
            ..
        } = *scope;
        let target = match &a.target {
            TargetName::Exit(_) => Some(Target::Exit),
            TargetName::Touchpoint(n) => match tp_index.get(n.text.as_str()) {
                Some(&t) => Some(Target::Touchpoint(t)),
                None => {
                    self.unknown("touchpoint", n, tp_names);
                    None
                }
            },
        };
        let probability = a
            .probability
            .as_ref()
            .map(|p| self.prob(p, "transition probability"));
        let mut segs = Vec::new();
        for n in &a.segments {
            match self.segment_ix.get(&n.text).copied() {
                Some(s) => segs.push(s),
                None => self.unknown("segment", n, seg_names),
            }
        }
        Some(Arrow {
            target: target?,
            probability,
            segments: segs,
            span: a.span,
            target_span: a.target.span(),
        })
    }

    /// Per segment: the arrows that apply, the remainder rule, J0202 and duplicate targets.
    fn transitions(
        &mut self,
        tp: &Touchpoint,
        segments: &[Segment],
        t: &ast::Touchpoint,
    ) -> Vec<Vec<Transition>> {
        if tp.arrows.is_empty() {
            return vec![Vec::new(); segments.len()];
        }
        // Problems by kind so that a problem shared by every segment is said once.
        let mut problems: Vec<(SumProblem, Span, Vec<SegmentId>)> = Vec::new();
        // Pairs of transitions to the same target already reported.
        let mut duplicates: HashSet<(usize, usize)> = HashSet::new();
        let mut out = Vec::with_capacity(segments.len());
        for (sid, _) in segments.iter().enumerate() {
            let applies: Vec<usize> = (0..tp.arrows.len())
                .filter(|&i| {
                    tp.arrows[i].segments.is_empty() || tp.arrows[i].segments.contains(&sid)
                })
                .collect();
            let mut seen_targets: HashMap<Target, usize> = HashMap::new();
            for &i in &applies {
                if let Some(&first) = seen_targets.get(&tp.arrows[i].target) {
                    if duplicates.insert((first, i)) {
                        let target = tp.arrows[first].span;
                        self.push(
                            Finding::new(Rule::DuplicateName, tp.arrows[i].span, format!("two transitions from `{}` to the same target", tp.name))
                                .label("same target again")
                                .with(target, "first transition to it")
                                .help("merge them into one transition, or restrict them to different segments with `for`"),
                        );
                    }
                } else {
                    seen_targets.insert(tp.arrows[i].target, i);
                }
            }
            let written: f64 = applies
                .iter()
                .filter_map(|&i| tp.arrows[i].probability)
                .sum();
            let missing: Vec<usize> = applies
                .iter()
                .copied()
                .filter(|&i| tp.arrows[i].probability.is_none())
                .collect();
            let problem = if applies.is_empty() {
                Some((SumProblem::NoneApplies, t.name.span))
            } else if missing.len() > 1 {
                Some((SumProblem::SeveralOpen, tp.arrows[missing[1]].span))
            } else if sum_over(written) {
                Some((SumProblem::Over(trim(written * 100.0)), t.name.span))
            } else if missing.is_empty() && sum_off(written) {
                Some((SumProblem::Off(trim(written * 100.0)), t.name.span))
            } else {
                None
            };
            if let Some((kind, span)) = problem {
                match problems.iter_mut().find(|p| p.0 == kind) {
                    Some(p) => p.2.push(sid),
                    None => problems.push((kind, span, vec![sid])),
                }
                out.push(Vec::new());
                continue;
            }
            let rest = (1.0 - written).max(0.0);
            let mut list: Vec<Transition> = applies
                .iter()
                .map(|&i| Transition {
                    target: tp.arrows[i].target,
                    probability: tp.arrows[i].probability.unwrap_or(rest),
                    arrow: i,
                })
                .filter(|t| t.probability > 0.0)
                .collect();
            normalise(
                &mut list
                    .iter_mut()
                    .map(|t| &mut t.probability)
                    .collect::<Vec<_>>(),
            );
            out.push(list);
        }
        for (kind, span, segs) in problems {
            let msg = kind.message();
            let who = if segs.len() == segments.len() {
                String::new()
            } else {
                format!(
                    " for segment{} {}",
                    if segs.len() > 1 { "s" } else { "" },
                    segs.iter()
                        .map(|&s| format!("`{}`", segments[s].name))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let help = kind.help();
            let mut f = Finding::new(
                Rule::TransitionSum,
                span,
                format!("`{}`: {msg}{who}", tp.name),
            )
            .label(format!("{msg}{who}"))
            .help(help);
            for a in &tp.arrows {
                if let Some(p) = a.probability {
                    f = f.with(a.span, format!("{}%", trim(p * 100.0)));
                }
            }
            self.push(f);
        }
        out
    }

    /// Entry weights: the remainder rule, J0204.
    fn entries(&mut self, tps: &mut [Touchpoint], asts: &[&ast::Touchpoint], journey_span: Span) {
        let entry_span = |t: &ast::Touchpoint| {
            t.attrs
                .iter()
                .find(|a| matches!(a, TouchpointAttr::Entry(..)))
                .map(|a| a.span())
                .unwrap_or(t.name.span)
        };
        let declared: Vec<usize> = (0..tps.len())
            .filter(|&i| {
                asts[i]
                    .attrs
                    .iter()
                    .any(|a| matches!(a, TouchpointAttr::Entry(..)))
            })
            .collect();
        let missing: Vec<usize> = declared
            .iter()
            .copied()
            .filter(|&i| tps[i].entry.is_nan())
            .collect();
        let written: f64 = declared
            .iter()
            .filter(|&&i| !tps[i].entry.is_nan())
            .map(|&i| tps[i].entry)
            .sum();
        let positive = declared
            .iter()
            .any(|&i| tps[i].entry.is_nan() || tps[i].entry > 0.0);
        let problem = if declared.is_empty() || !positive {
            Some((
                "the journey has no entry".to_string(),
                journey_span,
                "mark where customers start with `entry` (e.g. `entry 70%`)",
            ))
        } else if missing.len() > 1 {
            Some((
                "more than one entry has no weight".to_string(),
                entry_span(asts[missing[1]]),
                "give every entry but one a weight; the one without takes the rest",
            ))
        } else if sum_over(written) {
            Some((
                format!(
                    "entry weights add up to {}%, more than 100%",
                    trim(written * 100.0)
                ),
                journey_span,
                "make the entry weights add up to 100%",
            ))
        } else if missing.is_empty() && sum_off(written) {
            Some((
                format!(
                    "entry weights add up to {}%, not 100%",
                    trim(written * 100.0)
                ),
                journey_span,
                "make the entry weights add up to 100%, or leave one entry without a weight",
            ))
        } else {
            None
        };
        let problem_free = problem.is_none();
        if let Some((msg, span, help)) = problem {
            let mut f = Finding::new(Rule::Entry, span, msg.clone())
                .label(msg)
                .help(help);
            for &i in &declared {
                let w = if tps[i].entry.is_nan() {
                    "the rest".to_string()
                } else {
                    format!("{}%", trim(tps[i].entry * 100.0))
                };
                f = f.with(entry_span(asts[i]), w);
            }
            self.push(f);
        }
        let rest = (1.0 - written).max(0.0);
        for t in tps.iter_mut() {
            if t.entry.is_nan() {
                t.entry = rest;
            }
        }
        if problem_free {
            let mut weights: Vec<&mut f64> = tps
                .iter_mut()
                .enumerate()
                .filter(|(i, _)| declared.contains(i))
                .map(|(_, t)| &mut t.entry)
                .collect();
            normalise(&mut weights);
        }
    }

    fn triggers(&mut self, items: &[Item], scope: &Scope) -> Vec<Trigger> {
        let Scope {
            channels,
            tp_index,
            tp_names,
            ..
        } = *scope;
        let mut out: Vec<Trigger> = Vec::new();
        let mut declared: HashMap<&str, Span> = HashMap::new();
        for item in items {
            let Item::Trigger(t) = item else { continue };
            if let Some(&first) = declared.get(t.name.text.as_str()) {
                self.duplicate("trigger", &t.name.text, t.name.span, first);
                continue;
            }
            let owner = format!("trigger `{}`", t.name.text);
            let mut seen: HashMap<&str, Span> = HashMap::new();
            let (mut event, mut at, mut after, mut via, mut limit, mut target, mut probability) =
                (None, Vec::new(), 0.0, None, 1u32, None, 1.0);
            let mut on_span = t.name.span;
            let mut ok = true;
            for a in &t.attrs {
                if let Some(first) = seen.get(a.keyword()) {
                    self.duplicate_attr(a.keyword(), &owner, a.span(), *first);
                    continue;
                }
                seen.insert(a.keyword(), a.span());
                match a {
                    TriggerAttr::On(abandon, list, s) => {
                        event = Some(if *abandon {
                            TriggerEvent::Abandon
                        } else {
                            TriggerEvent::Exit
                        });
                        on_span = *s;
                        for n in list {
                            match tp_index.get(n.text.as_str()) {
                                Some(&tp) => at.push(tp),
                                None => {
                                    ok = false;
                                    self.unknown("touchpoint", n, tp_names);
                                }
                            }
                        }
                    }
                    TriggerAttr::After(d, _) => after = self.time(d.seconds, d.span, "delay"),
                    TriggerAttr::Via(n, _) => {
                        via = self.channel_ref(channels, n);
                        ok &= via.is_some();
                    }
                    TriggerAttr::Limit(n, _) => {
                        if n.value < 0.0 || n.value.fract() != 0.0 || n.value > u32::MAX as f64 {
                            self.push(
                                Finding::new(
                                    Rule::BadValue,
                                    n.span,
                                    "a trigger's limit is a whole number of firings",
                                )
                                .label("not a whole number of 0 or more")
                                .help("write `limit 1` for one message per customer"),
                            );
                        } else {
                            limit = n.value as u32;
                        }
                    }
                    TriggerAttr::Arrow(arrow) => {
                        if let Some(p) = &arrow.probability {
                            probability = self.prob(p, "return chance");
                        }
                        if !arrow.segments.is_empty() {
                            self.push(
                                Finding::new(Rule::BadValue, arrow.span, "a trigger's return cannot be limited to segments")
                                    .label("`for` is not allowed here")
                                    .help("drop the `for` list; a trigger brings back customers of every segment"),
                            );
                        }
                        match &arrow.target {
                            TargetName::Exit(s) => {
                                ok = false;
                                self.push(
                                    Finding::new(Rule::BadValue, *s, "a trigger brings customers back to a touchpoint, not to `exit`")
                                        .label("not a touchpoint")
                                        .help("name the touchpoint the message brings customers back to"),
                                );
                            }
                            TargetName::Touchpoint(n) => match tp_index.get(n.text.as_str()) {
                                Some(&tp) => target = Some(tp),
                                None => {
                                    ok = false;
                                    self.unknown("touchpoint", n, tp_names);
                                }
                            },
                        }
                    }
                }
            }
            let mut missing = Vec::new();
            if event.is_none() {
                missing.push("`on abandon at …` or `on exit at …`");
            }
            if !seen.contains_key("via") {
                missing.push("`via CHANNEL`");
            }
            if !seen.contains_key("->") {
                missing.push("`-> TOUCHPOINT P`");
            }
            if !missing.is_empty() {
                self.push(
                    Finding::new(Rule::Syntax, t.name.span, format!("trigger `{}` is missing {}", t.name.text, missing.join(" and ")))
                        .label("incomplete trigger")
                        .help("a trigger states when it fires (`on`), how it reaches the customer (`via`) and where it brings them back (`->`)"),
                );
                continue;
            }
            if !ok {
                continue;
            }
            let (Some(event), Some(via), Some(target)) = (event, via, target) else {
                continue;
            };
            // (Only triggers kept count as declared, as `out` held them.)
            declared.insert(&t.name.text, t.name.span);
            out.push(Trigger {
                name: t.name.text.clone(),
                label: t
                    .label
                    .as_ref()
                    .map_or_else(|| t.name.text.clone(), |l| l.text.clone()),
                event,
                at,
                after,
                via,
                limit,
                target,
                probability,
                span: t.name.span,
                on_span,
            });
        }
        out
    }

    fn kpis(
        &mut self,
        items: &[Item],
        goals: &[Goal],
        primary: Option<GoalId>,
        scope: &Scope,
    ) -> Vec<Kpi> {
        let Scope {
            tp_index,
            tp_names,
            seg_names,
            ..
        } = *scope;
        // The metrics a KPI can name: those with an argument, then the registry's plain ones.
        let metrics: Vec<&str> = [
            "conversion",
            "reach",
            "drop_off",
            "mean",
            "p50",
            "p90",
            "p99",
        ]
        .into_iter()
        .chain(figure::SUMMARY.iter().map(|m| m.info().name))
        .chain(["time_to_convert"])
        .collect();
        let goal_names: Vec<&str> = goals.iter().map(|g| g.name.as_str()).collect();
        let mut out = Vec::new();
        let mut texts: HashSet<String> = HashSet::new();
        for item in items {
            let Item::Kpi(k) = item else { continue };
            let m = k.metric.text.as_str();
            let arg = k.argument.as_ref();
            #[derive(PartialEq)]
            enum Unit {
                Rate,
                Time,
                Plain,
            }
            let needs_arg = |this: &mut Self, what: &str| {
                this.push(
                    Finding::new(
                        Rule::UnknownName,
                        k.metric.span,
                        format!("`{m}` needs a {what} in parentheses"),
                    )
                    .label(format!("which {what}?"))
                    .help(format!("write `{m}(NAME)`")),
                );
            };
            let no_arg = |this: &mut Self, a: &ast::Name| {
                this.push(
                    Finding::new(
                        Rule::UnknownName,
                        a.span,
                        format!("`{m}` takes no argument"),
                    )
                    .label("not expected here")
                    .help(format!("write `{m}` alone")),
                );
            };
            let (metric, unit) = match m {
                "conversion" => {
                    let g = match arg {
                        Some(a) => {
                            let g = self.goal_ix.get(&a.text).copied();
                            if g.is_none() {
                                self.unknown("goal", a, &goal_names);
                            }
                            g
                        }
                        None => {
                            if primary.is_none() {
                                self.push(
                                    Finding::new(Rule::UnknownName, k.metric.span, "`conversion` needs a goal, and the journey has none")
                                        .label("no goal to convert to")
                                        .help("mark the touchpoint that achieves the goal with `goal NAME`"),
                                );
                            }
                            primary
                        }
                    };
                    (g.map(Metric::Conversion), Unit::Rate)
                }
                "reach" | "drop_off" => {
                    let t = match arg {
                        Some(a) => {
                            let t = tp_index.get(a.text.as_str()).copied();
                            if t.is_none() {
                                self.unknown("touchpoint", a, tp_names);
                            }
                            t
                        }
                        None => {
                            needs_arg(self, "touchpoint");
                            None
                        }
                    };
                    (
                        t.map(if m == "reach" {
                            Metric::Reach
                        } else {
                            Metric::DropOff
                        }),
                        Unit::Rate,
                    )
                }
                "mean" | "p50" | "p90" | "p99" => {
                    let stat = match m {
                        "mean" => TimeStat::Mean,
                        "p50" => TimeStat::P50,
                        "p90" => TimeStat::P90,
                        _ => TimeStat::P99,
                    };
                    let ok = match arg {
                        Some(a) if a.text == "time_to_convert" => true,
                        Some(a) => {
                            self.unknown("metric", a, &["time_to_convert"]);
                            false
                        }
                        None => {
                            needs_arg(self, "metric (`time_to_convert`)");
                            false
                        }
                    };
                    if primary.is_none() && ok {
                        self.push(
                            Finding::new(
                                Rule::UnknownName,
                                k.metric.span,
                                "time to convert needs a goal, and the journey has none",
                            )
                            .label("no goal")
                            .help("mark the touchpoint that achieves the goal with `goal NAME`"),
                        );
                    }
                    (ok.then_some(Metric::TimeToConvert(stat)), Unit::Time)
                }
                _ if Metric::plain(m).is_some() => {
                    if let Some(a) = arg {
                        no_arg(self, a);
                    }
                    (Metric::plain(m), Unit::Plain)
                }
                _ => {
                    self.unknown("metric", &k.metric, &metrics);
                    continue;
                }
            };
            let segment = match &k.segment {
                Some(n) => {
                    let s = self.segment_ix.get(&n.text).copied();
                    if s.is_none() {
                        self.unknown("segment", n, seg_names);
                        continue;
                    }
                    s
                }
                None => None,
            };
            let target = match (&unit, k.value) {
                (Unit::Rate, KpiValue::Percent(v, s)) | (Unit::Rate, KpiValue::Number(v, s)) => {
                    let p = ast::Probability {
                        value: v,
                        percent: matches!(k.value, KpiValue::Percent(..)),
                        span: s,
                    };
                    let before = self.findings.len();
                    let v = self.prob(&p, "the target");
                    if self.findings.len() > before {
                        continue;
                    }
                    v
                }
                (Unit::Time, KpiValue::Duration(v, s)) => self.time(v, s, "target duration"),
                (Unit::Plain, KpiValue::Number(v, _)) => v,
                (unit, value) => {
                    let (want, example) = match unit {
                        Unit::Rate => ("a rate", "3% or 0.03"),
                        Unit::Time => ("a duration", "2d or 36h"),
                        Unit::Plain => ("a plain number", "4.0 or 20"),
                    };
                    let got = match value {
                        KpiValue::Percent(..) => "a percentage",
                        KpiValue::Duration(..) => "a duration",
                        KpiValue::Number(..) => "a plain number",
                    };
                    self.push(
                        Finding::new(
                            Rule::BadValue,
                            value.span(),
                            format!("`{m}` is measured as {want}, not {got}"),
                        )
                        .label(got.to_string())
                        .help(format!("write the target as {want}, like {example}")),
                    );
                    continue;
                }
            };
            let comparison = match k.comparison.text.as_str() {
                ">=" => Comparison::Ge,
                "<=" => Comparison::Le,
                ">" => Comparison::Gt,
                _ => Comparison::Lt,
            };
            let Some(metric) = metric else { continue };
            let text = kpi_text(k);
            if !texts.insert(text.clone()) {
                self.push(
                    Finding::new(
                        Rule::DuplicateName,
                        k.span,
                        format!("the KPI `{text}` is stated twice"),
                    )
                    .label("stated again")
                    .help("keep one"),
                );
                continue;
            }
            out.push(Kpi {
                metric,
                segment,
                comparison,
                target,
                text,
                span: k.span,
            });
        }
        out
    }
}

/// The KPI as written, with whitespace normalised.
pub(crate) fn kpi_text(k: &ast::Kpi) -> String {
    let mut s = k.metric.text.clone();
    if let Some(a) = &k.argument {
        s.push_str(&format!("({})", a.text));
    }
    if let Some(seg) = &k.segment {
        s.push_str(&format!(" for {}", seg.text));
    }
    format!("{s} {} {}", k.comparison.text, k.value_text)
}

/// What is wrong with one segment's transitions out of a touchpoint (J0201).
#[derive(Clone, Debug, PartialEq)]
enum SumProblem {
    /// No transition applies to the segment.
    NoneApplies,
    /// More than one transition has no probability.
    SeveralOpen,
    /// The written probabilities add up past 100% (the sum, as written).
    Over(String),
    /// They add up to less than 100% and none takes the rest.
    Off(String),
}

impl SumProblem {
    fn message(&self) -> String {
        match self {
            SumProblem::NoneApplies => "no transition applies".into(),
            SumProblem::SeveralOpen => "more than one transition has no probability".into(),
            SumProblem::Over(sum) => format!("transitions add up to {sum}%, more than 100%"),
            SumProblem::Off(sum) => format!("transitions add up to {sum}%, not 100%"),
        }
    }

    fn help(&self) -> &'static str {
        match self {
            SumProblem::NoneApplies => {
                "add a transition without `for`, or name this segment in a `for`"
            }
            SumProblem::SeveralOpen => {
                "give all transitions but one a probability; the one without takes the rest"
            }
            SumProblem::Over(_) | SumProblem::Off(_) => {
                "make the probabilities add up to 100%, or leave one transition without a probability to take the rest"
            }
        }
    }
}

/// A number without trailing zeros: `35`, `12.5`, `0.333333`.
pub fn trim(v: f64) -> String {
    super::figure::trimmed(v, 6)
}
