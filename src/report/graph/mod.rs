//! The journey as a picture (`journeyc graph`): what is drawn, decided once, then printed by
//! one renderer per format — [`dot`] (Graphviz) and [`mermaid`].
//!
//! [`Graph::new`] turns a resolved [`Journey`] and the findings about it into a neutral
//! description: one cluster per stage in lifecycle order, one node per touchpoint (channel by
//! colour from [`PALETTE`], channel kind by shape, goals and moments of truth marked), a start
//! node with the entry weights, one `exit` node per stage that customers leave from, the
//! transitions labelled per segment ([`segment_label`]), triggers as dashed edges, findings
//! attached to what they are about, and a legend. The renderers only spell that description in
//! their syntax and escape the user's text; they decide nothing.
//!
//! Every list here is in written order, so the output is the same from run to run.

pub mod dot;
pub mod mermaid;

use crate::diagnostic::{Finding, Level};
use crate::model::{ChannelId, ChannelKind, Journey, Target, TouchpointId, TriggerEvent};
use crate::rules::Rule;
use crate::source::Span;
use std::borrow::Borrow;

/// Fill colours of the channels, indexed by the channel's position in the journey (libraries'
/// channels first, then the journey's, as written), cycling past the tenth. Light tones, so
/// that black text stays readable, and no red, which marks findings; the index does not depend on which channels a scenario
/// uses, so a channel keeps its colour from baseline to scenario.
pub const PALETTE: [&str; 10] = [
    "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#9edae5", "#dbdb8d", "#f7b6d2", "#c49c94",
    "#ffe08a", "#c7c7c7",
];

/// Outline and text colour of whatever carries a finding.
pub const FINDING_COLOUR: &str = "#d62728";

/// Colour of trigger edges.
pub const TRIGGER_COLOUR: &str = "#1f77b4";

/// Node id of the start node that the entry edges leave from.
pub const START_ID: &str = "journey_start";

/// Node id of the legend's key (what the marks mean).
pub const KEY_ID: &str = "legend_key";

/// Mark on a moment of truth's first line.
pub const MOMENT_OF_TRUTH_MARK: &str = "★";
/// Mark on a goal's line.
pub const GOAL_MARK: &str = "⚑";
/// Mark on the line listing finding codes.
pub const FINDING_MARK: &str = "⚠";

/// The fill colour of a channel.
pub fn colour(channel: ChannelId) -> &'static str {
    PALETTE[channel % PALETTE.len()]
}

/// A probability as a percentage, at most two decimals: `35%`, `12.5%`, `33.33%`; a positive
/// probability too small to show is `<0.01%`, never `0%`.
pub fn percent(p: f64) -> String {
    if p > 0.0 && p * 100.0 < 0.005 {
        return "<0.01%".into();
    }
    format!("{}%", crate::model::figure::trimmed(p * 100.0, 2))
}

/// Two probabilities closer than this are the same for labelling: the remainder rule leaves
/// float noise (`1 - 0.35 - 0.10`), which must not make segments look different.
const SAME: f64 = 1e-9;

/// The label of an edge from per-segment probabilities (`None`: the edge does not exist for
/// that segment). When every segment has it with one probability, just that: `35%`.
/// Otherwise the segments that have it, in segment order, those with equal probabilities
/// grouped: `bargain 55% / loyal 65%`, `traditional, small_business 10%`. `None` when no
/// segment has the edge.
pub fn segment_label(names: &[&str], probabilities: &[Option<f64>]) -> Option<String> {
    let present: Vec<(usize, f64)> = probabilities
        .iter()
        .enumerate()
        .filter_map(|(s, p)| p.map(|p| (s, p)))
        .collect();
    let (_, first) = *present.first()?;
    if present.len() == probabilities.len() && present.iter().all(|&(_, p)| same(p, first)) {
        return Some(percent(first));
    }
    let mut grouped = vec![false; present.len()];
    let mut parts = Vec::new();
    for i in 0..present.len() {
        if grouped[i] {
            continue;
        }
        let p = present[i].1;
        let mut who = Vec::new();
        for k in i..present.len() {
            if !grouped[k] && same(present[k].1, p) {
                grouped[k] = true;
                who.push(names[present[k].0]);
            }
        }
        parts.push(format!("{} {}", who.join(", "), percent(p)));
    }
    Some(parts.join(" / "))
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= SAME
}

