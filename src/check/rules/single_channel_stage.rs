//! J0404 single-channel-stage: a stage served by one channel in a journey of several.

use crate::check::Context;
use crate::diagnostic::Finding;
use crate::rules::Rule;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Finds stages whose touchpoints all use one channel, in a journey whose touchpoints use more
than one. It is informational: many stages are single-channel by design.

## Why is this bad?
A customer who cannot or will not use that channel has no way through the stage. When the
rest of the journey is multichannel, a single-channel stage is worth a conscious decision;
once it is one, allow the rule (`--allow single-channel-stage`, or in `journeyc.toml`).

## Example
```journey
journey demo {
  channel web   digital
  channel store physical
  stage discover {
    touchpoint ad on web {
      entry 60%
      -> basket 40%
      -> exit
    }
    touchpoint window on store {
      entry
      -> basket 40%
      -> exit
    }
  }
  stage buy {
    touchpoint basket on web { goal purchase }
  }
}
```

## Use instead
```journey
journey demo {
  channel web   digital
  channel store physical
  stage discover {
    touchpoint ad on web {
      entry 60%
      -> basket 40%
      -> exit
    }
    touchpoint window on store {
      entry
      -> till 40%
      -> exit
    }
  }
  stage buy {
    touchpoint basket on web { goal purchase }
    touchpoint till on store { goal purchase }
  }
}
```
"#;

/// Reports every non-empty stage served by one channel when the journey uses several.
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let j = cx.journey;
    let Some(first) = j.touchpoints.first() else {
        return;
    };
    if j.touchpoints.iter().all(|t| t.channel == first.channel) {
        return;
    }
    for stage in &j.stages {
        let Some(&head) = stage.touchpoints.first() else {
            continue;
        };
        let channel = j.touchpoints[head].channel;
        if stage
            .touchpoints
            .iter()
            .any(|&tp| j.touchpoints[tp].channel != channel)
        {
            continue;
        }
        let name = &j.channels[channel].name;
        out.push(
            Finding::new(
                Rule::SingleChannelStage,
                stage.span,
                format!("stage `{}` is served by channel `{name}` only", stage.name),
            )
            .label(format!("every touchpoint of this stage is on `{name}`"))
            .help(format!(
                "if customers could take this step on another channel, add a touchpoint on \
                 it; if `{name}` alone is by design, allow the rule (`--allow \
                 single-channel-stage`)"
            )),
        );
    }
}
