//! `journeyc compare` through the real binary: snapshots of the table, JSON and Markdown
//! reports on the sample scenarios (fixed seed), the KPI gate, and bad input.

use crate::common;

use serde_json::Value;

use common::journeyc;

const CASES: [(&str, &str, &[&str]); 3] = [
    ("checkout", "examples/checkout.journey", &["one_click"]),
    (
        "onboarding",
        "examples/onboarding.journey",
        &["nfc_id", "no_branch"],
    ),
    ("support", "examples/support.journey", &["smart_router"]),
];

fn args<'a>(file: &'a str, scenarios: &[&'a str], format: &'a str) -> Vec<&'a str> {
    let mut a = vec![
        "compare", file, "--root", "examples", "--seed", "3", "-n", "50000",
    ];
    for s in scenarios {
        a.extend(["--scenario", s]);
    }
    a.extend(["--format", format]);
    a
}

#[test]
fn snapshots_of_every_format() {
    for (name, file, scenarios) in CASES {
        for format in ["table", "json", "markdown"] {
            let (code, out, err) = journeyc(&args(file, scenarios, format));
            assert_eq!((code, err.as_str()), (0, ""), "{name} {format}");
            if format == "table" {
                assert!(
                    out.lines().all(|l| l.chars().count() <= 100),
                    "{name}: too wide"
                );
            }
            if format == "json" {
                let v: Value = serde_json::from_str(&out).expect("JSON");
                assert_eq!(v["comparisons"].as_array().unwrap().len(), scenarios.len());
            }
            insta::assert_snapshot!(format!("{name}_{format}"), out);
        }
    }
}

#[test]
fn gate_fails_when_a_scenario_breaks_a_passing_kpi() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("j.journey");
    std::fs::write(
        &file,
        "journey j {
           channel web digital
           stage s {
             touchpoint a on web { entry friction 10% -> b 80% -> exit }
             touchpoint b on web { goal buy }
           }
           kpi conversion >= 60%
           scenario worse { touchpoint a { -> b 40% -> exit } }
           scenario better { touchpoint a { friction 0% } }
         }",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let root = dir.path().to_str().unwrap();
    let run = |scenario: &str, gate: bool| {
        let mut a = vec![
            "compare",
            f,
            "--root",
            root,
            "--scenario",
            scenario,
            "-n",
            "20000",
        ];
        if gate {
            a.push("--gate");
        }
        journeyc(&a)
    };
    let (code, out, _) = run("worse", false);
    assert_eq!(code, 0);
    assert!(
        out.contains("breaks `conversion >= 60%`: pass → FAIL"),
        "{out}"
    );
    let (code, _, err) = run("worse", true);
    assert_eq!(code, 1);
    assert!(err.contains("`worse` breaks `conversion >= 60%`"), "{err}");
    let (code, _, _) = run("better", true);
    assert_eq!(code, 0);
}

#[test]
fn bad_input_is_said_plainly() {
    let (code, _, err) = journeyc(&["compare", "examples/checkout.journey", "--root", "examples"]);
    assert_eq!(code, 2, "a scenario is required: {err}");
    assert!(err.contains("--scenario"), "{err}");
    let (code, _, err) = journeyc(&args("examples/checkout.journey", &["nope"], "table"));
    assert_eq!(code, 2);
    assert!(err.contains("nope"), "{err}");
    let (code, _, err) = journeyc(&args("examples/common.journey", &["x"], "table"));
    assert_eq!(code, 2);
    assert!(err.contains("library"), "{err}");
}
