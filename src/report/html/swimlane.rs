//! The journey map's drawing: stage columns across, channel lanes down, in four SVGs laid out
//! as a grid — the stage headers (sticky at the top of the map's box), the lane headers
//! (sticky at its left), and the body — so that headers stay in view while the map is
//! panned at its actual size. The grid's columns are proportional to the drawings' widths,
//! so at "fit to width" the four scale alike and line up.
//!
//! A [`View`] is what one drawing shows: the whole journey (one card per touchpoint, placed by
//! [`super::layout::Layout::map`]), one stage of it (the expandable stages of a large
//! journey), or the stage-level overview (one cell per stage and channel, with how many
//! touchpoints it holds).

use super::card::{CARD_H, CARD_W, Card, rated};
use super::layout::Layout;
use super::path::MostTravelled;
use super::svg::{PathData, Svg, n};
use super::text::{text_width, wrap};
use super::{escape, pct, signed};
use crate::model::{ChannelKind, Journey, TouchpointId};
use crate::sim::figures::Figures;
use std::collections::HashMap;
use std::fmt::Write;

/// Width of the lane headers.
const LEFT: f64 = 120.0;
/// Width of a slot (a card and its margin).
const SLOT_W: f64 = 152.0;
/// Height of the stage headers.
const HEAD_H: f64 = 46.0;
/// Height of a lane of cards.
const LANE_H: f64 = CARD_H + 26.0;
/// Room right of the last column.
const RIGHT: f64 = 16.0;
/// Width of a stage and height of a lane in the overview.
const OV_W: f64 = 150.0;
const OV_H: f64 = 58.0;
/// Height of the emotion band under the lanes (more when its notes need more rows).
const CURVE_H: f64 = 190.0;

/// What one drawing of the map shows: a run of stages (all, or one), the lanes they use.
pub struct View<'a> {
    j: &'a Journey,
    layout: &'a Layout,
    f: &'a Figures,
    /// The step of the most travelled path at each touchpoint, by id.
    step_of: &'a [Option<usize>],
    /// The first stage shown and the stages shown, each with its column's left edge and
    /// width.
    first_stage: usize,
    stages: Vec<(f64, f64)>,
    /// The layout lanes shown, top to bottom.
    rows: Vec<usize>,
    /// Row of each layout lane (`None`: not shown).
    row_of: Vec<Option<usize>>,
    /// Top of each row, and the bottom of the last one.
    row_top: Vec<f64>,
    /// Height of the cards of each row: the tallest card's need.
    card_h: Vec<f64>,
    /// The first map slot shown (cards' x count from it).
    first_slot: usize,
    /// Cards (false: the overview's cells).
    cards: bool,
}

