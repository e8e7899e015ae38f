//! Lowering: the parser's pairs ([`Node`]s of the flat tree, which give the pairs pest gives)
//! → AST, one function per grammar rule.

use super::Rule;
use super::fast::{Children, Node};
use crate::ast::*;
use crate::diagnostic::Finding;
use crate::rules::Rule as Code;
use crate::source::{FileId, Span};

type P<'t> = Node<'t>;
type R<T> = Result<T, Finding>;

/// The pair's span, ending at its last token. A pest rule that ends in an optional part
/// (`entry [P]`, `-> TARGET [P] [for …]`, `friction P ["label"]`) also spans the blanks and
/// comments before whatever follows it; a label under such a span would reach into the next
/// line.
fn span(file: FileId, p: &P) -> Span {
    Span::new(
        file,
        p.start(),
        token_end(p.get_input(), p.start(), p.end()),
    )
}

/// Where the last token of the text `start..end` of `input` ends: `end` less the blanks and
/// comments it ends with. No token ends in a blank, and a comment runs to the end of its line,
/// so the text is trimmed from its end, without walking the pair's children: a comment ends
/// just before a line break or at the end of the input, and it starts at the first `#` of its
/// line outside a label (labels are one line, so a line never starts inside one).
fn token_end(input: &str, start: usize, end: usize) -> usize {
    let bytes = input.as_bytes();
    let mut e = end;
    loop {
        let before = e;
        while e > start && matches!(bytes[e - 1], b' ' | b'\t' | b'\r' | b'\n') {
            e -= 1;
        }
        let line_break = bytes[e..before].iter().any(|&b| b == b'\n' || b == b'\r');
        if !(line_break || before == input.len()) {
            return e;
        }
        match comment_start(&bytes[..e]) {
            Some(c) if c >= start => e = c,
            _ => return e,
        }
    }
}

/// Where the comment that ends the last line of `text` starts, if one does.
fn comment_start(text: &[u8]) -> Option<usize> {
    let line = text
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1);
    let mut in_label = false;
    let mut escaped = false;
    for (i, &b) in text[line..].iter().enumerate() {
        if in_label {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_label = false,
                _ => {}
            }
        } else if b == b'"' {
            in_label = true;
        } else if b == b'#' {
            return Some(line + i);
        }
    }
    None
}

/// The pairs of a rule (keywords leave none: the grammar's `k_X` rules are silent).
fn inner(p: P<'_>) -> Children<'_> {
    p.into_inner()
}

/// `lower` of each pair of `pairs`, into a vector of exactly their number: the syntax tree
/// lives through the whole resolve, so its lists are kept at their length (collecting grows
/// them to four slots, then doubles: a stage of a million touchpoints was copied twenty
/// times), and counting a pair's children only follows their links.
fn exact<'t, T>(
    pairs: impl Iterator<Item = P<'t>> + Clone,
    lower: impl FnMut(P<'t>) -> R<T>,
) -> R<Vec<T>> {
    let mut out = Vec::with_capacity(pairs.clone().count());
    for t in pairs.map(lower) {
        out.push(t?);
    }
    Ok(out)
}

pub(super) fn file(f: FileId, pair: P) -> R<File> {
    // The whole text, blanks and comments at its end included.
    let sp = Span::new(f, pair.start(), pair.end());
    let mut out = File {
        uses: Vec::new(),
        journey: None,
        library: Vec::new(),
        span: sp,
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::use_decl => {
                let s = span(f, &p);
                let label = to_label(f, inner(p).next().unwrap());
                out.uses.push(Use {
                    path: label,
                    span: s,
                });
            }
            Rule::journey => out.journey = Some(journey(f, p)?),
            Rule::EOI => {}
            _ => out.library.push(item(f, p)?),
        }
    }
    Ok(out)
}

fn journey(f: FileId, p: P) -> R<Journey> {
    let sp = span(f, &p);
    let mut it = inner(p).peekable();
    let name = decl_name(f, it.next().unwrap());
    let label = it
        .next_if(|p| p.as_rule() == Rule::string)
        .map(|p| to_label(f, p));
    let items = exact(it, |p| item(f, p))?;
    Ok(Journey {
        name,
        label,
        items,
        span: sp,
    })
}

