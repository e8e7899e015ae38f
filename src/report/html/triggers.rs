//! The triggers section: per trigger, what it is in the journey's words (its event and
//! touchpoints, delay, channel, limit and return), and what it did in the run — firings,
//! returns, customers brought back, conversions after a return and the cost of its
//! messages — for all customers and per segment, the numbers of `simulate --format json`.

use super::{escape, value_attr};
use crate::model::{Journey, TriggerEvent, format_duration};
use crate::report::simulation::{Computed, Unit, thousands};
use crate::sim::Estimate;
use crate::sim::figures::{Figures, TriggerFigures};
use std::fmt::Write;

/// The section's body: one table per trigger, in written order (empty without triggers).
pub fn render(j: &Journey, c: &Computed) -> String {
    let mut out = String::new();
    let f = &c.run.frame;
    let goal = f
        .primary_goal
        .map(|g| format!("<code>{}</code>", escape(&f.goals[g])));
    for (k, tr) in j.triggers.iter().enumerate() {
        let via = &j.channels[tr.via];
        let target = escape(&j.touchpoints[tr.target].label);
        let _ = writeln!(
            out,
            "<h3>{} <code>{}</code></h3>\n<p>{}</p>",
            escape(&tr.label),
            escape(&tr.name),
            describe(j, k)
        );
        let converted = match &goal {
            Some(g) => format!(
                "customers who reached the primary goal {g} after it brought them back, and \
                 their share of those brought back"
            ),
            None => "the journey has no goal: nobody converts".into(),
        };
        let _ = write!(
            out,
            "<div class=\"table-scroll\"><table class=\"triggers\" data-trigger=\"{name}\">\n\
             <caption><b>Firings</b>: messages sent per customer; <b>Returns</b>: customers it \
             brought back to <b>{target}</b>, per customer; <b>Brought back</b>: the share of \
             customers it brought back at least once; <b>Converted after</b>: {converted}; \
             <b>Message cost</b>: per customer, firings × <code>{via_name}</code>'s cost of \
             {cost} per message. Under each figure, its 95% interval.</caption>\n\
             <thead><tr><th scope=\"col\">Customers</th><th scope=\"col\" class=\"num\">Firings\
             </th><th scope=\"col\" class=\"num\">Returns</th><th scope=\"col\" class=\"num\">\
             Brought back</th><th scope=\"col\" class=\"num\">Converted after</th><th \
             scope=\"col\" class=\"num\">Message cost</th></tr></thead>\n<tbody>\n",
            name = escape(&tr.name),
            via_name = escape(&via.name),
            cost = crate::model::figure::money(via.cost),
        );
        out.push_str(&row(
            "All customers",
            None,
            &tr.name,
            &c.all,
            &c.all.triggers[k],
            via.cost,
        ));
        if c.segments.len() > 1 {
            for (seg, x) in f.segments.iter().zip(&c.segments) {
                let head = format!("{} <code>{}</code>", escape(&seg.label), escape(&seg.name));
                out.push_str(&row(
                    &head,
                    Some(&seg.name),
                    &tr.name,
                    x,
                    &x.triggers[k],
                    via.cost,
                ));
            }
        }
        out.push_str("</tbody>\n</table></div>\n");
    }
    out
}

/// What trigger `k` is, as the journey declares it: "When a customer abandons at Cart or
/// Checkout (after a pain point), after 1h a message via `email`, at most once per customer;
/// it brings them back to Cart with a 12% chance."
pub fn describe(j: &Journey, k: usize) -> String {
    let tr = &j.triggers[k];
    let at: Vec<String> = tr
        .at
        .iter()
        .map(|&t| format!("<b>{}</b>", escape(&j.touchpoints[t].label)))
        .collect();
    let at = match at.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    let event = match tr.event {
        TriggerEvent::Abandon => format!("abandons at {at} (after a pain point)"),
        TriggerEvent::Exit => format!("leaves or completes the journey at {at}"),
    };
    let when = if tr.after > 0.0 {
        format!("after {}", format_duration(tr.after))
    } else {
        "at once".into()
    };
    let limit = match tr.limit {
        1 => "at most once per customer".to_string(),
        n => format!("at most {n} times per customer"),
    };
    format!(
        "When a customer {event}, {when} a message via <code>{}</code>, {limit}; it brings \
         them back to <b>{}</b> with a {} chance.",
        escape(&j.channels[tr.via].name),
        escape(&j.touchpoints[tr.target].label),
        crate::model::figure::trimmed(tr.probability * 100.0, 4) + "%",
    )
}

