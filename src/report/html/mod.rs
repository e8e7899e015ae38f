//! The HTML report (`journeyc report`): one self-contained page — CSS inline, charts as inline
//! SVG drawn here, no script, font or image loaded from anywhere — that a CX team can open,
//! print or mail as it is.
//!
//! ```text
//!   Journey + Computed (baseline) + findings + Computed per scenario ──render──▶ HTML
//!     header (what was simulated, key figures)
//!     1 journey map ........ map.rs   swimlanes (layout.rs), badges, emotion curve of the
//!                                     most travelled path (path.rs); emotion.rs: the curve
//!                                     of each segment's own path (several segments only)
//!     2 funnel and flow .... charts.rs, flow.rs   funnel bars, Sankey-like flow with drop-off
//!     3 segments ........... charts.rs   conversion and pains per segment
//!     4 time to convert .... charts.rs
//!     5 lifetime ........... lifetime.rs  cohort retention curve, CLV per segment (only with
//!                                     a `lifecycle` block; the sections after it move down)
//!     . triggers ........... triggers.rs  firings, returns, conversions after a return and
//!                                     message cost per trigger and segment (only with triggers)
//!     . options ............ tables.rs, decisions.rs (only with options)
//!     5 KPIs, 6 findings ... tables.rs
//!     7 scenarios .......... tables.rs   what each changes (diff's words), side by side with
//!                                     Δ and its paired interval (only with --scenario)
//! ```
//!
//! The output is deterministic: no date, numbers written with fixed precision, everything in
//! the journey's order — the same file, seed and customers give the same bytes. Key figures
//! carry `data-figure`, `data-value`, `data-low` and `data-high` attributes (values rounded
//! as the JSON report rounds them) so that tools and tests can read them. Every string from
//! the journey goes through [`escape`].

mod card;
mod charts;
pub mod decisions;
mod emotion;
mod flow;
mod layout;
mod lifetime;
mod map;
mod path;
mod svg;
mod swimlane;
mod tables;
#[cfg(test)]
mod testing;
mod text;
mod triggers;

pub use flow::{Link, Node, links as flow_links};
pub use layout::{Layout, Slots};
pub use path::{End, MostTravelled, Step, most_travelled};
pub use tables::ScenarioRun;

use crate::diagnostic::Finding;
use crate::model::{Journey, format_duration};
use crate::report::simulation::Written;
use crate::report::simulation::{Computed, Unit, thousands};
use crate::sim::{Estimate, KpiVerdict};
use crate::source::SourceMap;
use std::fmt::Write;

/// Everything the page shows.
pub struct Page<'a> {
    /// The baseline journey (the map is drawn from it).
    pub journey: &'a Journey,
    /// The journey file as the user named it (shown in the footer).
    pub file: String,
    /// The baseline's simulated figures.
    pub baseline: &'a Computed<'a>,
    /// The sources the findings point into.
    pub sources: &'a SourceMap,
    /// The checker's findings, levels applied and sorted.
    pub findings: &'a [Finding],
    /// The scenarios simulated with the same seed and customers, in the order asked.
    pub scenarios: &'a [ScenarioRun<'a>],
    /// The best policy and test-and-learn panel (journeys with options).
    pub decisions: Option<&'a decisions::Decisions<'a>>,
}

/// Escapes text for HTML content and attribute values: `&`, `<`, `>`, `"` and `'`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A share as a percentage with one decimal (`36.2%`; `<0.1%` for a tiny positive one).
pub fn pct(p: f64) -> String {
    match p.is_finite() {
        true => crate::model::figure::percent_to(p, 1),
        false => "n/a".into(),
    }
}

/// A number with its sign and a true minus (`+0.50`, `−1.25`), `decimals` after the point.
pub fn signed(x: f64, decimals: usize) -> String {
    let text = format!("{x:+.decimals$}");
    if text
        .trim_start_matches(['+', '-'])
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        return format!("{:.decimals$}", 0.0);
    }
    text.replacen('-', "−", 1)
}

