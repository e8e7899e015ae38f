//! `journeyc check [PATH…]`: lint journeys and libraries — files, or directories searched
//! recursively for `*.journey` — in one run, as a CI pipeline runs it on every pull request.
//!
//! Every file is resolved (J0001–J0205), its journey checked by the graph rules, and so is
//! every scenario applied to it: a finding a scenario adds is reported with the scenario's
//! name. Rule levels come from `journeyc.toml` and the command line. Exit 1 when any finding is
//! at error level, 2 when a file cannot be read (the other files are still checked).

use super::config::{self, LevelArgs};
use super::{Exit, Failure};
use crate::diagnostic::{self, Finding, Level};
use crate::model;
use crate::report::{self, FileReport, Format};
use rayon::prelude::*;
use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories (searched recursively for *.journey) [default: .]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Directory that `use` paths must stay inside [default: the current directory].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Rule levels.
    #[command(flatten)]
    pub levels: LevelArgs,
}

/// Checks one file: its own findings, its journey's and its scenarios'. Levels not applied.
pub fn check_file(path: &Path, root: Option<&Path>) -> Result<FileReport, Failure> {
    check_compiled(super::compile(path, root, None)?)
}

/// [`check_file`] of a file already resolved.
pub fn check_compiled(compiled: model::Compiled) -> Result<FileReport, Failure> {
    let mut findings = compiled.findings.clone();
    if let Some(journey) = &compiled.journey {
        findings.extend(crate::check::check(journey));
    }
    let baseline: HashSet<(crate::rules::Rule, crate::source::Span, String)> = findings
        .iter()
        .map(|f| (f.rule, f.primary.span, f.message.clone()))
        .collect();
    for name in compiled.scenario_names() {
        let (journey, mut more) = compiled.scenario(&name)?;
        if let Some(journey) = &journey {
            more.extend(crate::check::check(journey));
        }
        let mut seen = HashSet::new();
        for mut f in more {
            let key = (f.rule, f.primary.span, f.message.clone());
            if baseline.contains(&key) || !seen.insert(key) {
                continue;
            }
            f.message = format!("in scenario `{name}`: {}", f.message);
            findings.push(f);
        }
    }
    Ok(FileReport {
        sources: compiled.sources,
        main: compiled.main,
        library: compiled.library,
        findings,
    })
}

/// Runs `check`.
pub fn run(args: &CheckArgs) -> Result<Exit, Failure> {
    let levels = config::levels(&args.levels, args.root.as_deref().unwrap_or(Path::new(".")))?;
    let defaults = [PathBuf::from(".")];
    let paths = if args.paths.is_empty() {
        &defaults[..]
    } else {
        &args.paths[..]
    };
    let mut problems = Vec::new();
    let files = super::files::collect(
        paths,
        args.root.as_deref(),
        super::files::Links::InsideRoot,
        &mut problems,
    );
    for p in &problems {
        crate::errln!("error: {p}");
    }
    if files.is_empty() && problems.is_empty() {
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
    let results: Vec<Result<FileReport, Failure>> = files
        .par_iter()
        .map(|f| check_file(f, args.root.as_deref()))
        .collect();

    let mut reports = Vec::with_capacity(results.len());
    let mut failures = Vec::new();
    // A library used by several files is reported once: the first time a finding is seen.
    let mut seen: HashSet<(String, u32, u32, &'static str, String)> = HashSet::new();
    for result in results {
        match result {
            Ok(mut r) => {
                let findings = levels.apply(std::mem::take(&mut r.findings));
                r.findings = findings
                    .into_iter()
                    .filter(|f| {
                        let path = r.sources.get(f.primary.span.file).display_path();
                        seen.insert((
                            path,
                            f.primary.span.start,
                            f.primary.span.end,
                            f.rule.code(),
                            f.message.clone(),
                        ))
                    })
                    .collect::<Vec<Finding>>();
                diagnostic::sort(&mut r.findings);
                reports.push(r);
            }
            Err(e) => failures.push(e),
        }
    }
    let color = args.format == Format::Human
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    super::output::out(&report::render(args.format, &reports, color))?;
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
    Ok(if failed { Exit::Findings } else { Exit::Ok })
}
