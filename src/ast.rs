//! The spanned syntax tree of one `.journey` file, as written (no names resolved, no units
//! normalised beyond reading numbers). Every node keeps the [`Span`] it came from.

use crate::source::Span;

/// A name with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    /// The text.
    pub text: String,
    /// Where.
    pub span: Span,
}

/// A label (`"…"`), unescaped, with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// The unescaped text.
    pub text: String,
    /// Where, quotes included.
    pub span: Span,
}

/// A number as read, with its span.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Number {
    /// The value.
    pub value: f64,
    /// Where.
    pub span: Span,
}

/// A probability as written: `35%` (percent) or `0.35` (fraction).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Probability {
    /// The value as a fraction (35% → 0.35); may be out of range, checked by the resolver.
    pub value: f64,
    /// True when written with `%`.
    pub percent: bool,
    /// Where.
    pub span: Span,
}

/// A duration with its unit, in seconds.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct DurationLit {
    /// Seconds (may be negative: checked by the resolver).
    pub seconds: f64,
    /// Where.
    pub span: Span,
}

/// A whole file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// `use "path"` lines.
    pub uses: Vec<Use>,
    /// The journey, when the file holds one.
    pub journey: Option<Journey>,
    /// Library items (channels, segments, contexts), when the file is a library.
    pub library: Vec<Item>,
    /// The whole file.
    pub span: Span,
}

/// `use "path"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Use {
    /// The path as written.
    pub path: Label,
    /// The whole line.
    pub span: Span,
}

/// `journey NAME ["label"] { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Journey {
    /// Name.
    pub name: Name,
    /// Label.
    pub label: Option<Label>,
    /// Items in written order.
    pub items: Vec<Item>,
    /// The whole block.
    pub span: Span,
}

/// An item of a journey, a library or a scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `owner "…"`.
    Owner(Label, Span),
    /// `description "…"`.
    Description(Label, Span),
    /// `horizon D`.
    Horizon(DurationLit, Span),
    /// `max_steps N`.
    MaxSteps(Number, Span),
    /// `primary_goal NAME`.
    PrimaryGoal(Name, Span),
    /// `channel …` (in a scenario the kind may be missing).
    Channel(Channel),
    /// `context CH, …`.
    Context(Option<Name>, Vec<Name>, Span),
    /// `context_loss P`.
    ContextLoss(Probability, Span),
    /// `segment …`.
    Segment(Segment),
    /// `stage …`.
    Stage(Stage),
    /// `trigger …`.
    Trigger(Trigger),
    /// `kpi …`.
    Kpi(Kpi),
    /// `objective maximize|minimize METRIC` (LANGUAGE-2.md §4).
    Objective(Objective),
    /// `constraint METRIC [for SEG] <=|>= VALUE` (LANGUAGE-2.md §4): read like a KPI.
    Constraint(Kpi),
    /// `lifecycle { … }` (LANGUAGE-2.md §3).
    Lifecycle(Lifecycle),
    /// `scenario …`.
    Scenario(Scenario),
    /// `touchpoint NAME { … }` inside a scenario: an override.
    TouchpointOverride(Touchpoint),
    /// `remove touchpoint NAME` / `remove trigger NAME` inside a scenario.
    Remove(RemoveKind, Name, Span),
}

impl Item {
    /// The span of the whole item.
    pub fn span(&self) -> Span {
        match self {
            Item::Owner(_, s)
            | Item::Description(_, s)
            | Item::Horizon(_, s)
            | Item::MaxSteps(_, s)
            | Item::PrimaryGoal(_, s)
            | Item::Context(_, _, s)
            | Item::ContextLoss(_, s)
            | Item::Remove(_, _, s) => *s,
            Item::Channel(c) => c.span,
            Item::Segment(s) => s.span,
            Item::Stage(s) => s.span,
            Item::Trigger(t) => t.span,
            Item::Kpi(k) | Item::Constraint(k) => k.span,
            Item::Objective(o) => o.span,
            Item::Lifecycle(l) => l.span,
            Item::Scenario(s) => s.span,
            Item::TouchpointOverride(t) => t.span,
        }
    }
}

