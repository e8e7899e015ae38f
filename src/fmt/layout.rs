//! Layout: the AST → the output lines, each with the source range its tokens came from.
//!
//! Every token of the file belongs to exactly one line, and lines come out in source order, so
//! the gaps between consecutive lines hold only whitespace and comments: that is what lets
//! [`super::place`] put each comment back by byte offset. Nesting is fixed by the grammar
//! (file → journey → scenario → stage → touchpoint), so the recursion here is bounded.

use super::comments::Comment;
use crate::ast::*;
use crate::source::Span;

/// What a line does to the block structure.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// An ordinary line.
    Plain,
    /// A block header ending in `{`.
    Open,
    /// A block's `}`; `header` is the index of its `Open` line, `one_line` is true when the
    /// whole block was written on one source line.
    Close { header: usize, one_line: bool },
}

/// Which lines line their columns up with their neighbours (see the module doc of `fmt`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Align {
    /// Not aligned.
    None,
    /// `keyword value` settings: owner, description, horizon, max_steps.
    Setting,
    /// `keyword value` segment attributes: share, prefers, patience.
    SegmentAttr,
    /// `channel NAME KIND [{ … }]`.
    Channel,
}

/// One output line.
#[derive(Clone, Debug)]
pub(super) struct Line {
    /// Nesting depth (two spaces each).
    pub indent: usize,
    /// The words of the line; joined by one space, or padded into columns when aligned.
    pub cells: Cells,
    /// Column family.
    pub align: Align,
    /// Block role.
    pub kind: Kind,
    /// Source offset of the first token.
    pub start: usize,
    /// Source offset just past the last token.
    pub end: usize,
    /// A blank line must separate this item (with its leading comments) from the one before.
    pub force_blank: bool,
}

/// A line's words, kept as one text with their ends (a large journey has a line per
/// touchpoint and a dozen words on it: not an allocation per word).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Cells {
    text: Box<str>,
    ends: Box<[u32]>,
}

impl Cells {
    /// The words, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.ends.iter().scan(0, |start, &end| {
            let end = end as usize;
            let cell = self.text.get(*start..end).unwrap_or_default();
            *start = end;
            Some(cell)
        })
    }

    /// How many words.
    pub fn len(&self) -> usize {
        self.ends.len()
    }
}

impl From<Vec<String>> for Cells {
    fn from(cells: Vec<String>) -> Cells {
        let mut text = String::with_capacity(cells.iter().map(String::len).sum());
        // A line's text is a few hundred bytes (a source file is under 4 GiB: J0001); were
        // one longer, its words past 4 GiB would read empty rather than panic.
        let ends = cells
            .iter()
            .map(|c| {
                text.push_str(c);
                u32::try_from(text.len()).unwrap_or(u32::MAX)
            })
            .collect();
        Cells {
            text: text.into_boxed_str(),
            ends,
        }
    }
}

impl Line {
    /// Indentation of comments placed just before this line: a block's last comments sit
    /// inside the block, not at its `}`.
    pub fn comment_indent(&self) -> usize {
        match self.kind {
            Kind::Close { .. } => self.indent + 1,
            _ => self.indent,
        }
    }
}

/// Blocks a blank line separates at the top level; consecutive items of one group keep the
/// author's spacing. Every stage is a group of its own.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Group {
    Use,
    Settings,
    Channel,
    Segment,
    Stage,
    Trigger,
    Kpi,
    Decision,
    Lifecycle,
    Scenario,
    Journey,
}

fn group(item: &Item) -> Group {
    match item {
        Item::Channel(_) => Group::Channel,
        Item::Segment(_) => Group::Segment,
        Item::Stage(_) => Group::Stage,
        Item::Trigger(_) => Group::Trigger,
        Item::Kpi(_) => Group::Kpi,
        Item::Objective(_) | Item::Constraint(_) => Group::Decision,
        Item::Lifecycle(_) => Group::Lifecycle,
        Item::Scenario(_) => Group::Scenario,
        _ => Group::Settings,
    }
}

/// Builds the lines of a parsed file.
pub(super) struct Layout<'a> {
    text: &'a str,
    comments: &'a [Comment],
    /// The lines so far.
    pub lines: Vec<Line>,
    /// The group of the previous top-level item, while laying out a top level.
    prev_group: Option<Group>,
    /// The next line starts a top-level item that needs a blank line before it.
    pending_force: bool,
}