fn item(f: FileId, p: P) -> R<Item> {
    let sp = span(f, &p);
    Ok(match p.as_rule() {
        Rule::owner => Item::Owner(to_label(f, first(p)), sp),
        Rule::description => Item::Description(to_label(f, first(p)), sp),
        Rule::horizon => Item::Horizon(duration_lit(f, first(p))?, sp),
        Rule::max_steps => Item::MaxSteps(number(f, first(p))?, sp),
        Rule::primary_goal => Item::PrimaryGoal(to_name(f, first(p)), sp),
        Rule::channel | Rule::channel_override => {
            let mut it = inner(p).peekable();
            let name = name_of(f, it.next().unwrap());
            let kind = it
                .next_if(|p| p.as_rule() == Rule::channel_kind)
                .map(|p| to_name(f, p));
            let mut costs = Vec::new();
            if let Some(body) = it.next() {
                for c in inner(body) {
                    let cs = span(f, &c);
                    costs.push((number(f, first(c))?, cs));
                }
            }
            Item::Channel(Channel {
                name,
                kind,
                costs,
                span: sp,
            })
        }
        Rule::context => {
            let mut it = inner(p).peekable();
            let group = it
                .next_if(|p| p.as_rule() == Rule::context_name)
                .map(|p| decl_name(f, first(p)));
            Item::Context(group, name_list(f, it.next().unwrap()), sp)
        }
        Rule::context_loss => Item::ContextLoss(probability(f, first(p))?, sp),
        Rule::segment => Item::Segment(segment(f, p)?),
        Rule::stage => Item::Stage(stage(f, p)?),
        Rule::trigger => Item::Trigger(trigger(f, p)?),
        Rule::kpi => Item::Kpi(kpi(f, p)?),
        Rule::constraint => Item::Constraint(kpi(f, p)?),
        Rule::objective => {
            let mut it = inner(p);
            let maximize = it.next().unwrap().as_str() == "maximize";
            let mut metric_parts = inner(it.next().unwrap());
            let metric = to_name(f, metric_parts.next().unwrap());
            let argument = metric_parts.next().map(|p| to_name(f, p));
            Item::Objective(Objective {
                maximize,
                metric,
                argument,
                span: sp,
            })
        }
        Rule::lifecycle => Item::Lifecycle(lifecycle(f, p)?),
        Rule::scenario => {
            let mut it = inner(p).peekable();
            let name = decl_name(f, it.next().unwrap());
            let label = it
                .next_if(|p| p.as_rule() == Rule::string)
                .map(|p| to_label(f, p));
            let items = exact(it, |p| item(f, p))?;
            Item::Scenario(Scenario {
                name,
                label,
                items,
                span: sp,
            })
        }
        Rule::touchpoint_override => Item::TouchpointOverride(touchpoint(f, p)?),
        Rule::remove => {
            let mut it = inner(p);
            let kind = match it.next().unwrap().as_str() {
                "touchpoint" => RemoveKind::Touchpoint,
                _ => RemoveKind::Trigger,
            };
            Item::Remove(kind, to_name(f, it.next().unwrap()), sp)
        }
        r => unreachable!("not an item: {r:?}"),
    })
}

fn segment(f: FileId, p: P) -> R<Segment> {
    let sp = span(f, &p);
    let mut it = inner(p).peekable();
    let name = name_of(f, it.next().unwrap());
    let label = it
        .next_if(|p| p.as_rule() == Rule::string)
        .map(|p| to_label(f, p));
    let mut attrs = Vec::new();
    for a in it {
        let s = span(f, &a);
        attrs.push(match a.as_rule() {
            Rule::share => SegmentAttr::Share(probability(f, first(a))?, s),
            Rule::prefers => SegmentAttr::Prefers(name_list(f, first(a)), s),
            Rule::patience => SegmentAttr::Patience(probability(f, first(a))?, s),
            r => unreachable!("not a segment attribute: {r:?}"),
        });
    }
    Ok(Segment {
        name,
        label,
        attrs,
        span: sp,
    })
}

