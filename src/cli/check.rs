//! `journeyc check [PATH…]`: lint journeys and libraries — files, or directories searched
//! recursively for `*.journey` — in one run, as a CI pipeline runs it on every pull request.
//!
//! Every file is resolved (J0001–J0205), its journey checked by the graph rules, and so is
//! every scenario applied to it: a finding a scenario adds is reported with the scenario's
//! name. Rule levels come from `journeyc.toml` and the command line. Exit 1 when any finding is
//! at error level, 2 when a file cannot be read (the other files are still checked).

use super::config::{self, LevelArgs};
use super::{Exit, Failure};
use crate::check::session::Session;
use crate::diagnostic::{self, Finding, Level, RuleLevels};
use crate::model;
use crate::report::{self, FileReport, Format};
use crate::source::SourceMap;
use rayon::prelude::*;
use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories (searched recursively for *.journey) [default: .]; `-` reads one
    /// journey from standard input.
    pub paths: Vec<PathBuf>,
    /// With `-`: the file name standard input stands for (in messages, and the folder its
    /// `use` lines start from) [default: <stdin>].
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Colour in the human output: `auto` (when standard output is a terminal and `NO_COLOR`
    /// is unset), `always` or `never`.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Output format (`--output-format` too, as ruff names it).
    #[arg(long, visible_alias = "output-format", value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Directory that `use` paths must stay inside [default: the current directory].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Rule levels.
    #[command(flatten)]
    pub levels: LevelArgs,
}

/// When the human output is coloured.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    /// When standard output is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    /// Always (a CI log that renders ANSI colours).
    Always,
    /// Never.
    Never,
}

impl Color {
    /// Whether `format`'s output is coloured.
    pub fn on(self, format: Format) -> bool {
        format == Format::Human
            && match self {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => {
                    std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            }
    }
}

/// Reads one journey from standard input, named `name` in messages and `use` paths.
fn check_stdin(name: &Path, root: Option<&Path>) -> Result<FileReport, Failure> {
    use std::io::Read as _;
    let limit = model::max_file_size();
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Failure(format!("cannot read standard input: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(Failure(format!(
            "standard input is larger than the {} MiB a journey may be",
            limit / (1024 * 1024)
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        Failure(format!(
            "standard input is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let options = model::Options {
        root: root.map(Path::to_path_buf),
        scenario: None,
    };
    let compiled = model::resolve_source(name, text, &options)?;
    check_compiled(compiled)
}

/// Checks one file: its own findings, its journey's and its scenarios'. Levels not applied.
pub fn check_file(path: &Path, root: Option<&Path>) -> Result<FileReport, Failure> {
    // Lean: the syntax tree is kept only for the scenarios, which are resolved from it.
    check_compiled(super::compile_with(path, root, None, true)?)
}

/// [`check_file`] of a file already resolved.
pub fn check_compiled(compiled: model::Compiled) -> Result<FileReport, Failure> {
    Ok(file_report(Session::for_findings(compiled)?))
}

/// What `check` reports of a session's file.
pub fn file_report(mut session: Session) -> FileReport {
    let findings = session.take_findings();
    let c = session.compiled;
    FileReport {
        sources: c.sources,
        main: c.main,
        library: c.library,
        findings,
    }
}

/// The findings already reported in a run: (path, start, end, code, message).
pub type Seen = crate::fasthash::Set<(std::sync::Arc<str>, u32, u32, &'static str, String)>;

/// A file's findings as `check` reports them: `levels` applied, each finding once in a run
/// (a library used by several files is reported the first time), in report order. The
/// language server publishes the same list.
pub fn leveled(
    findings: Vec<Finding>,
    sources: &SourceMap,
    levels: &RuleLevels,
    seen: &mut Seen,
) -> Vec<Finding> {
    // Each file's path once, not once per finding.
    let mut paths: crate::fasthash::Map<crate::source::FileId, std::sync::Arc<str>> =
        Default::default();
    let mut out: Vec<Finding> = levels
        .apply(findings)
        .into_iter()
        .filter(|f| {
            let file = f.primary.span.file;
            let path = paths
                .entry(file)
                .or_insert_with(|| sources.get(file).display_path().into())
                .clone();
            seen.insert((
                path,
                f.primary.span.start,
                f.primary.span.end,
                f.rule.code(),
                f.message.clone(),
            ))
        })
        .collect();
    diagnostic::sort(&mut out);
    out
}

/// Runs `check`.
pub fn run(args: &CheckArgs) -> Result<Exit, Failure> {
    let config = config::load(&args.levels, args.root.as_deref().unwrap_or(Path::new(".")))?;
    let defaults = [PathBuf::from(".")];
    let paths = if args.paths.is_empty() {
        &defaults[..]
    } else {
        &args.paths[..]
    };
    let stdin = paths.iter().any(|p| p == Path::new("-"));
    if stdin && paths.len() > 1 {
        return Err(Failure(
            "`-` (standard input) is checked on its own: give no other path with it".into(),
        ));
    }
    if args.stdin_filename.is_some() && !stdin {
        return Err(Failure(
            "`--stdin-filename` names standard input: use it with `check -`".into(),
        ));
    }
    let mut problems = Vec::new();
    let files = if stdin {
        Vec::new()
    } else {
        // `exclude` skips what a directory walk finds, never a file named on the command line.
        let named: HashSet<PathBuf> = paths
            .iter()
            .filter(|p| p.is_file())
            .map(|p| model::normalize(p))
            .collect();
        super::files::collect(
            paths,
            args.root.as_deref(),
            super::files::Links::InsideRoot,
            &mut problems,
        )
        .into_iter()
        .filter(|f| named.contains(&model::normalize(f)) || !config.excluded(f))
        .collect()
    };
    for p in &problems {
        crate::errln!("error: {p}");
    }
    if files.is_empty() && problems.is_empty() && !stdin {
        let shown: Vec<String> = if args.paths.is_empty() {
            vec!["`.`".into()]
        } else {
            args.paths
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect()
        };
        return Err(Failure(format!(
            "no .journey files in {}",
            shown.join(", ")
        )));
    }
    let results: Vec<Result<FileReport, Failure>> = if stdin {
        let name = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("<stdin>"));
        vec![check_stdin(&name, args.root.as_deref())]
    } else {
        files
            .par_iter()
            .map(|f| check_file(f, args.root.as_deref()))
            .collect()
    };

    let mut reports = Vec::with_capacity(results.len());
    let mut failures = Vec::new();
    let mut seen = Seen::default();
    for result in results {
        match result {
            Ok(mut r) => {
                let levels = config.levels_for(&r.sources.get(r.main).path);
                let findings = std::mem::take(&mut r.findings);
                r.findings = leveled(findings, &r.sources, &levels, &mut seen);
                reports.push(r);
            }
            Err(e) => failures.push(e),
        }
    }
    let color = args.color.on(args.format);
    super::output::stream(|out| report::write(args.format, &reports, color, out))?;
    for f in &failures {
        crate::errln!("error: {f}");
    }
    let unreadable = failures.len() + problems.len();
    if unreadable > 0 {
        let s = if unreadable == 1 { "" } else { "s" };
        return Err(Failure(format!(
            "{unreadable} path{s} could not be checked"
        )));
    }
    let failed = reports
        .iter()
        .any(|r| r.findings.iter().any(|f| f.level == Level::Error));
    super::exiting(reports);
    Ok(if failed { Exit::Findings } else { Exit::Ok })
}
