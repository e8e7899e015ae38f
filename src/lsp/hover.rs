//! Hover: what the resolver and the exact analysis say about the thing under the cursor.
//! - a transition (`-> target P for …`): its probability per segment, as resolved — the
//!   remainder rule made visible (`-> exit: remainder — new 0.30, returning 0.15`);
//! - a touchpoint's name: its exact reach and drop-off ([`crate::analyze`]), overall and
//!   per segment, when the journey resolves;
//! - a rule's code (`J0402`), or its name in a comment (`allow(context-break)`): the text of
//!   `journeyc explain`;
//! - any other name: what it is and where it is declared.

use super::Failed;
use super::state::{At, State};
use super::symbols::{Kind, Occurrence};
use crate::check::docs;
use crate::model::{self, Arrow, Journey, Target, Transition, figure};
use crate::rules::Rule;
use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

/// Answers `textDocument/hover`.
pub fn hover(state: &State, params: HoverParams) -> Result<Option<Hover>, Failed> {
    let p = params.text_document_position_params;
    let at = state.at(&p.text_document.uri, p.position)?;
    let Some((text, span)) = contents(state, &at) else {
        return Ok(None);
    };
    Ok(Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: span.map(|(s, e)| at.doc.lines.range(s, e)),
    }))
}

/// The hover text at `at` and the byte range it is about.
fn contents(state: &State, at: &At) -> Option<(String, Option<(usize, usize)>)> {
    let a = at.analysis;
    let main = a.main();
    if let Some((rule, range)) = rule_at(&a.sources().get(main).text, at.offset) {
        return Some((docs::explain(rule), Some(range)));
    }
    let name = a.index.at(main, at.offset);
    if let Some(j) = a.journey() {
        if let Some((tp_name, index, arrow, transitions)) = arrow_at(j, main, at.offset) {
            let mut text = transition_text(j, index, arrow, transitions);
            if let Some(o) = name.filter(|o| o.kind == Kind::Touchpoint) {
                text.push_str("\n\n");
                text.push_str(&touchpoint_text(at, j, &o.key));
            } else {
                text = format!("`{tp_name}` {text}");
            }
            let s = arrow.span;
            return Some((text, Some((s.start as usize, s.end as usize))));
        }
    }
    let o = name?;
    let range = Some((o.span.start as usize, o.span.end as usize));
    match (o.kind, a.journey()) {
        (Kind::Touchpoint, Some(j)) => Some((touchpoint_text(at, j, &o.key), range)),
        _ => Some((declared_text(state, at, o), range)),
    }
}

/// A rule code (`J0402`, any case) at `offset`, or a rule name written in a comment.
fn rule_at(text: &str, offset: usize) -> Option<(Rule, (usize, usize))> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let offset = offset.min(text.len());
    if !text.is_char_boundary(offset) {
        return None;
    }
    let start = text[..offset]
        .rfind(|c: char| !is_word(c))
        .map_or(0, |i| i + 1);
    let end = text[offset..]
        .find(|c: char| !is_word(c))
        .map_or(text.len(), |i| offset + i);
    let word = &text[start..end];
    let rule = Rule::lookup(word)?;
    let is_code = word.eq_ignore_ascii_case(rule.code());
    let line_start = text[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let in_comment = text[line_start..start].contains('#');
    (is_code || in_comment).then_some((rule, (start, end)))
}

/// The arrow of the main file at `offset` (of a touchpoint or one of its options), with its
/// touchpoint's name, its index among the arrows and the transitions they resolved into.
fn arrow_at(
    j: &Journey,
    file: crate::source::FileId,
    offset: usize,
) -> Option<(&str, usize, &Arrow, &[Vec<Transition>])> {
    let offset = offset as u32;
    let inside = |a: &Arrow| a.span.file == file && a.span.start <= offset && offset <= a.span.end;
    for tp in &j.touchpoints {
        if let Some(i) = tp.arrows.iter().position(inside) {
            return Some((&tp.name, i, &tp.arrows[i], &tp.transitions));
        }
        for c in &tp.choices {
            if let Some(i) = c.arrows.iter().position(inside) {
                return Some((&tp.name, i, &c.arrows[i], &c.transitions));
            }
        }
    }
    None
}

