//! `journeyc fit FILE LOG [--min-count N] [--format table|json|markdown]`: the journey's
//! probabilities estimated from an event log (LANGUAGE-2.md §5), each beside the declared
//! value with its 95% interval; declared values outside their interval are marked.

use super::{Exit, Failure, JourneyArgs};
use crate::events::fit::{FitSettings, Fitted, What, describe, fit};
use crate::events::read::{LogError, ReadOptions};
use crate::events::{self, Counted, Format};
use crate::model::Journey;
use std::fmt::Write as _;
use std::path::PathBuf;

/// How to read an event log; shared by `fit` and `conform`.
#[derive(Debug, Clone, clap::Args)]
pub struct LogArgs {
    /// The event log: `.csv` (header line), `.jsonl` or `.parquet`; `-` reads CSV from
    /// standard input.
    #[arg(required_unless_present_any = ["counts", "emit_sql"])]
    pub log: Option<PathBuf>,
    /// Read the counts table that `fit --emit-sql`'s SQL made (CSV) instead of a log.
    #[arg(long, value_name = "FILE.csv", conflicts_with = "log")]
    pub counts: Option<PathBuf>,
    /// (`fit` only) Print the SQL that reduces an event table to the counts table, and stop.
    #[arg(long)]
    pub emit_sql: bool,
    /// The SQL's dialect.
    #[arg(long, value_enum, default_value_t = events::sql::Dialect::Duckdb, requires = "emit_sql")]
    pub dialect: events::sql::Dialect,
    /// The event table the SQL reads (its §5 columns, `cycle` and `option` included, and
    /// `ord`, the rows' order where times tie).
    #[arg(
        long,
        default_value = "events",
        value_name = "TABLE",
        requires = "emit_sql"
    )]
    pub table: String,
    /// The log's format, whatever its extension says.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub log_format: Option<Format>,
    /// The log's own names of the columns, e.g. `customer=case_id,time=ts,touchpoint=activity`.
    #[arg(long, value_name = "COLUMN=NAME,...")]
    pub columns: Option<String>,
    /// A CSV file with columns `activity,touchpoint` mapping the log's raw activity names
    /// (page paths, call reasons) to touchpoints; several activities may map to one.
    #[arg(long, value_name = "FILE.csv")]
    pub map: Option<PathBuf>,
    /// The rows are grouped by customer (as `simulate --events` writes them): each customer
    /// is counted when the next one starts, so memory holds one customer at a time.
    #[arg(long)]
    pub grouped: bool,
}

impl LogArgs {
    /// Reads and counts the log against `journey`, with drift windows of `window_ms` (0:
    /// none).
    /// The log's name as messages show it.
    pub fn name(&self) -> String {
        match (&self.log, &self.counts) {
            (Some(l), _) => l.display().to_string(),
            (None, Some(c)) => c.display().to_string(),
            _ => String::new(),
        }
    }

    pub fn count(
        &self,
        journey: &Journey,
        window_ms: i64,
        latent: bool,
    ) -> Result<Counted, Failure> {
        if let Some(path) = &self.counts {
            let shown = path.display().to_string();
            let file = std::fs::File::open(path)
                .map_err(|e| Failure(format!("cannot read `{shown}`: {e}")))?;
            let (counts, options) = events::sql::read_counts(journey, file, window_ms)
                .map_err(|LogError(e)| Failure(format!("{shown}: {e}")))?;
            let has_ends = counts.cells.iter().any(|c| c.ended.iter().any(|&n| n > 0));
            let has_cause = counts.cells.iter().any(|c| c.friction + c.context > 0);
            let log = events::read::Log {
                has: events::read::Has {
                    ends: has_ends,
                    cause: has_cause,
                    segment: true,
                    ..events::read::Has::default()
                },
                options,
                customers: counts.customers.iter().sum(),
                ..events::read::Log::default()
            };
            return Ok(Counted {
                log,
                counts,
                latent: None,
            });
        }
        let Some(log_path) = &self.log else {
            return Err(Failure("name the log (or --counts FILE)".into()));
        };
        let format = match self.log_format {
            Some(f) => f,
            None => Format::of_path(log_path).map_err(Failure)?,
        };
        let mut options = ReadOptions {
            format: Some(format),
            grouped: self.grouped,
            ..ReadOptions::default()
        };
        if let Some(cols) = &self.columns {
            for pair in cols.split(',').filter(|p| !p.trim().is_empty()) {
                let (canonical, raw) = pair.split_once('=').ok_or_else(|| {
                    Failure(format!(
                        "--columns: `{pair}` is not COLUMN=NAME (e.g. customer=case_id)"
                    ))
                })?;
                options
                    .columns
                    .push((canonical.trim().to_string(), raw.trim().to_string()));
            }
        }
        if let Some(map) = &self.map {
            let shown = map.display().to_string();
            let file = std::fs::File::open(map)
                .map_err(|e| Failure(format!("cannot read `{shown}`: {e}")))?;
            options.map = Some(events::read::read_map(file, &shown).map_err(|e| Failure(e.0))?);
        }
        let shown = log_path.display().to_string();
        let input = events::read::open(log_path).map_err(|e| Failure(e.0))?;
        let counted = events::count_log(journey, input, format, &options, window_ms, latent)
            .map_err(|LogError(e)| Failure(format!("{shown}: {e}")))?;
        for u in &counted.log.unmapped {
            crate::errln!(
                "note: {shown}: activity `{}` is not in the map ({} rows, first at line {}); its \
                 rows are left out",
                u.name,
                u.rows,
                u.line
            );
        }
        Ok(counted)
    }
}

