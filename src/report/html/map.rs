//! The journey map: stages across, channels down, one card per touchpoint in its (stage,
//! channel) cell ([`super::layout`]), pain points and moments of truth marked, and the emotion
//! curve of the most travelled path ([`super::path`]) drawn under the lanes, aligned with the
//! cards.

use super::layout::{Slots, targets};
use super::path::{End, MostTravelled, most_travelled};
use super::svg::{PathData, Svg};
use super::text::{fit, text_width, wrap, wrap_widths};
use super::{escape, pct, signed};
use crate::model::figure::{money, trimmed};
use crate::model::{ChannelKind, Journey, Score, Touchpoint, TouchpointId, Visit, format_duration};
use crate::sim::figures::Figures;
use std::fmt::Write;

const LEFT: f64 = 120.0;
const SLOT_W: f64 = 152.0;
const CARD_W: f64 = 136.0;
const CARD_H: f64 = 92.0;
const HEAD_H: f64 = 46.0;
const LANE_H: f64 = CARD_H + 26.0;
const CURVE_H: f64 = 190.0;
const RIGHT: f64 = 16.0;
/// Card labels are 13px bold: wrapped as if 14.3px regular (bold is about 10% wider).
const LABEL_SIZE: f64 = 14.3;

/// The journey map section's body: the swimlane with its emotion curve, the legend, the
/// path in words and the pain points and moments of truth as a table.
pub fn render(j: &Journey, f: &Figures) -> String {
    let slots = Slots::new(j);
    let path = most_travelled(j, f);
    let mut out = String::new();
    out.push_str(&legend(j));
    out.push_str("<div class=\"scroll\" tabindex=\"0\">\n");
    out.push_str(&swimlane(j, f, &slots, path.as_ref()));
    out.push_str("</div>\n");
    match &path {
        Some(p) => out.push_str(&path_text(j, p)),
        None => out.push_str("<p>No entry: there is no path to draw.</p>\n"),
    }
    out.push_str(&pains_table(j, f));
    out
}

fn legend(j: &Journey) -> String {
    let mut s = String::from("<ul class=\"legend\" aria-label=\"Legend of the map\">\n");
    let items = [
        (
            "<svg viewBox=\"0 0 20 20\" class=\"key\" aria-hidden=\"true\"><polygon points=\"10,2 19,18 1,18\" class=\"badge-pain\"/><text x=\"10\" y=\"16\" text-anchor=\"middle\" class=\"badge-text\">!</text></svg>",
            "pain point (friction: chance per visit, and what hurts)",
        ),
        (
            "<svg viewBox=\"0 0 20 20\" class=\"key\" aria-hidden=\"true\"><polygon points=\"10,1 12.4,7.2 19,7.2 13.7,11.3 15.6,18 10,14 4.4,18 6.3,11.3 1,7.2 7.6,7.2\" class=\"badge-mot\"/></svg>",
            "moment of truth",
        ),
        (
            "<svg viewBox=\"0 0 20 20\" class=\"key\" aria-hidden=\"true\"><circle cx=\"10\" cy=\"10\" r=\"8\" class=\"badge-goal\"/><text x=\"10\" y=\"14\" text-anchor=\"middle\" class=\"badge-text\">✓</text></svg>",
            "goal",
        ),
        (
            "<svg viewBox=\"0 0 20 20\" class=\"key\" aria-hidden=\"true\"><rect x=\"1\" y=\"4\" width=\"18\" height=\"12\" rx=\"3\" class=\"badge-entry\"/></svg>",
            "entry (where customers start)",
        ),
        (
            "<svg viewBox=\"0 0 20 20\" class=\"key\" aria-hidden=\"true\"><rect x=\"1\" y=\"3\" width=\"18\" height=\"14\" rx=\"3\" class=\"card card-path\"/></svg>",
            "on the most travelled path (numbered), with its emotion curve below",
        ),
    ];
    for (icon, text) in items {
        let _ = writeln!(s, "<li>{icon} {text}</li>");
    }
    // Version 2 only, so that a version-1 journey's map does not change.
    if j.rates_csat() || j.rates_effort() {
        let _ = writeln!(
            s,
            "<li>CSAT, effort: the simulated CSAT of the visits there; the effort a visit \
             costs (base–with a pain point)</li>"
        );
    }
    if j.touchpoints.iter().any(Touchpoint::varies) {
        let _ = writeln!(
            s,
            "<li><svg viewBox=\"0 0 20 20\" class=\"key\" aria-hidden=\"true\"><text x=\"10\" \
             y=\"15\" text-anchor=\"middle\" class=\"card-label\">{VARIES}</text></svg> \
             attributes that differ by segment (the card's tooltip lists the values)</li>"
        );
    }
    s.push_str("</ul>\n");
    s
}