/// One row: a population's figures of one trigger (`segment`: `None` for all customers).
fn row(
    head: &str,
    segment: Option<&str>,
    trigger: &str,
    f: &Figures,
    x: &TriggerFigures,
    cost: f64,
) -> String {
    let mut extra = format!(" data-trigger=\"{}\"", escape(trigger));
    if let Some(s) = segment {
        let _ = write!(extra, " data-segment=\"{}\"", escape(s));
    }
    let mut out = format!("<tr><th scope=\"row\">{head}</th>");
    if f.customers == 0 {
        // A segment without customers: nothing to show (simulate's JSON writes null).
        out.push_str(&"<td class=\"num\">n/a</td>".repeat(5));
        out.push_str("</tr>\n");
        return out;
    }
    let four = |e: &Estimate| {
        (
            format!("{:.4}", e.value),
            format!("{:.4} – {:.4}", e.low.max(0.0), e.high.max(0.0)),
        )
    };
    let percent = |e: &Estimate| {
        (
            Unit::Percent.value(e.value),
            format!(
                "{} – {}",
                Unit::Percent.value(e.low),
                Unit::Percent.value(e.high)
            ),
        )
    };
    out.push_str(&cell("trigger.fired", &extra, &x.firings, four(&x.firings)));
    let _ = write!(
        out,
        "<td class=\"num\" data-figure=\"trigger.returns\"{extra} data-value=\"{}\">{:.4}</td>",
        value_attr(x.returns),
        x.returns
    );
    out.push_str(&cell(
        "trigger.brought_back",
        &extra,
        &x.brought_back,
        percent(&x.brought_back),
    ));
    let share = match x.conversion_after {
        Some(e) => format!(
            "<br><span data-figure=\"trigger.conversion_after\"{extra} data-value=\"{}\" \
             data-low=\"{}\" data-high=\"{}\">{} of those back</span><br><span \
             class=\"ci\">{}</span>",
            value_attr(e.value),
            value_attr(e.low),
            value_attr(e.high),
            escape(&Unit::Percent.value(e.value)),
            escape(&percent(&e).1)
        ),
        None => String::new(),
    };
    let _ = write!(
        out,
        "<td class=\"num\" data-figure=\"trigger.converted_after\"{extra} data-value=\"{}\">{}\
         {share}</td>",
        x.converted_after,
        thousands(x.converted_after)
    );
    let spent = Estimate {
        value: x.firings.value * cost,
        low: x.firings.low * cost,
        high: x.firings.high * cost,
    };
    out.push_str(&cell("trigger.cost", &extra, &spent, four(&spent)));
    out.push_str("</tr>\n");
    out
}

/// A cell carrying a figure like [`super::charts::figure_cell`]'s, its interval on a second
/// line so that the six columns fit a page: `(value, interval)` as shown.
fn cell(figure: &str, extra: &str, e: &Estimate, (value, interval): (String, String)) -> String {
    format!(
        "<td class=\"num\" data-figure=\"{}\"{extra} data-value=\"{}\" data-low=\"{}\" \
         data-high=\"{}\">{}<br><span class=\"ci\">{}</span></td>",
        escape(figure),
        value_attr(e.value),
        value_attr(e.low),
        value_attr(e.high),
        escape(&value),
        escape(&interval)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::html::testing::journey;
    use crate::sim::{Settings, simulate};

    const REMIND: &str = r#"
journey remind {
  channel web digital { cost 0.05 }
  channel email digital { cost 0.25 }
  segment a { share 50%  prefers web  patience 40% }
  segment b { share 50%  prefers web  patience 90% }
  stage s {
    touchpoint cart "Cart & <basket>" on web { entry  friction 50%  -> pay 80%  -> exit }
    touchpoint pay on web { goal paid }
  }
  trigger nudge "Come back" {
    on abandon at cart
    after 2h
    via email
    limit 2
    -> cart 30%
  }
}
"#;

    #[test]
    fn a_trigger_is_described_in_the_journeys_words() {
        let j = journey(REMIND);
        assert_eq!(
            describe(&j, 0),
            "When a customer abandons at <b>Cart &amp; &lt;basket&gt;</b> (after a pain \
             point), after 2h a message via <code>email</code>, at most 2 times per customer; \
             it brings them back to <b>Cart &amp; &lt;basket&gt;</b> with a 30% chance."
        );
    }

    #[test]
    fn the_table_has_a_row_per_population_with_the_runs_figures() {
        let j = journey(REMIND);
        let settings = Settings {
            customers: 4_000,
            seed: 5,
            threads: 1,
            ..Settings::default()
        };
        let run = simulate(&j, &settings, None).expect("simulates");
        let c = Computed::new(&run);
        let html = render(&j, &c);
        // All customers, then a and b.
        assert_eq!(html.matches("<tr><th scope=\"row\">").count(), 3, "{html}");
        let x = &c.all.triggers[0];
        assert!(x.firings.value > 0.0 && x.converted_after > 0);
        let fired = format!(
            "data-figure=\"trigger.fired\" data-trigger=\"nudge\" data-value=\"{}\"",
            value_attr(x.firings.value)
        );
        assert!(html.contains(&fired), "{fired}\n{html}");
        let cost = format!(
            "data-figure=\"trigger.cost\" data-trigger=\"nudge\" data-value=\"{}\"",
            value_attr(x.firings.value * 0.25)
        );
        assert!(html.contains(&cost), "{cost}\n{html}");
        let b = &c.segments[1].triggers[0];
        let back = format!(
            "data-figure=\"trigger.brought_back\" data-trigger=\"nudge\" data-segment=\"b\" \
             data-value=\"{}\"",
            value_attr(b.brought_back.value)
        );
        assert!(html.contains(&back), "{back}\n{html}");
        assert!(html.contains("0.25 per message"), "{html}");
        assert!(html.contains("primary goal <code>paid</code>"), "{html}");
    }
}
