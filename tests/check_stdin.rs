//! `check -` reads one journey from standard input (`--stdin-filename` names it), and
//! `--color always|never|auto` (issue 16).

use assert_cmd::Command;

fn journeyc(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let out = Command::cargo_bin("journeyc")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn standard_input_is_checked_as_the_file_it_stands_for() {
    let path = "examples/onboarding.journey";
    let text = std::fs::read(path).unwrap();
    for format in ["json", "human"] {
        let (code, from_file, _) = journeyc(&["check", path, "--format", format], b"");
        let (stdin_code, from_stdin, err) = journeyc(
            &["check", "-", "--stdin-filename", path, "--format", format],
            &text,
        );
        assert_eq!(
            (stdin_code, from_stdin.as_str()),
            (code, from_file.as_str()),
            "{err}"
        );
    }
    // Without a name, messages say <stdin>; a broken journey exits 1.
    let broken = b"journey j {\n  stage s {\n";
    let (code, out, _) = journeyc(&["check", "-"], broken);
    assert_eq!(code, 1);
    assert!(out.contains("<stdin>:3:1"), "{out}");
}

#[test]
fn standard_input_misuse_is_a_usage_error() {
    let (code, _, err) = journeyc(&["check", "-", "examples/checkout.journey"], b"");
    assert_eq!(code, 2);
    assert!(err.contains("checked on its own"), "{err}");
    let (code, _, err) = journeyc(
        &[
            "check",
            "examples/checkout.journey",
            "--stdin-filename",
            "x.journey",
        ],
        b"",
    );
    assert_eq!(code, 2);
    assert!(err.contains("use it with `check -`"), "{err}");
    let (code, _, err) = journeyc(&["check", "-"], b"journey j {\xff\xfe}\n");
    assert_eq!(code, 2);
    assert!(
        err.contains("not UTF-8") && err.contains("offset 11"),
        "{err}"
    );
}

#[test]
fn color_is_asked_for_or_refused() {
    let path = "examples/checkout.journey";
    let (_, always, _) = journeyc(&["check", path, "--color", "always"], b"");
    assert!(always.contains("\u{1b}["), "{always}");
    let (_, never, _) = journeyc(&["check", path, "--color", "never"], b"");
    assert!(!never.contains('\u{1b}'));
    // `auto`: standard output is a pipe here, so no colour.
    let (_, auto, _) = journeyc(&["check", path], b"");
    assert_eq!(auto, never);
    // Machine formats never carry colour.
    let (_, json, _) = journeyc(
        &["check", path, "--color", "always", "--format", "json"],
        b"",
    );
    assert!(!json.contains('\u{1b}'));
}

#[test]
fn concise_prints_a_line_per_finding_then_the_summary() {
    let (code, json, _) = journeyc(&["check", "examples/", "--format", "json"], b"");
    let (concise_code, concise, _) =
        journeyc(&["check", "examples/", "--output-format", "concise"], b"");
    assert_eq!(code, concise_code);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let findings: Vec<&serde_json::Value> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["findings"].as_array().unwrap())
        .collect();
    let lines: Vec<&str> = concise.lines().collect();
    assert_eq!(lines.len(), findings.len() + 1, "{concise}");
    for (line, f) in lines.iter().zip(&findings) {
        let at = &f["location"];
        let start = format!(
            "{}:{}:{}: {} {} ",
            at["path"].as_str().unwrap(),
            at["line"],
            at["column"],
            f["level"].as_str().unwrap(),
            f["code"].as_str().unwrap()
        );
        assert!(line.starts_with(&start), "{line} / {start}");
        assert!(line.contains(f["message"].as_str().unwrap()), "{line}");
    }
    let (_, human, _) = journeyc(&["check", "examples/", "--color", "never"], b"");
    assert_eq!(lines.last(), human.lines().last().as_ref());
}

#[test]
fn many_findings_of_one_rule_are_counted_past_ten() {
    // A generated journey with hundreds of context breaks.
    let text = journeyc::generate::realistic(400, 3);
    let (code, json, _) = journeyc(&["check", "-", "--format", "json"], text.as_bytes());
    let (human_code, human, _) = journeyc(&["check", "-", "--color", "never"], text.as_bytes());
    assert_eq!(code, human_code);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let findings = v["files"][0]["findings"].as_array().unwrap();
    let mut per_rule: std::collections::BTreeMap<String, usize> = Default::default();
    for f in findings {
        *per_rule
            .entry(format!(
                "{} {}",
                f["code"].as_str().unwrap(),
                f["name"].as_str().unwrap()
            ))
            .or_default() += 1;
    }
    assert!(per_rule.values().any(|&n| n > 10), "{per_rule:?}");
    for (rule, n) in &per_rule {
        let code = &rule[..5];
        // Drawn in full: at most ten per rule (each report starts with `CODE(name)`).
        let drawn = human
            .lines()
            .filter(|l| l.trim_start().starts_with(&format!("{code}(")))
            .count();
        assert_eq!(drawn, (*n).min(10), "{rule}");
        if *n > 10 {
            let line = format!("… and {} more {rule} finding", n - 10);
            assert!(human.contains(&line), "{line}\n{human}");
        }
    }
    // The summary still counts every finding.
    let (_, concise, _) = journeyc(&["check", "-", "--format", "concise"], text.as_bytes());
    assert_eq!(human.lines().last(), concise.lines().last());
    assert_eq!(concise.lines().count(), findings.len() + 1);
}
