//! Every name written in a file and its libraries, from their syntax trees: what it names
//! (a touchpoint, a channel…), whether it declares it, and where. Definitions, references,
//! rename, completion, hover and semantic tokens all read this one list.
//!
//! Names are global per kind, as the resolver has them, except options: an option belongs
//! to its touchpoint, so its key is `touchpoint.option`.

use crate::ast::{self, Item, Name, TargetName, TouchpointAttr, TriggerAttr};
use crate::source::{FileId, Span};

/// What a name names.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A touchpoint.
    Touchpoint,
    /// A channel.
    Channel,
    /// A segment.
    Segment,
    /// A goal (declared by every `goal NAME` that achieves it).
    Goal,
    /// A trigger.
    Trigger,
    /// An option of a touchpoint.
    Option,
    /// A stage.
    Stage,
    /// A scenario.
    Scenario,
    /// A named context group.
    Context,
}

impl Kind {
    /// The word for it in messages.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Touchpoint => "touchpoint",
            Kind::Channel => "channel",
            Kind::Segment => "segment",
            Kind::Goal => "goal",
            Kind::Trigger => "trigger",
            Kind::Option => "option",
            Kind::Stage => "stage",
            Kind::Scenario => "scenario",
            Kind::Context => "context group",
        }
    }
}

/// One written name.
#[derive(Clone, Debug, PartialEq)]
pub struct Occurrence {
    /// What it names.
    pub kind: Kind,
    /// The name (`touchpoint.option` for an option).
    pub key: String,
    /// Where the name is written.
    pub span: Span,
    /// True where it is declared (for a goal: every `goal NAME`).
    pub declares: bool,
    /// True inside a scenario (a scenario's declarations come after the baseline's).
    pub in_scenario: bool,
}

/// Every name of a set of files, in file and position order.
#[derive(Clone, Debug, Default)]
pub struct Index {
    occurrences: Vec<Occurrence>,
}

/// Walks one file's items.
struct Walker {
    out: Vec<Occurrence>,
    in_scenario: bool,
}

impl Walker {
    fn push(&mut self, kind: Kind, name: &Name, declares: bool) {
        self.push_key(kind, name.text.clone(), name.span, declares);
    }

    fn push_key(&mut self, kind: Kind, key: String, span: Span, declares: bool) {
        if key.is_empty() || span.is_empty() {
            return;
        }
        self.out.push(Occurrence {
            kind,
            key,
            span,
            declares,
            in_scenario: self.in_scenario,
        });
    }

    fn option(&mut self, touchpoint: &str, name: &Name, declares: bool) {
        let key = format!("{touchpoint}.{}", name.text);
        // Only the option's own name is the span: `touchpoint.` is not written there.
        self.push_key(Kind::Option, key, name.span, declares);
    }

    fn names(&mut self, kind: Kind, names: &[Name]) {
        for n in names {
            self.push(kind, n, false);
        }
    }

