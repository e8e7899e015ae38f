//! `optimize` at size: a generated journey of 1,000 touchpoints with options at 100 of them
//! (3¹⁰⁰ choices per segment, 2 segments) and a cost cap. Too many policies to enumerate, so
//! the policy comes from the full-state decision process, analysed exactly; its value must
//! lie within the stated gap of the bound, and be feasible. The same past enumeration for
//! lifetime objectives (a generated journey with a lifecycle).

use journeyc::analyze::analyze;
use journeyc::analyze::optimize::{Optimality, Problem, meets, optimize};
use journeyc::model::{Options, resolve_source};

#[test]
fn a_thousand_touchpoints_with_100_decisions_get_a_feasible_policy_within_the_bound() {
    let text = journeyc::generate::with_options(1000, 100, 7);
    let c = resolve_source("big.journey", text, &Options::default()).unwrap();
    let j = c.journey.unwrap_or_else(|| panic!("{:?}", c.findings));
    assert_eq!(j.decisions().count(), 100);
    let problem = Problem::of(&j).unwrap();
    let found = optimize(&j, &problem).unwrap();
    let best = found.best.as_ref().unwrap_or_else(|| {
        panic!(
            "no feasible policy: given {:?}, bound {:?}, unmet {:?}",
            found.given.constraints, found.bound, found.unmet
        )
    });
    let bound = found.bound.expect("a bound");
    assert!(matches!(
        found.optimality,
        Optimality::Proved | Optimality::BestFound
    ));
    assert!(
        best.value <= bound + 1e-9,
        "{} above the bound {bound}",
        best.value
    );
    // Its figures are those of the policy analysed on its own.
    let a = analyze(&j.with_policy(&best.policy)).unwrap();
    assert!((a.all.touches - best.value).abs() < 1e-9);
    assert!(meets(&problem.constraints[0], a.all.cost_per_customer));
    // Better than the journey as written, and within 2% of the bound.
    assert!(best.value >= found.given.value - 1e-9);
    assert!(
        (bound - best.value) / bound.abs() < 0.02,
        "gap {} of {bound}",
        bound - best.value
    );
    eprintln!(
        "{:?}: touches {} (as written {}), bound {bound}",
        found.optimality, best.value, found.given.value
    );
}

/// Lifetime objectives past enumeration (20 decisions: 3²⁰ choices per segment): the
/// full-state bound over the lifetime (cycle by cycle; a grid of the discount factor where
/// `clv` sits beside the first-cycle cost cap) is stated, the policy found lies on its right
/// side, is feasible, and its figures are its own exact analysis.
#[test]
fn lifetime_objectives_past_enumeration_get_a_bound() {
    use journeyc::model::{Comparison, Metric};
    let text = journeyc::generate::with_options(40, 20, 7);
    let text = journeyc::generate::with_lifecycle(&text, "10%");
    let c = resolve_source("life.journey", text, &Options::default()).unwrap();
    let j = c.journey.unwrap_or_else(|| panic!("{:?}", c.findings));
    let cap = Problem::of(&j).unwrap().constraints;
    let mut budget = cap[0].clone();
    budget.metric = Metric::LifetimeCost;
    budget.comparison = Comparison::Le;
    budget.target = 6.5;
    for problem in [
        Problem {
            metric: Metric::Clv,
            maximize: true,
            constraints: cap.clone(),
        },
        Problem {
            metric: Metric::Purchases,
            maximize: true,
            constraints: vec![budget.clone()],
        },
        Problem {
            metric: Metric::LifetimeCost,
            maximize: false,
            constraints: Vec::new(),
        },
    ] {
        let what = format!("{:?}", problem.metric);
        let found = optimize(&j, &problem).unwrap();
        let best = found
            .best
            .as_ref()
            .unwrap_or_else(|| panic!("{what}: none feasible"));
        let bound = found.bound.unwrap_or_else(|| panic!("{what}: no bound"));
        let gap = if problem.maximize {
            bound - best.value
        } else {
            best.value - bound
        };
        assert!(
            gap >= -1e-9 * bound.abs().max(1.0),
            "{what}: {} past {bound}",
            best.value
        );
        let a = analyze(&j.with_policy(&best.policy)).unwrap();
        assert!(
            (a.all.metric(problem.metric).unwrap() - best.value).abs() < 1e-9,
            "{what}"
        );
        for k in &problem.constraints {
            assert!(meets(k, a.all.metric(k.metric).unwrap()), "{what}");
        }
        if problem.maximize {
            assert!(best.value >= found.given.value - 1e-9, "{what}");
        } else {
            assert!(best.value <= found.given.value + 1e-9, "{what}");
        }
        eprintln!(
            "{what}: {:?}, {} (as written {}), bound {bound}",
            found.optimality, best.value, found.given.value
        );
    }
}
