//! J0001 syntax: anything that does not parse.
//!
//! Found by the parser (`src/syntax/error.rs` words pest's error: what was found, what was
//! expected), and by the resolver for items that parse but are incomplete: a new channel
//! without a kind, a trigger without `on`, `via` or `->` (`src/model/resolve.rs`).

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Reports text that does not follow the journey grammar: the message names what was found and
says, in words, what was expected there. Items that parse but miss a required part (a
`channel` without its kind, a `trigger` without `on`, `via` or `->`) are reported too.

## Why is this bad?
A file that does not parse has no model: nothing else can be checked, simulated or
analysed until it is fixed. Only the first syntax error of a file is reported, because
everything after it may be read differently once it is fixed.

## Example
```journey
journey demo {
  channel web digital
  stage visit {
    touchpoint home web {
      entry
      -> exit
    }
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
      -> exit
    }
  }
}
```
"#;
