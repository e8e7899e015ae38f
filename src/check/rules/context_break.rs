//! J0402 context-break: a move between channels that do not share context.

use crate::check::{Context, percent};
use crate::diagnostic::Finding;
use crate::model::Target;
use crate::rules::Rule;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Finds written transitions between two touchpoints whose channels do not share context (they
are different channels, not both in the journey's `context` set), and triggers whose message
channel (`via`) does not share context with the channel of the touchpoint it brings customers
back to. Transitions of 0% are ignored, and so are triggers that bring no one back (a 0%
return or `limit 0`). The rule is silent when `context_loss` is 0%: then a switch causes no
pain point.

## Why is this bad?
Every such move is a chance of a pain point (`context_loss`, 30% unless stated): the customer
repeats what they already said, and some of them abandon. A context break on a busy path is
often the cheapest fix on the whole journey map: share the profile between the channels, or
keep the step on one channel.

## Example
```journey
journey demo {
  channel web   digital
  channel phone human
  stage buy {
    touchpoint product on web {
      entry
      -> advice 20%
      -> basket 30%
      -> exit
    }
    touchpoint advice on phone { -> basket 50%  -> exit }
    touchpoint basket on web { goal purchase }
  }
}
```

## Use instead
```journey
journey demo {
  channel web   digital
  channel phone human
  context web, phone
  stage buy {
    touchpoint product on web {
      entry
      -> advice 20%
      -> basket 30%
      -> exit
    }
    touchpoint advice on phone { -> basket 50%  -> exit }
    touchpoint basket on web { goal purchase }
  }
}
```
"#;

/// Reports every written transition and trigger return that crosses a context boundary.
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let j = cx.journey;
    if j.context_loss <= 0.0 {
        return;
    }
    let loss = percent(j.context_loss);
    // The help depends only on the two channels: one text per pair, shared by its findings
    // (a large journey switches channels at most of its transitions).
    let mut helps: crate::fasthash::Map<(usize, usize), std::sync::Arc<str>> = Default::default();
    for tp in &j.touchpoints {
        for (i, arrow) in tp.arrows.iter().enumerate() {
            let Target::Touchpoint(to) = arrow.target else {
                continue;
            };
            let target = &j.touchpoints[to];
            if j.shares_context(tp.channel, target.channel) {
                continue;
            }
            // A transition of 0% for every segment counts as absent.
            if !tp.transitions.iter().flatten().any(|t| t.arrow == i) {
                continue;
            }
            let (a, b) = (
                j.channels[tp.channel].name.as_str(),
                j.channels[target.channel].name.as_str(),
            );
            // One of these per switch of channel, so the texts are concatenated, not formatted.
            out.push(
                Finding::new(
                    Rule::ContextBreak,
                    arrow.span,
                    [
                        "`",
                        &tp.name,
                        "` on `",
                        a,
                        "` → `",
                        &target.name,
                        "` on `",
                        b,
                        "`: the customer's context is lost",
                    ]
                    .concat(),
                )
                .label(["`", a, "` and `", b, "` do not share context"].concat())
                .with(tp.span, ["on `", a, "`"].concat())
                .with(target.span, ["on `", b, "`"].concat())
                .help(
                    helps
                        .entry((tp.channel, target.channel))
                        .or_insert_with(|| {
                            [
                                "if `",
                                a,
                                "` and `",
                                b,
                                "` share one customer profile, list both in `context`; \
                             otherwise each customer here meets a pain point with chance ",
                                &loss,
                            ]
                            .concat()
                            .into()
                        })
                        .clone(),
                ),
            );
        }
    }
    for t in &j.triggers {
        let target = &j.touchpoints[t.target];
        let returns = t.probability > 0.0 && t.limit > 0;
        if !returns || j.shares_context(t.via, target.channel) {
            continue;
        }
        let (a, b) = (&j.channels[t.via].name, &j.channels[target.channel].name);
        out.push(
            Finding::new(
                Rule::ContextBreak,
                t.span,
                format!(
                    "trigger `{}` via `{a}` → `{}` on `{b}`: the customer's context is lost",
                    t.name, target.name
                ),
            )
            .label(format!(
                "the message on `{a}` brings customers back on `{b}`"
            ))
            .with(target.span, format!("on `{b}`"))
            .help(format!(
                "if `{a}` and `{b}` share one customer profile, list both in `context`; \
                 otherwise each returning customer meets a pain point with chance {loss}"
            )),
        );
    }
}
