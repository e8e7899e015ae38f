//! `journeyc simulate FILE [--customers N] [--seed S] [--threads T] [--scenario S]
//! [--format table|json|csv] [--gate [--strict]] [--exact] [--shard K/N] [--ignore-horizon]`: a Monte
//! Carlo run over a synthetic population ([`crate::sim`]), each figure with its 95% interval,
//! KPIs judged pass / fail / inconclusive.

use super::{Exit, Failure, JourneyArgs};
use crate::analyze::analyze;
use crate::report::simulation::{self, Computed};
use crate::sim::{self, Run, Settings, Shard};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The report format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for people (100 columns when not on a terminal).
    Table,
    /// Every figure as JSON (schema: docs/simulation.md).
    Json,
    /// Every figure as CSV, one row per figure (schema: docs/simulation.md).
    Csv,
}

/// How many customers and which random numbers; shared by `simulate` and the commands that
/// simulate (`compare`, `report`).
#[derive(Debug, Clone, clap::Args)]
pub struct PopulationArgs {
    /// Customers to simulate (`100000`, `100_000` or `1e5`).
    #[arg(long, short = 'n', default_value = "100000", value_name = "N", value_parser = parse_count)]
    pub customers: u64,
    /// Seed of the random numbers: the same seed and input give the same output.
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,
    /// Worker threads [default: all cores]. The output does not depend on it.
    #[arg(long, value_name = "T")]
    pub threads: Option<usize>,
    /// Ignore the journey's horizon (nobody times out), to compare with `journeyc analyze`.
    #[arg(long)]
    pub ignore_horizon: bool,
}

/// Arguments of `simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The journey and the root its `use`s stay in.
    #[command(flatten)]
    pub journey: JourneyArgs,
    /// Simulate the journey with this scenario applied.
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// The population.
    #[command(flatten)]
    pub population: PopulationArgs,
    /// Output format [default: table; json with --shard].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Width of text tables in columns [default: $COLUMNS, else the terminal's, else 100].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(20..))]
    pub width: Option<u16>,
    /// Exit 1 when a KPI fails (its whole interval misses the target): the CI use.
    #[arg(long)]
    pub gate: bool,
    /// With --gate: a KPI that stays inconclusive fails too, and the output estimates the
    /// customers that would decide it.
    #[arg(long, requires = "gate")]
    pub strict: bool,
    /// Print the exact value (absorbing-chain analysis) beside each estimate.
    #[arg(long)]
    pub exact: bool,
    /// Simulate only the K-th of N fixed slices of the population and write a shard file
    /// for `journeyc merge` (e.g. `--shard 3/8`).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Write the simulated customers' event log to OUT instead of a report (LANGUAGE-2.md
    /// §5; `.csv`, `.jsonl` or `.parquet`, `-`: CSV on standard output). With --shard, that
    /// shard's customers.
    #[arg(long, value_name = "OUT")]
    pub events: Option<std::path::PathBuf>,
    /// With --events: when every customer's first cycle starts (RFC 3339).
    #[arg(
        long,
        value_name = "RFC3339",
        requires = "events",
        default_value = "2026-01-01T00:00:00Z"
    )]
    pub start: String,
    /// With --events: spread the first cycles' starts uniformly over this window from
    /// --start (e.g. 30d), instead of all at --start.
    #[arg(long, value_name = "DURATION", requires = "events")]
    pub arrivals: Option<String>,
}

/// A count as people write it: digits with optional `_` separators (`1_000_000`), or a
/// number in scientific notation whose value is a whole number (`1e6`, `2.5e5`).
pub fn parse_count(text: &str) -> Result<u64, String> {
    let plain: String = text.trim().chars().filter(|&c| c != '_').collect();
    let bad = || {
        format!(
            "`{text}` is not a count of customers: write a whole number such as `100000`, \
             `100_000` or `1e5`"
        )
    };
    if plain.is_empty() || text.trim().starts_with('_') || text.trim().ends_with('_') {
        return Err(bad());
    }
    if plain.bytes().all(|b| b.is_ascii_digit()) {
        return plain
            .parse::<u64>()
            .map_err(|_| format!("`{text}` is too large: at most {} customers", u64::MAX));
    }
    if !plain.contains(['e', 'E']) || plain.starts_with(['-', '+']) {
        return Err(bad());
    }
    let x: f64 = plain.parse().map_err(|_| bad())?;
    // Whole numbers up to 2^53 are exact in an f64: beyond, `1e19` and its neighbours blur.
    if !x.is_finite() || x < 0.0 || x.fract() != 0.0 {
        return Err(bad());
    }
    if x > 9_007_199_254_740_992.0 {
        return Err(format!(
            "`{text}` is too large for scientific notation: write the digits"
        ));
    }
    Ok(x as u64)
}

