//! The flow diagram (Sankey-like): where simulated customers go and where they drop.
//!
//! Columns are the map's slots ([`super::layout::Slots`]) — stages in lifecycle order, cut so that
//! moves inside a stage go right — with a start column before them and a "converted" sink
//! after them; a bar along the bottom is the "exit / abandoned" sink. Box heights are
//! simulated reach. What leaves a box is split from simulated figures and one approximation:
//!
//! - to the bottom sink: the customers whose journey ended there without the primary goal
//!   (reach × drop-off, simulated);
//! - to the converted sink: the other journeys that ended there (simulated);
//! - on to next touchpoints: the rest of the reach (reach − journeys ended there), split in
//!   proportion to the transition probabilities of the segment mix at that touchpoint (each
//!   segment weighted by its simulated customers reaching it), over the touchpoint targets.
//!   This is the approximation: a customer who visits a touchpoint twice, or comes back by a
//!   trigger, is counted once in reach; trigger returns are not drawn.
//!
//! Moves back to an earlier column (loops) are drawn as dashed arcs above the boxes.

use super::layout::{Layout, Slots, targets};
use super::pct;
use super::svg::{PathData, Svg, clamp};
use super::text::wrap;
use super::{Push, escape};
use crate::model::{Journey, Target, TouchpointId};
use crate::sim::figures::Figures;
use std::collections::HashMap;

/// One end of a link.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    /// Where customers start.
    Start,
    /// A touchpoint.
    Touchpoint(TouchpointId),
    /// Journeys that ended after the primary goal.
    Converted,
    /// Journeys that ended without it (left, abandoned, timed out, stuck).
    Dropped,
}

/// A link and the share of all customers it carries.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Link {
    /// From.
    pub from: Node,
    /// To.
    pub to: Node,
    /// Share of all customers.
    pub value: f64,
}

/// The links of a journey's flow (see the module documentation), in a fixed order: entries,
/// then per touchpoint by id its moves, its converted and its dropped customers.
pub fn links(j: &Journey, all: &Figures, segments: &[Figures]) -> Vec<Link> {
    let mut out: Vec<Link> = j
        .entries()
        .map(|(t, w)| Link {
            from: Node::Start,
            to: Node::Touchpoint(t),
            value: w,
        })
        .collect();
    for (a, tp) in j.touchpoints.iter().enumerate() {
        let Some(x) = all.touchpoints.get(a) else {
            continue;
        };
        let reach = x.reach.value;
        if reach.is_nan() || reach <= 0.0 {
            continue;
        }
        let ended: f64 = x.ended.iter().map(|e| e.value).sum();
        let dropped = x.drop_off.map_or(0.0, |d| reach * d.value).min(ended);
        // `ended − dropped` of a touchpoint before the goal is a rounding leftover (1e-14),
        // not customers: shares below a millionth of a customer in a billion are none.
        let converted = match ended - dropped {
            c if c > LEFTOVER => c,
            _ => 0.0,
        };
        let moving = (reach - ended).max(0.0);
        // The segment mix at `a`: segments weighted by their customers reaching it.
        let weights: Vec<f64> = j
            .segments
            .iter()
            .enumerate()
            .map(|(s, seg)| {
                segments.get(s).map_or(seg.share, |f| {
                    f.touchpoints.get(a).map_or(0.0, |t| t.reach.value) * f.customers as f64
                })
            })
            .collect();
        let total: f64 = weights.iter().sum();
        let weights: Vec<f64> = if total > 0.0 {
            weights.iter().map(|w| w / total).collect()
        } else {
            j.segments.iter().map(|s| s.share).collect()
        };
        let next = targets(j, a);
        let p: Vec<f64> = next
            .iter()
            .map(|&b| {
                tp.transitions
                    .iter()
                    .zip(&weights)
                    .map(|(trs, w)| {
                        w * trs
                            .iter()
                            .filter(|tr| tr.target == Target::Touchpoint(b))
                            .map(|tr| tr.probability)
                            .sum::<f64>()
                    })
                    .sum()
            })
            .collect();
        let sum: f64 = p.iter().sum();
        if sum > 0.0 && moving > 0.0 {
            for (&b, &pb) in next.iter().zip(&p) {
                out.push(Link {
                    from: Node::Touchpoint(a),
                    to: Node::Touchpoint(b),
                    value: moving * pb / sum,
                });
            }
        }
        if converted > 0.0 {
            out.push(Link {
                from: Node::Touchpoint(a),
                to: Node::Converted,
                value: converted,
            });
        }
        if dropped > 0.0 {
            out.push(Link {
                from: Node::Touchpoint(a),
                to: Node::Dropped,
                value: dropped,
            });
        }
    }
    out
}

