//! Front-end benchmark: parse, resolve and check a generated 10,000-touchpoint journey
//! (about 1 MB), each phase timed separately, plus the 1,000,000-touchpoint chain.
//! Run with `cargo bench --bench front_end`; figures go in docs/performance.md.

use journeyc::model::{Options, resolve_source};
use journeyc::source::FileId;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Runs `f` repeatedly for about `budget` and returns the median time of one run.
fn median<T>(budget: Duration, mut f: impl FnMut() -> T) -> Duration {
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 5 || (start.elapsed() < budget && times.len() < 200) {
        let t = Instant::now();
        black_box(f());
        times.push(t.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:9.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let budget = Duration::from_secs(3);
    for (name, text) in [
        (
            "realistic 10,000 touchpoints",
            journeyc::generate::realistic(10_000, 1),
        ),
        (
            "chain 1,000,000 touchpoints",
            journeyc::generate::chain(1_000_000),
        ),
    ] {
        println!("{name}: {:.2} MB", text.len() as f64 / 1e6);
        let parse = median(budget, || journeyc::syntax::parse(FileId(0), &text).is_ok());
        let resolve = median(budget, || {
            resolve_source("bench.journey", text.as_str(), &Options::default()).unwrap()
        });
        let compiled = resolve_source("bench.journey", text.as_str(), &Options::default()).unwrap();
        let journey = compiled
            .journey
            .expect("generated journeys resolve cleanly");
        let check = median(budget, || journeyc::check::check(&journey));
        println!("  parse            {}", ms(parse));
        println!("  resolve (+parse) {}", ms(resolve));
        println!("  check            {}", ms(check));
        println!("  total            {}", ms(resolve + check));
    }
}
