//! The exact analyzer against `tests/data/v2/expected.json`, a copy of the shared figures of
//! the version-2 sample `shop.journey` from an independent implementation of LANGUAGE-2.md:
//! per-segment attributes (§1), CSAT and effort (§2) and named context groups (§6), to 1e-6,
//! over all customers and per segment, for the journey as written, its scenario
//! `size_chart_fix` and its policy `wallet_rollout` (options, §4), lifetime figures (§3)
//! included.
//!
//! The journey is `tests/data/v2/shop.journey`, the shared sample itself; and
//! `tests/fixtures/v2/shop_as_is.journey`, the sample without its options (what the other
//! version-2 tests read), must give the same figures as the sample as written.

use journeyc::analyze::{Figures, analyze};
use journeyc::model::{self, Journey, Metric, Options};
use serde_json::Value;
use std::path::{Path, PathBuf};

const TOLERANCE: f64 = 1e-6;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v2")
}

fn load(file: &Path, scenario: Option<&str>) -> Journey {
    let options = Options {
        root: file.parent().map(Path::to_path_buf),
        scenario: scenario.map(String::from),
    };
    let compiled = model::resolve(file, &options).expect("reads the fixture");
    compiled
        .journey
        .unwrap_or_else(|| panic!("does not resolve: {:?}", compiled.findings))
}

struct Check<'a> {
    j: &'a Journey,
    errors: Vec<String>,
    checked: usize,
}

impl Check<'_> {
    fn one(&mut self, what: String, got: Option<f64>, want: &Value) {
        let want = want.as_f64().unwrap_or_else(|| panic!("{what}: {want}"));
        self.checked += 1;
        match got {
            Some(g) if (g - want).abs() <= TOLERANCE => {}
            _ => self
                .errors
                .push(format!("{what}: got {got:?}, expected {want}")),
        }
    }

    fn tp(&self, name: &str) -> usize {
        self.j
            .touchpoint(name)
            .unwrap_or_else(|| panic!("no touchpoint {name}"))
    }

    /// Every figure of one population (`figures`) against `want`.
    fn population(&mut self, key: &str, f: &Figures, want: &Value) {
        for (figure, value) in want.as_object().expect("an object") {
            let what = format!("{key} {figure}");
            // Not figures: the scenario's label and policy, its optimum (§4), the segments
            // (checked by the caller).
            let not_figures = ["label", "policy", "optimize", "per_segment"];
            if not_figures.contains(&figure.as_str()) {
                continue;
            }
            let plain = |m: Metric| f.metric(m);
            match figure.as_str() {
                "conversion" => self.one(what, f.conversion, value),
                "touches" => self.one(what, plain(Metric::Touches), value),
                "pains" => self.one(what, plain(Metric::Pains), value),
                "sentiment" => self.one(what, plain(Metric::Sentiment), value),
                "cost_per_customer" => self.one(what, plain(Metric::CostPerCustomer), value),
                "revenue_per_customer" => self.one(what, plain(Metric::RevenuePerCustomer), value),
                "profit" => self.one(what, plain(Metric::Profit), value),
                "cost_per_conversion" => self.one(what, plain(Metric::CostPerConversion), value),
                "mean_time_to_convert" => self.one(what, f.time_to_convert.mean, value),
                "csat" => self.one(what, plain(Metric::Csat), value),
                "effort" => self.one(what, plain(Metric::Effort), value),
                "ces" => self.one(what, plain(Metric::Ces), value),
                "cycles" => self.one(what, plain(Metric::Cycles), value),
                "purchases" => self.one(what, plain(Metric::Purchases), value),
                "clv" => self.one(what, plain(Metric::Clv), value),
                "csat_tp" | "reach" | "drop_off" => {
                    for (name, v) in value.as_object().expect("touchpoints") {
                        let t = self.tp(name);
                        let got = match figure.as_str() {
                            "csat_tp" => f.metric(Metric::CsatAt(t)),
                            "reach" => f.metric(Metric::Reach(t)),
                            _ => f.metric(Metric::DropOff(t)),
                        };
                        self.one(format!("{what}({name})"), got, v);
                    }
                }
                "trigger_fires" => {
                    for (name, v) in value.as_object().expect("triggers") {
                        let k = self
                            .j
                            .triggers
                            .iter()
                            .position(|t| t.name == *name)
                            .unwrap_or_else(|| panic!("no trigger {name}"));
                        self.one(format!("{what}({name})"), Some(f.triggers[k].firings), v);
                    }
                }
                other => {
                    let arg = |name: &str| {
                        other
                            .strip_prefix(name)
                            .and_then(|a| a.strip_prefix('('))
                            .and_then(|a| a.strip_suffix(')'))
                    };
                    if let Some(goal) = arg("conversion") {
                        let g = self.j.goal(goal).expect("a goal");
                        self.one(what, Some(f.goals[g]), value)
                    } else if let Some(k) = arg("retention") {
                        let k = k.parse().expect("a number");
                        self.one(what, f.metric(Metric::Retention(k)), value)
                    } else {
                        panic!("unknown figure {other}")
                    }
                }
            }
        }
    }
}

fn check(file: &Path, scenario: Option<&str>, want: &Value) -> (usize, Vec<String>) {
    let j = load(file, scenario);
    let a = analyze(&j).expect("analyzes");
    let key = scenario.unwrap_or("baseline");
    let mut c = Check {
        j: &j,
        errors: Vec::new(),
        checked: 0,
    };
    c.population(key, &a.all, want);
    // The policy in force: the option each segment gets where it is not `as_is`.
    for (s, segment) in j.segments.iter().enumerate() {
        for (t, tp) in j.touchpoints.iter().enumerate() {
            let Some(got) = tp.choice_of(s) else { continue };
            let stated = want["policy"][&segment.name][&tp.name]
                .as_str()
                .unwrap_or("as_is");
            c.checked += 1;
            if got != stated {
                c.errors.push(format!(
                    "{key}: {} at {} uses {got}, expected {stated} ({t})",
                    segment.name, tp.name
                ));
            }
        }
    }
    for (seg, figures) in want["per_segment"].as_object().expect("per_segment") {
        let s = j.segment(seg).expect("a segment");
        c.population(&format!("{key}.{seg}"), &a.segments[s], figures);
    }
    (c.checked, c.errors)
}

#[test]
fn first_cycle_figures_of_the_version_2_sample_match_the_independent_implementation() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/v2/expected.json"),
    )
    .expect("tests/data/v2/expected.json");
    let expected: Value = serde_json::from_str(&text).expect("valid JSON");
    let shop = &expected["journeys"]["shop.journey"];
    let mut errors = Vec::new();
    let mut checked = 0;
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/v2/shop.journey");
    let as_is = fixtures().join("shop_as_is.journey");
    for (file, scenario, want) in [
        (&sample, None, &shop["baseline"]),
        (
            &sample,
            Some("size_chart_fix"),
            &shop["scenarios"]["size_chart_fix"],
        ),
        (
            &sample,
            Some("wallet_rollout"),
            &shop["scenarios"]["wallet_rollout"],
        ),
        (&as_is, None, &shop["baseline"]),
        (
            &as_is,
            Some("size_chart_fix"),
            &shop["scenarios"]["size_chart_fix"],
        ),
    ] {
        let (n, e) = check(file, scenario, want);
        checked += n;
        errors.extend(e);
    }
    assert!(checked > 900, "only {checked} figures compared");
    assert!(
        errors.is_empty(),
        "{} of {checked} figures differ:\n{}",
        errors.len(),
        errors.join("\n")
    );
}