/// `lifecycle { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Lifecycle {
    /// Its lines, in written order.
    pub attrs: Vec<LifecycleAttr>,
    /// The whole block.
    pub span: Span,
}

/// A line of a `lifecycle` block.
#[derive(Clone, Debug, PartialEq)]
pub enum LifecycleAttr {
    /// `repeat P [after D[..D]] [for SEG, …]`.
    Repeat(Comeback),
    /// `winback P [after D[..D]] [for SEG, …]`.
    Winback(Comeback),
    /// `discount P`.
    Discount(Probability, Span),
    /// `max_cycles N`.
    MaxCycles(Number, Span),
}

impl LifecycleAttr {
    /// The line's keyword.
    pub fn keyword(&self) -> &'static str {
        match self {
            LifecycleAttr::Repeat(_) => "repeat",
            LifecycleAttr::Winback(_) => "winback",
            LifecycleAttr::Discount(..) => "discount",
            LifecycleAttr::MaxCycles(..) => "max_cycles",
        }
    }

    /// The whole line.
    pub fn span(&self) -> Span {
        match self {
            LifecycleAttr::Repeat(c) | LifecycleAttr::Winback(c) => c.span,
            LifecycleAttr::Discount(_, s) | LifecycleAttr::MaxCycles(_, s) => *s,
        }
    }

    /// The segments a `repeat` or `winback` line is for (empty: every segment).
    pub fn segments(&self) -> &[Name] {
        match self {
            LifecycleAttr::Repeat(c) | LifecycleAttr::Winback(c) => &c.segments,
            _ => &[],
        }
    }
}

/// A `repeat` or `winback` line: the chance of another cycle, its delay, its segments.
#[derive(Clone, Debug, PartialEq)]
pub struct Comeback {
    /// The chance.
    pub chance: Probability,
    /// `after D` or `after D..D` (none: no delay).
    pub after: Option<(DurationLit, Option<DurationLit>)>,
    /// `for SEG, …` (empty: every segment).
    pub segments: Vec<Name>,
    /// The whole line.
    pub span: Span,
}

/// What `remove` deletes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum RemoveKind {
    /// `remove touchpoint`.
    Touchpoint,
    /// `remove trigger`.
    Trigger,
}

/// `channel NAME KIND [{ cost N }]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Channel {
    /// Name.
    pub name: Name,
    /// `digital`, `physical` or `human` (missing only in a scenario override).
    pub kind: Option<Name>,
    /// `cost N` lines of the body (more than one is J0102).
    pub costs: Vec<(Number, Span)>,
    /// The whole declaration.
    pub span: Span,
}

/// `segment NAME ["label"] { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// Name.
    pub name: Name,
    /// Label.
    pub label: Option<Label>,
    /// Attributes in written order.
    pub attrs: Vec<SegmentAttr>,
    /// The whole block.
    pub span: Span,
}

/// An attribute of a segment.
#[derive(Clone, Debug, PartialEq)]
pub enum SegmentAttr {
    /// `share P`.
    Share(Probability, Span),
    /// `prefers CH, …`.
    Prefers(Vec<Name>, Span),
    /// `patience P`.
    Patience(Probability, Span),
}

impl SegmentAttr {
    /// The attribute keyword.
    pub fn keyword(&self) -> &'static str {
        match self {
            SegmentAttr::Share(..) => "share",
            SegmentAttr::Prefers(..) => "prefers",
            SegmentAttr::Patience(..) => "patience",
        }
    }

    /// The whole attribute.
    pub fn span(&self) -> Span {
        match self {
            SegmentAttr::Share(_, s) | SegmentAttr::Prefers(_, s) | SegmentAttr::Patience(_, s) => {
                *s
            }
        }
    }
}

/// `stage NAME ["label"] { touchpoint … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    /// Name.
    pub name: Name,
    /// Label.
    pub label: Option<Label>,
    /// Touchpoints in written order.
    pub touchpoints: Vec<Touchpoint>,
    /// The whole block.
    pub span: Span,
}