/// A share of customers smaller than this is a floating-point leftover, not a flow.
const LEFTOVER: f64 = 1e-9;
/// Bands carrying less than this share of customers are not drawn (a hairline would say
/// nothing); the note under the diagram counts them.
pub const VISIBLE: f64 = 0.001;
/// The diagram's width when its columns fit; more columns than fit at [`MIN_STEP`] widen it.
const WIDTH: f64 = 1100.0;
/// The least distance between two columns: room for a box and its label beside it.
const MIN_STEP: f64 = 132.0;
const MARGIN: f64 = 16.0;
const SINK_LABEL_W: f64 = 130.0;
const NODE_W: f64 = 12.0;
const HEAD_H: f64 = 40.0;
const BACK_H: f64 = 34.0;
const UNIT_H: f64 = 300.0;
const GAP: f64 = 14.0;
const LABEL_H: f64 = 40.0;
const DROP_H: f64 = 70.0;
const SINK_H: f64 = 16.0;

/// A box of the diagram.
#[derive(Copy, Clone, Debug)]
struct Box_ {
    x: f64,
    y: f64,
    h: f64,
}

/// The flow section's body: the diagram and the table of the biggest drops.
#[cfg(test)]
pub fn render(j: &Journey, all: &Figures, segments: &[Figures], layout: &Layout) -> String {
    let mut out = String::new();
    render_to(&mut out, j, all, segments, layout);
    out
}

/// [`render`], written into `out`.
pub fn render_to(
    out: &mut (impl std::fmt::Write + ?Sized),
    j: &Journey,
    all: &Figures,
    segments: &[Figures],
    layout: &Layout,
) {
    let links = links(j, all, segments);
    out.push_str("<div class=\"figure\">\n<div class=\"chart-scroll wide\">\n");
    diagram_to(out, j, all, &layout.flow, &links);
    out.push_str("</div>\n");
    let hidden: Vec<&Link> = links.iter().filter(|l| l.value < VISIBLE).collect();
    if !hidden.is_empty() {
        let total: f64 = hidden.iter().map(|l| l.value).sum();
        out.push_str(&format!(
            "<p class=\"note\">{} band{} under {} of customers each {} not drawn \
             (together {} of customers).</p>\n",
            hidden.len(),
            if hidden.len() == 1 { "" } else { "s" },
            pct(VISIBLE),
            if hidden.len() == 1 { "is" } else { "are" },
            pct(total)
        ));
    }
    out.push_str(
        "<p class=\"note\">Boxes: share of customers reaching the touchpoint (simulated). \
         Bands: customers moving on, split by the transition probabilities of the segment mix \
         there (an approximation: revisits and trigger returns are not drawn). Red boxes: \
         touchpoints with a pain point. Red bands: journeys that ended at the touchpoint \
         without converting (left, abandoned, timed out); green bands: journeys that ended \
         after converting. Dashed arcs: moves back to an earlier step. Hover a band for its \
         figure.</p>\n</div>\n",
    );
    let drops: Vec<(TouchpointId, f64)> = links
        .iter()
        .filter_map(|l| match (l.from, l.to) {
            (Node::Touchpoint(t), Node::Dropped) => Some((t, l.value)),
            _ => None,
        })
        .collect();
    out.push_str(&super::tables::drops(j, all, drops));
}

