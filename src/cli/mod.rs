//! The command line: clap definitions (doc comments are the help text) and one file per
//! subcommand. Every subcommand returns an [`Exit`] or a [`Failure`]; `main` maps them to the
//! process exit code: 0 ok, 1 findings at error level (or a failed KPI gate), 2 usage or I/O.

pub mod analyze;
pub mod check;
pub mod compare;
pub mod compile;
pub mod config;
pub mod conform;
pub mod diff;
pub mod explain;
pub mod files;
pub mod fit;
pub mod fmt;
mod git;
pub mod graph;
pub mod learn;
pub mod levers;
pub mod lsp;
pub mod merge;
pub mod optimize;
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
    /// The largest file journeyc reads (journeys, libraries, shards, configuration), in bytes
    /// or with a unit: 64MiB, 1GiB, 500MB.
    #[arg(long, global = true, value_name = "SIZE", default_value = "64MiB", value_parser = parse_size)]
    pub max_file_size: u64,
}

/// A size: bytes, or a number with a unit (k/kB = 1000, KiB = 1024, M/MB, MiB, G/GB, GiB).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => {
            return Err(format!(
                "unknown unit `{unit}`: use bytes, kB, KiB, MB, MiB, GB or GiB"
            ));
        }
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a size (a number of bytes, or 64MiB, 1GiB…)"))?;
    let bytes = n * factor;
    if !bytes.is_finite() || bytes < 1.0 || bytes > u64::MAX as f64 {
        return Err(format!("`{s}` is not a usable size"));
    }
    Ok(bytes as u64)
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
    /// The best option per segment at every touchpoint with options, for the journey's
    /// objective and constraints, on exact figures (LANGUAGE-2.md §4).
    Optimize(optimize::OptimizeArgs),
    /// Test-and-learn, simulated: a learner picks each batch's options from earlier
    /// customers' journeys; regret against `optimize`'s exact optimum (LANGUAGE-2.md §4).
    Learn(learn::LearnArgs),
    /// Write a self-contained HTML report: journey map, funnel and flow, segments, time to
    /// convert, KPIs, findings, and scenarios side by side.
    Report(report::ReportArgs),
    /// Explain a rule: what it finds, why it matters, a failing and a fixed example.
    Explain(explain::ExplainArgs),
    /// Rewrite `.journey` files in the canonical layout (`--check`: only list what would change).
    Fmt(fmt::FmtArgs),
    /// Estimate a journey's probabilities from an event log: each beside the declared value
    /// with its 95% interval.
    Fit(fit::FitArgs),
    /// Judge an event log against a journey: unknown names, undeclared moves, transitions
    /// that drift from the declared ones (J0601–J0604), in every `check` output format.
    Conform(conform::ConformArgs),
    /// A language server over standard input and output, for editors: diagnostics as
    /// `check` reports them, hover with resolved probabilities and exact reach, go to
    /// definition, references, rename, completion, formatting and quick fixes.
    Lsp(lsp::LspArgs),
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
    compile_with(path, root, scenario, false)
}

/// [`compile`]; `lean`: with [`model::resolve_lean`] (the syntax tree of a journey without
/// scenarios freed as it is resolved), for the commands that need no syntax tree after
/// resolving: `compile`, `check`, `graph`, and `analyze`, `simulate` and `levers` through
/// [`runnable_journey`]. Their peak is then the model and what is left of the tree, not both
/// whole (`check` of a 17.9 MB journey: 306 → 285 MB). With glibc's allocator freeing the tree
/// touchpoint by touchpoint cost a third of `check`'s time; with mimalloc (src/main.rs) it
/// costs nothing measurable (docs/performance.md).
fn compile_with(
    path: &Path,
    root: Option<&Path>,
    scenario: Option<&str>,
    lean: bool,
) -> Result<Compiled, Failure> {
    let options = Options {
        root: root.map(Path::to_path_buf),
        scenario: scenario.map(str::to_string),
    };
    Ok(match lean {
        true => model::resolve_lean(path, &options)?,
        false => model::resolve(path, &options)?,
    })
}

/// Lets go of `value` without freeing it, for the structures of a one-shot command at its
/// end: the process is about to exit and the system takes the memory back whole, while
/// freeing a large journey's syntax tree and model piece by piece was a tenth of a
/// `compile` or `check`. Used only by the command-line entry points, never by the language
/// server or the library.
pub(crate) fn exiting<T>(value: T) {
    std::mem::forget(value);
}

/// Resolves a journey for a command that needs a clean model (simulate, analyze…): a library,
/// or a journey with errors, prints its findings (human format, on stderr) and ends the run
/// with exit 1.
pub fn journey(
    path: &Path,
    root: Option<&Path>,
    scenario: Option<&str>,
) -> Result<Result<(Compiled, Journey), Exit>, Failure> {
    journey_with(path, root, scenario, false)
}

/// [`journey`] resolved lean ([`compile_with`]), for `compile` and `graph`.
pub fn journey_lean(
    path: &Path,
    root: Option<&Path>,
    scenario: Option<&str>,
) -> Result<Result<(Compiled, Journey), Exit>, Failure> {
    journey_with(path, root, scenario, true)
}