/// Escaped text in which `` `names` `` become `<code>names</code>` (checker messages quote
/// names that way).
pub fn with_code(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        let closed = i + 1 < parts.len() || i % 2 == 0;
        match (i % 2, closed) {
            (1, true) => {
                let _ = write!(out, "<code>{}</code>", escape(part));
            }
            (1, false) => {
                out.push('`');
                out.push_str(&escape(part));
            }
            _ => out.push_str(&escape(part)),
        }
    }
    out
}

/// A number for a `data-value` attribute: rounded to 12 significant digits exactly as the
/// JSON report writes it, so the two can be compared for equality.
pub fn value_attr(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let r = crate::report::num::round12(x);
    format!("{r}")
}

/// Renders the page.
pub fn render(page: &Page) -> String {
    let mut out = String::with_capacity(256 * 1024);
    render_to(&mut out, page);
    out
}

/// [`render`], written into `out` as it is made (`journeyc report` streams it into the file):
/// the page of a large journey is many times its size, and only the largest of its parts is
/// ever held whole.
pub fn render_to(out: &mut (impl Write + ?Sized), page: &Page) {
    let j = page.journey;
    let c = page.baseline;
    // One layout for the map and the flow, one most travelled path for the map's curve.
    let layout = Layout::new(j);
    let path = path::most_travelled(j, &c.all);
    let title = format!("{} — journey report", j.label);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"journeyc {}\">\n<title>{}</title>\n<style>\n{}</style>\n\
         </head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&title),
        STYLE
    );
    out.push_str(&header(page));
    out.push_str(&contents(page));

    section(
        out,
        "map",
        "1. Journey map",
        "Stages across in lifecycle order, channels down; each touchpoint is a card in its \
         (stage, channel) cell with its simulated reach.",
        |out| {
            map::render_to(out, j, &c.all, &layout, path.as_ref());
            out.push_str(&emotion::render(j, c));
        },
    );
    section(
        out,
        "flow",
        "2. Funnel and flow",
        "How many customers reach each stage, and how they move between touchpoints.",
        |out| {
            out.push_str("<h3>Funnel by stage</h3>\n");
            out.push_str(&charts::funnel(c));
            out.push_str("<h3>Where customers go, and where they drop</h3>\n");
            flow::render_to(out, j, &c.all, &c.segments, &layout);
        },
    );
    section(
        out,
        "segments",
        "3. Segments",
        "Conversion and pain points per segment, with 95% intervals (whiskers).",
        |out| out.push_str(&charts::segments(c)),
    );
    section(
        out,
        "time",
        "4. Time to convert",
        "From the start of the journey to the first primary goal, for the customers who \
         convert.",
        |out| out.push_str(&charts::time_to_convert(c)),
    );
    // The lifetime section only with a lifecycle; the sections after it are numbered on.
    let life = c.run.frame.lifecycle;
    let mut number = 4;
    let mut next = || {
        number += 1;
        number
    };
    if life {
        let n = next();
        section(
            out,
            "lifetime",
            &format!("{n}. Lifetime"),
            "Customers come back for more cycles (the journey's <code>lifecycle</code>): how many \
             start a cycle each month since their first, and what a customer is worth over all \
             their cycles, per segment.",
            |out| out.push_str(&lifetime::render(c)),
        );
    }
    if !j.triggers.is_empty() {
        let n = next();
        section(
            out,
            "triggers",
            &format!("{n}. Triggers"),
            "The messages the journey sends when a customer abandons or leaves \
             (<code>trigger</code>): how often each one fires, how many customers it brings \
             back and how many of them convert, and what its messages cost — for all customers \
             and per segment, with 95% intervals.",
            |out| out.push_str(&triggers::render(j, c)),
        );
    }
    if j.decisions().next().is_some() {
        let n = next();
        section(
            out,
            "options",
            &format!("{n}. Options"),
            "Touchpoints that offer alternatives of themselves (<code>option</code>), which one \
             each segment gets in this run, the best one per segment by the journey's \
             objective, and how fast a live test would find it.",
            |out| {
                out.push_str(&tables::options(j));
                if let Some(d) = page.decisions {
                    out.push_str(&decisions::render(j, d));
                }
            },
        );
    }
    section(
        out,
        "kpis",
        &format!("{}. KPIs", next()),
        "The journey's KPIs judged on the simulation.",
        |out| out.push_str(&tables::kpis(c)),
    );
    section(
        out,
        "findings",
        &format!("{}. Checker findings", next()),
        "What <code>journeyc check</code> reports for this file and its scenarios (levels from \
         <code>journeyc.toml</code> when there is one).",
        |out| tables::findings_to(out, page.sources, page.findings),
    );
    if !page.scenarios.is_empty() {
        section(
            out,
            "scenarios",
            &format!("{}. Scenarios", next()),
            "What each scenario changes, then the baseline and each scenario simulated on the \
             same customers with the same random numbers, each difference with its 95% interval.",
            |out| out.push_str(&tables::scenarios(c, page.scenarios)),
        );
    }
    let _ = write!(
        out,
        "<footer>\n<p>Generated by journeyc {} from <code>{}</code>. The same file, seed and \
         number of customers give this page byte for byte. It is self-contained: it loads no \
         script, font or image.</p>\n</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&page.file)
    );
}