/// The flow diagram's SVG: stage bands, link bands, back arcs, boxes and sinks.
#[cfg(test)]
fn diagram(j: &Journey, all: &Figures, slots: &Slots, links: &[Link]) -> String {
    let mut out = String::new();
    diagram_to(&mut out, j, all, slots, links);
    out
}

/// The flow diagram's SVG, written into `out`.
fn diagram_to(
    out: &mut (impl std::fmt::Write + ?Sized),
    j: &Journey,
    all: &Figures,
    slots: &Slots,
    links: &[Link],
) {
    let plan = Plan::new(j, all, slots, links);
    // Its size is known before it is drawn: drawn straight into the page (a journey of
    // 165,000 touchpoints makes a diagram of about 65 MB).
    let mut s = Svg::streaming(
        out,
        plan.width,
        plan.sink_y + SINK_H + 30.0,
        &format!(
            "Flow of simulated customers through {}: {} converted, {} left or abandoned",
            j.label,
            pct(plan.converted),
            pct(plan.dropped)
        ),
        "chart flow-chart",
        // A diagram wider than the page is drawn at its natural size (its box scrolls
        // sideways), so that its labels stay readable; a narrower one shrinks to 62% at most.
        Some(if plan.width > WIDTH { 1.0 } else { 0.62 }),
    );
    plan.stages(&mut s);
    plan.bands(&mut s);
    plan.back_arcs(&mut s);
    plan.boxes(&mut s);
    plan.sinks(&mut s);
    s.close();
}

/// Where the flow diagram puts everything: columns, boxes, the sinks, and what they hold.
struct Plan<'a> {
    j: &'a Journey,
    slots: &'a Slots,
    links: &'a [Link],
    /// Columns: the slots, a start column before them and the converted sink after them.
    columns: usize,
    /// Distance between two columns.
    step: f64,
    /// The diagram's width.
    width: f64,
    /// Each touchpoint's simulated reach, clamped to [0, 1].
    reach: Vec<f64>,
    /// Each touchpoint's box.
    tp_box: Vec<Box_>,
    start: Box_,
    /// The converted sink.
    sink: Box_,
    /// The top of the bottom (dropped) sink.
    sink_y: f64,
    /// Share of customers converted, and dropped.
    converted: f64,
    dropped: f64,
}

impl<'a> Plan<'a> {
    /// Places the boxes, column by column, top-aligned, below the stage headers (and the
    /// lane of back arcs if there are any).
    fn new(j: &'a Journey, all: &Figures, slots: &'a Slots, links: &'a [Link]) -> Self {
        let columns = slots.total() + 2;
        let room = 2.0 * MARGIN + SINK_LABEL_W + NODE_W;
        let step = ((WIDTH - room) / (columns - 1) as f64).max(MIN_STEP);
        let width = room + step * (columns - 1) as f64;
        let col_x = |c: usize| MARGIN + c as f64 * step;
        let has_back = links
            .iter()
            .any(|l| is_back(slots, l) && l.value >= VISIBLE);
        let top = HEAD_H + if has_back { BACK_H } else { 0.0 };
        let reach: Vec<f64> = (0..j.touchpoints.len())
            .map(|t| {
                all.touchpoints
                    .get(t)
                    .map_or(0.0, |x| clamp(x.reach.value, 0.0, 1.0))
            })
            .collect();
        let sum_to = |n: Node| -> f64 { links.iter().filter(|l| l.to == n).map(|l| l.value).sum() };
        let converted = sum_to(Node::Converted);
        let dropped = sum_to(Node::Dropped);

        let mut tp_box: Vec<Box_> = vec![
            Box_ {
                x: 0.0,
                y: 0.0,
                h: 0.0
            };
            j.touchpoints.len()
        ];
        let mut bottom = top + UNIT_H;
        let mut by_column: Vec<Vec<TouchpointId>> = vec![Vec::new(); columns];
        for stage in &j.stages {
            for &t in &stage.touchpoints {
                by_column[slots.slot[t] + 1].push(t);
            }
        }
        for (c, column) in by_column.iter().enumerate() {
            let mut y = top;
            for &t in column {
                let h = (reach[t] * UNIT_H).max(2.0);
                tp_box[t] = Box_ { x: col_x(c), y, h };
                y += h.max(LABEL_H) + GAP;
            }
            bottom = bottom.max(y - GAP);
        }
        Plan {
            j,
            slots,
            links,
            columns,
            step,
            width,
            reach,
            tp_box,
            start: Box_ {
                x: col_x(0),
                y: top,
                h: UNIT_H,
            },
            sink: Box_ {
                x: col_x(columns - 1),
                y: top,
                h: (clamp(converted, 0.0, 1.0) * UNIT_H).max(2.0),
            },
            sink_y: bottom + DROP_H,
            converted,
            dropped,
        }
    }

