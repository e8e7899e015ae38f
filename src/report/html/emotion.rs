//! The emotion curves per segment, under the journey map (only for a journey with more than
//! one segment): each segment's own most travelled path ([`super::path::most_travelled_of`]:
//! its moves, its reach, the emotion and friction a visit has for it) and the cumulative
//! expected sentiment along it, step by step, in one small chart with the all-customers
//! curve of the map for reference, and a table naming each path.

use super::path::{End, MostTravelled, most_travelled, most_travelled_of};
use super::svg::{Svg, n};
use super::{escape, signed, value_attr};
use crate::model::Journey;
use crate::report::simulation::Computed;
use std::fmt::Write;

const WIDTH: f64 = 760.0;
const LEFT: f64 = 58.0;
/// Room on the right for the curves' names.
const LABELS: f64 = 170.0;
const TOP: f64 = 18.0;
const PLOT_H: f64 = 200.0;
const BOTTOM: f64 = 42.0;
/// The smallest vertical gap between two names at the right end.
const LABEL_GAP: f64 = 14.0;

/// Stroke colour and dash pattern of the `i`-th segment's curve: six colours that stay apart
/// for colour-blind readers (Okabe–Ito), each with its own dash so that the curves also part
/// in black and white; a seventh segment on starts over with a thinner line.
fn pen(i: usize) -> (&'static str, &'static str) {
    const PENS: [(&str, &str); 6] = [
        ("#0072b2", "none"),
        ("#d55e00", "7 3"),
        ("#009e73", "2 3"),
        ("#cc79a7", "9 3 2 3"),
        ("#e69f00", "4 4"),
        ("#56b4e9", "1 3"),
    ];
    PENS[i % PENS.len()]
}

/// One curve: who it is for, and their path.
struct Curve {
    /// `All customers` or the segment's label.
    name: String,
    /// The segment's name (`None`: all customers).
    segment: Option<String>,
    path: MostTravelled,
}

/// The chart and table of the emotion curves per segment; empty for a journey with one
/// segment (the map's curve is then that segment's) or without entries.
pub fn render(j: &Journey, c: &Computed) -> String {
    if j.segments.len() < 2 {
        return String::new();
    }
    let mut curves = Vec::new();
    if let Some(path) = most_travelled(j, &c.all) {
        curves.push(Curve {
            name: "All customers".into(),
            segment: None,
            path,
        });
    }
    for (s, (seg, f)) in j.segments.iter().zip(&c.segments).enumerate() {
        if f.customers == 0 {
            continue;
        }
        if let Some(path) = most_travelled_of(j, f, s) {
            curves.push(Curve {
                name: seg.label.clone(),
                segment: Some(seg.name.clone()),
                path,
            });
        }
    }
    if curves.len() < 2 {
        return String::new();
    }
    let mut out = String::from("<h3>Emotion per segment</h3>\n");
    let _ = writeln!(
        out,
        "<p class=\"note\">Each segment's own most travelled path — from the entry its \
         customers visit most, on to the next touchpoint that most of them reached, over the \
         moves open to that segment — with the cumulative expected sentiment along it, using \
         the emotion and friction a visit has for that segment (and the context-loss chance \
         where the path changes to a channel without shared context). Steps are counted from \
         the entry, so the paths line up step by step, not touchpoint by touchpoint; the grey \
         curve is the map's, for all customers, and the darker horizontal line is neutral \
         sentiment (0). Hover a dot for its touchpoint.</p>"
    );
    out.push_str("<div class=\"chart-scroll\" tabindex=\"0\">\n");
    out.push_str(&chart(j, &curves));
    out.push_str("</div>\n");
    out.push_str(&table(j, &curves));
    out
}

