//! `journeyc analyze FILE [--scenario S] [--root DIR] [--format table|json] [--gate [--strict]]`: the exact
//! figures of a journey from its absorbing Markov chain ([`crate::analyze`]); horizon and
//! max_steps are ignored and the output says so.

use super::{Exit, Failure, JourneyArgs};
use crate::analyze::analyze;
use crate::model::figure::Verdict;
use crate::report::analysis;

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
    /// Width of text tables in columns [default: $COLUMNS, else the terminal's, else 100].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(20..))]
    pub width: Option<u16>,
    /// Exit 1 when a KPI fails on its exact value: the CI gate without sampling noise.
    #[arg(long)]
    pub gate: bool,
    /// With --gate: a KPI the analysis cannot judge (NPS and time percentiles need
    /// `journeyc simulate`; an empty denominator) fails too.
    #[arg(long, requires = "gate")]
    pub strict: bool,
}

/// Runs `analyze`.
pub fn run(args: &AnalyzeArgs) -> Result<Exit, Failure> {
    let file = &args.journey.file;
    let root = args.journey.root.as_deref();
    let journey = match super::runnable_journey(file, root, args.scenario.as_deref())? {
        Ok(journey) => journey,
        Err(exit) => return Ok(exit),
    };
    let result = analyze(&journey)
        .map_err(|e| Failure(format!("cannot analyze `{}` exactly: {e}", file.display())))?;
    match args.format {
        Format::Table => {
            let width = super::output::table_width(args.width);
            super::output::stream_text(|out| analysis::table_to(out, &journey, &result, width))?;
        }
        Format::Json => super::output::out(&analysis::json(&journey, &result))?,
    }
    if !args.gate {
        return Ok(Exit::Ok);
    }
    let mut failed = Vec::new();
    let mut unjudged = Vec::new();
    for kpi in &journey.kpis {
        match analysis::judge(&journey, &result, kpi) {
            (_, Some(Verdict::Pass)) => {}
            (_, Some(Verdict::Fail)) => failed.push(format!("`{}`", kpi.text)),
            (_, Some(Verdict::Inconclusive)) => unjudged.push(format!(
                "`{}` has no exact value (its denominator is empty: nobody reaches what it \
                 measures)",
                kpi.text
            )),
            (_, None) => unjudged.push(format!(
                "`{}` needs the distribution, which the exact analysis does not give: judge it \
                 with `journeyc simulate --gate`",
                kpi.text
            )),
        }
    }
    for note in &unjudged {
        let lead = if args.strict { "" } else { "note: " };
        crate::errln!("{lead}KPI {note}");
    }
    if !failed.is_empty() {
        crate::errln!(
            "KPI gate: {} fail{} exactly",
            failed.join(", "),
            if failed.len() == 1 { "s" } else { "" }
        );
        return Ok(Exit::Findings);
    }
    if args.strict && !unjudged.is_empty() {
        crate::errln!(
            "KPI gate (--strict): {} KPI{} not judged exactly",
            unjudged.len(),
            if unjudged.len() == 1 { "" } else { "s" }
        );
        return Ok(Exit::Findings);
    }
    Ok(Exit::Ok)
}
