//! `journeyc graph` through the real binary (cwd = the package root, relative paths):
//! snapshots of both formats for every sample journey, a scenario and two fixtures (labels
//! full of characters DOT and Mermaid read; every kind of finding), every DOT output rendered
//! by Graphviz when it is installed, the Mermaid output checked for structure, and the
//! failure paths.

use crate::common;

use std::collections::HashSet;
use std::io::Write as _;
use std::process::Stdio;

fn graph(args: &[&str]) -> (i32, String, String) {
    common::command("graph", args)
}

/// Name in the snapshot, file, scenario, and whether the checker finds errors (drawn, with a
/// note on stderr).
const CASES: [(&str, &str, Option<&str>, bool); 8] = [
    ("checkout", "examples/checkout.journey", None, false),
    ("decisions", "examples/decisions.journey", None, false),
    (
        "decisions_optimum",
        "tests/fixtures/graph/decisions_optimum.journey",
        Some("optimum"),
        false,
    ),
    (
        "checkout_one_click",
        "examples/checkout.journey",
        Some("one_click"),
        false,
    ),
    ("onboarding", "examples/onboarding.journey", None, false),
    ("support", "examples/support.journey", None, false),
    (
        "escaping",
        "tests/fixtures/graph/escaping.journey",
        None,
        false,
    ),
    (
        "findings",
        "tests/fixtures/graph/findings.journey",
        None,
        true,
    ),
];

fn args<'a>(file: &'a str, scenario: Option<&'a str>, format: &'a str) -> Vec<&'a str> {
    let mut a = vec![file, "--root", "examples", "--format", format];
    if file.starts_with("tests/") {
        a[2] = "tests/fixtures/graph";
    }
    if let Some(s) = scenario {
        a.extend(["--scenario", s]);
    }
    a
}

/// Runs every case in `format`: exit 0, stderr empty (or the note about checker errors).
fn outputs(format: &str) -> Vec<(&'static str, String)> {
    CASES
        .iter()
        .map(|&(name, file, scenario, errors)| {
            let (code, stdout, stderr) = graph(&args(file, scenario, format));
            assert_eq!(code, 0, "{name}: {stderr}");
            if errors {
                assert!(
                    stderr.starts_with("note: the graph marks 2 errors of the checker"),
                    "{name}: {stderr}"
                );
            } else {
                assert_eq!(stderr, "", "{name}");
            }
            (name, stdout)
        })
        .collect()
}

#[test]
fn dot_snapshots() {
    for (name, dot) in outputs("dot") {
        insta::assert_snapshot!(format!("{name}_dot"), dot);
    }
}

#[test]
fn mermaid_snapshots() {
    for (name, mermaid) in outputs("mermaid") {
        insta::assert_snapshot!(format!("{name}_mermaid"), mermaid);
    }
}

#[test]
fn dot_is_the_default_format_and_the_output_is_stable() {
    let (_, a, _) = graph(&["examples/checkout.journey", "--root", "examples"]);
    let (_, b, _) = graph(&args("examples/checkout.journey", None, "dot"));
    assert_eq!(a, b);
    assert!(a.contains("digraph \"checkout\" {"));
    for _ in 0..3 {
        assert_eq!(graph(&["examples/checkout.journey"]).1, a);
    }
}

/// Every DOT output goes through `dot -Tsvg`: it must succeed without a word on stderr (a
/// syntax error or a warning). Graphviz is needed: `.ci/run` installs it; without it the test
/// fails (it does not pass silently).
#[test]
fn graphviz_renders_every_dot_output() {
    let probe = std::process::Command::new("dot")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    assert!(
        probe.is_ok_and(|s| s.success()),
        "Graphviz's `dot` is needed by this test: apt-get install graphviz (.ci/run does)"
    );
    for (name, text) in outputs("dot") {
        let mut child = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dot starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("dot reads");
        let out = child.wait_with_output().expect("dot ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: dot failed: {stderr}");
        assert_eq!(stderr, "", "{name}: dot warns");
        let svg = String::from_utf8_lossy(&out.stdout);
        assert!(svg.contains("<svg"), "{name}");
        // Every touchpoint became a node of the picture.
        for line in text.lines() {
            if let Some(id) = line
                .trim()
                .strip_prefix("tp_")
                .and_then(|r| r.split(' ').next())
            {
                if line.contains("[label=") {
                    assert!(
                        svg.contains(&format!("<title>tp_{id}</title>")),
                        "{name}: {id}"
                    );
                }
            }
        }
    }
}

/// The first word of a line, when the line declares a node (`id(…`, `id[…`, `id{…`).
fn declared(line: &str) -> Option<&str> {
    let end = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let (id, rest) = line.split_at(end);
    (!id.is_empty() && rest.starts_with(['(', '[', '{'])).then_some(id)
}

