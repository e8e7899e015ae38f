//! The tree-sitter grammar of `editors/tree-sitter-journey/` against the reference parser:
//! a file has a syntax error for `journeyc::syntax::parse` (J0001) exactly when tree-sitter's
//! tree of it has an ERROR or MISSING node. Checked on every sample journey, every fixture,
//! the grammar's own test corpus and thousands of files mutated from them with a fixed seed;
//! the corpus trees; every query compiling and capturing on a sample.
//!
//! These run in-process on the grammar's Rust binding (`editors/tree-sitter-journey/bindings/
//! rust`, the committed `src/parser.c` compiled by its build script) and the `tree-sitter`
//! crate, so they need no CLI and run in `cargo test`. Two need the tree-sitter CLI on `PATH`
//! and are `#[ignore]`d, because installing it (`cargo install --locked tree-sitter-cli`, 5.6
//! minutes of CPU) does not fit in `.ci/run`'s time (docs/testing.md): the highlight assertions
//! of `tree-sitter test`, and the committed `src/parser.c` being what `grammar.js` generates. Run
//! them with `cargo test --test integration tree_sitter:: -- --ignored`; they fail without it.
//!
//! One difference is left out, with its reason: a number too large for an `f64` (over 308
//! digits) is refused by journeyc's lowering ("the number … is too large", also J0001), which
//! a grammar cannot count; tree-sitter accepts it.

use crate::common::files_under;
use journeyc::source::FileId;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The tree-sitter CLI compiles the parser into one shared cache: one command at a time.
static CLI: Mutex<()> = Mutex::new(());

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn grammar_dir() -> PathBuf {
    root().join("editors/tree-sitter-journey")
}

/// Runs `tree-sitter ARGS` in `dir`: (success, stdout, stderr).
fn tree_sitter(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let _one = CLI.lock().unwrap_or_else(|e| e.into_inner());
    let out = Command::new("tree-sitter")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run the tree-sitter CLI ({e}): install it with \
                 `cargo install --locked tree-sitter-cli` (see docs/editors.md)"
            )
        });
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Pest's verdict: `Err(message)` for a syntax error (every error of `syntax::parse` is J0001),
/// on the text as journeyc reads a file: without a leading byte-order mark, which
/// `SourceFile::new` drops before parsing and tree-sitter's lexer skips too.
fn pest(text: &str) -> Result<(), String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    journeyc::syntax::parse(FileId(0), text)
        .map(|_| ())
        .map_err(|f| f.message)
}

/// The reason a file is left out of the comparison, if it is.
fn excluded(pest_verdict: &Result<(), String>) -> Option<&'static str> {
    match pest_verdict {
        Err(m) if m.contains("is too large") => {
            Some("a number beyond f64 is refused by the lowering, not by the grammar")
        }
        _ => None,
    }
}

/// A test of the grammar's corpus (`test/corpus/*.txt`).
struct CorpusCase {
    name: String,
    input: String,
    /// `:error`: the tree must have an ERROR or MISSING node, and no tree is written.
    error: bool,
    /// The tree written after `---`.
    expected: String,
}

fn corpus_cases() -> Vec<CorpusCase> {
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(grammar_dir().join("test/corpus"))
        .expect("the grammar's test corpus")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.split('\n').collect();
        let mut i = 0;
        while i < lines.len() {
            if !lines[i].starts_with("===") {
                i += 1;
                continue;
            }
            let name = lines[i + 1].to_string();
            let mut j = i + 2;
            let mut error = false;
            while !lines[j].starts_with("===") {
                error |= lines[j].trim() == ":error";
                j += 1;
            }
            let start = j + 1;
            let mut end = start;
            while lines[end] != "---" {
                end += 1;
            }
            // tree-sitter drops the blank line after the header and before `---`.
            let mut input = lines[start..end].join("\n");
            if let Some(rest) = input.strip_prefix('\n') {
                input = rest.to_string();
            }
            let input = input.trim_end_matches('\n').to_string();
            let mut next = end + 1;
            while next < lines.len() && !lines[next].starts_with("===") {
                next += 1;
            }
            out.push(CorpusCase {
                name: format!("{}: {name}", f.display()),
                input,
                error,
                expected: lines[end + 1..next].join("\n"),
            });
            i = next;
        }
    }
    out
}