fn card_x(slots: &Slots, t: TouchpointId) -> f64 {
    LEFT + slots.slot[t] as f64 * SLOT_W + (SLOT_W - CARD_W) / 2.0
}

fn card_y(slots: &Slots, t: TouchpointId) -> f64 {
    HEAD_H + slots.lane[t] as f64 * LANE_H + (LANE_H - CARD_H) / 2.0
}

/// The map's SVG: stage columns, channel lanes, moves, cards and the emotion curve.
fn swimlane(j: &Journey, f: &Figures, slots: &Slots, path: Option<&MostTravelled>) -> String {
    let width = LEFT + slots.total() as f64 * SLOT_W + RIGHT;
    let lanes_bottom = HEAD_H + slots.lanes.len() as f64 * LANE_H;
    let height = lanes_bottom + if path.is_some() { CURVE_H } else { 8.0 };
    let mut s = Svg::new(width, height);
    stage_columns(&mut s, j, slots, height);
    lanes(&mut s, j, slots, width);

    let on_path: Vec<TouchpointId> = path
        .map(|p| p.steps.iter().map(|st| st.touchpoint).collect())
        .unwrap_or_default();
    moves(&mut s, j, slots, &on_path);
    for (k, tp) in j.touchpoints.iter().enumerate() {
        Card {
            j,
            tp,
            x: card_x(slots, k),
            y: card_y(slots, k),
            step: on_path.iter().position(|&t| t == k),
            reach: f.touchpoints.get(k).map(|t| t.reach.value),
            csat: rated(tp, |v| v.csat)
                .then(|| f.touchpoints.get(k).and_then(|t| t.csat).map(|e| e.value)),
        }
        .draw(&mut s);
    }

    if let Some(p) = path {
        emotion_curve(&mut s, slots, p, lanes_bottom);
    }
    // Drawn at its natural size, shrunk to three quarters of it at most to fit the page;
    // narrower boxes scroll.
    s.finish(
        &format!(
            "Journey map of {}: {} stages across, {} channels down",
            j.label,
            j.stages.len(),
            slots.lanes.len()
        ),
        "map",
        Some(0.75),
    )
}

/// Draws the stage columns, `height` high, and their headers.
fn stage_columns(s: &mut Svg, j: &Journey, slots: &Slots, height: f64) {
    for (k, stage) in j.stages.iter().enumerate() {
        let x = LEFT + slots.first[k] as f64 * SLOT_W;
        let w = slots.per_stage[k] as f64 * SLOT_W;
        let class = if k % 2 == 0 { "stage-a" } else { "stage-b" };
        s.rect(x, 0.0, w, height, class, "");
        let head = wrap(&stage.label, w - 16.0, 14.0, 2);
        let y = if head.len() > 1 { 18.0 } else { 27.0 };
        s.lines(x + w / 2.0, y, 17.0, &head, "stage-head", "middle");
    }
}

/// Draws the channel lanes, `width` wide: their lines, and each channel's name and kind on
/// the left.
fn lanes(s: &mut Svg, j: &Journey, slots: &Slots, width: f64) {
    for (i, &c) in slots.lanes.iter().enumerate() {
        let y = HEAD_H + i as f64 * LANE_H;
        s.line(0.0, y, width, y, "lane-line");
        let ch = &j.channels[c];
        let kind = match ch.kind {
            ChannelKind::Digital => "digital",
            ChannelKind::Physical => "physical",
            ChannelKind::Human => "human",
        };
        let name = wrap(&ch.name, LEFT - 20.0, 13.0, 2);
        s.lines(
            12.0,
            y + LANE_H / 2.0 - 2.0,
            15.0,
            &name,
            "lane-head",
            "start",
        );
        s.text(
            12.0,
            y + LANE_H / 2.0 + 15.0 * name.len() as f64 - 2.0,
            kind,
            "lane-kind",
            "start",
        );
    }
    let lanes_bottom = HEAD_H + slots.lanes.len() as f64 * LANE_H;
    s.line(0.0, lanes_bottom, width, lanes_bottom, "lane-line");
}