/// Findings attached to one thing that is drawn (a touchpoint, an edge, a stage).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Marks {
    /// Rule codes, sorted, each once: `J0402`.
    pub codes: Vec<&'static str>,
    /// One line per finding: `J0402: <message>`, each once, in finding order.
    pub messages: Vec<String>,
    /// True when one of the findings is at error level.
    pub error: bool,
}

impl Marks {
    /// True when nothing is attached.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Attaches a finding.
    pub fn add(&mut self, f: &Finding) {
        let code = f.rule.code();
        if let Err(at) = self.codes.binary_search(&code) {
            self.codes.insert(at, code);
        }
        let line = format!("{code}: {}", f.message);
        if !self.messages.contains(&line) {
            self.messages.push(line);
        }
        self.error |= f.level == Level::Error;
    }

    /// Attaches everything `other` holds.
    fn merge(&mut self, other: &Marks) {
        for code in &other.codes {
            if let Err(at) = self.codes.binary_search(code) {
                self.codes.insert(at, code);
            }
        }
        for m in &other.messages {
            if !self.messages.contains(m) {
                self.messages.push(m.clone());
            }
        }
        self.error |= other.error;
    }

    /// The label line naming the codes, `⚠ J0301, J0304`; `None` when empty.
    pub fn line(&self) -> Option<String> {
        (!self.is_empty()).then(|| format!("{FINDING_MARK} {}", self.codes.join(", ")))
    }
}

/// A stage: a cluster of touchpoint nodes, and its exit node when customers leave from it.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// Identifier, `stage_<name>` (DOT prefixes `cluster_`, which makes it a cluster).
    pub id: String,
    /// Title lines: the label, then the name when it differs, then the finding codes.
    pub title: Vec<String>,
    /// Its touchpoints, in written order (indices into [`Graph::nodes`]).
    pub nodes: Vec<TouchpointId>,
    /// Id of its exit node, `exit_<stage>`, when an edge leads there.
    pub exit: Option<String>,
    /// Findings about the stage (channel gaps…).
    pub marks: Marks,
}

/// A touchpoint's node.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Identifier, `tp_<name>`: never a DOT or Mermaid keyword.
    pub id: String,
    /// Label lines, unescaped: `[★ ]label`, `[name · ]channel`, `friction P` when above 0,
    /// `⚑ goal[ · value N]`, `⚠ codes`.
    pub lines: Vec<String>,
    /// Its channel (fill colour, see [`colour`]).
    pub channel: ChannelId,
    /// The channel's kind (shape).
    pub kind: ChannelKind,
    /// Reaching it achieves a goal.
    pub goal: bool,
    /// `moment_of_truth`.
    pub moment_of_truth: bool,
    /// Findings about the touchpoint itself.
    pub marks: Marks,
}

/// What an edge stands for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// From the start node to an entry, labelled with the entry weight.
    Entry,
    /// A transition to a touchpoint.
    Transition,
    /// A transition to `exit` (to the stage's exit node).
    Exit,
    /// A trigger: from a watched touchpoint to where a returning customer arrives.
    Trigger,
}

/// An edge.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// Source node id.
    pub from: String,
    /// Target node id.
    pub to: String,
    /// Label lines, unescaped: the probability (per segment when they differ), then codes.
    pub lines: Vec<String>,
    /// What it stands for.
    pub kind: EdgeKind,
    /// Findings about the transitions or the trigger it draws.
    pub marks: Marks,
}

