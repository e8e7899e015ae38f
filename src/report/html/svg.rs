//! SVG primitives for the HTML report: coordinates written with fixed precision (the same
//! bytes on every machine, never `NaN`), shapes and text, axis ticks, and the horizontal bar
//! chart with 95% whiskers that the funnel, segment, time and scenario charts share.
//!
//! Every chart is an `<svg viewBox=…>` without width or height attributes, so it scales with
//! its box; its geometry stays inside the viewBox (tests check every coordinate).

use super::escape;
use super::text::fit;
use std::fmt::Write;

/// A coordinate or length as written: one decimal, no trailing `.0`; a non-finite number
/// (which a chart never should produce) is written as 0 rather than as `NaN`.
pub fn n(x: f64) -> String {
    if !x.is_finite() {
        return "0".into();
    }
    let r = (x * 10.0).round() / 10.0;
    let r = if r == 0.0 { 0.0 } else { r }; // no "-0"
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// `x` within `lo..=hi` (and a non-finite `x` as `lo`).
pub fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    if x.is_finite() { x.max(lo).min(hi) } else { lo }
}

/// An SVG image being drawn: its size (the viewBox) and its elements, gathered in a text
/// (`Svg::new`, for an image whose size is settled while it is drawn) or written straight
/// into the page (`Svg::streaming`, for a large one whose size is known first).
pub struct Svg<W = String> {
    /// Width of the viewBox.
    pub width: f64,
    /// Height of the viewBox.
    pub height: f64,
    body: W,
}

impl Svg {
    /// An empty image of this viewBox size.
    pub fn new(width: f64, height: f64) -> Svg {
        Svg {
            width,
            height,
            body: String::new(),
        }
    }
}

impl<'o, O: Write + ?Sized> Svg<&'o mut O> {
    /// An image of this viewBox size drawn straight into `out`: its opening tag is written
    /// now, as [`Svg::finish_to`] writes it, and its elements as they are drawn, so a large
    /// diagram is never held whole. Call [`Svg::close`] at the end.
    pub fn streaming(
        out: &'o mut O,
        width: f64,
        height: f64,
        label: &str,
        class: &str,
        shrink: Option<f64>,
    ) -> Self {
        open_tag(out, width, height, label, class, shrink);
        Svg {
            width,
            height,
            body: out,
        }
    }

    /// Writes the closing tag.
    pub fn close(self) {
        let _ = self.body.write_str("</svg>\n");
    }
}

impl<W: Write> Svg<W> {
    /// A rectangle; `extra` is more attributes, already escaped (`rx="4"`).
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, class: &str, extra: &str) {
        let _ = writeln!(
            self.body,
            r#"<rect x="{}" y="{}" width="{}" height="{}" class="{class}"{}{extra}/>"#,
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0)),
            if extra.is_empty() { "" } else { " " },
        );
    }

    /// A rectangle with a tooltip (`<title>`, escaped here).
    pub fn rect_titled(&mut self, x: f64, y: f64, w: f64, h: f64, class: &str, title: &str) {
        let _ = writeln!(
            self.body,
            r#"<rect x="{}" y="{}" width="{}" height="{}" class="{class}"><title>{}</title></rect>"#,
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0)),
            escape(title)
        );
    }

    /// A straight line.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &str) {
        let _ = writeln!(
            self.body,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" class="{class}"/>"#,
            n(x1),
            n(y1),
            n(x2),
            n(y2)
        );
    }

    /// A circle.
    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, class: &str) {
        let _ = writeln!(
            self.body,
            r#"<circle cx="{}" cy="{}" r="{}" class="{class}"/>"#,
            n(cx),
            n(cy),
            n(r)
        );
    }

    /// A polyline through the points.
    pub fn polyline(&mut self, points: &[(f64, f64)], class: &str) {
        let _ = writeln!(
            self.body,
            r#"<polyline points="{}" class="{class}"/>"#,
            points_attr(points)
        );
    }

    /// A closed polygon.
    pub fn polygon(&mut self, points: &[(f64, f64)], class: &str) {
        let _ = writeln!(
            self.body,
            r#"<polygon points="{}" class="{class}"/>"#,
            points_attr(points)
        );
    }

    /// A path (`d` built with [`PathData`]), with an optional tooltip.
    pub fn path(&mut self, d: &PathData, class: &str, title: Option<&str>) {
        match title {
            Some(t) => {
                let _ = writeln!(
                    self.body,
                    r#"<path d="{}" class="{class}"><title>{}</title></path>"#,
                    d.0.trim_end(),
                    escape(t)
                );
            }
            None => {
                let _ = writeln!(
                    self.body,
                    r#"<path d="{}" class="{class}"/>"#,
                    d.0.trim_end()
                );
            }
        }
    }

    /// A line of text (escaped here); `anchor` is `start`, `middle` or `end`.
    pub fn text(&mut self, x: f64, y: f64, text: &str, class: &str, anchor: &str) {
        let _ = writeln!(
            self.body,
            r#"<text x="{}" y="{}" class="{class}" text-anchor="{anchor}">{}</text>"#,
            n(x),
            n(y),
            escape(text)
        );
    }

    /// Lines of text one under the other, `step` apart, the first at `y`.
    pub fn lines(
        &mut self,
        x: f64,
        y: f64,
        step: f64,
        lines: &[String],
        class: &str,
        anchor: &str,
    ) {
        for (i, line) in lines.iter().enumerate() {
            self.text(x, y + step * i as f64, line, class, anchor);
        }
    }

    /// Markup already written and escaped (groups, titles).
    pub fn raw(&mut self, markup: &str) {
        let _ = self.body.write_str(markup);
    }
}