impl<'a> Layout<'a> {
    /// Lays out `file`, whose text is `text` and comments `comments`.
    /// Each top-level item is dropped once laid out: a large journey's tree and its lines
    /// are not in memory whole together.
    pub fn file(text: &'a str, comments: &'a [Comment], file: File) -> Vec<Line> {
        let mut l = Layout {
            text,
            comments,
            lines: Vec::new(),
            prev_group: None,
            pending_force: false,
        };
        for u in &file.uses {
            l.top(Group::Use);
            l.plain(0, u.span, vec![format!("use {}", label(&u.path))]);
        }
        if let Some(j) = file.journey {
            l.top(Group::Journey);
            l.journey(j);
        }
        for item in &file.library {
            l.top(group(item));
            l.item(0, item);
        }
        l.lines
    }

    /// Notes that a top-level item of `g` starts with the next line.
    fn top(&mut self, g: Group) {
        let force = self.prev_group.is_some_and(|p| p != g || g == Group::Stage);
        self.prev_group = Some(g);
        self.pending_force = force;
    }

    fn journey(&mut self, j: Journey) {
        let head = header("journey", &j.name, j.label.as_ref(), &[]);
        let after = j.label.as_ref().map_or(j.name.span, |l| l.span);
        let saved = self.prev_group.take();
        self.block(0, j.span, after, head, j.items.is_empty(), |l| {
            for item in j.items {
                l.top(group(&item));
                l.item(1, &item);
            }
        });
        self.prev_group = saved;
    }

    /// A block: its header line, the body that `body` lays out, its `}` line. An empty block
    /// without comments inside stays on one line (`stage s {}`).
    fn block(
        &mut self,
        indent: usize,
        span: Span,
        header_end: Span,
        head: Vec<String>,
        empty: bool,
        body: impl FnOnce(&mut Self),
    ) {
        let start = span.start as usize;
        let close = self
            .token_end(start, span.end as usize)
            .saturating_sub(1)
            .max(start);
        let open = self.find_open(header_end.end as usize, close);
        let first_inside = self.comments.partition_point(|c| c.start <= open);
        let has_comment = self
            .comments
            .get(first_inside)
            .is_some_and(|c| c.start < close);
        if empty && !has_comment {
            let mut cells = head;
            cells.push("{}".into());
            self.push(indent, cells, Align::None, Kind::Plain, start, close + 1);
            return;
        }
        let mut cells = head;
        cells.push("{".into());
        let header = self.push(indent, cells, Align::None, Kind::Open, start, open + 1);
        body(self);
        let one_line = !self.text[start..close].contains(['\n', '\r']);
        self.push(
            indent,
            vec!["}".into()],
            Align::None,
            Kind::Close { header, one_line },
            close,
            close + 1,
        );
    }

    /// The end of the last token in `start..end`. A pest rule that ends in an optional part
    /// (`-> exit`, `entry`, `channel web digital`) spans the blanks and comments after it too.
    fn token_end(&self, start: usize, mut end: usize) -> usize {
        loop {
            end = start + self.text[start..end].trim_end().len();
            match self.comments.binary_search_by_key(&end, |c| c.end) {
                Ok(i) if self.comments[i].start >= start => end = self.comments[i].start,
                _ => return end,
            }
        }
    }

    /// The offset of the `{` that opens a block, searched from `from` (the end of the header's
    /// last token) past whitespace and comments.
    fn find_open(&self, from: usize, limit: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut i = from;
        while i < limit {
            match bytes[i] {
                b'{' => return i,
                b'#' => {
                    while i < limit && !matches!(bytes[i], b'\n' | b'\r') {
                        i += 1;
                    }
                }
                _ => i += 1,
            }
        }
        from
    }

    fn push(
        &mut self,
        indent: usize,
        cells: Vec<String>,
        align: Align,
        kind: Kind,
        start: usize,
        end: usize,
    ) -> usize {
        let force_blank = std::mem::take(&mut self.pending_force);
        let end = self.token_end(start, end);
        self.lines.push(Line {
            indent,
            cells: cells.into(),
            align,
            kind,
            start,
            end,
            force_blank,
        });
        self.lines.len() - 1
    }

    fn plain(&mut self, indent: usize, span: Span, cells: Vec<String>) {
        self.push(
            indent,
            cells,
            Align::None,
            Kind::Plain,
            span.start as usize,
            span.end as usize,
        );
    }

