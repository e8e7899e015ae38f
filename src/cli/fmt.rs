//! `journeyc fmt [--check] [PATH…]`: rewrites `.journey` files in the canonical layout of
//! [`crate::fmt`]. `--check` writes nothing and lists the files that would change, for CI.
//!
//! Exit codes: 0 all formatted (or nothing to change), 1 some file would change (`--check`) or
//! does not parse (it is left untouched, its J0001 finding goes to stderr), 2 some path could
//! not be read (each said with its reason; the other files are still formatted).

use super::{Exit, Failure};
use crate::fmt::format_source;
use crate::model::{self, ReadError};
use crate::report::human;
use crate::source::{SourceFile, SourceMap};
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// How standard input is named in messages.
const STDIN: &str = "<stdin>";

/// Arguments of `fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Write nothing: list the files that would change (one per line) and exit 1 if any would.
    #[arg(long)]
    pub check: bool,
    /// Files, or directories searched recursively for `*.journey` files (hidden entries and
    /// linked directories skipped); `-` formats standard input to standard output.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The tree fmt works in [default: the current directory]: it never reads or writes
    /// through a symbolic link that leads out of it, and never through a link found in a
    /// directory.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// What formatting did to one file.
enum Outcome {
    /// Already in the canonical layout.
    Same,
    /// Rewritten, or (with `--check`) would be.
    Changed,
    /// Does not parse: reported and left alone.
    Syntax,
}

/// Runs `fmt`.
pub fn run(args: &FmtArgs) -> Result<Exit, Failure> {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            return Err(Failure(
                "`-` (standard input) cannot be combined with other paths".into(),
            ));
        }
        return stdin(args.check);
    }
    let mut problems = Vec::new();
    let files = super::files::collect(
        &args.paths,
        args.root.as_deref(),
        super::files::Links::Skip,
        &mut problems,
    );
    let mut exit = Exit::Ok;
    let mut stdout = std::io::stdout().lock();
    for path in &files {
        match one(path, args.check, args.root.as_deref()) {
            Ok(Outcome::Same) => {}
            Ok(Outcome::Changed) => {
                if args.check {
                    super::output::write_to(
                        &mut stdout,
                        &format!("{}\n", super::files::shown(path)),
                    )?;
                    exit = Exit::Findings;
                }
            }
            Ok(Outcome::Syntax) => exit = Exit::Findings,
            Err(failure) => problems.push(failure.0),
        }
    }
    // Every unreadable path is said; the last one ends the run with exit 2.
    match problems.pop() {
        Some(last) => {
            for p in problems {
                crate::errln!("error: {p}");
            }
            Err(Failure(last))
        }
        None => Ok(exit),
    }
}

/// Formats one file; rewrites it unless `check`.
fn one(path: &Path, check: bool, root: Option<&Path>) -> Result<Outcome, Failure> {
    let text = model::read_text(path)?;
    match format_source(&text) {
        Err(finding) => {
            report(path, text, &finding);
            Ok(Outcome::Syntax)
        }
        Ok(out) if out == text => Ok(Outcome::Same),
        Ok(out) => {
            if !check {
                super::write_file(path, &out, root)?;
            }
            Ok(Outcome::Changed)
        }
    }
}

/// `fmt -`: standard input to standard output (with `--check`: nothing but the verdict).
fn stdin(check: bool) -> Result<Exit, Failure> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| Failure(format!("cannot read {STDIN}: {}", model::io_reason(&e))))?;
    let text = String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        path: STDIN.into(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    let out = match format_source(&text) {
        Ok(out) => out,
        Err(finding) => {
            report(Path::new(STDIN), text, &finding);
            return Ok(Exit::Findings);
        }
    };
    let mut stdout = std::io::stdout().lock();
    if !check {
        super::output::write_to(&mut stdout, &out)?;
        return Ok(Exit::Ok);
    }
    if out == text {
        return Ok(Exit::Ok);
    }
    super::output::write_to(&mut stdout, &format!("{STDIN}\n"))?;
    Ok(Exit::Findings)
}

/// The J0001 finding of a file that does not parse, on stderr.
fn report(path: &Path, text: String, finding: &crate::diagnostic::Finding) {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new(super::files::shown(path), text));
    super::output::err(&human::render(
        &sources,
        std::slice::from_ref(finding),
        false,
    ));
}
