//! `journeyc diff OLD NEW [--customers N] [--seed S] [--format table|markdown|json] [--gate]`:
//! what changed between two versions of a journey — structure ([`crate::diff`]), findings
//! that appear or disappear, and the simulated and exact effect on every figure and KPI
//! ([`crate::compare`]). Each side is a file or a git revision and path
//! (`main:journeys/checkout.journey`), read with git itself.

use super::simulate::{PIPE_WIDTH, PopulationArgs, settings};
use super::{Exit, Failure};
use crate::compare::{Comparison, compare};
use crate::diagnostic::Level;
use crate::model::{
    self, Files, Journey, Options, ReadError, io_reason, max_file_size, normalize, text_of,
};
use crate::report::FileReport;
use crate::report::compare as cmp;
use std::collections::HashMap;
use std::fmt::Write;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The report format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Text for people (tables 100 columns wide when not on a terminal).
    Table,
    /// GitHub-flavoured Markdown: a pull-request comment.
    Markdown,
    /// JSON (schema: docs/compare.md, "diff").
    Json,
}

/// Arguments of `diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old version: a file, or REVISION:PATH (`main:journeys/checkout.journey`).
    pub old: String,
    /// The new version: a file, or REVISION:PATH.
    pub new: String,
    /// Directory that `use` paths of file sides must stay inside [default: the current
    /// directory]; a revision's side uses the repository at that revision.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The population simulated for the effect.
    #[command(flatten)]
    pub population: PopulationArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Exit 1 when the new version breaks a KPI that passed (as well as on new errors).
    #[arg(long)]
    pub gate: bool,
}

/// One side, read: its name as the user gave it, its findings and its journey.
struct Side {
    name: String,
    report: FileReport,
    journey: Option<Journey>,
    /// A revision side: the root its files are named under, and the revision, to name files
    /// as `REV:path`.
    tree: Option<(PathBuf, String)>,
}

fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {}", io_reason(&e)))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes)
        .trim_end_matches('\n')
        .to_string()
}

/// One file of a revision, as `git ls-tree` lists it.
struct Blob {
    /// Its object name.
    object: String,
    /// Its size in bytes.
    size: u64,
    /// A symbolic link (mode 120000): never followed.
    link: bool,
}

/// The files of a git revision, read from the object store when asked for: nothing is
/// written to disk (no temporary copy that a planted link could redirect, nothing to clean up
/// after Ctrl-C), and a symbolic link in the revision is refused, never followed. Paths are
/// under a root named `REV:`, so that findings name files as `REV:path`.
struct GitTree {
    root: PathBuf,
    /// The revision as given, for messages.
    rev: String,
    blobs: HashMap<PathBuf, Blob>,
}

impl GitTree {
    /// Lists the files of `commit` (an object name that `git rev-parse` resolved).
    fn list(rev: &str, commit: &str) -> Result<GitTree, String> {
        let root = PathBuf::from(format!("{rev}:"));
        let listing = git(&["ls-tree", "-r", "-l", "-z", "--full-tree", commit])?;
        let mut blobs = HashMap::new();
        for record in listing.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            let record = String::from_utf8_lossy(record);
            let Some((meta, path)) = record.split_once('\t') else {
                continue;
            };
            let meta: Vec<&str> = meta.split_whitespace().collect();
            let [mode, "blob", object, size] = meta[..] else {
                continue; // a submodule, or anything but a file
            };
            blobs.insert(
                root.join(path),
                Blob {
                    object: object.to_string(),
                    size: size.parse().unwrap_or(u64::MAX),
                    link: mode == "120000",
                },
            );
        }
        Ok(GitTree {
            root,
            rev: rev.to_string(),
            blobs,
        })
    }

    /// How a path is named in messages: `REV:path`.
    fn shown(&self, path: &Path) -> String {
        match path.strip_prefix(&self.root) {
            Ok(p) => format!("{}:{}", self.rev, p.to_string_lossy().replace('\\', "/")),
            Err(_) => path.to_string_lossy().replace('\\', "/"),
        }
    }
}