/// Draws every possible move, faint, behind the cards; the moves of the path `on_path` on
/// top of them.
fn moves(s: &mut Svg, j: &Journey, slots: &Slots, on_path: &[TouchpointId]) {
    for (a, _) in j.touchpoints.iter().enumerate() {
        for b in targets(j, a) {
            s.path(&connector(slots, a, b), "move", None);
        }
    }
    for pair in on_path.windows(2) {
        s.path(&connector(slots, pair[0], pair[1]), "move-path", None);
    }
}

/// A touchpoint's card on the map, at `(x, y)`.
struct Card<'a> {
    j: &'a Journey,
    tp: &'a Touchpoint,
    x: f64,
    y: f64,
    /// Its index on the most travelled path, if it is on it.
    step: Option<usize>,
    /// Its simulated reach.
    reach: Option<f64>,
    /// Its simulated CSAT when it is rated with `csat` (`Some(None)`: nobody visited).
    csat: Option<Option<f64>>,
}

impl Card<'_> {
    /// Draws the card: its box, entry mark, badges, step number, label and facts, in a group
    /// titled with everything the card says.
    fn draw(&self, s: &mut Svg) {
        let (tp, x, y) = (self.tp, self.x, self.y);
        s.raw(&format!(
            "<g class=\"tp\" data-touchpoint=\"{}\"><title>{}</title>\n",
            escape(&tp.name),
            escape(&self.title())
        ));
        let class = if self.step.is_some() {
            "card card-path"
        } else {
            "card"
        };
        s.rect(x, y, CARD_W, CARD_H, class, "rx=\"6\"");
        if tp.entry > 0.0 {
            s.rect(x, y, 5.0, CARD_H, "badge-entry", "");
        }
        let bx = self.badges(s);
        if let Some(i) = self.step {
            s.circle(x + 14.0, y + 13.0, 9.0, "step-dot");
            s.text(
                x + 14.0,
                y + 17.0,
                &(i + 1).to_string(),
                "step-num",
                "middle",
            );
        }
        let line_y = self.label(s, bx);
        self.facts(s, line_y);
        s.raw("</g>\n");
    }

    /// The card's title (its tooltip): label, name, channel, reach, pain point, moment of
    /// truth and goal.
    fn title(&self) -> String {
        let (j, tp) = (self.j, self.tp);
        let mut title = format!(
            "{} ({}) on {}",
            tp.label, tp.name, j.channels[tp.channel].name
        );
        if let Some(r) = self.reach {
            let _ = write!(title, "; reach {}", pct(r));
        }
        if tp.friction > 0.0 {
            let _ = write!(title, "; pain point {}", pct(tp.friction));
            if let Some(l) = &tp.friction_label {
                let _ = write!(title, " ({l})");
            }
        }
        if tp.moment_of_truth {
            title.push_str("; moment of truth");
        }
        if let Some(g) = tp.goal {
            let _ = write!(title, "; goal {}", j.goals[g.goal].name);
        }
        if let Some(c) = self.csat {
            let value = c.map_or_else(|| "n/a".into(), pct);
            let _ = write!(title, "; CSAT {value} (simulated)");
        }
        if let Some(e) = tp.effort {
            let _ = write!(title, "; effort {}", score(e, |x| trimmed(x, 2)));
        }
        let varies = by_segment(j, tp);
        if !varies.is_empty() {
            let _ = write!(title, "; by segment: {}", varies.join("; "));
        }
        title
    }

    /// The customer scores line(s): `CSAT 76.6% · effort 2–5`, or two lines when that is
    /// too wide; none for a touchpoint rated with neither.
    fn scores(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(c) = self.csat {
            parts.push(format!("CSAT {}", c.map_or_else(|| "n/a".into(), pct)));
        }
        if rated(self.tp, |v| v.effort) {
            let e = self.tp.effort;
            let text = match e {
                Some(e) if e.pain != e.base => {
                    format!("effort {}–{}", trimmed(e.base, 2), trimmed(e.pain, 2))
                }
                Some(e) => format!("effort {}", trimmed(e.base, 2)),
                // Rated for some segments only.
                None => "effort by segment".into(),
            };
            parts.push(text);
        }
        let one = parts.join(" · ");
        if text_width(&one, 11.0) <= CARD_W - 18.0 {
            vec![one].into_iter().filter(|l| !l.is_empty()).collect()
        } else {
            parts
        }
    }

    /// Draws the badges (goal, moment of truth, pain point), right to left in the top
    /// corner; returns where the next badge would go.
    fn badges(&self, s: &mut Svg) -> f64 {
        let (tp, x, y) = (self.tp, self.x, self.y);
        let mut bx = x + CARD_W - 12.0;
        if tp.goal.is_some() {
            s.circle(bx, y + 12.0, 8.0, "badge-goal");
            s.text(bx, y + 16.0, "✓", "badge-text", "middle");
            bx -= 20.0;
        }
        if tp.moment_of_truth {
            s.polygon(&star(bx, y + 12.0, 9.0), "badge-mot");
            bx -= 20.0;
        }
        if has_friction(tp) {
            s.polygon(
                &[(bx, y + 3.0), (bx + 9.0, y + 20.0), (bx - 9.0, y + 20.0)],
                "badge-pain",
            );
            s.text(bx, y + 18.0, "!", "badge-text", "middle");
            bx -= 20.0;
        }
        if tp.varies() {
            s.text(bx, y + 17.0, VARIES, "card-label", "middle");
            bx -= 20.0;
        }
        bx
    }

    /// Draws the label: its first line beside the badges (left of `bx`, where the next badge
    /// would go), a second one under them; returns the top of the line after it.
    fn label(&self, s: &mut Svg, bx: f64) -> f64 {
        let (x, y) = (self.x, self.y);
        let label_x = if self.step.is_some() {
            x + 28.0
        } else {
            x + 10.0
        };
        let right = if bx < x + CARD_W - 12.0 {
            bx + 11.0 - 5.0
        } else {
            x + CARD_W - 8.0
        };
        let label = wrap_widths(
            &self.tp.label,
            &[(right - label_x).max(24.0), CARD_W - 18.0],
            LABEL_SIZE,
        );
        if let Some(first) = label.first().filter(|l| !l.is_empty()) {
            s.text(label_x, y + 17.0, first, "card-label", "start");
        }
        if let Some(second) = label.get(1) {
            s.text(x + 10.0, y + 34.0, second, "card-label", "start");
        }
        if label.len() > 1 { y + 50.0 } else { y + 36.0 }
    }

    /// Draws the facts under the label, from `line_y` down: reach, emotion, and the pain
    /// point (wrapped to the room left) or else the goal.
    fn facts(&self, s: &mut Svg, mut line_y: f64) {
        let (j, tp, x, y) = (self.j, self.tp, self.x, self.y);
        if let Some(r) = self.reach {
            s.text(
                x + 10.0,
                line_y,
                &format!("reach {}", pct(r)),
                "card-fact",
                "start",
            );
            line_y += 13.0;
        }
        let bottom = y + CARD_H - 4.0;
        for l in self.scores() {
            if line_y > bottom {
                break;
            }
            s.text(x + 10.0, line_y, &l, "card-fact", "start");
            line_y += 13.0;
        }
        if tp.emotion != 0 && line_y <= bottom {
            let class = if tp.emotion > 0 {
                "card-emotion"
            } else {
                "card-emotion negative"
            };
            s.text(
                x + 10.0,
                line_y,
                &format!("emotion {}", signed(f64::from(tp.emotion), 0)),
                class,
                "start",
            );
            line_y += 13.0;
        }
        if has_friction(tp) {
            // Friction for some segments only: the tooltip has their values.
            let chance = match tp.friction > 0.0 {
                true => pct(tp.friction),
                false => "by segment:".into(),
            };
            let text = match &tp.friction_label {
                Some(l) => format!("{chance} {l}"),
                None => format!("{chance} friction"),
            };
            let room = (((y + CARD_H - 4.0 - line_y) / 13.0).floor() + 1.0).max(1.0) as usize;
            let lines = wrap(&text, CARD_W - 18.0, 11.0, room);
            for l in &lines {
                if line_y > y + CARD_H - 4.0 {
                    break;
                }
                s.text(x + 10.0, line_y, l, "card-pain", "start");
                line_y += 13.0;
            }
        } else if let Some(g) = tp.goal {
            s.text(
                x + 10.0,
                line_y,
                &fit(
                    &format!("goal {}", j.goals[g.goal].name),
                    CARD_W - 20.0,
                    11.0,
                ),
                "card-goal",
                "start",
            );
        }
    }
}