/// `touchpoint NAME ["label"] on CHANNEL { … }` (in a scenario override, `on` is optional).
#[derive(Clone, Debug, PartialEq)]
pub struct Touchpoint {
    /// Name.
    pub name: Name,
    /// Label.
    pub label: Option<Label>,
    /// `on CHANNEL`.
    pub channel: Option<Name>,
    /// Attributes in written order.
    pub attrs: Vec<TouchpointAttr>,
    /// The whole block.
    pub span: Span,
}

/// An attribute of a touchpoint.
#[derive(Clone, Debug, PartialEq)]
pub enum TouchpointAttr {
    /// `entry [P]`.
    Entry(Option<Probability>, Span),
    /// `duration D[..D]`.
    Duration(DurationLit, Option<DurationLit>, Span),
    /// `friction P ["label"]`.
    Friction(Probability, Option<Label>, Span),
    /// `emotion ±N`.
    Emotion(i32, Span),
    /// `cost N`.
    Cost(Number, Span),
    /// `csat P [pain Q]`.
    Csat(Probability, Option<Probability>, Span),
    /// `effort N [pain M]`.
    Effort(Number, Option<Number>, Span),
    /// `moment_of_truth`.
    MomentOfTruth(Span),
    /// `goal NAME [value N]`.
    Goal(Name, Option<Number>, Span),
    /// `-> TARGET [P] [for SEG, …]`.
    Arrow(Arrow),
    /// `option NAME ["label"] { … }` (LANGUAGE-2.md §4).
    Option(Box<OptionDecl>),
    /// `use OPTION [for SEG, …]`, in a scenario's touchpoint only.
    Use(Name, Vec<Name>, Span),
    /// An attribute line for some segments only: `friction 10% for loyal` (LANGUAGE-2.md §1).
    /// The inner attribute is one of `duration`, `friction`, `emotion`, `cost`, `csat`,
    /// `effort` or `goal`; the span covers the whole line.
    For(Box<TouchpointAttr>, Vec<Name>, Span),
}

impl TouchpointAttr {
    /// The attribute keyword (`->` for transitions).
    pub fn keyword(&self) -> &'static str {
        match self {
            TouchpointAttr::Entry(..) => "entry",
            TouchpointAttr::Duration(..) => "duration",
            TouchpointAttr::Friction(..) => "friction",
            TouchpointAttr::Emotion(..) => "emotion",
            TouchpointAttr::Cost(..) => "cost",
            TouchpointAttr::Csat(..) => "csat",
            TouchpointAttr::Effort(..) => "effort",
            TouchpointAttr::MomentOfTruth(..) => "moment_of_truth",
            TouchpointAttr::Goal(..) => "goal",
            TouchpointAttr::Arrow(..) => "->",
            TouchpointAttr::Option(..) => "option",
            TouchpointAttr::Use(..) => "use",
            TouchpointAttr::For(inner, ..) => inner.keyword(),
        }
    }

    /// The attribute without its `for` list, and the segments the line is for (empty: every
    /// segment).
    pub fn unqualified(&self) -> (&TouchpointAttr, &[Name]) {
        match self {
            TouchpointAttr::For(inner, segments, _) => (inner, segments),
            a => (a, &[]),
        }
    }

    /// The whole attribute.
    pub fn span(&self) -> Span {
        match self {
            TouchpointAttr::Entry(_, s)
            | TouchpointAttr::Duration(_, _, s)
            | TouchpointAttr::Friction(_, _, s)
            | TouchpointAttr::Emotion(_, s)
            | TouchpointAttr::Cost(_, s)
            | TouchpointAttr::Csat(_, _, s)
            | TouchpointAttr::Effort(_, _, s)
            | TouchpointAttr::MomentOfTruth(s)
            | TouchpointAttr::Goal(_, _, s)
            | TouchpointAttr::Use(_, _, s)
            | TouchpointAttr::For(_, _, s) => *s,
            TouchpointAttr::Arrow(a) => a.span,
            TouchpointAttr::Option(o) => o.span,
        }
    }
}

/// `option NAME ["label"] { … }`: an alternative of its touchpoint (LANGUAGE-2.md §4).
#[derive(Clone, Debug, PartialEq)]
pub struct OptionDecl {
    /// Name (never `as_is`, the touchpoint as written).
    pub name: Name,
    /// Label.
    pub label: Option<Label>,
    /// What it states, in written order (no `entry`, `goal`, `option` or `use`).
    pub attrs: Vec<TouchpointAttr>,
    /// The whole block.
    pub span: Span,
}

