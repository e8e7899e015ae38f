//! The simulator against the exact analyzer (itself checked against an independent
//! implementation in `analyze_expected.rs`): every sample journey and each of its scenarios,
//! 1,000,000 customers with the horizon switched off, every compared figure within 4
//! standard errors; and the honesty of the intervals over many seeds.

use journeyc::analyze::analyze;
use journeyc::model::{self, Journey, Options};
use journeyc::sim::stats::Z95;
use journeyc::sim::{Estimate, Figures, Settings, simulate};
use std::path::{Path, PathBuf};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn load(file: &str, scenario: Option<&str>) -> Journey {
    let options = Options {
        root: Some(examples()),
        scenario: scenario.map(String::from),
    };
    let compiled = model::resolve(&examples().join(file), &options).expect("reads");
    compiled
        .journey
        .unwrap_or_else(|| panic!("{file}: does not resolve: {:?}", compiled.findings))
}

/// Every journey and scenario of the samples.
const CASES: [(&str, Option<&str>); 7] = [
    ("checkout.journey", None),
    ("checkout.journey", Some("one_click")),
    ("onboarding.journey", None),
    ("onboarding.journey", Some("nfc_id")),
    ("onboarding.journey", Some("no_branch")),
    ("support.journey", None),
    ("support.journey", Some("smart_router")),
];

/// Records whether `e` lies within 4 standard errors of `exact`.
fn compare(misses: &mut Vec<String>, what: String, e: Estimate, exact: f64) {
    let se = e.half_width() / Z95;
    let gap = (e.value - exact).abs();
    if gap > 4.0 * se + 1e-12 {
        misses.push(format!(
            "{what}: simulated {} (se {se:.2e}), exact {exact}: {:.1} standard errors",
            e.value,
            gap / se
        ));
    }
}

#[test]
fn simulation_agrees_with_the_exact_analysis_within_4_standard_errors() {
    let mut misses = Vec::new();
    let mut compared = 0;
    for (file, scenario) in CASES {
        let j = load(file, scenario);
        let name = format!(
            "{file}{}",
            scenario.map(|s| format!(":{s}")).unwrap_or_default()
        );
        let exact = analyze(&j).expect("analyzes");
        let settings = Settings {
            customers: 1_000_000,
            seed: 2026,
            ignore_horizon: true,
            ..Settings::default()
        };
        let run = simulate(&j, &settings, None).expect("simulates");
        let sim = Figures::new(&run.frame, &run.tally.total());
        let mut check = |what: &str, e: Estimate, x: f64| {
            compare(&mut misses, format!("{name} {what}"), e, x);
            compared += 1;
        };
        check(
            "conversion",
            sim.conversion.unwrap(),
            exact.all.conversion.unwrap(),
        );
        for (g, goal) in j.goals.iter().enumerate() {
            check(
                &format!("conversion({})", goal.name),
                sim.goals[g],
                exact.all.goals[g],
            );
        }
        check("touches", sim.touches, exact.all.touches);
        check("pains", sim.pains, exact.all.pains);
        check(
            "cost per customer",
            sim.cost_per_customer.expect("no clipped totals"),
            exact.all.cost_per_customer,
        );
        check(
            "revenue per customer",
            sim.revenue_per_customer.expect("no clipped totals"),
            exact.all.revenue_per_customer,
        );
        check(
            "profit",
            sim.profit.expect("no clipped totals"),
            exact.all.profit,
        );
        check("sentiment", sim.sentiment, exact.all.sentiment);
        check(
            "mean time to convert",
            sim.time_to_convert[0].unwrap(),
            exact.all.time_to_convert.mean.unwrap(),
        );
        for (k, tp) in j.touchpoints.iter().enumerate() {
            let (s, x) = (&sim.touchpoints[k], &exact.all.touchpoints[k]);
            check(&format!("reach({})", tp.name), s.reach, x.reach);
            check(&format!("visits({})", tp.name), s.visits, x.visits);
            if let (Some(s), Some(x)) = (s.drop_off, x.drop_off) {
                check(&format!("drop_off({})", tp.name), s, x);
            }
        }
        for (s, seg) in j.segments.iter().enumerate() {
            let f = Figures::new(&run.frame, &run.tally.segments[s]);
            let x = &exact.segments[s];
            check(
                &format!("{} conversion", seg.name),
                f.conversion.unwrap(),
                x.conversion.unwrap(),
            );
            check(
                &format!("{} cost", seg.name),
                f.cost_per_customer.expect("no clipped totals"),
                x.cost_per_customer,
            );
            check(
                &format!("{} profit", seg.name),
                f.profit.expect("no clipped totals"),
                x.profit,
            );
        }
        // Nobody times out with the horizon off, and nobody gets stuck in these journeys.
        assert_eq!(run.tally.total().outcomes[3..], [0, 0], "{name}");
    }
    assert!(
        misses.is_empty(),
        "{} of {compared} figures missed:\n{}",
        misses.len(),
        misses.join("\n")
    );
    assert!(compared > 150, "{compared}");
    eprintln!("{compared} figures within 4 standard errors");
}

/// Over 2,000 seeds at 1,000 customers, the 95% interval of conversion covers the exact
/// value in 93–97% of runs (the binomial spread of the count of 2,000 is ±1%).
#[test]
fn conversion_intervals_cover_the_exact_value_95_percent_of_the_time() {
    for (file, scenario) in [("checkout.journey", None), ("support.journey", None)] {
        let j = load(file, scenario);
        let exact = analyze(&j).unwrap().all.conversion.unwrap();
        let runs = 2_000;
        let covered = (0..runs)
            .filter(|&seed| {
                let settings = Settings {
                    customers: 1_000,
                    seed,
                    threads: 1,
                    ignore_horizon: true,
                    ..Settings::default()
                };
                let run = simulate(&j, &settings, None).unwrap();
                let e = Figures::new(&run.frame, &run.tally.total())
                    .conversion
                    .unwrap();
                e.low <= exact && exact <= e.high
            })
            .count();
        let rate = covered as f64 / runs as f64;
        eprintln!(
            "{file}: the 95% interval covered the exact conversion in {rate:.4} of {runs} runs"
        );
        assert!((0.93..=0.97).contains(&rate), "{file}: coverage {rate}");
    }
}
