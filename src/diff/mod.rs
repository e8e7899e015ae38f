//! Diff: what changed between two versions of a journey, in the journey's own vocabulary —
//! touchpoints, transitions (per segment where segments differ), probabilities, segments,
//! channels, triggers, KPIs added, removed or changed. Items are matched by name.
//! (`journeyc diff` adds the findings that appear or disappear and the simulated and exact
//! effect, through [`crate::compare`].)

use crate::model::{Journey, Target, Touchpoint, format_duration};
use std::fmt::Display;

/// What happened to an item.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// New in the new version.
    Added,
    /// Gone from the new version.
    Removed,
    /// In both, with something different.
    Changed,
}

impl Kind {
    /// The mark `journeyc diff` writes before a change: `+` added, `-` removed, `~` changed.
    pub fn mark(self) -> &'static str {
        match self {
            Kind::Added => "+",
            Kind::Removed => "-",
            Kind::Changed => "~",
        }
    }
}

/// One structural change.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Change {
    /// Added, removed or changed.
    pub kind: Kind,
    /// What kind of item: `touchpoint`, `transition`, `segment`, `channel`, `trigger`, `kpi`,
    /// `stage`, `journey`.
    pub item: &'static str,
    /// The sentence: ``touchpoint `checkout`: friction 25% → 5%``.
    pub text: String,
}

/// A probability as written in a journey: `35%`, `12.5%`.
fn pct(p: f64) -> String {
    format!("{}%", crate::model::figure::trimmed(p * 100.0, 4))
}

fn dur(d: crate::model::Duration) -> String {
    if d.min == d.max {
        format_duration(d.min)
    } else {
        format!("{}..{}", format_duration(d.min), format_duration(d.max))
    }
}

struct Out {
    changes: Vec<Change>,
}

impl Out {
    fn push(&mut self, kind: Kind, item: &'static str, text: String) {
        self.changes.push(Change { kind, item, text });
    }

    /// Records `name: field a → b` when `a != b`.
    fn field<T: PartialEq + Display>(
        &mut self,
        item: &'static str,
        name: &str,
        field: &str,
        a: T,
        b: T,
    ) {
        if a != b {
            self.push(
                Kind::Changed,
                item,
                format!("{item} `{name}`: {field} {a} → {b}"),
            );
        }
    }
}

/// The structural changes from `old` to `new`, in the journey's order: the journey's own
/// settings, then channels, segments, stages, touchpoints (with their transitions), triggers
/// and KPIs, each matched by name (KPIs by what they measure).
pub fn diff(old: &Journey, new: &Journey) -> Vec<Change> {
    let mut out = Out {
        changes: Vec::new(),
    };
    journey_settings(&mut out, old, new);
    channels(&mut out, old, new);
    segments(&mut out, old, new);
    stages(&mut out, old, new);
    touchpoints(&mut out, old, new);
    triggers(&mut out, old, new);
    kpis(&mut out, old, new);
    out.changes
}