/// [`journey`], resolved lean when asked ([`compile_with`]).
fn journey_with(
    path: &Path,
    root: Option<&Path>,
    scenario: Option<&str>,
    lean: bool,
) -> Result<Result<(Compiled, Journey), Exit>, Failure> {
    let mut compiled = compile_with(path, root, scenario, lean)?;
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
///
/// Only the rules at error level run. Without `keep_syntax` the syntax tree is dropped
/// before they do (the command resolves nothing more: no other scenario, no decision lines),
/// so that a large journey's tree, model and findings are never in memory together.
pub fn runnable(
    path: &Path,
    root: Option<&Path>,
    scenario: Option<&str>,
    keep_syntax: bool,
) -> Result<Result<(Compiled, Journey), Exit>, Failure> {
    let (mut compiled, journey) = match journey_with(path, root, scenario, !keep_syntax)? {
        Ok(ok) => ok,
        Err(exit) => return Ok(Err(exit)),
    };
    if !keep_syntax {
        compiled.drop_syntax();
    }
    let levels = run_levels(root)?;
    let checked = crate::check::check_rules(&journey, |rule| {
        levels.level(rule) == Some(crate::diagnostic::Level::Error)
    });
    Ok(refuse_errors(&compiled.sources, &checked, root)?.map(|()| (compiled, journey)))
}

/// [`runnable`] for a command that needs only the journey (`analyze`, `simulate`, `levers`):
/// the syntax tree and the sources are dropped before the graph rules run.
pub fn runnable_journey(
    path: &Path,
    root: Option<&Path>,
    scenario: Option<&str>,
) -> Result<Result<Journey, Exit>, Failure> {
    Ok(runnable(path, root, scenario, false)?.map(|(_, journey)| journey))
}

/// A session of a journey a command runs, with its scenarios (`report`): compiled once,
/// refused as [`runnable`] refuses it (a library, errors, checker errors).
pub fn runnable_session(
    path: &Path,
    root: Option<&Path>,
) -> Result<Result<crate::check::session::Session, Exit>, Failure> {
    let compiled = compile_with(path, root, None, false)?;
    if compiled.library {
        return Err(Failure(format!(
            "{} is a library (no journey): there is nothing to run",
            path.display()
        )));
    }
    if compiled.journey.is_none() {
        err(&crate::report::human::render(
            &compiled.sources,
            &compiled.findings,
            false,
        ));
        return Ok(Err(Exit::Findings));
    }
    let session = crate::check::session::Session::new(compiled)?;
    let refused = refuse_errors(&session.compiled.sources, &session.checked, root)?;
    Ok(refused.map(|()| session))
}

/// The journey of a session's scenario `name`, refused as [`runnable`] refuses one: an
/// unknown scenario is a usage error (exit 2), errors print and give exit 1.
pub fn runnable_scenario(
    session: &crate::check::session::Session,
    name: &str,
    root: Option<&Path>,
) -> Result<Result<Journey, Exit>, Failure> {
    let s = session.scenario(name)?;
    let sources = &session.compiled.sources;
    let Some(j) = &s.journey else {
        err(&crate::report::human::render(sources, &s.resolved, false));
        return Ok(Err(Exit::Findings));
    };
    Ok(refuse_errors(sources, &s.checked, root)?.map(|()| j.clone()))
}

/// The rule levels of a command that runs a journey: the repository's `journeyc.toml`, with
/// denied warnings left to `check` (they fail `check`, not a simulation).
fn run_levels(root: Option<&Path>) -> Result<crate::diagnostic::RuleLevels, Failure> {
    let mut levels = config::levels(
        &config::LevelArgs::default(),
        root.unwrap_or(Path::new(".")),
    )?;
    levels.set_deny_warnings(false);
    Ok(levels)
}

/// Refuses a journey whose checker findings have one at error level (levels as the
/// repository's `journeyc.toml` sets them): prints them on stderr and gives exit 1.
pub fn refuse_errors(
    sources: &crate::source::SourceMap,
    checked: &[crate::diagnostic::Finding],
    root: Option<&Path>,
) -> Result<Result<(), Exit>, Failure> {
    use crate::diagnostic::Level;
    let levels = run_levels(root)?;
    // Only the findings at error level are copied (a journey may have a warning per
    // touchpoint), then levelled as `check` levels them.
    let errors: Vec<_> = checked
        .iter()
        .filter(|f| match f.rule {
            crate::rules::Rule::Syntax => f.level == Level::Error,
            rule => levels.level(rule) == Some(Level::Error),
        })
        .cloned()
        .collect();
    let mut errors = levels.apply(errors);
    if errors.is_empty() {
        return Ok(Ok(()));
    }
    crate::diagnostic::sort(&mut errors);
    err(&crate::report::human::render(sources, &errors, false));
    Ok(Err(Exit::Findings))
}

/// Parses the arguments and runs the command.
pub fn run(cli: Cli) -> Result<Exit, Failure> {
    model::set_max_file_size(cli.max_file_size);
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
        Command::Optimize(args) => optimize::run(args),
        Command::Learn(args) => learn::run(args),
        Command::Report(args) => report::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Fit(args) => fit::run(args),
        Command::Conform(args) => conform::run(args),
        Command::Lsp(args) => lsp::run(args),
    }
}

