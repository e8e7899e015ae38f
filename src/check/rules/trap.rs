//! J0303 trap: touchpoints customers can enter and never leave by a transition.

use crate::check::{Context, graph, joined, segments_phrase};
use crate::diagnostic::Finding;
use crate::fasthash::Map as HashMap;
use crate::model::{Target, TouchpointId};
use crate::rules::Rule;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Finds groups of touchpoints whose transitions lead only to each other: no `-> exit` among
them and no touchpoint without transitions (where a journey completes). Each segment's
transitions are checked (trigger returns do not count: a trigger needs the journey to end
first), and a trap is reported once, naming its touchpoints, whether customers reach it or
not. A single touchpoint whose only transition leads back to itself is a trap.

## Why is this bad?
A customer who enters a trap can never leave by a transition, whatever friction does:
friction makes some of them abandon, and the others circle until `max_steps` ends their
journey as stuck. Simulated figures then count visits that no real customer would make, and
the exact analysis has no way out of those states.

## Example
```journey
journey demo {
  channel web digital
  stage help {
    touchpoint faq on web {
      entry
      -> contact 30%
      -> solved
    }
    touchpoint contact on web { -> callback }
    touchpoint callback on web { -> contact }
    touchpoint solved on web { goal solved }
  }
}
```

## Use instead
```journey
journey demo {
  channel web digital
  stage help {
    touchpoint faq on web {
      entry
      -> contact 30%
      -> solved
    }
    touchpoint contact on web { -> callback }
    touchpoint callback on web {
      -> solved 60%
      -> contact
    }
    touchpoint solved on web { goal solved }
  }
}
```
"#;

/// Reports each bottom component with no way out, once, with the segments that have it.
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let j = cx.journey;
    let mut traps: Vec<(Vec<TouchpointId>, Vec<usize>)> = Vec::new();
    let mut index: HashMap<Vec<TouchpointId>, usize> = HashMap::default();
    for seg in 0..j.segments.len() {
        let g = graph::segment_graph(j, seg, false);
        for comp in graph::bottom_components(&g) {
            let way_out = comp.iter().any(|&tp| {
                let ts = j.touchpoints[tp]
                    .transitions
                    .get(seg)
                    .map_or(&[][..], Vec::as_slice);
                ts.is_empty() || ts.iter().any(|t| t.target == Target::Exit)
            });
            if way_out {
                continue;
            }
            match index.get(&comp) {
                Some(&i) => traps[i].1.push(seg),
                None => {
                    index.insert(comp.clone(), traps.len());
                    traps.push((comp, vec![seg]));
                }
            }
        }
    }
    for (comp, segs) in traps {
        let who = if segs.len() == j.segments.len() {
            String::new()
        } else {
            format!(" ({})", segments_phrase(j, &segs))
        };
        let first = &j.touchpoints[comp[0]];
        let (message, label, help) = if comp.len() == 1 {
            (
                format!(
                    "trap: `{}` leads only back to itself; customers who reach it never leave{who}",
                    first.name
                ),
                "its only transition leads back here",
                format!(
                    "add `-> exit`, or a transition to another touchpoint, to `{}`",
                    first.name
                ),
            )
        } else {
            let names = joined(
                comp.iter().map(|&t| j.touchpoints[t].name.as_str()),
                8,
                "and",
            );
            (
                format!(
                    "trap: {names} lead only to each other; customers who reach them never \
                     leave{who}"
                ),
                "no transition leads out of this loop",
                "add `-> exit`, or a transition to a touchpoint outside the loop, to one of them"
                    .to_string(),
            )
        };
        let mut f = Finding::new(Rule::Trap, first.span, message)
            .label(label)
            .help(help);
        for &tp in comp.iter().skip(1).take(7) {
            f = f.with(j.touchpoints[tp].span, "part of the same loop");
        }
        out.push(f);
    }
}