/// The mark of a card whose attributes differ by segment.
const VARIES: &str = "◐";

/// True when `tp` is rated (`csat` or `effort`, as `score` picks) for some segment.
fn rated(tp: &Touchpoint, score: impl Fn(&Visit) -> Option<Score>) -> bool {
    score(&tp.unqualified()).is_some() || tp.by_segment.iter().any(|v| score(v).is_some())
}

/// A score as the journey writes it: `80%`, or `80% pain 30%` when a pain point changes it.
fn score(s: Score, show: impl Fn(f64) -> String) -> String {
    match s.pain == s.base {
        true => show(s.base),
        false => format!("{} pain {}", show(s.base), show(s.pain)),
    }
}

/// How one attribute of a visit is written.
type Shown<'a> = dyn Fn(&Visit) -> String + 'a;

/// The attributes of `tp` that differ by segment, one string each: the value for everyone
/// (the unqualified line, or the default), then each other value with the segments that get
/// it: `friction 25% · loyal 10%`.
fn by_segment(j: &Journey, tp: &Touchpoint) -> Vec<String> {
    if !tp.varies() {
        return Vec::new();
    }
    let percent = |p: f64| format!("{}%", trimmed(p * 100.0, 2));
    let rated = |s: Option<Score>, show: &dyn Fn(f64) -> String| {
        s.map_or_else(|| "not rated".into(), |s| score(s, show))
    };
    let attributes: [(&str, &Shown); 7] = [
        ("duration", &|v| {
            let d = v.duration;
            match d.min == d.max {
                true => format_duration(d.min),
                false => format!("{}..{}", format_duration(d.min), format_duration(d.max)),
            }
        }),
        ("friction", &|v| percent(v.friction)),
        ("emotion", &|v| signed(f64::from(v.emotion), 0)),
        ("cost", &|v| money(v.cost)),
        ("csat", &|v| rated(v.csat, &percent)),
        ("effort", &|v| rated(v.effort, &|x| trimmed(x, 2))),
        ("goal value", &|v| trimmed(v.value, 2)),
    ];
    let everyone = tp.unqualified();
    let mut out = Vec::new();
    for (name, show) in attributes {
        let base = show(&everyone);
        let others = differing(j, tp, &base, show);
        if others.is_empty() {
            continue;
        }
        let mut text = format!("{name} {base}");
        for (value, names) in others {
            let _ = write!(text, " · {} {value}", names.join(", "));
        }
        out.push(text);
    }
    out
}