fn stage(f: FileId, p: P) -> R<Stage> {
    let sp = span(f, &p);
    let mut it = inner(p).peekable();
    let name = decl_name(f, it.next().unwrap());
    let label = it
        .next_if(|p| p.as_rule() == Rule::string)
        .map(|p| to_label(f, p));
    let touchpoints = exact(it, |p| touchpoint(f, p))?;
    Ok(Stage {
        name,
        label,
        touchpoints,
        span: sp,
    })
}

fn touchpoint(f: FileId, p: P) -> R<Touchpoint> {
    let sp = span(f, &p);
    let mut it = inner(p).peekable();
    let name = name_of(f, it.next().unwrap());
    let label = it
        .next_if(|p| p.as_rule() == Rule::string)
        .map(|p| to_label(f, p));
    let channel = it
        .next_if(|p| p.as_rule() == Rule::on_channel)
        .map(|p| to_name(f, first(p)));
    let attrs = exact(it, |a| touchpoint_attr(f, a))?;
    Ok(Touchpoint {
        name,
        label,
        channel,
        attrs,
        span: sp,
    })
}

/// One attribute line of a touchpoint; a trailing `for SEG, …` wraps it in
/// [`TouchpointAttr::For`].
fn touchpoint_attr(f: FileId, a: P) -> R<TouchpointAttr> {
    let s = span(f, &a);
    let rule = a.as_rule();
    match rule {
        Rule::arrow => return Ok(TouchpointAttr::Arrow(arrow(f, a)?)),
        Rule::option => return option(f, a).map(|o| TouchpointAttr::Option(Box::new(o))),
        Rule::use_option => {
            let mut it = inner(a);
            let name = to_name(f, it.next().unwrap());
            let segments = it
                .next()
                .map(|p| name_list(f, first(p)))
                .unwrap_or_default();
            return Ok(TouchpointAttr::Use(name, segments, s));
        }
        _ => {}
    }
    let mut d = inner(a);
    let segments = match d.clone().next_back() {
        Some(p) if p.as_rule() == Rule::for_segments => {
            d.next_back();
            Some(name_list(f, first(p)))
        }
        _ => None,
    };
    let attr = match rule {
        Rule::entry => TouchpointAttr::Entry(d.next().map(|p| probability(f, p)).transpose()?, s),
        Rule::duration => {
            let lo = duration_lit(f, d.next().unwrap())?;
            let hi = d.next().map(|p| duration_lit(f, p)).transpose()?;
            TouchpointAttr::Duration(lo, hi, s)
        }
        Rule::friction => {
            let prob = probability(f, d.next().unwrap())?;
            TouchpointAttr::Friction(prob, d.next().map(|p| to_label(f, p)), s)
        }
        Rule::emotion => {
            let n = d.next().unwrap();
            let text = n.as_str().trim_start_matches('+');
            let value = text.parse::<i32>().map_err(|_| too_big(f, &n))?;
            TouchpointAttr::Emotion(value, s)
        }
        Rule::cost => TouchpointAttr::Cost(number(f, d.next().unwrap())?, s),
        Rule::csat => {
            let p = probability(f, d.next().unwrap())?;
            TouchpointAttr::Csat(p, d.next().map(|p| probability(f, p)).transpose()?, s)
        }
        Rule::effort => {
            let n = number(f, d.next().unwrap())?;
            TouchpointAttr::Effort(n, d.next().map(|p| number(f, p)).transpose()?, s)
        }
        Rule::moment_of_truth => TouchpointAttr::MomentOfTruth(s),
        Rule::goal => {
            let goal = to_name(f, d.next().unwrap());
            TouchpointAttr::Goal(goal, d.next().map(|p| number(f, p)).transpose()?, s)
        }
        r => unreachable!("not a touchpoint attribute: {r:?}"),
    };
    Ok(match segments {
        Some(list) => TouchpointAttr::For(Box::new(attr), list, s),
        None => attr,
    })
}

