//! J0103 bad-use: a `use` that is missing, outside the root, cyclic, or names a journey.
//!
//! Found by the loader (`src/model/load.rs`), which refuses a path outside the root before
//! reading anything.

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