/// The report format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FitFormat {
    /// A table for people.
    Table,
    /// Every estimate as JSON.
    Json,
    /// A Markdown table (for a pull request).
    Markdown,
}

/// Arguments of `fit`.
#[derive(Debug, clap::Args)]
pub struct FitArgs {
    /// The journey and the root its `use`s stay in.
    #[command(flatten)]
    pub journey: JourneyArgs,
    /// The event log and how to read it.
    #[command(flatten)]
    pub log: LogArgs,
    /// Rewrite the journey's numbers that the log contradicts in place (Benjamini–Hochberg at
    /// 5% over every estimate), keeping layout and comments: a reviewable diff.
    #[arg(long)]
    pub write: bool,
    /// Instead of rewriting, append a scenario NAME holding the fitted values.
    #[arg(long, value_name = "NAME", conflicts_with = "write")]
    pub scenario: Option<String>,
    /// Estimates from fewer observations keep the declared value.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub min_count: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FitFormat::Table)]
    pub format: FitFormat,
}

/// Runs `fit`.
pub fn run(args: &FitArgs) -> Result<Exit, Failure> {
    let file = &args.journey.file;
    let loaded = super::journey(file, args.journey.root.as_deref(), None)?;
    let (compiled, journey) = match loaded {
        Ok(ok) => ok,
        Err(exit) => return Ok(exit),
    };
    if args.log.emit_sql {
        let sql = events::sql::emit(args.log.dialect, &args.log.table, true, true);
        super::output::out(&sql)?;
        return Ok(Exit::Ok);
    }
    let counted = args.log.count(&journey, 0, true)?;
    let log = &counted.log;
    if !log.unknown.is_empty() {
        let names: Vec<String> = log
            .unknown
            .iter()
            .map(|u| {
                format!(
                    "{} `{}` ({} rows, first at line {})",
                    u.column, u.name, u.rows, u.line
                )
            })
            .collect();
        return Err(Failure(format!(
            "{}: the log names what `{}` lacks: {} (`journeyc conform` reports them as J0601)",
            args.log.name(),
            file.display(),
            names.join("; ")
        )));
    }
    if (args.write || args.scenario.is_some()) && counted.latent.is_some() {
        return Err(Failure(
            "--write and --scenario need a log with a `segment` column".into(),
        ));
    }
    if args.write || args.scenario.is_some() {
        return write_back(args, &compiled, &journey, &counted);
    }
    let settings = FitSettings {
        min_count: args.min_count,
    };
    let mut em = None;
    let fitted = match &counted.latent {
        Some(stats) => {
            if !log.has.ends {
                return Err(Failure(format!(
                    "{}: a log without `segment` and without `end` rows: fitting both latent \
                     (segments and the kind of each ending) is not implemented; add either \
                     column",
                    args.log.name()
                )));
            }
            let (fitted, convergence) =
                events::em::fit_latent(&journey, stats, &counted.counts, args.min_count, BOOTSTRAP);
            for note in convergence.notes() {
                crate::errln!("note: {}: {note}", args.log.name());
            }
            em = Some(convergence);
            fitted
        }
        None => fit(
            &journey,
            &counted.counts,
            &log.options,
            log.has.ends,
            log.has.cause,
            &settings,
        ),
    };
    let context = Context {
        journey: &journey,
        file: file.display().to_string(),
        log: args.log.name(),
        counted: &counted,
        min_count: args.min_count,
        em: em.as_ref(),
    };
    let text = match args.format {
        FitFormat::Table => table(&context, &fitted),
        FitFormat::Json => json(&context, &fitted),
        FitFormat::Markdown => markdown(&context, &fitted),
    };
    super::output::out(&text)?;
    Ok(Exit::Ok)
}