/// Runs `simulate`.
pub fn run(args: &SimulateArgs) -> Result<Exit, Failure> {
    let file = &args.journey.file;
    if args.shard.is_some() && matches!(args.format, Some(Format::Table | Format::Csv)) {
        return Err(Failure(
            "--shard writes a shard file (JSON) for `journeyc merge`; drop --format, or \
             merge the shards and choose the format there"
                .into(),
        ));
    }
    if args.events.is_some() && (args.format.is_some() || args.gate || args.exact) {
        return Err(Failure(
            "--events writes the event log, not a report: drop --format, --gate and --exact \
             (run `simulate` again with the same seed for the report)"
                .into(),
        ));
    }
    let root = args.journey.root.as_deref();
    let journey = match super::runnable_journey(file, root, args.scenario.as_deref())? {
        Ok(journey) => journey,
        Err(exit) => return Ok(exit),
    };
    if let Some(out) = &args.events {
        return write_events(args, &journey, out);
    }
    let settings = settings(&args.population, args.shard);
    let mut run = run_with_progress(&journey, &settings)
        .map_err(|e| Failure(format!("cannot simulate `{}`: {e}", file.display())))?;
    if args.exact {
        match analyze(&journey) {
            Ok(a) => run.exact = Some(a),
            Err(e) => crate::errln!("note: no exact values for `{}`: {e}", file.display()),
        }
    }
    if args.shard.is_some() {
        let fingerprint = simulation::fingerprint(&journey, &run, args.exact);
        super::output::out(&simulation::shard_json(&run, &fingerprint))?;
        return Ok(Exit::Ok);
    }
    print_run(
        &run,
        args.format.unwrap_or(Format::Table),
        Gate::of(args.gate, args.strict),
        args.width,
    )
}

/// `simulate --events OUT`: the log, streamed to a file written aside and renamed when
/// complete (nothing is left at OUT when the run fails), or to standard output for `-`.
fn write_events(
    args: &SimulateArgs,
    journey: &crate::model::Journey,
    out: &std::path::Path,
) -> Result<Exit, Failure> {
    use crate::events::{self, write};
    let format = events::Format::of_path(out).map_err(Failure)?;
    let p = &args.population;
    if p.customers == 0 {
        return Err(Failure(
            "nothing to simulate: the population has no customer".into(),
        ));
    }
    let start_ms = events::parse_rfc3339(&args.start).map_err(Failure)?;
    let arrivals_ms = match &args.arrivals {
        Some(d) => (events::parse_duration(d).map_err(Failure)? * 1000.0) as i64,
        None => 0,
    };
    let (from, to) = args
        .shard
        .map_or((0, p.customers), |s| s.range(p.customers));
    let s = write::Settings {
        seed: p.seed,
        from,
        to,
        start_ms,
        arrivals_ms,
        threads: p.threads.unwrap_or(0),
        ignore_horizon: p.ignore_horizon,
    };
    let shown = out.display();
    let fail = |e: write::WriteError| Failure(format!("cannot write `{shown}`: {e}"));
    if out.as_os_str() == "-" {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
        write::write_log(journey, &s, format, &mut w).map_err(fail)?;
        return Ok(Exit::Ok);
    }
    if let Ok(m) = std::fs::symlink_metadata(out)
        && !m.is_file()
    {
        return Err(Failure(format!(
            "cannot write `{shown}`: it is not a regular file; journeyc only replaces regular files"
        )));
    }
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let io = |e: std::io::Error| Failure(format!("cannot write `{shown}`: {e}"));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".journeyc-events.").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // As `write_file`: a new file gets 0666 less the umask, not the temporary's 0600.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        write::write_log(journey, &s, format, &mut w).map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(out).map_err(|e| io(e.error))?;
    Ok(Exit::Ok)
}

/// The simulation settings of the population arguments.
pub fn settings(p: &PopulationArgs, shard: Option<Shard>) -> Settings {
    Settings {
        customers: p.customers,
        seed: p.seed,
        threads: p.threads.unwrap_or(0),
        shard,
        ignore_horizon: p.ignore_horizon,
    }
}

/// What a KPI gate acts on.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Gate {
    /// No gate: the exit status does not depend on KPIs.
    Off,
    /// A failing KPI fails the gate.
    On,
    /// A failing or inconclusive KPI fails the gate (`--strict`).
    Strict,
}