    fn items(&mut self, items: &[Item]) {
        for item in items {
            self.item(item);
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::PrimaryGoal(n, _) => self.push(Kind::Goal, n, false),
            Item::Channel(c) => self.push(Kind::Channel, &c.name, !self.in_scenario),
            Item::Context(group, channels, _) => {
                if let Some(g) = group {
                    self.push(Kind::Context, g, true);
                }
                self.names(Kind::Channel, channels);
            }
            Item::Segment(s) => {
                self.push(Kind::Segment, &s.name, true);
                for a in &s.attrs {
                    if let ast::SegmentAttr::Prefers(channels, _) = a {
                        self.names(Kind::Channel, channels);
                    }
                }
            }
            Item::Stage(s) => {
                self.push(Kind::Stage, &s.name, true);
                for t in &s.touchpoints {
                    self.touchpoint(t, true);
                }
            }
            Item::TouchpointOverride(t) => self.touchpoint(t, false),
            Item::Trigger(t) => {
                self.push(Kind::Trigger, &t.name, true);
                for a in &t.attrs {
                    match a {
                        TriggerAttr::On(_, at, _) => self.names(Kind::Touchpoint, at),
                        TriggerAttr::Via(n, _) => self.push(Kind::Channel, n, false),
                        TriggerAttr::Arrow(arrow) => self.arrow(arrow),
                        TriggerAttr::After(..) | TriggerAttr::Limit(..) => {}
                    }
                }
            }
            Item::Kpi(k) | Item::Constraint(k) => {
                self.metric_argument(&k.metric, k.argument.as_ref());
                if let Some(s) = &k.segment {
                    self.push(Kind::Segment, s, false);
                }
            }
            Item::Objective(o) => self.metric_argument(&o.metric, o.argument.as_ref()),
            Item::Lifecycle(l) => {
                for a in &l.attrs {
                    self.names(Kind::Segment, a.segments());
                }
            }
            Item::Scenario(s) => {
                self.push(Kind::Scenario, &s.name, true);
                let outer = self.in_scenario;
                self.in_scenario = true;
                self.items(&s.items);
                self.in_scenario = outer;
            }
            Item::Remove(kind, n, _) => {
                let kind = match kind {
                    ast::RemoveKind::Touchpoint => Kind::Touchpoint,
                    ast::RemoveKind::Trigger => Kind::Trigger,
                };
                self.push(kind, n, false);
            }
            Item::Owner(..)
            | Item::Description(..)
            | Item::Horizon(..)
            | Item::MaxSteps(..)
            | Item::ContextLoss(..) => {}
        }
    }

    fn metric_argument(&mut self, metric: &Name, argument: Option<&Name>) {
        let Some(a) = argument else { return };
        match metric.text.as_str() {
            "conversion" => self.push(Kind::Goal, a, false),
            "reach" | "drop_off" => self.push(Kind::Touchpoint, a, false),
            _ => {}
        }
    }

    fn touchpoint(&mut self, t: &ast::Touchpoint, declares: bool) {
        self.push(Kind::Touchpoint, &t.name, declares);
        if let Some(c) = &t.channel {
            self.push(Kind::Channel, c, false);
        }
        self.attrs(&t.name.text, &t.attrs);
    }

    fn attrs(&mut self, touchpoint: &str, attrs: &[TouchpointAttr]) {
        for a in attrs {
            let (inner, segments) = a.unqualified();
            match inner {
                TouchpointAttr::Goal(n, _, _) => self.push(Kind::Goal, n, true),
                TouchpointAttr::Arrow(arrow) => self.arrow(arrow),
                TouchpointAttr::Option(o) => {
                    self.option(touchpoint, &o.name, true);
                    self.attrs(touchpoint, &o.attrs);
                }
                TouchpointAttr::Use(n, segs, _) => {
                    self.option(touchpoint, n, false);
                    self.names(Kind::Segment, segs);
                }
                _ => {}
            }
            self.names(Kind::Segment, segments);
        }
    }

    fn arrow(&mut self, arrow: &ast::Arrow) {
        if let TargetName::Touchpoint(n) = &arrow.target {
            self.push(Kind::Touchpoint, n, false);
        }
        self.names(Kind::Segment, &arrow.segments);
    }
}

impl Index {
    /// The names of `files` (each file's syntax tree).
    pub fn new<'a>(files: impl IntoIterator<Item = &'a ast::File>) -> Index {
        let mut w = Walker {
            out: Vec::new(),
            in_scenario: false,
        };
        for f in files {
            match &f.journey {
                Some(j) => w.items(&j.items),
                None => w.items(&f.library),
            }
        }
        w.out.sort_by_key(|o| (o.span.file, o.span.start));
        Index { occurrences: w.out }
    }

    /// The name written at `offset` of `file` (touching it: its end counts too).
    pub fn at(&self, file: FileId, offset: usize) -> Option<&Occurrence> {
        let offset = offset as u32;
        let i = self
            .occurrences
            .partition_point(|o| (o.span.file, o.span.start) <= (file, offset));
        self.occurrences[..i]
            .iter()
            .rev()
            .take_while(|o| o.span.file == file)
            .find(|o| o.span.start <= offset && offset <= o.span.end)
    }

    /// Where `kind` `key` is declared: in the baseline, else in scenarios.
    pub fn definitions(&self, kind: Kind, key: &str) -> Vec<&Occurrence> {
        let all: Vec<&Occurrence> = self
            .occurrences
            .iter()
            .filter(|o| o.declares && o.kind == kind && o.key == key)
            .collect();
        if all.iter().any(|o| !o.in_scenario) {
            all.into_iter().filter(|o| !o.in_scenario).collect()
        } else {
            all
        }
    }

    /// Every place `kind` `key` is written, its declarations included.
    pub fn references(&self, kind: Kind, key: &str) -> impl Iterator<Item = &Occurrence> {
        self.occurrences
            .iter()
            .filter(move |o| o.kind == kind && o.key == key)
    }

    /// The declared names of `kind`, each once, in written order.
    pub fn names(&self, kind: Kind) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for o in self
            .occurrences
            .iter()
            .filter(|o| o.kind == kind && o.declares)
        {
            if !out.contains(&o.key.as_str()) {
                out.push(&o.key);
            }
        }
        out
    }

    /// Every occurrence, in file and position order.
    pub fn all(&self) -> &[Occurrence] {
        &self.occurrences
    }
}

