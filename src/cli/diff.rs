//! `journeyc diff OLD NEW [--customers N] [--seed S] [--format table|markdown|json] [--gate]`:
//! what changed between two versions of a journey — structure ([`crate::diff`]), findings
//! that appear or disappear, and the simulated and exact effect on every figure and KPI
//! ([`crate::compare`]). Each side is a file or a git revision and path
//! (`main:journeys/checkout.journey`), read with git itself.

use super::git::revision;
use super::simulate::{PopulationArgs, settings};
use super::{Exit, Failure};
use crate::compare::{Comparison, compare};
use crate::diagnostic::Level;
use crate::model::figure::Unit;
use crate::model::{self, Journey, Options};
use crate::report::FileReport;
use crate::report::compare as cmp;
use crate::sim;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The report format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Text for people (tables as wide as --width, $COLUMNS or the terminal; 100 columns in
    /// a pipe).
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
    /// Width of text tables in columns [default: $COLUMNS, else the terminal's, else 100].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(20..))]
    pub width: Option<u16>,
    /// Exit 1 when a KPI of the new version fails — one it broke, one added failing, one
    /// that still fails (as well as on errors in the new version).
    #[arg(long)]
    pub gate: bool,
    /// With --gate: a KPI of the new version that stays inconclusive fails too, and the
    /// output estimates the customers that would decide it.
    #[arg(long, requires = "gate")]
    pub strict: bool,
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

/// Reads a side: `Ok(Err(why))` for a `REV:PATH` whose revision has no such file (the
/// journey is added or removed by the change).
fn read_side(arg: &str, root: Option<&Path>) -> Result<Result<Side, String>, Failure> {
    let as_git = (!Path::new(arg).exists())
        .then(|| arg.split_once(':'))
        .flatten()
        .filter(|(rev, path)| !rev.is_empty() && !path.is_empty());
    let (compiled, tree) = match as_git {
        Some((rev, path)) => {
            let (files, file) = match revision(rev, path, arg)? {
                Ok(found) => found,
                Err(why) => return Ok(Err(why)),
            };
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
    Ok(Ok(Side {
        name: arg.to_string(),
        report,
        journey,
        tree,
    }))
}

/// Short names of the two versions for column headers: the revision of a `REV:PATH` side,
/// the path of a file side; "Old" and "New" when they would read the same.
fn columns(old: &Side, new: &Side) -> (String, String) {
    let short = |s: &Side| match &s.tree {
        Some((_, rev)) => rev.clone(),
        None => s.name.trim_start_matches("./").to_string(),
    };
    let (a, b) = (short(old), short(new));
    if a == b {
        ("Old".into(), "New".into())
    } else {
        (a, b)
    }
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
    let (old, new) = match (old, new) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(a), Err(b)) => {
            return Err(Failure(format!(
                "neither side exists: {a}, and {b}; nothing to diff"
            )));
        }
        (Err(why), Ok(new)) => return one_side(args, &new, Present::Added, &why),
        (Ok(old), Err(why)) => return one_side(args, &old, Present::Removed, &why),
    };
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
            c.columns = Some(columns(&old, &new));
            Some(c)
        }
        _ => None,
    };
    let text = match args.format {
        Format::Table => {
            let width = super::output::table_width(args.width);
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
    if new_errors {
        crate::errln!("`{}` has errors: see the findings", new.name);
        return Ok(Exit::Findings);
    }
    match &comparison {
        Some(c) if args.gate => Ok(gate(args, &new.name, c)),
        _ => Ok(Exit::Ok),
    }
}

/// `--gate` over the new version's KPIs: a failing one fails the gate (with `--strict`, an
/// inconclusive one too); each is named with why.
fn gate(args: &DiffArgs, new: &str, c: &Comparison) -> Exit {
    use crate::compare::KpiStatus;
    let n = c.paired.variant.customers;
    let mut failed = Vec::new();
    let mut undecided = Vec::new();
    for k in c.kpis.iter().filter(|k| k.variant.is_some()) {
        if k.fails() {
            let why = if k.regresses() {
                "broken by the change"
            } else if k.status == KpiStatus::Added {
                "added, and fails"
            } else if k
                .base
                .is_some_and(|b| b.verdict == crate::sim::KpiVerdict::Fail)
            {
                "failed before, still fails"
            } else {
                "fails"
            };
            failed.push(format!("`{}` ({why})", k.text));
        } else if k.inconclusive() {
            let target = k.target.map_or(f64::NAN, |t| t.1);
            undecided.push(crate::report::simulation::undecided_note(
                &k.text,
                k.delta.variant.as_ref(),
                target,
                n,
            ));
        }
    }
    for note in &undecided {
        let lead = if args.strict { "" } else { "note: " };
        crate::errln!("{lead}{note}");
    }
    if !failed.is_empty() {
        crate::errln!("KPI gate: `{new}` fails {}", failed.join(", "));
        return Exit::Findings;
    }
    if args.strict && !undecided.is_empty() {
        crate::errln!(
            "KPI gate (--strict): {} KPI{} of `{new}` inconclusive",
            undecided.len(),
            if undecided.len() == 1 {
                " stays"
            } else {
                "s stay"
            }
        );
        return Exit::Findings;
    }
    Exit::Ok
}

/// Which side of a diff exists.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Present {
    /// Only the new side: the change adds the journey.
    Added,
    /// Only the old side: the change deletes the journey.
    Removed,
}