impl<'a> View<'a> {
    /// The whole journey, a card per touchpoint.
    pub fn whole(
        j: &'a Journey,
        layout: &'a Layout,
        f: &'a Figures,
        step_of: &'a [Option<usize>],
    ) -> View<'a> {
        let m = &layout.map;
        let stages = (0..j.stages.len())
            .map(|k| (m.first[k] as f64 * SLOT_W, m.per_stage[k] as f64 * SLOT_W))
            .collect();
        let rows: Vec<usize> = (0..layout.lanes.len()).collect();
        View::new((j, layout, f, step_of), 0, stages, rows, 0, true)
    }

    /// One stage, a card per touchpoint, on the lanes it uses.
    pub fn stage(
        j: &'a Journey,
        layout: &'a Layout,
        f: &'a Figures,
        step_of: &'a [Option<usize>],
        k: usize,
    ) -> View<'a> {
        let m = &layout.map;
        let mut used = vec![false; layout.lanes.len()];
        for &t in &j.stages[k].touchpoints {
            used[layout.lane[t]] = true;
        }
        let rows: Vec<usize> = (0..layout.lanes.len()).filter(|&l| used[l]).collect();
        let stages = vec![(0.0, m.per_stage[k] as f64 * SLOT_W)];
        View::new((j, layout, f, step_of), k, stages, rows, m.first[k], true)
    }

    /// The stage-level overview: a column per stage, a cell per stage and channel.
    pub fn overview(
        j: &'a Journey,
        layout: &'a Layout,
        f: &'a Figures,
        step_of: &'a [Option<usize>],
    ) -> View<'a> {
        let stages = (0..j.stages.len())
            .map(|k| (k as f64 * OV_W, OV_W))
            .collect();
        let rows: Vec<usize> = (0..layout.lanes.len()).collect();
        View::new((j, layout, f, step_of), 0, stages, rows, 0, false)
    }

    #[allow(clippy::type_complexity)]
    fn new(
        (j, layout, f, step_of): (&'a Journey, &'a Layout, &'a Figures, &'a [Option<usize>]),
        first_stage: usize,
        stages: Vec<(f64, f64)>,
        rows: Vec<usize>,
        first_slot: usize,
        cards: bool,
    ) -> View<'a> {
        let mut row_of = vec![None; layout.lanes.len()];
        for (i, &l) in rows.iter().enumerate() {
            row_of[l] = Some(i);
        }
        let mut view = View {
            j,
            layout,
            f,
            step_of,
            first_stage,
            stages,
            rows,
            row_of,
            row_top: Vec::new(),
            card_h: Vec::new(),
            first_slot,
            cards,
        };
        // Each row as tall as its tallest card needs (the overview's rows are all alike).
        let mut card_h = vec![if cards { CARD_H } else { OV_H - 12.0 }; view.rows.len()];
        if cards {
            for t in view.touchpoints() {
                let row = view.row_of[layout.lane[t]].unwrap_or(0);
                card_h[row] = card_h[row].max(view.card(t, 0.0, 0.0).height());
            }
        }
        let mut top = 0.0;
        let mut row_top = Vec::with_capacity(card_h.len() + 1);
        let gap = if cards { LANE_H - CARD_H } else { 12.0 };
        for h in &card_h {
            row_top.push(top);
            top += h + gap;
        }
        row_top.push(top);
        view.row_top = row_top;
        view.card_h = card_h;
        view
    }

    /// The touchpoints of the stages shown, stage by stage in written order.
    fn touchpoints(&self) -> impl Iterator<Item = TouchpointId> + '_ {
        let stages = &self.j.stages[self.first_stage..self.first_stage + self.stages.len()];
        stages.iter().flat_map(|s| s.touchpoints.iter().copied())
    }

    /// The card of `t` at `(x, y)`.
    fn card(&self, t: TouchpointId, x: f64, y: f64) -> Card<'a> {
        let (j, f) = (self.j, self.f);
        let tp = &j.touchpoints[t];
        let mut card = Card {
            j,
            tp,
            x,
            y,
            step: self.step_of.get(t).copied().flatten(),
            reach: f.touchpoints.get(t).map(|x| x.reach.value),
            csat: rated(tp, |v| v.csat)
                .then(|| f.touchpoints.get(t).and_then(|x| x.csat).map(|e| e.value)),
            h: CARD_H,
        };
        if let Some(row) = self.row_of.get(self.layout.lane[t]).copied().flatten() {
            if let Some(&h) = self.card_h.get(row) {
                card.h = h;
            }
        }
        card
    }

    /// Width of the body (and of the stage headers).
    fn width(&self) -> f64 {
        self.stages.last().map_or(0.0, |&(x, w)| x + w) + RIGHT
    }

    /// Bottom of the lanes.
    fn lanes_bottom(&self) -> f64 {
        self.row_top.last().copied().unwrap_or(0.0)
    }

    /// True when the touchpoint is drawn in this view.
    fn shows(&self, t: TouchpointId) -> bool {
        let stage = self.j.touchpoints[t].stage;
        (self.first_stage..self.first_stage + self.stages.len()).contains(&stage)
            && self.row_of[self.layout.lane[t]].is_some()
    }

    /// Left edge of a touchpoint's card.
    fn card_x(&self, t: TouchpointId) -> f64 {
        let slot = self.layout.map.slot[t].saturating_sub(self.first_slot);
        slot as f64 * SLOT_W + (SLOT_W - CARD_W) / 2.0
    }

    /// Top edge of a touchpoint's card.
    fn card_y(&self, t: TouchpointId) -> f64 {
        let row = self.row_of[self.layout.lane[t]].unwrap_or(0);
        self.row_top[row] + (LANE_H - CARD_H) / 2.0
    }

    /// Bottom edge of a touchpoint's card.
    fn card_bottom(&self, t: TouchpointId) -> f64 {
        let row = self.row_of[self.layout.lane[t]].unwrap_or(0);
        self.card_y(t) + self.card_h[row]
    }

    /// The x of each step of the path shown here (`None` for steps not shown): the card's
    /// centre, or, where several steps share a slot (moves to another lane), spread across
    /// the slot in path order. In the overview, steps spread across their stage's column.
    fn step_xs(&self, p: &MostTravelled) -> Vec<Option<f64>> {
        let key = |t: TouchpointId| match self.cards {
            true => self.layout.map.slot[t],
            false => self.j.touchpoints[t].stage,
        };
        let mut count: HashMap<usize, (usize, usize)> = HashMap::new();
        for st in &p.steps {
            if self.shows(st.touchpoint) {
                count.entry(key(st.touchpoint)).or_default().1 += 1;
            }
        }
        p.steps
            .iter()
            .map(|st| {
                let t = st.touchpoint;
                if !self.shows(t) {
                    return None;
                }
                let e = count.get_mut(&key(t))?;
                e.0 += 1;
                let share = e.0 as f64 / (e.1 + 1) as f64;
                Some(match self.cards {
                    true => {
                        let left = self.card_x(t) - (SLOT_W - CARD_W) / 2.0;
                        left + SLOT_W * share
                    }
                    false => {
                        let (x, w) = self.stages[self.j.touchpoints[t].stage - self.first_stage];
                        x + w * share
                    }
                })
            })
            .collect()
    }
}

