//! The real binary: exit codes, file handling, configuration, output formats, and snapshots
//! of what users see for every sample journey.

use assert_cmd::Command;
use std::path::Path;

fn journeyc() -> Command {
    let mut cmd = Command::cargo_bin("journeyc").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = journeyc().args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

const SAMPLES: [&str; 6] = [
    "checkout",
    "common",
    "decisions",
    "onboarding",
    "retail_lifecycle",
    "support",
];

#[test]
fn samples_check_clean_of_errors() {
    let r = run(&["check", "examples"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let last = r.stdout.lines().last().unwrap();
    assert!(last.starts_with("6 files: 0 errors"), "{last}");
}

#[test]
fn findings_of_every_sample_human_and_json() {
    for name in SAMPLES {
        let path = format!("examples/{name}.journey");
        let human = run(&["check", &path, "--root", "examples"]);
        assert_eq!(human.code, 0, "{}", human.stderr);
        insta::assert_snapshot!(format!("check_{name}_human"), human.stdout);
        let json = run(&["check", &path, "--root", "examples", "--format", "json"]);
        let mut value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        value["tool"]["version"] = "[VERSION]".into();
        insta::assert_json_snapshot!(format!("check_{name}_json"), value);
    }
}

#[test]
fn exit_codes() {
    // Errors → 1.
    let r = run(&["check", "tests/fixtures/cli/broken.journey"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("J0101"));
    // Warnings only → 0; denied warnings → 1; an allowed rule disappears.
    assert_eq!(run(&["check", "examples/checkout.journey"]).code, 0);
    assert_eq!(
        run(&["check", "examples/checkout.journey", "--deny", "warnings"]).code,
        1
    );
    let allowed = run(&[
        "check",
        "examples/checkout.journey",
        "--allow",
        "context-break",
        "--format",
        "json",
    ]);
    assert!(!allowed.stdout.contains("J0402"));
    assert!(
        run(&["check", "examples/checkout.journey", "--format", "json"])
            .stdout
            .contains("J0402")
    );
    // Usage and I/O → 2, naming the file and the reason.
    let r = run(&["check", "missing.journey"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("missing.journey") && r.stderr.contains("no such file"),
        "{}",
        r.stderr
    );
    let r = run(&["check", "--allow", "no-such-rule", "examples"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown rule `no-such-rule`"),
        "{}",
        r.stderr
    );
    assert_eq!(run(&["check", "--format", "xml"]).code, 2);
    assert_eq!(run(&["frobnicate"]).code, 2);
}

#[test]
fn unreadable_inputs_are_said_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("latin1.journey");
    std::fs::write(&bad, b"journey j { owner \"caf\xe9\" }").unwrap();
    let r = run(&["check", bad.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("latin1.journey") && r.stderr.contains("not UTF-8"),
        "{}",
        r.stderr
    );
    // An empty directory has nothing to check.
    let r = run(&["check", dir.path().join("nothing").to_str().unwrap()]);
    assert_eq!(r.code, 2);
}

#[test]
fn bom_crlf_and_non_ascii_are_fine() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff}journey j \"Café ☕\" {\r\n  channel web digital\r\n  stage s {\r\n    touchpoint a \"Página\" on web { entry goal g }\r\n  }\r\n}\r\n";
    let path = dir.path().join("bom.journey");
    std::fs::write(&path, text).unwrap();
    let r = run(&["check", path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn repository_configuration() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/checkout.journey"),
        dir.path().join("checkout.journey"),
    )
    .unwrap();
    let mut cmd = Command::cargo_bin("journeyc").unwrap();
    let out = cmd
        .current_dir(dir.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("J0402"));
    std::fs::write(
        dir.path().join("journeyc.toml"),
        "[rules]\ncontext-break = \"error\"\n",
    )
    .unwrap();
    let out = Command::cargo_bin("journeyc")
        .unwrap()
        .current_dir(dir.path())
        .args(["check"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "context breaks are errors by configuration"
    );
    std::fs::write(
        dir.path().join("journeyc.toml"),
        "[check]\ndeny-warnings = true\n",
    )
    .unwrap();
    let out = Command::cargo_bin("journeyc")
        .unwrap()
        .current_dir(dir.path())
        .args(["check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn use_outside_the_root_is_refused_without_reading() {
    let dir = tempfile::tempdir().unwrap();
    let inner = dir.path().join("inner");
    std::fs::create_dir(&inner).unwrap();
    std::fs::write(
        dir.path().join("secret.journey"),
        "this file must never be read",
    )
    .unwrap();
    std::fs::write(
        inner.join("a.journey"),
        "use \"../secret.journey\"\nchannel web digital\n",
    )
    .unwrap();
    let out = Command::cargo_bin("journeyc")
        .unwrap()
        .current_dir(&inner)
        .args(["check", "a.journey", "--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("J0103") && stdout.contains("outside the root"),
        "{stdout}"
    );
    assert!(!stdout.contains("must never be read"));
}

#[test]
fn compile_emits_the_model() {
    let r = run(&["compile", "examples/checkout.journey", "--emit", "json"]);
    assert_eq!(r.code, 0);
    insta::assert_snapshot!("compile_checkout_json", r.stdout);
    let r = run(&[
        "compile",
        "examples/onboarding.journey",
        "--root",
        "examples",
        "--scenario",
        "no_branch",
        "--emit",
        "yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("compile_onboarding_no_branch_yaml", r.stdout);
    let r = run(&["compile", "tests/fixtures/cli/broken.journey"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("unknown channel `wbe`") && r.stderr.contains("did you mean `web`?"),
        "{}",
        r.stderr
    );
    let r = run(&["compile", "examples/common.journey"]);
    assert_eq!(r.code, 2);
    let r = run(&[
        "compile",
        "examples/checkout.journey",
        "--scenario",
        "one_clik",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean `one_click`?"),
        "{}",
        r.stderr
    );
}