impl Files for GitTree {
    fn absolute(&self, path: &Path) -> PathBuf {
        normalize(path)
    }

    fn canonical(&self, abs: &Path) -> std::io::Result<PathBuf> {
        if abs == self.root {
            return Ok(abs.to_path_buf());
        }
        match self.blobs.get(abs) {
            Some(blob) if blob.link => Err(std::io::Error::other(format!(
                "it is a symbolic link in revision `{}`; journeyc does not follow links in a \
                 revision",
                self.rev
            ))),
            Some(_) => Ok(abs.to_path_buf()),
            None => Err(std::io::Error::other(format!(
                "no such file in revision `{}`",
                self.rev
            ))),
        }
    }

    fn read(&self, canonical: &Path) -> Result<String, ReadError> {
        let shown = self.shown(canonical);
        let io = |reason: String| ReadError::Io {
            path: shown.clone(),
            reason,
        };
        let blob = self
            .blobs
            .get(canonical)
            .filter(|b| !b.link)
            .ok_or_else(|| io(format!("no such file in revision `{}`", self.rev)))?;
        let limit = max_file_size();
        if blob.size > limit {
            return Err(ReadError::TooBig {
                path: shown.clone(),
                size: blob.size,
                limit,
            });
        }
        let bytes = git(&["cat-file", "blob", &blob.object]).map_err(io)?;
        text_of(Path::new(&shown), bytes)
    }
}

/// The files of revision `rev` and the path of `path` (relative to the repository root, or to
/// the current directory when it starts with `./` or `../`) among them.
fn revision(rev: &str, path: &str, arg: &str) -> Result<(GitTree, PathBuf), Failure> {
    let fail = |why: String| Failure(format!("cannot read `{arg}`: {why}"));
    if rev.starts_with('-') {
        return Err(fail(format!(
            "`{rev}` is not a revision (it would be read as an option of git)"
        )));
    }
    git(&["rev-parse", "--show-toplevel"])
        .map_err(|_| fail("not inside a git repository (a REVISION:PATH side needs one)".into()))?;
    let commit = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])
    .map(text)
    .map_err(|_| fail(format!("revision `{rev}` does not exist")))?;
    let relative = if path.starts_with("./") || path.starts_with("../") {
        let prefix = text(git(&["rev-parse", "--show-prefix"]).map_err(fail)?);
        normalize(&Path::new(&prefix).join(path))
    } else {
        normalize(Path::new(path))
    };
    let tree = GitTree::list(rev, &commit).map_err(fail)?;
    let file = tree.root.join(&relative);
    if !tree.blobs.contains_key(&file) {
        return Err(fail(format!(
            "`{}` does not exist at revision `{rev}`",
            relative.to_string_lossy().replace('\\', "/")
        )));
    }
    Ok((tree, file))
}

fn read_side(arg: &str, root: Option<&Path>) -> Result<Side, Failure> {
    let as_git = (!Path::new(arg).exists())
        .then(|| arg.split_once(':'))
        .flatten()
        .filter(|(rev, path)| !rev.is_empty() && !path.is_empty());
    let (compiled, tree) = match as_git {
        Some((rev, path)) => {
            let (files, file) = revision(rev, path, arg)?;
            let options = Options {
                root: Some(files.root.clone()),
                scenario: None,
            };
            let compiled = model::resolve_in(&file, &options, &files)?;
            (compiled, Some((files.root.clone(), rev.to_string())))
        }
        None => (super::compile(Path::new(arg), root, None)?, None),
    };
    let journey = compiled.journey.clone();
    let report = super::check::check_compiled(compiled)?;
    if report.library {
        return Err(Failure(format!(
            "`{arg}` is a library (no journey): nothing to diff"
        )));
    }
    Ok(Side {
        name: arg.to_string(),
        report,
        journey,
        tree,
    })
}

