//! `fmt` properties on every sample and fixture: idempotent, same syntax tree (spans aside),
//! same model, every comment kept in order; snapshots of the formatted files; and the same
//! properties on thousands of re-spaced, re-commented variants of the samples.

use journeyc::fmt::format_source;
use journeyc::model::{self, Options};
use journeyc::source::FileId;
use journeyc::syntax;
use std::path::{Path, PathBuf};

fn format(text: &str) -> String {
    match format_source(text) {
        Ok(out) => out,
        Err(f) => panic!("did not format: {}", f.message),
    }
}

/// The syntax tree with every span blanked: what must not change.
fn tree(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let ast = syntax::parse(FileId(0), text).expect("parses");
    let debug = format!("{ast:#?}");
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(i) = rest.find("Span {") {
        out.push_str(&rest[..i]);
        out.push_str("Span");
        let close = rest[i..].find('}').expect("a span closes");
        rest = &rest[i + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The comments of a text, in order, without trailing blanks (an independent scan from the
/// formatter's: `#` outside a label to the end of the line).
fn comments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut in_label = false;
    while let Some(c) = chars.next() {
        if in_label {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_label = false,
                _ => {}
            }
        } else if c == '"' {
            in_label = true;
        } else if c == '#' {
            let mut comment = String::from("#");
            while let Some(&n) = chars.peek() {
                if n == '\n' {
                    break;
                }
                comment.push(n);
                chars.next();
            }
            out.push(comment.trim_end().to_string());
        }
    }
    out
}

/// What the resolver makes of a text: the model (and each scenario's) as JSON, or the findings.
fn model_of(path: &Path, root: &Path, text: &str) -> Vec<String> {
    let options = Options {
        root: Some(root.to_path_buf()),
        scenario: None,
    };
    let compiled = model::resolve_source(path, text, &options).expect("resolves");
    let mut out: Vec<String> = compiled
        .findings
        .iter()
        .map(|f| format!("{} {}", f.rule.code(), f.message))
        .collect();
    if let Some(j) = &compiled.journey {
        out.push(model::emit_json(j));
    }
    for name in compiled.scenario_names() {
        let (journey, findings) = compiled.scenario(&name).expect("the scenario exists");
        out.extend(
            findings
                .iter()
                .map(|f| format!("{} {}", f.rule.code(), f.message)),
        );
        out.extend(journey.as_ref().map(model::emit_json));
    }
    out
}

/// Every property of one formatted file.
fn check_properties(path: &Path, root: &Path, text: &str) -> String {
    let out = format(text);
    assert_eq!(format(&out), out, "{}: not idempotent", path.display());
    assert_eq!(
        tree(&out),
        tree(text),
        "{}: the tree changed",
        path.display()
    );
    assert_eq!(
        comments(&out),
        comments(text),
        "{}: comments changed",
        path.display()
    );
    assert_eq!(
        model_of(path, root, &out),
        model_of(path, root, text),
        "{}: the model changed",
        path.display()
    );
    assert!(out.is_empty() || (out.ends_with('\n') && !out.ends_with("\n\n")));
    assert!(!out.contains('\r') || text.contains('\r'));
    assert!(out.lines().all(|l| l == l.trim_end()), "trailing blanks");
    out
}

fn files(dir: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the folder exists")
        .map(|e| e.expect("listable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "journey"))
        .collect();
    out.sort();
    out
}

#[test]
fn every_sample_keeps_its_tree_model_and_comments() {
    let samples = files("examples");
    assert!(samples.len() >= 4);
    for path in samples {
        let text = std::fs::read_to_string(&path).expect("readable");
        let out = check_properties(&path, Path::new("examples"), &text);
        // The onboarding sample's `use` resolved: its model is a journey, not findings.
        if path.ends_with("onboarding.journey") {
            let model = model_of(&path, Path::new("examples"), &out);
            assert!(model.iter().any(|m| m.starts_with('{')), "{model:?}");
        }
    }
}

#[test]
fn every_fixture_keeps_its_tree_model_and_comments() {
    let fixtures = files("tests/fixtures/fmt");
    assert!(fixtures.len() >= 3);
    for path in fixtures {
        let text = std::fs::read_to_string(&path).expect("readable");
        check_properties(&path, Path::new("tests/fixtures/fmt"), &text);
    }
}

#[test]
fn formatted_samples() {
    insta::glob!("../examples", "*.journey", |path| {
        let text = std::fs::read_to_string(path).expect("readable");
        insta::assert_snapshot!(format(&text));
    });
}

#[test]
fn formatted_fixtures() {
    insta::glob!("fixtures/fmt", "*.journey", |path| {
        let text = std::fs::read_to_string(path).expect("readable");
        insta::assert_snapshot!(format(&text));
    });
}

/// A small deterministic generator (xorshift): the variants are the same on every run.
struct Gen(u64);

impl Gen {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// The text as tokens: labels, comments and runs of other non-blank characters.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut tok = String::new();
        if c == '"' {
            tok.push(c);
            chars.next();
            while let Some(n) = chars.next() {
                tok.push(n);
                if n == '\\' {
                    tok.extend(chars.next());
                } else if n == '"' {
                    break;
                }
            }
        } else if c == '#' {
            while let Some(&n) = chars.peek().filter(|&&n| n != '\n') {
                tok.push(n);
                chars.next();
            }
        } else {
            while let Some(&n) = chars
                .peek()
                .filter(|&&n| !n.is_whitespace() && n != '"' && n != '#')
            {
                tok.push(n);
                chars.next();
            }
        }
        out.push(tok);
    }
    out
}

/// The same tokens with other blanks between them and new comments in some gaps.
fn respace(tokens: &[String], g: &mut Gen) -> String {
    const SEPARATORS: [&str; 8] = [" ", "  ", "\n", "\n\n", "\n\n\n  ", "\t", "\r\n", " \n \n "];
    const NEWLINES: [&str; 4] = ["\n", "\r\n", "\n\n", "\n    \n"];
    const COMMENTS: [&str; 4] = ["# n", "#\"q\" # x", "#", "# é {} -> \\"];
    let mut out = String::new();
    let mut after_comment = false;
    for (i, tok) in tokens.iter().enumerate() {
        if i > 0 || g.below(4) == 0 {
            let set: &[&str] = if after_comment {
                &NEWLINES
            } else {
                &SEPARATORS
            };
            out.push_str(set[g.below(set.len())]);
        }
        if g.below(8) == 0 {
            out.push_str(COMMENTS[g.below(COMMENTS.len())]);
            out.push_str(NEWLINES[g.below(NEWLINES.len())]);
        }
        out.push_str(tok);
        after_comment = tok.starts_with('#');
    }
    if g.below(2) == 0 {
        out.push_str(SEPARATORS[g.below(SEPARATORS.len())]);
    }
    out
}

#[test]
fn respaced_and_commented_samples_keep_every_property() {
    let mut g = Gen(0x9E37_79B9_7F4A_7C15);
    let mut paths = files("examples");
    paths.extend(files("tests/fixtures/fmt"));
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("readable");
        let toks = tokens(&text);
        let expected_tree = tree(&text);
        for _ in 0..150 {
            let variant = respace(&toks, &mut g);
            let out = format(&variant);
            assert_eq!(format(&out), out, "not idempotent on:\n{variant}");
            assert_eq!(tree(&out), expected_tree, "tree changed on:\n{variant}");
            assert_eq!(
                comments(&out),
                comments(&variant),
                "comments on:\n{variant}"
            );
        }
    }
}

/// Random edits at byte level; the variants that still parse must keep every property. They
/// reach spellings the re-spacing cannot: tokens touching (`->exit`, `entry#c`), comments
/// cutting labels, blanks removed.
#[test]
fn mutated_samples_that_still_parse_keep_every_property() {
    const INSERTS: [&str; 12] = [
        " ", "\n", "#", "# x\n", "\"", "{", "}", "\r\n", "\t", ",", "\n\n\n", "-> exit ",
    ];
    let mut g = Gen(0x2545_F491_4F6C_DD1D);
    let mut parsed = 0;
    for path in files("examples") {
        let text = std::fs::read_to_string(&path).expect("readable");
        for _ in 0..400 {
            let mut variant = text.clone();
            for _ in 0..1 + g.below(3) {
                let mut at = g.below(variant.len() + 1);
                while !variant.is_char_boundary(at) {
                    at -= 1;
                }
                if g.below(2) == 0 {
                    let mut end = (at + 1 + g.below(3)).min(variant.len());
                    while !variant.is_char_boundary(end) {
                        end += 1;
                    }
                    variant.replace_range(at..end, "");
                } else {
                    variant.insert_str(at, INSERTS[g.below(INSERTS.len())]);
                }
            }
            let Ok(out) = format_source(&variant) else {
                continue;
            };
            parsed += 1;
            assert_eq!(format(&out), out, "not idempotent on:\n{variant}");
            assert_eq!(tree(&out), tree(&variant), "tree changed on:\n{variant}");
            assert_eq!(
                comments(&out),
                comments(&variant),
                "comments on:\n{variant}"
            );
        }
    }
    // Enough variants parse for the test to mean something.
    assert!(parsed > 200, "only {parsed} variants parsed");
}
