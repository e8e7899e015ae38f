//! `fit --write`: the journey's numbers rewritten in place from a log's estimates, keeping
//! every other byte (layout, comments), so the update is a reviewable diff (LANGUAGE-2.md
//! §5 and "Settled": lines without `for` get the estimate pooled over the segments they
//! apply to, `for` lines their segments' estimate; no `for` line is invented; entry weights
//! and trigger returns are pooled).
//!
//! Only numbers whose declared value lies outside the 95% interval of their estimate (from at
//! least `--min-count` observations) change: a number the log agrees with stays as written,
//! so the diff shows what the data contradicts. Where a touchpoint's transitions are all
//! written (no remainder to absorb a change), a change rewrites all of them, the last one
//! taking what the others leave, so they still add up.

use super::count::{Cell, Counts, EXIT, To, add_cell};
use super::fit::{Transitions, transitions, transitions_without_ends};
use crate::model::{Journey, Target};
use crate::sim::stats::{Estimate as Interval, proportion};
use std::ops::Range;

/// One number replaced.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    /// Bytes of the number in the source.
    pub range: Range<usize>,
    /// The new number, written like the old one (`65.2%` or `0.652`).
    pub text: String,
    /// What it is, for the summary: `bag -> payment 72% → 65.2%`.
    pub what: String,
    /// The declaration it belongs to.
    pub owner: Owner,
}

/// The declaration a number belongs to (for `--scenario`).
#[derive(Clone, Debug, PartialEq)]
pub enum Owner {
    /// A transition of a touchpoint.
    Arrow(usize),
    /// A friction line of a touchpoint, for these segments.
    Friction(usize, Vec<usize>),
    /// A touchpoint's entry weight.
    Entry(usize),
    /// A trigger's return chance.
    Return(usize),
}

/// The edits of a journey's source (its main file's text) from a log's counts: the numbers
/// whose declared value the log contradicts. Each estimate from at least `min_count`
/// observations is a test of its declared value (two-sided, its interval's half-width read
/// as 1.96 standard errors); the numbers changed are the discoveries of Benjamini–Hochberg
/// at 5% over all of them, and only those whose declared value also lies outside the 95%
/// interval. Over the hundred-odd numbers of a journey, about 5 would lie outside their
/// interval by chance alone; the correction keeps the diff to what the data contradicts.
pub fn edits(
    j: &Journey,
    source: &str,
    c: &Counts,
    ends: bool,
    causes: bool,
    min_count: u64,
) -> Vec<Edit> {
    let mut ps = Vec::new();
    let _ = edits_where(j, source, c, ends, causes, min_count, &mut |p| {
        ps.push(p);
        false
    });
    let cut = bh_cutoff(&ps, 0.05);
    edits_where(j, source, c, ends, causes, min_count, &mut |p| p <= cut)
}

/// The largest p-value Benjamini–Hochberg at `q` calls a discovery (-1: none).
fn bh_cutoff(p: &[f64], q: f64) -> f64 {
    let mut sorted = p.to_vec();
    sorted.sort_by(f64::total_cmp);
    let m = sorted.len() as f64;
    let mut cut = -1.0;
    for (rank, &x) in sorted.iter().enumerate() {
        if x <= (rank + 1) as f64 / m * q {
            cut = x;
        }
    }
    cut
}

/// The two-sided p-value of `declared` against an estimate whose 95% interval is `e`.
fn p_value(e: &Interval, declared: f64) -> f64 {
    let se = ((e.high - e.low) / (2.0 * crate::sim::stats::Z95)).max(1e-12);
    let z = (e.value - declared).abs() / se;
    erfc(z / std::f64::consts::SQRT_2)
}

