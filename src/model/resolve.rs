//! Items (a journey's, with its libraries' in front, a scenario already applied) → [`Journey`].
//!
//! Every problem found here is a finding of the J01xx/J02xx rules. The resolver keeps going
//! after a problem so that one run reports all of them; the model is only returned when no
//! error was found, so later stages never see an inconsistent journey.

use super::figure;
use super::rules::bad_value::{self, Target as TargetUnit};
use super::rules::transition_sum::{self, SumProblem};
use super::rules::{
    bad_policy, duplicate_name, entry, normalise, normalise_each, probability_range, share_sum,
    unknown_name,
};
use super::types::*;
use crate::ast::{self, Item, KpiValue, SegmentAttr, TargetName, TouchpointAttr, TriggerAttr};
use crate::diagnostic::{Finding, Level};
use crate::names;
use crate::source::Span;
use crate::syntax::error as syntax;

pub use super::rules::SUM_TOLERANCE;
use crate::fasthash::{Map as HashMap, Set as HashSet};

/// The journey's own head (name, label, span), beside its items.
pub(crate) struct Head<'a> {
    pub name: &'a ast::Name,
    pub label: Option<&'a ast::Label>,
    /// The touchpoints' attributes taken out of the syntax tree (the tree's stages hold
    /// touchpoints with none), one list per touchpoint in written order, stage by stage: each
    /// list is freed once its touchpoint is resolved, so that a large journey's attributes
    /// and its model are never in memory whole together ([`Taken::from`]). `None`: the
    /// touchpoints' own.
    pub taken: Option<&'a mut Taken>,
}

/// The attributes of a journey's touchpoints, taken out of its syntax tree (see
/// [`Head::taken`]).
pub(crate) struct Taken(Vec<Vec<TouchpointAttr>>);

impl Taken {
    /// Takes the attributes out of every touchpoint of `items` (the stages' touchpoints are
    /// left with none).
    pub(crate) fn from(items: &mut [Item]) -> Taken {
        let mut out = Vec::new();
        for item in items {
            if let Item::Stage(s) = item {
                out.extend(
                    s.touchpoints
                        .iter_mut()
                        .map(|t| std::mem::take(&mut t.attrs)),
                );
            }
        }
        Taken(out)
    }
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
    items: &[&Item],
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
pub(crate) fn check_library(items: &[&Item], failed_use: Option<Span>) -> Vec<Finding> {
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
            channel_ix: HashMap::default(),
            segment_ix: HashMap::default(),
            goal_ix: HashMap::default(),
            suggestions: names::Budget::default(),
        }
    }
}