/// The map of a view as its grid of four drawings; `path` adds the emotion band under the
/// lanes; `label` is what assistive technology says of it.
pub fn grid(view: &View, path: Option<&MostTravelled>, label: &str) -> String {
    let width = view.width();
    let curve = path.map(|p| Curve::new(view, p));
    let lanes_bottom = view.lanes_bottom();
    let height = lanes_bottom + curve.as_ref().map_or(8.0, |c| c.height);

    let mut heads = Svg::new(width, HEAD_H);
    let mut body = Svg::new(width, height);
    for (i, &(x, w)) in view.stages.iter().enumerate() {
        let k = view.first_stage + i;
        let class = if k % 2 == 0 { "stage-a" } else { "stage-b" };
        heads.rect(x, 0.0, w, HEAD_H, class, "");
        body.rect(x, 0.0, w, height, class, "");
        let stage = &view.j.stages[k];
        let head = wrap(&stage.label, w - 16.0, 14.0, 2);
        let y = if head.len() > 1 { 18.0 } else { 27.0 };
        heads.raw(&format!("<g><title>{}</title>\n", escape(&stage.label)));
        heads.lines(x + w / 2.0, y, 17.0, &head, "stage-head", "middle");
        heads.raw("</g>\n");
    }
    let mut left = Svg::new(LEFT, height);
    lane_heads(&mut left, &mut body, view, width);

    if view.cards {
        let on_path: Vec<TouchpointId> = path
            .map(|p| p.steps.iter().map(|st| st.touchpoint).collect())
            .unwrap_or_default();
        if let Some(c) = &curve {
            c.guides(&mut body, view, lanes_bottom);
        }
        moves(&mut body, view, &on_path);
        for t in view.touchpoints() {
            if view.shows(t) {
                view.card(t, view.card_x(t), view.card_y(t)).draw(&mut body);
            }
        }
    } else {
        cells(&mut body, view);
    }
    if let Some(c) = &curve {
        c.draw(&mut body, &mut left, lanes_bottom);
    }

    let corner = "<div class=\"map-corner\"></div>\n";
    let heads = heads.finish(&format!("Stages of {label}"), "map-stages", None);
    let left = left.finish(&format!("Channels of {label}"), "map-lanes", None);
    let body = body.finish(label, "map", None);
    format!(
        // Fit to width shrinks a large map but never blows a small one up past its size.
        "<div class=\"map-grid\" style=\"--fit:minmax(0,{l}fr) minmax(0,{w}fr);--actual:{l}px \
         {w}px;grid-template-columns:var(--fit);max-width:{total}px\">\n{corner}{heads}{left}{body}</div>\n",
        l = n(LEFT),
        w = n(width),
        total = n(LEFT + width)
    )
}

