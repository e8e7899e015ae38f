//! `journeyc optimize FILE [--scenario S] [--format table|json|markdown] [--write NAME]`:
//! the deterministic policy (LANGUAGE-2.md §4) that optimises the journey's `objective`
//! subject to its `constraint` lines, on exact figures ([`crate::analyze::optimize`]).
//! `--write NAME` appends the policy as `scenario NAME { … use … }` to the file, through the
//! formatter. No feasible policy: exit 1, naming every constraint with its best reachable
//! value.

use super::{Exit, Failure, JourneyArgs};
use crate::analyze::optimize::{Problem, optimize};
use crate::report::optimize::{self as report, View};

/// The report format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for people.
    Table,
    /// Every figure as JSON (docs/decisions.md).
    Json,
    /// A Markdown summary for a pull request.
    Markdown,
}

/// The journey, scenario, objective and constraints of a decision problem: shared by
/// `optimize` and `learn`.
#[derive(Debug, clap::Args)]
pub struct ProblemArgs {
    /// The journey and the root its `use`s stay in.
    #[command(flatten)]
    pub journey: JourneyArgs,
    /// Optimise the journey with this scenario applied (its policy is re-optimised; its
    /// other changes stay).
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// The objective instead of the file's: `maximize METRIC` or `minimize METRIC`
    /// (e.g. `--objective "maximize profit"`).
    #[arg(long, value_name = "DIRECTION METRIC")]
    pub objective: Option<String>,
    /// A constraint, written as in the file (`--constraint "cost_per_customer <= 1.2"`);
    /// repeat for several. Given, they replace all of the file's constraints.
    #[arg(long, value_name = "CONSTRAINT")]
    pub constraint: Vec<String>,
}

/// Arguments of `optimize`.
#[derive(Debug, clap::Args)]
pub struct OptimizeArgs {
    /// The journey, scenario, objective and constraints.
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Append the optimal policy to the file as `scenario NAME { … }` (formatted; the file is
    /// written aside, then renamed over the original).
    #[arg(long, value_name = "NAME")]
    pub write: Option<String>,
}

/// A decision problem, loaded: the compiled files, the journey (scenario applied, the
/// command line's objective and constraints in force) and the problem.
pub(super) struct Loaded {
    pub compiled: crate::model::Compiled,
    pub journey: crate::model::Journey,
    pub problem: Problem,
}

/// Loads the problem of `args`: `Ok(Err(exit))` when the files have findings at error level
/// (printed), `Err` for usage and I/O errors.
pub(super) fn load(args: &ProblemArgs) -> Result<Result<Loaded, Exit>, Failure> {
    let file = &args.journey.file;
    let root = args.journey.root.as_deref();
    let loaded = super::runnable(file, root, args.scenario.as_deref(), true)?;
    let (mut compiled, mut journey) = match loaded {
        Ok(ok) => ok,
        Err(exit) => return Ok(Err(exit)),
    };
    if args.objective.is_some() || !args.constraint.is_empty() {
        let mut lines = String::new();
        if let Some(o) = &args.objective {
            lines.push_str(&format!("  objective {o}\n"));
        }
        for c in &args.constraint {
            lines.push_str(&format!("  constraint {c}\n"));
        }
        let (changed, findings) =
            compiled.with_decision_lines("(command line)", &lines, args.scenario.as_deref())?;
        match changed {
            Some(j) => journey = j,
            None => {
                let errors: Vec<_> = findings
                    .into_iter()
                    .filter(|f| f.level == crate::diagnostic::Level::Error)
                    .collect();
                super::output::err(&crate::report::human::render(
                    &compiled.sources,
                    &errors,
                    false,
                ));
                return Ok(Err(Exit::Findings));
            }
        }
    }
    if journey.decisions().next().is_none() {
        return Err(Failure(format!(
            "`{}` has no options: declare `option NAME {{ … }}` in the touchpoints that offer \
             alternatives (docs/decisions.md)",
            file.display()
        )));
    }
    let Some(problem) = Problem::of(&journey) else {
        return Err(Failure(format!(
            "`{}` has no objective and no goal: write `objective maximize METRIC` \
             (docs/decisions.md)",
            file.display()
        )));
    };
    Ok(Ok(Loaded {
        compiled,
        journey,
        problem,
    }))
}

/// Runs `optimize`.
pub fn run(args: &OptimizeArgs) -> Result<Exit, Failure> {
    let file = &args.problem.journey.file;
    let root = args.problem.journey.root.as_deref();
    if let Some(name) = &args.write {
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid || name == "exit" {
            return Err(Failure(format!(
                "`--write {name}`: a scenario name is letters, digits and `_`, not starting \
                 with a digit (and not `exit`)"
            )));
        }
    }
    let Loaded {
        compiled,
        journey,
        problem,
    } = match load(&args.problem)? {
        Ok(l) => l,
        Err(exit) => return Ok(exit),
    };
    if let Some(name) = &args.write
        && compiled.scenario_names().iter().any(|s| s == name)
    {
        return Err(Failure(format!(
            "`{}` already has a scenario `{name}`: choose another name for `--write`",
            file.display()
        )));
    }
    let optimum = optimize(&journey, &problem)
        .map_err(|e| Failure(format!("cannot analyze `{}` exactly: {e}", file.display())))?;
    let view = View {
        journey: &journey,
        problem: &problem,
        optimum: &optimum,
        scenario: args.write.as_deref().unwrap_or("optimum"),
    };
    let text = match args.format {
        Format::Table => report::table(&view),
        Format::Json => report::json(&view),
        Format::Markdown => report::markdown(&view),
    };
    super::output::out(&text)?;
    let Some(best) = &optimum.best else {
        return Ok(Exit::Findings);
    };
    if args.write.is_some() {
        let source = compiled.sources.get(compiled.main);
        let original = source.text.as_str();
        let journey_end = compiled
            .ast
            .as_ref()
            .and_then(|a| a.journey.as_ref())
            .map(|j| j.span.end as usize)
            .ok_or_else(|| Failure("internal error: no journey block".into()))?;
        // The journey block's closing `}` is its last byte.
        let close = original[..journey_end]
            .rfind('}')
            .ok_or_else(|| Failure("internal error: no closing brace".into()))?;
        let addition = report::scenario_text(&view, best);
        let text = format!("{}\n{}{}", &original[..close], addition, &original[close..]);
        let formatted = crate::fmt::format_source(&text).map_err(|f| {
            Failure(format!(
                "internal error: the written scenario does not parse: {}",
                f.message
            ))
        })?;
        super::write_file(file, &formatted, root)?;
        super::output::err(&format!(
            "wrote scenario `{}` to {}\n",
            view.scenario,
            file.display()
        ));
    }
    Ok(Exit::Ok)
}
