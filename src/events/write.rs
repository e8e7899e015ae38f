//! `simulate --events`: the simulated customers' event log (LANGUAGE-2.md §5 and its settled
//! rules), written as the walk tells it ([`crate::sim::engine::Sink`]).
//!
//! Customers are walked in chunks of [`CHUNK`] on the worker threads, each chunk formatted
//! into its own buffer, and the buffers written in customer order, a window of them at a time:
//! the file is the same bytes for any thread count, and memory holds one window whatever the
//! population.

use super::{Format, option_used};
use crate::model::Journey;
use crate::sim::compile::Tables;
use crate::sim::engine::{Sink, customer_events};
use crate::sim::stats::TIME_UNIT;
use crate::sim::tally::ending;
use rayon::prelude::*;
use std::io::Write;

/// Customers per chunk (one buffer of rows, formatted by one thread).
pub const CHUNK: u64 = 1024;

/// The CSV header of a written log (the reference logs' column order).
const HEADER: &str = "customer,time,event,touchpoint,segment,cause,trigger,outcome,option,cycle\n";

/// How to write a log.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The seed.
    pub seed: u64,
    /// The customers to write: `from..to` of the population (a shard's slice, or all).
    pub from: u64,
    /// See `from`.
    pub to: u64,
    /// When every first cycle starts (`--start`), milliseconds since 1970 (UTC).
    pub start_ms: i64,
    /// With `--arrivals`: first cycles start uniformly over this many milliseconds from
    /// `start_ms`; 0: all at `start_ms`.
    pub arrivals_ms: i64,
    /// Worker threads (0: all cores).
    pub threads: usize,
    /// Ignore the journey's horizon.
    pub ignore_horizon: bool,
}

/// Why a log could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The output failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A time past what RFC 3339 writes (year 9999).
    #[error(
        "customer {0}'s events run past the year 9999, which a timestamp cannot write (a \
         journey without a horizon whose customers come back for centuries?)"
    )]
    Time(String),
    /// The journey cannot be walked.
    #[error("the journey has no entry: no customer starts anywhere")]
    NoEntry,
    /// The thread pool could not be built.
    #[error("cannot start {0} worker threads")]
    Threads(usize),
    /// The Parquet writer failed.
    #[error("{0}")]
    Parquet(String),
}

/// A customer's id in a written log: `c` and their number from 1, at least 7 digits.
pub fn customer_id(index: u64) -> String {
    format!("c{:07}", index + 1)
}

/// The position in a customer's random stream of their arrival draw (`--arrivals`): far
/// past any step of a walk (4 numbers a step), so it changes no other number.
const ARRIVAL_POSITION: u64 = u64::MAX / 2;

/// When customer `index` starts their first cycle, milliseconds since 1970.
fn arrival(s: &Settings, index: u64) -> i64 {
    if s.arrivals_ms <= 0 {
        return s.start_ms;
    }
    let r = crate::sim::engine::Draws::new(s.seed, index).at(ARRIVAL_POSITION);
    let offset = ((r as u128 * (s.arrivals_ms as u128 + 1)) >> 64) as i64;
    s.start_ms.saturating_add(offset)
}