/// `--write` and `--scenario NAME`: the journey's text with the fitted numbers, checked to
/// resolve without error, written aside and renamed over the file.
fn write_back(
    args: &FitArgs,
    compiled: &crate::model::Compiled,
    journey: &Journey,
    counted: &Counted,
) -> Result<Exit, Failure> {
    use crate::events::rewrite;
    let file = &args.journey.file;
    let source = &compiled.sources.get(compiled.main).text;
    let has = &counted.log.has;
    let edits = rewrite::edits(
        journey,
        source,
        &counted.counts,
        has.ends,
        has.cause,
        args.min_count,
    );
    // Lines without `for` get the pooled estimate; where the segments differ, say so.
    let notes: String = differing_segments(journey, &counted.counts, has.ends, args.min_count)
        .iter()
        .map(|n| format!("note: {n}\n"))
        .collect();
    if edits.is_empty() {
        super::output::out(&format!(
            "{}: nothing to change: the log contradicts no declared value (Benjamini–Hochberg \
             at 5% over every estimate from at least {} observations)\n{notes}",
            file.display(),
            args.min_count
        ))?;
        return Ok(Exit::Ok);
    }
    let text = match &args.scenario {
        None => rewrite::apply(source, &edits),
        Some(name) => {
            if journey.scenarios.iter().any(|s| &s.name == name) {
                return Err(Failure(format!(
                    "{} already has a scenario `{name}`: name another",
                    file.display()
                )));
            }
            let label = format!("Fitted from {}", args.log.name()).replace('"', "'");
            rewrite::with_scenario(journey, source, &edits, name, &label).ok_or_else(|| {
                Failure(format!(
                    "cannot find where the journey in {} ends",
                    file.display()
                ))
            })?
        }
    };
    // The new text must resolve as cleanly as the old one.
    let options = crate::model::Options {
        root: args.journey.root.clone(),
        scenario: args.scenario.clone(),
    };
    let check = crate::model::resolve_source(file, text.as_str(), &options)?;
    let errors: Vec<String> = check
        .findings
        .iter()
        .filter(|f| f.level == crate::diagnostic::Level::Error)
        .map(|f| format!("{}: {}", f.rule.code(), f.message))
        .collect();
    let scenario_ok = match &args.scenario {
        Some(name) => check.scenario(name).is_ok_and(|(j, f)| {
            j.is_some() && !f.iter().any(|f| f.level == crate::diagnostic::Level::Error)
        }),
        None => true,
    };
    if !errors.is_empty() || !scenario_ok {
        return Err(Failure(format!(
            "the fitted numbers would not resolve cleanly ({}); {} is left as it was",
            errors.join("; "),
            file.display()
        )));
    }
    super::write_file(file, &text, args.journey.root.as_deref())?;
    let mut out = String::new();
    let what = match &args.scenario {
        Some(name) => format!("added scenario `{name}` to"),
        None => "rewrote".into(),
    };
    let _ = writeln!(
        out,
        "{what} {}: {} numbers the log contradicts",
        file.display(),
        edits.len()
    );
    for e in &edits {
        let _ = writeln!(out, "  {}", e.what);
    }
    out.push_str(&notes);
    super::output::out(&out)?;
    Ok(Exit::Ok)
}

/// Bootstrap replicates of the latent-segment fit's intervals.
const BOOTSTRAP: usize = 40;

/// What every output format says of the run.
struct Context<'a> {
    journey: &'a Journey,
    file: String,
    log: String,
    counted: &'a Counted,
    min_count: u64,
    /// Latent segments: how EM ended.
    em: Option<&'a events::em::Convergence>,
}

impl Context<'_> {
    fn customers(&self) -> u64 {
        self.counted.counts.customers.iter().sum()
    }

    /// What the log lets fit identify, in words.
    fn basis(&self) -> String {
        let has = &self.counted.log.has;
        let mut v = vec![match (has.ends, self.counted.latent.is_some()) {
            (true, true) => "no segments: latent segments by EM, bootstrap intervals",
            (true, false) => "end rows: transitions by the censored estimate",
            (false, _) => "no end rows: exits split from abandonments by the declared chances",
        }];
        if !has.cause {
            v.push("no pain causes: friction not estimated");
        }
        v.join("; ")
    }
}

/// The name of an estimate's row: the segment, and the option where the log has one.
fn row_name(c: &Context<'_>, f: &Fitted) -> (String, String) {
    let seg = c.journey.segments[f.segment].name.clone();
    let mut what = describe(c.journey, &f.what);
    if let Some(o) = &f.option {
        what = format!("{what} [{o}]");
    }
    (seg, what)
}

