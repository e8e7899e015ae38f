//! Report benchmark: the HTML page of generated journeys of 1,000, 10,000 and 100,000
//! touchpoints, on one thread — rendering alone (layout, map, flow, tables: what must grow
//! linearly), and the whole of what `journeyc report` does after reading the file (resolve,
//! check, simulate 1,000 customers, render). Run with `cargo bench --bench report`; figures
//! go in docs/performance.md.
//!
//! `cargo bench --bench report -- --write DIR` writes the generated journeys of 100 and
//! 1,000 touchpoints to DIR instead (the 100-touchpoint one is the report's size test in
//! tests/fixtures/report/).

use journeyc::model::{Options, resolve_source};
use journeyc::report::html::{Page, render};
use journeyc::report::simulation::Computed;
use journeyc::sim::{Settings, simulate};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Runs `f` at least `runs` times and for about `budget`; returns the median time of one run.
fn median<T>(budget: Duration, runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < runs || (start.elapsed() < budget && times.len() < 50) {
        let t = Instant::now();
        black_box(f());
        times.push(t.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--write") {
        let dir = std::path::Path::new(args.get(i + 1).expect("--write DIR"));
        for n in [100, 1_000] {
            let path = dir.join(format!("generated{n}.journey"));
            std::fs::write(&path, journeyc::generate::realistic(n, 7)).expect("write");
            println!("wrote {}", path.display());
        }
        return;
    }
    // One thread: the figures are per core.
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
        .expect("one thread");
    let settings = Settings {
        customers: 1_000,
        seed: 1,
        threads: 1,
        ..Settings::default()
    };
    let mut previous: Option<(usize, Duration)> = None;
    for n in [1_000usize, 10_000, 100_000] {
        let text = journeyc::generate::realistic(n, 7);
        let whole = Instant::now();
        let compiled =
            resolve_source("bench.journey", text.as_str(), &Options::default()).expect("resolves");
        let journey = compiled
            .journey
            .clone()
            .expect("generated journeys resolve");
        let findings = journeyc::check::check(&journey);
        let run = simulate(&journey, &settings, None).expect("simulates");
        let computed = Computed::new(&run);
        let page = Page {
            journey: &journey,
            file: "bench.journey".into(),
            baseline: &computed,
            sources: &compiled.sources,
            findings: &findings,
            scenarios: &[],
            decisions: None,
        };
        let html = render(&page);
        let whole = whole.elapsed();
        let budget = Duration::from_secs(if n >= 100_000 { 1 } else { 3 });
        let rendering = median(budget, 3, || render(&page).len());
        let growth = previous
            .map(|(m, d)| {
                format!(
                    "  ({:.1}× the time of {m} for {}× the touchpoints)",
                    rendering.as_secs_f64() / d.as_secs_f64(),
                    n / m
                )
            })
            .unwrap_or_default();
        println!(
            "{n:>7} touchpoints: render {:8.1} ms{growth}; whole report {:8.1} ms; page {:.1} MB",
            rendering.as_secs_f64() * 1e3,
            whole.as_secs_f64() * 1e3,
            html.len() as f64 / 1e6
        );
        previous = Some((n, rendering));
    }
}