/// Draws the lane headers (the channel's name and kind) in `left`, and the lane lines across
/// the body.
fn lane_heads(left: &mut Svg, body: &mut Svg, view: &View, width: f64) {
    for (i, &lane) in view.rows.iter().enumerate() {
        let y = view.row_top[i];
        let h = view.row_top[i + 1] - y;
        body.line(0.0, y, width, y, "lane-line");
        left.line(0.0, y, LEFT, y, "lane-line");
        let ch = &view.j.channels[view.layout.lanes[lane]];
        let kind = match ch.kind {
            ChannelKind::Digital => "digital",
            ChannelKind::Physical => "physical",
            ChannelKind::Human => "human",
        };
        let lines = if view.cards { 2 } else { 1 };
        let name = wrap(&ch.name, LEFT - 20.0, 13.0, lines);
        let top = y + h / 2.0 - if view.cards { 2.0 } else { 4.0 };
        let top = top.min(y + LANE_H / 2.0 - 2.0);
        left.raw(&format!("<g><title>{}</title>\n", escape(&ch.name)));
        left.lines(12.0, top, 15.0, &name, "lane-head", "start");
        left.raw("</g>\n");
        left.text(
            12.0,
            top + 15.0 * name.len() as f64,
            kind,
            "lane-kind",
            "start",
        );
    }
    let bottom = view.lanes_bottom();
    body.line(0.0, bottom, width, bottom, "lane-line");
    left.line(0.0, bottom, LEFT, bottom, "lane-line");
}

/// Draws every possible move between cards shown, faint, behind the cards; the moves of the
/// path `on_path` on top of them.
fn moves(s: &mut Svg, view: &View, on_path: &[TouchpointId]) {
    for a in view.touchpoints().filter(|&a| view.shows(a)) {
        for &b in view.layout.targets[a].iter().filter(|&&b| view.shows(b)) {
            s.path(&connector(view, a, b), "move", None);
        }
    }
    for pair in on_path.windows(2) {
        if view.shows(pair[0]) && view.shows(pair[1]) {
            s.path(&connector(view, pair[0], pair[1]), "move-path", None);
        }
    }
}

/// A move between two cards: from the right edge of `a` to the left edge of `b`, curving;
/// to another lane in the same slot, from the bottom (or top) edge of `a` to the top (or
/// bottom) edge of `b`; a move back loops below the cards.
fn connector(view: &View, a: TouchpointId, b: TouchpointId) -> PathData {
    let (ax, ay, a_bottom) = (view.card_x(a), view.card_y(a), view.card_bottom(a));
    let (bx, by, b_bottom) = (view.card_x(b), view.card_y(b), view.card_bottom(b));
    let slot = &view.layout.map.slot;
    if slot[b] > slot[a] {
        let (x0, y0) = (ax + CARD_W, ay + CARD_H / 2.0);
        let (x1, y1) = (bx, by + CARD_H / 2.0);
        let m = (x0 + x1) / 2.0;
        PathData::default()
            .move_to(x0, y0)
            .cubic(m, y0, m, y1, x1, y1)
    } else if slot[b] == slot[a] && by != ay {
        let x = ax + CARD_W * 0.75;
        let (y0, y1) = match by > ay {
            true => (a_bottom, by),
            false => (ay, b_bottom),
        };
        PathData::default().move_to(x, y0).line_to(x, y1)
    } else {
        let (x0, y0) = (ax + CARD_W / 2.0, a_bottom);
        let (x1, y1) = (bx + CARD_W / 2.0, b_bottom);
        let low = y0.max(y1) + (LANE_H - CARD_H) / 2.0 - 2.0;
        PathData::default()
            .move_to(x0, y0)
            .cubic(x0, low, x1, low, x1, y1)
    }
}