/// A move between two cards: from the right edge of `a` to the left edge of `b`, curving;
/// a move back (or within a slot) loops below the cards.
fn connector(slots: &Slots, a: TouchpointId, b: TouchpointId) -> PathData {
    let (ax, ay) = (card_x(slots, a), card_y(slots, a));
    let (bx, by) = (card_x(slots, b), card_y(slots, b));
    if slots.slot[b] > slots.slot[a] {
        let (x0, y0) = (ax + CARD_W, ay + CARD_H / 2.0);
        let (x1, y1) = (bx, by + CARD_H / 2.0);
        let m = (x0 + x1) / 2.0;
        PathData::default()
            .move_to(x0, y0)
            .cubic(m, y0, m, y1, x1, y1)
    } else {
        let (x0, y0) = (ax + CARD_W / 2.0, ay + CARD_H);
        let (x1, y1) = (bx + CARD_W / 2.0, by + CARD_H);
        let low = y0.max(y1) + (LANE_H - CARD_H) / 2.0 - 2.0;
        PathData::default()
            .move_to(x0, y0)
            .cubic(x0, low, x1, low, x1, y1)
    }
}

/// A five-pointed star around `(cx, cy)`.
fn star(cx: f64, cy: f64, r: f64) -> Vec<(f64, f64)> {
    (0..10)
        .map(|i| {
            let radius = if i % 2 == 0 { r } else { r * 0.45 };
            let angle = std::f64::consts::PI * (i as f64 / 5.0 - 0.5);
            (cx + radius * angle.cos(), cy + radius * angle.sin())
        })
        .collect()
}