/// `option NAME ["label"] { … }`: `as_is` and a stated `entry` or `goal` are J0001.
fn option(f: FileId, p: P) -> R<OptionDecl> {
    let sp = span(f, &p);
    let mut it = inner(p).peekable();
    let name = decl_name(f, it.next().unwrap());
    if name.text == "as_is" {
        return Err(crate::syntax::error::reserved_option(&name));
    }
    let label = it
        .next_if(|p| p.as_rule() == Rule::string)
        .map(|p| to_label(f, p));
    let attrs = it.map(|a| touchpoint_attr(f, a)).collect::<R<Vec<_>>>()?;
    if let Some(a) = attrs.iter().find(|a| {
        matches!(
            a.unqualified().0,
            TouchpointAttr::Entry(..) | TouchpointAttr::Goal(..)
        )
    }) {
        return Err(crate::syntax::error::option_states(
            a.keyword(),
            a.span(),
            &name,
        ));
    }
    Ok(OptionDecl {
        name,
        label,
        attrs,
        span: sp,
    })
}

fn arrow(f: FileId, p: P) -> R<Arrow> {
    let sp = span(f, &p);
    let mut it = inner(p).peekable();
    let t = it.next().unwrap();
    let target = match t.as_str() {
        "exit" => TargetName::Exit(span(f, &t)),
        _ => TargetName::Touchpoint(to_name(f, t)),
    };
    let probability = it
        .next_if(|p| p.as_rule() == Rule::probability)
        .map(|p| probability(f, p))
        .transpose()?;
    let segments = it.next().map(|p| name_list(f, p)).unwrap_or_default();
    Ok(Arrow {
        target,
        probability,
        segments,
        span: sp,
    })
}

fn trigger(f: FileId, p: P) -> R<Trigger> {
    let sp = span(f, &p);
    let mut it = inner(p).peekable();
    let name = decl_name(f, it.next().unwrap());
    let label = it
        .next_if(|p| p.as_rule() == Rule::string)
        .map(|p| to_label(f, p));
    let mut attrs = Vec::new();
    for a in it {
        let s = span(f, &a);
        attrs.push(match a.as_rule() {
            Rule::trigger_on => {
                let mut d = inner(a);
                let abandon = d.next().unwrap().as_str() == "abandon";
                TriggerAttr::On(abandon, name_list(f, d.next().unwrap()), s)
            }
            Rule::after => TriggerAttr::After(duration_lit(f, first(a))?, s),
            Rule::via => TriggerAttr::Via(to_name(f, first(a)), s),
            Rule::limit => TriggerAttr::Limit(number(f, first(a))?, s),
            Rule::arrow => TriggerAttr::Arrow(arrow(f, a)?),
            r => unreachable!("not a trigger attribute: {r:?}"),
        });
    }
    Ok(Trigger {
        name,
        label,
        attrs,
        span: sp,
    })
}

fn lifecycle(f: FileId, p: P) -> R<Lifecycle> {
    let span_all = span(f, &p);
    let mut attrs = Vec::new();
    for a in inner(p) {
        let s = span(f, &a);
        let rule = a.as_rule();
        let mut d = inner(a).peekable();
        attrs.push(match rule {
            Rule::repeat | Rule::winback => {
                let chance = probability(f, d.next().unwrap())?;
                let after = match d.next_if(|p| p.as_rule() == Rule::after_range) {
                    Some(r) => {
                        let mut r = inner(r);
                        let lo = duration_lit(f, r.next().unwrap())?;
                        let hi = r.next().map(|p| duration_lit(f, p)).transpose()?;
                        Some((lo, hi))
                    }
                    None => None,
                };
                let segments = d.next().map(|p| name_list(f, first(p))).unwrap_or_default();
                let c = Comeback {
                    chance,
                    after,
                    segments,
                    span: s,
                };
                if rule == Rule::repeat {
                    LifecycleAttr::Repeat(c)
                } else {
                    LifecycleAttr::Winback(c)
                }
            }
            Rule::discount => LifecycleAttr::Discount(probability(f, d.next().unwrap())?, s),
            Rule::max_cycles => LifecycleAttr::MaxCycles(number(f, d.next().unwrap())?, s),
            r => unreachable!("not a lifecycle line: {r:?}"),
        });
    }
    Ok(Lifecycle {
        attrs,
        span: span_all,
    })
}