fn chart(j: &Journey, curves: &[Curve]) -> String {
    let steps = curves.iter().map(|c| c.path.steps.len()).max().unwrap_or(1);
    let values = curves
        .iter()
        .flat_map(|c| c.path.steps.iter().map(|s| s.cumulative));
    let (lo, hi) = values.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let span = (hi - lo).max(1.0);
    let (lo, hi) = (lo - span * 0.08, hi + span * 0.08);
    let y_of = |v: f64| TOP + (hi - v) / (hi - lo) * PLOT_H;
    let right = WIDTH - LABELS;
    let x_of = |i: usize| match steps {
        1 => (LEFT + right) / 2.0,
        k => LEFT + 12.0 + (right - LEFT - 24.0) * i as f64 / (k - 1) as f64,
    };
    let height = TOP + PLOT_H + BOTTOM;
    let mut s = Svg::new(WIDTH, height);
    // Axes: a line at each round sentiment step the range allows (about six; the neutral one
    // darker), the steps along the bottom.
    let unit = nice_step((hi - lo) / 6.0);
    let mut t = (lo / unit).ceil() * unit;
    while t <= hi {
        let y = y_of(t);
        let class = if t.abs() < unit * 1e-9 {
            "axis"
        } else {
            "grid"
        };
        s.line(LEFT, y, right, y, class);
        s.text(
            LEFT - 6.0,
            y + 4.0,
            &signed(t, decimals(unit)),
            "tick",
            "end",
        );
        t += unit;
    }
    for i in 0..steps {
        s.text(
            x_of(i),
            TOP + PLOT_H + 18.0,
            &format!("{}", i + 1),
            "tick",
            "middle",
        );
    }
    s.text(
        (LEFT + right) / 2.0,
        TOP + PLOT_H + 36.0,
        "step of the path (1 = its entry)",
        "tick",
        "middle",
    );
    // The curves: all customers first (grey, under the others), then each segment.
    let mut ends: Vec<(f64, String, String)> = Vec::new();
    for (k, c) in curves.iter().enumerate() {
        let (colour, dash, width) = match c.segment {
            None => ("#9aa5b1", "none", 5.0),
            Some(_) => {
                let (colour, dash) = pen(k - usize::from(curves[0].segment.is_none()));
                (colour, dash, if k > 6 { 2.0 } else { 2.5 })
            }
        };
        let points: Vec<String> = c
            .path
            .steps
            .iter()
            .enumerate()
            .map(|(i, st)| format!("{},{}", n(x_of(i)), n(y_of(st.cumulative))))
            .collect();
        s.raw(&format!(
            "<polyline points=\"{}\" fill=\"none\" style=\"stroke:{colour};stroke-width:{width};\
             stroke-dasharray:{dash};stroke-linejoin:round\"><title>{}</title></polyline>\n",
            points.join(" "),
            escape(&c.name)
        ));
        for (i, st) in c.path.steps.iter().enumerate() {
            let tp = &j.touchpoints[st.touchpoint];
            s.raw(&format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" style=\"fill:{colour}\"><title>{}, step \
                 {}: {} — {}</title></circle>\n",
                n(x_of(i)),
                n(y_of(st.cumulative)),
                escape(&c.name),
                i + 1,
                escape(&tp.label),
                signed(st.cumulative, 2)
            ));
        }
        if let Some(last) = c.path.steps.last() {
            ends.push((y_of(last.cumulative), c.name.clone(), colour.to_string()));
        }
    }
    // The names at the right, in the order of their curves' ends, pushed apart to stay
    // readable, and kept inside the plot.
    let mut order: Vec<usize> = (0..ends.len()).collect();
    order.sort_by(|&a, &b| ends[a].0.total_cmp(&ends[b].0).then(a.cmp(&b)));
    let mut placed: Vec<f64> = Vec::with_capacity(order.len());
    for &k in &order {
        let want = ends[k].0 + 4.0;
        let y = placed.last().map_or(want, |&p| want.max(p + LABEL_GAP));
        placed.push(y);
    }
    let overflow = placed
        .last()
        .map_or(0.0, |&y| (y - (TOP + PLOT_H + 4.0)).max(0.0));
    for (&k, y) in order.iter().zip(placed) {
        let (_, name, colour) = &ends[k];
        let y = (y - overflow).max(TOP + 4.0);
        s.raw(&format!(
            "<text x=\"{}\" y=\"{}\" class=\"label\" text-anchor=\"start\" style=\"fill:{colour}\
             \">{}</text>\n",
            n(right + 10.0),
            n(y),
            escape(&shorten(name, 24))
        ));
    }
    s.finish(
        "Cumulative expected sentiment along each segment's most travelled path, step by step",
        "chart",
        Some(0.66),
    )
}

/// 0.25, 0.5, 1, 2, 5, 10… — the smallest at least `x`.
fn nice_step(x: f64) -> f64 {
    let mut step = 0.25;
    for k in [0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0] {
        step = k;
        if k >= x {
            break;
        }
    }
    step
}

fn decimals(step: f64) -> usize {
    if step < 0.5 {
        2
    } else if step < 1.0 {
        1
    } else {
        0
    }
}

/// `text` cut to `max` characters with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    match text.chars().count() > max {
        true => format!("{}…", text.chars().take(max - 1).collect::<String>()),
        false => text.to_string(),
    }
}