/// The complementary error function (Numerical Recipes' erfcc, relative error below 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// [`edits`] with the numbers whose test's p-value `accept` takes.
#[allow(clippy::too_many_arguments)]
fn edits_where(
    j: &Journey,
    source: &str,
    c: &Counts,
    ends: bool,
    causes: bool,
    min_count: u64,
    accept: &mut dyn FnMut(f64) -> bool,
) -> Vec<Edit> {
    let mut out = Vec::new();
    let mut judge = |e: Option<Interval>, n: u64, declared: f64| -> Option<f64> {
        let e = e?;
        if n < min_count {
            return None;
        }
        let outside = declared < e.low - 1e-12 || declared > e.high + 1e-12;
        (accept(p_value(&e, declared)) && outside).then_some(e.value)
    };
    for (tp, t) in j.touchpoints.iter().enumerate() {
        let Some(block) = block(source, t.span.start as usize) else {
            continue;
        };
        // Transitions: one pooled estimate per written arrow, over the segments it applies to.
        let mut arrows: Vec<Written> = Vec::new();
        let mut remainder = false;
        let has_exit = t.arrows.iter().any(|a| a.target == Target::Exit);
        for (a, arrow) in t.arrows.iter().enumerate() {
            let segs: Vec<usize> = (0..j.segments.len())
                .filter(|&s| t.transitions[s].iter().any(|x| x.arrow == a))
                .collect();
            let Some(declared) = arrow.probability else {
                remainder = true;
                continue;
            };
            let span = arrow.span.start as usize..arrow.span.end as usize;
            let Some(range) = number_after(source, span, 2) else {
                continue;
            };
            let to: To = match arrow.target {
                Target::Exit => EXIT,
                Target::Touchpoint(x) => x as To,
            };
            let cell = pooled(c, &segs, tp);
            let est: Transitions = match ends {
                true => transitions(&cell),
                false => transitions_without_ends(&cell, has_exit),
            };
            let (e, n) = est.get(to);
            let name = match to {
                EXIT => "exit".to_string(),
                x => j.touchpoints[x as usize].name.clone(),
            };
            arrows.push(Written {
                range,
                declared,
                new: judge(e, n, declared),
                what: format!("{} -> {name}", t.name),
                to,
            });
        }
        let changed = arrows.iter().any(|a| a.new.is_some());
        let unqualified = t.arrows.iter().all(|a| a.segments.is_empty());
        if changed && !remainder && unqualified {
            // All written: rewrite every arrow with its estimate, the last taking the rest.
            let all: Vec<usize> = (0..j.segments.len()).collect();
            let cell = pooled(c, &all, tp);
            let est = match ends {
                true => transitions(&cell),
                false => transitions_without_ends(&cell, has_exit),
            };
            let mut sum = 0.0f64;
            let last = arrows.len() - 1;
            for (i, w) in arrows.iter().enumerate() {
                let old = &source[w.range.clone()];
                let value = match i == last {
                    true => (1.0 - sum).max(0.0),
                    false => {
                        let v = round3(est.get(w.to).0.map_or(w.declared, |e| e.value));
                        sum += v;
                        v
                    }
                };
                let e = edit(w.range.clone(), old, value, &w.what, w.declared);
                out.push(owned(e, Owner::Arrow(tp)));
            }
        } else {
            for w in &arrows {
                if let Some(v) = w.new {
                    let old = &source[w.range.clone()];
                    let e = edit(w.range.clone(), old, v, &w.what, w.declared);
                    out.push(owned(e, Owner::Arrow(tp)));
                }
            }
        }
        // Friction lines (only with pain causes), and the entry weight (pooled).
        for line in lines(source, block.clone()) {
            let words: Vec<(usize, &str)> = words(source, line.clone());
            match words.first().map(|w| w.1) {
                Some("friction") if causes => {
                    let segs = match segments_of(&words, j) {
                        Some(named) => named,
                        // The unqualified line: the segments without a line of their own.
                        None => (0..j.segments.len())
                            .filter(|&s| t.visit(s).friction == t.friction)
                            .collect(),
                    };
                    let Some(&(at, word)) = words.get(1).filter(|w| is_number(w.1)) else {
                        continue;
                    };
                    let Some(declared) = segs.first().map(|&s| t.visit(s).friction) else {
                        continue;
                    };
                    let cell = pooled(c, &segs, tp);
                    let (e, n) = match ends {
                        true => (
                            proportion(cell.friction, cell.reached_friction),
                            cell.reached_friction,
                        ),
                        false => (
                            proportion(cell.friction, cell.reach_sum.round().max(0.0) as u64),
                            cell.reach_sum.round().max(0.0) as u64,
                        ),
                    };
                    if let Some(v) = judge(e, n, declared) {
                        let what = format!("friction at {}", t.name);
                        let e = edit(at..at + word.len(), word, v, &what, declared);
                        out.push(owned(e, Owner::Friction(tp, segs.clone())));
                    }
                }
                Some("entry") => {
                    let Some(&(at, word)) = words.get(1).filter(|w| is_number(w.1)) else {
                        continue;
                    };
                    let all: u64 = c.entries.iter().sum();
                    let here: u64 = (0..c.n_seg).map(|s| c.entries[s * c.n_tp + tp]).sum();
                    if let Some(v) = judge(proportion(here, all), all, t.entry) {
                        let what = format!("entry {}", t.name);
                        let e = edit(at..at + word.len(), word, v, &what, t.entry);
                        out.push(owned(e, Owner::Entry(tp)));
                    }
                }
                _ => {}
            }
        }
    }
    // Trigger returns, pooled over segments.
    for (x, trigger) in j.triggers.iter().enumerate() {
        let Some(block) = block(source, trigger.span.start as usize) else {
            continue;
        };
        let (r, f): (u64, u64) = (0..c.n_seg).fold((0, 0), |(r, f), s| {
            (
                r + c.returns[s * c.n_triggers + x],
                f + c.firings[s * c.n_triggers + x],
            )
        });
        for line in lines(source, block.clone()) {
            let words = words(source, line);
            if words.first().map(|w| w.1) != Some("->") {
                continue;
            }
            if let Some(&(at, word)) = words.get(2).filter(|w| is_number(w.1))
                && let Some(v) = judge(proportion(r, f), f, trigger.probability)
            {
                let what = format!("return {}", trigger.name);
                let e = edit(at..at + word.len(), word, v, &what, trigger.probability);
                out.push(owned(e, Owner::Return(x)));
            }
        }
    }
    out.sort_by_key(|e| e.range.start);
    out.dedup_by_key(|e| e.range.start);
    out
}