impl Resolver<'_> {
    fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }

    fn declared_twice(&mut self, what: &str, name: &str, span: Span, first: Span) {
        self.push(duplicate_name::declared_twice(what, name, span, first));
    }

    fn stated_twice(&mut self, keyword: &str, owner: &str, span: Span, first: Span) {
        self.push(duplicate_name::stated_twice(keyword, owner, span, first));
    }

    /// J0101 for `name`, an unknown `what` among `candidates` (J0101's file words it).
    fn unknown(&mut self, what: &str, name: &ast::Name, candidates: &[&str]) {
        let suggest = self.suggestions.spend(candidates.len());
        let removed_by = match what {
            "touchpoint" => self.removed.touchpoints.get(&name.text),
            "trigger" => self.removed.triggers.get(&name.text),
            _ => None,
        };
        let context = unknown_name::Context {
            removed_by: removed_by.map(String::as_str),
            failed_use: self.failed_use,
        };
        self.push(unknown_name::unknown(
            what, name, candidates, suggest, context,
        ));
    }

    /// The value of a check, or 0 with its finding kept.
    fn or_zero<T: Default>(&mut self, checked: Result<T, Finding>) -> T {
        checked.unwrap_or_else(|f| {
            self.push(f);
            T::default()
        })
    }

    /// A probability in 0..=1, or a J0201 finding (and 0).
    fn prob(&mut self, p: &ast::Probability, what: &str) -> f64 {
        let checked = probability_range::check(p, what);
        self.or_zero(checked)
    }

    /// A money amount, or a J0205 finding (and 0).
    fn money(&mut self, value: f64, span: Span, what: &str) -> f64 {
        self.or_zero(bad_value::money(value, span, what))
    }

    /// A duration (or delay), or a J0205 finding (and 0).
    fn time(&mut self, seconds: f64, span: Span, what: &str) -> f64 {
        self.or_zero(bad_value::time(seconds, span, what))
    }

    fn channels(&mut self, items: &[&Item]) -> Vec<Channel> {
        let mut out: Vec<Channel> = Vec::new();
        // Name → first declaration: duplicates found in one look-up each, not a scan.
        let mut declared: HashMap<&str, Span> = HashMap::default();
        for item in items {
            let Item::Channel(c) = item else { continue };
            if let Some(&first) = declared.get(c.name.text.as_str()) {
                self.declared_twice("channel", &c.name.text, c.name.span, first);
                continue;
            }
            declared.insert(&c.name.text, c.name.span);
            let kind = match c.kind.as_ref().map(|k| k.text.as_str()) {
                Some("digital") => ChannelKind::Digital,
                Some("physical") => ChannelKind::Physical,
                Some("human") => ChannelKind::Human,
                _ => {
                    self.push(syntax::channel_without_kind(&c.name));
                    ChannelKind::Digital
                }
            };
            let mut cost = 0.0;
            for (i, (n, s)) in c.costs.iter().enumerate() {
                if i > 0 {
                    self.stated_twice(
                        "cost",
                        &format!("channel `{}`", c.name.text),
                        *s,
                        c.costs[0].1,
                    );
                    continue;
                }
                cost = self.money(n.value, n.span, "cost");
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

    /// The unnamed context group (every `context CH, …` line together) and the named ones.
    fn context(&mut self, items: &[&Item], channels: &[Channel]) -> (Vec<bool>, Vec<ContextGroup>) {
        let mut in_context = vec![false; channels.len()];
        let mut groups: Vec<ContextGroup> = Vec::new();
        let mut declared: HashMap<&str, Span> = HashMap::default();
        for item in items {
            let Item::Context(name, list, _) = item else {
                continue;
            };
            let members = match name {
                None => &mut in_context,
                Some(name) => {
                    if let Some(&first) = declared.get(name.text.as_str()) {
                        self.declared_twice("context group", &name.text, name.span, first);
                        continue;
                    }
                    declared.insert(&name.text, name.span);
                    groups.push(ContextGroup {
                        name: name.text.clone(),
                        channels: vec![false; channels.len()],
                        span: name.span,
                    });
                    &mut groups.last_mut().expect("just pushed").channels
                }
            };
            for n in list {
                if let Some(c) = self.channel_ref(channels, n) {
                    members[c] = true;
                }
            }
        }
        (in_context, groups)
    }

    fn segments(&mut self, items: &[&Item], channels: &[Channel], journey: bool) -> Vec<Segment> {
        let mut out: Vec<Segment> = Vec::new();
        let mut share_spans = Vec::new();
        let mut missing_share = false;
        let mut declared: HashMap<&str, Span> = HashMap::default();
        for item in items {
            let Item::Segment(s) = item else { continue };
            if let Some(&first) = declared.get(s.name.text.as_str()) {
                self.declared_twice("segment", &s.name.text, s.name.span, first);
                continue;
            }
            declared.insert(&s.name.text, s.name.span);
            let owner = format!("segment `{}`", s.name.text);
            let mut seen: HashMap<&str, Span> = HashMap::default();
            let (mut share, mut prefers, mut patience) = (None, Vec::new(), 0.7);
            for a in &s.attrs {
                if let Some(first) = seen.get(a.keyword()) {
                    self.stated_twice(a.keyword(), &owner, a.span(), *first);
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
                    self.push(share_sum::missing(&s.name.text, s.name.span));
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
            let shares = out
                .iter()
                .zip(&share_spans)
                .map(|(s, span)| (s.name.as_str(), s.share, *span));
            match share_sum::check(out[0].span, shares) {
                Some(f) => self.push(f),
                None => normalise(&mut out.iter_mut().map(|s| &mut s.share).collect::<Vec<_>>()),
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
        items: &[&Item],
        scenarios: &[ScenarioInfo],
        scenario: Option<&str>,
    ) -> Journey {
        let channels = self.channels(items);
        let (in_context, context_groups) = self.context(items, &channels);
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
        let mut seen: HashMap<&str, Span> = HashMap::default();
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
                self.stated_twice(
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
                Item::Horizon(d, _) => match bad_value::horizon(d.seconds, d.span) {
                    Ok(h) => horizon = Some(h),
                    Err(f) => self.push(f),
                },
                Item::MaxSteps(n, _) => match bad_value::max_steps(n.value, n.span) {
                    Ok(m) => max_steps = m,
                    Err(f) => self.push(f),
                },
                Item::ContextLoss(p, _) => context_loss = self.prob(p, "context_loss"),
                Item::PrimaryGoal(n, _) => primary_goal_name = Some(n),
                _ => {}
            }
        }

        // Stages and touchpoints: declare every name first, then resolve references.
        let mut stages: Vec<Stage> = Vec::new();
        let mut tp_asts: Vec<&ast::Touchpoint> = Vec::new();
        let mut tp_index: HashMap<&str, TouchpointId> = HashMap::default();
        let mut tp_stage: Vec<StageId> = Vec::new();
        // Each touchpoint's place among all the stages' touchpoints as written (duplicates
        // and those of duplicate stages included): its list in `head.taken`.
        let mut tp_written: Vec<usize> = Vec::new();
        let mut written = 0;
        let mut declared: HashMap<&str, Span> = HashMap::default();
        for item in items {
            let Item::Stage(s) = item else { continue };
            let first_written = written;
            written += s.touchpoints.len();
            if let Some(&first) = declared.get(s.name.text.as_str()) {
                self.declared_twice("stage", &s.name.text, s.name.span, first);
                continue;
            }
            declared.insert(&s.name.text, s.name.span);
            let sid = stages.len();
            let mut members = Vec::new();
            for (k, t) in s.touchpoints.iter().enumerate() {
                if let Some(&first) = tp_index.get(t.name.text.as_str()) {
                    self.declared_twice(
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
                if head.taken.is_some() {
                    tp_written.push(first_written + k);
                }
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
        // Where each touchpoint writes `entry`, for the remainder rule below.
        let mut entry_at: Vec<(TouchpointId, Span)> = Vec::new();
        let entry = |attrs: &[TouchpointAttr]| {
            attrs
                .iter()
                .find(|a| matches!(a, TouchpointAttr::Entry(..)))
                .map(TouchpointAttr::span)
        };
        let mut taken = head.taken;
        for (id, t) in tp_asts.iter().enumerate() {
            // Libraries hold no stages: the taken lists are the journey's own, in the order
            // counted above (`get`: never a panic). A taken list is freed after this turn.
            let own: Option<Vec<TouchpointAttr>> = taken.as_deref_mut().map(|Taken(lists)| {
                lists
                    .get_mut(tp_written[id])
                    .map(std::mem::take)
                    .unwrap_or_default()
            });
            let attrs = own.as_deref().unwrap_or(&t.attrs);
            entry_at.extend(entry(attrs).map(|at| (id, at)));
            let tp = self.touchpoint(t, attrs, tp_stage[id], &scope, &mut goals, id);
            touchpoints.push(tp);
        }
        self.entries(&mut touchpoints, &entry_at, head.name.span);

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
        let lifecycle = self.lifecycle(items, &head.name.text, &scope);
        let lines =
            |want: fn(&Item) -> Option<&ast::Kpi>| items.iter().filter_map(|i| want(i)).collect();
        let kpi_lines: Vec<&ast::Kpi> = lines(|i| match i {
            Item::Kpi(k) => Some(k),
            _ => None,
        });
        let constraint_lines: Vec<&ast::Kpi> = lines(|i| match i {
            Item::Constraint(k) => Some(k),
            _ => None,
        });
        let kpis = self.kpis(
            &kpi_lines,
            Purpose::Kpi,
            &touchpoints,
            &goals,
            primary_goal,
            &scope,
        );
        let constraints = self.kpis(
            &constraint_lines,
            Purpose::Constraint,
            &touchpoints,
            &goals,
            primary_goal,
            &scope,
        );
        let objective = self.objective(items, &touchpoints, &goals, primary_goal, &scope);

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
            context_groups,
            lifecycle,
            context_loss,
            segments,
            stages,
            touchpoints,
            goals,
            primary_goal,
            triggers,
            kpis,
            objective,
            constraints,
            scenarios: scenarios.to_vec(),
            scenario: scenario.map(str::to_string),
            span: head.name.span,
        }
    }

    /// A touchpoint as written (`as_is`), then its options, each resolved as the touchpoint
    /// with the option's lines over its own (LANGUAGE-2.md §4), then the policy its `use`
    /// lines state put in force.
    fn touchpoint(
        &mut self,
        t: &ast::Touchpoint,
        attrs: &[TouchpointAttr],
        stage: StageId,
        scope: &Scope,
        goals: &mut Vec<Goal>,
        id: TouchpointId,
    ) -> Touchpoint {
        let mut tp = self.touchpoint_as(t, attrs, stage, scope, goals, id);
        let options: Vec<&ast::OptionDecl> = attrs
            .iter()
            .filter_map(|a| match a {
                TouchpointAttr::Option(o) => Some(&**o),
                _ => None,
            })
            .collect();
        if options.is_empty() {
            for a in attrs {
                if let TouchpointAttr::Use(_, _, span) = a {
                    self.push(bad_policy::no_options(&t.name.text, *span));
                }
            }
            return tp;
        }
        let nseg = scope.segments.len();
        let mut choices = vec![Choice::of(&tp, "as_is", tp.label.clone(), tp.span, nseg)];
        let mut seen: HashMap<&str, Span> = HashMap::default();
        let own: Vec<TouchpointAttr> = attrs
            .iter()
            .filter(|a| !matches!(a, TouchpointAttr::Option(_) | TouchpointAttr::Use(..)))
            .cloned()
            .collect();
        for o in options {
            if let Some(&first) = seen.get(o.name.text.as_str()) {
                let what = format!("option of touchpoint `{}`", t.name.text);
                self.declared_twice(&what, &o.name.text, o.name.span, first);
                continue;
            }
            seen.insert(&o.name.text, o.name.span);
            let mut merged = ast::Touchpoint {
                attrs: own.clone(),
                ..t.clone()
            };
            super::scenario::override_attrs(&mut merged.attrs, &o.attrs);
            // The option's problems, without repeating those of the lines it keeps.
            let before = self.findings.len();
            let mut scratch = goals.clone();
            let resolved =
                self.touchpoint_as(&merged, &merged.attrs, stage, scope, &mut scratch, id);
            let new = self.findings.split_off(before);
            for f in new {
                let repeated = self.findings.iter().any(|g| {
                    g.rule == f.rule && g.primary.span == f.primary.span && g.message == f.message
                });
                if !repeated {
                    let message = format!("option `{}`: {}", o.name.text, f.message);
                    self.findings.push(Finding { message, ..f });
                }
            }
            let label = o
                .label
                .as_ref()
                .map_or_else(|| o.name.text.clone(), |l| l.text.clone());
            choices.push(Choice::of(
                &resolved,
                &o.name.text,
                label,
                o.name.span,
                nseg,
            ));
        }
        let policy = self.policy(t, attrs, &choices, scope);
        tp.choices = choices;
        tp.apply_policy(&policy);
        tp
    }

    /// The policy a scenario touchpoint's `use` lines state: per segment, the index in
    /// `choices` (the line naming the segment wins, else the unqualified line, else `as_is`).
    fn policy(
        &mut self,
        t: &ast::Touchpoint,
        attrs: &[TouchpointAttr],
        choices: &[Choice],
        scope: &Scope,
    ) -> Vec<usize> {
        let names: Vec<&str> = choices.iter().map(|c| c.name.as_str()).collect();
        let mut everyone: Option<(usize, Span)> = None;
        let mut named: HashMap<SegmentId, (usize, Span)> = HashMap::default();
        for a in attrs {
            let TouchpointAttr::Use(option, segments, span) = a else {
                continue;
            };
            let Some(k) = names.iter().position(|n| *n == option.text) else {
                self.unknown("option", option, &names);
                continue;
            };
            if segments.is_empty() {
                match everyone {
                    Some((_, first)) => self.push(bad_policy::twice(&t.name.text, *span, first)),
                    None => everyone = Some((k, *span)),
                }
                continue;
            }
            for n in segments {
                let Some(&s) = self.segment_ix.get(&n.text) else {
                    self.unknown("segment", n, scope.seg_names);
                    continue;
                };
                match named.get(&s) {
                    Some(&(_, first)) => {
                        self.push(bad_policy::segment_twice(&t.name.text, n, first))
                    }
                    None => {
                        named.insert(s, (k, n.span));
                    }
                }
            }
        }
        let default = everyone.map_or(0, |(k, _)| k);
        (0..scope.segments.len())
            .map(|s| named.get(&s).map_or(default, |&(k, _)| k))
            .collect()
    }

    /// One touchpoint's own lines (its options and `use` lines aside).
    fn touchpoint_as(
        &mut self,
        t: &ast::Touchpoint,
        attrs: &[TouchpointAttr],
        stage: StageId,
        scope: &Scope,
        goals: &mut Vec<Goal>,
        id: TouchpointId,
    ) -> Touchpoint {
        let Scope {
            channels,
            segments,
            seg_names,
            ..
        } = *scope;
        // Made only for a finding: most touchpoints have none.
        let owner = || format!("touchpoint `{}`", t.name.text);
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
            csat: None,
            effort: None,
            moment_of_truth: false,
            goal: None,
            by_segment: Vec::new(),
            arrows: Vec::new(),
            transitions: Vec::new(),
            span: t.name.span,
            channel_span: channel_name.span,
            friction_span: None,
            choices: Vec::new(),
            policy: Vec::new(),
        };
        // The touchpoint's goal: its unqualified `goal` line's, else its first `for` line's.
        let goal_lines = || {
            attrs.iter().filter_map(|a| match a.unqualified() {
                (TouchpointAttr::Goal(name, ..), segs) => Some((segs.is_empty(), name)),
                _ => None,
            })
        };
        let own_goal = goal_lines()
            .find(|(unqualified, _)| *unqualified)
            .or_else(|| goal_lines().next())
            .map(|(_, name)| name);
        // Unqualified lines (keyword → first span), and `for` lines (keyword, segment → span).
        // A touchpoint states a dozen keywords at most: a list on the stack, not a table.
        let mut seen = Stated::default();
        let mut seen_for: HashMap<(&str, SegmentId), Span> = HashMap::default();
        let mut changes_for: Vec<(SegmentId, Change)> = Vec::new();
        let mut everyone = tp.unqualified();
        tp.arrows = Vec::with_capacity(
            attrs
                .iter()
                .filter(|a| matches!(a, TouchpointAttr::Arrow(_)))
                .count(),
        );
        for a in attrs {
            if matches!(a, TouchpointAttr::Option(_) | TouchpointAttr::Use(..)) {
                continue;
            }
            let (attr, for_segments) = a.unqualified();
            let keyword = a.keyword();
            if !for_segments.is_empty() {
                let mut named = Vec::new();
                for n in for_segments {
                    let Some(&s) = self.segment_ix.get(&n.text) else {
                        self.unknown("segment", n, seg_names);
                        continue;
                    };
                    if let Some(first) = seen_for.get(&(keyword, s)) {
                        let whose = format!("{} for segment `{}`", owner(), n.text);
                        self.stated_twice(keyword, &whose, a.span(), *first);
                        continue;
                    }
                    seen_for.insert((keyword, s), a.span());
                    named.push(s);
                }
                if let TouchpointAttr::Goal(name, ..) = attr
                    && let Some(own) = own_goal.filter(|own| own.text != name.text)
                {
                    self.push(unknown_name::not_own_goal(name, &own.text));
                    continue;
                }
                if let TouchpointAttr::Friction(_, label, s) = attr
                    && tp.friction_span.is_none()
                    && !attrs
                        .iter()
                        .any(|a| matches!(a, TouchpointAttr::Friction(..)))
                {
                    // Only `for` lines: the first one names the pain point.
                    tp.friction_label = label.as_ref().map(|l| l.text.clone());
                    tp.friction_span = Some(*s);
                }
                if let Some(change) = self.change(attr) {
                    changes_for.extend(named.into_iter().map(|s| (s, change)));
                }
                continue;
            }
            if !matches!(a, TouchpointAttr::Arrow(_)) {
                if let Some(first) = seen.get(keyword) {
                    self.stated_twice(keyword, &owner(), a.span(), first);
                    continue;
                }
                seen.insert(keyword, a.span());
            }
            match a {
                TouchpointAttr::Entry(p, _) => {
                    tp.entry = p
                        .as_ref()
                        .map_or(f64::NAN, |p| self.prob(p, "entry weight"))
                }
                TouchpointAttr::MomentOfTruth(_) => tp.moment_of_truth = true,
                TouchpointAttr::Arrow(arrow) => {
                    if let Some(a) = self.arrow(arrow, scope) {
                        tp.arrows.push(a);
                    }
                }
                TouchpointAttr::Friction(_, label, s) => {
                    tp.friction_label = label.as_ref().map(|l| l.text.clone());
                    tp.friction_span = Some(*s);
                    if let Some(change) = self.change(a) {
                        change.apply(&mut everyone);
                    }
                }
                _ => {
                    if let Some(change) = self.change(a) {
                        change.apply(&mut everyone);
                    }
                }
            }
        }
        if let Some(name) = own_goal {
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
            tp.goal = Some(GoalAt {
                goal: gid,
                value: everyone.value,
            });
        }
        tp.duration = everyone.duration;
        tp.friction = everyone.friction;
        tp.emotion = everyone.emotion;
        tp.cost = everyone.cost;
        tp.csat = everyone.csat;
        tp.effort = everyone.effort;
        if !changes_for.is_empty() {
            tp.by_segment = vec![everyone; segments.len()];
            for (s, change) in changes_for {
                change.apply(&mut tp.by_segment[s]);
            }
        }
        tp.arrows.shrink_to_fit();
        tp.transitions = self.transitions(&tp, segments, t);
        tp
    }

    /// The `lifecycle` block (LANGUAGE-2.md §3): each segment's `repeat` and `winback` by the
    /// per-segment rule of §1 (the line naming it, else the unqualified line, else 0% with no
    /// delay), `discount` (default 0%) and `max_cycles` (default 100).
    fn lifecycle(&mut self, items: &[&Item], journey: &str, scope: &Scope) -> Option<Lifecycle> {
        let mut blocks = items.iter().filter_map(|i| match i {
            Item::Lifecycle(l) => Some(l),
            _ => None,
        });
        let block = blocks.next()?;
        for again in blocks {
            let owner = format!("journey `{journey}`");
            let keyword = Span::new(
                again.span.file,
                again.span.start as usize,
                again.span.start as usize + 9,
            );
            self.stated_twice("lifecycle", &owner, keyword, block.span);
        }
        let n = scope.segments.len();
        let mut life = Lifecycle {
            repeat: vec![Comeback::default(); n],
            winback: vec![Comeback::default(); n],
            discount: 0.0,
            max_cycles: 100,
            span: Span::new(
                block.span.file,
                block.span.start as usize,
                block.span.start as usize + 9,
            ),
        };
        let mut seen: HashMap<(&str, Option<SegmentId>), Span> = HashMap::default();
        // Unqualified lines first, then `for` lines over them (the line naming a segment wins).
        let mut named: Vec<(SegmentId, bool, Comeback)> = Vec::new();
        for a in &block.attrs {
            let keyword = a.keyword();
            let mut targets: Vec<Option<SegmentId>> = Vec::new();
            if a.segments().is_empty() {
                targets.push(None);
            }
            for n in a.segments() {
                match self.segment_ix.get(&n.text) {
                    Some(&s) => targets.push(Some(s)),
                    None => self.unknown("segment", n, scope.seg_names),
                }
            }
            targets.retain(|&s| match seen.get(&(keyword, s)) {
                Some(&first) => {
                    let whose = match s {
                        Some(s) => {
                            format!("the lifecycle for segment `{}`", scope.segments[s].name)
                        }
                        None => "the lifecycle".to_string(),
                    };
                    self.stated_twice(keyword, &whose, a.span(), first);
                    false
                }
                None => {
                    seen.insert((keyword, s), a.span());
                    true
                }
            });
            match a {
                ast::LifecycleAttr::Repeat(c) | ast::LifecycleAttr::Winback(c) => {
                    let Some(comeback) = self.comeback(c) else {
                        continue;
                    };
                    let repeat = matches!(a, ast::LifecycleAttr::Repeat(_));
                    for s in targets {
                        match s {
                            Some(s) => named.push((s, repeat, comeback)),
                            None if repeat => life.repeat.fill(comeback),
                            None => life.winback.fill(comeback),
                        }
                    }
                }
                ast::LifecycleAttr::Discount(p, s) => {
                    let value = self.or_zero(bad_value::not_negative(p.value, *s, "discount"));
                    if !targets.is_empty() {
                        life.discount = value;
                    }
                }
                ast::LifecycleAttr::MaxCycles(n, _) => {
                    if let Ok(m) = bad_value::max_cycles(n.value, n.span).map_err(|f| self.push(f))
                        && !targets.is_empty()
                    {
                        life.max_cycles = m;
                    }
                }
            }
        }
        for (s, repeat, comeback) in named {
            match repeat {
                true => life.repeat[s] = comeback,
                false => life.winback[s] = comeback,
            }
        }
        Some(life)
    }

    /// A `repeat` or `winback` line's chance (J0201) and delay (J0205); `None` when wrong.
    fn comeback(&mut self, c: &ast::Comeback) -> Option<Comeback> {
        let before = self.findings.len();
        let chance = self.prob(&c.chance, "chance of another cycle");
        let after = match &c.after {
            None => Duration::default(),
            Some((lo, hi)) => {
                let min = self.time(lo.seconds, lo.span, "delay");
                let max = match hi {
                    Some(hi) => self.time(hi.seconds, hi.span, "delay"),
                    None => min,
                };
                if self.findings.len() == before && max < min {
                    let hi = hi.as_ref().expect("a range has two ends");
                    self.push(bad_value::backwards_range(lo.span.to(hi.span)));
                }
                Duration { min, max }
            }
        };
        (self.findings.len() == before).then_some(Comeback { chance, after })
    }

    /// The change an attribute line makes to a visit, its values checked (J0201, J0205);
    /// `None` when a value is wrong (already reported) or the line is not a visit attribute.
    fn change(&mut self, a: &TouchpointAttr) -> Option<Change> {
        let before = self.findings.len();
        let change = match a {
            TouchpointAttr::Duration(lo, hi, _) => {
                let min = self.time(lo.seconds, lo.span, "duration");
                let max = match hi {
                    Some(hi) => self.time(hi.seconds, hi.span, "duration"),
                    None => min,
                };
                if self.findings.len() > before {
                    return None; // a negative or too long end, reported
                }
                if max < min {
                    let hi = hi.as_ref().expect("a range has two ends");
                    self.push(bad_value::backwards_range(lo.span.to(hi.span)));
                    return None;
                }
                Change::Duration(Duration { min, max })
            }
            TouchpointAttr::Friction(p, _, _) => Change::Friction(self.prob(p, "friction")),
            TouchpointAttr::Emotion(e, s) => match bad_value::emotion(*e, *s) {
                Ok(e) => Change::Emotion(e),
                Err(f) => {
                    self.push(f);
                    return None;
                }
            },
            TouchpointAttr::Cost(n, _) => Change::Cost(self.money(n.value, n.span, "cost")),
            TouchpointAttr::Goal(_, value, _) => Change::Value(match value {
                Some(v) => self.money(v.value, v.span, "goal value"),
                None => 0.0,
            }),
            TouchpointAttr::Csat(p, q, _) => {
                let base = self.prob(p, "csat");
                let pain = q
                    .as_ref()
                    .map_or(base, |q| self.prob(q, "csat after a pain point"));
                Change::Csat(Score { base, pain })
            }
            TouchpointAttr::Effort(n, m, _) => {
                let base = self.effort(n);
                let pain = m.as_ref().map_or(base, |m| self.effort(m));
                Change::Effort(Score { base, pain })
            }
            _ => return None,
        };
        (self.findings.len() == before).then_some(change)
    }

    /// An effort amount: 0 or more, at most [`limits::MONEY`] (J0205).
    fn effort(&mut self, n: &ast::Number) -> f64 {
        self.or_zero(bad_value::effort(n.value, n.span))
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
        let mut duplicates: HashSet<(usize, usize)> = HashSet::default();
        let mut out = Vec::with_capacity(segments.len());
        let mut applies: Vec<usize> = Vec::with_capacity(tp.arrows.len());
        for (sid, _) in segments.iter().enumerate() {
            applies.clear();
            applies.extend((0..tp.arrows.len()).filter(|&i| {
                tp.arrows[i].segments.is_empty() || tp.arrows[i].segments.contains(&sid)
            }));
            // A touchpoint has a few arrows: a scan of those before each one costs less than
            // a table, until there are many.
            let mut seen_targets: HashMap<Target, usize> = HashMap::default();
            for (k, &i) in applies.iter().enumerate() {
                let target = tp.arrows[i].target;
                let earlier = if applies.len() <= 16 {
                    applies[..k]
                        .iter()
                        .find(|&&j| tp.arrows[j].target == target)
                        .copied()
                } else {
                    seen_targets.get(&target).copied()
                };
                if let Some(first) = earlier {
                    if duplicates.insert((first, i)) {
                        self.push(duplicate_name::same_target(
                            &tp.name,
                            tp.arrows[i].span,
                            tp.arrows[first].span,
                        ));
                    }
                } else if applies.len() > 16 {
                    seen_targets.insert(target, i);
                }
            }
            let problem = transition_sum::problem(&tp.arrows, &applies, t.name.span);
            if let Some((kind, span)) = problem {
                match problems.iter_mut().find(|p| p.0 == kind) {
                    Some(p) => p.2.push(sid),
                    None => problems.push((kind, span, vec![sid])),
                }
                out.push(Vec::new());
                continue;
            }
            let written: f64 = applies
                .iter()
                .filter_map(|&i| tp.arrows[i].probability)
                .sum();
            let rest = (1.0 - written).max(0.0);
            let mut list: Vec<Transition> = Vec::with_capacity(applies.len());
            list.extend(
                applies
                    .iter()
                    .map(|&i| Transition {
                        target: tp.arrows[i].target,
                        probability: tp.arrows[i].probability.unwrap_or(rest),
                        arrow: i,
                    })
                    .filter(|t| t.probability > 0.0),
            );
            // One list per segment and touchpoint: kept at its length, not its growth.
            list.shrink_to_fit();
            normalise_each(&mut list, |t| &mut t.probability);
            out.push(list);
        }
        for (kind, span, segs) in problems {
            let named: Vec<&str> = if segs.len() == segments.len() {
                Vec::new()
            } else {
                segs.iter().map(|&s| segments[s].name.as_str()).collect()
            };
            self.push(transition_sum::finding(
                &tp.name, &kind, span, &named, &tp.arrows,
            ));
        }
        out
    }

    /// Entry weights: the remainder rule, J0204.
    /// `entry_at`: the touchpoints that write `entry` and where, in touchpoint order (a few
    /// of a journey's touchpoints: nothing per touchpoint is allocated here).
    fn entries(
        &mut self,
        tps: &mut [Touchpoint],
        entry_at: &[(TouchpointId, Span)],
        journey_span: Span,
    ) {
        // Each entry as written (`None` weight: it takes the rest).
        let entries: Vec<(Option<f64>, Span)> = entry_at
            .iter()
            .map(|&(id, at)| ((!tps[id].entry.is_nan()).then_some(tps[id].entry), at))
            .collect();
        let problem = entry::check(&entries, journey_span);
        let problem_free = problem.is_none();
        if let Some(f) = problem {
            self.push(f);
        }
        let written: f64 = entries.iter().filter_map(|(w, _)| *w).sum();
        let rest = (1.0 - written).max(0.0);
        for t in tps.iter_mut() {
            if t.entry.is_nan() {
                t.entry = rest;
            }
        }
        if problem_free {
            let mut declared = entry_at.iter().map(|&(id, _)| id).peekable();
            let mut weights: Vec<&mut f64> = Vec::with_capacity(entry_at.len());
            for (id, t) in tps.iter_mut().enumerate() {
                if declared.next_if_eq(&id).is_some() {
                    weights.push(&mut t.entry);
                }
            }
            normalise(&mut weights);
        }
    }

    fn triggers(&mut self, items: &[&Item], scope: &Scope) -> Vec<Trigger> {
        let Scope {
            channels,
            tp_index,
            tp_names,
            ..
        } = *scope;
        let mut out: Vec<Trigger> = Vec::new();
        let mut declared: HashMap<&str, Span> = HashMap::default();
        for item in items {
            let Item::Trigger(t) = item else { continue };
            if let Some(&first) = declared.get(t.name.text.as_str()) {
                self.declared_twice("trigger", &t.name.text, t.name.span, first);
                continue;
            }
            let owner = format!("trigger `{}`", t.name.text);
            let mut seen: HashMap<&str, Span> = HashMap::default();
            let (mut event, mut at, mut after, mut via, mut limit, mut target, mut probability) =
                (None, Vec::new(), 0.0, None, 1u32, None, 1.0);
            let mut on_span = t.name.span;
            let mut ok = true;
            for a in &t.attrs {
                if let Some(first) = seen.get(a.keyword()) {
                    self.stated_twice(a.keyword(), &owner, a.span(), *first);
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
                    TriggerAttr::Limit(n, _) => match bad_value::trigger_limit(n.value, n.span) {
                        Ok(l) => limit = l,
                        Err(f) => self.push(f),
                    },
                    TriggerAttr::Arrow(arrow) => {
                        if let Some(p) = &arrow.probability {
                            probability = self.prob(p, "return chance");
                        }
                        if !arrow.segments.is_empty() {
                            self.push(bad_value::return_for_segments(arrow.span));
                        }
                        match &arrow.target {
                            TargetName::Exit(s) => {
                                ok = false;
                                self.push(bad_value::return_to_exit(*s));
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
                self.push(syntax::incomplete_trigger(&t.name, &missing));
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

    /// The `objective` line (at most one, J0102), its metric read as a KPI's.
    fn objective(
        &mut self,
        items: &[&Item],
        touchpoints: &[Touchpoint],
        goals: &[Goal],
        primary: Option<GoalId>,
        scope: &Scope,
    ) -> Option<Objective> {
        let mut found: Option<&ast::Objective> = None;
        for item in items {
            let Item::Objective(o) = item else { continue };
            match found {
                Some(first) => self.stated_twice("objective", "the journey", o.span, first.span),
                None => found = Some(o),
            }
        }
        let o = found?;
        let line = ast::Kpi {
            metric: o.metric.clone(),
            argument: o.argument.clone(),
            segment: None,
            comparison: ast::Name {
                text: ">=".into(),
                span: o.span,
            },
            value: KpiValue::Number(0.0, o.span),
            value_text: "0".into(),
            span: o.span,
        };
        let kpi = self
            .kpis(
                &[&line],
                Purpose::Objective,
                touchpoints,
                goals,
                primary,
                scope,
            )
            .pop()?;
        let mut metric = o.metric.text.clone();
        if let Some(a) = &o.argument {
            metric = format!("{metric}({})", a.text);
        }
        let direction = if o.maximize { "maximize" } else { "minimize" };
        Some(Objective {
            maximize: o.maximize,
            metric: kpi.metric,
            text: format!("{direction} {metric}"),
            span: o.span,
        })
    }

    /// `kpi` lines, or (`purpose`) `constraint` lines or the `objective` read as one.
    fn kpis(
        &mut self,
        lines: &[&ast::Kpi],
        purpose: Purpose,
        touchpoints: &[Touchpoint],
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
        .chain(figure::SCORES.iter().map(|m| m.info().name))
        .chain(figure::LIFETIME.iter().map(|m| m.info().name))
        .chain(["retention"])
        .chain(["time_to_convert"])
        .collect();
        let goal_names: Vec<&str> = goals.iter().map(|g| g.name.as_str()).collect();
        // Whether a touchpoint rates visits of some segment (`csat`, `effort`).
        let rated = |t: TouchpointId, rates: fn(&Visit) -> bool| {
            let tp = &touchpoints[t];
            rates(&tp.unqualified()) || tp.by_segment.iter().any(rates)
        };
        let any_rated = |rates: &dyn Fn(&Visit) -> bool| {
            touchpoints
                .iter()
                .any(|tp| rates(&tp.unqualified()) || tp.by_segment.iter().any(rates))
        };
        let mut out = Vec::new();
        let mut texts: HashSet<String> = HashSet::default();
        for &k in lines {
            let m = k.metric.text.as_str();
            let arg = k.argument.as_ref();
            let needs_arg = |this: &mut Self, what: &str| {
                this.push(unknown_name::needs_argument(m, k.metric.span, what));
            };
            // The metric, and one of its kind for the unit of its target.
            let (metric, kind) = match m {
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
                                self.push(unknown_name::conversion_without_goal(k.metric.span));
                            }
                            primary
                        }
                    };
                    (g.map(Metric::Conversion), Metric::Conversion(0))
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
                        Metric::Reach(0),
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
                        self.push(unknown_name::time_without_goal(k.metric.span));
                    }
                    (
                        ok.then_some(Metric::TimeToConvert(stat)),
                        Metric::TimeToConvert(stat),
                    )
                }
                "retention" => {
                    let k = match arg {
                        Some(a) => match bad_value::retention_k(&a.text, a.span) {
                            Ok(k) => Some(k),
                            Err(f) => {
                                self.push(f);
                                None
                            }
                        },
                        None => {
                            needs_arg(self, "number of purchases");
                            None
                        }
                    };
                    (k.map(Metric::Retention), Metric::Retention(1))
                }
                "csat" if arg.is_some() => {
                    let a = arg.expect("just matched");
                    let t = tp_index.get(a.text.as_str()).copied();
                    match t {
                        None => self.unknown("touchpoint", a, tp_names),
                        Some(t) if !rated(t, |v| v.csat.is_some()) => {
                            self.push(bad_value::unrated("csat", Some(a), a.span));
                        }
                        Some(_) => {}
                    }
                    (
                        t.filter(|&t| rated(t, |v| v.csat.is_some()))
                            .map(Metric::CsatAt),
                        Metric::CsatAt(0),
                    )
                }
                _ if let Some(plain) = Metric::plain(m) => {
                    let unrated = match plain {
                        Metric::Csat => !any_rated(&|v: &Visit| v.csat.is_some()),
                        Metric::Effort | Metric::Ces => !any_rated(&|v: &Visit| v.effort.is_some()),
                        _ => false,
                    };
                    if unrated {
                        self.push(bad_value::unrated(m, None, k.metric.span));
                        continue;
                    }
                    if let Some(a) = arg {
                        self.push(unknown_name::takes_no_argument(m, a.span));
                    }
                    (Some(plain), plain)
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
            let unit = TargetUnit::of(kind.info().unit);
            let target = match (unit, k.value) {
                (TargetUnit::Rate, KpiValue::Percent(v, s) | KpiValue::Number(v, s)) => {
                    let p = ast::Probability {
                        value: v,
                        percent: matches!(k.value, KpiValue::Percent(..)),
                        span: s,
                    };
                    match probability_range::check(&p, "the target") {
                        Ok(v) => v,
                        Err(f) => {
                            self.push(f);
                            continue;
                        }
                    }
                }
                (TargetUnit::Time, KpiValue::Duration(v, s)) => self.time(v, s, "target duration"),
                (TargetUnit::Plain, KpiValue::Number(v, _)) => v,
                (unit, value) => {
                    self.push(bad_value::kpi_unit(m, unit, &value));
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
            if purpose != Purpose::Kpi && !metric.is_expectation() {
                self.push(bad_value::not_an_expectation(
                    purpose.keyword(),
                    m,
                    k.metric.span,
                ));
                continue;
            }
            let text = kpi_text(k);
            if purpose != Purpose::Objective && !texts.insert(text.clone()) {
                self.push(duplicate_name::kpi_twice(&text, k.span));
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

/// What a metric line is read for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Purpose {
    Kpi,
    Constraint,
    Objective,
}

impl Purpose {
    fn keyword(self) -> &'static str {
        match self {
            Purpose::Kpi => "kpi",
            Purpose::Constraint => "constraint",
            Purpose::Objective => "objective",
        }
    }
}

/// What one attribute line does to a visit.
#[derive(Copy, Clone, Debug)]
enum Change {
    Duration(Duration),
    Friction(f64),
    Emotion(i32),
    Cost(f64),
    Value(f64),
    Csat(Score),
    Effort(Score),
}

impl Change {
    fn apply(self, v: &mut Visit) {
        match self {
            Change::Duration(d) => v.duration = d,
            Change::Friction(f) => v.friction = f,
            Change::Emotion(e) => v.emotion = e,
            Change::Cost(c) => v.cost = c,
            Change::Value(x) => v.value = x,
            Change::Csat(s) => v.csat = Some(s),
            Change::Effort(s) => v.effort = Some(s),
        }
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

/// A number without trailing zeros: `35`, `12.5`, `0.333333`.
pub fn trim(v: f64) -> String {
    super::figure::trimmed(v, 6)
}

/// The keywords a touchpoint has stated, each with its first line's span: at most one entry
/// per attribute keyword (fewer than [`Stated::CAP`]), kept in an array.
#[derive(Default)]
struct Stated {
    entries: [(&'static str, Span); Stated::CAP],
    len: usize,
}

impl Stated {
    const CAP: usize = 24;

    fn get(&self, keyword: &str) -> Option<Span> {
        self.entries[..self.len]
            .iter()
            .find(|(k, _)| *k == keyword)
            .map(|&(_, s)| s)
    }

    fn insert(&mut self, keyword: &'static str, span: Span) {
        if let Some(slot) = self.entries.get_mut(self.len) {
            *slot = (keyword, span);
            self.len += 1;
        }
    }
}
