//! J0401 channel-gap: a stage a segment reaches offers none of the channels it prefers.

use crate::check::{Context, name_list};
use crate::diagnostic::Finding;
use crate::model::ChannelId;
use crate::rules::Rule;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
For each declared segment with `prefers`, finds the stages it reaches (some touchpoint of
the stage can be reached by the segment's transitions and trigger returns) where no
touchpoint is on one of its preferred channels. The implicit `everyone` segment and
segments without `prefers` are not checked.

## Why is this bad?
A stage that offers none of the channels a segment prefers forces those customers onto a
channel they avoid, at a step of the lifecycle they cannot skip. It is where that segment's
drop-off tends to be highest, and the journey map hides it because every stage looks served.

## Example
```journey
journey demo {
  channel web   digital
  channel store physical
  segment online { share 70%  prefers web }
  segment walkin { share 30%  prefers store }
  stage discover {
    touchpoint ad on web {
      entry 70%
      -> checkout 40%
      -> exit
    }
    touchpoint window on store {
      entry
      -> checkout 40%
      -> exit
    }
  }
  stage buy {
    touchpoint checkout on web { goal purchase }
  }
}
```

## Use instead
```journey
journey demo {
  channel web   digital
  channel store physical
  segment online { share 70%  prefers web }
  segment walkin { share 30%  prefers store }
  stage discover {
    touchpoint ad on web {
      entry 70%
      -> checkout 40%
      -> exit
    }
    touchpoint window on store {
      entry
      -> till 40%
      -> exit
    }
  }
  stage buy {
    touchpoint checkout on web { goal purchase }
    touchpoint till on store { goal purchase }
  }
}
```
"#;

/// Reports each (segment, stage) pair where the stage offers none of the preferred channels.
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let j = cx.journey;
    for (sid, seg) in j.segments.iter().enumerate() {
        if seg.implicit || seg.prefers.is_empty() {
            continue;
        }
        for stage in &j.stages {
            if !stage.touchpoints.iter().any(|&tp| cx.reach[sid][tp]) {
                continue;
            }
            let mut offered: Vec<ChannelId> = stage
                .touchpoints
                .iter()
                .map(|&tp| j.touchpoints[tp].channel)
                .collect();
            offered.sort_unstable();
            offered.dedup();
            if offered.iter().any(|c| seg.prefers.contains(c)) {
                continue;
            }
            let prefers = name_list(seg.prefers.iter().map(|&c| j.channels[c].name.as_str()), 8);
            let here = name_list(offered.iter().map(|&c| j.channels[c].name.as_str()), 8);
            out.push(
                Finding::new(
                    Rule::ChannelGap,
                    stage.span,
                    format!(
                        "stage `{}` offers none of the channels segment `{}` prefers",
                        stage.name, seg.name
                    ),
                )
                .label(format!("only {here} here"))
                .with(seg.span, format!("prefers {prefers}"))
                .help(format!(
                    "add a touchpoint on {}{prefers} to stage `{}`, or check what `{}` prefers",
                    if seg.prefers.len() > 1 { "one of " } else { "" },
                    stage.name,
                    seg.name
                )),
            );
        }
    }
}