    fn aligned(&mut self, indent: usize, span: Span, align: Align, cells: Vec<String>) {
        self.push(
            indent,
            cells,
            align,
            Kind::Plain,
            span.start as usize,
            span.end as usize,
        );
    }

    /// The source text of a token (numbers, probabilities and durations are kept as written).
    fn src(&self, span: Span) -> String {
        self.text.get(span.range()).unwrap_or_default().to_string()
    }

    fn item(&mut self, indent: usize, item: &Item) {
        let kv = |k: &str, v: String| vec![k.to_string(), v];
        match item {
            Item::Owner(v, s) => self.aligned(indent, *s, Align::Setting, kv("owner", label(v))),
            Item::Description(v, s) => {
                self.aligned(indent, *s, Align::Setting, kv("description", label(v)))
            }
            Item::Horizon(d, s) => {
                let v = self.src(d.span);
                self.aligned(indent, *s, Align::Setting, kv("horizon", v))
            }
            Item::MaxSteps(n, s) => {
                let v = self.src(n.span);
                self.aligned(indent, *s, Align::Setting, kv("max_steps", v))
            }
            Item::PrimaryGoal(n, s) => {
                self.plain(indent, *s, vec![format!("primary_goal {}", n.text)])
            }
            Item::Channel(c) => self.channel(indent, c),
            Item::Context(None, names, s) => {
                self.plain(indent, *s, vec![format!("context {}", list(names))])
            }
            Item::Context(Some(group), names, s) => self.plain(
                indent,
                *s,
                vec![format!("context {}: {}", group.text, list(names))],
            ),
            Item::ContextLoss(p, s) => {
                let v = self.src(p.span);
                self.plain(indent, *s, vec![format!("context_loss {v}")])
            }
            Item::Segment(seg) => self.segment(indent, seg),
            Item::Stage(st) => self.stage(indent, st),
            Item::Trigger(t) => self.trigger(indent, t),
            Item::Kpi(k) => self.plain(indent, k.span, vec![kpi("kpi", k)]),
            Item::Constraint(k) => self.plain(indent, k.span, vec![kpi("constraint", k)]),
            Item::Objective(o) => {
                let direction = if o.maximize { "maximize" } else { "minimize" };
                let mut metric = o.metric.text.clone();
                if let Some(arg) = &o.argument {
                    metric = format!("{metric}({})", arg.text);
                }
                self.plain(
                    indent,
                    o.span,
                    vec![format!("objective {direction} {metric}")],
                );
            }
            Item::Lifecycle(lc) => self.lifecycle(indent, lc),
            Item::Scenario(sc) => self.scenario(indent, sc),
            Item::TouchpointOverride(t) => self.touchpoint(indent, t),
            Item::Remove(kind, name, s) => {
                let what = match kind {
                    RemoveKind::Touchpoint => "touchpoint",
                    RemoveKind::Trigger => "trigger",
                };
                self.plain(indent, *s, vec![format!("remove {what} {}", name.text)])
            }
        }
    }

    fn channel(&mut self, indent: usize, c: &Channel) {
        let body = (!c.costs.is_empty()).then(|| {
            let costs: Vec<String> = c
                .costs
                .iter()
                .map(|(n, _)| format!("cost {}", self.src(n.span)))
                .collect();
            format!("{{ {} }}", costs.join(" "))
        });
        match &c.kind {
            Some(kind) => {
                let mut cells = vec!["channel".into(), c.name.text.clone(), kind.text.clone()];
                cells.extend(body);
                self.aligned(indent, c.span, Align::Channel, cells);
            }
            None => {
                let mut cells = vec!["channel".into(), c.name.text.clone()];
                cells.extend(body);
                self.plain(indent, c.span, vec![cells.join(" ")]);
            }
        }
    }