/// A legend entry: one channel, drawn as its touchpoints are.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendEntry {
    /// Identifier, `legend_ch_<channel>`.
    pub id: String,
    /// The channel.
    pub channel: ChannelId,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: ChannelKind,
}

impl LegendEntry {
    /// Label lines: the name, then the kind.
    pub fn lines(&self) -> Vec<String> {
        let kind = match self.kind {
            ChannelKind::Digital => "digital",
            ChannelKind::Physical => "physical",
            ChannelKind::Human => "human",
        };
        vec![self.name.clone(), kind.to_string()]
    }
}

/// The whole picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// The journey's name (DOT graph id).
    pub name: String,
    /// Title lines: `label (name)`, then `scenario: label (name)` when one is applied.
    pub title: Vec<String>,
    /// Stages in lifecycle order.
    pub clusters: Vec<Cluster>,
    /// Touchpoint nodes, indexed by [`TouchpointId`].
    pub nodes: Vec<Node>,
    /// Entries, then each touchpoint's transitions (targets in written order), then triggers.
    pub edges: Vec<Edge>,
    /// Channels used by a touchpoint or a trigger, in channel order.
    pub legend: Vec<LegendEntry>,
    /// What the marks mean: one line per kind of mark the picture holds.
    pub key: Vec<String>,
}

/// What a finding's primary span is about.
#[derive(Copy, Clone, Debug)]
enum Subject {
    /// A touchpoint's name, channel or friction.
    Touchpoint(TouchpointId),
    /// One of a touchpoint's written transitions.
    Arrow(TouchpointId, usize),
    /// A goal (all touchpoints achieving it).
    Goal(usize),
    /// A stage.
    Stage(usize),
    /// A trigger (all its edges).
    Trigger(usize),
}

fn within(inner: Span, outer: Span) -> bool {
    inner.file == outer.file && outer.start <= inner.start && inner.end <= outer.end
}

/// The spans the model keeps, each with what it belongs to, sorted by position: finding what a
/// span is about costs a binary search, not a pass over the journey (a journey of 20,000
/// touchpoints has as many context breaks).
struct Spans(Vec<(Span, Subject)>);

impl Spans {
    fn new(j: &Journey) -> Spans {
        let mut all = Vec::new();
        for (t, tp) in j.touchpoints.iter().enumerate() {
            let own = [Some(tp.span), Some(tp.channel_span), tp.friction_span];
            all.extend(
                own.into_iter()
                    .flatten()
                    .map(|s| (s, Subject::Touchpoint(t))),
            );
            all.extend(
                tp.arrows
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (a.span, Subject::Arrow(t, i))),
            );
        }
        all.extend(
            j.goals
                .iter()
                .enumerate()
                .map(|(g, x)| (x.span, Subject::Goal(g))),
        );
        all.extend(
            j.stages
                .iter()
                .enumerate()
                .map(|(s, x)| (x.span, Subject::Stage(s))),
        );
        for (k, t) in j.triggers.iter().enumerate() {
            all.extend([
                (t.span, Subject::Trigger(k)),
                (t.on_span, Subject::Trigger(k)),
            ]);
        }
        // By position; among spans starting together the outermost first, so that the search
        // below, walking backwards, meets the innermost first.
        all.sort_by_key(|(s, _)| (s.file, s.start, std::cmp::Reverse(s.end)));
        Spans(all)
    }

    /// What `span` is about: the innermost kept span containing it.
    fn subject(&self, span: Span) -> Option<Subject> {
        let key = (span.file, span.start);
        let before = self.0.partition_point(|(s, _)| (s.file, s.start) <= key);
        // Kept spans do not overlap but may nest, so the nearest one starting before `span`
        // is the innermost candidate; only a span in none of them walks further back.
        self.0[..before]
            .iter()
            .rev()
            .take_while(|(s, _)| s.file == span.file)
            .find(|(s, _)| within(span, *s))
            .map(|&(_, subject)| subject)
    }
}

