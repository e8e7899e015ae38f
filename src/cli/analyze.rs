//! `journeyc analyze FILE [--scenario S] [--root DIR] [--format table|json]`: the exact
//! figures of a journey from its absorbing Markov chain ([`crate::analyze`]); horizon and
//! max_steps are ignored and the output says so.

use super::{Exit, Failure, JourneyArgs};
use crate::analyze::analyze;
use crate::report::analysis;
use std::io::IsTerminal;

/// The report format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for people (100 columns when not on a terminal).
    Table,
    /// Every figure as JSON (schema: docs/simulation.md, "Exact analysis").
    Json,
}

/// Arguments of `analyze`.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// The journey and the root its `use`s stay in.
    #[command(flatten)]
    pub journey: JourneyArgs,
    /// Analyze the journey with this scenario applied.
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Width of the table when standard output is not a terminal (pipes, files, snapshots).
const PIPE_WIDTH: u16 = 100;

/// Runs `analyze`.
pub fn run(args: &AnalyzeArgs) -> Result<Exit, Failure> {
    let file = &args.journey.file;
    let loaded = super::runnable(file, args.journey.root.as_deref(), args.scenario.as_deref())?;
    let (_, journey) = match loaded {
        Ok(ok) => ok,
        Err(exit) => return Ok(exit),
    };
    let result = analyze(&journey)
        .map_err(|e| Failure(format!("cannot analyze `{}` exactly: {e}", file.display())))?;
    let text = match args.format {
        Format::Table => {
            let width = (!std::io::stdout().is_terminal()).then_some(PIPE_WIDTH);
            analysis::table(&journey, &result, width)
        }
        Format::Json => analysis::json(&journey, &result),
    };
    super::output::out(&text)?;
    Ok(Exit::Ok)
}
