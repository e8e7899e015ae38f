//! Optimize benchmark: `optimize` on generated journeys with options
//! (`journeyc::generate::with_options`: 1,000 touchpoints, 100 of them with 3 choices, 2
//! segments, one cost cap that binds), and on the shared sample `shop.journey` (512
//! policies, enumerated), beside one `analyze` of the same journey. Run with
//! `cargo bench --bench optimize`; figures go in docs/performance.md ("Optimize").

mod common;

use common::{journey, median};
use journeyc::analyze::analyze;
use journeyc::analyze::optimize::{Problem, optimize};
use journeyc::model::{Comparison, Metric};
use std::time::Duration;

fn main() {
    let budget = Duration::from_secs(3);
    for (n, d) in [(1_000, 100), (10_000, 1_000)] {
        let j = journey(&journeyc::generate::with_options(n, d, 7));
        let problem = Problem::of(&j).expect("an objective");
        let found = optimize(&j, &problem).expect("optimizes");
        let time = median(budget, || optimize(&j, &problem).expect("optimizes"));
        let once = median(budget, || analyze(&j).expect("analyzes"));
        println!(
            "generated {n} touchpoints, {d} decisions x 3 choices, 2 segments: optimize {:8.1} ms \
             ({:?}, {} policies analysed, gap {:.2e}); one analyze {:6.1} ms",
            time.as_secs_f64() * 1e3,
            found.optimality,
            found.analysed,
            found.bound.unwrap_or(f64::NAN) - found.best.map_or(f64::NAN, |b| b.value),
            once.as_secs_f64() * 1e3,
        );
    }
    // Over the lifetime: the 1,000-touchpoint journey with a lifecycle (12 cycles at most),
    // `clv` under the first-cycle cost cap (discounted beside undiscounted: the grid of the
    // discount factor) and purchases under a lifetime budget (exact layers).
    let text = journeyc::generate::with_options(1_000, 100, 7);
    let j = journey(&journeyc::generate::with_lifecycle(&text, "10%"));
    let cap = Problem::of(&j).expect("an objective").constraints;
    let mut budget_kpi = cap[0].clone();
    budget_kpi.metric = Metric::LifetimeCost;
    budget_kpi.comparison = Comparison::Le;
    budget_kpi.target = 20.0;
    for (what, problem) in [
        (
            "clv under the cost cap",
            Problem {
                metric: Metric::Clv,
                maximize: true,
                constraints: cap.clone(),
            },
        ),
        (
            "purchases under lifetime_cost <= 20",
            Problem {
                metric: Metric::Purchases,
                maximize: true,
                constraints: vec![budget_kpi.clone()],
            },
        ),
    ] {
        let found = optimize(&j, &problem).expect("optimizes");
        let time = median(budget, || optimize(&j, &problem).expect("optimizes"));
        println!(
            "generated 1000 touchpoints with a lifecycle, {what}: optimize {:8.1} ms ({:?}, \
             {} policies analysed, value {:.6}, bound {:.6})",
            time.as_secs_f64() * 1e3,
            found.optimality,
            found.analysed,
            found.best.map_or(f64::NAN, |b| b.value),
            found.bound.unwrap_or(f64::NAN),
        );
    }
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/v2/shop.journey"),
    )
    .expect("the shared sample");
    let j = journey(&text);
    let problem = Problem::of(&j).expect("an objective");
    let time = median(budget, || optimize(&j, &problem).expect("optimizes"));
    println!(
        "shop.journey (512 policies, clv under a cost cap): optimize {:8.1} ms",
        time.as_secs_f64() * 1e3
    );
}
