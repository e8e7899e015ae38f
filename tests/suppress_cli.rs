//! `# journeyc: allow(…)` through the real binary: suppressed findings are gone from the
//! report and the exit status, and a suppression that suppresses nothing is J0701.

use std::process::Command;

fn check(path: &str) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_journeyc"))
        .args(["check", path, "--format", "json"])
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn suppressed_findings_are_not_reported() {
    let (code, out) = check("tests/fixtures/rules/J0701_unused-suppression/passes.journey");
    assert_eq!(code, Some(0));
    assert!(!out.contains("\"code\""), "no finding expected: {out}");
}

#[test]
fn a_suppression_that_suppresses_nothing_is_reported() {
    let (code, out) = check("tests/fixtures/rules/J0701_unused-suppression/fires.journey");
    assert_eq!(code, Some(0), "J0701 is a warning");
    assert_eq!(out.matches("\"code\": \"J0701\"").count(), 2, "{out}");
}