/// `objective maximize|minimize METRIC[(ARG)]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    /// `maximize` (true) or `minimize`.
    pub maximize: bool,
    /// The metric's name.
    pub metric: Name,
    /// Its argument, when written in parentheses.
    pub argument: Option<Name>,
    /// The whole line.
    pub span: Span,
}

/// A transition target as written.
#[derive(Clone, Debug, PartialEq)]
pub enum TargetName {
    /// `exit`.
    Exit(Span),
    /// A touchpoint name.
    Touchpoint(Name),
}

impl TargetName {
    /// Where the target is written.
    pub fn span(&self) -> Span {
        match self {
            TargetName::Exit(s) => *s,
            TargetName::Touchpoint(n) => n.span,
        }
    }
}

/// `-> TARGET [P] [for SEG, …]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    /// Target.
    pub target: TargetName,
    /// Probability, when written.
    pub probability: Option<Probability>,
    /// `for` segments (empty: every segment).
    pub segments: Vec<Name>,
    /// The whole clause.
    pub span: Span,
}

/// `trigger NAME ["label"] { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Trigger {
    /// Name.
    pub name: Name,
    /// Label.
    pub label: Option<Label>,
    /// Attributes in written order.
    pub attrs: Vec<TriggerAttr>,
    /// The whole block.
    pub span: Span,
}

/// An attribute of a trigger.
#[derive(Clone, Debug, PartialEq)]
pub enum TriggerAttr {
    /// `on abandon|exit at TP, …`; the bool is true for `abandon`.
    On(bool, Vec<Name>, Span),
    /// `after D`.
    After(DurationLit, Span),
    /// `via CHANNEL`.
    Via(Name, Span),
    /// `limit N`.
    Limit(Number, Span),
    /// `-> TARGET P`.
    Arrow(Arrow),
}

impl TriggerAttr {
    /// The attribute keyword.
    pub fn keyword(&self) -> &'static str {
        match self {
            TriggerAttr::On(..) => "on",
            TriggerAttr::After(..) => "after",
            TriggerAttr::Via(..) => "via",
            TriggerAttr::Limit(..) => "limit",
            TriggerAttr::Arrow(..) => "->",
        }
    }

    /// The whole attribute.
    pub fn span(&self) -> Span {
        match self {
            TriggerAttr::On(_, _, s)
            | TriggerAttr::After(_, s)
            | TriggerAttr::Via(_, s)
            | TriggerAttr::Limit(_, s) => *s,
            TriggerAttr::Arrow(a) => a.span,
        }
    }
}

/// A KPI value as written.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum KpiValue {
    /// `3%`.
    Percent(f64, Span),
    /// `2d` (seconds).
    Duration(f64, Span),
    /// `0.03`, `20`, `4.0`.
    Number(f64, Span),
}

impl KpiValue {
    /// Where the value is written.
    pub fn span(&self) -> Span {
        match self {
            KpiValue::Percent(_, s) | KpiValue::Duration(_, s) | KpiValue::Number(_, s) => *s,
        }
    }
}

/// `kpi METRIC[(ARG)] [for SEGMENT] OP VALUE`.
#[derive(Clone, Debug, PartialEq)]
pub struct Kpi {
    /// The metric's name (`conversion`, `p90`…).
    pub metric: Name,
    /// Its argument, when written in parentheses.
    pub argument: Option<Name>,
    /// `for SEGMENT`.
    pub segment: Option<Name>,
    /// The operator as written.
    pub comparison: Name,
    /// The target.
    pub value: KpiValue,
    /// The target exactly as written (`3%`, `4.0`, `2d`), for reports.
    pub value_text: String,
    /// The whole line.
    pub span: Span,
}

/// `scenario NAME ["label"] { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Name.
    pub name: Name,
    /// Label.
    pub label: Option<Label>,
    /// Changes in written order.
    pub items: Vec<Item>,
    /// The whole block.
    pub span: Span,
}
