//! The layers of the crate, enforced: a module may import only from layers below its own
//! (docs/architecture.md, "Layers"). The test reads every `src/**/*.rs`, finds each
//! `crate::X` path (in `use` lines and in code, grouped `crate::{X, Y}` included; comments
//! and doc comments are not imports and are skipped) and each `super::` chain that climbs out
//! of its top-level module, and fails naming `file:line` for every import of a higher layer,
//! or of another module of the same layer, unless it is listed below.
//!
//! A file's module is the first component of its path under `src/`: `src/sim/engine.rs` is
//! `sim`, `src/source.rs` is `source`. The layers, lowest first:
//!
//! | layer | modules |
//! | --- | --- |
//! | 0 | `source`, `diagnostic`, `rules` (the rule table), `names` ("did you mean"), `fasthash` |
//! | 1 | `syntax`, `ast` |
//! | 2 | `model`, `fmt`, `generate` |
//! | 3 | `check`, `analyze`, `sim`, `events` |
//! | 4 | `compare`, `diff` |
//! | 5 | `report` |
//! | 6 | `cli`, `main`, `lsp` |
//! | 7 | `lib` |
//!
//! Decisions:
//! - `fmt` prints a syntax tree back as text: it reads `syntax`, `ast` and `source` only, so it
//!   sits at layer 2, beside `model` (which it does not import); only `cli` uses it.
//! - `generate` writes `.journey` text for tests and benchmarks (no library code uses it); it
//!   sits at layer 2 because its own tests resolve what it writes with `model` (listed in
//!   [`SIBLINGS`]), and the tests of `check`, `analyze`, `sim` and `compare` read its text.
//! - `lib.rs` only declares the modules: it is the top.
//! - `analyze::levers` is a folder of `analyze` (it reads the same absorbing chain), so it is
//!   layer 3 here; it imports only `analyze` and `model`.
//! - `ast` and `syntax` share layer 1: `syntax` builds the `ast` (listed in [`SIBLINGS`]).
//! - `diagnostic` and `rules` share layer 0: a finding names its rule, a rule has a default
//!   level, and a finding points at `source` spans (listed in [`SIBLINGS`]).

use std::collections::BTreeSet;
use std::path::Path;

/// The layer of a top-level module, or `None` for a module this test does not know (which
/// fails: a new module must be placed in a layer here and in docs/architecture.md).
fn layer(module: &str) -> Option<u32> {
    Some(match module {
        "source" | "diagnostic" | "rules" | "names" | "fasthash" => 0,
        "syntax" | "ast" => 1,
        "model" | "fmt" | "generate" => 2,
        "check" | "analyze" | "sim" | "events" => 3,
        "compare" | "diff" => 4,
        "report" => 5,
        "cli" | "main" | "lsp" => 6,
        "lib" => 7,
        _ => return None,
    })
}

/// Imports between two modules of one layer that are part of the design: (importer, imported).
const SIBLINGS: &[(&str, &str, &str)] = &[
    ("diagnostic", "rules", "a finding names its rule"),
    ("rules", "diagnostic", "a rule has a default level"),
    (
        "diagnostic",
        "source",
        "a finding points at spans of source files",
    ),
    ("syntax", "ast", "the parser builds the syntax tree"),
    (
        "generate",
        "model",
        "generate's own tests resolve the text it writes",
    ),
    (
        "sim",
        "analyze",
        "a run carries the exact figures of the chain beside its estimates (sim::Run::exact, \
         sim::Analysis), and validate checks their shape",
    ),
    (
        "events",
        "sim",
        "simulate --events walks customers with the simulator's engine",
    ),
    ("cli", "lsp", "`journeyc lsp` starts the language server"),
    (
        "lsp",
        "cli",
        "the server publishes findings as `check` reports them (cli::check::leveled), at the \
         levels of journeyc.toml (cli::config)",
    ),
];

/// Known imports against the layers, by file and imported module. Each one must still be
/// needed: an entry that no longer matches an import fails the test, so the list only shrinks.
const ALLOWED: &[(&str, &str, &str)] = &[];

/// One import of another top-level module.
#[derive(Debug)]
struct Import {
    file: String,
    line: usize,
    from: String,
    to: String,
}