    /// The left edge of column `c`.
    fn col_x(&self, c: usize) -> f64 {
        MARGIN + c as f64 * self.step
    }

    /// The box of a link end.
    fn node_box(&self, n: Node) -> Box_ {
        match n {
            Node::Start => self.start,
            Node::Touchpoint(t) => self.tp_box[t],
            Node::Converted => self.sink,
            Node::Dropped => Box_ {
                x: 0.0,
                y: self.sink_y,
                h: SINK_H,
            },
        }
    }

    /// Where a link end sorts: left to right, then top to bottom.
    fn order_key(&self, n: Node) -> (f64, f64) {
        let b = self.node_box(n);
        (b.x, b.y)
    }

    /// Draws the stage bands and their headers.
    fn stages(&self, s: &mut Svg<impl std::fmt::Write>) {
        let step = self.step;
        for (k, stage) in self.j.stages.iter().enumerate() {
            let x0 = self.col_x(self.slots.first[k] + 1) - step / 2.0 + NODE_W / 2.0;
            let w = self.slots.per_stage[k] as f64 * step;
            let class = if k % 2 == 0 { "stage-a" } else { "stage-b" };
            s.rect(x0, 0.0, w, self.sink_y - 8.0, class, "");
            let head = wrap(&stage.label, w - 8.0, 13.0, 2);
            let y = if head.len() > 1 { 16.0 } else { 24.0 };
            s.lines(x0 + w / 2.0, y, 15.0, &head, "stage-head small", "middle");
        }
    }

    /// The forward links (every link but moves back) in the order they leave their box, top
    /// to bottom: by target position, then converted, then dropped.
    fn out_order(&self) -> Vec<usize> {
        let links = self.links;
        let mut out_order: Vec<usize> = (0..links.len())
            .filter(|&i| !is_back(self.slots, &links[i]) && links[i].value >= VISIBLE)
            .collect();
        out_order.sort_by(|&a, &b| {
            let rank = |l: &Link| match l.to {
                Node::Dropped => 2,
                Node::Converted => 1,
                _ => 0,
            };
            let (la, lb) = (&links[a], &links[b]);
            rank(la)
                .cmp(&rank(lb))
                .then(self.order_key(la.to).1.total_cmp(&self.order_key(lb.to).1))
                .then(self.order_key(la.to).0.total_cmp(&self.order_key(lb.to).0))
                .then(a.cmp(&b))
        });
        out_order
    }