/// The inputs of the grammar's corpus tests: (name, input, `:error` or not).
fn corpus_inputs() -> Vec<(String, String, bool)> {
    corpus_cases()
        .into_iter()
        .map(|c| (c.name, c.input, c.error))
        .collect()
}

/// Sample journeys (examples/, shared/journeys/ when it is beside the repository) and every
/// fixture: (name, text).
fn seed_files() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    files_under(&root().join("examples"), "journey", &mut paths);
    files_under(&root().join("../shared/journeys"), "journey", &mut paths);
    files_under(&root().join("tests/fixtures"), "journey", &mut paths);
    files_under(&grammar_dir().join("test/highlight"), "journey", &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?; // non-UTF-8 fixtures: not text
            Some((
                p.strip_prefix(root()).unwrap_or(&p).display().to_string(),
                text,
            ))
        })
        .collect()
}

/// SplitMix64: the mutations are the same on every run.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// What a mutation may insert: tokens of the language and characters that border them.
const PIECES: [&str; 45] = [
    "journey",
    "stage",
    "touchpoint",
    "option",
    "on",
    "entry",
    "goal",
    "exit",
    "as_is",
    "->",
    "..",
    "{",
    "}",
    "(",
    ")",
    ",",
    ":",
    "\"",
    "#",
    "%",
    "for",
    "pain",
    "value",
    "after",
    ">=",
    "<",
    "5",
    "-2",
    "+1.5",
    "30%",
    "2m",
    "1.",
    "x",
    "_",
    " ",
    "\n",
    "\r",
    "\t",
    "\u{a0}",
    "é",
    "\\",
    "\\\"",
    "use \"l.journey\"",
    "context",
    "\u{feff}",
];

/// The byte ranges of a text's tokens: names and numbers (with their unit), a label, a
/// comment, or one other character.
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'%';
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            c if word(c) || c == b'+' || (c == b'-' && b.get(i + 1) != Some(&b'>')) => {
                i += 1;
                while i < b.len() && word(b[i]) {
                    i += 1;
                }
            }
            b'-' => i += 2,
            _ => {
                i += 1;
                while !text.is_char_boundary(i) {
                    i += 1;
                }
            }
        }
        out.push((start, i.min(b.len())));
    }
    out
}

fn boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One to three edits: delete, duplicate or replace a token, join it to the next, insert a
/// piece, delete or insert one character, swap two lines, or cut the file short.
fn mutate(text: &str, rng: &mut Mix) -> String {
    let mut t = text.to_string();
    for _ in 0..1 + rng.below(3) {
        let toks = tokens(&t);
        let (a, b) = if toks.is_empty() {
            (0, 0)
        } else {
            toks[rng.below(toks.len())]
        };
        match rng.below(10) {
            0 => t.replace_range(a..b, ""),
            9 => {
                // Join a token to the next one: what the look-ahead after keywords and numbers
                // (`5for`, `goalvalue`) decides.
                let next = toks.iter().find(|&&(s, _)| s >= b).map_or(b, |&(s, _)| s);
                t.replace_range(b..next, "");
            }
            1 => {
                let piece = t[a..b].to_string();
                let sep = if rng.below(2) == 0 { " " } else { "" };
                t.insert_str(b, &format!("{sep}{piece}"));
            }
            2 => t.replace_range(a..b, PIECES[rng.below(PIECES.len())]),
            3 => {
                let at = boundary(&t, rng.below(t.len() + 1));
                t.insert_str(at, PIECES[rng.below(PIECES.len())]);
            }
            4 => {
                // Delete one character.
                let at = boundary(&t, rng.below(t.len() + 1));
                if let Some(c) = t[at..].chars().next() {
                    t.replace_range(at..at + c.len_utf8(), "");
                }
            }
            5 => {
                // Insert one printable ASCII character.
                let at = boundary(&t, rng.below(t.len() + 1));
                t.insert(at, char::from(b' ' + rng.below(95) as u8));
            }
            6 | 7 => {
                let mut lines: Vec<&str> = t.split('\n').collect();
                if lines.len() > 2 {
                    let (x, y) = (rng.below(lines.len()), rng.below(lines.len()));
                    lines.swap(x, y);
                }
                t = lines.join("\n");
            }
            _ => {
                let at = boundary(&t, rng.below(t.len() + 1));
                t.truncate(at);
            }
        }
    }
    t
}