/// `-> exit: remainder — new 0.30, returning 0.15`: arrow `index` (`arrow`) as resolved per
/// segment; `—` for a segment its `for` leaves out.
fn transition_text(
    j: &Journey,
    index: usize,
    arrow: &Arrow,
    transitions: &[Vec<Transition>],
) -> String {
    let target = match arrow.target {
        Target::Exit => "exit",
        Target::Touchpoint(t) => &j.touchpoints[t].name,
    };
    let written = match arrow.probability {
        Some(p) => format!("{}%", model::trim(p * 100.0)),
        None => "remainder".into(),
    };
    let mut per_segment = Vec::new();
    for (s, seg) in j.segments.iter().enumerate() {
        let who = if seg.implicit { "everyone" } else { &seg.name };
        let applies = arrow.segments.is_empty() || arrow.segments.contains(&s);
        // Transitions of probability 0 are dropped from the resolved lists.
        let p = transitions
            .get(s)
            .and_then(|ts| ts.iter().find(|t| t.arrow == index))
            .map_or(0.0, |t| t.probability);
        per_segment.push(if applies {
            format!("{who} {}", probability(p))
        } else {
            format!("{who} —")
        });
    }
    format!("`-> {target}`: {written} — {}", per_segment.join(", "))
}

/// A probability as `0.30`, or with more decimals when two would round it.
fn probability(p: f64) -> String {
    let hundredths = p * 100.0;
    if (hundredths - hundredths.round()).abs() < 1e-9 {
        format!("{p:.2}")
    } else {
        model::trim(p)
    }
}

/// A touchpoint's exact reach and drop-off.
fn touchpoint_text(at: &At, j: &Journey, name: &str) -> String {
    let Some(id) = j.touchpoint(name) else {
        return format!("**touchpoint** `{name}`");
    };
    let tp = &j.touchpoints[id];
    let mut text = format!(
        "**touchpoint** `{name}` \"{}\" — stage `{}`, on `{}`",
        tp.label, j.stages[tp.stage].name, j.channels[tp.channel].name
    );
    match at.analysis.exact() {
        Some(Ok(exact)) => {
            let line = |f: &crate::analyze::TouchpointFigures| {
                let drop = f
                    .drop_off
                    .map_or("n/a (nobody reaches it)".into(), figure::percent);
                format!("reach {} · drop-off {drop}", figure::percent(f.reach))
            };
            if let Some(f) = exact.all.touchpoints.get(id) {
                text.push_str(&format!("\n\nExact: {}", line(f)));
            }
            if j.segments.len() > 1 {
                for (s, seg) in j.segments.iter().enumerate() {
                    if let Some(f) = exact.segments.get(s).and_then(|x| x.touchpoints.get(id)) {
                        text.push_str(&format!("\n- `{}`: {}", seg.name, line(f)));
                    }
                }
            }
        }
        Some(Err(e)) => text.push_str(&format!("\n\nNo exact figures: {e}")),
        None => {}
    }
    text
}

/// What a name is and where it is declared.
fn declared_text(state: &State, at: &At, o: &Occurrence) -> String {
    let a = at.analysis;
    let shown = o.key.rsplit('.').next().unwrap_or(&o.key);
    let mut text = format!("**{}** `{shown}`", o.kind.word());
    let defs = a.index.definitions(o.kind, &o.key);
    if defs.is_empty() {
        text.push_str(" — not declared");
    }
    for d in defs.iter().take(5) {
        let file = a.sources().get(d.span.file);
        let line = file.line_of(d.span.start);
        let shown_path = file
            .path
            .file_name()
            .map_or_else(|| file.display_path(), |n| n.to_string_lossy().into_owned());
        let pos = state
            .lines_of(a, d.span.file)
            .position(d.span.start as usize);
        text.push_str(&format!(
            "\n\n{shown_path}:{}: `{}`",
            pos.line + 1,
            file.line_text(line).trim()
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_codes_anywhere_and_names_in_comments() {
        let text = "touchpoint entry on web # journeyc: allow(context-break) J0301\n";
        let at = |needle: &str| rule_at(text, text.find(needle).unwrap() + 1).map(|(r, _)| r);
        assert_eq!(at("context-break"), Some(Rule::ContextBreak));
        assert_eq!(at("J0301"), Some(Rule::Unreachable));
        // `entry` is a rule name too, but here it is a name, not in a comment.
        assert_eq!(at("entry"), None);
        assert_eq!(at("web"), None);
    }

    #[test]
    fn probabilities_show_two_decimals_or_what_they_need() {
        assert_eq!(probability(0.3), "0.30");
        assert_eq!(probability(0.15), "0.15");
        assert_eq!(probability(0.125), "0.125");
        assert_eq!(probability(1.0), "1.00");
    }
}