/// The journey's own settings: horizon, max_steps, context loss, context channels and
/// primary goal.
fn journey_settings(out: &mut Out, old: &Journey, new: &Journey) {
    let opt_dur = |h: Option<f64>| h.map_or_else(|| "none".to_string(), format_duration);
    out.field(
        "journey",
        &new.name,
        "horizon",
        opt_dur(old.horizon),
        opt_dur(new.horizon),
    );
    out.field(
        "journey",
        &new.name,
        "max_steps",
        old.max_steps,
        new.max_steps,
    );
    out.field(
        "journey",
        &new.name,
        "context_loss",
        pct(old.context_loss),
        pct(new.context_loss),
    );
    let context = |j: &Journey| {
        let names: Vec<&str> = j
            .channels
            .iter()
            .zip(&j.in_context)
            .filter(|(_, c)| **c)
            .map(|(ch, _)| ch.name.as_str())
            .collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    out.field("journey", &new.name, "context", context(old), context(new));
    let goal = |j: &Journey| {
        j.primary_goal
            .map_or("none".to_string(), |g| j.goals[g].name.clone())
    };
    out.field("journey", &new.name, "primary goal", goal(old), goal(new));
}

/// Channels added, removed, or with another cost or kind.
fn channels(out: &mut Out, old: &Journey, new: &Journey) {
    for ch in &new.channels {
        match old.channels.iter().find(|c| c.name == ch.name) {
            None => out.push(
                Kind::Added,
                "channel",
                format!("channel `{}` added (cost {})", ch.name, ch.cost),
            ),
            Some(o) => {
                out.field("channel", &ch.name, "cost", o.cost, ch.cost);
                out.field(
                    "channel",
                    &ch.name,
                    "kind",
                    format!("{:?}", o.kind).to_lowercase(),
                    format!("{:?}", ch.kind).to_lowercase(),
                );
            }
        }
    }
    for ch in old
        .channels
        .iter()
        .filter(|c| !new.channels.iter().any(|n| n.name == c.name))
    {
        out.push(
            Kind::Removed,
            "channel",
            format!("channel `{}` removed", ch.name),
        );
    }
}

/// Segments added, removed, or with another share, patience or preferred channels.
fn segments(out: &mut Out, old: &Journey, new: &Journey) {
    for s in &new.segments {
        match old.segment(&s.name) {
            None => out.push(
                Kind::Added,
                "segment",
                format!(
                    "segment `{}` added (share {}, patience {})",
                    s.name,
                    pct(s.share),
                    pct(s.patience)
                ),
            ),
            Some(i) => {
                let o = &old.segments[i];
                out.field("segment", &s.name, "share", pct(o.share), pct(s.share));
                out.field(
                    "segment",
                    &s.name,
                    "patience",
                    pct(o.patience),
                    pct(s.patience),
                );
                let prefers = |j: &Journey, p: &[usize]| {
                    p.iter()
                        .map(|&c| j.channels[c].name.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                out.field(
                    "segment",
                    &s.name,
                    "prefers",
                    prefers(old, &o.prefers),
                    prefers(new, &s.prefers),
                );
            }
        }
    }
    for s in old
        .segments
        .iter()
        .filter(|s| new.segment(&s.name).is_none())
    {
        out.push(
            Kind::Removed,
            "segment",
            format!("segment `{}` removed", s.name),
        );
    }
}

/// Stages added or removed.
fn stages(out: &mut Out, old: &Journey, new: &Journey) {
    for s in &new.stages {
        if !old.stages.iter().any(|o| o.name == s.name) {
            out.push(Kind::Added, "stage", format!("stage `{}` added", s.name));
        }
    }
    for s in old
        .stages
        .iter()
        .filter(|o| !new.stages.iter().any(|n| n.name == o.name))
    {
        out.push(
            Kind::Removed,
            "stage",
            format!("stage `{}` removed", s.name),
        );
    }
}

/// Touchpoints added (in the new journey's stage order), changed ([`touchpoint`]) or removed.
fn touchpoints(out: &mut Out, old: &Journey, new: &Journey) {
    for tp in new
        .stages
        .iter()
        .flat_map(|s| &s.touchpoints)
        .map(|&k| &new.touchpoints[k])
    {
        match old.touchpoint(&tp.name) {
            None => out.push(
                Kind::Added,
                "touchpoint",
                format!(
                    "touchpoint `{}` added in stage `{}` on `{}`",
                    tp.name, new.stages[tp.stage].name, new.channels[tp.channel].name
                ),
            ),
            Some(k) => touchpoint(out, old, &old.touchpoints[k], new, tp),
        }
    }
    for tp in old
        .touchpoints
        .iter()
        .filter(|t| new.touchpoint(&t.name).is_none())
    {
        out.push(
            Kind::Removed,
            "touchpoint",
            format!("touchpoint `{}` removed", tp.name),
        );
    }
}

/// Triggers added, removed, or with another event, place, delay, channel, limit, target or
/// return chance.
fn triggers(out: &mut Out, old: &Journey, new: &Journey) {
    for t in &new.triggers {
        let at = |j: &Journey, at: &[usize]| {
            at.iter()
                .map(|&k| j.touchpoints[k].name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match old.triggers.iter().find(|o| o.name == t.name) {
            None => out.push(
                Kind::Added,
                "trigger",
                format!("trigger `{}` added", t.name),
            ),
            Some(o) => {
                out.field(
                    "trigger",
                    &t.name,
                    "event",
                    format!("{:?}", o.event).to_lowercase(),
                    format!("{:?}", t.event).to_lowercase(),
                );
                out.field("trigger", &t.name, "at", at(old, &o.at), at(new, &t.at));
                out.field(
                    "trigger",
                    &t.name,
                    "after",
                    format_duration(o.after),
                    format_duration(t.after),
                );
                out.field(
                    "trigger",
                    &t.name,
                    "via",
                    old.channels[o.via].name.clone(),
                    new.channels[t.via].name.clone(),
                );
                out.field("trigger", &t.name, "limit", o.limit, t.limit);
                out.field(
                    "trigger",
                    &t.name,
                    "target",
                    old.touchpoints[o.target].name.clone(),
                    new.touchpoints[t.target].name.clone(),
                );
                out.field(
                    "trigger",
                    &t.name,
                    "return chance",
                    pct(o.probability),
                    pct(t.probability),
                );
            }
        }
    }
    for t in old
        .triggers
        .iter()
        .filter(|o| !new.triggers.iter().any(|n| n.name == o.name))
    {
        out.push(
            Kind::Removed,
            "trigger",
            format!("trigger `{}` removed", t.name),
        );
    }
}

/// KPIs added, removed or restated, matched by what they measure (metric, segment,
/// comparison).
fn kpis(out: &mut Out, old: &Journey, new: &Journey) {
    let key = |j: &Journey, k: &crate::model::Kpi| {
        let seg = k
            .segment
            .map(|s| format!(" for {}", j.segments[s].name))
            .unwrap_or_default();
        format!(
            "{}{seg} {}",
            crate::model::metric_name(j, k.metric),
            k.comparison.as_str()
        )
    };
    for k in &new.kpis {
        match old.kpis.iter().find(|o| key(old, o) == key(new, k)) {
            None => out.push(Kind::Added, "kpi", format!("kpi `{}` added", k.text)),
            Some(o) if o.text != k.text => out.push(
                Kind::Changed,
                "kpi",
                format!("kpi `{}` → `{}`", o.text, k.text),
            ),
            Some(_) => {}
        }
    }
    for k in old
        .kpis
        .iter()
        .filter(|o| !new.kpis.iter().any(|n| key(new, n) == key(old, o)))
    {
        out.push(Kind::Removed, "kpi", format!("kpi `{}` removed", k.text));
    }
}

/// The changes of a touchpoint present in both versions.
fn touchpoint(out: &mut Out, old: &Journey, o: &Touchpoint, new: &Journey, n: &Touchpoint) {
    let name = &n.name;
    out.field(
        "touchpoint",
        name,
        "stage",
        old.stages[o.stage].name.clone(),
        new.stages[n.stage].name.clone(),
    );
    out.field(
        "touchpoint",
        name,
        "channel",
        old.channels[o.channel].name.clone(),
        new.channels[n.channel].name.clone(),
    );
    out.field("touchpoint", name, "entry", pct(o.entry), pct(n.entry));
    out.field(
        "touchpoint",
        name,
        "duration",
        dur(o.duration),
        dur(n.duration),
    );
    out.field(
        "touchpoint",
        name,
        "friction",
        pct(o.friction),
        pct(n.friction),
    );
    out.field(
        "touchpoint",
        name,
        "emotion",
        format!("{:+}", o.emotion),
        format!("{:+}", n.emotion),
    );
    // A cost that follows the channel's changes with the channel (reported there).
    let own = |j: &Journey, t: &Touchpoint| t.cost != j.channels[t.channel].cost;
    if own(old, o) || own(new, n) {
        out.field("touchpoint", name, "cost", o.cost, n.cost);
    }
    out.field(
        "touchpoint",
        name,
        "moment_of_truth",
        o.moment_of_truth,
        n.moment_of_truth,
    );
    let goal = |j: &Journey, t: &Touchpoint| {
        t.goal.map_or("none".to_string(), |g| {
            format!("{} value {}", j.goals[g.goal].name, g.value)
        })
    };
    out.field("touchpoint", name, "goal", goal(old, o), goal(new, n));
    transitions(out, old, o, new, n);
}

/// The transition changes of a touchpoint present in both versions, per segment (matched by
/// segment name), one line for the segments that agree.
fn transitions(out: &mut Out, old: &Journey, o: &Touchpoint, new: &Journey, n: &Touchpoint) {
    let name = &n.name;
    let target = |j: &Journey, t: Target| match t {
        Target::Exit => "exit".to_string(),
        Target::Touchpoint(k) => j.touchpoints[k].name.clone(),
    };
    let moves = |j: &Journey, t: &Touchpoint, seg: usize| -> Vec<(String, f64)> {
        t.transitions.get(seg).map_or_else(Vec::new, |ts| {
            ts.iter()
                .map(|x| (target(j, x.target), x.probability))
                .collect()
        })
    };
    // For each target: per segment (old, new) probability.
    let mut lines: Vec<(String, Vec<String>)> = Vec::new();
    for seg in &new.segments {
        let Some(so) = old.segment(&seg.name) else {
            continue;
        };
        let sn = new.segment(&seg.name).unwrap_or(0);
        let (mo, mn) = (moves(old, o, so), moves(new, n, sn));
        let mut targets: Vec<&String> = mo.iter().map(|x| &x.0).collect();
        for t in mn.iter().map(|x| &x.0) {
            if !targets.contains(&t) {
                targets.push(t);
            }
        }
        for t in targets {
            let p = |m: &[(String, f64)]| m.iter().filter(|x| &x.0 == t).map(|x| x.1).sum::<f64>();
            let (a, b) = (p(&mo), p(&mn));
            if (a - b).abs() > 1e-12 {
                let text = match (a > 0.0, b > 0.0) {
                    (false, true) => format!("`{name}` -> `{t}` added ({})", pct(b)),
                    (true, false) => format!("`{name}` -> `{t}` removed (was {})", pct(a)),
                    _ => format!("`{name}` -> `{t}`: {} → {}", pct(a), pct(b)),
                };
                match lines.iter_mut().find(|(l, _)| *l == text) {
                    Some((_, segs)) => segs.push(seg.name.clone()),
                    None => lines.push((text, vec![seg.name.clone()])),
                }
            }
        }
    }
    let all = new.segments.len();
    for (text, segs) in lines {
        let who = if segs.len() == all || all == 1 {
            String::new()
        } else {
            format!(" for {}", segs.join(", "))
        };
        out.push(
            Kind::Changed,
            "transition",
            format!("transition {text}{who}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{self, Options};

    fn j(text: &str) -> Journey {
        model::resolve_source("t.journey", text, &Options::default())
            .unwrap()
            .journey
            .expect("resolves")
    }

    #[test]
    fn changes_are_said_in_the_journeys_words() {
        let old = j("journey t {
            channel web digital { cost 1 }
            segment a { share 50% } segment b { share 50% }
            stage s {
              touchpoint x on web { entry friction 25% -> y 60% -> exit }
              touchpoint y on web { goal buy }
              touchpoint z on web { -> y }
            }
            kpi conversion >= 3%
          }");
        let new = j("journey t {
            channel web digital { cost 2 }
            segment a { share 50% } segment b { share 50% }
            stage s {
              touchpoint x on web { entry friction 5% -> y 70% for a -> exit }
              touchpoint y on web { goal buy }
              touchpoint w on web { -> y }
            }
            kpi conversion >= 5%
          }");
        let texts: Vec<String> = diff(&old, &new).into_iter().map(|c| c.text).collect();
        assert_eq!(
            texts,
            [
                "channel `web`: cost 1 → 2",
                "touchpoint `x`: friction 25% → 5%",
                "transition `x` -> `y`: 60% → 70% for a",
                "transition `x` -> `exit`: 40% → 30% for a",
                "transition `x` -> `y` removed (was 60%) for b",
                "transition `x` -> `exit`: 40% → 100% for b",
                "touchpoint `w` added in stage `s` on `web`",
                "touchpoint `z` removed",
                "kpi `conversion >= 3%` → `conversion >= 5%`",
            ]
        );
    }

    #[test]
    fn a_journey_against_itself_has_no_change() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/support.journey"
        ))
        .unwrap();
        let a = j(&text);
        assert!(diff(&a, &a).is_empty());
    }
}