/// Findings sorted by what they are about.
struct Attached {
    touchpoints: Vec<Marks>,
    arrows: Vec<Vec<Marks>>,
    stages: Vec<Marks>,
    triggers: Vec<Marks>,
}

impl Attached {
    fn new<F: Borrow<Finding>>(j: &Journey, findings: impl IntoIterator<Item = F>) -> Attached {
        let spans = Spans::new(j);
        let mut a = Attached {
            touchpoints: vec![Marks::default(); j.touchpoints.len()],
            arrows: j
                .touchpoints
                .iter()
                .map(|t| vec![Marks::default(); t.arrows.len()])
                .collect(),
            stages: vec![Marks::default(); j.stages.len()],
            triggers: vec![Marks::default(); j.triggers.len()],
        };
        for f in findings {
            let f = f.borrow();
            // A trap is about every touchpoint of its loop; the others are its secondary spans.
            if f.rule == Rule::Trap {
                for label in &f.secondary {
                    if let Some(Subject::Touchpoint(t)) = spans.subject(label.span) {
                        a.touchpoints[t].add(f);
                    }
                }
            }
            match spans.subject(f.primary.span) {
                Some(Subject::Touchpoint(t)) => a.touchpoints[t].add(f),
                Some(Subject::Arrow(t, i)) => a.arrows[t][i].add(f),
                Some(Subject::Goal(g)) => {
                    for &t in &j.goals[g].touchpoints {
                        a.touchpoints[t].add(f);
                    }
                }
                Some(Subject::Stage(s)) => a.stages[s].add(f),
                Some(Subject::Trigger(t)) => a.triggers[t].add(f),
                None => {} // a channel, a KPI, the journey: nothing drawn stands for it
            }
        }
        a
    }
}

/// `label (name)`, or the name alone when they are the same.
fn named(label: &str, name: &str) -> String {
    if label == name {
        name.to_string()
    } else {
        format!("{label} ({name})")
    }
}

