//! Front-end benchmark: read, parse, resolve, check and render a generated 10,000-touchpoint
//! journey (about 1 MB), each phase timed separately and given in MB/s of source, beside a
//! plain read of the same file; then the whole commands (`journeyc check --format json`,
//! `journeyc check`, `journeyc compile`, output to /dev/null) beside `cat` of the file, as
//! processes of the release binary; then the 1,000,000-touchpoint chain (in process only).
//!
//! Run with `cargo bench --bench front_end -j 1`; figures go in docs/performance.md.
//! `cargo bench --bench front_end -- --write DIR N…` writes `generate::realistic(N, 1)` to
//! `DIR/realisticN.journey` for each N instead (the files of the peak-memory measurements).

use journeyc::model::{Options, resolve_source};
use journeyc::source::FileId;
use std::hint::black_box;
use std::path::Path;
use std::process::{Command, Stdio};
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

/// `  name      12.34 ms    81.0 MB/s` for `bytes` of source handled in `d`.
fn line(name: &str, d: Duration, bytes: usize) {
    println!(
        "  {name:<28} {:9.2} ms {:9.1} MB/s",
        d.as_secs_f64() * 1e3,
        bytes as f64 / 1e6 / d.as_secs_f64()
    );
}

/// The median wall time of a process (output to /dev/null).
fn process(budget: Duration, program: &Path, args: &[&str]) -> Duration {
    median(budget, || {
        Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("the process runs")
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--write") {
        let dir = Path::new(args.get(i + 1).expect("--write DIR N…"));
        // `cargo bench` passes `--bench` after the arguments.
        for n in args[i + 2..].iter().filter(|a| !a.starts_with("--")) {
            let n: usize = n.parse().expect("a number of touchpoints");
            let path = dir.join(format!("realistic{n}.journey"));
            std::fs::write(&path, journeyc::generate::realistic(n, 1)).expect("write");
            println!("wrote {}", path.display());
        }
        return;
    }
    let budget = Duration::from_secs(3);
    let dir = std::env::temp_dir().join(format!("journeyc-front-end-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let exe = Path::new(env!("CARGO_BIN_EXE_journeyc"));

    for (name, text, processes) in [
        (
            "realistic 10,000 touchpoints",
            journeyc::generate::realistic(10_000, 1),
            true,
        ),
        (
            "chain 1,000,000 touchpoints",
            journeyc::generate::chain(1_000_000),
            false,
        ),
    ] {
        let n = text.len();
        println!("{name}: {:.2} MB", n as f64 / 1e6);
        let path = dir.join("bench.journey");
        std::fs::write(&path, &text).expect("write the journey");
        let read = median(budget, || std::fs::read_to_string(&path).unwrap());
        let parse = median(budget, || journeyc::syntax::parse(FileId(0), &text).is_ok());
        let resolve = median(budget, || {
            resolve_source("bench.journey", text.as_str(), &Options::default()).unwrap()
        });
        let compiled = resolve_source("bench.journey", text.as_str(), &Options::default()).unwrap();
        let journey = compiled
            .journey
            .as_ref()
            .expect("generated journeys resolve cleanly");
        let check = median(budget, || journeyc::check::check(journey));
        line("plain read", read, n);
        line("parse", parse, n);
        line("resolve (incl. parse)", resolve, n);
        line("check (graph rules)", check, n);
        line("parse + resolve + check", resolve + check, n);
        if processes {
            let file = path.to_str().expect("a UTF-8 path");
            let cat = process(budget, Path::new("cat"), &[file]);
            let json = process(budget, exe, &["check", "--format", "json", file]);
            let human = process(budget, exe, &["check", "--color", "never", file]);
            let compile = process(budget, exe, &["compile", file]);
            println!("  processes (output to /dev/null):");
            line("cat FILE", cat, n);
            line("journeyc check --format json", json, n);
            line("journeyc check", human, n);
            line("journeyc compile", compile, n);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
