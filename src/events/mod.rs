//! Event logs (LANGUAGE-2.md §5): what customers really did, one row per event.
//!
//! - [`write`]: `simulate --events`, the simulated customers' log;
//! - [`read`]: reading a log (CSV, JSON Lines) in one streaming pass, customer by customer;
//! - [`count`]: counting each customer's cycles (LANGUAGE-2.md §5, "Counting");
//! - [`fit`]: the estimates of `journeyc fit` with their intervals;
//! - [`rewrite`]: `fit --write`, the journey's numbers rewritten in place;
//! - [`sql`]: `fit --emit-sql`, and the counts table `--counts` reads.
//!
//! Layer 3, beside `sim` (docs/architecture.md): the writer walks customers with `sim`'s
//! engine. `conform`'s rules have their files in `check::rules` (J0601–J0604).

pub mod count;
mod csv_rows;
pub mod em;
pub mod fit;
pub mod parquet;
pub mod read;
pub mod rewrite;
pub mod rfc3339;
pub mod sql;
pub mod write;

use crate::model::{Journey, SegmentId, TouchpointId};
use std::path::Path;

/// The columns of an event log, as LANGUAGE-2.md §5 names them, in the order
/// `simulate --events` writes them.
pub const COLUMNS: [&str; 10] = [
    "customer",
    "time",
    "event",
    "touchpoint",
    "segment",
    "cause",
    "trigger",
    "outcome",
    "option",
    "cycle",
];

/// How a log is stored.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header line.
    Csv,
    /// JSON Lines: one object per line.
    Jsonl,
    /// Apache Parquet (a file, not standard input or output).
    Parquet,
}

impl Format {
    /// The format a file's extension says (`-` is CSV on standard input or output).
    pub fn of_path(path: &Path) -> Result<Format, String> {
        if path.as_os_str() == "-" {
            return Ok(Format::Csv);
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(Format::Csv),
            Some("jsonl" | "ndjson") => Ok(Format::Jsonl),
            Some("parquet" | "pq") => Ok(Format::Parquet),
            _ => Err(format!(
                "`{}`: the extension does not say the log's format: name it .csv, .jsonl or \
                 .parquet, or say --log-format csv|jsonl|parquet",
                path.display()
            )),
        }
    }
}

/// The option a customer of segment `seg` uses at touchpoint `tp` (the `option` column of
/// their visits there): `None` at a touchpoint without options.
pub fn option_used(journey: &Journey, tp: TouchpointId, seg: SegmentId) -> Option<&str> {
    journey.touchpoints[tp].choice_of(seg)
}

/// A duration as the command line writes it: a number and a unit, `ms`, `s`, `m`, `h`, `d`
/// or `w` (`30d`, `1.5h`), in seconds.
pub fn parse_duration(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let factor = match unit.trim() {
        "ms" => 0.001,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        "w" => 7.0 * 86_400.0,
        _ => {
            return Err(format!(
                "`{s}` is not a duration: write a number and a unit, e.g. 30d, 12h, 90m, 45s"
            ));
        }
    };
    let n: f64 = number.parse().map_err(|_| {
        format!("`{s}` is not a duration: write a number and a unit, e.g. 30d, 12h")
    })?;
    let seconds = n * factor;
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 1e11 {
        return Err(format!(
            "`{s}` is not a usable duration (more than 0, less than 3,000 years)"
        ));
    }
    Ok(seconds)
}

/// An RFC 3339 timestamp (`2026-01-01T00:00:00Z`, any offset), in milliseconds since 1970.
pub fn parse_rfc3339(s: &str) -> Result<i64, String> {
    let ts: jiff::Timestamp = s.trim().parse().map_err(|e| {
        format!("`{s}` is not an RFC 3339 timestamp (e.g. 2026-01-01T00:00:00Z): {e}")
    })?;
    Ok(ts.as_millisecond())
}

/// A log read and counted against a journey.
pub struct Counted {
    /// What the pass found (columns, unknown names, rows).
    pub log: read::Log,
    /// The counts.
    pub counts: count::Counts,
    /// Where the log has no segments and the journey several (`fit`'s latent segments): each
    /// customer's statistics; every customer is then counted as segment 0 in `counts`.
    pub latent: Option<Vec<em::Stats>>,
}

/// Reads and counts a log in one pass. Without a `segment` column, a journey of one segment
/// counts every customer in it; with several, the segment is latent: with `latent` (fit)
/// each customer's statistics are kept for EM, else it is an error.
pub fn count_log(
    journey: &Journey,
    input: read::Input,
    format: Format,
    options: &read::ReadOptions,
    window_ms: i64,
    latent: bool,
) -> Result<Counted, read::LogError> {
    let chances = count::Chances::new(journey);
    let mut stats: Vec<em::Stats> = Vec::new();
    let mut counts = count::Counts::new(
        journey.segments.len(),
        journey.touchpoints.len(),
        1,
        journey.triggers.len(),
        window_ms,
    );
    let single = journey.segments.len() == 1;
    let log = read::read(
        journey,
        input,
        format,
        options,
        &mut |c: &read::Customer| {
            let seg = match (c.segment, single) {
                (Some(s), _) => s,
                (None, true) => 0,
                (None, false) if latent => {
                    let n_tp = journey.touchpoints.len();
                    let mut alone = count::Counts::new(1, n_tp, 1, journey.triggers.len(), 0);
                    alone.add(c, 0, &chances)?;
                    stats.push(em::Stats::of(&alone));
                    0
                }
                (None, false) => {
                    let line = c.events.first().map_or(0, |e| e.line);
                    return Err(read::LogError(format!(
                        "line {line}: customer `{}` has no segment, and the journey declares {}: \
                     `fit` estimates latent segments, `conform` needs the `segment` column",
                        c.id,
                        journey.segments.len()
                    )));
                }
            };
            counts.add(c, seg, &chances)
        },
    )?;
    let latent = (!stats.is_empty()).then_some(stats);
    Ok(Counted {
        log,
        counts,
        latent,
    })
}