    /// Where each forward link arrives (top and width on its target's left side), stacked
    /// by source position and scaled so that what arrives fits the box (revisits can make
    /// it exceed reach). Links to the dropped sink are left at zero: they are drawn apart.
    fn in_positions(&self, out_order: &[usize]) -> Vec<(f64, f64)> {
        let links = self.links;
        let mut incoming: HashMap<Node, f64> = HashMap::new();
        for &i in out_order {
            *incoming.entry(links[i].to).or_default() += links[i].value * UNIT_H;
        }
        let mut in_order: Vec<usize> = out_order.to_vec();
        in_order.sort_by(|&a, &b| {
            let (la, lb) = (&links[a], &links[b]);
            self.order_key(la.from)
                .0
                .total_cmp(&self.order_key(lb.from).0)
                .then(
                    self.order_key(la.from)
                        .1
                        .total_cmp(&self.order_key(lb.from).1),
                )
                .then(a.cmp(&b))
        });
        let mut in_pos: Vec<(f64, f64)> = vec![(0.0, 0.0); links.len()];
        let mut in_used: HashMap<Node, f64> = HashMap::new();
        for &i in &in_order {
            let l = &links[i];
            if l.to == Node::Dropped {
                continue;
            }
            let b = self.node_box(l.to);
            let total = incoming.get(&l.to).copied().unwrap_or(0.0);
            let factor = if total > b.h && total > 0.0 {
                b.h / total
            } else {
                1.0
            };
            let w = l.value * UNIT_H * factor;
            let used = in_used.entry(l.to).or_default();
            in_pos[i] = (b.y + *used, w);
            *used += w;
        }
        in_pos
    }

    /// Draws the forward bands, stacked on each box's right side: curves to the next boxes
    /// and the converted sink, and a bend down to the dropped sink.
    fn bands(&self, s: &mut Svg<impl std::fmt::Write>) {
        let (j, links, step) = (self.j, self.links, self.step);
        let out_order = self.out_order();
        let in_pos = self.in_positions(&out_order);
        let mut out_used: HashMap<Node, f64> = HashMap::new();
        for &i in &out_order {
            let l = &links[i];
            let from = self.node_box(l.from);
            let w = l.value * UNIT_H;
            let used = out_used.entry(l.from).or_default();
            let y0 = from.y + *used;
            *used += w;
            let x0 = from.x + NODE_W;
            let title = format!(
                "{} → {}: {} of customers{}",
                node_name(j, l.from),
                node_name(j, l.to),
                pct(l.value),
                if matches!(l.to, Node::Touchpoint(_)) {
                    " (approximate)"
                } else {
                    ""
                }
            );
            if l.to == Node::Dropped {
                let g = w.min(step - NODE_W - 16.0).max(1.0);
                let xa = x0 + 4.0;
                let d = PathData::default()
                    .move_to(x0, y0)
                    .quad(xa + g, y0, xa + g, self.sink_y)
                    .line_to(xa, self.sink_y)
                    .quad(xa, y0 + w, x0, y0 + w)
                    .close();
                s.path(&d, "flow flow-drop", Some(&title));
                continue;
            }
            let (y1, w1) = in_pos[i];
            let x1 = self.node_box(l.to).x;
            let m = (x0 + x1) / 2.0;
            let d = PathData::default()
                .move_to(x0, y0)
                .cubic(m, y0, m, y1, x1, y1)
                .line_to(x1, y1 + w1)
                .cubic(m, y1 + w1, m, y0 + w, x0, y0 + w)
                .close();
            let class = if l.to == Node::Converted {
                "flow flow-converted"
            } else {
                "flow"
            };
            s.path(&d, class, Some(&title));
        }
    }

    /// Draws the moves back to an earlier column as dashed arcs above the boxes.
    fn back_arcs(&self, s: &mut Svg<impl std::fmt::Write>) {
        let back = |l: &&Link| is_back(self.slots, l) && l.value >= VISIBLE;
        for l in self.links.iter().filter(back) {
            let (a, b) = (self.node_box(l.from), self.node_box(l.to));
            let lane = HEAD_H + BACK_H / 2.0;
            let (x0, x1) = (a.x + NODE_W / 2.0, b.x + NODE_W / 2.0);
            let d = PathData::default()
                .move_to(x0, a.y)
                .cubic(x0, lane, x1, lane, x1, b.y);
            let title = format!(
                "{} → {} (back): {} of customers (approximate)",
                node_name(self.j, l.from),
                node_name(self.j, l.to),
                pct(l.value)
            );
            s.path(&d, "flow-back", Some(&title));
        }
    }