/// Writes the log of customers `s.from..s.to` of `journey` to `out`; returns the rows written.
pub fn write_log(
    journey: &Journey,
    s: &Settings,
    format: Format,
    out: &mut (dyn Write + Send),
) -> Result<u64, WriteError> {
    let tables = Tables::new(journey, s.ignore_horizon);
    if tables.entry.len == 0 {
        return Err(WriteError::NoEntry);
    }
    let names = Names::new(journey);
    let chunks = (s.to - s.from).div_ceil(CHUNK);
    let threads = crate::sim::worker_threads(s.threads, chunks);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|_| WriteError::Threads(threads))?;
    if format == Format::Csv {
        out.write_all(HEADER.as_bytes())?;
    }
    let mut target = match format {
        Format::Parquet => Target::Parquet(Box::new(super::parquet::Writer::new(out)?)),
        _ => Target::Text(out),
    };
    let window = threads as u64 * 4;
    let mut rows = 0;
    let mut c = 0;
    while c < chunks {
        let last = (c + window).min(chunks);
        let buffers: Vec<Result<Chunk, WriteError>> = pool.install(|| {
            (c..last)
                .into_par_iter()
                .map(|k| {
                    let from = s.from + k * CHUNK;
                    let to = (from + CHUNK).min(s.to);
                    chunk(&tables, &names, s, format, from, to)
                })
                .collect()
        });
        for b in buffers {
            let chunk = b?;
            match (&mut target, chunk.columns) {
                (Target::Parquet(w), Some(columns)) => w.write(columns)?,
                (Target::Text(out), _) => out.write_all(&chunk.bytes)?,
                (Target::Parquet(_), None) => {}
            }
            rows += chunk.rows;
        }
        c = last;
    }
    match target {
        Target::Parquet(w) => w.close()?,
        Target::Text(out) => out.flush()?,
    }
    Ok(rows)
}

/// Where chunks go.
enum Target<'a> {
    Text(&'a mut (dyn Write + Send)),
    Parquet(Box<super::parquet::Writer<'a>>),
}

/// A chunk's rows: text (CSV, JSON Lines) or columns (Parquet).
struct Chunk {
    bytes: Vec<u8>,
    columns: Option<super::parquet::Columns>,
    rows: u64,
}

/// The rows of customers `from..to`, formatted.
fn chunk(
    t: &Tables,
    names: &Names,
    s: &Settings,
    format: Format,
    from: u64,
    to: u64,
) -> Result<Chunk, WriteError> {
    let mut firings = vec![0u32; t.n_triggers];
    let parquet = format == Format::Parquet;
    let mut rows = Rows {
        names,
        format,
        buf: Vec::with_capacity(if parquet {
            0
        } else {
            ((to - from) * 400) as usize
        }),
        columns: parquet.then(super::parquet::Columns::default),
        id: String::new(),
        base: 0,
        seg: 0,
        cycle: 0,
        clock: 0,
        tp: 0,
        visit_ms: 0,
        bad_time: false,
        rows: 0,
    };
    for index in from..to {
        rows.id = customer_id(index);
        rows.base = arrival(s, index);
        customer_events(t, s.seed, index, &mut firings, &mut rows);
        if rows.bad_time {
            return Err(WriteError::Time(rows.id));
        }
    }
    Ok(Chunk {
        bytes: rows.buf,
        columns: rows.columns,
        rows: rows.rows,
    })
}

/// The names a log writes, looked up once.
struct Names {
    touchpoints: Vec<String>,
    segments: Vec<String>,
    triggers: Vec<String>,
    /// Per touchpoint and segment (`tp · segments + seg`): the option column of a visit.
    options: Vec<Option<String>>,
    n_seg: usize,
}

impl Names {
    fn new(j: &Journey) -> Self {
        let n_seg = j.segments.len();
        let mut options = Vec::with_capacity(j.touchpoints.len() * n_seg);
        for tp in 0..j.touchpoints.len() {
            for seg in 0..n_seg {
                options.push(option_used(j, tp, seg).map(str::to_string));
            }
        }
        Names {
            touchpoints: j.touchpoints.iter().map(|t| t.name.clone()).collect(),
            segments: j.segments.iter().map(|s| s.name.clone()).collect(),
            triggers: j.triggers.iter().map(|t| t.name.clone()).collect(),
            options,
            n_seg,
        }
    }
}

/// The sink that formats a customer's events as rows.
struct Rows<'a> {
    names: &'a Names,
    format: Format,
    buf: Vec<u8>,
    /// With Parquet: the rows as columns.
    columns: Option<super::parquet::Columns>,
    /// The customer's id.
    id: String,
    /// When their first cycle started, milliseconds since 1970.
    base: i64,
    seg: usize,
    cycle: u32,
    /// The current cycle's start, time units after the first's.
    clock: i64,
    /// The touchpoint of the last visit, and its time.
    tp: usize,
    visit_ms: i64,
    /// A time out of the writable range was met.
    bad_time: bool,
    rows: u64,
}