/// A section: its heading and lead, then what `body` writes.
fn section<W: Write + ?Sized>(
    out: &mut W,
    id: &str,
    title: &str,
    lead: &str,
    body: impl FnOnce(&mut W),
) {
    let _ = write!(
        out,
        "<section id=\"{id}\">\n<h2>{title}</h2>\n<p class=\"lead\">{lead}</p>\n"
    );
    body(out);
    out.push_str("</section>\n");
}

pub(crate) use crate::report::text::Push;

fn header(page: &Page) -> String {
    let j = page.journey;
    let c = page.baseline;
    let run = c.run;
    let f = &run.frame;
    let mut out = String::from("<header>\n<p class=\"kicker\">Customer journey report</p>\n");
    let _ = writeln!(
        out,
        "<h1>{} <code class=\"name\">{}</code></h1>",
        escape(&j.label),
        escape(&j.name)
    );
    let mut meta = Vec::new();
    if let Some(o) = &j.owner {
        meta.push(format!("Owner: <b>{}</b>", escape(o)));
    }
    let count = |n: usize, noun: &str| {
        let s = if n == 1 { "" } else { "s" };
        format!("{n} {noun}{s}")
    };
    meta.push(
        [
            count(j.stages.len(), "stage"),
            count(j.touchpoints.len(), "touchpoint"),
            count(j.channels.len(), "channel"),
            count(j.segments.len(), "segment"),
        ]
        .join(", "),
    );
    let _ = writeln!(out, "<p class=\"meta\">{}</p>", meta.join(" · "));
    if let Some(d) = &j.description {
        let _ = writeln!(out, "<p class=\"description\">{}</p>", escape(d));
    }
    let horizon = match (f.horizon, f.horizon_ignored) {
        (Some(h), true) => format!("horizon {} ignored", format_duration(h)),
        (Some(h), false) => format!("horizon {}", format_duration(h)),
        (None, _) => "no horizon".into(),
    };
    let scenarios = if page.scenarios.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = page
            .scenarios
            .iter()
            .map(|s| format!("<code>{}</code>", escape(&s.name)))
            .collect();
        format!(
            " The baseline is compared with {} (same seed and customers).",
            names.join(", ")
        )
    };
    let _ = writeln!(
        out,
        "<p class=\"run\">Simulated <b data-figure=\"customers\" data-value=\"{}\">{}</b> \
         customers, seed <b data-figure=\"seed\" data-value=\"{}\">{}</b>; {horizon}, \
         max_steps {}. Every figure is a Monte Carlo estimate with its 95% interval.{scenarios}</p>",
        run.customers,
        thousands(run.customers),
        run.seed,
        run.seed,
        f.max_steps
    );
    out.push_str("<div class=\"keys\">\n");
    if let Some(e) = c.all.conversion {
        let goal = f.primary_goal.map_or("", |g| f.goals[g].as_str());
        out.push_str(&key(
            "conversion",
            &format!("Conversion ({goal})"),
            Unit::Percent,
            &e,
        ));
    }
    out.push_str(&key(
        "pains",
        "Pain points per customer",
        Unit::Number,
        &c.all.pains,
    ));
    out.push_str(&key("nps", "NPS", Unit::Nps, &c.all.nps));
    if let Some(e) = c.all.cost_per_conversion {
        out.push_str(&key(
            "cost_per_conversion",
            "Cost per conversion",
            Unit::Money,
            &e,
        ));
    }
    if let Some(e) = c.all.time_to_convert[1] {
        out.push_str(&key(
            "median_time_to_convert",
            "Median time to convert",
            Unit::Duration,
            &e,
        ));
    }
    // The scores the journey rates, then its lifetime figures when it has a lifecycle (none
    // for a version-1 journey).
    let shows = crate::report::Shows::of_frame(f);
    let extra = crate::model::figure::SCORES
        .into_iter()
        .chain(crate::report::lifetime_metrics());
    for m in extra.filter(|&m| crate::report::shown(m, shows)) {
        if let Some(e) = c.all.get(m) {
            out.push_str(&key(
                crate::report::summary_key(m),
                &crate::report::summary_title(m),
                m.info().unit,
                &e,
            ));
        }
    }
    if !c.kpis.is_empty() {
        let count = |v: KpiVerdict| c.kpis.iter().filter(|k| k.verdict == v).count();
        let _ = writeln!(
            out,
            "<div class=\"key-figure\"><span class=\"k\">KPIs</span><span class=\"v\">\
             <span class=\"verdict pass\">✓ {}</span> <span class=\"verdict fail\">✗ {}</span> \
             <span class=\"verdict inconclusive\">? {}</span></span><span class=\"i\">pass · fail \
             · inconclusive</span></div>",
            count(KpiVerdict::Pass),
            count(KpiVerdict::Fail),
            count(KpiVerdict::Inconclusive)
        );
    }
    out.push_str("</div>\n</header>\n");
    out
}