/// The identifier at the start of `s`.
fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first-level names of a group `{a, b::c, d::{e, f}}` starting at `text[0] == '{'`, each
/// with its byte offset in `text`.
fn group(text: &str) -> Vec<(usize, &str)> {
    let mut names = Vec::new();
    let mut depth = 0;
    let mut expect_name = false;
    for (i, c) in text.char_indices() {
        match c {
            '{' => {
                depth += 1;
                expect_name = depth == 1;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => expect_name = true,
            c if expect_name && (c.is_alphanumeric() || c == '_') => {
                names.push((i, ident(&text[i..])));
                expect_name = false;
            }
            _ => {}
        }
    }
    names
}

/// The imports of other top-level modules in one file: `rel` is its path under `src/`.
fn imports(rel: &str, text: &str) -> Vec<Import> {
    let parts: Vec<&str> = rel.split('/').collect();
    let module = parts[0].trim_end_matches(".rs").to_string();
    // How many `super::` leave the file's module: `src/x.rs` and `src/x/mod.rs` are one deep,
    // `src/x/a.rs` two; an inline `mod name {` adds one until its closing brace.
    let file_depth = parts.len() - usize::from(parts.last() == Some(&"mod.rs"));
    // Comments are not imports; keep the line structure so that offsets map to lines.
    let code: String = text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("//") {
                ""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let line_of = |offset: usize| code[..offset].matches('\n').count() + 1;
    let mut out = Vec::new();
    let mut push = |offset: usize, to: &str| {
        if !to.is_empty() && to != module && to != "self" {
            out.push(Import {
                file: format!("src/{rel}"),
                line: line_of(offset),
                from: module.clone(),
                to: to.to_string(),
            });
        }
    };
    for (at, _) in code.match_indices("crate::") {
        if at > 0 {
            let before = code[..at].chars().next_back().unwrap();
            if before.is_alphanumeric() || before == '_' || before == ':' || before == '$' {
                continue; // `$crate::`, `other_crate::`
            }
        }
        let rest = &code[at + "crate::".len()..];
        if rest.starts_with('{') {
            for (_, name) in group(rest) {
                push(at, name);
            }
        } else {
            let name = ident(rest);
            if rest[name.len()..].starts_with('!') {
                // An exported macro: named at the crate root, owned by the module defining it.
                push(at, &format!("{name}!"));
            } else {
                push(at, name);
            }
        }
    }
    // `super::` chains: track inline modules by their indentation (the code is rustfmt'ed).
    let mut inline: Vec<usize> = Vec::new();
    let mut offset = 0;
    for l in code.split('\n') {
        let indent = l.len() - l.trim_start().len();
        let t = l.trim_start();
        if t == "}" && inline.last() == Some(&indent) {
            inline.pop();
        }
        let mut search = 0;
        while let Some(i) = l[search..].find("super::") {
            let start = search + i;
            let prev = l[..start].chars().next_back();
            search = start + "super::".len();
            if prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue; // the middle of a chain already counted
            }
            let mut rest = &l[start..];
            let mut supers = 0;
            while let Some(r) = rest.strip_prefix("super::") {
                supers += 1;
                rest = r;
            }
            if supers >= file_depth + inline.len() {
                if rest.starts_with('{') {
                    for (_, name) in group(rest) {
                        push(offset + start, name);
                    }
                } else {
                    push(offset + start, ident(rest));
                }
            }
        }
        let words: Vec<&str> = t.split_whitespace().collect();
        let opens_mod = words.last() == Some(&"{")
            && words
                .iter()
                .position(|w| *w == "mod")
                .is_some_and(|p| p + 3 == words.len());
        if opens_mod {
            inline.push(indent);
        }
        offset += l.len() + 1;
    }
    out
}

/// Every import between top-level modules in `src/`; a `crate::name!` macro counts as an
/// import of the module that defines it.
fn all_imports(src: &Path) -> Vec<Import> {
    let mut files = Vec::new();
    crate::common::files_under(src, "rs", &mut files);
    let mut out = Vec::new();
    let mut macros = std::collections::HashMap::new();
    for path in files {
        let rel = path
            .strip_prefix(src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&path).unwrap();
        let module = rel.split('/').next().unwrap().trim_end_matches(".rs");
        for (at, _) in text.match_indices("macro_rules! ") {
            let name = ident(&text[at + "macro_rules! ".len()..]);
            macros.insert(format!("{name}!"), module.to_string());
        }
        out.extend(imports(&rel, &text));
    }
    for imp in &mut out {
        if let Some(module) = macros.get(&imp.to) {
            imp.to = module.clone();
        }
    }
    out.retain(|imp| imp.to != imp.from);
    out
}

/// What is wrong with a set of imports: unknown modules, imports against the layers not
/// listed, and listed exceptions no longer needed.
fn problems(imports: &[Import]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut used_allowed = BTreeSet::new();
    let mut used_siblings = BTreeSet::new();
    for imp in imports {
        let (Some(from), Some(to)) = (layer(&imp.from), layer(&imp.to)) else {
            problems.push(format!(
                "{}:{}: `{}` → `{}`: a module with no layer; place it in tests/layers.rs and \
                 docs/architecture.md",
                imp.file, imp.line, imp.from, imp.to
            ));
            continue;
        };
        if to < from {
            continue;
        }
        if to == from
            && let Some(i) = SIBLINGS
                .iter()
                .position(|&(a, b, _)| a == imp.from && b == imp.to)
        {
            used_siblings.insert(i);
            continue;
        }
        if let Some(i) = ALLOWED
            .iter()
            .position(|&(f, m, _)| f == imp.file && m == imp.to)
        {
            used_allowed.insert(i);
            continue;
        }
        let what = if to == from {
            "a module of the same layer"
        } else {
            "a higher layer"
        };
        problems.push(format!(
            "{}:{}: `{}` (layer {from}) imports `{}` ({what}, layer {to})",
            imp.file, imp.line, imp.from, imp.to
        ));
    }
    for (i, (file, module, _)) in ALLOWED.iter().enumerate() {
        if !used_allowed.contains(&i) {
            problems.push(format!(
                "ALLOWED ({file}, {module}) is no longer needed: remove it from tests/layers.rs"
            ));
        }
    }
    for (i, (a, b, _)) in SIBLINGS.iter().enumerate() {
        if !used_siblings.contains(&i) {
            problems.push(format!(
                "SIBLINGS ({a}, {b}) is no longer needed: remove it from tests/layers.rs"
            ));
        }
    }
    problems
}

#[test]
fn every_module_imports_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let imports = all_imports(&src);
    assert!(imports.len() > 100, "the scan found the imports");
    let problems = problems(&imports);
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn the_scan_sees_every_form_of_import() {
    let text = "\
//! [`crate::report`] in a doc comment is no import.
use crate::model::Journey;
use crate::{report, sim::Run};
use super::check;

fn f() -> crate::analyze::Figures {
    $crate::cli::x();
}

#[cfg(test)]
mod tests {
    use super::*;
    use super::super::diff;
}
";
    let found: Vec<(usize, String)> = imports("source.rs", text)
        .into_iter()
        .map(|i| (i.line, i.to))
        .collect();
    let want = [
        (2, "model"),
        (3, "report"),
        (3, "sim"),
        (6, "analyze"),
        (4, "check"),
        (13, "diff"),
    ];
    let mut got = found.clone();
    got.sort();
    let mut want: Vec<(usize, String)> = want.iter().map(|&(l, m)| (l, m.to_string())).collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn a_planted_violation_fails_and_names_its_line() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut imports = all_imports(&src);
    imports.extend(imports_of_planted());
    let problems = problems(&imports);
    assert_eq!(
        problems,
        ["src/model/planted.rs:3: `model` (layer 2) imports `report` (a higher layer, layer 5)"]
    );
}

#[test]
fn an_exception_no_longer_needed_fails() {
    let problems = problems(&[]);
    assert_eq!(
        problems.len(),
        ALLOWED.len() + SIBLINGS.len(),
        "{problems:?}"
    );
    // Every listed exception is reported unneeded when no import uses it.
    assert!(
        problems.iter().all(|p| p.contains("is no longer needed")),
        "{problems:?}"
    );
}

/// A model file importing the report layer.
fn imports_of_planted() -> Vec<Import> {
    imports(
        "model/planted.rs",
        "//! Planted.\n\nuse crate::report::human;\n",
    )
}
