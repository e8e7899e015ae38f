//! J0403 unused-channel: a channel of the journey's own file that nothing uses.

use crate::check::Context;
use crate::diagnostic::Finding;
use crate::rules::Rule;

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Finds channels declared in the journey's file that no touchpoint is `on` and no trigger goes
`via`. Channels that come from a used library are not checked: a library is shared, and a
journey need not use every channel of it.

## Why is this bad?
An unused channel is usually a leftover of a removed touchpoint or a misspelt `on`. It also
misleads readers of the journey map into thinking the journey is served on that channel.

## Example
```journey
journey demo {
  channel web   digital
  channel email digital
  stage visit {
    touchpoint home on web {
      entry
      -> signup 40%
      -> exit
    }
    touchpoint signup on web { goal signed_up }
  }
}
```

## Use instead
```journey
journey demo {
  channel web digital
  stage visit {
    touchpoint home on web {
      entry
      -> signup 40%
      -> exit
    }
    touchpoint signup on web { goal signed_up }
  }
}
```
"#;

/// Reports every unused channel declared in the journey's own file.
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let j = cx.journey;
    let mut used = vec![false; j.channels.len()];
    for tp in &j.touchpoints {
        used[tp.channel] = true;
    }
    for t in &j.triggers {
        used[t.via] = true;
    }
    for (c, channel) in j.channels.iter().enumerate() {
        if used[c] || channel.span.file != j.span.file {
            continue;
        }
        out.push(
            Finding::new(
                Rule::UnusedChannel,
                channel.span,
                format!("channel `{}` is not used", channel.name),
            )
            .label("no touchpoint is on it and no trigger goes via it")
            .help(format!(
                "remove it, or use it with `on {0}` in a touchpoint or `via {0}` in a trigger",
                channel.name
            )),
        );
    }
}