    /// Draws a box's label to its right: the name, wrapped, and the share it holds.
    fn label(&self, s: &mut Svg<impl std::fmt::Write>, b: Box_, name: &str, value: f64) {
        // The room up to the next column (or the diagram's edge): labels never reach the
        // next column's boxes and labels. A label cut short has its full text as tooltip.
        let width = (self.step - NODE_W - 8.0).min(self.width - b.x - NODE_W - 6.0);
        let mut lines = wrap(name, width.max(30.0), 11.0, 2);
        let cut = lines.last().is_some_and(|l| l.ends_with('…'));
        lines.push(pct(value));
        if cut {
            s.raw(&format!("<g><title>{}</title>\n", escape(name)));
        }
        s.lines(
            b.x + NODE_W + 4.0,
            b.y + 10.0,
            12.0,
            &lines,
            "flow-label",
            "start",
        );
        if cut {
            s.raw("</g>\n");
        }
    }

    /// Draws the start box and the touchpoint boxes (red with a pain point), labelled, on
    /// top of the bands.
    fn boxes(&self, s: &mut Svg<impl std::fmt::Write>) {
        let start = self.start;
        s.rect_titled(
            start.x,
            start.y,
            NODE_W,
            start.h,
            "node node-start",
            "Start: all customers",
        );
        self.label(s, start, "Start", 1.0);
        for stage in &self.j.stages {
            for &t in &stage.touchpoints {
                let b = self.tp_box[t];
                let tp = &self.j.touchpoints[t];
                let class = if tp.friction > 0.0 {
                    "node node-pain"
                } else {
                    "node"
                };
                s.rect_titled(
                    b.x,
                    b.y,
                    NODE_W,
                    b.h,
                    class,
                    &format!("{}: reach {}", tp.label, pct(self.reach[t])),
                );
                self.label(s, b, &tp.label, self.reach[t]);
            }
        }
    }

    /// Draws the converted sink on the right and the exit / abandoned bar along the bottom,
    /// labelled with their shares.
    fn sinks(&self, s: &mut Svg<impl std::fmt::Write>) {
        let sink = self.sink;
        s.rect_titled(
            sink.x,
            sink.y,
            NODE_W,
            sink.h,
            "node node-converted",
            "Journeys that ended after converting",
        );
        self.label(s, sink, "Converted, journey over", self.converted);
        let sink_w = self.col_x(self.columns - 1) - MARGIN;
        s.rect_titled(
            MARGIN,
            self.sink_y,
            sink_w,
            SINK_H,
            "node node-drop",
            "Journeys that ended without converting",
        );
        s.text(
            MARGIN,
            self.sink_y + SINK_H + 16.0,
            &format!(
                "Exit / abandoned without converting: {} of customers",
                pct(self.dropped)
            ),
            "flow-sink-label",
            "start",
        );
    }
}

fn is_back(slots: &Slots, l: &Link) -> bool {
    match (l.from, l.to) {
        (Node::Touchpoint(a), Node::Touchpoint(b)) => slots.slot[b] <= slots.slot[a],
        _ => false,
    }
}