    fn lifecycle(&mut self, indent: usize, lc: &Lifecycle) {
        let start = lc.span.start as usize;
        let keyword = Span::new(lc.span.file, start, start + "lifecycle".len());
        let head = vec!["lifecycle".to_string()];
        self.block(indent, lc.span, keyword, head, lc.attrs.is_empty(), |l| {
            for a in &lc.attrs {
                let text = match a {
                    LifecycleAttr::Repeat(c) | LifecycleAttr::Winback(c) => {
                        let mut s = format!("{} {}", a.keyword(), l.src(c.chance.span));
                        match &c.after {
                            Some((lo, None)) => s.push_str(&format!(" after {}", l.src(lo.span))),
                            Some((lo, Some(hi))) => s.push_str(&format!(
                                " after {}..{}",
                                l.src(lo.span),
                                l.src(hi.span)
                            )),
                            None => {}
                        }
                        if !c.segments.is_empty() {
                            s.push_str(&format!(" for {}", list(&c.segments)));
                        }
                        s
                    }
                    LifecycleAttr::Discount(p, _) => format!("discount {}", l.src(p.span)),
                    LifecycleAttr::MaxCycles(n, _) => format!("max_cycles {}", l.src(n.span)),
                };
                l.plain(indent + 1, a.span(), vec![text]);
            }
        });
    }

    fn segment(&mut self, indent: usize, s: &Segment) {
        let head = header("segment", &s.name, s.label.as_ref(), &[]);
        let after = s.label.as_ref().map_or(s.name.span, |l| l.span);
        self.block(indent, s.span, after, head, s.attrs.is_empty(), |l| {
            for a in &s.attrs {
                let value = match a {
                    SegmentAttr::Share(p, _) | SegmentAttr::Patience(p, _) => l.src(p.span),
                    SegmentAttr::Prefers(names, _) => list(names),
                };
                let cells = vec![a.keyword().to_string(), value];
                l.aligned(indent + 1, a.span(), Align::SegmentAttr, cells);
            }
        });
    }

    fn stage(&mut self, indent: usize, s: &Stage) {
        let head = header("stage", &s.name, s.label.as_ref(), &[]);
        let after = s.label.as_ref().map_or(s.name.span, |l| l.span);
        self.block(indent, s.span, after, head, s.touchpoints.is_empty(), |l| {
            for t in &s.touchpoints {
                l.touchpoint(indent + 1, t);
            }
        });
    }

    fn touchpoint(&mut self, indent: usize, t: &Touchpoint) {
        let on: Vec<String> = t
            .channel
            .iter()
            .flat_map(|c| ["on".to_string(), c.text.clone()])
            .collect();
        let head = header("touchpoint", &t.name, t.label.as_ref(), &on);
        let after = t
            .channel
            .as_ref()
            .map(|c| c.span)
            .or(t.label.as_ref().map(|l| l.span))
            .unwrap_or(t.name.span);
        self.block(indent, t.span, after, head, t.attrs.is_empty(), |l| {
            l.touchpoint_attrs(indent + 1, &t.attrs);
        });
    }

    /// The lines of a touchpoint's (or an option's) body; an option is a block of its own.
    fn touchpoint_attrs(&mut self, indent: usize, attrs: &[TouchpointAttr]) {
        for a in attrs {
            if let TouchpointAttr::Option(o) = a {
                let head = header("option", &o.name, o.label.as_ref(), &[]);
                let after = o.label.as_ref().map_or(o.name.span, |l| l.span);
                self.block(indent, o.span, after, head, o.attrs.is_empty(), |l| {
                    l.touchpoint_attrs(indent + 1, &o.attrs);
                });
                continue;
            }
            let text = self.touchpoint_attr(a);
            self.plain(indent, a.span(), vec![text]);
        }
    }

