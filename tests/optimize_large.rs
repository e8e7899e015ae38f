//! `optimize` at size: a generated journey of 1,000 touchpoints with options at 100 of them
//! (3¹⁰⁰ choices per segment, 2 segments) and a cost cap. Too many policies to enumerate, so
//! the policy comes from the full-state decision process, analysed exactly; its value must
//! lie within the stated gap of the bound, and be feasible.

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
