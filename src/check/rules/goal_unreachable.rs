//! J0302 goal-unreachable: some segment cannot reach the primary goal.

use crate::check::{Context, segments_phrase};
use crate::diagnostic::Finding;
use crate::rules::Rule;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Checks, for each segment, that some path from an entry (by the segment's transitions and
trigger returns) leads to a touchpoint with the primary goal — the goal `conversion` means
(`primary_goal`, else the first goal written). The message names the segments that cannot.

## Why is this bad?
A segment that cannot reach the primary goal converts at 0% by construction: its
conversion KPIs fail whatever the experience is like. It usually means a transition on the
way is limited with `for` to other segments, or a step is missing.

## Example
```journey
journey demo {
  channel web digital
  segment consumer { share 80% }
  segment business { share 20% }
  stage buy {
    touchpoint home on web {
      entry
      -> basket 50% for consumer
      -> exit
    }
    touchpoint basket on web { goal purchase }
    touchpoint quote on web { goal purchase }
  }
}
```

## Use instead
```journey
journey demo {
  channel web digital
  segment consumer { share 80% }
  segment business { share 20% }
  stage buy {
    touchpoint home on web {
      entry
      -> basket 50% for consumer
      -> quote 30% for business
      -> exit
    }
    touchpoint basket on web { goal purchase }
    touchpoint quote on web { goal purchase }
  }
}
```
"#;

/// Reports the primary goal once, naming every segment that cannot reach it.
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let j = cx.journey;
    let Some(goal) = j.primary_goal.and_then(|g| j.goals.get(g)) else {
        return;
    };
    let blocked: Vec<usize> = (0..j.segments.len())
        .filter(|&s| !goal.touchpoints.iter().any(|&tp| cx.reach[s][tp]))
        .collect();
    if blocked.is_empty() {
        return;
    }
    let implicit = blocked.iter().all(|&s| j.segments[s].implicit);
    let f = if implicit {
        Finding::new(
            Rule::GoalUnreachable,
            goal.span,
            format!(
                "the primary goal `{}` cannot be reached from any entry",
                goal.name
            ),
        )
        .label("no path from an entry leads to this goal")
        .help(format!(
            "add transitions from an entry to a touchpoint with `goal {}`",
            goal.name
        ))
    } else {
        let who = segments_phrase(j, &blocked);
        let mut f = Finding::new(
            Rule::GoalUnreachable,
            goal.span,
            format!("{who} cannot reach the primary goal `{}`", goal.name),
        )
        .label(format!("{who} never gets here"))
        .help(format!(
            "give {who} a path from an entry to `goal {}`: a transition without `for`, or \
             with a `for` naming {}, at each step",
            goal.name,
            if blocked.len() == 1 { "it" } else { "them" }
        ));
        for &s in &blocked {
            f = f.with(j.segments[s].span, "cannot reach the primary goal");
        }
        f
    };
    out.push(f);
}