/// One row's fields after the customer, time and event.
#[derive(Default)]
struct Fields<'a> {
    touchpoint: &'a str,
    cause: &'a str,
    trigger: &'a str,
    outcome: &'a str,
    option: &'a str,
}

impl Rows<'_> {
    /// Milliseconds since 1970 of `time` units into the current cycle.
    fn ms(&self, time: i64) -> i64 {
        let units = self.clock.saturating_add(time) as f64;
        // Time units are 2⁻¹⁰ s: exact in f64, rounded down to the millisecond.
        let ms = (units * TIME_UNIT * 1000.0).floor();
        self.base
            .saturating_add(ms.clamp(i64::MIN as f64, i64::MAX as f64) as i64)
    }

    fn row(&mut self, ms: i64, event: &str, f: Fields<'_>) {
        let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else {
            self.bad_time = true;
            return;
        };
        self.rows += 1;
        let segment = &self.names.segments[self.seg];
        if let Some(cols) = &mut self.columns {
            cols.push(
                &self.id,
                ms,
                event,
                [
                    f.touchpoint,
                    segment,
                    f.cause,
                    f.trigger,
                    f.outcome,
                    f.option,
                ],
                self.cycle,
            );
            return;
        }
        let b = &mut self.buf;
        // Every name is an identifier and every other field a number, a timestamp or a fixed
        // word: nothing a CSV or JSON string needs to quote or escape.
        let _ = match self.format {
            Format::Csv => writeln!(
                b,
                "{},{ts:.3},{event},{},{segment},{},{},{},{},{}",
                self.id, f.touchpoint, f.cause, f.trigger, f.outcome, f.option, self.cycle
            ),
            Format::Parquet => Ok(()),
            Format::Jsonl => {
                let _ = write!(
                    b,
                    r#"{{"customer":"{}","time":"{ts:.3}","event":"{event}""#,
                    self.id
                );
                for (key, value) in [
                    ("touchpoint", f.touchpoint),
                    ("segment", segment.as_str()),
                    ("cause", f.cause),
                    ("trigger", f.trigger),
                    ("outcome", f.outcome),
                    ("option", f.option),
                ] {
                    if !value.is_empty() {
                        let _ = write!(b, r#","{key}":"{value}""#);
                    }
                }
                writeln!(b, r#","cycle":{}}}"#, self.cycle)
            }
        };
    }
}

impl Sink for Rows<'_> {
    const ON: bool = true;

    fn cycle(&mut self, seg: usize, number: u32, clock: i64) {
        (self.seg, self.cycle, self.clock) = (seg, number, clock);
    }

    fn visit(&mut self, tp: usize, time: i64) {
        let ms = self.ms(time);
        (self.tp, self.visit_ms) = (tp, ms);
        let names = self.names;
        let option = names.options[tp * names.n_seg + self.seg].as_deref();
        let f = Fields {
            touchpoint: &names.touchpoints[tp],
            option: option.unwrap_or(""),
            ..Fields::default()
        };
        self.row(ms, "visit", f);
    }

    fn pains(&mut self, context: bool, friction: bool) {
        let names = self.names;
        for (cause, yes) in [("context", context), ("friction", friction)] {
            if yes {
                let f = Fields {
                    touchpoint: &names.touchpoints[self.tp],
                    cause,
                    ..Fields::default()
                };
                self.row(self.visit_ms, "pain", f);
            }
        }
    }

    fn end(&mut self, tp: usize, outcome: usize, time: i64) {
        let names = self.names;
        let f = Fields {
            touchpoint: &names.touchpoints[tp],
            outcome: ending::NAMES[outcome],
            ..Fields::default()
        };
        self.row(self.ms(time), "end", f);
    }

    fn message(&mut self, trigger: usize, time: i64) {
        let names = self.names;
        let f = Fields {
            trigger: &names.triggers[trigger],
            ..Fields::default()
        };
        self.row(self.ms(time), "message", f);
    }
}