fn node_name(j: &Journey, n: Node) -> String {
    match n {
        Node::Start => "Start".into(),
        Node::Touchpoint(t) => j.touchpoints[t].label.clone(),
        Node::Converted => "converted, journey over".into(),
        Node::Dropped => "exit / abandoned".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::html::svg::tests::geometry_problems;
    use crate::report::html::testing::{figures, journey};

    fn run(text: &str) -> (Journey, Figures, Vec<Figures>) {
        let j = journey(text);
        let (all, segments) = figures(&j);
        (j, all, segments)
    }

    const TWO_SEGMENTS: &str = r#"
journey two {
  channel web digital
  segment a { share 50%  prefers web  patience 100% }
  segment b { share 50%  prefers web  patience 100% }
  stage s {
    touchpoint start on web { entry  -> x 80% for a  -> y 20% for a  -> x 20% for b  -> y 80% for b }
  }
  stage t {
    touchpoint x on web { goal g }
    touchpoint y on web { -> exit }
  }
}
"#;

    #[test]
    fn links_split_by_the_segment_mix_and_sinks_add_up() {
        let (j, all, segs) = run(TWO_SEGMENTS);
        let links = links(&j, &all, &segs);
        let get = |from: Node, to: Node| {
            links
                .iter()
                .find(|l| l.from == from && l.to == to)
                .map_or(0.0, |l| l.value)
        };
        let (start, x, y) = (
            Node::Touchpoint(0),
            Node::Touchpoint(1),
            Node::Touchpoint(2),
        );
        assert_eq!(get(Node::Start, start), 1.0);
        // Everyone moves on from `start`, by the mix of the simulated segment sizes.
        let (na, nb) = (segs[0].customers as f64, segs[1].customers as f64);
        let to_x = (0.8 * na + 0.2 * nb) / (na + nb);
        assert!((get(start, x) - to_x).abs() < 1e-12, "{links:?}");
        assert!((get(start, y) - (1.0 - to_x)).abs() < 1e-12, "{links:?}");
        assert!((na - nb).abs() / (na + nb) < 0.05);
        // Sinks: converted = conversion, dropped = 1 − conversion.
        let conversion = all.conversion.unwrap().value;
        assert!((get(x, Node::Converted) - conversion).abs() < 1e-12);
        assert!((get(y, Node::Dropped) - (1.0 - conversion)).abs() < 1e-12);
    }

    #[test]
    fn no_band_under_the_visible_threshold_and_no_leftover_is_drawn() {
        // `rare` gets 0.05% of customers: its band is left out and counted in the note; the
        // touchpoints before the goal have no "converted" band, however small.
        let (j, all, segs) = run(r#"journey rare {
  channel web digital
  stage s {
    touchpoint a on web { entry  -> b 99.95%  -> rare 0.05% }
    touchpoint rare on web { -> b }
    touchpoint b on web { friction 10%  -> c 90%  -> exit }
  }
  stage t { touchpoint c on web { goal g } }
}"#);
        let links = links(&j, &all, &segs);
        assert!(
            links
                .iter()
                .all(|l| l.to != Node::Converted || l.from == Node::Touchpoint(3)),
            "{links:?}"
        );
        let layout = Layout::new(&j);
        let html = render(&j, &all, &segs, &layout);
        let drawn = [
            "class=\"flow\"",
            "class=\"flow flow-",
            "class=\"flow-back\"",
        ]
        .iter()
        .map(|c| html.matches(c).count())
        .sum::<usize>();
        let visible = links.iter().filter(|l| l.value >= VISIBLE).count();
        // Every visible band is drawn (forward bands are `flow…`; back arcs `flow-back`).
        assert_eq!(drawn, visible, "{html}");
        for l in links.iter().filter(|l| l.value < VISIBLE) {
            let band = format!("{} → {}", node_name(&j, l.from), node_name(&j, l.to));
            assert!(!html.contains(&format!(">{band}")), "{band}: {html}");
        }
        if links.iter().any(|l| l.value < VISIBLE) {
            assert!(html.contains("not drawn"), "{html}");
        }
    }

    #[test]
    fn the_diagram_stays_inside_its_view_box() {
        let (j, all, segs) = run(TWO_SEGMENTS);
        let svg = diagram(&j, &all, &Layout::new(&j).flow, &links(&j, &all, &segs));
        assert_eq!(geometry_problems(&svg), Vec::<String>::new());
        // A loop (a move back) and a stage with moves inside it.
        let (j, all, segs) = run(r#"journey loop {
  channel web digital
  stage s {
    touchpoint a on web { entry  -> b }
    touchpoint b on web { friction 30%  -> c 50%  -> a 30%  -> exit }
  }
  stage t { touchpoint c on web { goal g } }
}"#);
        let l = links(&j, &all, &segs);
        assert!(l.iter().any(|l| is_back(&Layout::new(&j).flow, l)));
        let svg = diagram(&j, &all, &Layout::new(&j).flow, &l);
        assert_eq!(geometry_problems(&svg), Vec::<String>::new());
    }
}