impl Svg {
    /// The `<svg>` element: `label` is what screen readers say (escaped here); `class` styles
    /// it. It scales with its box; `shrink`, when given, stops it shrinking below that share
    /// of its natural width (the box scrolls instead) and growing past its natural width.
    pub fn finish(self, label: &str, class: &str, shrink: Option<f64>) -> String {
        let mut out = String::with_capacity(self.body.len() + 256);
        self.finish_to(&mut out, label, class, shrink);
        out
    }

    /// [`Svg::finish`], written into `out` (the body is not copied into a new text first).
    pub fn finish_to(
        self,
        out: &mut (impl Write + ?Sized),
        label: &str,
        class: &str,
        shrink: Option<f64>,
    ) {
        open_tag(out, self.width, self.height, label, class, shrink);
        let _ = out.write_str(&self.body);
        let _ = out.write_str("</svg>\n");
    }
}

/// The opening `<svg>` tag of [`Svg::finish_to`] and [`Svg::streaming`].
fn open_tag(
    out: &mut (impl Write + ?Sized),
    width: f64,
    height: f64,
    label: &str,
    class: &str,
    shrink: Option<f64>,
) {
    let size = match shrink {
        Some(k) => format!(
            r#" style="min-width:{}px;max-width:{}px""#,
            n(width * k),
            n(width)
        ),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "<svg viewBox=\"0 0 {} {}\"{size} class=\"{class}\" role=\"img\" aria-label=\"{}\" preserveAspectRatio=\"xMinYMin meet\">",
        n(width),
        n(height),
        escape(label),
    );
}

