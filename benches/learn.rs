//! Learn benchmark: `learn` (Thompson sampling, batches of 1,000) on the generated journey with
//! options (`journeyc::generate::with_options`: 1,000 touchpoints, 100 of them with 3
//! choices, 2 segments, one cost cap), against `simulate` of the same journey and customers in
//! the same run, both on one thread and on every core. Issue 14's target: learn at ≥ 25% of
//! simulate's customers/s. Run with `cargo bench --bench learn` (`LEARN_CUSTOMERS`, default
//! 100,000); figures go in docs/performance.md ("Learn").

mod common;

use common::{journey, median};
use journeyc::analyze::optimize::{Problem, optimize};
use journeyc::sim::learn::{Method, Settings as LearnSettings, learn};
use journeyc::sim::{Settings, simulate};
use std::time::Duration;

fn main() {
    let customers: u64 = std::env::var("LEARN_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let budget = Duration::from_secs(5);
    let j = journey(&journeyc::generate::with_options(1_000, 100, 7));
    let problem = Problem::of(&j).expect("an objective");
    let optimum = optimize(&j, &problem).expect("optimizes");
    // Without an enumerated table optimize has no supporting price: charge 1 per unit.
    let prices = optimum
        .prices
        .is_none()
        .then(|| vec![1.0; problem.constraints.len()]);
    for (threads, batch) in [(1, 1_000), (0, 1_000), (1, 10_000), (0, 10_000)] {
        let sim = Settings {
            customers,
            seed: 1,
            threads,
            ..Settings::default()
        };
        let learn_settings = LearnSettings {
            customers,
            batch,
            method: Method::Thompson,
            seed: 1,
            threads,
            prices: prices.clone(),
        };
        let s = median(budget, || simulate(&j, &sim, None).expect("simulates"));
        let mut analysed = 0;
        let l = median(budget, || {
            let out = learn(&j, &problem, &optimum, &learn_settings).expect("learns");
            analysed = out.analysed;
            out
        });
        let (s_rate, l_rate) = (
            customers as f64 / s.as_secs_f64(),
            customers as f64 / l.as_secs_f64(),
        );
        println!(
            "{} thread(s), batch {batch}, {customers} customers: simulate {:7.1} ms ({:.2} M customers/s), \
             learn {:7.1} ms ({:.2} M customers/s, {analysed} policies analysed): {:.0}%",
            if threads == 0 {
                "all".to_string()
            } else {
                threads.to_string()
            },
            s.as_secs_f64() * 1e3,
            s_rate / 1e6,
            l.as_secs_f64() * 1e3,
            l_rate / 1e6,
            100.0 * l_rate / s_rate
        );
    }
}
