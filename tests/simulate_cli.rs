//! `journeyc simulate` and `journeyc merge` through the real binary (cwd = the package root):
//! snapshots of the table, JSON and CSV reports of the sample journeys at a fixed seed;
//! byte-identical output whatever the thread count; merged shards equal to the single run;
//! the KPI gate; and the failure paths with their exit codes.

use crate::common;

use serde_json::Value;

use common::journeyc;

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

fn simulate<'a>(file: &'a str, scenario: Option<&'a str>, rest: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "simulate", file, "--root", "examples", "--seed", "42", "-n", "20000",
    ];
    if let Some(s) = scenario {
        a.extend(["--scenario", s]);
    }
    a.extend(rest);
    a
}

#[test]
fn table_snapshots() {
    for (name, file, scenario) in SAMPLES {
        let (code, stdout, stderr) = journeyc(&simulate(file, scenario, &["--exact"]));
        assert_eq!((code, stderr.as_str()), (0, ""), "{name}");
        assert!(
            stdout.lines().all(|l| l.chars().count() <= 100),
            "{name}: a line is wider than 100 columns"
        );
        insta::assert_snapshot!(format!("{name}_table"), stdout);
    }
}

#[test]
fn json_and_csv_snapshots() {
    for (name, file, scenario) in SAMPLES {
        let (code, json, stderr) = journeyc(&simulate(file, scenario, &["--format", "json"]));
        assert_eq!((code, stderr.as_str()), (0, ""), "{name}");
        let v: Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(v["schema_version"], 1);
        assert_eq!(v["customers"], 20_000);
        insta::assert_snapshot!(format!("{name}_json"), json);
        let (code, csv, _) = journeyc(&simulate(file, scenario, &["--format", "csv"]));
        assert_eq!(code, 0, "{name}");
        let columns = csv.lines().next().unwrap_or("").split(',').count();
        assert_eq!(columns, 9);
        insta::assert_snapshot!(format!("{name}_csv"), csv);
    }
}

/// The JSON and CSV carry the same figures: conversion and every KPI estimate.
#[test]
fn json_and_csv_agree() {
    let file = "examples/support.journey";
    let (_, json, _) = journeyc(&simulate(file, None, &["--format", "json"]));
    let (_, csv, _) = journeyc(&simulate(file, None, &["--format", "csv"]));
    let v: Value = serde_json::from_str(&json).unwrap();
    let conversion = v["all"]["conversion"]["value"].as_f64().unwrap();
    let row = csv
        .lines()
        .find(|l| l.starts_with("all,goal,resolved,conversion,"))
        .expect("a conversion row");
    let value: f64 = row.split(',').nth(4).unwrap().parse().unwrap();
    assert_eq!(value, conversion);
    let kpi_rows = csv.lines().filter(|l| l.contains(",kpi,")).count();
    assert_eq!(kpi_rows, v["kpis"].as_array().unwrap().len());
}

#[test]
fn output_is_byte_identical_for_1_2_and_8_threads() {
    // onboarding; retail_lifecycle walks lifetimes of several cycles (LANGUAGE-2.md §3).
    for (file, format) in [
        ("examples/onboarding.journey", "json"),
        ("examples/onboarding.journey", "table"),
        ("examples/onboarding.journey", "csv"),
        ("examples/retail_lifecycle.journey", "json"),
    ] {
        let run = |threads: &str| {
            let args = [
                "simulate",
                file,
                "--root",
                "examples",
                "--seed",
                "9",
                "-n",
                "50001",
                "--format",
                format,
                "--threads",
                threads,
            ];
            journeyc(&args).1
        };
        let one = run("1");
        assert!(!one.is_empty());
        assert_eq!(one, run("2"), "{format}: 1 vs 2 threads");
        assert_eq!(one, run("8"), "{format}: 1 vs 8 threads");
    }
}

