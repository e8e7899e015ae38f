//! `journeyc analyze` through the real binary (cwd = the package root, relative paths):
//! snapshots of the table and JSON reports of the sample journeys, the JSON figures checked
//! against `tests/data/expected.json`, and the failure paths.

use crate::common;

use serde_json::Value;

fn analyze(args: &[&str]) -> (i32, String, String) {
    common::command("analyze", args)
}

const SAMPLES: [(&str, &str, Option<&str>); 4] = [
    ("checkout", "examples/checkout.journey", None),
    (
        "checkout_one_click",
        "examples/checkout.journey",
        Some("one_click"),
    ),
    ("onboarding", "examples/onboarding.journey", None),
    ("support", "examples/support.journey", None),
];

fn args<'a>(file: &'a str, scenario: Option<&'a str>, format: &'a str) -> Vec<&'a str> {
    let mut a = vec![file, "--root", "examples", "--format", format];
    if let Some(s) = scenario {
        a.extend(["--scenario", s]);
    }
    a
}

#[test]
fn table_snapshots() {
    for (name, file, scenario) in SAMPLES {
        let (code, stdout, stderr) = analyze(&args(file, scenario, "table"));
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
    for (name, file, scenario) in SAMPLES {
        let (code, stdout, stderr) = analyze(&args(file, scenario, "json"));
        assert_eq!((code, stderr.as_str()), (0, ""), "{name}");
        insta::assert_snapshot!(format!("{name}_json"), stdout);
    }
}

/// The JSON report carries the figures of expected.json (to 1e-6) for every journey and
/// scenario listed there.
#[test]
fn json_agrees_with_expected() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/expected.json"
    ))
    .expect("expected.json");
    let expected: Value = serde_json::from_str(&text).expect("JSON");
    let mut compared = 0;
    for (key, want) in expected["journeys"].as_object().expect("journeys") {
        let (file, scenario) = match key.split_once(':') {
            Some((f, s)) => (f, Some(s)),
            None => (key.as_str(), None),
        };
        let path = format!("examples/{file}");
        let (code, stdout, stderr) = analyze(&args(&path, scenario, "json"));
        assert_eq!(code, 0, "{key}: {stderr}");
        let got: Value = serde_json::from_str(&stdout).expect("analyze prints JSON");
        assert_eq!(got["schema_version"], 1);
        let all = &got["all"];
        let mut near = |what: &str, g: &Value, w: &Value| {
            let (g, w) = (g.as_f64(), w.as_f64());
            assert!(
                matches!((g, w), (Some(g), Some(w)) if (g - w).abs() <= 1e-6),
                "{key} {what}: got {g:?}, expected {w:?}"
            );
            compared += 1;
        };
        for f in [
            "conversion",
            "cost_per_conversion",
            "cost_per_customer",
            "pains",
        ] {
            near(f, &all[f], &want[f]);
        }
        for f in ["revenue_per_customer", "sentiment", "touches"] {
            near(f, &all[f], &want[f]);
        }
        near(
            "time",
            &all["time_to_convert"]["mean_seconds"],
            &want["mean_time_to_convert"],
        );
        for (fig, field) in [
            ("reach", "reach"),
            ("visits", "visits"),
            ("drop_off", "drop_off"),
        ] {
            for (tp, w) in want[fig].as_object().expect("touchpoints") {
                near(&format!("{fig}({tp})"), &all["touchpoints"][tp][field], w);
            }
        }
        for (seg, figures) in want["per_segment"].as_object().expect("segments") {
            for (f, w) in figures.as_object().expect("figures") {
                near(&format!("{seg}.{f}"), &got["segments"][seg][f], w);
            }
        }
    }
    assert!(compared > 300, "{compared}");
}

#[test]
fn kpis_are_judged_on_exact_values() {
    let (_, stdout, _) = analyze(&args("examples/checkout.journey", None, "json"));
    let got: Value = serde_json::from_str(&stdout).expect("JSON");
    let status: Vec<&str> = got["kpis"]
        .as_array()
        .expect("kpis")
        .iter()
        .map(|k| k["status"].as_str().unwrap_or(""))
        .collect();
    // conversion, conversion(advocacy), drop_off(checkout), p90, nps, cost/conversion, loyal
    assert_eq!(
        status,
        [
            "pass",
            "pass",
            "pass",
            "needs_simulate",
            "needs_simulate",
            "fail",
            "pass"
        ]
    );
}

#[test]
fn a_trap_is_refused_with_its_finding() {
    // A journey with a finding at error level is not analysed: its findings, exit 1.
    let (code, stdout, stderr) = analyze(&["tests/fixtures/analyze/trap.journey"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    insta::assert_snapshot!("trap_stderr", stderr);
}

#[test]
fn a_broken_journey_prints_its_findings() {
    let (code, stdout, stderr) = analyze(&["tests/fixtures/analyze/broken.journey"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert!(stderr.contains("J0202"), "{stderr}");
}

#[test]
fn a_library_is_not_analysed() {
    let (code, _, stderr) = analyze(&["examples/common.journey", "--root", "examples"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is a library"), "{stderr}");
}

#[test]
fn an_unknown_scenario_is_a_usage_error() {
    let (code, _, stderr) = analyze(&["examples/checkout.journey", "--scenario", "nope"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no scenario `nope`"), "{stderr}");
}
