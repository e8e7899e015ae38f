//! Shared by the benchmarks: timing and generated journeys.
#![allow(dead_code)] // each benchmark uses part of it

use journeyc::model::{Journey, Options, resolve_source};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Runs `f` repeatedly for about `budget` and returns the median time of one run.
pub fn median<T>(budget: Duration, mut f: impl FnMut() -> T) -> Duration {
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 3 || (start.elapsed() < budget && times.len() < 100) {
        let t = Instant::now();
        black_box(f());
        times.push(t.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

/// Resolves a generated journey's text.
pub fn journey(text: &str) -> Journey {
    let compiled = resolve_source("bench.journey", text, &Options::default()).expect("resolves");
    compiled
        .journey
        .expect("generated journeys resolve cleanly")
}