/// Draws the overview's cells: per stage and channel, how many touchpoints, the highest
/// reach among them and how many have a pain point.
fn cells(s: &mut Svg, view: &View) {
    let (j, f) = (view.j, view.f);
    for (k, &(x, w)) in view.stages.iter().enumerate() {
        // (touchpoints, highest reach, pain points, labels) per row.
        let mut per_row: Vec<(usize, f64, usize, Vec<&str>)> =
            vec![(0, 0.0, 0, Vec::new()); view.rows.len()];
        for &t in &j.stages[k].touchpoints {
            let Some(row) = view.row_of[view.layout.lane[t]] else {
                continue;
            };
            let cell = &mut per_row[row];
            cell.0 += 1;
            let reach = f.touchpoints.get(t).map_or(0.0, |x| x.reach.value);
            if reach.is_finite() {
                cell.1 = cell.1.max(reach);
            }
            let tp = &j.touchpoints[t];
            if tp.friction > 0.0 || tp.by_segment.iter().any(|v| v.friction > 0.0) {
                cell.2 += 1;
            }
            cell.3.push(&tp.label);
        }
        for (row, (count, reach, pains, labels)) in per_row.iter().enumerate() {
            if *count == 0 {
                continue;
            }
            let y = view.row_top[row] + 6.0;
            let h = view.card_h[row];
            let mut title = format!(
                "{}: {count} touchpoint{} on {}; highest reach {}",
                j.stages[k].label,
                if *count == 1 { "" } else { "s" },
                j.channels[view.layout.lanes[view.rows[row]]].name,
                pct(*reach)
            );
            if *pains > 0 {
                let _ = write!(title, "; {pains} with a pain point");
            }
            let _ = write!(title, ": {}", labels.join(", "));
            s.raw(&format!(
                "<g class=\"cell\"><title>{}</title>\n",
                escape(&title)
            ));
            s.rect(x + 8.0, y, w - 16.0, h, "card", "rx=\"6\"");
            let what = format!("{count} touchpoint{}", if *count == 1 { "" } else { "s" });
            s.text(x + 16.0, y + 18.0, &what, "card-label", "start");
            s.text(
                x + 16.0,
                y + 34.0,
                &format!("reach ≤ {}", pct(*reach)),
                "card-fact",
                "start",
            );
            if *pains > 0 {
                s.text(
                    x + w - 16.0,
                    y + 34.0,
                    &format!("! {pains}"),
                    "card-pain",
                    "end",
                );
            }
            s.raw("</g>\n");
        }
    }
}

/// The emotion band under the lanes: cumulative expected sentiment per step of the most
/// travelled path, at the x of the step's card (spread where steps share a slot), with its
/// labels and notes placed so that no two texts overlap.
struct Curve {
    /// (x, value, step index, touchpoint) of each step shown.
    points: Vec<(f64, f64, usize, TouchpointId)>,
    /// Each step's note (`emotion +1 −0.15 pains`), with its row under the band.
    notes: Vec<(f64, String, usize)>,
    /// Whether each point carries its value label (the overview labels the last one only).
    labelled: bool,
    height: f64,
    hi: f64,
    lo: f64,
}

const NOTE_SIZE: f64 = 11.0;
const LABEL_SIZE: f64 = 13.2;
const BAND_TOP: f64 = 30.0;
const BAND_H: f64 = CURVE_H - 56.0;

impl Curve {
    fn new(view: &View, p: &MostTravelled) -> Curve {
        let xs = view.step_xs(p);
        let points: Vec<(f64, f64, usize, TouchpointId)> = p
            .steps
            .iter()
            .zip(&xs)
            .enumerate()
            .filter_map(|(i, (st, x))| x.map(|x| (x, st.cumulative, i, st.touchpoint)))
            .collect();
        let values = points.iter().map(|p| p.1);
        let hi = values.clone().fold(0.0f64, f64::max);
        let lo = values.fold(0.0f64, f64::min);
        let span = (hi - lo).max(1.0);
        // Notes under the band, in rows: each goes in the first row where it fits.
        let mut rows: Vec<Vec<(f64, f64)>> = Vec::new();
        let mut notes = Vec::new();
        if view.cards {
            for &(x, _, i, _) in &points {
                let st = &p.steps[i];
                let mut change = Vec::new();
                if st.emotion != 0.0 {
                    change.push(format!("emotion {}", signed(st.emotion, 0)));
                }
                if st.pains > 0.0 {
                    change.push(format!("−{:.2} pains", st.pains));
                }
                if change.is_empty() {
                    continue;
                }
                let text = change.join(" ");
                let half = text_width(&text, NOTE_SIZE) / 2.0 + 3.0;
                let span = (x - half, x + half);
                let row = match rows.iter().position(|r| free(r, span)) {
                    Some(r) => r,
                    None => {
                        rows.push(Vec::new());
                        rows.len() - 1
                    }
                };
                rows[row].push(span);
                notes.push((x, text, row));
            }
        }
        let extra = rows.len().saturating_sub(1) as f64 * 14.0;
        Curve {
            points,
            notes,
            labelled: view.cards,
            height: CURVE_H + extra,
            hi: hi + span * 0.1,
            lo: lo - span * 0.1,
        }
    }

