//! Exact-analysis benchmark: `analyze` on a generated 10,000-touchpoint journey (a long
//! chain in stages, forward branches, a few loops back, a trigger; two segments) and on a
//! 100,000-touchpoint one, plus the 1,000,000-touchpoint bare chain. Run with
//! `cargo bench --bench analyze`; figures go in docs/simulation.md ("Exact analysis").

mod common;

use common::{journey, median};
use journeyc::analyze::analyze;
use std::time::Duration;

fn main() {
    let budget = Duration::from_secs(3);
    let cases = [
        (
            "realistic 10,000 touchpoints",
            journeyc::generate::realistic(10_000, 1),
        ),
        (
            "realistic 100,000 touchpoints",
            journeyc::generate::realistic(100_000, 1),
        ),
        (
            "chain 1,000,000 touchpoints",
            journeyc::generate::chain(1_000_000),
        ),
    ];
    // The lifetime figures (LANGUAGE-2.md §3) of a 1,000-touchpoint journey: one more solve
    // of a discounted chain per segment, against the first-cycle analysis.
    let first = journeyc::generate::realistic(1_000, 1);
    let end = first.rfind('}').expect("a journey");
    let life = format!(
        "{}  lifecycle {{\n    repeat 40% after 30d..90d\n    winback 10% after 60d\n    discount 8%\n  }}\n}}\n",
        &first[..end]
    );
    let (a, b) = (journey(&first), journey(&life));
    let t_first = median(budget, || analyze(&a).expect("analyzes"));
    let t_life = median(budget, || analyze(&b).expect("analyzes"));
    println!(
        "realistic 1,000 touchpoints: analyze {:8.2} ms, with a lifecycle {:8.2} ms ({:.2}x)",
        t_first.as_secs_f64() * 1e3,
        t_life.as_secs_f64() * 1e3,
        t_life.as_secs_f64() / t_first.as_secs_f64()
    );
    for (name, text) in cases {
        let j = journey(&text);
        let a = analyze(&j).expect("analyzes");
        let time = median(budget, || analyze(&j).expect("analyzes"));
        println!(
            "{name}: analyze {:8.1} ms ({} states, residual {:.1e}, conversion {:.3e})",
            time.as_secs_f64() * 1e3,
            a.states,
            a.residual,
            a.all.conversion.unwrap_or(f64::NAN)
        );
    }
}
