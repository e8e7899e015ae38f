//! Levers benchmark: `levers` (removal effect, friction gain and sensitivities of every
//! touchpoint) on generated journeys of 1,000 and 10,000 touchpoints, beside one `analyze`
//! of the same journey and the naive alternative — re-running `analyze` on a modified
//! journey twice per touchpoint — timed on a sample of touchpoints and extrapolated. Run
//! with `cargo bench --bench levers`; figures go in docs/performance.md ("Levers").

mod common;

use common::{journey, median};
use journeyc::analyze::{LeverOptions, analyze, levers};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn main() {
    let budget = Duration::from_secs(3);
    for n in [1_000, 10_000] {
        let j = journey(&journeyc::generate::realistic(n, 1));
        let options = LeverOptions::default();
        let l = levers(&j, &options).expect("levers");
        let time = median(budget, || levers(&j, &options).expect("levers"));
        let once = median(budget, || analyze(&j).expect("analyzes"));
        // The naive way: per touchpoint, two edited copies analyzed (friction halved; its
        // transitions cleared, standing in for its removal at the same cost), timed on a
        // sample of touchpoints and extrapolated.
        let sample: Vec<usize> = (0..n).step_by(n / 25).collect();
        let start = Instant::now();
        for &t in &sample {
            let mut m = j.clone();
            m.touchpoints[t].friction /= 2.0;
            black_box(analyze(&m).expect("analyzes"));
            let mut m = j.clone();
            m.touchpoints[t].transitions.iter_mut().for_each(Vec::clear);
            black_box(analyze(&m).expect("analyzes"));
        }
        let naive = start.elapsed().as_secs_f64() / sample.len() as f64 * n as f64;
        println!(
            "realistic {n} touchpoints: levers {:8.1} ms ({} states, residual {:.1e}); \
             one analyze {:6.1} ms; naive 2 x {n} re-analyses ~{naive:6.1} s",
            time.as_secs_f64() * 1e3,
            l.states,
            l.residual,
            once.as_secs_f64() * 1e3,
        );
    }
}