fn number(x: f64) -> String {
    format!("{x:.3}")
}

fn mark(f: &Fitted, min: u64) -> String {
    let m = if f.too_few {
        format!("kept (n < {min})")
    } else if f.outside {
        "✗ declared outside".into()
    } else {
        String::new()
    };
    match (f.weak, m.is_empty()) {
        (false, _) => m,
        (true, true) => "weakly identified".into(),
        (true, false) => format!("{m}; weakly identified"),
    }
}

/// `N estimates, M with the declared value outside, K kept`.
fn summary(c: &Context<'_>, fitted: &[Fitted]) -> String {
    let judged = fitted
        .iter()
        .filter(|f| !f.too_few && f.fitted.is_some())
        .count();
    let outside = fitted.iter().filter(|f| f.outside).count();
    let kept = fitted.iter().filter(|f| f.too_few).count();
    format!(
        "{judged} estimates from at least {} observations; {outside} put the declared value \
         outside their 95% interval; {kept} keep the declared value (fewer observations)",
        c.min_count
    )
}

fn table(c: &Context<'_>, fitted: &[Fitted]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "fit {} on {}: {} customers, {} rows ({})",
        c.file,
        c.log,
        c.customers(),
        c.counted.log.rows,
        c.basis()
    );
    let rows: Vec<[String; 7]> = fitted
        .iter()
        .map(|f| {
            let (seg, what) = row_name(c, f);
            let (fit, interval) = match f.fitted {
                Some(e) => (
                    number(e.value),
                    format!("[{}, {}]", number(e.low), number(e.high)),
                ),
                None => ("-".into(), String::new()),
            };
            [
                seg,
                what,
                number(f.declared),
                fit,
                interval,
                f.n.to_string(),
                mark(f, c.min_count),
            ]
        })
        .collect();
    let head = [
        "segment",
        "estimate",
        "declared",
        "fitted",
        "95% interval",
        "n",
        "",
    ]
    .map(String::from);
    let mut widths = [0usize; 7];
    for r in std::iter::once(&head).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    out.push('\n');
    for r in std::iter::once(&head).chain(&rows) {
        let mut line = String::new();
        for (k, (w, cell)) in widths.iter().zip(r).enumerate() {
            let pad = w - cell.chars().count();
            match k {
                2..=5 => {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                }
                _ => {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad));
                }
            }
            line.push_str("  ");
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(out, "\n{}", summary(c, fitted));
    out
}

fn markdown(c: &Context<'_>, fitted: &[Fitted]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "**fit** `{}` on `{}`: {} customers, {} rows ({})\n",
        c.file,
        c.log,
        c.customers(),
        c.counted.log.rows,
        c.basis()
    );
    out.push_str("| segment | estimate | declared | fitted | 95% interval | n | |\n");
    out.push_str("| --- | --- | ---: | ---: | --- | ---: | --- |\n");
    for f in fitted {
        let (seg, what) = row_name(c, f);
        let (fit, interval) = match f.fitted {
            Some(e) => (
                number(e.value),
                format!("[{}, {}]", number(e.low), number(e.high)),
            ),
            None => ("-".into(), String::new()),
        };
        let _ = writeln!(
            out,
            "| {seg} | `{what}` | {} | {fit} | {interval} | {} | {} |",
            number(f.declared),
            f.n,
            mark(f, c.min_count)
        );
    }
    let _ = writeln!(out, "\n{}", summary(c, fitted));
    out
}

