//! `journeyc levers` through the real binary (cwd = the package root, relative paths):
//! snapshots of the table and JSON reports of the sample journeys (and of the `--goal`,
//! `--segment`, `--sort` and `--top` variants), agreement with `analyze`, and the failure
//! paths with their exit codes.

use crate::common;

use serde_json::Value;

fn run(command: &str, args: &[&str]) -> (i32, String, String) {
    common::command(command, args)
}

fn levers(args: &[&str]) -> (i32, String, String) {
    run("levers", args)
}

/// Snapshot name, then the arguments after the file and `--root examples`.
const CASES: [(&str, &str, &[&str]); 5] = [
    ("checkout", "examples/checkout.journey", &[]),
    ("onboarding", "examples/onboarding.journey", &[]),
    ("support", "examples/support.journey", &[]),
    (
        "checkout_goal_advocacy",
        "examples/checkout.journey",
        &["--goal", "advocacy", "--top", "4"],
    ),
    (
        "support_callers_by_sensitivity",
        "examples/support.journey",
        &[
            "--segment",
            "callers",
            "--sort",
            "sensitivity",
            "--top",
            "5",
        ],
    ),
];

fn args<'a>(file: &'a str, extra: &[&'a str], format: &'a str) -> Vec<&'a str> {
    let mut a = vec![file, "--root", "examples", "--format", format];
    a.extend_from_slice(extra);
    a
}

#[test]
fn table_snapshots() {
    for (name, file, extra) in CASES {
        let (code, stdout, stderr) = levers(&args(file, extra, "table"));
        assert_eq!((code, stderr.as_str()), (0, ""), "{name}");
        assert!(stdout.starts_with("Exact analysis: horizon and max_steps are ignored"));
        assert!(
            stdout.lines().all(|l| l.chars().count() <= 100),
            "{name}: a line is wider than 100 columns"
        );
        insta::assert_snapshot!(format!("{name}_table"), stdout);
    }
}

#[test]
fn json_snapshots() {
    for (name, file, extra) in CASES {
        let (code, stdout, stderr) = levers(&args(file, extra, "json"));
        assert_eq!((code, stderr.as_str()), (0, ""), "{name}");
        insta::assert_snapshot!(format!("{name}_json"), stdout);
    }
}

fn json(file: &str, extra: &[&str]) -> Value {
    let (code, stdout, stderr) = levers(&args(file, extra, "json"));
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("levers prints JSON")
}