/// The canonical form of the root a command works in (`--root`, else the current directory).
pub fn canonical_root(root: Option<&Path>) -> PathBuf {
    let root = root.map_or_else(
        || std::env::current_dir().unwrap_or_default(),
        Path::to_path_buf,
    );
    root.canonicalize()
        .unwrap_or_else(|_| model::absolute(&root))
}

/// Whether `path`, as written (not following links), is inside `root` — either the root as
/// given or its canonical form, so that a root reached through a link (`/tmp` → `/private/tmp`)
/// counts.
pub fn lexically_inside(path: &Path, root: Option<&Path>) -> bool {
    let abs = model::absolute(path);
    let given = model::absolute(root.unwrap_or(Path::new(".")));
    abs.starts_with(&given) || abs.starts_with(canonical_root(root))
}

/// Where an output file named `-`, `/dev/stdout`, `/dev/stderr` or `/dev/null` goes.
fn special_output(path: &Path) -> Option<&'static str> {
    match path.to_str()? {
        "-" | "/dev/stdout" => Some("stdout"),
        "/dev/stderr" => Some("stderr"),
        "/dev/null" => Some("null"),
        _ => None,
    }
}

/// Writes an output file (`report -o`, `compile -o`, `fmt`) safely:
///
/// - `-` and `/dev/stdout` are standard output, `/dev/stderr` standard error, `/dev/null`
///   discards;
/// - anything at the path that is not a regular file (a FIFO, a device, a directory, a socket)
///   is refused, never replaced;
/// - a symbolic link is written through (the link stays a link) only when its destination is
///   inside the root (`root`, else the current directory); a path inside the root whose real
///   location is outside it (a linked directory) is refused too;
/// - the text goes to a randomly named temporary file created exclusively (`O_EXCL`: a planted
///   link is never followed) in the destination's directory, takes the destination's
///   permissions, and is renamed over it: an interrupted run never leaves half a file.
pub fn write_file(path: &Path, text: &str, root: Option<&Path>) -> Result<(), Failure> {
    write_file_with(path, root, |w| w.write_all(text.as_bytes()))
}

/// [`write_file`] of what `write` writes, as it writes it (through a buffer): an output many
/// times the size of its input never sits in memory whole.
pub fn write_file_with(
    path: &Path,
    root: Option<&Path>,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    use std::io::Write as _;
    let shown = path.display();
    match special_output(path) {
        Some("stdout") => return output::stream(write),
        Some("stderr") => {
            let mut stderr = std::io::stderr().lock();
            let _ = write(&mut stderr).and_then(|()| stderr.flush());
            return Ok(());
        }
        Some(_) => return Ok(()),
        None => {}
    }
    let refuse = |why: String| Failure(format!("cannot write `{shown}`: {why}"));
    let fail = |e: std::io::Error| refuse(model::io_reason(&e));
    let canonical_root = canonical_root(root);
    let (target, existing) = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            let dest = std::fs::canonicalize(path).map_err(|_| {
                refuse("it is a symbolic link to a file that does not exist; remove the link or name another file".into())
            })?;
            if !dest.starts_with(&canonical_root) {
                return Err(refuse(format!(
                    "it is a symbolic link to `{}`, outside the root `{}`; journeyc does not \
                     write through links that leave the tree it works on (remove the link, or \
                     name another file)",
                    dest.display(),
                    canonical_root.display()
                )));
            }
            let m = std::fs::metadata(&dest).map_err(fail)?;
            (dest, Some(m))
        }
        Ok(m) => (path.to_path_buf(), Some(m)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (path.to_path_buf(), None),
        Err(e) => return Err(fail(e)),
    };
    if let Some(m) = &existing
        && !m.is_file()
    {
        return Err(refuse(format!(
            "it is {}, not a regular file; journeyc only replaces regular files",
            model::kind_words(m.file_type())
        )));
    }
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // A path written inside the root must really be inside it: a directory on the way may be
    // a link that leaves the tree.
    if lexically_inside(path, root) {
        let real_dir = dir.canonicalize().map_err(fail)?;
        if !real_dir.starts_with(&canonical_root) {
            return Err(refuse(format!(
                "its directory is really `{}`, outside the root `{}` (a linked directory); \
                 journeyc does not write through links that leave the tree it works on",
                real_dir.display(),
                canonical_root.display()
            )));
        }
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".journeyc-tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // A new file gets the usual 0666 less the umask; an existing one keeps its mode below.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(fail)?;
    let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, tmp.as_file_mut());
    let written = write(&mut buffered).and_then(|()| buffered.flush());
    drop(buffered);
    let written = written.and_then(|()| {
        if let Some(m) = &existing {
            tmp.as_file().set_permissions(m.permissions())?;
        }
        tmp.as_file().sync_all()
    });
    written.map_err(fail)?;
    tmp.persist(&target).map_err(|e| fail(e.error))?;
    Ok(())
}
