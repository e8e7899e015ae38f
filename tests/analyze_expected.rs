//! The exact analyzer against `tests/data/expected.json` (a copy of the shared
//! `EXPECTED.json`: figures from an independent implementation of LANGUAGE.md): every
//! journey and scenario listed, every figure present, to 1e-6.

use journeyc::analyze::{Analysis, Figures, analyze};
use journeyc::model::{self, Journey, Options};
use serde_json::Value;
use std::path::{Path, PathBuf};

const TOLERANCE: f64 = 1e-6;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn load(key: &str) -> Journey {
    let (file, scenario) = match key.split_once(':') {
        Some((f, s)) => (f, Some(s.to_string())),
        None => (key, None),
    };
    let options = Options {
        root: Some(examples()),
        scenario,
    };
    let compiled =
        model::resolve(&examples().join(file), &options).unwrap_or_else(|e| panic!("{key}: {e}"));
    compiled
        .journey
        .unwrap_or_else(|| panic!("{key}: does not resolve: {:?}", compiled.findings))
}

/// Compares one figure; records a mismatch instead of stopping at the first.
fn expect(errors: &mut Vec<String>, what: String, got: Option<f64>, want: &Value) {
    let want = want
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {want}"));
    match got {
        Some(g) if (g - want).abs() <= TOLERANCE => {}
        _ => errors.push(format!("{what}: got {got:?}, expected {want}")),
    }
}

fn goal_figure(j: &Journey, f: &Figures, name: &str) -> Option<f64> {
    j.goal(name).map(|g| f.goals[g])
}

fn check_journey(key: &str, want: &Value, errors: &mut Vec<String>) -> usize {
    let j = load(key);
    let a: Analysis = analyze(&j).unwrap_or_else(|e| panic!("{key}: {e}"));
    let obj = want
        .as_object()
        .unwrap_or_else(|| panic!("{key}: not an object"));
    let mut checked = 0;
    let tp = |name: &str| {
        j.touchpoint(name)
            .unwrap_or_else(|| panic!("{key}: no touchpoint {name}"))
    };
    for (figure, value) in obj {
        let what = format!("{key} {figure}");
        let mut one = |what: String, got: Option<f64>, want: &Value| {
            checked += 1;
            expect(errors, what, got, want);
        };
        match figure.as_str() {
            "conversion" => one(what, a.all.conversion, value),
            "cost_per_conversion" => one(what, a.all.cost_per_conversion, value),
            "cost_per_customer" => one(what, Some(a.all.cost_per_customer), value),
            "mean_time_to_convert" => one(what, a.all.time_to_convert.mean, value),
            "pains" => one(what, Some(a.all.pains), value),
            "revenue_per_customer" => one(what, Some(a.all.revenue_per_customer), value),
            "sentiment" => one(what, Some(a.all.sentiment), value),
            "touches" => one(what, Some(a.all.touches), value),
            "reach" | "visits" | "drop_off" => {
                for (name, v) in value.as_object().expect("a map of touchpoints") {
                    let f = &a.all.touchpoints[tp(name)];
                    let got = match figure.as_str() {
                        "reach" => Some(f.reach),
                        "visits" => Some(f.visits),
                        _ => f.drop_off,
                    };
                    one(format!("{what}({name})"), got, v);
                }
            }
            "per_segment" => {
                for (seg, figures) in value.as_object().expect("a map of segments") {
                    let s = j
                        .segment(seg)
                        .unwrap_or_else(|| panic!("{key}: no segment {seg}"));
                    let f = &a.segments[s];
                    for (name, v) in figures.as_object().expect("a map of figures") {
                        let got = match name.as_str() {
                            "conversion" => f.conversion,
                            "cost_per_customer" => Some(f.cost_per_customer),
                            "pains" => Some(f.pains),
                            "revenue_per_customer" => Some(f.revenue_per_customer),
                            "touches" => Some(f.touches),
                            other => panic!("{key}: unknown per-segment figure {other}"),
                        };
                        one(format!("{what}.{seg}.{name}"), got, v);
                    }
                }
            }
            other => match other
                .strip_prefix("conversion(")
                .and_then(|g| g.strip_suffix(')'))
            {
                Some(goal) => one(what, goal_figure(&j, &a.all, goal), value),
                None => panic!("{key}: unknown figure {other}"),
            },
        }
    }
    checked
}

#[test]
fn every_expected_figure_matches() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/expected.json"),
    )
    .expect("tests/data/expected.json");
    let expected: Value = serde_json::from_str(&text).expect("valid JSON");
    let journeys = expected["journeys"].as_object().expect("journeys");
    assert_eq!(journeys.len(), 7, "the journeys and scenarios listed");
    let mut errors = Vec::new();
    let mut checked = 0;
    for (key, want) in journeys {
        checked += check_journey(key, want, &mut errors);
    }
    assert!(checked > 300, "only {checked} figures compared");
    assert!(
        errors.is_empty(),
        "{} of {checked} figures differ:\n{}",
        errors.len(),
        errors.join("\n")
    );
}
