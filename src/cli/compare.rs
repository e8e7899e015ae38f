//! `journeyc compare FILE --scenario S [--scenario T…] [--customers N] [--seed S]
//! [--format table|json|markdown] [--gate [--strict]]`: the baseline and each scenario on the same
//! simulated customers, every figure's difference with its interval ([`crate::compare`]).

use super::simulate::{PopulationArgs, settings};
use super::{Exit, Failure, JourneyArgs};
use crate::compare::compare;
use crate::report::compare as report;

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
    /// Width of text tables in columns [default: $COLUMNS, else the terminal's, else 100].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(20..))]
    pub width: Option<u16>,
    /// Exit 1 when a scenario makes a passing KPI fail.
    #[arg(long)]
    pub gate: bool,
    /// With --gate: a KPI that stays inconclusive in a scenario fails too, and the output
    /// estimates the customers that would decide it.
    #[arg(long, requires = "gate")]
    pub strict: bool,
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
    match args.format {
        Format::Table => {
            let width = super::output::table_width(args.width);
            super::output::stream_text(|out| report::table_to(out, &comparisons, width))?;
        }
        Format::Json => super::output::out(&report::json(&comparisons))?,
        Format::Markdown => super::output::out(&report::markdown(&comparisons))?,
    }
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
    if !args.gate {
        return Ok(Exit::Ok);
    }
    let undecided: Vec<String> = comparisons
        .iter()
        .flat_map(|c| {
            let name = c.paired.variant.frame.scenario.clone().unwrap_or_default();
            let n = c.paired.variant.customers;
            c.kpis.iter().filter(|k| k.inconclusive()).map(move |k| {
                let target = k.target.map_or(f64::NAN, |t| t.1);
                let note = crate::report::simulation::undecided_note(
                    &k.text,
                    k.delta.variant.as_ref(),
                    target,
                    n,
                );
                format!("scenario `{name}`: {note}")
            })
        })
        .collect();
    if args.strict {
        for note in &undecided {
            crate::errln!("{note}");
        }
    }
    if !regressions.is_empty() {
        crate::errln!("KPI gate: {}", regressions.join("; "));
        return Ok(Exit::Findings);
    }
    if args.strict && !undecided.is_empty() {
        crate::errln!(
            "KPI gate (--strict): {} KPI verdict{} of the scenarios stay inconclusive",
            undecided.len(),
            if undecided.len() == 1 { "" } else { "s" }
        );
        return Ok(Exit::Findings);
    }
    Ok(Exit::Ok)
}