impl Graph {
    /// Describes `journey`, attaching `findings` (those to show: the caller filters levels) to
    /// the touchpoints, transitions, stages and triggers their primary spans point at. Given by
    /// value, each finding is dropped as soon as it is attached, so that a large journey's
    /// findings and its picture are not in memory together.
    pub fn new<F: Borrow<Finding>>(
        journey: &Journey,
        findings: impl IntoIterator<Item = F>,
    ) -> Graph {
        let j = journey;
        let mut attached = Attached::new(j, findings);
        let segment_names: Vec<&str> = j.segments.iter().map(|s| s.name.as_str()).collect();

        let mut edges = Vec::new();
        for (t, weight) in j.entries() {
            edges.push(Edge {
                from: START_ID.into(),
                to: node_id(&j.touchpoints[t].name),
                lines: vec![percent(weight)],
                kind: EdgeKind::Entry,
                marks: Marks::default(),
            });
        }
        let mut leaves = vec![false; j.stages.len()];
        for (t, tp) in j.touchpoints.iter().enumerate() {
            // Targets in the order their first arrow is written.
            let mut targets: Vec<Target> = Vec::new();
            for a in &tp.arrows {
                if !targets.contains(&a.target) {
                    targets.push(a.target);
                }
            }
            for target in targets {
                let probabilities: Vec<Option<f64>> = tp
                    .transitions
                    .iter()
                    .map(|ts| {
                        let mut hit = ts.iter().filter(|x| x.target == target).peekable();
                        hit.peek()?;
                        Some(hit.map(|x| x.probability).sum())
                    })
                    .collect();
                let mut marks = Marks::default();
                for (i, a) in tp.arrows.iter().enumerate() {
                    if a.target == target {
                        marks.merge(&attached.arrows[t][i]);
                    }
                }
                let Some(label) = segment_label(&segment_names, &probabilities) else {
                    // 0% for everyone counts as absent: nothing drawn, so the node carries it.
                    attached.touchpoints[t].merge(&marks);
                    continue;
                };
                let (to, kind) = match target {
                    Target::Touchpoint(to) => {
                        (node_id(&j.touchpoints[to].name), EdgeKind::Transition)
                    }
                    Target::Exit => {
                        leaves[tp.stage] = true;
                        (exit_id(&j.stages[tp.stage].name), EdgeKind::Exit)
                    }
                };
                let mut lines = vec![label];
                lines.extend(marks.line());
                edges.push(Edge {
                    from: node_id(&tp.name),
                    to,
                    lines,
                    kind,
                    marks,
                });
            }
        }
        for (k, trigger) in j.triggers.iter().enumerate() {
            let event = match trigger.event {
                TriggerEvent::Abandon => "abandon",
                TriggerEvent::Exit => "exit",
            };
            let text = format!(
                "{}: on {event}, returns {}",
                trigger.name,
                percent(trigger.probability)
            );
            let marks = &attached.triggers[k];
            let mut watched: Vec<TouchpointId> = Vec::new();
            for &at in &trigger.at {
                if !watched.contains(&at) {
                    watched.push(at);
                }
            }
            for at in watched {
                let mut lines = vec![text.clone()];
                lines.extend(marks.line());
                edges.push(Edge {
                    from: node_id(&j.touchpoints[at].name),
                    to: node_id(&j.touchpoints[trigger.target].name),
                    lines,
                    kind: EdgeKind::Trigger,
                    marks: marks.clone(),
                });
            }
        }

        let nodes: Vec<Node> = j
            .touchpoints
            .iter()
            .zip(&attached.touchpoints)
            .map(|(tp, marks)| {
                let channel = &j.channels[tp.channel];
                let mut lines = vec![if tp.moment_of_truth {
                    format!("{MOMENT_OF_TRUTH_MARK} {}", tp.label)
                } else {
                    tp.label.clone()
                }];
                lines.push(if tp.name == tp.label {
                    channel.name.clone()
                } else {
                    format!("{} · {}", tp.name, channel.name)
                });
                // Per-segment values that differ from the unqualified line (LANGUAGE-2.md §1).
                let differing = |of: fn(&crate::model::Visit) -> f64, show: fn(f64) -> String| {
                    let everyone = of(&tp.unqualified());
                    j.segments
                        .iter()
                        .zip(&tp.by_segment)
                        .filter(|(_, v)| of(v) != everyone)
                        .map(|(s, v)| format!(" · {} {}", s.name, show(of(v))))
                        .collect::<String>()
                };
                let frictions = differing(|v| v.friction, percent);
                if tp.friction > 0.0 || !frictions.is_empty() {
                    lines.push(format!("friction {}{frictions}", percent(tp.friction)));
                }
                if let Some(g) = tp.goal {
                    let mut line = format!("{GOAL_MARK} {}", j.goals[g.goal].name);
                    let values = differing(|v| v.value, crate::model::trim);
                    if g.value != 0.0 || !values.is_empty() {
                        line.push_str(&format!(" · value {}{values}", crate::model::trim(g.value)));
                    }
                    lines.push(line);
                }
                // Options (LANGUAGE-2.md §4): every choice, ✓ on those in force, with the
                // segments that get it when not all do.
                if !tp.choices.is_empty() {
                    let parts: Vec<String> = tp
                        .choices
                        .iter()
                        .enumerate()
                        .map(|(k, c)| {
                            let users: Vec<&str> = j
                                .segments
                                .iter()
                                .enumerate()
                                .filter(|(s, _)| tp.policy.get(*s) == Some(&k))
                                .map(|(_, seg)| seg.name.as_str())
                                .collect();
                            if users.len() == j.segments.len() {
                                format!("{} ✓", c.name)
                            } else if users.is_empty() {
                                c.name.clone()
                            } else {
                                format!("{} ✓ {}", c.name, users.join(", "))
                            }
                        })
                        .collect();
                    lines.push(format!("options: {}", parts.join(" · ")));
                }
                lines.extend(marks.line());
                Node {
                    id: node_id(&tp.name),
                    lines,
                    channel: tp.channel,
                    kind: channel.kind,
                    goal: tp.goal.is_some(),
                    moment_of_truth: tp.moment_of_truth,
                    marks: marks.clone(),
                }
            })
            .collect();

        let clusters: Vec<Cluster> = j
            .stages
            .iter()
            .zip(&attached.stages)
            .zip(&leaves)
            .map(|((stage, marks), &leaves)| {
                let mut title = vec![named(&stage.label, &stage.name)];
                title.extend(marks.line());
                Cluster {
                    id: format!("stage_{}", stage.name),
                    title,
                    nodes: stage.touchpoints.clone(),
                    exit: leaves.then(|| exit_id(&stage.name)),
                    marks: marks.clone(),
                }
            })
            .collect();

        let mut used = vec![false; j.channels.len()];
        for tp in &j.touchpoints {
            used[tp.channel] = true;
        }
        for t in &j.triggers {
            used[t.via] = true;
        }
        let legend = j
            .channels
            .iter()
            .enumerate()
            .filter(|&(c, _)| used[c])
            .map(|(c, ch)| LegendEntry {
                id: format!("legend_ch_{}", ch.name),
                channel: c,
                name: ch.name.clone(),
                kind: ch.kind,
            })
            .collect();

        let mut title = vec![named(&j.label, &j.name)];
        if let Some(s) = &j.scenario {
            let label = j
                .scenarios
                .iter()
                .find(|i| &i.name == s)
                .map_or(s.as_str(), |i| i.label.as_str());
            title.push(format!("scenario: {}", named(label, s)));
        }

        let key = key(j, &nodes, &edges, &clusters);
        Graph {
            name: j.name.clone(),
            title,
            clusters,
            nodes,
            edges,
            legend,
            key,
        }
    }
}