/// The baseline is `analyze`'s conversion (all customers, per segment, other goals), the
/// ranking is in order, the shares add up to 1 and `--top` cuts the list.
#[test]
fn json_agrees_with_analyze_and_ranks() {
    for file in [
        "examples/checkout.journey",
        "examples/onboarding.journey",
        "examples/support.journey",
    ] {
        let (_, text, _) = run("analyze", &[file, "--root", "examples", "--format", "json"]);
        let analysis: Value = serde_json::from_str(&text).expect("analyze prints JSON");
        // By default, ranked by what a change gains: friction gain first.
        let default = json(file, &[]);
        assert_eq!(default["sort"], "change");
        let gains: Vec<f64> = default["touchpoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["friction_gain"].as_f64().unwrap())
            .collect();
        assert!(gains.windows(2).all(|w| w[0] >= w[1]), "{file}: {gains:?}");
        let all = json(file, &["--sort", "removal"]);
        assert_eq!(all["schema_version"], 1);
        assert_eq!(all["primary_goal"], true);
        let close = |a: &Value, b: &Value| {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!((a - b).abs() <= 1e-11, "{file}: {a} vs {b}");
        };
        close(&all["baseline_conversion"], &analysis["all"]["conversion"]);
        for (segment, figures) in analysis["segments"].as_object().unwrap() {
            let one = json(file, &["--segment", segment]);
            assert_eq!(one["segment"], segment.as_str());
            close(&one["baseline_conversion"], &figures["conversion"]);
        }
        for (goal, value) in analysis["all"]["goals"].as_object().unwrap() {
            let one = json(file, &["--goal", goal]);
            close(&one["baseline_conversion"], value);
        }
        let tps = all["touchpoints"].as_array().unwrap();
        assert_eq!(
            tps.len(),
            all["touchpoint_count"].as_u64().unwrap() as usize
        );
        let removal: Vec<f64> = tps
            .iter()
            .map(|t| t["removal_effect"].as_f64().unwrap())
            .collect();
        assert!(
            removal.windows(2).all(|w| w[0] >= w[1]),
            "{file}: {removal:?}"
        );
        let shares: f64 = tps
            .iter()
            .map(|t| t["attribution_share"].as_f64().unwrap())
            .sum();
        assert!(
            (shares - 1.0).abs() < 1e-9,
            "{file}: shares add up to {shares}"
        );
        for (i, t) in tps.iter().enumerate() {
            assert_eq!(t["rank"].as_u64(), Some(i as u64 + 1));
        }
        let top = json(file, &["--top", "2", "--sort", "friction"]);
        let listed = top["touchpoints"].as_array().unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(top["sort"], "friction");
        assert!(
            listed[0]["friction_gain"].as_f64() >= listed[1]["friction_gain"].as_f64(),
            "{file}"
        );
    }
}

#[test]
fn an_unknown_goal_is_a_usage_error_with_a_suggestion() {
    let (code, stdout, stderr) = levers(&["examples/checkout.journey", "--goal", "purchse"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    insta::assert_snapshot!("unknown_goal_stderr", stderr);
    let (code, _, stderr) = levers(&["examples/checkout.journey", "--goal", "zzz"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("declared goals: `purchase`, `advocacy`"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_segment_is_a_usage_error_with_a_suggestion() {
    let (code, stdout, stderr) = levers(&["examples/checkout.journey", "--segment", "loyl"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    insta::assert_snapshot!("unknown_segment_stderr", stderr);
}

#[test]
fn a_library_has_no_levers() {
    let (code, stdout, stderr) = levers(&["examples/common.journey", "--root", "examples"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    insta::assert_snapshot!("library_stderr", stderr);
}

#[test]
fn a_trap_is_refused_with_its_finding() {
    let (code, stdout, stderr) = levers(&["tests/fixtures/levers/trap.journey"]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(stderr.contains("J0303(trap)"), "{stderr}");
}

#[test]
fn a_trap_the_project_allows_fails_with_the_analyzers_reason() {
    // `journeyc.toml` there makes J0303 a warning: the journey runs, and the exact analysis
    // says why it cannot be solved.
    let dir = "tests/fixtures/levers/trap-allowed";
    let file = format!("{dir}/trap.journey");
    let (code, stdout, stderr) = levers(&[&file, "--root", dir]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    insta::assert_snapshot!("trap_stderr", stderr);
    let (code, _, stderr) = common::command("simulate", &[&file, "--root", dir, "-n", "100"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn too_many_states_fail_with_the_analyzers_reason() {
    let (code, stdout, stderr) = levers(&["tests/fixtures/levers/too_many_states.journey"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.starts_with(
            "error: cannot analyze `tests/fixtures/levers/too_many_states.journey` exactly: \
             the exact chain of segment `only` would have more than 5000000 states"
        ),
        "{stderr}"
    );
}

#[test]
fn a_journey_without_a_goal_has_no_levers() {
    let (code, stdout, stderr) = levers(&["tests/fixtures/levers/no_goal.journey"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(stderr.contains("has no goal"), "{stderr}");
}

#[test]
fn a_broken_journey_prints_its_findings() {
    let (code, stdout, stderr) = levers(&["tests/fixtures/analyze/broken.journey"]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(stderr.contains("J0202"), "{stderr}");
}

#[test]
fn top_must_be_positive() {
    let (code, _, stderr) = levers(&["examples/checkout.journey", "--top", "0"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("at least 1"), "{stderr}");
}

#[test]
fn an_unknown_scenario_is_a_usage_error() {
    let (code, _, stderr) = levers(&["examples/checkout.journey", "--scenario", "nope"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no scenario `nope`"), "{stderr}");
}

/// Nobody converts: relative removal effects and shares are n/a (JSON null), never NaN, and
/// halving the friction that stops everyone still shows its gain.
#[test]
fn no_conversion_gives_no_relative_figures() {
    let file = "tests/fixtures/levers/no_conversion.journey";
    let (code, stdout, stderr) = levers(&[file]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(!stdout.contains("NaN"), "{stdout}");
    insta::assert_snapshot!("no_conversion_table", stdout);
    let (code, stdout, _) = levers(&[file, "--format", "json"]);
    assert_eq!(code, 0);
    let got: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(got["baseline_conversion"], 0.0);
    for t in got["touchpoints"].as_array().unwrap() {
        assert_eq!(t["relative_removal_effect"], Value::Null);
        assert_eq!(t["attribution_share"], Value::Null);
    }
    assert_eq!(got["touchpoints"][0]["friction_gain"], 0.25);
}

/// `--objective clv` (LANGUAGE-2.md §3): the touchpoints ranked by clv lost on removal, each
/// figure the exact clv of the changed journey; the baseline is `analyze`'s clv; `--sort
/// sensitivity` has no clv meaning and is a usage error.
#[test]
fn levers_by_customer_lifetime_value() {
    let file = "examples/retail_lifecycle.journey";
    let (code, out, err) = levers(&[
        file,
        "--objective",
        "clv",
        "--sort",
        "removal",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["objective"], "clv");
    let (code, analysis, err) = run("analyze", &[file, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let a: Value = serde_json::from_str(&analysis).unwrap();
    let clv = a["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kpi"] == "clv >= 2")
        .unwrap()["value"]
        .as_f64()
        .unwrap();
    let baseline = v["baseline_clv"].as_f64().unwrap();
    assert!((baseline - clv).abs() < 1e-9, "{baseline} vs {clv}");
    let lost: Vec<f64> = v["touchpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["clv_removal_effect"].as_f64().unwrap())
        .collect();
    assert!(lost.windows(2).all(|w| w[0] >= w[1]), "ranked: {lost:?}");
    // Removing where the purchase happens loses everything it earns, costs aside.
    assert_eq!(v["touchpoints"][0]["touchpoint"], "order_confirmed");
    let (code, _, err) = levers(&[file, "--objective", "clv", "--sort", "sensitivity"]);
    assert_eq!(code, 2);
    assert!(err.contains("ranks by conversion only"), "{err}");
    // Without `--objective clv` the JSON has no clv fields.
    let (_, plain, _) = levers(&[file, "--format", "json"]);
    assert!(!plain.contains("clv"), "{plain}");
}
