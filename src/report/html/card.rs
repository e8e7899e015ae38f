//! A touchpoint's card on the journey map: its box, badges, step number, label (wrapped,
//! never cut without the full text in the card's tooltip) and facts.

use super::map::{differing, has_friction};
use super::svg::Svg;
use super::text::{text_width, wrap, wrap_widths};
use super::{escape, pct, signed};
use crate::model::figure::{money, trimmed};
use crate::model::{Journey, Score, Touchpoint, Visit, format_duration};
use std::fmt::Write;

/// A card's width.
pub const CARD_W: f64 = 136.0;
/// A card's least height (more when its text needs it).
pub const CARD_H: f64 = 92.0;
/// Card labels are 13px bold: wrapped as if 14.3px regular (bold is about 10% wider).
const LABEL_SIZE: f64 = 14.3;

/// A touchpoint's card on the map, at `(x, y)`.
pub struct Card<'a> {
    pub j: &'a Journey,
    pub tp: &'a Touchpoint,
    pub x: f64,
    pub y: f64,
    /// Its index on the most travelled path, if it is on it.
    pub step: Option<usize>,
    /// Its simulated reach.
    pub reach: Option<f64>,
    /// Its simulated CSAT when it is rated with `csat` (`Some(None)`: nobody visited).
    pub csat: Option<Option<f64>>,
    /// Its height: at least [`CARD_H`], more when its text needs it (see [`Card::height`]).
    pub h: f64,
}

/// What a card says, wrapped to its width: computed to size the card, and to draw it.
struct Text {
    /// The label's lines (the first beside the badges; it may be empty when a long first
    /// word goes to the second line).
    label: Vec<String>,
    /// The facts under it, each with its class.
    facts: Vec<(String, &'static str)>,
}

/// At most this many lines of label and of pain point: more than any real label needs; a
/// longer one ends with `…`, and the card's tooltip has it whole.
const MAX_LINES: usize = 8;

impl Card<'_> {
    /// Draws the card: its box, entry mark, badges, step number, label and facts, in a group
    /// titled with everything the card says.
    pub fn draw(&self, s: &mut Svg) {
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
        s.rect(x, y, CARD_W, self.h, class, "rx=\"6\"");
        if tp.entry > 0.0 {
            s.rect(x, y, 5.0, self.h, "badge-entry", "");
        }
        self.badges(s);
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
        let text = self.text();
        let label_x = self.label_x();
        if let Some(first) = text.label.first().filter(|l| !l.is_empty()) {
            s.text(x + label_x, y + 17.0, first, "card-label", "start");
        }
        for (i, line) in text.label.iter().enumerate().skip(1) {
            s.text(
                x + 10.0,
                y + 17.0 + 16.0 * i as f64,
                line,
                "card-label",
                "start",
            );
        }
        let top = y + 19.0 + 16.0 * text.label.len().max(1) as f64;
        for (i, (line, class)) in text.facts.iter().enumerate() {
            s.text(x + 10.0, top + 13.0 * i as f64, line, class, "start");
        }
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
    /// corner.
    fn badges(&self, s: &mut Svg) {
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
        }
    }

    /// The height the card's text needs, and at least [`CARD_H`].
    pub fn height(&self) -> f64 {
        let text = self.text();
        let lines = 16.0 * text.label.len().max(1) as f64 + 13.0 * text.facts.len() as f64;
        (lines + 15.0).max(CARD_H)
    }

    /// Where the label's first line starts, right of the step number when there is one.
    fn label_x(&self) -> f64 {
        if self.step.is_some() { 28.0 } else { 10.0 }
    }

    /// The badges in the top right corner (goal, moment of truth, pain point, varies).
    fn badge_count(&self) -> usize {
        let tp = self.tp;
        [
            tp.goal.is_some(),
            tp.moment_of_truth,
            has_friction(tp),
            tp.varies(),
        ]
        .into_iter()
        .filter(|&b| b)
        .count()
    }

    /// The card's text: the label, wrapped — its first line beside the badges —, then the
    /// facts: reach, scores, emotion, and the pain point (wrapped) or else the goal.
    fn text(&self) -> Text {
        let (j, tp) = (self.j, self.tp);
        let badges = self.badge_count();
        let right = match badges {
            0 => CARD_W - 8.0,
            b => CARD_W - 12.0 - 20.0 * b as f64 + 6.0,
        };
        let mut widths = vec![CARD_W - 18.0; MAX_LINES];
        widths[0] = (right - self.label_x()).max(24.0);
        let label = wrap_widths(&tp.label, &widths, LABEL_SIZE);
        let mut facts: Vec<(String, &'static str)> = Vec::new();
        if let Some(r) = self.reach {
            facts.push((format!("reach {}", pct(r)), "card-fact"));
        }
        facts.extend(self.scores().into_iter().map(|l| (l, "card-fact")));
        if tp.emotion != 0 {
            let class = if tp.emotion > 0 {
                "card-emotion"
            } else {
                "card-emotion negative"
            };
            facts.push((
                format!("emotion {}", signed(f64::from(tp.emotion), 0)),
                class,
            ));
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
            for l in wrap(&text, CARD_W - 18.0, 11.0, MAX_LINES) {
                facts.push((l, "card-pain"));
            }
        } else if let Some(g) = tp.goal {
            let goal = format!("goal {}", j.goals[g.goal].name);
            for l in wrap(&goal, CARD_W - 20.0, 11.0, 2) {
                facts.push((l, "card-goal"));
            }
        }
        Text { label, facts }
    }
}

/// The mark of a card whose attributes differ by segment.
pub const VARIES: &str = "◐";

/// True when `tp` is rated (`csat` or `effort`, as `score` picks) for some segment.
pub fn rated(tp: &Touchpoint, score: impl Fn(&Visit) -> Option<Score>) -> bool {
    score(&tp.unqualified()).is_some() || tp.by_segment.iter().any(|v| score(v).is_some())
}

/// A score as the journey writes it: `80%`, or `80% pain 30%` when a pain point changes it.
pub fn score(s: Score, show: impl Fn(f64) -> String) -> String {
    match s.pain == s.base {
        true => show(s.base),
        false => format!("{} pain {}", show(s.base), show(s.pain)),
    }
}

/// How one attribute of a visit is written.
pub type Shown<'a> = dyn Fn(&Visit) -> String + 'a;

/// The attributes of `tp` that differ by segment, one string each: the value for everyone
/// (the unqualified line, or the default), then each other value with the segments that get
/// it: `friction 25% · loyal 10%`.
pub fn by_segment(j: &Journey, tp: &Touchpoint) -> Vec<String> {
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

/// A five-pointed star around `(cx, cy)`.
pub fn star(cx: f64, cy: f64, r: f64) -> Vec<(f64, f64)> {
    (0..10)
        .map(|i| {
            let radius = if i % 2 == 0 { r } else { r * 0.45 };
            let angle = std::f64::consts::PI * (i as f64 / 5.0 - 0.5);
            (cx + radius * angle.cos(), cy + radius * angle.sin())
        })
        .collect()
}