#[test]
fn merged_shards_equal_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    // checkout; retail_lifecycle's shards carry lifetime tallies too.
    for (name, file) in [
        ("checkout", "examples/checkout.journey"),
        ("retail", "examples/retail_lifecycle.journey"),
    ] {
        let mut paths = Vec::new();
        for k in 1..=3 {
            let shard = format!("{k}/3");
            let (code, out, err) = journeyc(&simulate(file, None, &["--exact", "--shard", &shard]));
            assert_eq!(code, 0, "{err}");
            let path = dir.path().join(format!("{name}{k}.json"));
            std::fs::write(&path, out).unwrap();
            paths.push(path.display().to_string());
        }
        paths.reverse(); // any order
        for format in ["json", "table", "csv"] {
            let (_, single, _) = journeyc(&simulate(file, None, &["--exact", "--format", format]));
            let mut args = vec!["merge", "--format", format];
            args.extend(paths.iter().map(String::as_str));
            let (code, merged, err) = journeyc(&args);
            assert_eq!(code, 0, "{err}");
            assert_eq!(merged, single, "{file} {format}");
        }
    }
    let paths: Vec<String> = (1..=3)
        .rev()
        .map(|k| {
            dir.path()
                .join(format!("checkout{k}.json"))
                .display()
                .to_string()
        })
        .collect();
    // A missing slice is named.
    let (code, _, err) = journeyc(&["merge", &paths[0], &paths[1]]);
    assert_eq!(code, 2);
    assert!(err.contains("shards missing: 1/3"), "{err}");
    // A file that is not a shard.
    let (code, _, err) = journeyc(&["merge", "examples/checkout.journey"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a shard file"), "{err}");
}

#[test]
fn gate_fails_the_run_when_a_kpi_fails() {
    // checkout: nps >= 20 and cost_per_conversion <= 4.0 fail.
    let file = "examples/checkout.journey";
    let (code, _, _) = journeyc(&simulate(file, None, &[]));
    assert_eq!(code, 0, "without --gate the KPIs only inform");
    let (code, _, err) = journeyc(&simulate(file, None, &["--gate"]));
    assert_eq!(code, 1);
    assert!(err.contains("KPI gate"), "{err}");
    let statuses = |args: &[&str]| -> Vec<String> {
        let (_, json, _) = journeyc(args);
        let v: Value = serde_json::from_str(&json).unwrap();
        v["kpis"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["status"].as_str().unwrap().to_string())
            .collect()
    };
    // drop_off(checkout) <= 20% is exactly 19.12%: 20,000 customers tell it passes...
    let status = statuses(&simulate(file, None, &["--format", "json"]));
    let want = ["pass", "pass", "pass", "pass", "fail", "fail", "pass"];
    assert_eq!(status, want);
    // ... 2,000 (about 180 reaching checkout) cannot tell, and say so.
    let small = [
        "simulate", file, "--root", "examples", "--seed", "42", "-n", "2000", "--format", "json",
    ];
    let status = statuses(&small);
    assert_eq!(status[2], "inconclusive", "{status:?}");
}

#[test]
fn bad_input_is_said_plainly() {
    let cases: [(&[&str], i32, &str); 7] = [
        (
            &["simulate", "examples/common.journey", "--root", "examples"],
            2,
            "is a library",
        ),
        (&["simulate", "examples/nope.journey"], 2, "nope.journey"),
        (
            &[
                "simulate",
                "examples/checkout.journey",
                "--root",
                "examples",
                "--scenario",
                "nope",
            ],
            2,
            "nope",
        ),
        (
            &[
                "simulate",
                "examples/checkout.journey",
                "--root",
                "examples",
                "-n",
                "0",
            ],
            2,
            "no customer",
        ),
        (
            &[
                "simulate",
                "examples/checkout.journey",
                "--root",
                "examples",
                "--shard",
                "4/3",
            ],
            2,
            "not a shard",
        ),
        (
            &[
                "simulate",
                "examples/checkout.journey",
                "--root",
                "examples",
                "--shard",
                "1/2",
                "--format",
                "table",
            ],
            2,
            "--shard writes a shard file",
        ),
        (&["merge"], 2, "SHARD.json"),
    ];
    for (args, want, says) in cases {
        let (code, _, err) = journeyc(args);
        assert_eq!(code, want, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    // A journey with errors: its findings, exit 1.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.journey");
    std::fs::write(
        &bad,
        "journey j { stage s { touchpoint a on nowhere { entry } } }",
    )
    .unwrap();
    let (code, _, err) = journeyc(&[
        "simulate",
        bad.to_str().unwrap(),
        "--root",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("J0101"), "{err}");
}
