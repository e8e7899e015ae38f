//! The command line: clap definitions (doc comments are the help text) and one file per
//! subcommand. Every subcommand returns an [`Exit`] or a [`Failure`]; `main` maps them to the
//! process exit code: 0 ok, 1 findings at error level (or a failed KPI gate), 2 usage or I/O.

pub mod analyze;
pub mod check;
pub mod compare;
pub mod compile;
pub mod config;
pub mod diff;
pub mod explain;
pub mod files;
pub mod fmt;
pub mod graph;
pub mod levers;
pub mod merge;
pub mod output;
pub mod report;
pub mod simulate;

use crate::model::{self, Compiled, Journey, Options};
use clap::{Parser, Subcommand};
use output::err;
use std::path::{Path, PathBuf};

/// How a run ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Nothing to report at error level.
    Ok = 0,
    /// Findings at error level, denied warnings, or a failed KPI gate.
    Findings = 1,
}

/// A usage or I/O failure: said on stderr, exit code 2.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure(pub String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

/// journeyc: customer journeys as code. Compile, check and simulate `.journey` files.
#[derive(Debug, Parser)]
#[command(name = "journeyc", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint journeys and libraries (files or directories) as a CI pipeline would.
    Check(check::CheckArgs),
    /// Print the resolved model of a journey (JSON or YAML).
    Compile(compile::CompileArgs),
    /// Simulate a population of customers: conversion, drop-off, friction, time and cost
    /// with 95% intervals, KPIs judged.
    Simulate(simulate::SimulateArgs),
    /// Compare scenarios with the baseline on the same simulated customers: every figure's
    /// difference with its interval, KPI verdicts that flip.
    Compare(compare::CompareArgs),
    /// What changed between two versions of a journey (files or REVISION:PATH): structure,
    /// findings, and the effect on every figure and KPI.
    Diff(diff::DiffArgs),
    /// Combine the shard files of `simulate --shard K/N` into the output of the single run.
    Merge(merge::MergeArgs),
    /// Compute a journey's exact figures (absorbing Markov chain; horizon ignored).
    Analyze(analyze::AnalyzeArgs),
    /// Draw a journey as a graph: Graphviz DOT or a Mermaid flowchart.
    Graph(graph::GraphArgs),
    /// Rank touchpoints by what they do for conversion: removal effect, friction, sensitivity.
    Levers(levers::LeversArgs),
    /// Write a self-contained HTML report: journey map, funnel and flow, segments, time to
    /// convert, KPIs, findings, and scenarios side by side.
    Report(report::ReportArgs),
    /// Explain a rule: what it finds, why it matters, a failing and a fixed example.
    Explain(explain::ExplainArgs),
    /// Rewrite `.journey` files in the canonical layout (`--check`: only list what would change).
    Fmt(fmt::FmtArgs),
}

/// Arguments every command that reads one journey shares.
#[derive(Debug, Clone, clap::Args)]
pub struct JourneyArgs {
    /// The `.journey` file.
    pub file: PathBuf,
    /// Directory that `use` paths must stay inside [default: the current directory].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// Resolves a file (and a scenario), failing with exit 2 only when it cannot be read or the
/// scenario does not exist; findings are left to the caller.
pub fn compile(
    path: &Path,
    root: Option<&Path>,
    scenario: Option<&str>,
) -> Result<Compiled, Failure> {
    let options = Options {
        root: root.map(Path::to_path_buf),
        scenario: scenario.map(str::to_string),
    };
    Ok(model::resolve(path, &options)?)
}

/// Resolves a journey for a command that needs a clean model (simulate, analyze…): a library,
/// or a journey with errors, prints its findings (human format, on stderr) and ends the run
/// with exit 1.
pub fn journey(
    path: &Path,
    root: Option<&Path>,
    scenario: Option<&str>,
) -> Result<Result<(Compiled, Journey), Exit>, Failure> {
    let mut compiled = compile(path, root, scenario)?;
    if compiled.library {
        return Err(Failure(format!(
            "{} is a library (no journey): there is nothing to run",
            path.display()
        )));
    }
    match compiled.journey.take() {
        Some(j) => Ok(Ok((compiled, j))),
        None => {
            let text = crate::report::human::render(&compiled.sources, &compiled.findings, false);
            err(&text);
            Ok(Err(Exit::Findings))
        }
    }
}

/// Resolves a journey for a command that runs it (simulate, analyze, levers, compare,
/// report): as [`journey`], and the graph rules too. A journey with a finding at error level
/// — a trap, a goal some segment can never reach; levels as the repository's `journeyc.toml`
/// sets them — is refused the same way (its findings on stderr, exit 1): its figures would
/// mean nothing, and a trap would keep every customer walking until `max_steps`.
pub fn runnable(
    path: &Path,
    root: Option<&Path>,
    scenario: Option<&str>,
) -> Result<Result<(Compiled, Journey), Exit>, Failure> {
    let (compiled, journey) = match journey(path, root, scenario)? {
        Ok(ok) => ok,
        Err(exit) => return Ok(Err(exit)),
    };
    let mut levels = config::levels(
        &config::LevelArgs::default(),
        root.unwrap_or(Path::new(".")),
    )?;
    // Denied warnings fail `check`, not a simulation.
    levels.set_deny_warnings(false);
    let mut errors: Vec<_> = levels
        .apply(crate::check::check(&journey))
        .into_iter()
        .filter(|f| f.level == crate::diagnostic::Level::Error)
        .collect();
    if errors.is_empty() {
        return Ok(Ok((compiled, journey)));
    }
    crate::diagnostic::sort(&mut errors);
    err(&crate::report::human::render(
        &compiled.sources,
        &errors,
        false,
    ));
    Ok(Err(Exit::Findings))
}

/// Parses the arguments and runs the command.
pub fn run(cli: Cli) -> Result<Exit, Failure> {
    match &cli.command {
        Command::Check(args) => check::run(args),
        Command::Compile(args) => compile::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Graph(args) => graph::run(args),
        Command::Levers(args) => levers::run(args),
        Command::Report(args) => report::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Fmt(args) => fmt::run(args),
    }
}

/// Writes a file atomically: a temporary file beside it, then a rename, so that an
/// interrupted run never leaves half a file. A symbolic link is written through (the link stays
/// a link) and the file keeps its permissions.
pub fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    use std::io::Write as _;
    let fail = |e: std::io::Error| {
        Failure(format!(
            "cannot write `{}`: {}",
            path.display(),
            model::io_reason(&e)
        ))
    };
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path).map_err(fail)?,
        _ => path.to_path_buf(),
    };
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.journeyc-tmp"));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(text.as_bytes())?;
        if let Ok(m) = std::fs::metadata(&target) {
            f.set_permissions(m.permissions())?;
        }
        f.sync_all()
    });
    written
        .and_then(|()| std::fs::rename(&tmp, &target))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            fail(e)
        })
}