/// Whether `name` can be declared: `[A-Za-z_][A-Za-z0-9_]*` and not the reserved `exit`.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && name != "exit"
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "journey j {
  channel web digital
  channel phone human
  context web, phone
  primary_goal bought
  segment new { share 60% prefers web }
  segment old { share 40% }
  stage s {
    touchpoint a on web { entry -> b 50% for new -> exit }
    touchpoint b on phone {
      option call { -> c }
      -> c
    }
    touchpoint c on web { goal bought }
  }
  kpi reach(b) >= 10%
  scenario sc { touchpoint b { use call for old } remove touchpoint c }
}
";

    fn index() -> (Index, ast::File) {
        let file = crate::syntax::parse(FileId(0), TEXT).unwrap();
        (Index::new([&file]), file)
    }

    fn at(index: &Index, needle: &str, nth: usize) -> Option<Occurrence> {
        let offset = TEXT.match_indices(needle).nth(nth).unwrap().0;
        index.at(FileId(0), offset).cloned()
    }

    #[test]
    fn names_are_found_where_they_are_written() {
        let (index, _) = index();
        let b = at(&index, "touchpoint b", 0).map(|o| o.key);
        assert_eq!(b, None, "a keyword is no name");
        let decl = at(&index, "b on phone", 0).unwrap();
        assert_eq!(
            (decl.kind, decl.key.as_str(), decl.declares),
            (Kind::Touchpoint, "b", true)
        );
        let target = at(&index, "b 50%", 0).unwrap();
        assert_eq!((target.kind, target.declares), (Kind::Touchpoint, false));
        let seg = at(&index, "new -> exit", 0).unwrap();
        assert_eq!((seg.kind, seg.key.as_str()), (Kind::Segment, "new"));
        let option = at(&index, "call for", 0).unwrap();
        assert_eq!((option.kind, option.key.as_str()), (Kind::Option, "b.call"));
        assert!(option.in_scenario);
        let goal = at(&index, "bought", 0).unwrap();
        assert_eq!((goal.kind, goal.declares), (Kind::Goal, false));
    }

    #[test]
    fn references_include_kpis_scenarios_and_removals() {
        let (index, _) = index();
        let b: Vec<u32> = index
            .references(Kind::Touchpoint, "b")
            .map(|o| o.span.start)
            .collect();
        // Declaration, `-> b`, `reach(b)`, the scenario's `touchpoint b`.
        assert_eq!(b.len(), 4, "{b:?}");
        assert_eq!(index.references(Kind::Touchpoint, "c").count(), 4);
        let defs = index.definitions(Kind::Option, "b.call");
        assert_eq!(defs.len(), 1);
        assert!(!defs[0].in_scenario);
        assert_eq!(index.names(Kind::Segment), ["new", "old"]);
        assert_eq!(index.names(Kind::Channel), ["web", "phone"]);
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("a_1"));
        assert!(is_identifier("_x"));
        assert!(is_identifier("goal"), "keywords are contextual");
        assert!(!is_identifier("exit"));
        assert!(!is_identifier("1a"));
        assert!(!is_identifier("a-b"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("é"));
    }
}