fn parser() -> tree_sitter::Parser {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_journey::LANGUAGE.into())
        .expect("the grammar's ABI is one the tree-sitter crate reads");
    parser
}

/// Parses every text: whether each tree is free of ERROR and MISSING nodes.
fn tree_sitter_verdicts(texts: &[&str]) -> Vec<bool> {
    let mut parser = parser();
    texts
        .iter()
        .map(|text| {
            let tree = parser.parse(text, None).expect("a tree for every text");
            !tree.root_node().has_error()
        })
        .collect()
}

/// Compares the verdicts on `cases` (name, text): the disagreements, described.
fn disagreements(cases: &[(String, String)]) -> (Vec<String>, usize, usize, usize) {
    let verdicts = tree_sitter_verdicts(&cases.iter().map(|c| c.1.as_str()).collect::<Vec<_>>());
    let (mut differ, mut accepted, mut rejected, mut left_out) = (Vec::new(), 0, 0, 0);
    for ((name, text), ts_ok) in cases.iter().zip(verdicts) {
        let p = pest(text);
        if excluded(&p).is_some() {
            left_out += 1;
            continue;
        }
        match (&p, ts_ok) {
            (Ok(()), true) => accepted += 1,
            (Err(_), false) => rejected += 1,
            (Ok(()), false) => differ.push(format!(
                "{name}: pest accepts it, tree-sitter has an ERROR or MISSING node\n{text}\n"
            )),
            (Err(m), true) => differ.push(format!(
                "{name}: pest refuses it ({m}), tree-sitter parses it without error\n{text}\n"
            )),
        }
    }
    (differ, accepted, rejected, left_out)
}

#[test]
fn every_sample_and_fixture_gets_the_same_verdict_from_both_grammars() {
    let mut cases = seed_files();
    let samples = cases
        .iter()
        .filter(|(n, _)| !n.starts_with("tests/"))
        .count();
    assert!(samples >= 6, "only {samples} sample journeys");
    for (name, text, _) in corpus_inputs() {
        cases.push((name, text));
    }
    let (differ, accepted, rejected, left_out) = disagreements(&cases);
    assert!(
        differ.is_empty(),
        "{} of {} files differ:\n{}",
        differ.len(),
        cases.len(),
        differ.join("\n")
    );
    assert_eq!(left_out, 0);
    // Every sample journey is valid: 0 ERROR or MISSING nodes in its tree.
    for (name, text) in cases.iter().filter(|(n, _)| n.starts_with("examples/")) {
        assert_eq!(pest(text), Ok(()), "{name}");
    }
    assert!(
        accepted >= 80 && rejected >= 20,
        "{accepted} accepted, {rejected} rejected"
    );
}

#[test]
fn the_corpus_error_cases_are_syntax_errors_for_pest_too() {
    let inputs = corpus_inputs();
    assert!(inputs.len() >= 20, "{} corpus tests", inputs.len());
    for (name, text, error) in inputs {
        assert_eq!(pest(&text).is_err(), error, "{name}\n{text}");
    }
}