/// Mermaid cannot be rendered here (no Node.js), so its structure is checked instead: one
/// `flowchart LR`; `subgraph`/`end` balanced; every node an edge, a `class` or a `style`
/// names is declared (a subgraph counts); `linkStyle` numbers name edges that exist; and no
/// label holds a raw `"` (each line holds one label: exactly two quotes, at its ends).
#[test]
fn mermaid_structure() {
    let keywords = ["subgraph", "end", "class", "classDef", "style", "linkStyle"];
    for (name, text) in outputs("mermaid") {
        let body = text
            .strip_prefix("---\ntitle: \"")
            .and_then(|t| t.split_once("\"\n---\n"))
            .map(|(_, body)| body)
            .unwrap_or_else(|| panic!("{name}: front matter with a title"));
        let mut lines = body.lines().filter(|l| !l.trim_start().starts_with("%%"));
        assert_eq!(lines.next(), Some("flowchart LR"), "{name}");

        let mut depth = 0usize;
        let mut ids = HashSet::new();
        let mut uses = Vec::new();
        let mut edges = 0usize;
        let mut link_styles = Vec::new();
        for line in lines {
            let t = line.trim();
            let quotes = t.matches('"').count();
            assert!(quotes == 0 || quotes == 2, "{name}: raw quote in `{t}`");
            if quotes == 2 {
                let inner = &t[t.find('"').unwrap() + 1..t.rfind('"').unwrap()];
                assert!(!inner.contains('"'), "{name}: `{t}`");
                assert!(!inner.contains("%%"), "{name}: `{t}`");
            }
            let words: Vec<&str> = t.split_whitespace().collect();
            match words.first().copied() {
                Some("subgraph") => {
                    depth += 1;
                    ids.insert(words[1].to_string());
                }
                Some("end") => {
                    assert_eq!(t, "end", "{name}");
                    depth = depth.checked_sub(1).expect("`end` without `subgraph`");
                }
                Some("class") => uses.extend(words[1].split(',').map(str::to_string)),
                Some("style") => uses.push(words[1].to_string()),
                Some("classDef") => {}
                Some("linkStyle") => link_styles.extend(
                    words[1]
                        .split(',')
                        .map(|n| n.parse::<usize>().expect("edge number")),
                ),
                _ if t.contains("-->|") || t.contains("-.->|") => {
                    edges += 1;
                    let (from, to) = (words[0], words[words.len() - 1]);
                    assert!(words[1].starts_with("-->|") || words[1].starts_with("-.->|"));
                    uses.extend([from.to_string(), to.to_string()]);
                }
                _ => {
                    let id = declared(t).unwrap_or_else(|| panic!("{name}: what is `{t}`?"));
                    assert!(!keywords.contains(&id), "{name}: `{t}`");
                    assert!(ids.insert(id.to_string()), "{name}: {id} declared twice");
                }
            }
        }
        assert_eq!(depth, 0, "{name}: subgraph without `end`");
        for id in &uses {
            assert!(ids.contains(id), "{name}: `{id}` is used but not declared");
        }
        for n in link_styles {
            assert!(n < edges, "{name}: linkStyle {n} of {edges} edges");
        }
        assert!(edges > 0, "{name}");
    }
}

#[test]
fn a_broken_journey_prints_its_findings() {
    let (code, stdout, stderr) = graph(&["tests/fixtures/analyze/broken.journey"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert!(stderr.contains("J0202"), "{stderr}");
}

#[test]
fn a_library_is_not_drawn() {
    let (code, stdout, stderr) = graph(&["examples/common.journey", "--root", "examples"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(stderr.contains("is a library"), "{stderr}");
}

#[test]
fn an_unknown_scenario_is_a_usage_error() {
    let (code, stdout, stderr) = graph(&["examples/checkout.journey", "--scenario", "nope"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(stderr.contains("no scenario `nope`"), "{stderr}");
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let (code, _, stderr) = graph(&["examples/checkout.journey", "--format", "svg"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("dot") && stderr.contains("mermaid"),
        "{stderr}"
    );
}

/// `journeyc.toml` applies: an allowed rule is not drawn.
#[test]
fn allowed_rules_are_not_drawn() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/checkout.journey"),
        dir.path().join("checkout.journey"),
    )
    .unwrap();
    let run = |format: &str| {
        let (code, out, err) = common::journeyc_in(
            dir.path(),
            &["graph", "checkout.journey", "--format", format],
        );
        assert_eq!(code, 0, "{err}");
        out
    };
    assert!(run("dot").contains("J0402"));
    std::fs::write(
        dir.path().join("journeyc.toml"),
        "[rules]\ncontext-break = \"allow\"\n",
    )
    .unwrap();
    let dot = run("dot");
    assert!(!dot.contains("J0402"), "{dot}");
    assert!(dot.contains("J0401"), "the other rules stay");
}

/// docs/graph.md ends with the Mermaid output for checkout, which GitHub draws: it must be the
/// real output. `UPDATE_DOCS=1 cargo test --test integration graph_cli::` rewrites it.
#[test]
fn docs_example_is_the_real_output() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/graph.md");
    let doc = std::fs::read_to_string(path).expect("docs/graph.md");
    let (code, mermaid, _) = graph(&args("examples/checkout.journey", None, "mermaid"));
    assert_eq!(code, 0);
    let begin = "<!-- begin: journeyc graph examples/checkout.journey --format mermaid";
    let start = doc.find(begin).expect("the begin marker");
    let open = start + doc[start..].find("```mermaid\n").expect("the block") + 11;
    let close = open
        + doc[open..]
            .find("```\n<!-- end -->")
            .expect("the end marker");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let updated = format!("{}{mermaid}{}", &doc[..open], &doc[close..]);
        std::fs::write(path, updated).unwrap();
        return;
    }
    assert!(
        doc[open..close] == mermaid,
        "docs/graph.md's example is out of date: `UPDATE_DOCS=1 cargo test --test integration graph_cli::`"
    );
}
