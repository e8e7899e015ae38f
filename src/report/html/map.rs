//! The journey map: stages across, channels down, one card per touchpoint in its (stage,
//! channel) cell ([`super::layout`], drawn by [`super::swimlane`]), pain points and moments
//! of truth marked, and the emotion curve of the most travelled path ([`super::path`]) drawn
//! under the lanes, aligned with the cards.
//!
//! The map fills the window's width ("fit to width"), or is drawn at its actual size in a box
//! that pans, its stage and channel headers kept in view; the choice is two radio buttons and
//! CSS (the page has no script). A journey of more than [`OVERVIEW_AFTER`] touchpoints opens
//! on a stage-level overview — a cell per stage and channel — with each stage's own map below
//! it, folded (`<details>`), to open one at a time.

use super::card::{Shown, VARIES};
use super::layout::Layout;
use super::path::{End, MostTravelled};
use super::swimlane::{View, grid};
use super::{Push, escape, pct, signed};
use crate::model::{Journey, Score, Touchpoint, TouchpointId, Visit};
use crate::sim::figures::Figures;
use std::fmt::Write;

/// Above this many touchpoints the map opens on the stage-level overview.
pub const OVERVIEW_AFTER: usize = 60;

/// The journey map section's body: the swimlane with its emotion curve, the legend, the
/// path in words and the pain points and moments of truth as a table.
#[cfg(test)]
pub fn render(j: &Journey, f: &Figures, layout: &Layout, path: Option<&MostTravelled>) -> String {
    let mut out = String::new();
    render_to(&mut out, j, f, layout, path);
    out
}

/// [`render`], written into `out` stage by stage.
pub fn render_to(
    out: &mut (impl Write + ?Sized),
    j: &Journey,
    f: &Figures,
    layout: &Layout,
    path: Option<&MostTravelled>,
) {
    out.push_str(&legend(j));
    let label = format!(
        "Journey map of {}: {} stages across, {} channels down",
        j.label,
        j.stages.len(),
        layout.lanes.len()
    );
    out.push_str(ZOOM);
    let mut step_of = vec![None; j.touchpoints.len()];
    for (i, st) in path.iter().flat_map(|p| p.steps.iter()).enumerate() {
        step_of[st.touchpoint] = Some(i);
    }
    out.push_str("<div class=\"map-box wide\" tabindex=\"0\">\n");
    if j.touchpoints.len() > OVERVIEW_AFTER {
        out.push_str(&grid(
            &View::overview(j, layout, f, &step_of),
            path,
            &format!("Overview of {label}"),
        ));
        out.push_str("</div>\n");
        stages_to(out, j, f, layout, &step_of);
    } else {
        out.push_str(&grid(&View::whole(j, layout, f, &step_of), path, &label));
        out.push_str("</div>\n");
    }
    match path {
        Some(p) => out.push_str(&path_text(j, p)),
        None => out.push_str("<p>No entry: there is no path to draw.</p>\n"),
    }
    out.push_str(&pains_table(j, f));
}

/// The map's size switch: two radio buttons (visually hidden, before the box so that CSS can
/// select on them) and their labels.
const ZOOM: &str = "<input type=\"radio\" name=\"map-zoom\" id=\"map-fit\" class=\"zoom-input\" \
     checked><input type=\"radio\" name=\"map-zoom\" id=\"map-full\" class=\"zoom-input\">\n\
     <div class=\"zoom\" role=\"group\" aria-label=\"Map size\"><label for=\"map-fit\">Fit to \
     width</label><label for=\"map-full\">Actual size (pan)</label></div>\n";

/// A large journey's stages, each folded with its own map: the summary says what the stage
/// holds and how many customers reach it.
fn stages_to(
    out: &mut (impl Write + ?Sized),
    j: &Journey,
    f: &Figures,
    layout: &Layout,
    step_of: &[Option<usize>],
) {
    let _ = write!(
        out,
        "<p class=\"note\">{} touchpoints: the overview above has a cell per stage and \
         channel (hover one for its touchpoints); open a stage below for its map.</p>\n\
         <div class=\"stage-maps\">\n",
        j.touchpoints.len()
    );
    for (k, stage) in j.stages.iter().enumerate() {
        let reach = stage
            .touchpoints
            .iter()
            .filter_map(|&t| f.touchpoints.get(t).map(|x| x.reach.value))
            .filter(|r| r.is_finite())
            .fold(0.0f64, f64::max);
        let pains = stage
            .touchpoints
            .iter()
            .filter(|&&t| has_friction(&j.touchpoints[t]))
            .count();
        let mut steps: Vec<usize> = stage
            .touchpoints
            .iter()
            .filter_map(|&t| step_of.get(t).copied().flatten())
            .collect();
        steps.sort_unstable();
        let steps: Vec<String> = steps.iter().map(|i| (i + 1).to_string()).collect();
        let _ = write!(
            out,
            "<details class=\"stage-map\" data-stage=\"{}\"><summary><b>{}</b> · {} touchpoint{} \
             · highest reach {}",
            escape(&stage.name),
            escape(&stage.label),
            stage.touchpoints.len(),
            if stage.touchpoints.len() == 1 {
                ""
            } else {
                "s"
            },
            pct(reach)
        );
        if pains > 0 {
            let _ = write!(
                out,
                " · {pains} pain point{}",
                if pains == 1 { "" } else { "s" }
            );
        }
        if !steps.is_empty() {
            let _ = write!(out, " · path steps {}", steps.join(", "));
        }
        out.push_str("</summary>\n<div class=\"map-box\">\n");
        out.push_str(&grid(
            &View::stage(j, layout, f, step_of, k),
            None,
            &format!("Map of stage {} of {}", stage.label, j.label),
        ));
        out.push_str("</div>\n</details>\n");
    }
    out.push_str("</div>\n");
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
pub fn has_friction(tp: &Touchpoint) -> bool {
    tp.friction > 0.0 || tp.by_segment.iter().any(|v| v.friction > 0.0)
}

/// The values of an attribute (as `show` writes it) that differ from `base`, the value for
/// everyone, each with the segments that get it, in segment order.
pub fn differing<'j>(
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
    use crate::report::html::path::most_travelled;
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
        let html = render(&j, &f, &Layout::new(&j), most_travelled(&j, &f).as_ref());
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
        let html = render(&j, &f, &Layout::new(&j), most_travelled(&j, &f).as_ref());
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
