//! Event-log benchmark (issue 13): a log of `tests/fixtures/v2/shop_as_is.journey` written by
//! `simulate --events` (CSV and Parquet), then read by `fit`'s pass against a plain `csv`-crate
//! read of the same file in the same run (rows/s and the ratio), on one core. Customers:
//! `EVENTS_CUSTOMERS` (default 2,000,000: about 9.1M rows). Peak memory (VmHWM) is printed
//! after the last stage, the default mode's read of the time-sorted log.
//! Run with `cargo bench --bench events`; figures go in docs/performance.md.

use journeyc::events::read::{Input, ReadOptions};
use journeyc::events::write::{Settings, write_log};
use journeyc::events::{Format, count_log};
use journeyc::model::{Options, resolve};
use std::time::Instant;

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_string)
        })
        .unwrap_or_else(|| "VmHWM: n/a".into())
}

/// This thread's CPU time in seconds (user and system, from /proc; 10 ms ticks), so that a
/// stage's figure does not count the time another process held the core.
fn cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/stat")
        .ok()
        .and_then(|s| {
            // The fields after the command's closing parenthesis; utime and stime are the
            // 14th and 15th of the line.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

fn main() {
    let customers: u64 = std::env::var("EVENTS_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000_000);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("tests/fixtures/v2/shop_as_is.journey");
    let compiled = resolve(&path, &Options::default()).expect("the fixture resolves");
    let journey = compiled.journey.expect("the fixture has no error");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let settings = Settings {
        seed: 1,
        from: 0,
        to: customers,
        start_ms: 1_767_225_600_000,
        arrivals_ms: 0,
        threads: 1,
        ignore_horizon: false,
    };
    let mut rows = 0;
    for (format, name) in [(Format::Csv, "log.csv"), (Format::Parquet, "log.parquet")] {
        let file = std::fs::File::create(dir.path().join(name)).expect("creates");
        let mut w = std::io::BufWriter::new(file);
        let t = Instant::now();
        rows = write_log(&journey, &settings, format, &mut w).expect("writes");
        drop(w);
        let s = t.elapsed().as_secs_f64();
        println!(
            "write {name:12} {rows} rows in {s:6.2} s: {:5.2} M rows/s",
            rows as f64 / s / 1e6
        );
    }
    let csv_path = dir.path().join("log.csv");
    // The plain read: every record of the file, fields split, nothing else.
    let (t, c) = (Instant::now(), cpu());
    let mut r = csv::Reader::from_path(&csv_path).expect("opens");
    let mut rec = csv::StringRecord::new();
    let mut n = 0u64;
    while r.read_record(&mut rec).expect("reads") {
        n += rec.len() as u64 / 10;
    }
    let (plain, plain_cpu) = (t.elapsed().as_secs_f64(), cpu() - c);
    assert_eq!(n, rows);
    println!(
        "plain csv read       {:6.2} s: {:5.2} M rows/s (CPU {:5.2} s: {:5.2} M rows/s)",
        plain,
        rows as f64 / plain / 1e6,
        plain_cpu,
        rows as f64 / plain_cpu / 1e6
    );
    // The plain Parquet decode: every batch of the file into Arrow arrays, nothing else.
    let (t, c) = (Instant::now(), cpu());
    let file = std::fs::File::open(dir.path().join("log.parquet")).expect("opens");
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a Parquet file")
        .with_batch_size(8192)
        .build()
        .expect("a reader");
    let mut n = 0u64;
    for batch in reader {
        n += batch.expect("decodes").num_rows() as u64;
    }
    let (decode, decode_cpu) = (t.elapsed().as_secs_f64(), cpu() - c);
    assert_eq!(n, rows);
    println!(
        "plain Parquet decode {:6.2} s: {:5.2} M rows/s (CPU {:5.2} s: {:5.2} M rows/s)",
        decode,
        rows as f64 / decode / 1e6,
        decode_cpu,
        rows as f64 / decode_cpu / 1e6
    );
    let run = |name: &str, format: Format, grouped: bool| {
        let file = std::fs::File::open(dir.path().join(name)).expect("opens");
        let options = ReadOptions {
            grouped,
            ..ReadOptions::default()
        };
        let (t, c) = (Instant::now(), cpu());
        let counted =
            count_log(&journey, Input::File(file), format, &options, 0, false).expect("counts");
        let (s, s_cpu) = (t.elapsed().as_secs_f64(), cpu() - c);
        assert_eq!(counted.log.rows, rows);
        println!(
            "fit's pass {name:12} {} {:6.2} s: {:5.2} M rows/s, {:3.0}% of the plain read \
             (CPU {:5.2} s: {:5.2} M rows/s, {:3.0}%)",
            if grouped { "grouped" } else { "default" },
            s,
            rows as f64 / s / 1e6,
            plain / s * 100.0,
            s_cpu,
            rows as f64 / s_cpu / 1e6,
            plain_cpu / s_cpu * 100.0
        );
    };
    run("log.parquet", Format::Parquet, true);
    run("log.csv", Format::Csv, true);
    run("log.csv", Format::Csv, false);
    println!("{}", vm_hwm());
}