/// The source with the edits applied.
pub fn apply(source: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    for e in edits {
        out.push_str(&source[at..e.range.start]);
        out.push_str(&e.text);
        at = e.range.end;
    }
    out.push_str(&source[at..]);
    out
}

fn edit(range: Range<usize>, old: &str, value: f64, what: &str, declared: f64) -> Edit {
    let text = format_like(old, value);
    Edit {
        range,
        what: format!("{what}: {} → {text}", format_like(old, declared)),
        text,
        owner: Owner::Entry(usize::MAX),
    }
}

/// [`edit`], owned.
fn owned(e: Edit, owner: Owner) -> Edit {
    Edit { owner, ..e }
}

/// The text of a scenario holding the edits' values (`fit --scenario NAME`), inserted before
/// the journey's closing brace: per touchpoint, its transitions restated (a scenario's
/// transitions replace the touchpoint's), its friction `for` the segments the line applied
/// to, its entry weight; a trigger restated whole.
pub fn with_scenario(
    j: &Journey,
    source: &str,
    edits: &[Edit],
    name: &str,
    label: &str,
) -> Option<String> {
    let journey = block(source, j.span.start as usize)?;
    let apply_in = |range: Range<usize>| -> String {
        let inside: Vec<Edit> = edits
            .iter()
            .filter(|e| e.range.start >= range.start && e.range.end <= range.end)
            .map(|e| Edit {
                range: e.range.start - range.start..e.range.end - range.start,
                ..e.clone()
            })
            .collect();
        apply(&source[range], &inside)
    };
    let mut text = format!("\n  scenario {name} \"{label}\" {{\n");
    for (tp, t) in j.touchpoints.iter().enumerate() {
        let mine: Vec<&Edit> = edits
            .iter()
            .filter(|e| match &e.owner {
                Owner::Arrow(k) | Owner::Entry(k) | Owner::Friction(k, _) => *k == tp,
                Owner::Return(_) => false,
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        text.push_str(&format!("    touchpoint {} {{\n", t.name));
        for e in &mine {
            match &e.owner {
                Owner::Entry(_) => text.push_str(&format!("      entry {}\n", e.text)),
                Owner::Friction(_, segs) => {
                    let names: Vec<&str> =
                        segs.iter().map(|&s| j.segments[s].name.as_str()).collect();
                    text.push_str(&format!(
                        "      friction {} for {}\n",
                        e.text,
                        names.join(", ")
                    ));
                }
                _ => {}
            }
        }
        if mine.iter().any(|e| matches!(e.owner, Owner::Arrow(_))) {
            for arrow in &t.arrows {
                let written = apply_in(arrow.span.start as usize..arrow.span.end as usize);
                let written = written.split_whitespace().collect::<Vec<_>>().join(" ");
                text.push_str(&format!("      {written}\n"));
            }
        }
        text.push_str("    }\n");
    }
    for (x, trigger) in j.triggers.iter().enumerate() {
        if !edits.iter().any(|e| e.owner == Owner::Return(x)) {
            continue;
        }
        let body = block(source, trigger.span.start as usize)?;
        let head = source[..trigger.span.start as usize].rfind("trigger")?;
        let whole = apply_in(head..body.end + 1);
        for (i, line) in whole.lines().enumerate() {
            let line = line.trim();
            let indent = if i == 0 || line == "}" {
                "    "
            } else {
                "      "
            };
            text.push_str(&format!("{indent}{line}\n"));
        }
    }
    text.push_str("  }\n");
    let at = journey.end;
    // Before the closing brace, after the last line's end.
    let at = source[..at].rfind('\n').map_or(at, |n| n + 1);
    Some(format!(
        "{}{}{}",
        &source[..at],
        text.trim_start_matches('\n'),
        &source[at..]
    ))
}

/// The cells of touchpoint `tp` over segments `segs` (and all options).
fn pooled(c: &Counts, segs: &[usize], tp: usize) -> Cell {
    let mut out = Cell::default();
    for &s in segs {
        add_cell(&mut out, &c.pooled_options(s, tp));
    }
    out
}

/// A number as the old one was written: a percentage to 0.1 (`65.2%`, `65%`), else a
/// fraction to 0.001.
fn format_like(old: &str, value: f64) -> String {
    let trim = |s: String| match s.contains('.') {
        true => s.trim_end_matches('0').trim_end_matches('.').to_string(),
        false => s,
    };
    if old.ends_with('%') {
        format!("{}%", trim(format!("{:.1}", value * 100.0)))
    } else {
        trim(format!("{value:.3}"))
    }
}

/// `value` rounded as [`format_like`] writes it (0.1% or 0.001: the same).
fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// A written transition probability.
struct Written {
    range: Range<usize>,
    declared: f64,
    /// The estimate, where the declared value lies outside its interval.
    new: Option<f64>,
    what: String,
    to: To,
}

fn is_number(w: &str) -> bool {
    w.chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '.')
}

/// The byte range of the `k`-th word of `range` when it is a number.
fn number_after(source: &str, range: Range<usize>, k: usize) -> Option<Range<usize>> {
    let w = words(source, range);
    w.get(k)
        .filter(|w| is_number(w.1))
        .map(|&(at, word)| at..at + word.len())
}

/// The words of a range (split at white space and commas), with their byte offsets, up to
/// a comment.
fn words(source: &str, range: Range<usize>) -> Vec<(usize, &str)> {
    let text = &source[range.clone()];
    let mut out = Vec::new();
    let mut start = None;
    let mut in_string = false;
    for (i, ch) in text.char_indices() {
        if in_string {
            in_string = ch != '"';
            continue;
        }
        if ch == '#' || ch == '"' {
            if let Some(s) = start.take() {
                out.push((range.start + s, &text[s..i]));
            }
            if ch == '#' {
                return out;
            }
            // A label: skipped.
            in_string = true;
            continue;
        }
        if ch.is_whitespace() || ch == ',' || ch == '{' || ch == '}' {
            if let Some(s) = start.take() {
                out.push((range.start + s, &text[s..i]));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push((range.start + s, &text[s..]));
    }
    out
}

/// The segments a line names after `for`, or `None` for an unqualified line.
fn segments_of(words: &[(usize, &str)], j: &Journey) -> Option<Vec<usize>> {
    let at = words.iter().position(|w| w.1 == "for")?;
    Some(
        words[at + 1..]
            .iter()
            .filter_map(|w| j.segment(w.1))
            .collect(),
    )
}

/// The `{ … }` block that follows `from` (strings and comments skipped): the byte range
/// inside the braces.
fn block(source: &str, from: usize) -> Option<Range<usize>> {
    let bytes = source.as_bytes();
    let mut i = from;
    let (mut depth, mut start) = (0usize, None);
    let (mut in_string, mut in_comment) = (false, false);
    while i < bytes.len() {
        let b = bytes[i];
        if in_comment {
            in_comment = b != b'\n';
        } else if in_string {
            if b == b'\\' {
                i += 1;
            } else if b == b'"' {
                in_string = false;
            }
        } else {
            match b {
                b'#' => in_comment = true,
                b'"' => in_string = true,
                b'{' => {
                    depth += 1;
                    if start.is_none() {
                        start = Some(i + 1);
                    }
                }
                b'}' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return start.map(|s| s..i);
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    None
}

/// The lines of a block at its own depth (nested blocks, like an option's, left out).
fn lines(source: &str, block: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut at = block.start;
    for line in source[block.clone()].split_inclusive('\n') {
        let range = at..at + line.len();
        at += line.len();
        let code = line.split('#').next().unwrap_or("");
        if depth == 0 {
            out.push(range);
        }
        depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
        depth = depth.max(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_they_were() {
        assert_eq!(format_like("72%", 0.6523), "65.2%");
        assert_eq!(format_like("72%", 0.65), "65%");
        assert_eq!(format_like("0.72", 0.6523), "0.652");
    }

    #[test]
    fn blocks_skip_strings_and_comments() {
        let s = "touchpoint a \"x { y\" { # }\n  -> b 10%\n}\n";
        let b = block(s, 0).unwrap();
        assert_eq!(&s[b.clone()], " # }\n  -> b 10%\n");
        let w = words(s, lines(s, b)[1].clone());
        assert_eq!(
            w.iter().map(|w| w.1).collect::<Vec<_>>(),
            ["->", "b", "10%"]
        );
    }
}
