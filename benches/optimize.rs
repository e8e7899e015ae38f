//! Optimize benchmark: `optimize` on generated journeys with options
//! (`journeyc::generate::with_options`: 1,000 touchpoints, 100 of them with 3 choices, 2
//! segments, one cost cap that binds), and on the shared sample `shop.journey` (512
//! policies, enumerated), beside one `analyze` of the same journey. Run with
//! `cargo bench --bench optimize`; figures go in docs/performance.md ("Optimize").

mod common;

use common::{journey, median};
use journeyc::analyze::analyze;
use journeyc::analyze::optimize::{Problem, optimize};
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
