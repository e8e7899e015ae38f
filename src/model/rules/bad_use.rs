//! J0103 bad-use: a `use` that is missing, outside the root, cyclic, or names a journey.
//!
//! The loader (`src/model/load.rs`) decides, before reading anything, whether a `use` may be
//! followed, and reports why not through these, each pointed at the `use`'s path (`span`).

use crate::diagnostic::Finding;
use crate::rules::Rule;
use crate::source::Span;
use std::path::Path;

/// How to fix a `use` the loader could not follow.
const CHECK_PATH: &str = "check the path: it is relative to the file that has the `use`";

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Reports a `use "path"` that cannot be followed: the file does not exist or cannot be read,
the path leads outside the root directory (`--root`, by default the current directory —
also through a symbolic link), the `use` lines form a cycle (the message shows the chain),
or the used file holds a journey instead of library items.

## Why is this bad?
The channels, segments and contexts of a missing library are unknown, so every reference to
them fails too. Paths outside the root are refused without reading them, so that checking
a repository never reads files elsewhere on the machine; cycles have no order in which the
libraries could be read.

## Example
```journey
use "chanels.journey"

journey demo {
  stage visit {
    touchpoint home on web {
      entry
      -> exit
    }
  }
}
```

## Use instead
```journey
use "channels.journey"

journey demo {
  stage visit {
    touchpoint home on web {
      entry
      -> exit
    }
  }
}
```
(`channels.journey`, next to it, holds `channel web digital`.)
"#;

fn refuse(span: Span, message: String, label: &str, help: impl Into<String>) -> Finding {
    Finding::new(Rule::BadUse, span, message)
        .label(label)
        .help(Into::<String>::into(help))
}

/// `use "written"` leads outside `root`, as written or (`through_link`) once links are
/// followed.
pub(crate) fn outside(span: Span, written: &str, through_link: bool, root: &Path) -> Finding {
    refuse(
        span,
        if through_link {
            format!("`use \"{written}\"` leads outside the root directory through a link")
        } else {
            format!("`use \"{written}\"` points outside the root directory")
        },
        "outside the root",
        format!(
            "libraries must be inside `{}`; move the library, or run with `--root` naming a directory that contains it",
            root.display()
        ),
    )
}

/// The library `shown` does not exist or cannot be opened, for `reason`.
pub(crate) fn missing(span: Span, shown: &str, reason: &str) -> Finding {
    refuse(
        span,
        format!("cannot read `{shown}`: {reason}"),
        "missing library",
        CHECK_PATH,
    )
}

/// The library was found but reading it failed (`error` says why and which file).
pub(crate) fn unreadable(span: Span, error: String) -> Finding {
    refuse(span, error, "cannot be read", CHECK_PATH)
}

/// The `use` leads back to a file being loaded: `chain` is the files from that one to this.
pub(crate) fn cycle(span: Span, chain: &[&str]) -> Finding {
    refuse(
        span,
        format!("`use` cycle: {}", chain.join(" → ")),
        "this `use` closes the cycle",
        "libraries may use other libraries, but never one that leads back here",
    )
}

/// The used file `shown` declares a journey (at `journey`), not a library.
pub(crate) fn holds_journey(span: Span, shown: &str, journey: Span) -> Finding {
    refuse(
        span,
        format!("`{shown}` holds a journey; only libraries can be used"),
        "not a library",
        "move the shared channels, segments and contexts into a library file and use that",
    )
    .with(journey, "the journey in the used file")
}