/// A finding as the diff lists it.
struct Listed {
    code: &'static str,
    name: &'static str,
    level: Level,
    message: String,
    place: String,
}

fn listed(side: &Side) -> Vec<Listed> {
    side.report
        .findings
        .iter()
        .map(|f| {
            let file = side.report.sources.get(f.primary.span.file);
            let line = file.line_of(f.primary.span.start);
            // A revision's files are named `REV:path`, not by their temporary copy.
            let path = match &side.tree {
                Some((root, rev)) => file.path.strip_prefix(root).map_or_else(
                    |_| file.display_path(),
                    |p| format!("{rev}:{}", p.to_string_lossy().replace('\\', "/")),
                ),
                None => file.display_path(),
            };
            Listed {
                code: f.rule.code(),
                name: f.rule.name(),
                level: f.level,
                message: f.message.clone(),
                place: format!("{path}:{line}"),
            }
        })
        .collect()
}

/// Runs `diff`.
pub fn run(args: &DiffArgs) -> Result<Exit, Failure> {
    let old = read_side(&args.old, args.root.as_deref())?;
    let new = read_side(&args.new, args.root.as_deref())?;
    if let (Some(a), Some(b)) = (&old.journey, &new.journey)
        && a.name != b.name
    {
        return Err(Failure(format!(
            "`{}` is journey `{}` and `{}` is journey `{}`: diff compares two versions of one \
             journey (use `journeyc compare` for scenarios of one file)",
            old.name, a.name, new.name, b.name
        )));
    }
    let (lo, ln) = (listed(&old), listed(&new));
    let key = |l: &Listed| (l.code, l.message.clone());
    let added: Vec<&Listed> = ln
        .iter()
        .filter(|n| !lo.iter().any(|o| key(o) == key(n)))
        .collect();
    let fixed: Vec<&Listed> = lo
        .iter()
        .filter(|o| !ln.iter().any(|n| key(o) == key(n)))
        .collect();
    let changes = match (&old.journey, &new.journey) {
        (Some(a), Some(b)) => Some(crate::diff::diff(a, b)),
        _ => None,
    };
    let comparison = match (&old.journey, &new.journey) {
        (Some(a), Some(b)) => {
            let mut c = compare(a, b, &settings(&args.population, None))
                .map_err(|e| Failure(format!("cannot simulate: {e}")))?;
            c.names = Some((old.name.clone(), new.name.clone()));
            Some(c)
        }
        _ => None,
    };
    let text = match args.format {
        Format::Table => {
            let width = (!std::io::stdout().is_terminal()).then_some(PIPE_WIDTH);
            render(
                &old,
                &new,
                changes.as_deref(),
                &added,
                &fixed,
                comparison.as_ref(),
                Some(width),
                false,
            )
        }
        Format::Markdown => render(
            &old,
            &new,
            changes.as_deref(),
            &added,
            &fixed,
            comparison.as_ref(),
            None,
            true,
        ),
        Format::Json => json(
            &old,
            &new,
            changes.as_deref(),
            &added,
            &fixed,
            comparison.as_ref(),
        ),
    };
    super::output::out(&text)?;
    let new_errors = ln.iter().any(|l| l.level == Level::Error);
    let breaks = comparison
        .as_ref()
        .is_some_and(|c| c.kpis.iter().any(|k| k.regresses()));
    if new_errors {
        crate::errln!("`{}` has errors: see the findings", new.name);
        return Ok(Exit::Findings);
    }
    if args.gate && breaks {
        crate::errln!(
            "KPI gate: `{}` breaks a KPI that passed in `{}`",
            new.name,
            old.name
        );
        return Ok(Exit::Findings);
    }
    Ok(Exit::Ok)
}