#[test]
fn thousands_of_mutated_files_get_the_same_verdict_from_both_grammars() {
    let seeds: Vec<(String, String)> = seed_files()
        .into_iter()
        .chain(corpus_inputs().into_iter().map(|(n, t, _)| (n, t)))
        .filter(|(_, t)| pest(t).is_ok())
        .collect();
    let mut rng = Mix(0x7265_6573_6974);
    let cases: Vec<(String, String)> = (0..4000)
        .map(|round| {
            let (name, text) = &seeds[round % seeds.len()];
            (
                format!("mutation {round} of {name}"),
                mutate(text, &mut rng),
            )
        })
        .collect();
    let (differ, accepted, rejected, left_out) = disagreements(&cases);
    assert!(
        differ.is_empty(),
        "{} of {} mutated files differ:\n{}",
        differ.len(),
        cases.len(),
        differ
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Both kinds of verdict are well represented, and almost nothing is left out.
    // (About 18% of the mutated files stay valid.)
    assert!(accepted >= 400, "only {accepted} mutated files are valid");
    assert!(
        rejected >= 2500,
        "only {rejected} mutated files are refused"
    );
    assert!(left_out <= 10, "{left_out} files left out");
}

#[test]
fn a_number_too_large_is_the_one_difference_left_out() {
    let big = format!("journey j {{ max_steps {} }}", "9".repeat(400));
    let p = pest(&big);
    assert!(excluded(&p).is_some(), "{p:?}");
    assert_eq!(tree_sitter_verdicts(&[&big]), [true]);
    // Just under the limit, both accept it.
    let fits = format!("journey j {{ max_steps {} }}", "9".repeat(300));
    assert_eq!(pest(&fits), Ok(()));
    assert_eq!(tree_sitter_verdicts(&[&fits]), [true]);
}

/// The parse tree of every corpus test, as `tree-sitter test` compares it: the S-expression
/// of the tree (without field names, which the corpus does not write) against the one written
/// after `---`; an `:error` test only needs an ERROR or MISSING node.
#[test]
fn every_corpus_test_gives_its_tree() {
    let mut parser = parser();
    let mut failed = Vec::new();
    let cases = corpus_cases();
    assert!(cases.len() >= 25, "{} corpus tests", cases.len());
    for case in &cases {
        let tree = parser.parse(&case.input, None).unwrap();
        let root = tree.root_node();
        if case.error {
            if !root.has_error() {
                failed.push(format!("{}: no ERROR or MISSING node", case.name));
            }
            continue;
        }
        let actual = without_fields(&root.to_sexp());
        let expected = case
            .expected
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if actual != expected {
            failed.push(format!(
                "{}:\n  expected {expected}\n  actual   {actual}",
                case.name
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// An S-expression without `field: ` prefixes.
fn without_fields(sexp: &str) -> String {
    sexp.split(' ')
        .filter(|word| !word.ends_with(':'))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
#[ignore = "needs the tree-sitter CLI: cargo install --locked tree-sitter-cli; then cargo test --test integration tree_sitter:: -- --ignored"]
fn tree_sitter_test_passes() {
    let (ok, stdout, stderr) = tree_sitter(&grammar_dir(), &["test"]);
    assert!(ok, "tree-sitter test failed\n{stdout}\n{stderr}");
    // The corpus and the highlight tests both ran, and none failed.
    assert!(stdout.contains("syntax highlighting:"), "{stdout}");
    assert!(stdout.contains("assertions)"), "{stdout}");
    assert!(stdout.contains("failed parses: 0;"), "{stdout}");
    assert!(!stdout.contains('✗'), "{stdout}");
}

#[test]
#[ignore = "needs the tree-sitter CLI: cargo install --locked tree-sitter-cli; then cargo test --test integration tree_sitter:: -- --ignored"]
fn the_committed_parser_is_what_grammar_js_generates() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["grammar.js", "tree-sitter.json"] {
        std::fs::copy(grammar_dir().join(f), dir.path().join(f)).unwrap();
    }
    let (ok, stdout, stderr) = tree_sitter(dir.path(), &["generate"]);
    assert!(ok, "tree-sitter generate failed\n{stdout}\n{stderr}");
    for f in ["src/parser.c", "src/grammar.json", "src/node-types.json"] {
        let fresh = std::fs::read_to_string(dir.path().join(f)).unwrap();
        let committed = std::fs::read_to_string(grammar_dir().join(f)).unwrap();
        assert!(
            fresh == committed,
            "{f} is not what grammar.js generates: run `tree-sitter generate` in \
             editors/tree-sitter-journey and commit the result"
        );
    }
}

#[test]
fn every_query_compiles_and_captures_on_a_sample() {
    use tree_sitter::StreamingIterator;
    let language = tree_sitter_journey::LANGUAGE.into();
    let sample = std::fs::read_to_string(root().join("examples/checkout.journey")).unwrap();
    let tree = parser().parse(&sample, None).unwrap();
    assert!(!tree.root_node().has_error());
    for (name, text) in [
        ("highlights", tree_sitter_journey::HIGHLIGHTS_QUERY),
        ("locals", tree_sitter_journey::LOCALS_QUERY),
        ("folds", tree_sitter_journey::FOLDS_QUERY),
    ] {
        let query = tree_sitter::Query::new(&language, text)
            .unwrap_or_else(|e| panic!("queries/{name}.scm does not compile: {e}"));
        let mut cursor = tree_sitter::QueryCursor::new();
        let mut captures = cursor.captures(&query, tree.root_node(), sample.as_bytes());
        let mut n = 0;
        while captures.next().is_some() {
            n += 1;
        }
        assert!(n >= 20, "queries/{name}.scm: {n} captures");
    }
}