fn kpi(f: FileId, p: P) -> R<Kpi> {
    let sp = span(f, &p);
    let mut it = inner(p);
    let mut metric_parts = inner(it.next().unwrap());
    let metric = to_name(f, metric_parts.next().unwrap());
    let argument = metric_parts.next().map(|p| to_name(f, p));
    let mut next = it.next().unwrap();
    let mut segment = None;
    if next.as_rule() == Rule::ident {
        segment = Some(to_name(f, next));
        next = it.next().unwrap();
    }
    let comparison = to_name(f, next);
    let v = first(it.next().unwrap());
    let vs = span(f, &v);
    let value_text = v.as_str().to_string();
    let value = match v.as_rule() {
        Rule::duration_lit => KpiValue::Duration(duration_lit(f, v)?.seconds, vs),
        Rule::percent => KpiValue::Percent(
            parse_f64(f, &v, v.as_str().trim_end_matches('%'))? / 100.0,
            vs,
        ),
        _ => KpiValue::Number(number(f, v)?.value, vs),
    };
    Ok(Kpi {
        metric,
        argument,
        segment,
        comparison,
        value,
        value_text,
        span: sp,
    })
}

fn first(p: P) -> P {
    inner(p).next().expect("grammar guarantees a child")
}

fn to_name(f: FileId, p: P) -> Name {
    Name {
        text: p.as_str().to_string(),
        span: span(f, &p),
    }
}

/// A `decl_name` pair (wrapping an ident) or a bare ident.
fn decl_name(f: FileId, p: P) -> Name {
    name_of(f, p)
}

fn name_of(f: FileId, p: P) -> Name {
    if p.as_rule() == Rule::decl_name {
        to_name(f, p.into_inner().next().unwrap())
    } else {
        to_name(f, p)
    }
}

fn name_list(f: FileId, p: P) -> Vec<Name> {
    inner(p).map(|p| to_name(f, p)).collect()
}

/// A `string` pair: the text between its quotes, unescaped.
fn to_label(f: FileId, p: P) -> Label {
    let sp = span(f, &p);
    let quoted = p.as_str();
    let raw = &quoted[1..quoted.len() - 1];
    let mut text = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                text.push(n);
            }
        } else {
            text.push(c);
        }
    }
    Label { text, span: sp }
}

fn parse_f64(f: FileId, p: &P, text: &str) -> R<f64> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(too_big(f, p)),
    }
}

fn too_big(f: FileId, p: &P) -> Finding {
    Finding::new(
        Code::Syntax,
        span(f, p),
        format!("the number `{}` is too large", p.as_str()),
    )
    .label("too large")
    .help("write a number of reasonable size")
}

fn number(f: FileId, p: P) -> R<Number> {
    let value = parse_f64(f, &p, p.as_str())?;
    Ok(Number {
        value,
        span: span(f, &p),
    })
}

/// A `probability`, `percent` or `number` pair.
fn probability(f: FileId, p: P) -> R<Probability> {
    let sp = span(f, &p);
    let text = p.as_str();
    Ok(if let Some(pct) = text.strip_suffix('%') {
        Probability {
            value: parse_f64(f, &p, pct)? / 100.0,
            percent: true,
            span: sp,
        }
    } else {
        Probability {
            value: parse_f64(f, &p, text)?,
            percent: false,
            span: sp,
        }
    })
}

fn duration_lit(f: FileId, p: P) -> R<DurationLit> {
    let text = p.as_str();
    let (num, unit) = text.split_at(text.len() - 1);
    let factor = match unit {
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        _ => 604_800.0,
    };
    let seconds = parse_f64(f, &p, num)? * factor;
    if !seconds.is_finite() {
        return Err(too_big(f, &p));
    }
    Ok(DurationLit {
        seconds,
        span: span(f, &p),
    })
}