#[allow(clippy::too_many_arguments)]
fn render(
    old: &Side,
    new: &Side,
    changes: Option<&[crate::diff::Change]>,
    added: &[&Listed],
    fixed: &[&Listed],
    c: Option<&Comparison>,
    width: Option<Option<u16>>,
    markdown: bool,
) -> String {
    let mut out = String::new();
    let title = |out: &mut String, t: &str| {
        if markdown {
            let _ = writeln!(out, "\n#### {t}\n");
        } else {
            let _ = writeln!(out, "\n{t}");
        }
    };
    let journey = new
        .journey
        .as_ref()
        .or(old.journey.as_ref())
        .map_or(String::new(), |j| format!(" (journey `{}`)", j.name));
    if markdown {
        let _ = writeln!(
            out,
            "### journeyc diff: `{}` → `{}`{journey}",
            old.name, new.name
        );
    } else {
        let _ = writeln!(
            out,
            "journeyc diff: `{}` → `{}`{journey}",
            old.name, new.name
        );
    }
    match changes {
        None => {
            title(&mut out, "Structure");
            let _ = writeln!(
                out,
                "not available: a version has errors (see the findings)"
            );
        }
        Some(ch) => {
            title(
                &mut out,
                &format!(
                    "Structure ({} change{})",
                    ch.len(),
                    if ch.len() == 1 { "" } else { "s" }
                ),
            );
            if ch.is_empty() {
                let _ = writeln!(out, "no structural change");
            }
            for x in ch {
                let mark = match x.kind {
                    crate::diff::Kind::Added => "+",
                    crate::diff::Kind::Removed => "-",
                    crate::diff::Kind::Changed => "~",
                };
                if markdown {
                    let _ = writeln!(out, "- `{mark}` {}", x.text);
                } else {
                    let _ = writeln!(out, "  {mark} {}", x.text);
                }
            }
        }
    }
    title(
        &mut out,
        &format!("Findings ({} new, {} fixed)", added.len(), fixed.len()),
    );
    if added.is_empty() && fixed.is_empty() {
        let _ = writeln!(out, "no change");
    }
    for (what, list) in [("new", added), ("fixed", fixed)] {
        for l in list {
            let level = match l.level {
                Level::Error => "error",
                Level::Warning => "warning",
                _ => "info",
            };
            if markdown {
                let _ = writeln!(
                    out,
                    "- **{what}** {level} `{}` {}: {} ({})",
                    l.code, l.name, l.message, l.place
                );
            } else {
                let _ = writeln!(
                    out,
                    "  {what:5} {level:7} {} {}: {} ({})",
                    l.code, l.name, l.message, l.place
                );
            }
        }
    }
    title(
        &mut out,
        "Effect (simulated on the same customers; exact beside)",
    );
    match c {
        None => {
            let _ = writeln!(
                out,
                "not available: a version has errors (see the findings)"
            );
        }
        Some(c) => {
            // The diff's heading stands for the comparison's own.
            out.push_str(&if markdown {
                cmp::markdown_body(c)
            } else {
                cmp::table(std::slice::from_ref(c), width.flatten())
            });
        }
    }
    out
}

fn json(
    old: &Side,
    new: &Side,
    changes: Option<&[crate::diff::Change]>,
    added: &[&Listed],
    fixed: &[&Listed],
    c: Option<&Comparison>,
) -> String {
    let finding = |l: &&Listed| serde_json::json!({"code": l.code, "name": l.name, "message": l.message, "place": l.place});
    let effect = c.map(|c| serde_json::to_value(cmp::comparison(c)).unwrap_or_default());
    let v = serde_json::json!({
        "schema_version": 1,
        "old": old.name,
        "new": new.name,
        "journey": new.journey.as_ref().or(old.journey.as_ref()).map(|j| j.name.clone()),
        "changes": changes,
        "findings": {
            "new": added.iter().map(finding).collect::<Vec<_>>(),
            "fixed": fixed.iter().map(finding).collect::<Vec<_>>(),
        },
        "effect": effect,
    });
    let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
    text.push('\n');
    text
}
