//! `journeyc explain` through the real binary: the text of `docs/rules.md`, `--list`, and a
//! "did you mean" failure (exit 2) for an unknown rule.

use journeyc::check::docs;
use journeyc::rules::Rule;

fn journeyc() -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("journeyc");
    cmd.env("NO_COLOR", "1");
    cmd
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

#[test]
fn explain_prints_the_rule_documentation() {
    for key in ["J0402", "j0402", "context-break"] {
        let run = journeyc().args(["explain", key]).assert().code(0);
        assert_eq!(stdout(&run), docs::explain(Rule::ContextBreak), "{key}");
    }
    let run = journeyc().args(["explain", "J0303"]).assert().code(0);
    let out = stdout(&run);
    assert!(
        out.starts_with("J0303 trap (error)\n\n## What it does\n"),
        "{out}"
    );
    assert!(out.contains("## Use instead\n```journey\n"), "{out}");
}

#[test]
fn explain_list_prints_the_table() {
    let run = journeyc().args(["explain", "--list"]).assert().code(0);
    let out = stdout(&run);
    assert_eq!(out, docs::table());
    assert_eq!(out.lines().count(), Rule::ALL.len() + 1);
}

#[test]
fn unknown_rules_fail_with_a_suggestion() {
    let run = journeyc().args(["explain", "J0412"]).assert().code(2);
    assert!(stdout(&run).is_empty());
    let err = stderr(&run);
    assert!(
        err.contains("unknown rule `J0412`; did you mean `J0402` (context-break)?"),
        "{err}"
    );

    let run = journeyc().args(["explain", "dead-ends"]).assert().code(2);
    assert!(stderr(&run).contains("did you mean `J0304` (dead-end)?"));
}

#[test]
fn explain_needs_a_rule_or_list() {
    journeyc().arg("explain").assert().code(2);
    journeyc()
        .args(["explain", "J0402", "--list"])
        .assert()
        .code(2);
}