/// The emotion band under the lanes: cumulative expected sentiment per step of the path, at
/// the x of the step's card.
fn emotion_curve(s: &mut Svg, slots: &Slots, p: &MostTravelled, top: f64) {
    let band_top = top + 30.0;
    let band_h = CURVE_H - 56.0;
    let values: Vec<f64> = p.steps.iter().map(|st| st.cumulative).collect();
    let hi = values.iter().copied().fold(0.0f64, f64::max);
    let lo = values.iter().copied().fold(0.0f64, f64::min);
    let span = (hi - lo).max(1.0);
    let (hi, lo) = (hi + span * 0.1, lo - span * 0.1);
    let y_of = |v: f64| band_top + (hi - v) / (hi - lo) * band_h;
    let width = s.width;
    s.text(12.0, top + 20.0, "Emotion", "lane-head", "start");
    s.lines(
        12.0,
        top + 36.0,
        13.0,
        &[
            "most travelled".into(),
            "path, cumulative".into(),
            "expected sentiment".into(),
        ],
        "lane-kind",
        "start",
    );
    s.line(LEFT, y_of(0.0), width - RIGHT, y_of(0.0), "zero");
    s.text(
        width - RIGHT - 4.0,
        y_of(0.0) - 5.0,
        "neutral (0)",
        "tick",
        "end",
    );
    let points: Vec<(f64, f64)> = p
        .steps
        .iter()
        .map(|st| {
            let x = card_x(slots, st.touchpoint) + CARD_W / 2.0;
            (x, y_of(st.cumulative))
        })
        .collect();
    for (st, &(x, _)) in p.steps.iter().zip(&points) {
        let card_bottom = card_y(slots, st.touchpoint) + CARD_H;
        s.line(x, card_bottom, x, band_top - 6.0, "guide");
    }
    s.polyline(&points, "emotion");
    for (i, (st, &(x, y))) in p.steps.iter().zip(&points).enumerate() {
        let class = if st.cumulative < 0.0 {
            "emotion-dot negative"
        } else {
            "emotion-dot"
        };
        s.circle(x, y, 5.0, class);
        let label = format!("{}: {}", i + 1, signed(st.cumulative, 2));
        let above = y - 10.0 > band_top - 12.0;
        let ty = if above { y - 10.0 } else { y + 18.0 };
        s.text(x, ty, &label, "emotion-label", "middle");
        let mut change = Vec::new();
        if st.emotion != 0.0 {
            change.push(format!("emotion {}", signed(st.emotion, 0)));
        }
        if st.pains > 0.0 {
            change.push(format!("−{:.2} pains", st.pains));
        }
        if !change.is_empty() {
            s.text(
                x,
                band_top + band_h + 22.0,
                &change.join(" "),
                "emotion-change",
                "middle",
            );
        }
    }
}

fn path_text(j: &Journey, p: &MostTravelled) -> String {
    let names: Vec<String> = p
        .steps
        .iter()
        .map(|st| format!("<b>{}</b>", escape(&j.touchpoints[st.touchpoint].label)))
        .collect();
    let last = p.steps.last().map(|st| &j.touchpoints[st.touchpoint]);
    let end = match (p.end, last) {
        (End::Goal, Some(t)) => match t.goal {
            Some(g) => format!(
                "it ends at the goal <code>{}</code>",
                escape(&j.goals[g.goal].name)
            ),
            None => "it ends at a goal".into(),
        },
        (End::Exit, _) => "it ends where the only way on is to leave".into(),
        (End::Repeat, _) => {
            "it ends where the most reached next touchpoint is already on the path (a loop)".into()
        }
        (End::Unvisited, _) | (_, None) => "it ends where no simulated customer went on".into(),
    };
    let last_value = p.steps.last().map_or(0.0, |s| s.cumulative);
    format!(
        "<p class=\"note\">Most travelled path: {}; {end}. Expected sentiment at its end: \
         <b data-figure=\"path.sentiment\" data-value=\"{}\">{}</b>. The path starts at the \
         entry with the most simulated visits and moves on, at each touchpoint, to the possible \
         next touchpoint that the most customers reached; the curve adds each step's emotion \
         and subtracts its expected pain points (friction, and the context-loss chance when \
         the step changes to a channel without shared context).</p>\n",
        names.join(" → "),
        super::value_attr(last_value),
        signed(last_value, 2)
    )
}