/// The legend's key: one line for each kind of mark the picture holds.
fn key(j: &Journey, nodes: &[Node], edges: &[Edge], clusters: &[Cluster]) -> Vec<String> {
    let mut key = vec!["start → entry: entry weight".to_string()];
    let segmented = j.segments.len() > 1;
    key.push(if segmented {
        "arrow: chance to move on, per segment when they differ".into()
    } else {
        "arrow: chance to move on".into()
    });
    if nodes.iter().any(|n| n.moment_of_truth) {
        key.push(format!(
            "{MOMENT_OF_TRUTH_MARK} moment of truth (thick border)"
        ));
    }
    if nodes.iter().any(|n| n.goal) {
        key.push(format!("{GOAL_MARK} goal · value per visit"));
    }
    if clusters.iter().any(|c| c.exit.is_some()) {
        key.push("exit: customers leave (one per stage)".into());
    }
    if edges.iter().any(|e| e.kind == EdgeKind::Trigger) {
        key.push("dashed: trigger, event, chance to return".into());
    }
    let marked = nodes.iter().any(|n| !n.marks.is_empty())
        || edges.iter().any(|e| !e.marks.is_empty())
        || clusters.iter().any(|c| !c.marks.is_empty());
    if marked {
        key.push(format!(
            "{FINDING_MARK} red: findings (journeyc check; journeyc explain CODE)"
        ));
    }
    key
}

/// A touchpoint's node id: `tp_` keeps it clear of every DOT and Mermaid keyword.
pub fn node_id(name: &str) -> String {
    format!("tp_{name}")
}

/// A stage's exit node id.
pub fn exit_id(stage: &str) -> String {
    format!("exit_{stage}")
}

/// Replaces control characters (a label is one line, but a file may hold a tab) by spaces.
pub(crate) fn one_line(c: char) -> Option<char> {
    c.is_control().then_some(' ')
}

#[cfg(test)]
mod tests;