fn json(c: &Context<'_>, fitted: &[Fitted]) -> String {
    let kind = |w: &What| match w {
        What::Share => "share",
        What::Entry(_) => "entry",
        What::Move(..) => "transition",
        What::Friction(_) => "friction",
        What::Return(_) => "return",
    };
    let estimates: Vec<serde_json::Value> = fitted
        .iter()
        .map(|f| {
            let (seg, what) = row_name(c, f);
            serde_json::json!({
                "segment": seg,
                "option": f.option,
                "kind": kind(&f.what),
                "estimate": what,
                "declared": f.declared,
                "fitted": f.fitted.map(|e| e.value),
                "low": f.fitted.map(|e| e.low),
                "high": f.fitted.map(|e| e.high),
                "n": f.n,
                "declared_outside": f.outside,
                "kept_declared": f.too_few,
                "weakly_identified": f.weak,
            })
        })
        .collect();
    let has = &c.counted.log.has;
    let mut v = serde_json::json!({
        "journey": c.file,
        "log": c.log,
        "customers": c.customers(),
        "rows": c.counted.log.rows,
        "end_rows": has.ends,
        "segments_in_log": has.segment,
        "pain_causes": has.cause,
        "min_count": c.min_count,
        "estimates": estimates,
    });
    if let Some(em) = c.em {
        let steps: Vec<usize> = em.replicates.iter().map(|r| r.steps).collect();
        v["em"] = serde_json::json!({
            "steps": em.estimate.steps,
            "converged": em.estimate.converged,
            "replicate_steps": steps,
            "replicates_converged": em.replicates.iter().filter(|r| r.converged).count(),
        });
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// Where a transition written without `for` holds for segments that the log shows moving
/// differently (LANGUAGE-2.md "Settled": `fit --write` never invents `for` lines; it notes
/// where segments differ significantly). With `end` rows only (without them a segment's
/// share of visits moving on also carries its declared abandonment). Per written arrow, a
/// G-test of homogeneity of (taken, not taken) over the visits that went on, across the
/// segments it applies to with at least `min_count` such visits; Benjamini–Hochberg at 5%
/// over all arrows. One line per arrow found, e.g. ``bag -> payment is written once for 2
/// segments, but the log shows trendsetter 0.612 (n = 1204), deal_hunter 0.418 (n = 2210)
/// (…)``.
fn differing_segments(
    j: &Journey,
    c: &crate::events::count::Counts,
    ends: bool,
    min_count: u64,
) -> Vec<String> {
    use crate::check::rules::transition_drift::chi2_sf;
    use crate::events::count::{EXIT, To};
    use crate::model::Target;
    if !ends || c.n_seg < 2 {
        return Vec::new();
    }
    let mut found: Vec<(f64, String)> = Vec::new();
    for (tp, t) in j.touchpoints.iter().enumerate() {
        for (a, arrow) in t.arrows.iter().enumerate() {
            if !arrow.segments.is_empty() {
                continue;
            }
            let to: To = match arrow.target {
                Target::Exit => EXIT,
                Target::Touchpoint(x) => x as To,
            };
            // (segment, taken, visits that went on).
            let rows: Vec<(usize, u64, u64)> = (0..c.n_seg)
                .filter(|&s| t.transitions[s].iter().any(|x| x.arrow == a))
                .map(|s| {
                    let cell = c.pooled_options(s, tp);
                    let taken = match to {
                        EXIT => cell.ended[crate::sim::tally::ending::LEFT],
                        x => cell.moves.get(&x).copied().unwrap_or(0),
                    };
                    (s, taken, cell.going_on())
                })
                .filter(|r| r.2 >= min_count)
                .collect();
            if rows.len() < 2 {
                continue;
            }
            let (k, n) = rows.iter().fold((0, 0), |(k, n), r| (k + r.1, n + r.2));
            if n == 0 || k == 0 || k == n {
                continue;
            }
            let p = k as f64 / n as f64;
            let mut g = 0.0;
            for &(_, taken, visits) in &rows {
                for (o, e) in [
                    (taken as f64, visits as f64 * p),
                    (
                        (visits - taken.min(visits)) as f64,
                        visits as f64 * (1.0 - p),
                    ),
                ] {
                    if o > 0.0 && e > 0.0 {
                        g += 2.0 * o * (o / e).ln();
                    }
                }
            }
            let pv = chi2_sf(g, (rows.len() - 1) as f64);
            let name = match to {
                EXIT => "exit".to_string(),
                x => j.touchpoints[x as usize].name.clone(),
            };
            let each: Vec<String> = rows
                .iter()
                .map(|&(s, taken, visits)| {
                    format!(
                        "{} {:.3} (n = {visits})",
                        j.segments[s].name,
                        taken as f64 / visits.max(1) as f64
                    )
                })
                .collect();
            found.push((
                pv,
                format!(
                    "{} -> {name} is written once for {} segments, but the log shows {} (a \
                     `for` line per segment would keep them apart)",
                    t.name,
                    rows.len(),
                    each.join(", ")
                ),
            ));
        }
    }
    // Benjamini–Hochberg at 5%: the largest p-value at or under its rank's share of 5%.
    let mut ps: Vec<f64> = found.iter().map(|f| f.0).collect();
    ps.sort_by(f64::total_cmp);
    let m = ps.len() as f64;
    let cut = ps
        .iter()
        .enumerate()
        .filter(|&(rank, &p)| p <= (rank + 1) as f64 / m * 0.05)
        .map(|(_, &p)| p)
        .fold(-1.0, f64::max);
    found
        .into_iter()
        .filter(|f| f.0 <= cut)
        .map(|f| f.1)
        .collect()
}
