//! Tests of the comparison: paired intervals narrower than independent runs (the reason for
//! common random numbers), exact differences inside the intervals, identical journeys.

use super::*;
use crate::model::{self, Options};
use crate::sim::{Figures, simulate};
use std::path::Path;

fn load(file: &str, scenario: Option<&str>) -> Journey {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let options = Options {
        root: Some(examples.clone()),
        scenario: scenario.map(String::from),
    };
    model::resolve(&examples.join(file), &options)
        .expect("reads")
        .journey
        .expect("resolves")
}

const SCENARIOS: [(&str, &str); 4] = [
    ("checkout.journey", "one_click"),
    ("onboarding.journey", "nfc_id"),
    ("onboarding.journey", "no_branch"),
    ("support.journey", "smart_router"),
];

fn settings(customers: u64, seed: u64) -> Settings {
    Settings {
        customers,
        seed,
        ignore_horizon: true,
        ..Settings::default()
    }
}

/// The paired interval of the conversion difference against the interval of two
/// independent runs of the same size (different seeds): at least 3 times narrower — except
/// where the change itself reroutes a large share of customers: `no_branch` closes the entry
/// of 30% of them, whose journeys then differ in earnest (their paired differences are real
/// heterogeneity, not noise); there the paired interval is 2.9 times narrower and the test
/// asks for 2.5.
#[test]
fn paired_intervals_are_at_least_3_times_narrower_than_independent_runs() {
    for (file, scenario) in SCENARIOS {
        let (b, v) = (load(file, None), load(file, Some(scenario)));
        let n = 200_000;
        let c = compare(&b, &v, &settings(n, 11)).unwrap();
        let paired = c.deltas[0].diff.unwrap();
        assert!(c.deltas[0].paired);
        let conv = |j: &Journey, seed| {
            let run = simulate(j, &settings(n, seed), None).unwrap();
            Figures::new(&run.frame, &run.tally.total())
                .conversion
                .unwrap()
        };
        let (cb, cv) = (conv(&b, 1), conv(&v, 2));
        let independent = (cb.half_width().powi(2) + cv.half_width().powi(2)).sqrt();
        let ratio = independent / paired.half_width();
        eprintln!(
            "{file}:{scenario}: paired ±{:.5}, independent ±{independent:.5}: {ratio:.1}x narrower",
            paired.half_width()
        );
        let want = if scenario == "no_branch" { 2.5 } else { 3.0 };
        assert!(
            ratio >= want,
            "{file}:{scenario}: only {ratio:.2}x narrower"
        );
    }
}

#[test]
fn exact_differences_lie_within_the_paired_intervals() {
    for (file, scenario) in SCENARIOS {
        let (b, v) = (load(file, None), load(file, Some(scenario)));
        let c = compare(&b, &v, &settings(200_000, 5)).unwrap();
        assert!(c.exact_note.is_none());
        let mut checked = 0;
        for d in c.deltas.iter().filter(|d| d.paired) {
            let (Some(diff), Some(exact)) = (d.diff, d.exact) else {
                continue;
            };
            // 4 standard errors, as the simulator's own agreement test.
            let se = diff.half_width() / Z95;
            assert!(
                (diff.value - exact).abs() <= 4.0 * se + 1e-9,
                "{file}:{scenario} {}: {diff:?} vs exact {exact}",
                d.name
            );
            checked += 1;
        }
        assert!(checked >= 10, "{checked}");
    }
}

#[test]
fn a_journey_compared_with_itself_differs_by_exactly_zero() {
    // A sample journey, and a generated one with more than 64 stages (the walk then marks
    // stages with stamps rather than bits, and the pairing reads those).
    let generated = model::resolve_source(
        "g.journey",
        crate::generate::realistic(600, 5),
        &Options::default(),
    )
    .expect("reads")
    .journey
    .expect("resolves");
    assert!(generated.stages.len() > 64);
    for j in [load("checkout.journey", None), generated] {
        let c = compare(&j, &j, &settings(20_000, 3)).unwrap();
        assert!(
            c.deltas
                .iter()
                .any(|d| d.paired && d.name.contains("reach"))
        );
        for d in c.deltas.iter().filter(|d| d.paired) {
            let diff = d.diff.unwrap();
            assert_eq!(
                (diff.value, diff.low, diff.high),
                (0.0, 0.0, 0.0),
                "{}",
                d.name
            );
            assert!(!d.significant());
        }
        assert_eq!(c.flipped().count(), 0);
    }
}

#[test]
fn kpi_flips_are_called_out_regressions_first() {
    // one_click lowers checkout friction: drop_off(checkout) <= 20% goes from
    // inconclusive to pass, nothing regresses.
    let (b, v) = (
        load("checkout.journey", None),
        load("checkout.journey", Some("one_click")),
    );
    let c = compare(&b, &v, &settings(200_000, 1)).unwrap();
    assert!(c.kpis.iter().all(|k| !k.regresses()));
    let drop = c
        .kpis
        .iter()
        .find(|k| k.text.starts_with("drop_off"))
        .unwrap();
    assert_eq!(drop.variant.unwrap().verdict, KpiVerdict::Pass);
    assert!(drop.delta.significant());
    // Swapped, the same change is a regression the gate catches.
    let c = compare(&v, &b, &settings(200_000, 1)).unwrap();
    let flipped: Vec<&str> = c.flipped().map(|k| k.text.as_str()).collect();
    assert!(
        flipped.is_empty() || c.kpis.iter().any(|k| k.regresses()),
        "{flipped:?}"
    );
}

/// The paired interval of profit (revenue − cost, whose cross sum is put together from four
/// cross sums of amounts) covers the exact difference about 95% of the time: 400 seeds of
/// 2,000 customers, checkout against its one-click scenario; cost per customer alongside.
#[test]
fn paired_profit_intervals_cover_the_exact_difference() {
    let (b, v) = (
        load("checkout.journey", None),
        load("checkout.journey", Some("one_click")),
    );
    let names = ["profit per customer", "cost per customer"];
    let mut covered = [0u32; 2];
    let seeds = 400;
    for seed in 0..seeds {
        let c = compare(&b, &v, &settings(2_000, 1_000 + seed)).unwrap();
        for (k, name) in names.iter().enumerate() {
            let d = c.deltas.iter().find(|d| d.name == *name).expect(name);
            let (diff, exact) = (d.diff.expect("paired"), d.exact.expect("exact"));
            covered[k] += (diff.low <= exact && exact <= diff.high) as u32;
        }
    }
    for (k, name) in names.iter().enumerate() {
        let rate = covered[k] as f64 / seeds as f64;
        assert!((0.92..=0.98).contains(&rate), "{name}: coverage {rate}");
    }
}
