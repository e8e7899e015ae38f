//! `journeyc diff OLD NEW [--customers N] [--seed S] [--format table|markdown|json] [--gate]`:
//! what changed between two versions of a journey — structure ([`crate::diff`]), findings
//! that appear or disappear, and the simulated and exact effect on every figure and KPI
//! ([`crate::compare`]). Each side is a file or a git revision and path
//! (`main:journeys/checkout.journey`), read with git itself.

use super::git::revision;
use super::simulate::{PIPE_WIDTH, PopulationArgs, settings};
use super::{Exit, Failure};
use crate::compare::{Comparison, compare};
use crate::diagnostic::Level;
use crate::model::{self, Journey, Options};
use crate::report::FileReport;
use crate::report::compare as cmp;
use std::fmt::Write;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

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
