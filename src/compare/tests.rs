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
/// heterogeneity, not noise); there the paired interval is 2.5 times narrower (2.9 when
/// paired runs reordered the distributions to couple them; each side now keeps its own
/// tables so that its figures are `simulate`'s) and the test asks for 2.3.
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
        let want = if scenario == "no_branch" { 2.3 } else { 3.0 };
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

/// The paired lifetime differences (LANGUAGE-2.md §3) of a scenario that changes only the
/// lifecycle (repeat 40% → 60%): over 400 seeds of 2,000 customers, the 95% intervals of clv
/// and cycles per customer cover the exact difference 92–98% of the time, and they are
/// paired (a KPI on clv reads the paired row). (A change that moves few customers — the
/// example's `loyalty_push`, some 7 customers in 2,000 — leaves too few differences for the
/// interval's normal approximation: its coverage there is far below 95%, and reaches it only
/// with tens of thousands of customers.)
#[test]
fn paired_lifetime_intervals_cover_the_exact_difference() {
    let text = "journey t {
      channel web digital { cost 1 }
      stage s {
        touchpoint a on web { entry duration 1d -> b 50% -> exit }
        touchpoint b on web { goal buy value 40 }
      }
      lifecycle { repeat 40% after 30d..90d winback 10% after 60d discount 8% }
      kpi clv >= 10
      scenario loyal { lifecycle { repeat 60% } }
    }";
    let resolve = |scenario: Option<&str>| {
        let c = model::resolve_source("t.journey", text, &model::Options::default()).unwrap();
        match scenario {
            None => c.journey.unwrap(),
            Some(s) => c.scenario(s).unwrap().0.unwrap(),
        }
    };
    let (b, v) = (resolve(None), resolve(Some("loyal")));
    let names = ["clv", "cycles per customer"];
    let mut covered = [0u32; 2];
    let seeds = 400;
    for seed in 0..seeds {
        let c = compare(&b, &v, &settings(2_000, 5_000 + seed)).unwrap();
        for (k, name) in names.iter().enumerate() {
            let d = c.deltas.iter().find(|d| d.name == *name).expect(name);
            assert!(d.paired, "{name}");
            let (diff, exact) = (d.diff.expect("paired"), d.exact.expect("exact"));
            covered[k] += (diff.low <= exact && exact <= diff.high) as u32;
        }
        assert!(
            c.kpis.iter().all(|k| k.delta.paired),
            "the clv KPI reads the paired row"
        );
    }
    for (k, name) in names.iter().enumerate() {
        let rate = covered[k] as f64 / seeds as f64;
        eprintln!("{name}: the paired interval covered the exact difference in {rate:.3}");
        assert!((0.92..=0.98).contains(&rate), "{name}: coverage {rate}");
    }
}

#[test]
fn each_side_of_a_comparison_is_the_run_simulate_makes() {
    // One figure, one value: the baseline and the scenario of a paired run have exactly the
    // totals of `simulate` with the same seed and customers (and any thread count).
    for (file, scenario) in SCENARIOS {
        let (b, v) = (load(file, None), load(file, Some(scenario)));
        let c = compare(&b, &v, &settings(30_000, 9)).unwrap();
        let mut threads = settings(30_000, 9);
        threads.threads = 3;
        let solo_b = simulate(&b, &threads, None).unwrap();
        let solo_v = simulate(&v, &settings(30_000, 9), None).unwrap();
        assert_eq!(c.paired.base.tally, solo_b.tally, "{file}: baseline");
        assert_eq!(c.paired.variant.tally, solo_v.tally, "{file}:{scenario}");
    }
}

#[test]
fn kpi_status_says_which_way_a_target_moved() {
    use crate::model::Comparison::{Ge, Gt, Le, Lt};
    assert_eq!(KpiStatus::of((Ge, 0.1), (Ge, 0.1)), KpiStatus::Same);
    assert_eq!(KpiStatus::of((Ge, 10.0), (Ge, 5.0)), KpiStatus::Relaxed);
    assert_eq!(KpiStatus::of((Ge, 5.0), (Ge, 10.0)), KpiStatus::Tightened);
    assert_eq!(KpiStatus::of((Le, 0.2), (Le, 0.3)), KpiStatus::Relaxed);
    assert_eq!(KpiStatus::of((Le, 0.3), (Lt, 0.2)), KpiStatus::Tightened);
    assert_eq!(KpiStatus::of((Ge, 0.3), (Gt, 0.3)), KpiStatus::Tightened);
    assert_eq!(KpiStatus::of((Lt, 0.3), (Le, 0.3)), KpiStatus::Relaxed);
    assert_eq!(KpiStatus::of((Ge, 0.3), (Le, 0.3)), KpiStatus::Changed);
}

/// Without the exact analysis the comparison is the same but for the exact values; `delta_of`
/// finds a figure's difference by its metric — paired for conversion, pains and NPS, unpaired
/// for cost per conversion — and none for a figure compare does not compute.
#[test]
fn compare_simulated_and_delta_of() {
    let (b, v) = (
        load("checkout.journey", None),
        load("checkout.journey", Some("one_click")),
    );
    let s = settings(5_000, 4);
    let full = compare(&b, &v, &s).unwrap();
    let quick = compare_simulated(&b, &v, &s).unwrap();
    assert_eq!(quick.exact_note.as_deref(), Some("not analysed"));
    assert_eq!(full.deltas.len(), quick.deltas.len());
    for (a, q) in full.deltas.iter().zip(&quick.deltas) {
        assert_eq!((&a.name, a.diff, a.paired), (&q.name, q.diff, q.paired));
        assert_eq!(q.exact, None);
    }
    let primary = b.primary_goal.expect("a primary goal");
    for (m, paired) in [
        (Metric::Conversion(primary), true),
        (Metric::Pains, true),
        (Metric::Nps, true),
        (Metric::Profit, true),
        (Metric::CostPerConversion, false),
    ] {
        let d = quick.delta_of(m).unwrap_or_else(|| panic!("{m:?}"));
        assert_eq!(d.paired, paired, "{m:?}: {d:?}");
        let (bv, vv) = (d.base.unwrap().value, d.variant.unwrap().value);
        assert!(
            (d.diff.unwrap().value - (vv - bv)).abs() < 1e-9,
            "{m:?}: {d:?}"
        );
    }
    assert_eq!(quick.delta_of(Metric::Csat), None);
}