    fn touchpoint_attr(&self, a: &TouchpointAttr) -> String {
        match a {
            TouchpointAttr::Entry(None, _) => "entry".into(),
            TouchpointAttr::Entry(Some(p), _) => format!("entry {}", self.src(p.span)),
            TouchpointAttr::Duration(lo, None, _) => format!("duration {}", self.src(lo.span)),
            TouchpointAttr::Duration(lo, Some(hi), _) => {
                format!("duration {}..{}", self.src(lo.span), self.src(hi.span))
            }
            TouchpointAttr::Friction(p, None, _) => format!("friction {}", self.src(p.span)),
            TouchpointAttr::Friction(p, Some(why), _) => {
                format!("friction {} {}", self.src(p.span), label(why))
            }
            TouchpointAttr::Emotion(n, _) => format!("emotion {n:+}"),
            TouchpointAttr::Cost(n, _) => format!("cost {}", self.src(n.span)),
            TouchpointAttr::MomentOfTruth(_) => "moment_of_truth".into(),
            TouchpointAttr::Goal(g, None, _) => format!("goal {}", g.text),
            TouchpointAttr::Goal(g, Some(v), _) => {
                format!("goal {} value {}", g.text, self.src(v.span))
            }
            TouchpointAttr::Csat(p, pain, _) => match pain {
                None => format!("csat {}", self.src(p.span)),
                Some(q) => format!("csat {} pain {}", self.src(p.span), self.src(q.span)),
            },
            TouchpointAttr::Effort(n, pain, _) => match pain {
                None => format!("effort {}", self.src(n.span)),
                Some(m) => format!("effort {} pain {}", self.src(n.span), self.src(m.span)),
            },
            TouchpointAttr::Arrow(a) => self.arrow(a),
            TouchpointAttr::Use(option, segments, _) if segments.is_empty() => {
                format!("use {}", option.text)
            }
            TouchpointAttr::Use(option, segments, _) => {
                format!("use {} for {}", option.text, list(segments))
            }
            // Laid out as a block by `touchpoint_attrs`.
            TouchpointAttr::Option(o) => format!("option {}", o.name.text),
            TouchpointAttr::For(inner, segments, _) => {
                let names: Vec<&str> = segments.iter().map(|n| n.text.as_str()).collect();
                format!("{} for {}", self.touchpoint_attr(inner), names.join(", "))
            }
        }
    }

    fn arrow(&self, a: &Arrow) -> String {
        let mut out = String::from("-> ");
        match &a.target {
            TargetName::Exit(_) => out.push_str("exit"),
            TargetName::Touchpoint(n) => out.push_str(&n.text),
        }
        if let Some(p) = &a.probability {
            out.push(' ');
            out.push_str(&self.src(p.span));
        }
        if !a.segments.is_empty() {
            out.push_str(" for ");
            out.push_str(&list(&a.segments));
        }
        out
    }

    fn trigger(&mut self, indent: usize, t: &Trigger) {
        let head = header("trigger", &t.name, t.label.as_ref(), &[]);
        let after = t.label.as_ref().map_or(t.name.span, |l| l.span);
        self.block(indent, t.span, after, head, t.attrs.is_empty(), |l| {
            for a in &t.attrs {
                let text = match a {
                    TriggerAttr::On(abandon, names, _) => {
                        let event = if *abandon { "abandon" } else { "exit" };
                        format!("on {event} at {}", list(names))
                    }
                    TriggerAttr::After(d, _) => format!("after {}", l.src(d.span)),
                    TriggerAttr::Via(c, _) => format!("via {}", c.text),
                    TriggerAttr::Limit(n, _) => format!("limit {}", l.src(n.span)),
                    TriggerAttr::Arrow(a) => l.arrow(a),
                };
                l.plain(indent + 1, a.span(), vec![text]);
            }
        });
    }

    fn scenario(&mut self, indent: usize, s: &Scenario) {
        let head = header("scenario", &s.name, s.label.as_ref(), &[]);
        let after = s.label.as_ref().map_or(s.name.span, |l| l.span);
        self.block(indent, s.span, after, head, s.items.is_empty(), |l| {
            for item in &s.items {
                l.item(indent + 1, item);
            }
        });
    }
}

/// `KEYWORD NAME ["label"] EXTRA…` (without the `{`).
fn header(keyword: &str, name: &Name, lab: Option<&Label>, extra: &[String]) -> Vec<String> {
    let mut words = vec![keyword.to_string(), name.text.clone()];
    words.extend(lab.map(label));
    words.extend(extra.iter().cloned());
    vec![words.join(" ")]
}

/// A label, quoted and re-escaped.
fn label(l: &Label) -> String {
    let mut out = String::with_capacity(l.text.len() + 2);
    out.push('"');
    for c in l.text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `a, b, c`.
fn list(names: &[Name]) -> String {
    let words: Vec<&str> = names.iter().map(|n| n.text.as_str()).collect();
    words.join(", ")
}

/// A `kpi` or `constraint` line (`keyword`).
fn kpi(keyword: &str, k: &Kpi) -> String {
    let mut out = format!("{keyword} {}", k.metric.text);
    if let Some(arg) = &k.argument {
        out.push('(');
        out.push_str(&arg.text);
        out.push(')');
    }
    if let Some(seg) = &k.segment {
        out.push_str(" for ");
        out.push_str(&seg.text);
    }
    out.push(' ');
    out.push_str(&k.comparison.text);
    out.push(' ');
    out.push_str(&k.value_text);
    out
}