    fn y_of(&self, top: f64, v: f64) -> f64 {
        top + BAND_TOP + (self.hi - v) / (self.hi - self.lo) * BAND_H
    }

    /// Draws the guides from each step's card down to the band below `top` (before the
    /// cards, so that they pass behind the cards of the lanes below).
    fn guides(&self, body: &mut Svg, view: &View, top: f64) {
        for &(x, _, _, t) in &self.points {
            body.line(x, view.card_bottom(t), x, top + BAND_TOP - 6.0, "guide");
        }
    }

    /// Draws the band in `body` below `top` and its heading in `left`.
    fn draw(&self, body: &mut Svg, left: &mut Svg, top: f64) {
        let width = body.width;
        left.text(12.0, top + 20.0, "Emotion", "lane-head", "start");
        left.lines(
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
        let zero = self.y_of(top, 0.0);
        body.line(0.0, zero, width - RIGHT, zero, "zero");
        let neutral = "neutral (0)";
        body.text(width - RIGHT - 4.0, zero - 5.0, neutral, "tick", "end");
        let band_top = top + BAND_TOP;
        let xy: Vec<(f64, f64)> = self
            .points
            .iter()
            .map(|&(x, v, _, _)| (x, self.y_of(top, v)))
            .collect();
        body.polyline(&xy, "emotion");
        // Value labels: above the point, else below, else further up or down, wherever no
        // label already placed (nor the neutral tick) is.
        let mut placed: Vec<(f64, f64, f64, f64)> = vec![(
            width - RIGHT - 4.0 - text_width(neutral, 11.0),
            zero - 16.0,
            width - RIGHT,
            zero - 2.0,
        )];
        let last = self.points.len().saturating_sub(1);
        for (k, (&(x, v, i, _), &(_, y))) in self.points.iter().zip(&xy).enumerate() {
            let class = if v < 0.0 {
                "emotion-dot negative"
            } else {
                "emotion-dot"
            };
            body.raw(&format!(
                "<g><title>step {}: {}</title>\n",
                i + 1,
                signed(v, 2)
            ));
            body.circle(x, y, 5.0, class);
            body.raw("</g>\n");
            if !self.labelled && k != last {
                continue;
            }
            let label = format!("{}: {}", i + 1, signed(v, 2));
            let half = text_width(&label, LABEL_SIZE) / 2.0;
            let spot = [y - 10.0, y + 20.0, y - 26.0, y + 36.0]
                .into_iter()
                .filter(|&ty| ty - 12.0 >= band_top - 20.0 && ty <= band_top + BAND_H + 8.0)
                .map(|ty| (x - half, ty - 12.0, x + half, ty + 3.0))
                .find(|r| placed.iter().all(|p| !overlaps(*p, *r)));
            if let Some(r) = spot {
                placed.push(r);
                body.text(x, r.3 - 3.0, &label, "emotion-label", "middle");
            }
        }
        for (x, text, row) in &self.notes {
            let y = band_top + BAND_H + 22.0 + *row as f64 * 14.0;
            body.text(*x, y, text, "emotion-change", "middle");
        }
    }
}

/// True when the x-interval `span` overlaps none of `row`'s.
fn free(row: &[(f64, f64)], span: (f64, f64)) -> bool {
    row.iter().all(|&(a, b)| span.1 <= a || span.0 >= b)
}

/// True when two boxes (x0, y0, x1, y1) overlap.
fn overlaps(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}
