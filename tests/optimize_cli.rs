//! `journeyc optimize` through the real binary and the library: the shared version-2 sample's
//! optimum against the independent implementation's brute force (`tests/data/v2/expected.json`),
//! brute force on a generated journey of 4 decision touchpoints × 3 options × 2 segments (6,561
//! policies) with and without constraints, `--write` (the written scenario resolves, formats,
//! and simulates to the optimum), infeasible constraints (exit 1), and bad input.

use crate::common;

use common::journeyc_in;
use journeyc::analyze::analyze;
use journeyc::analyze::optimize::{Optimality, Problem, meets, optimize};
use journeyc::model::{self, Journey, Options};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn package() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn expected() -> Value {
    let text = std::fs::read_to_string(package().join("tests/data/v2/expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6
}

#[test]
fn the_shared_sample_optimum_matches_the_independent_brute_force() {
    let (code, out, err) = journeyc_in(
        &package(),
        &[
            "optimize",
            "tests/data/v2/shop.journey",
            "--root",
            "tests/data/v2",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let got: Value = serde_json::from_str(&out).unwrap();
    let want = &expected()["journeys"]["shop.journey"]["optimize"];
    assert_eq!(got["optimality"], "enumerated");
    assert_eq!(got["policies_compared"], want["policies_evaluated"]);
    assert_eq!(got["decision_points"], want["decision_points"]);
    assert_eq!(got["ties"], want["ties"]);
    let value = got["optimum"]["value"].as_f64().unwrap();
    assert!(close(value, want["value"].as_f64().unwrap()), "{value}");
    assert!(close(
        got["as_given"]["value"].as_f64().unwrap(),
        want["as_is"]["value"].as_f64().unwrap()
    ));
    // The policy: the expected one lists every decision touchpoint for every segment.
    assert_eq!(got["optimum"]["policy"], want["policy"]);
    let cost = got["optimum"]["constraints"][0]["value"].as_f64().unwrap();
    assert!(close(
        cost,
        want["constraints"][0]["value"].as_f64().unwrap()
    ));
    let free = &want["without_constraints"];
    assert!(close(
        got["without_constraints"]["value"].as_f64().unwrap(),
        free["value"].as_f64().unwrap()
    ));
    assert_eq!(got["without_constraints"]["policy"], free["policy"]);
}

/// A journey of 4 decision touchpoints with 3 choices each (`as_is` and 2 options), 2
/// segments, context loss between channels and a trigger: 3⁸ = 6,561 policies.
const FOUR: &str = r#"journey four {
  channel web digital { cost 0.05 }
  channel call human { cost 4 }
  channel email digital { cost 0.01 }
  context_loss 20%
  segment quick { share 55% patience 50% prefers web }
  segment careful { share 45% patience 85% prefers call }
  stage s {
    touchpoint a on web {
      entry
      friction 20%
      -> b 60%
      -> c 20% for careful
      -> exit
      option guide { cost 0.4  friction 10% }
      option chat { cost 1.2  -> b 70%  -> c 25% for careful  -> exit }
    }
    touchpoint b on web {
      friction 15%
      -> d 70%
      -> exit
      option short { cost 0.2  friction 8% for quick }
      option call_back { cost 2  -> d 82%  -> c 5%  -> exit }
    }
    touchpoint c on call {
      duration 5m..10m
      -> d 65%
      -> exit
      option senior { cost 3  -> d 80%  -> exit }
      option script { friction 10%  -> d 70%  -> exit }
    }
    touchpoint d on web {
      friction 18%
      -> done 80%
      -> exit
      option wallet { cost 0.3  friction 6%  -> done 86%  -> exit }
      option bnpl { cost 1.1  -> done 90% for quick  -> done 84% for careful  -> exit }
    }
    touchpoint done on web {
      goal order value 60
      goal order value 75 for careful
    }
  }
  trigger rescue {
    on abandon at d
    after 2h
    via email
    limit 1
    -> d 20%
  }
  OBJECTIVE
}
"#;

fn resolve(text: &str) -> Journey {
    let c = model::resolve_source("four.journey", text, &Options::default()).unwrap();
    c.journey.unwrap_or_else(|| panic!("{:?}", c.findings))
}

/// Every one of the 6,561 policies analysed on its own.
fn brute(j: &Journey, problem: &Problem) -> Option<(f64, Vec<Vec<usize>>)> {
    let nseg = j.segments.len();
    let decisions: Vec<usize> = j.decisions().collect();
    assert_eq!(decisions.len(), 4);
    let slots = decisions.len() * nseg;
    let total = 3usize.pow(slots as u32);
    let mut best: Option<(f64, Vec<Vec<usize>>)> = None;
    for i in 0..total {
        let mut x = i;
        // Segment-major, the first segment's first decision fastest: the tie order.
        let mut policy = vec![vec![0; nseg]; decisions.len()];
        for s in 0..nseg {
            for row in policy.iter_mut() {
                row[s] = x % 3;
                x /= 3;
            }
        }
        let a = analyze(&j.with_policy(&policy)).unwrap();
        let ok = problem.constraints.iter().all(|k| {
            let f = k.segment.map_or(&a.all, |s| &a.segments[s]);
            meets(k, f.metric(k.metric).unwrap())
        });
        let v = a.all.metric(problem.metric).unwrap();
        let improves = |b: f64| {
            if problem.maximize {
                v > b + 1e-9
            } else {
                v < b - 1e-9
            }
        };
        if ok && best.as_ref().is_none_or(|(b, _)| improves(*b)) {
            best = Some((v, policy));
        }
    }
    best
}

#[test]
fn optimize_equals_brute_force_over_6561_policies_with_and_without_constraints() {
    for objective in [
        "objective maximize profit",
        "objective maximize profit\n  constraint cost_per_customer <= 1.6",
        "objective maximize conversion\n  constraint cost_per_customer <= 1.2\n  constraint touches for careful <= 3.0",
        "objective minimize cost_per_customer\n  constraint conversion >= 40%",
    ] {
        let j = resolve(&FOUR.replace("OBJECTIVE", objective));
        let problem = Problem::of(&j).unwrap();
        let found = optimize(&j, &problem).unwrap();
        assert!(
            matches!(
                found.optimality,
                Optimality::Enumerated | Optimality::Proved
            ),
            "{objective}: {:?}",
            found.optimality
        );
        let (value, policy) = brute(&j, &problem).expect("feasible");
        // The full-state bound is never below the brute-force optimum (for `minimize`,
        // never above it).
        let bound = found.bound.expect("every metric here is additive");
        if problem.maximize {
            assert!(
                bound >= value - 1e-9,
                "{objective}: bound {bound} < {value}"
            );
        } else {
            assert!(
                bound <= value + 1e-9,
                "{objective}: bound {bound} > {value}"
            );
        }
        let best = found.best.expect("feasible");
        assert!(
            (best.value - value).abs() <= 1e-9,
            "{objective}: {} vs {value}",
            best.value
        );
        assert_eq!(best.policy, policy, "{objective}");
        // The figures optimize reports are those of the policy analysed on its own.
        let a = analyze(&j.with_policy(&best.policy)).unwrap();
        assert!((a.all.metric(problem.metric).unwrap() - best.value).abs() <= 1e-12);
    }
}

#[test]
fn a_journey_whose_state_is_its_touchpoint_is_proved() {
    // No context loss, no trigger: the full-state process is the touchpoint graph (with the
    // goal bit), so the best per-touchpoint policy meets the bound.
    let text = FOUR
        .replace("  context_loss 20%\n", "  context_loss 0%\n")
        .replace(
            "  trigger rescue {\n    on abandon at d\n    after 2h\n    via email\n    limit 1\n    -> d 20%\n  }\n",
            "",
        );
    for objective in [
        "objective maximize profit",
        "objective minimize pains",
        "objective maximize conversion",
    ] {
        let j = resolve(&text.replace("OBJECTIVE", objective));
        assert!(j.triggers.is_empty() && j.context_loss == 0.0);
        let problem = Problem::of(&j).unwrap();
        let found = optimize(&j, &problem).unwrap();
        assert_eq!(found.optimality, Optimality::Proved, "{objective}");
        let (value, _) = brute(&j, &problem).unwrap();
        assert!((found.best.unwrap().value - value).abs() <= 1e-9);
    }
}

#[test]
fn a_policy_put_in_force_equals_the_scenario_stating_it() {
    // wallet_rollout through the resolver (its `use` lines) and through `with_policy`.
    let file = package().join("tests/data/v2/shop.journey");
    let options = |scenario: Option<&str>| Options {
        root: Some(package().join("tests/data/v2")),
        scenario: scenario.map(String::from),
    };
    let base = model::resolve(&file, &options(None))
        .unwrap()
        .journey
        .unwrap();
    let scen = model::resolve(&file, &options(Some("wallet_rollout")))
        .unwrap()
        .journey
        .unwrap();
    let policy: Vec<Vec<usize>> = scen
        .decisions()
        .map(|t| scen.touchpoints[t].policy.clone())
        .collect();
    assert_eq!(policy, vec![vec![0, 0, 0], vec![1, 2, 1]]);
    let a = analyze(&base.with_policy(&policy)).unwrap();
    let b = analyze(&scen).unwrap();
    for m in [
        journeyc::model::Metric::Clv,
        journeyc::model::Metric::CostPerCustomer,
        journeyc::model::Metric::Csat,
        journeyc::model::Metric::Conversion(0),
    ] {
        let (x, y) = (a.all.metric(m).unwrap(), b.all.metric(m).unwrap());
        assert!((x - y).abs() <= 1e-12, "{m:?}: {x} vs {y}");
    }
}

fn scratch(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn write_appends_the_policy_as_a_formatted_scenario_that_simulates_to_the_optimum() {
    let original = std::fs::read_to_string(package().join("tests/data/v2/shop.journey")).unwrap();
    let (dir, path) = scratch("shop.journey", &original);
    let (code, _, err) = journeyc_in(
        dir.path(),
        &[
            "optimize",
            "shop.journey",
            "--write",
            "best",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote scenario `best`"), "{err}");
    let written = std::fs::read_to_string(&path).unwrap();
    // Only a scenario is added, before the journey's closing brace, in the canonical layout.
    assert!(written.contains(
        "  scenario best \"Optimal policy: maximize clv\" {\n    touchpoint product_page {\n      use fit_advisor\n    }\n    touchpoint payment {\n      use one_tap\n      use chat_assist for store_loyal\n    }\n  }\n}\n"
    ), "{written}");
    let (code, _, err) = journeyc_in(dir.path(), &["fmt", "--check", "shop.journey"]);
    assert_eq!(code, 0, "{err}");
    // A second --write of the same name is refused.
    let (code, _, err) = journeyc_in(dir.path(), &["optimize", "shop.journey", "--write", "best"]);
    assert_eq!(code, 2);
    assert!(err.contains("already has a scenario `best`"), "{err}");
    // The written scenario, simulated with 10^6 customers: the optimum's exact clv inside its
    // 95% interval.
    let optimum = expected()["journeys"]["shop.journey"]["optimize"]["value"]
        .as_f64()
        .unwrap();
    let (code, out, err) = journeyc_in(
        dir.path(),
        &[
            "simulate",
            "shop.journey",
            "--scenario",
            "best",
            "-n",
            "1000000",
            "--seed",
            "3",
            "--format",
            "json",
        ],
    );
    assert!(code == 0 || code == 1, "{err}");
    let sim: Value = serde_json::from_str(&out).unwrap();
    let clv = &sim["all"]["clv"];
    let (low, high) = (clv["low"].as_f64().unwrap(), clv["high"].as_f64().unwrap());
    assert!(
        low <= optimum && optimum <= high,
        "{optimum} outside [{low}, {high}]"
    );
}

#[test]
fn infeasible_constraints_exit_1_naming_each_with_its_best_value() {
    let text = FOUR.replace(
        "OBJECTIVE",
        "objective maximize profit\n  constraint cost_per_customer <= 0.02\n  constraint conversion >= 10%",
    );
    let (dir, _) = scratch("four.journey", &text);
    let (code, out, err) = journeyc_in(dir.path(), &["optimize", "four.journey"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("No policy meets every constraint."), "{out}");
    assert!(
        out.contains("cost_per_customer <= 0.02: best reachable"),
        "{out}"
    );
    assert!(out.contains("(cannot be met by any policy)"), "{out}");
    assert!(out.contains("conversion >= 10%: best reachable"), "{out}");
    assert!(out.contains("(can be met alone)"), "{out}");
}

#[test]
fn bad_input_is_a_coded_finding_or_a_clear_error() {
    // No options: a usage error naming what to add.
    let (dir, _) = scratch(
        "plain.journey",
        "journey p {\n  channel web digital\n  stage s {\n    touchpoint a on web {\n      entry\n      -> b 50%\n      -> exit\n    }\n    touchpoint b on web { goal g }\n  }\n}\n",
    );
    let (code, _, err) = journeyc_in(dir.path(), &["optimize", "plain.journey"]);
    assert_eq!(code, 2);
    assert!(err.contains("has no options"), "{err}");
    // An objective on a ratio: J0205, exit 1.
    let text = FOUR.replace("OBJECTIVE", "objective maximize cost_per_conversion");
    let (dir, _) = scratch("four.journey", &text);
    let (code, _, err) = journeyc_in(dir.path(), &["optimize", "four.journey"]);
    assert_eq!(code, 1);
    assert!(err.contains("J0205"), "{err}");
    // A bad scenario name for --write.
    let text = FOUR.replace("OBJECTIVE", "");
    let (dir, path) = scratch("four.journey", &text);
    let (code, _, err) = journeyc_in(dir.path(), &["optimize", "four.journey", "--write", "9x"]);
    assert_eq!(code, 2);
    assert!(err.contains("a scenario name is letters"), "{err}");
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        text,
        "nothing written"
    );
    let _ = Path::new(".");
}

#[test]
fn the_table_of_the_shared_sample() {
    let (code, out, err) = journeyc_in(
        &package(),
        &[
            "optimize",
            "tests/data/v2/shop.journey",
            "--root",
            "tests/data/v2",
        ],
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn objective_and_constraints_from_the_command_line_replace_the_files() {
    let args = |extra: &[&str]| {
        let mut a = vec![
            "optimize",
            "examples/decisions.journey",
            "--root",
            "examples",
            "--format",
            "json",
        ];
        a.extend_from_slice(extra);
        journeyc_in(&package(), &a)
    };
    let (code, out, err) = args(&[
        "--objective",
        "maximize conversion",
        "--constraint",
        "cost_per_customer <= 1.0",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["objective"], "maximize conversion");
    assert_eq!(
        v["constraints"],
        serde_json::json!(["cost_per_customer <= 1.0"])
    );
    let best = &v["optimum"];
    assert!(best["constraints"][0]["value"].as_f64().unwrap() <= 1.0 + 1e-9);
    // The same problem written in the file gives the same answer.
    let text = std::fs::read_to_string(package().join("examples/decisions.journey"))
        .unwrap()
        .replace("objective maximize profit", "objective maximize conversion")
        .replace(
            "constraint cost_per_customer <= 1.60",
            "constraint cost_per_customer <= 1.0",
        );
    let (dir, _) = scratch("d.journey", &text);
    let (code, out2, err) = journeyc_in(dir.path(), &["optimize", "d.journey", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let w: Value = serde_json::from_str(&out2).unwrap();
    assert_eq!(w["optimum"]["policy"], best["policy"]);
    assert_eq!(w["optimum"]["value"], best["value"]);
    // A bad line is a finding pointing into the command line, exit 1.
    let (code, _, err) = args(&["--constraint", "cost_per_customer < 1"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("J0001") && err.contains("(command line)"),
        "{err}"
    );
    let (code, _, err) = args(&["--objective", "maximize nps"]);
    assert_eq!(code, 1);
    assert!(err.contains("J0205"), "{err}");
}
