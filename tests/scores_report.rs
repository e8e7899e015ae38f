//! The customer scores (LANGUAGE-2.md §2) and per-segment attributes (§1) in the reports,
//! through the real binary (cwd = the package root): snapshots of `simulate` (table, JSON) and
//! `analyze` (table, JSON) and of the HTML report's journey map for a journey that rates visits
//! and varies by segment; the simulated and exact scores agree; and a version-1 journey's
//! outputs say nothing of csat, effort or ces.

use crate::common;

use serde_json::Value;

use common::{analyze, report, section, simulate};

const SCORES: &str = "tests/fixtures/scores/scores.journey";
const SHOP: &str = "tests/fixtures/scores/shop.journey";
const V1: [&str; 3] = [
    "examples/checkout.journey",
    "examples/onboarding.journey",
    "examples/support.journey",
];

#[test]
fn simulate_snapshots() {
    let table = simulate(SCORES, &["--exact"]);
    assert!(
        table.lines().all(|l| l.chars().count() <= 100),
        "a line is wider than 100 columns"
    );
    insta::assert_snapshot!("scores_simulate_table", table);
    insta::assert_snapshot!(
        "scores_simulate_json",
        simulate(SCORES, &["--exact", "--format", "json"])
    );
}

#[test]
fn analyze_snapshots() {
    let table = analyze(SCORES, &[]);
    assert!(
        table.lines().all(|l| l.chars().count() <= 100),
        "a line is wider than 100 columns"
    );
    insta::assert_snapshot!("scores_analyze_table", table);
    insta::assert_snapshot!(
        "scores_analyze_json",
        analyze(SCORES, &["--format", "json"])
    );
}

#[test]
fn report_map_snapshot() {
    let html = report(SCORES, &[]);
    insta::assert_snapshot!("scores_report_map", section(&html, "map"));
}

/// The simulated scores sit within their intervals' reach of the exact ones, and `--exact`
/// writes the exact values `analyze` computes; `csat` is only at touchpoints rated with it.
#[test]
fn simulated_and_exact_scores_agree() {
    for file in [SCORES, SHOP] {
        let sim: Value =
            serde_json::from_str(&simulate(file, &["--exact", "--format", "json"])).unwrap();
        let exact: Value = serde_json::from_str(&analyze(file, &["--format", "json"])).unwrap();
        let mut populations = vec![("all", &sim["all"], &exact["all"])];
        for (name, s) in sim["segments"].as_object().unwrap() {
            populations.push((name, s, &exact["segments"][name]));
        }
        for (pop, s, x) in populations {
            for key in ["csat", "effort", "ces"] {
                let e = &s[key];
                let x = x[key]
                    .as_f64()
                    .unwrap_or_else(|| panic!("{file} {pop} {key}"));
                assert_eq!(e["exact"].as_f64(), Some(x), "{file} {pop} {key}");
                let (low, high) = (e["low"].as_f64().unwrap(), e["high"].as_f64().unwrap());
                // Four half-widths: a failure here is a bias, not bad luck.
                let slack = 2.0 * (high - low);
                assert!(
                    low - slack <= x && x <= high + slack,
                    "{file} {pop} {key}: {x} outside {low}..{high}"
                );
            }
            let st = s["touchpoints"].as_object().unwrap();
            let xt = x["touchpoints"].as_object().unwrap();
            for (name, t) in st {
                assert_eq!(
                    t.get("csat").is_some(),
                    xt[name].get("csat").is_some(),
                    "{file} {pop} {name}"
                );
                if let Some(c) = t.get("csat").filter(|c| !c.is_null()) {
                    assert_eq!(c["exact"], xt[name]["csat"], "{file} {pop} {name}");
                }
            }
        }
        // scores.journey: checkout has no csat line; shop.journey: the bag has none.
        let unrated = if file == SCORES { "checkout" } else { "bag" };
        assert!(sim["all"]["touchpoints"][unrated].get("csat").is_none());
    }
}

/// The HTML report's key figures and scenario rows carry the scores, and each CSAT cost is
/// what the journey says: csat − csat after a pain point.
#[test]
fn the_report_shows_the_scores() {
    let html = report(SHOP, &["--scenario", "size_chart_fix"]);
    let sim: Value = serde_json::from_str(&simulate(SHOP, &["--format", "json"])).unwrap();
    for key in ["csat", "effort", "ces"] {
        let value = sim["all"][key]["value"].as_f64().unwrap();
        let tag = format!("data-figure=\"{key}\" data-value=\"{value}\"");
        assert!(html.contains(&tag), "{tag}");
        assert!(
            html.contains(&format!("data-figure=\"compare.{key}\"")),
            "compare.{key}"
        );
    }
    // The segments table: one score column each, the values of simulate's JSON.
    for (name, seg) in sim["segments"].as_object().unwrap() {
        for key in ["csat", "effort", "ces"] {
            let value = seg[key]["value"].as_f64().unwrap();
            let tag = format!(
                "data-figure=\"segment.{key}\" data-segment=\"{name}\" data-value=\"{value}\""
            );
            assert!(html.contains(&tag), "{tag}");
        }
    }
    for (tp, cost) in [
        ("product_page", "0.39"),
        ("payment", "0.48"),
        ("returns", "0.43"),
    ] {
        let tag = format!(
            "data-figure=\"touchpoint.csat_cost\" data-touchpoint=\"{tp}\" data-value=\"{cost}\""
        );
        assert!(html.contains(&tag), "{tag}");
    }
    // deal_hunter's payment: 70% − 20%.
    assert!(html.contains("48.0 pp (deal_hunter 50.0 pp)"));
    assert!(html.contains("by segment: friction 22% · deal_hunter 30% · store_loyal 12%"));
}

/// A version-1 journey rates nothing: none of its outputs names csat, effort or ces.
#[test]
fn version_1_outputs_have_no_scores() {
    let keys = ["csat", "effort", "ces"];
    for file in V1 {
        for json in [
            simulate(file, &["--exact", "--format", "json"]),
            analyze(file, &["--format", "json"]),
        ] {
            let v: Value = serde_json::from_str(&json).unwrap();
            let mut stack = vec![&v];
            while let Some(v) = stack.pop() {
                match v {
                    Value::Object(m) => {
                        for (k, x) in m {
                            assert!(!keys.contains(&k.as_str()), "{file}: key {k}");
                            stack.push(x);
                        }
                    }
                    Value::Array(a) => stack.extend(a),
                    _ => {}
                }
            }
        }
        let csv = simulate(file, &["--exact", "--format", "csv"]);
        for line in csv.lines() {
            let figure = line.split(',').nth(3).unwrap_or("");
            assert!(!keys.contains(&figure), "{file}: {line}");
        }
        for text in [
            simulate(file, &["--exact"]),
            analyze(file, &[]),
            report(file, &[]),
        ] {
            let lower = text.to_lowercase();
            assert!(!lower.contains("csat"), "{file}");
            assert!(!lower.contains("effort"), "{file}");
            assert!(!lower.contains("│ ces "), "{file}");
            assert!(!text.contains("data-figure=\"ces\""), "{file}");
        }
    }
}
