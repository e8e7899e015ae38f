//! Simulation benchmark: the engine on the sample journeys (1 and 2 threads) against a raw
//! baseline measured in the same run — a xoshiro256++ generator walking a random absorbing
//! chain through the same alias tables, counting visits and nothing else. Run with
//! `cargo bench --bench simulate`; figures go in docs/performance.md.

use journeyc::model::{self, Journey, Options};
use journeyc::sim::compile::Alias;
use journeyc::sim::{Settings, simulate};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

/// Runs `f` repeatedly for about `budget`; returns the best rate `f` reports (work / s).
fn best_rate(budget: Duration, mut f: impl FnMut() -> u64) -> f64 {
    let start = Instant::now();
    let mut best = 0.0f64;
    let mut runs = 0;
    while runs < 3 || start.elapsed() < budget {
        let t = Instant::now();
        let work = black_box(f());
        best = best.max(work as f64 / t.elapsed().as_secs_f64());
        runs += 1;
    }
    best
}

/// A random absorbing chain of `n` states: from each, three random next states or an exit
/// (with chance `exit`), as alias tables; `walks` walks from state 0, counting visits.
fn raw_baseline(n: usize, walks: u64, exit: f64) -> u64 {
    const EXIT: u32 = u32::MAX;
    let mut setup = Xoshiro256PlusPlus::seed_from_u64(1);
    let mut alias = Alias::default();
    let tables: Vec<_> = (0..n)
        .map(|_| {
            let mut items: Vec<(u32, f64)> = (0..3)
                .map(|_| ((setup.next_u64() % n as u64) as u32, (1.0 - exit) / 3.0))
                .collect();
            items.push((EXIT, exit));
            alias.push(&items)
        })
        .collect();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
    let mut visits = vec![0u64; n];
    for _ in 0..walks {
        let mut s = 0u32;
        loop {
            visits[s as usize] += 1;
            let next = alias.pick(tables[s as usize], rng.next_u64());
            if next == EXIT {
                break;
            }
            s = next;
        }
    }
    visits.iter().sum()
}

fn load(file: &str) -> Journey {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let options = Options {
        root: Some(examples.clone()),
        scenario: None,
    };
    model::resolve(&examples.join(file), &options)
        .expect("reads")
        .journey
        .expect("resolves")
}

/// Visits per second of checkout.journey with a lifecycle of about 5 cycles per customer
/// (repeat and winback 80%, 8% discount: every money event discounted), against the same
/// journey without one, 1 thread: the lifetime walk's cost per visit.
fn lifecycle(budget: Duration) {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/checkout.journey"),
    )
    .expect("reads");
    let end = text.rfind('}').expect("a journey");
    let with = format!(
        "{}  lifecycle {{\n    repeat 80% after 30d..90d\n    winback 80% after 60d..120d\n    discount 8%\n  }}\n}}\n",
        &text[..end]
    );
    let resolve = |text: &str| {
        model::resolve_source("checkout.journey", text, &Options::default())
            .expect("resolves")
            .journey
            .expect("resolves")
    };
    let rate = |j: &Journey, lifetime: bool| {
        best_rate(budget, || {
            let settings = Settings {
                customers: 1_000_000,
                threads: 1,
                ..Settings::default()
            };
            let run = simulate(j, &settings, None).expect("simulates");
            run.tally
                .segments
                .iter()
                .map(|s| if lifetime { s.life.visits } else { s.touches })
                .sum()
        })
    };
    let (without, with) = (rate(&resolve(&text), false), rate(&resolve(&with), true));
    println!(
        "{:30} 1 thread {:6.1} M visits/s over all cycles, {:3.0}% of the {:.1} M visits/s without a lifecycle",
        "checkout, lifecycle of ~5 cycles",
        with / 1e6,
        100.0 * with / without,
        without / 1e6
    );
}

fn main() {
    let budget = Duration::from_secs(3);
    let raw = best_rate(budget, || raw_baseline(1024, 1_000_000, 0.1));
    println!(
        "raw baseline (1 thread, 10 visits per walk): {:7.1} M visits/s",
        raw / 1e6
    );
    // The same with walks as short as the sample journeys' (about 2.7 visits per customer).
    let short = best_rate(budget, || raw_baseline(1024, 3_000_000, 0.37));
    println!(
        "raw baseline (1 thread, 2.7 visits per walk): {:7.1} M visits/s",
        short / 1e6
    );
    let cases = [
        ("checkout", load("checkout.journey")),
        ("onboarding", load("onboarding.journey")),
        ("support", load("support.journey")),
        (
            "realistic 10,000 touchpoints",
            model::resolve_source(
                "generated.journey",
                journeyc::generate::realistic(10_000, 1),
                &Options::default(),
            )
            .expect("resolves")
            .journey
            .expect("resolves"),
        ),
    ];
    lifecycle(budget);
    for (name, j) in &cases {
        let rate = |threads| {
            best_rate(budget, || {
                let settings = Settings {
                    customers: 1_000_000,
                    threads,
                    ..Settings::default()
                };
                let run = simulate(j, &settings, None).expect("simulates");
                run.tally.segments.iter().map(|s| s.touches).sum()
            })
        };
        let (one, two) = (rate(1), rate(2));
        println!(
            "{name:30} 1 thread {:6.1} M visits/s ({:4.0}% of raw), 2 threads {:6.1} M visits/s (x{:.2})",
            one / 1e6,
            100.0 * one / raw,
            two / 1e6,
            two / one
        );
    }
}