impl Gate {
    /// The gate of `--gate` and `--strict`.
    pub fn of(gate: bool, strict: bool) -> Gate {
        match (gate, strict) {
            (false, _) => Gate::Off,
            (true, false) => Gate::On,
            (true, true) => Gate::Strict,
        }
    }
}

/// Prints a run's report; with a gate, a failing KPI (with `Gate::Strict`, an inconclusive
/// one too) makes the exit status 1.
pub fn print_run(
    run: &Run,
    format: Format,
    gate: Gate,
    width: Option<u16>,
) -> Result<Exit, Failure> {
    let c = Computed::new(run);
    match format {
        Format::Table => {
            let width = super::output::table_width(width);
            super::output::stream_text(|out| simulation::table_to(out, &c, width))?;
        }
        Format::Json => super::output::out(&simulation::json(&c))?,
        Format::Csv => super::output::out(&simulation::csv(&c))?,
    }
    if gate == Gate::Off {
        return Ok(Exit::Ok);
    }
    for note in c.empty_population_notes() {
        crate::errln!("note: {note}");
    }
    let undecided: Vec<String> = run
        .frame
        .kpis
        .iter()
        .zip(&c.kpis)
        .filter(|(_, r)| r.verdict == sim::KpiVerdict::Inconclusive)
        .map(|(k, r)| {
            simulation::undecided_note(&k.text, r.estimate.as_ref(), k.target, run.customers)
        })
        .collect();
    if gate == Gate::Strict {
        for note in &undecided {
            crate::errln!("{note}");
        }
    }
    if c.any_kpi_fails() {
        crate::errln!(
            "KPI gate: at least one KPI fails (its whole 95% interval misses the target)"
        );
        Ok(Exit::Findings)
    } else if gate == Gate::Strict && !undecided.is_empty() {
        crate::errln!(
            "KPI gate (--strict): {} KPI{} inconclusive",
            undecided.len(),
            if undecided.len() == 1 {
                " stays"
            } else {
                "s stay"
            }
        );
        Ok(Exit::Findings)
    } else {
        if !undecided.is_empty() {
            crate::errln!(
                "note: {} KPI{} inconclusive and pass{} the gate; --strict fails on them",
                undecided.len(),
                if undecided.len() == 1 {
                    " stays"
                } else {
                    "s stay"
                },
                if undecided.len() == 1 { "es" } else { "" }
            );
        }
        Ok(Exit::Ok)
    }
}

/// Simulates with a progress bar on stderr, shown only on a terminal and only once the run
/// has lasted a second.
pub fn run_with_progress(
    journey: &crate::model::Journey,
    settings: &Settings,
) -> Result<Run, sim::SimulateError> {
    let total = settings.shard.map_or(settings.customers, |s| {
        let (a, b) = s.range(settings.customers);
        b - a
    });
    let done = AtomicU64::new(0);
    let finished = AtomicBool::new(false);
    let show = std::io::stderr().is_terminal();
    std::thread::scope(|scope| {
        if show {
            scope.spawn(|| progress(&done, &finished, total));
        }
        let result = sim::simulate(journey, settings, Some(&done));
        finished.store(true, Ordering::Relaxed);
        result
    })
}

fn progress(done: &AtomicU64, finished: &AtomicBool, total: u64) {
    let start = Instant::now();
    let mut bar: Option<indicatif::ProgressBar> = None;
    while !finished.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
        if bar.is_none() && start.elapsed() >= Duration::from_secs(1) {
            let b = indicatif::ProgressBar::with_draw_target(
                Some(total),
                indicatif::ProgressDrawTarget::stderr(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} simulating {human_pos}/{human_len} customers [{bar:30}] {percent}% eta {eta}",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            bar = Some(b);
        }
        if let Some(b) = &bar {
            b.set_position(done.load(Ordering::Relaxed));
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::parse_count;

    #[test]
    fn counts_are_read_as_people_write_them() {
        assert_eq!(parse_count("100000"), Ok(100_000));
        assert_eq!(parse_count("1_000_000"), Ok(1_000_000));
        assert_eq!(parse_count("1e6"), Ok(1_000_000));
        assert_eq!(parse_count("2.5E5"), Ok(250_000));
        assert_eq!(parse_count("0"), Ok(0));
        for bad in [
            "", "_", "1__", "_1", "1.5", "1e-3", "-1e3", "1.5e0", "ten", "1e400", "NaN", "inf",
            "1,000",
        ] {
            assert!(parse_count(bad).is_err(), "{bad}");
        }
        assert!(parse_count("1e20").is_err());
        assert!(parse_count("99999999999999999999999").is_err());
    }
}