fn pains_table(j: &Journey, f: &Figures) -> String {
    let marked: Vec<TouchpointId> = j
        .stages
        .iter()
        .flat_map(|s| s.touchpoints.iter().copied())
        .filter(|&t| has_friction(&j.touchpoints[t]) || j.touchpoints[t].moment_of_truth)
        .collect();
    if marked.is_empty() {
        return "<p>No pain points (friction) and no moments of truth are declared.</p>\n".into();
    }
    let mut s = String::from(
        "<div class=\"table-scroll\"><table class=\"pains\">\n<caption>Pain points and moments of truth, in lifecycle order \
         (pains: simulated pain points at the touchpoint per customer, context loss included)\
         </caption>\n<thead><tr><th scope=\"col\">Touchpoint</th><th scope=\"col\">Stage</th>\
         <th scope=\"col\">Channel</th><th scope=\"col\">Mark</th><th scope=\"col\">Friction</th>\
         <th scope=\"col\">What hurts</th><th scope=\"col\" class=\"num\">Reach</th>\
         <th scope=\"col\" class=\"num\">Pains</th><th scope=\"col\" class=\"num\">Drop-off</th>\
         </tr></thead>\n<tbody>\n",
    );
    // What a pain point costs in CSAT where visits are rated: a column of version 2 only.
    let csat = j.rates_csat();
    if csat {
        s = s.replace(
            "(pains: simulated pain points at the touchpoint per customer, context loss included)",
            "(pains: simulated pain points at the touchpoint per customer, context loss \
             included; CSAT cost: how much less likely a visit with a pain point is rated \
             satisfied, csat − csat after a pain point)",
        );
        s = s.replace(
            "Drop-off</th></tr>",
            "Drop-off</th><th scope=\"col\" class=\"num\">CSAT cost</th></tr>",
        );
    }
    for t in marked {
        let tp = &j.touchpoints[t];
        let x = f.touchpoints.get(t);
        let mut marks = Vec::new();
        if has_friction(tp) {
            marks.push("<span class=\"tag tag-pain\">! pain point</span>");
        }
        if tp.moment_of_truth {
            marks.push("<span class=\"tag tag-mot\">★ moment of truth</span>");
        }
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td class=\"num\" data-figure=\"touchpoint.pains\" \
             data-touchpoint=\"{}\" data-value=\"{}\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&tp.label),
            escape(&j.stages[tp.stage].label),
            escape(&j.channels[tp.channel].name),
            marks.join(" "),
            friction_cell(j, tp),
            tp.friction_label.as_deref().map_or("—".into(), escape),
            x.map_or("—".into(), |x| pct(x.reach.value)),
            escape(&tp.name),
            x.map_or("0".into(), |x| super::value_attr(x.pains.value)),
            x.map_or("—".into(), |x| format!("{:.3}", x.pains.value)),
            x.and_then(|x| x.drop_off)
                .map_or("n/a".into(), |d| pct(d.value)),
        );
        if csat {
            let cell = csat_cost(j, tp);
            s.truncate(s.len() - "</tr>\n".len());
            s.push_str(&cell);
            s.push_str("</tr>\n");
        }
    }
    s.push_str("</tbody>\n</table></div>\n");
    s
}

/// True when a visit of `tp` may have a friction pain point, for some segment.
fn has_friction(tp: &Touchpoint) -> bool {
    tp.friction > 0.0 || tp.by_segment.iter().any(|v| v.friction > 0.0)
}

/// The values of an attribute (as `show` writes it) that differ from `base`, the value for
/// everyone, each with the segments that get it, in segment order.
fn differing<'j>(
    j: &'j Journey,
    tp: &Touchpoint,
    base: &str,
    show: &Shown,
) -> Vec<(String, Vec<&'j str>)> {
    let mut others: Vec<(String, Vec<&str>)> = Vec::new();
    for (k, seg) in j.segments.iter().enumerate() {
        let value = show(&tp.visit(k));
        if value == base {
            continue;
        }
        match others.iter_mut().find(|(v, _)| *v == value) {
            Some((_, names)) => names.push(&seg.name),
            None => others.push((value, vec![&seg.name])),
        }
    }
    others
}

/// A table cell's text: `base`, the value for everyone, then the segments whose
/// value differs in parentheses: `48.0 pp (deal_hunter 50.0 pp)`. Segment names are
/// identifiers and values numbers: nothing to escape (`<0.1%` stays as the table wrote it).
fn with_segments(
    j: &Journey,
    tp: &Touchpoint,
    base: String,
    show: impl Fn(&Visit) -> String,
) -> String {
    let others = differing(j, tp, &base, &show);
    let mut text = base;
    if !others.is_empty() {
        let list: Vec<String> = others
            .iter()
            .map(|(v, names)| format!("{} {v}", names.join(", ")))
            .collect();
        let _ = write!(text, " ({})", list.join("; "));
    }
    text
}