/// A diff with one side absent: the journey is added or removed. Its findings are listed (all
/// new, or all gone); an added journey is simulated as `simulate --gate` would judge it, so
/// that `--gate` holds a new journey to its KPIs.
fn one_side(args: &DiffArgs, side: &Side, present: Present, why: &str) -> Result<Exit, Failure> {
    let journey = side
        .journey
        .as_ref()
        .map_or(String::new(), |j| format!(" `{}`", j.name));
    let (what, absent) = match present {
        Present::Added => ("added", &args.old),
        Present::Removed => ("removed", &args.new),
    };
    let findings = listed(side);
    let errors = findings.iter().any(|l| l.level == Level::Error);
    let run = match (&side.journey, present) {
        (Some(j), Present::Added) => Some(
            sim::simulate(j, &settings(&args.population, None), None)
                .map_err(|e| Failure(format!("cannot simulate `{}`: {e}", side.name)))?,
        ),
        _ => None,
    };
    let computed = run.as_ref().map(crate::report::simulation::Computed::new);
    let text = match args.format {
        Format::Json => {
            let finding = |l: &Listed| serde_json::json!({"code": l.code, "name": l.name, "message": l.message, "place": l.place});
            let kpis: Vec<_> = match (&run, &computed) {
                (Some(r), Some(c)) => r
                    .frame
                    .kpis
                    .iter()
                    .zip(&c.kpis)
                    .map(|(k, v)| serde_json::json!({"kpi": k.text, "status": v.verdict}))
                    .collect(),
                _ => Vec::new(),
            };
            let v = serde_json::json!({
                "schema_version": 1,
                "old": args.old,
                "new": args.new,
                "journey": side.journey.as_ref().map(|j| j.name.clone()),
                "journey_change": what,
                "absent": why,
                "changes": null,
                "findings": {
                    "new": if present == Present::Added { findings.iter().map(finding).collect::<Vec<_>>() } else { Vec::new() },
                    "fixed": if present == Present::Removed { findings.iter().map(finding).collect::<Vec<_>>() } else { Vec::new() },
                },
                "kpis": kpis,
                "effect": null,
            });
            let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Table | Format::Markdown => {
            let md = args.format == Format::Markdown;
            let mut out = String::new();
            let head = format!(
                "journeyc diff: `{}` → `{}`: journey{journey} {what}",
                args.old, args.new
            );
            let _ = if md {
                writeln!(out, "### {head}\n")
            } else {
                writeln!(out, "{head}")
            };
            let _ = writeln!(out, "`{absent}` does not exist: {why}.");
            let verb = if present == Present::Added {
                "new"
            } else {
                "gone with it"
            };
            let _ = if md {
                writeln!(out, "\n#### Findings ({} {verb})\n", findings.len())
            } else {
                writeln!(out, "\nFindings ({} {verb})", findings.len())
            };
            if findings.is_empty() {
                let _ = writeln!(out, "none");
            }
            for l in &findings {
                let level = match l.level {
                    Level::Error => "error",
                    Level::Warning => "warning",
                    _ => "info",
                };
                let _ = if md {
                    writeln!(
                        out,
                        "- {level} `{}` {}: {} ({})",
                        l.code, l.name, l.message, l.place
                    )
                } else {
                    writeln!(
                        out,
                        "  {level:7} {} {}: {} ({})",
                        l.code, l.name, l.message, l.place
                    )
                };
            }
            if let Some(c) = &computed {
                let title = "KPIs of the new journey (simulated)";
                let _ = if md {
                    writeln!(out, "\n#### {title}\n")
                } else {
                    writeln!(out, "\n{title}")
                };
                let r = &c.run;
                let _ = writeln!(
                    out,
                    "{} customers, seed {}.",
                    crate::report::simulation::thousands(r.customers),
                    r.seed
                );
                if r.frame.kpis.is_empty() {
                    let _ = writeln!(out, "no KPI");
                }
                for (k, v) in r.frame.kpis.iter().zip(&c.kpis) {
                    let value = v.estimate.map_or_else(
                        || "n/a".to_string(),
                        |e| crate::report::simulation::Written::estimate(Unit::of(k.metric), &e),
                    );
                    let verdict =
                        crate::report::simulation::verdict(v.verdict, v.estimate.is_some());
                    let _ = if md {
                        writeln!(out, "- `{}`: {verdict} ({value})", k.text)
                    } else {
                        writeln!(out, "  {}: {verdict} ({value})", k.text)
                    };
                }
            }
            out
        }
    };
    super::output::out(&text)?;
    if present == Present::Removed {
        return Ok(Exit::Ok);
    }
    if errors {
        crate::errln!("`{}` has errors: see the findings", side.name);
        return Ok(Exit::Findings);
    }
    let (Some(r), Some(c), true) = (&run, &computed, args.gate) else {
        return Ok(Exit::Ok);
    };
    let mut failed = Vec::new();
    let mut undecided = Vec::new();
    for (k, v) in r.frame.kpis.iter().zip(&c.kpis) {
        match v.verdict {
            crate::sim::KpiVerdict::Fail => failed.push(format!("`{}`", k.text)),
            crate::sim::KpiVerdict::Inconclusive => {
                undecided.push(crate::report::simulation::undecided_note(
                    &k.text,
                    v.estimate.as_ref(),
                    k.target,
                    r.customers,
                ))
            }
            crate::sim::KpiVerdict::Pass => {}
        }
    }
    for note in &undecided {
        let lead = if args.strict { "" } else { "note: " };
        crate::errln!("{lead}{note}");
    }
    if !failed.is_empty() {
        crate::errln!(
            "KPI gate: the new journey `{}` fails {}",
            side.name,
            failed.join(", ")
        );
        return Ok(Exit::Findings);
    }
    if args.strict && !undecided.is_empty() {
        crate::errln!(
            "KPI gate (--strict): KPIs of the new journey `{}` stay inconclusive",
            side.name
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
                let mark = x.kind.mark();
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