fn table(j: &Journey, curves: &[Curve]) -> String {
    let mut out = String::from(
        "<div class=\"table-scroll\"><table class=\"emotion-paths\">\n<caption>Each \
         population's most travelled path and the expected sentiment at its end (the sum of \
         each step's emotion minus its expected pain points).</caption>\n<thead><tr><th \
         scope=\"col\">Customers</th><th scope=\"col\">Most travelled path</th><th scope=\"col\" \
         class=\"num\">Sentiment at its end</th></tr></thead>\n<tbody>\n",
    );
    for c in curves {
        let names: Vec<String> = c
            .path
            .steps
            .iter()
            .map(|st| escape(&j.touchpoints[st.touchpoint].label))
            .collect();
        let end = match c.path.end {
            End::Goal => "goal",
            End::Exit => "leaves",
            End::Repeat => "loops back",
            End::Unvisited => "nobody goes on",
        };
        let last = c.path.steps.last().map_or(0.0, |s| s.cumulative);
        let (head, attr) = match &c.segment {
            None => (
                "All customers".to_string(),
                "all.path.sentiment\"".to_string(),
            ),
            Some(s) => (
                format!("{} <code>{}</code>", escape(&c.name), escape(s)),
                format!("segment.path.sentiment\" data-segment=\"{}\"", escape(s)),
            ),
        };
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{head}</th><td>{} ({end})</td><td class=\"num\" \
             data-figure=\"{attr} data-value=\"{}\">{}</td></tr>",
            names.join(" → "),
            value_attr(last),
            signed(last, 2)
        );
    }
    out.push_str("</tbody>\n</table></div>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::html::testing::{FORKED, TINY, journey};
    use crate::sim::{Settings, simulate};

    fn page(j: &Journey) -> String {
        let settings = Settings {
            customers: 20_000,
            seed: 3,
            threads: 1,
            ..Settings::default()
        };
        let run = simulate(j, &settings, None).expect("simulates");
        render(j, &Computed::new(&run))
    }

    #[test]
    fn each_segment_gets_its_curve_and_its_path() {
        let j = journey(FORKED);
        let settings = Settings {
            customers: 20_000,
            seed: 3,
            threads: 1,
            ..Settings::default()
        };
        let run = simulate(&j, &settings, None).expect("simulates");
        let c = Computed::new(&run);
        let html = render(&j, &c);
        // All customers, then Alpha and Beta: three curves, a row each.
        assert_eq!(html.matches("<polyline").count(), 3, "{html}");
        assert_eq!(html.matches("<tr><th scope=\"row\">").count(), 3, "{html}");
        for (s, f) in c.segments.iter().enumerate() {
            let p = most_travelled_of(&j, f, s).unwrap();
            let end = p.steps.last().unwrap().cumulative;
            let cell = format!(
                "data-figure=\"segment.path.sentiment\" data-segment=\"{}\" data-value=\"{}\"",
                j.segments[s].name,
                value_attr(end)
            );
            assert!(html.contains(&cell), "{cell}\n{html}");
        }
        assert!(html.contains("start → far → right (goal)"), "{html}");
        assert!(
            html.contains("data-figure=\"all.path.sentiment\""),
            "{html}"
        );
        // Every point inside the view box.
        for (name, limit) in [("cx", WIDTH), ("cy", TOP + PLOT_H + BOTTOM)] {
            for part in html.split(&format!(" {name}=\"")).skip(1) {
                let v: f64 = part[..part.find('"').unwrap()].parse().unwrap();
                assert!((0.0..=limit).contains(&v), "{name}={v}");
            }
        }
    }

    #[test]
    fn one_segment_has_no_chart_of_its_own() {
        assert_eq!(page(&journey(TINY)), "");
    }

    #[test]
    fn six_segments_keep_apart() {
        let mut text = String::from("journey six {\n  channel web digital\n");
        for k in 0..6 {
            text.push_str(&format!(
                "  segment s{k} \"Segment number {k} with a long name\" {{ share {}%  prefers web  patience 80% }}\n",
                if k < 5 { 16 } else { 20 }
            ));
        }
        text.push_str(
            "  stage s {\n    touchpoint a on web { entry  friction 10%  -> b }\n    \
             touchpoint b on web { emotion +1  goal g }\n  }\n}\n",
        );
        let html = page(&journey(&text));
        assert_eq!(html.matches("<polyline").count(), 7, "{html}");
        // Six different pens; the names at the right at least LABEL_GAP apart.
        let mut ys: Vec<f64> = html
            .lines()
            .filter(|l| l.starts_with("<text") && l.contains("class=\"label\""))
            .map(|l| {
                let rest = &l[l.find(" y=\"").unwrap() + 4..];
                rest[..rest.find('"').unwrap()].parse().unwrap()
            })
            .collect();
        assert_eq!(ys.len(), 7, "{html}");
        ys.sort_by(f64::total_cmp);
        for w in ys.windows(2) {
            assert!(w[1] - w[0] >= LABEL_GAP - 1e-9, "{ys:?}");
        }
        let pens: std::collections::BTreeSet<_> = (0..6).map(pen).collect();
        assert_eq!(pens.len(), 6);
        assert!(html.contains("Segment number 5 with a…"), "{html}");
    }
}
