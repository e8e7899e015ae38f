//! `journeyc compare FILE --scenario S [--scenario T…] [--customers N] [--seed S]
//! [--format table|json|markdown] [--gate]`: the baseline and each scenario on the same
//! simulated customers, every figure's difference with its interval ([`crate::compare`]).

use super::simulate::{PIPE_WIDTH, PopulationArgs, settings};
use super::{Exit, Failure, JourneyArgs};
use crate::compare::compare;
use crate::report::compare as report;
use std::io::IsTerminal;

/// The report format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for people (100 columns when not on a terminal).
    Table,
    /// Every figure as JSON (schema: docs/compare.md).
    Json,
    /// GitHub-flavoured Markdown, for a pull-request comment.
    Markdown,
}

/// Arguments of `compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The journey and the root its `use`s stay in.
    #[command(flatten)]
    pub journey: JourneyArgs,
    /// A scenario to compare with the baseline (repeat for several).
    #[arg(long, value_name = "NAME", required = true)]
    pub scenario: Vec<String>,
    /// The population.
    #[command(flatten)]
    pub population: PopulationArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Exit 1 when a scenario makes a passing KPI fail.
    #[arg(long)]
    pub gate: bool,
}

/// Runs `compare`.
pub fn run(args: &CompareArgs) -> Result<Exit, Failure> {
    let file = &args.journey.file;
    let root = args.journey.root.as_deref();
    // Compiled once; the baseline and every scenario resolved and checked once.
    let session = match super::runnable_session(file, root)? {
        Ok(session) => session,
        Err(exit) => return Ok(exit),
    };
    let base = session
        .compiled
        .journey
        .as_ref()
        .ok_or_else(|| Failure(format!("{} did not resolve", file.display())))?;
    let settings = settings(&args.population, None);
    let mut comparisons = Vec::new();
    for name in &args.scenario {
        let variant = match super::runnable_scenario(&session, name, root)? {
            Ok(j) => j,
            Err(exit) => return Ok(exit),
        };
        let c = compare(base, &variant, &settings)
            .map_err(|e| Failure(format!("cannot simulate `{}`: {e}", file.display())))?;
        comparisons.push(c);
    }
    let text = match args.format {
        Format::Table => {
            let width = (!std::io::stdout().is_terminal()).then_some(PIPE_WIDTH);
            report::table(&comparisons, width)
        }
        Format::Json => report::json(&comparisons),
        Format::Markdown => report::markdown(&comparisons),
    };
    super::output::out(&text)?;
    let regressions: Vec<String> = comparisons
        .iter()
        .flat_map(|c| {
            let name = c.paired.variant.frame.scenario.clone().unwrap_or_default();
            c.kpis
                .iter()
                .filter(|k| k.regresses())
                .map(move |k| format!("`{name}` breaks `{}`", k.text))
        })
        .collect();
    if args.gate && !regressions.is_empty() {
        crate::errln!("KPI gate: {}", regressions.join("; "));
        return Ok(Exit::Findings);
    }
    Ok(Exit::Ok)
}