fn points_attr(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .map(|&(x, y)| format!("{},{}", n(x), n(y)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `d` attribute of a path, in absolute commands only (`M`, `L`, `C`, `Q`, `Z`).
#[derive(Default)]
pub struct PathData(String);

impl PathData {
    /// Moves to a point.
    pub fn move_to(mut self, x: f64, y: f64) -> Self {
        let _ = write!(self.0, "M{} {} ", n(x), n(y));
        self
    }

    /// A line to a point.
    pub fn line_to(mut self, x: f64, y: f64) -> Self {
        let _ = write!(self.0, "L{} {} ", n(x), n(y));
        self
    }

    /// A cubic Bézier curve to `(x, y)` with control points `(ax, ay)` and `(bx, by)`.
    pub fn cubic(mut self, ax: f64, ay: f64, bx: f64, by: f64, x: f64, y: f64) -> Self {
        let _ = write!(
            self.0,
            "C{} {} {} {} {} {} ",
            n(ax),
            n(ay),
            n(bx),
            n(by),
            n(x),
            n(y)
        );
        self
    }

    /// A quadratic Bézier curve to `(x, y)` with control point `(ax, ay)`.
    pub fn quad(mut self, ax: f64, ay: f64, x: f64, y: f64) -> Self {
        let _ = write!(self.0, "Q{} {} {} {} ", n(ax), n(ay), n(x), n(y));
        self
    }

    /// Closes the path.
    pub fn close(mut self) -> Self {
        self.0.push_str("Z ");
        self
    }
}

/// Ticks for an axis from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten,
/// four to eight of them; the last tick is the axis' end.
pub fn ticks(max: f64) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / 5.0;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| max / s <= 8.0)
        .unwrap_or(10.0 * power);
    let count = (max / step - 1e-9).ceil().max(1.0) as usize;
    (0..=count).map(|i| i as f64 * step).collect()
}

/// Ticks for a time axis from 0 to at least `max` seconds, at round durations (1m, 5m,
/// 1h, 1d…), four to eight of them.
pub fn duration_ticks(max: f64) -> Vec<f64> {
    const STEPS: [f64; 22] = [
        1.0,
        2.0,
        5.0,
        10.0,
        15.0,
        30.0,
        60.0,
        120.0,
        300.0,
        600.0,
        900.0,
        1800.0,
        3600.0,
        7200.0,
        10_800.0,
        21_600.0,
        43_200.0,
        86_400.0,
        172_800.0,
        432_000.0,
        604_800.0,
        1_209_600.0,
    ];
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let step = STEPS
        .iter()
        .copied()
        .find(|s| max / s <= 7.0)
        .unwrap_or_else(|| (max / 7.0 / 2_592_000.0).ceil() * 2_592_000.0);
    let count = (max / step - 1e-9).ceil().max(1.0) as usize;
    (0..=count).map(|i| i as f64 * step).collect()
}

/// One bar of a [`bars`] chart.
pub struct Bar {
    /// The row's label (shown left of the bar).
    pub label: String,
    /// The point estimate.
    pub value: f64,
    /// The 95% interval, drawn as a whisker (equal to `value` for no whisker).
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
    /// The text at the right of the bar (value and interval, already formatted).
    pub text: String,
    /// Extra class of the bar (`bar-goal`, `bar-segment`, …).
    pub class: &'static str,
}

/// Horizontal bars from 0 with interval whiskers, on an axis with these ticks (from 0; the
/// last is the axis' end; see [`ticks`]) whose labels `tick` writes; `label` is what screen
/// readers say.
pub fn bars(rows: &[Bar], axis: &[f64], tick: &dyn Fn(f64) -> String, label: &str) -> String {
    const LABEL_W: f64 = 190.0;
    const BAR_W: f64 = 380.0;
    const TEXT_W: f64 = 230.0;
    const ROW_H: f64 = 30.0;
    const TOP: f64 = 8.0;
    const AXIS_H: f64 = 26.0;
    let end = axis
        .last()
        .copied()
        .filter(|e| e.is_finite() && *e > 0.0)
        .unwrap_or(1.0);
    let width = LABEL_W + BAR_W + TEXT_W;
    let height = TOP + ROW_H * rows.len() as f64 + AXIS_H;
    let mut s = Svg::new(width, height);
    let x_of = |v: f64| LABEL_W + clamp(v / end, 0.0, 1.0) * BAR_W;
    let bottom = TOP + ROW_H * rows.len() as f64;
    for &t in axis {
        let x = x_of(t);
        s.line(x, TOP - 4.0, x, bottom, "grid");
        s.text(x, bottom + 16.0, &tick(t), "tick", "middle");
    }
    for (i, row) in rows.iter().enumerate() {
        let y = TOP + ROW_H * i as f64;
        let mid = y + ROW_H / 2.0;
        s.text(
            LABEL_W - 8.0,
            mid + 4.0,
            &fit(&row.label, LABEL_W - 12.0, 12.0),
            "label",
            "end",
        );
        let x = x_of(row.value);
        s.rect_titled(
            LABEL_W,
            y + 6.0,
            (x - LABEL_W).max(1.0),
            ROW_H - 12.0,
            &format!("bar {}", row.class),
            &format!("{}: {}", row.label, row.text),
        );
        if row.high > row.low {
            let (a, b) = (x_of(row.low), x_of(row.high));
            s.line(a, mid, b, mid, "whisker");
            s.line(a, mid - 6.0, a, mid + 6.0, "whisker");
            s.line(b, mid - 6.0, b, mid + 6.0, "whisker");
        }
        s.text(
            LABEL_W + BAR_W + 8.0,
            mid + 4.0,
            &fit(&row.text, TEXT_W - 10.0, 12.0),
            "value",
            "start",
        );
    }
    s.line(LABEL_W, TOP - 4.0, LABEL_W, bottom, "axis");
    // Shrinks with the page down to two thirds of its size, then scrolls in its box.
    let svg = s.finish(label, "chart", Some(0.66));
    format!("<div class=\"chart-scroll\">\n{svg}</div>\n")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Every number in the geometry attributes of `svg` is finite and inside its viewBox;
    /// returns the problems found.
    pub(crate) fn geometry_problems(svg: &str) -> Vec<String> {
        let mut problems = Vec::new();
        let view = attr_values(svg, "viewBox");
        let Some(view) = view.first() else {
            return vec!["no viewBox".into()];
        };
        let v: Vec<f64> = view
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        let (w, h) = (v[2], v[3]);
        let check = |name: &str, value: f64, limit: f64, problems: &mut Vec<String>| {
            if !value.is_finite() || value < -0.05 || value > limit + 0.05 {
                problems.push(format!("{name}={value} outside 0..{limit}"));
            }
        };
        for name in ["x", "x1", "x2", "cx"] {
            for a in attr_values(svg, name) {
                check(name, parse(&a, &mut problems), w, &mut problems);
            }
        }
        for name in ["y", "y1", "y2", "cy"] {
            for a in attr_values(svg, name) {
                check(name, parse(&a, &mut problems), h, &mut problems);
            }
        }
        for a in attr_values(svg, "width") {
            check("width", parse(&a, &mut problems), w, &mut problems);
        }
        for a in attr_values(svg, "height") {
            check("height", parse(&a, &mut problems), h, &mut problems);
        }
        for a in attr_values(svg, "points")
            .into_iter()
            .chain(attr_values(svg, "d"))
        {
            let numbers: Vec<&str> = a
                .split(|c: char| c.is_ascii_alphabetic() || c == ',' || c.is_whitespace())
                .filter(|t| !t.is_empty())
                .collect();
            for pair in numbers.chunks(2) {
                let x = parse(pair[0], &mut problems);
                check("path x", x, w, &mut problems);
                if let Some(y) = pair.get(1) {
                    check("path y", parse(y, &mut problems), h, &mut problems);
                }
            }
        }
        if svg.contains("NaN") || svg.contains("inf") {
            problems.push("NaN or inf in the markup".into());
        }
        problems
    }

    fn parse(a: &str, problems: &mut Vec<String>) -> f64 {
        a.parse().unwrap_or_else(|_| {
            problems.push(format!("`{a}` is not a number"));
            f64::NAN
        })
    }

    /// The values of every ` name="…"` attribute in `svg`.
    fn attr_values(svg: &str, name: &str) -> Vec<String> {
        let key = format!(" {name}=\"");
        let mut out = Vec::new();
        let mut rest = svg;
        while let Some(i) = rest.find(&key) {
            rest = &rest[i + key.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
        out
    }

    #[test]
    fn an_image_drawn_straight_into_the_page_is_the_one_gathered_first() {
        fn draw<W: Write>(s: &mut Svg<W>) {
            s.rect(1.0, 2.0, 30.0, 4.5, "box", "rx=\"4\"");
            s.text(5.0, 6.0, "a < b & \"c\"", "label", "start");
            s.line(0.0, 0.0, 10.0, 10.0, "rule");
            s.raw("<g class=\"x\"></g>\n");
        }
        for shrink in [None, Some(0.62)] {
            let mut gathered = Svg::new(120.0, 80.5);
            draw(&mut gathered);
            let gathered = gathered.finish("A <label>", "chart", shrink);
            let mut page = String::from("before\n");
            let mut streamed = Svg::streaming(&mut page, 120.0, 80.5, "A <label>", "chart", shrink);
            draw(&mut streamed);
            streamed.close();
            assert_eq!(page, format!("before\n{gathered}"));
        }
    }

    #[test]
    fn numbers_are_fixed_and_never_nan() {
        assert_eq!(n(1.0), "1");
        assert_eq!(n(1.25), "1.3");
        assert_eq!(n(-0.01), "0");
        assert_eq!(n(f64::NAN), "0");
        assert_eq!(n(f64::INFINITY), "0");
        assert_eq!(n(1234.5678), "1234.6");
    }

    #[test]
    fn ticks_cover_the_maximum() {
        for max in [0.0, 0.003, 0.07, 0.5, 1.0, 3.7, 86_400.0 * 2.5, f64::NAN] {
            let t = ticks(max);
            assert!(t.len() >= 2 && t.len() <= 9, "{max}: {t:?}");
            assert_eq!(t[0], 0.0);
            if max.is_finite() && max > 0.0 {
                assert!(*t.last().unwrap() >= max, "{max}: {t:?}");
            }
        }
    }

    #[test]
    fn duration_ticks_are_round() {
        assert_eq!(
            duration_ticks(3900.0),
            (0..=7).map(|i| i as f64 * 600.0).collect::<Vec<_>>()
        );
        let t = duration_ticks(86_400.0 * 40.0);
        assert!(
            t.len() <= 9 && *t.last().unwrap() >= 86_400.0 * 40.0,
            "{t:?}"
        );
        assert_eq!(duration_ticks(f64::NAN), vec![0.0, 1.0]);
    }

    #[test]
    fn bars_stay_inside_the_view_box() {
        let rows = vec![
            Bar {
                label: "a <label> & \"quotes\"".into(),
                value: 0.4,
                low: 0.35,
                high: 0.45,
                text: "40%".into(),
                class: "",
            },
            Bar {
                label: "over the axis".into(),
                value: 7.0,
                low: f64::NAN,
                high: f64::INFINITY,
                text: "n/a".into(),
                class: "",
            },
        ];
        let svg = bars(&rows, &ticks(1.0), &|t| format!("{t}"), "test");
        assert_eq!(geometry_problems(&svg), Vec::<String>::new());
        assert!(svg.contains("a &lt;label&gt; &amp; &quot;quotes&quot;"));
    }
}