fn key(figure: &str, name: &str, unit: Unit, e: &Estimate) -> String {
    format!(
        "<div class=\"key-figure\" data-figure=\"{}\" data-value=\"{}\" data-low=\"{}\" \
         data-high=\"{}\"><span class=\"k\">{}</span><span class=\"v\">{}</span><span \
         class=\"i\">95%: {}</span></div>\n",
        escape(figure),
        value_attr(e.value),
        value_attr(e.low),
        value_attr(e.high),
        escape(name),
        escape(&unit.value(e.value)),
        escape(&unit.interval(e))
    )
}

fn contents(page: &Page) -> String {
    let mut items = vec![
        ("map", "Journey map"),
        ("flow", "Funnel and flow"),
        ("segments", "Segments"),
        ("time", "Time to convert"),
    ];
    if page.baseline.run.frame.lifecycle {
        items.push(("lifetime", "Lifetime"));
    }
    if !page.journey.triggers.is_empty() {
        items.push(("triggers", "Triggers"));
    }
    if page.journey.decisions().next().is_some() {
        items.push(("options", "Options"));
    }
    items.extend([("kpis", "KPIs"), ("findings", "Findings")]);
    if !page.scenarios.is_empty() {
        items.push(("scenarios", "Scenarios"));
    }
    let links: Vec<String> = items
        .iter()
        .map(|(id, name)| format!("<li><a href=\"#{id}\">{name}</a></li>"))
        .collect();
    format!(
        "<nav aria-label=\"Contents\"><ol>{}</ol></nav>\n",
        links.join("")
    )
}

/// The page's style sheet.
const STYLE: &str = include_str!("style.css");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("plain é 😀"), "plain é 😀");
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert_eq!(
            with_code("`a<b>` to `c` and `d"),
            "<code>a&lt;b&gt;</code> to <code>c</code> and `d"
        );
        assert_eq!(signed(-0.001, 2), "0.00");
        assert_eq!(signed(-1.25, 2), "−1.25");
        assert_eq!(signed(2.0, 0), "+2");
    }

    #[test]
    fn values_round_like_the_json_report() {
        assert_eq!(value_attr(0.073_5), "0.0735");
        assert_eq!(value_attr(0.1 + 0.2), "0.3");
        assert_eq!(value_attr(-0.0), "0");
        assert_eq!(value_attr(f64::NAN), "n/a");
        assert_eq!(pct(0.3621), "36.2%");
        assert_eq!(pct(0.0001), "<0.1%");
        assert_eq!(pct(0.0), "0.0%");
    }
}
