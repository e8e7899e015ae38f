//! `journeyc levers FILE [--goal G] [--segment S] [--scenario S] [--sort …] [--top N]
//! [--format table|json]`: where to invest — every touchpoint's removal effect, friction
//! gain and transition sensitivities, from the exact chain ([`crate::analyze::levers()`]),
//! ranked.

use super::{Exit, Failure, JourneyArgs};
use crate::analyze::levers::clv_levers;
use crate::analyze::{LeverOptions, LeverSort, levers};
use crate::model::Journey;
use crate::names;
use crate::report::levers::{self as report, View};
use std::path::Path;

/// The report format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for people (100 columns when not on a terminal).
    Table,
    /// Every figure as JSON (schema: docs/levers.md).
    Json,
}

/// The ranking order.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Sort {
    /// What changing the touchpoint gains: friction gain, then the best transition's
    /// sensitivity, then removal effect (with `--objective clv`: clv gained with friction
    /// halved).
    Change,
    /// Conversion lost if customers arriving at the touchpoint left at once.
    Removal,
    /// Conversion gained if the touchpoint's friction were halved.
    Friction,
    /// The largest sensitivity of conversion to one of the touchpoint's transitions.
    Sensitivity,
}

impl From<Sort> for LeverSort {
    fn from(s: Sort) -> Self {
        match s {
            Sort::Change => LeverSort::Change,
            Sort::Removal => LeverSort::Removal,
            Sort::Friction => LeverSort::Friction,
            Sort::Sensitivity => LeverSort::Sensitivity,
        }
    }
}

/// What the levers measure.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Objective {
    /// Conversion to the goal (first cycle).
    Conversion,
    /// Customer lifetime value (LANGUAGE-2.md §3): the touchpoints are ranked by clv lost
    /// on removal (`--sort removal`) or gained with friction halved (`--sort friction`).
    Clv,
}

/// Arguments of `levers`.
#[derive(Debug, clap::Args)]
pub struct LeversArgs {
    /// The journey and the root its `use`s stay in.
    #[command(flatten)]
    pub journey: JourneyArgs,
    /// Measure conversion to this goal [default: the primary goal].
    #[arg(long, value_name = "GOAL")]
    pub goal: Option<String>,
    /// Only this segment's customers [default: all customers, segments mixed by share].
    #[arg(long, value_name = "SEGMENT")]
    pub segment: Option<String>,
    /// Compute the levers of the journey with this scenario applied.
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Rank touchpoints by this figure, largest first.
    #[arg(long, value_enum, default_value_t = Sort::Change)]
    pub sort: Sort,
    /// Rank by conversion, or by customer lifetime value (each touchpoint's change analysed
    /// exactly: one analysis per touchpoint and change).
    #[arg(long, value_enum, default_value_t = Objective::Conversion)]
    pub objective: Objective,
    /// List only the first N touchpoints of the ranking.
    #[arg(long, value_name = "N", value_parser = positive)]
    pub top: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Width of text tables in columns [default: $COLUMNS, else the terminal's, else 100].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(20..))]
    pub width: Option<u16>,
}

/// Runs `levers`.
pub fn run(args: &LeversArgs) -> Result<Exit, Failure> {
    let file = &args.journey.file;
    let root = args.journey.root.as_deref();
    let journey = match super::runnable_journey(file, root, args.scenario.as_deref())? {
        Ok(journey) => journey,
        Err(exit) => return Ok(exit),
    };
    if journey.goals.is_empty() {
        return Err(Failure(format!(
            "`{}` has no goal: levers rank touchpoints by what they do for conversion to a goal; \
             declare one with `goal NAME` at the touchpoint that achieves it",
            file.display()
        )));
    }
    let options = LeverOptions {
        goal: lookup(file, &journey, "goal", args.goal.as_deref(), Journey::goal)?,
        segment: lookup(
            file,
            &journey,
            "segment",
            args.segment.as_deref(),
            Journey::segment,
        )?,
    };
    let result = levers(&journey, &options)
        .map_err(|e| Failure(format!("cannot analyze `{}` exactly: {e}", file.display())))?;
    let clv =
        match args.objective {
            Objective::Conversion => None,
            Objective::Clv if args.sort == Sort::Sensitivity => {
                return Err(Failure(
                    "`--sort sensitivity` ranks by conversion only: with `--objective clv`, use \
                 `--sort removal` or `--sort friction`"
                        .into(),
                ));
            }
            Objective::Clv => Some(clv_levers(&journey, options.segment).map_err(|e| {
                Failure(format!("cannot analyze `{}` exactly: {e}", file.display()))
            })?),
        };
    let view = View {
        journey: &journey,
        levers: &result,
        sort: args.sort.into(),
        top: args.top,
        clv: clv.as_ref(),
    };
    match args.format {
        Format::Table => {
            let width = super::output::table_width(args.width);
            super::output::stream_text(|out| report::table_to(out, &view, width))?;
        }
        Format::Json => super::output::out(&report::json(&view))?,
    }
    Ok(Exit::Ok)
}

/// Parses `--top`: a whole number of at least 1.
fn positive(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("expected a whole number of touchpoints, at least 1".into()),
    }
}

/// Looks up a `--goal` or `--segment` name; an unknown one is a usage error with a
/// "did you mean".
fn lookup(
    file: &Path,
    journey: &Journey,
    what: &str,
    name: Option<&str>,
    find: fn(&Journey, &str) -> Option<usize>,
) -> Result<Option<usize>, Failure> {
    let Some(name) = name else {
        return Ok(None);
    };
    if let Some(id) = find(journey, name) {
        return Ok(Some(id));
    }
    let known: Vec<&str> = match what {
        "goal" => journey.goals.iter().map(|g| g.name.as_str()).collect(),
        _ => journey.segments.iter().map(|s| s.name.as_str()).collect(),
    };
    Err(Failure(format!(
        "`{}` has no {what} `{name}`: {}",
        file.display(),
        names::help(what, name, &known, true)
    )))
}
