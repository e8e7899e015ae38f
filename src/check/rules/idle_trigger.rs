//! J0501 idle-trigger: a trigger whose event can never happen at the touchpoints it watches.

use crate::check::{Context, joined};
use crate::diagnostic::Finding;
use crate::model::{Journey, Target, Trigger, TriggerEvent};
use crate::rules::Rule;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Finds triggers none of whose watched touchpoints can end the way the trigger's event needs:
- `on abandon at`: customers abandon only after a pain point, so some watched touchpoint
  needs `friction` above 0% or an arrival across a context break (from a touchpoint, or by a
  trigger's message, on a channel that does not share context, while `context_loss` is above
  0%), and some segment needs a `patience` below 100%;
- `on exit at`: some watched touchpoint needs an `-> exit` transition, or no transitions at
  all (completing there counts as an exit).

## Why is this bad?
An idle trigger never fires: the recovery it models (a reminder, a callback) adds nothing to
the simulation, and the journey map promises a safety net that is not there. Usually the
trigger watches the wrong touchpoints, or uses the wrong event.

## Example
```journey
journey demo {
  channel web   digital
  channel email digital
  context web, email
  stage buy {
    touchpoint basket on web {
      entry
      -> pay 60%
      -> exit
    }
    touchpoint pay on web { goal purchase }
  }
  trigger reminder {
    on abandon at basket
    after 1h
    via email
    -> basket 10%
  }
}
```

## Use instead
```journey
journey demo {
  channel web   digital
  channel email digital
  context web, email
  stage buy {
    touchpoint basket on web {
      entry
      -> pay 60%
      -> exit
    }
    touchpoint pay on web { goal purchase }
  }
  trigger reminder {
    on exit at basket
    after 1h
    via email
    -> basket 10%
  }
}
```
"#;

/// Reports every trigger that can never fire, with the reason.
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let j = cx.journey;
    let impatient = j.segments.iter().any(|s| s.patience < 1.0);
    let mut broken = transition_breaks(j);
    // A trigger's message can cause the context-loss pain that another trigger waits for, so
    // triggers become active in rounds until nothing changes (a chain needs one round each).
    let mut active = vec![false; j.triggers.len()];
    let mut changed = true;
    while changed {
        changed = false;
        for (i, t) in j.triggers.iter().enumerate() {
            if active[i] || !can_fire(j, t, &broken, impatient) {
                continue;
            }
            active[i] = true;
            changed = true;
            let crosses = !j.shares_context(t.via, j.touchpoints[t.target].channel);
            if crosses && j.context_loss > 0.0 && t.probability > 0.0 && t.limit > 0 {
                broken[t.target] = true;
            }
        }
    }
    for (t, _) in j.triggers.iter().zip(&active).filter(|(_, a)| !**a) {
        let watched = joined(
            t.at.iter().map(|&tp| j.touchpoints[tp].name.as_str()),
            8,
            "or",
        );
        let f = match t.event {
            TriggerEvent::Abandon
                if t.at
                    .iter()
                    .any(|&tp| rubs(&j.touchpoints[tp]) || broken[tp]) =>
            {
                Finding::new(
                    Rule::IdleTrigger,
                    t.on_span,
                    format!(
                        "trigger `{}` never fires: every segment's patience is 100%, so no one \
                         abandons",
                        t.name
                    ),
                )
                .label("no one abandons anywhere")
                .help("lower the `patience` of a segment, or remove the trigger")
            }
            TriggerEvent::Abandon => Finding::new(
                Rule::IdleTrigger,
                t.on_span,
                format!(
                    "trigger `{}` never fires: no one can abandon at {watched}",
                    t.name
                ),
            )
            .label(format!("no friction and no context break at {watched}"))
            .help(
                "customers abandon only after a pain point: watch a touchpoint with `friction` \
                 (or reached across a context break), or add `friction` where this trigger \
                 watches",
            ),
            TriggerEvent::Exit => Finding::new(
                Rule::IdleTrigger,
                t.on_span,
                format!(
                    "trigger `{}` never fires: no one leaves or completes at {watched}",
                    t.name
                ),
            )
            .label(format!(
                "every transition of {watched} leads to a touchpoint: no `-> exit`, no end"
            ))
            .help(
                "watch a touchpoint with `-> exit` or without transitions, or use `on abandon \
                 at` if customers drop out here after a pain point",
            ),
        };
        out.push(f);
    }
}

/// True when the trigger's event can happen at one of its touchpoints.
fn can_fire(j: &Journey, t: &Trigger, broken: &[bool], impatient: bool) -> bool {
    match t.event {
        TriggerEvent::Abandon => {
            impatient
                && t.at
                    .iter()
                    .any(|&tp| j.touchpoints[tp].friction > 0.0 || broken[tp])
        }
        TriggerEvent::Exit => t.at.iter().any(|&tp| {
            let tp = &j.touchpoints[tp];
            tp.is_terminal()
                || tp
                    .transitions
                    .iter()
                    .flatten()
                    .any(|x| x.target == Target::Exit)
        }),
    }
}

/// `broken[tp]`: a transition brings customers to `tp` across a context break, and
/// `context_loss` is above 0.
fn transition_breaks(j: &Journey) -> Vec<bool> {
    let mut broken = vec![false; j.touchpoints.len()];
    if j.context_loss <= 0.0 {
        return broken;
    }
    for tp in &j.touchpoints {
        for t in tp.transitions.iter().flatten() {
            if let Target::Touchpoint(to) = t.target {
                if !j.shares_context(tp.channel, j.touchpoints[to].channel) {
                    broken[to] = true;
                }
            }
        }
    }
    broken
}

/// Some segment meets a pain point from friction at `tp` (LANGUAGE-2.md §1: friction may
/// differ by segment).
fn rubs(tp: &crate::model::Touchpoint) -> bool {
    tp.friction > 0.0 || tp.by_segment.iter().any(|v| v.friction > 0.0)
}