/// The pain table's friction cell: the chance for everyone (`—` for none), and the segments'
/// that differ.
fn friction_cell(j: &Journey, tp: &Touchpoint) -> String {
    let chance = |p: f64| match p > 0.0 {
        true => pct(p),
        false => "—".into(),
    };
    with_segments(j, tp, chance(tp.friction), |v| chance(v.friction))
}

/// The pain table's CSAT cost cell of a touchpoint: csat − csat after a pain point, in
/// percentage points, for everyone, and for the segments that differ (`15.0 pp (loyal 35.0
/// pp)`); `—` where visits are not rated.
fn csat_cost(j: &Journey, tp: &Touchpoint) -> String {
    let cost = |s: Option<Score>| s.map(|s| s.base - s.pain);
    let pp = |c: Option<f64>| c.map_or_else(|| "—".into(), |c| format!("{:.1} pp", c * 100.0));
    let everyone = cost(tp.csat);
    let text = with_segments(j, tp, pp(everyone), |v| pp(cost(v.csat)));
    match everyone {
        Some(c) => format!(
            "<td class=\"num\" data-figure=\"touchpoint.csat_cost\" data-touchpoint=\"{}\" \
             data-value=\"{}\">{text}</td>",
            escape(&tp.name),
            super::value_attr(c)
        ),
        None => format!("<td class=\"num\">{text}</td>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::html::svg::tests::geometry_problems;
    use crate::report::html::testing::{figures, journey};

    #[test]
    fn segment_values_show_in_tooltips_and_the_pain_table() {
        let j = journey(
            r#"journey seg {
  channel web digital
  segment a { share 50% }
  segment b { share 50% }
  stage s {
    touchpoint x on web {
      entry  friction 5% "slow" for b  csat 80% pain 30%  csat 90% for a  effort 2 pain 5
      -> y
    }
    touchpoint y on web { goal g  emotion -1  emotion +2 for a, b }
  }
}"#,
        );
        let (f, _) = figures(&j);
        let html = render(&j, &f);
        // Friction for b only: a pain point all the same, in the badge and in the table.
        assert!(html.contains("class=\"badge-pain\""), "{html}");
        assert!(
            html.contains("<td class=\"num\">— (b 5.0%)</td><td>slow</td>"),
            "{html}"
        );
        // csat 80% pain 30% (b), 90% (a: no pain effect).
        assert!(html.contains(">50.0 pp (a 0.0 pp)</td>"), "{html}");
        assert!(
            html.contains("by segment: friction 0% · b 5%; csat 80% pain 30% · a 90%"),
            "{html}"
        );
        assert!(html.contains("by segment: emotion −1 · a, b +2"), "{html}");
        assert!(html.contains(">effort 2–5</text>"), "{html}");
        assert!(html.contains(">by segment: slow</text>"), "{html}");
        assert!(html.contains(VARIES));
        let map = html.find("class=\"map\"").unwrap();
        let svg_start = html[..map].rfind("<svg").unwrap();
        let svg_end = html[svg_start..].find("</svg>").unwrap() + svg_start;
        assert_eq!(
            geometry_problems(&html[svg_start..svg_end]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn the_map_stays_inside_its_view_box_and_escapes_labels() {
        let j = journey(
            r#"journey esc "E<s>c & co" {
  channel web digital
  stage s "Stage <one> & \"two\"" {
    touchpoint a "A <b>bold</b> & 'quoted' \"label\" that is rather long indeed" on web {
      entry  friction 20% "<script>alert(1)</script>"  moment_of_truth  -> b
    }
    touchpoint b "B" on web { goal g  emotion -3 }
  }
}"#,
        );
        let (f, _) = figures(&j);
        let html = render(&j, &f);
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>bold"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        let map = html.find("class=\"map\"").unwrap();
        let svg_start = html[..map].rfind("<svg").unwrap();
        let svg_end = html[svg_start..].find("</svg>").unwrap() + svg_start;
        let svg = &html[svg_start..svg_end];
        assert_eq!(geometry_problems(svg), Vec::<String>::new());
    }
}
