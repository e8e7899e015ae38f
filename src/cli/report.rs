//! `journeyc report FILE [--scenario S]… [--customers N] [--seed S] [--threads T] [--root DIR]
//! [-o report.html]`: one self-contained HTML page ([`crate::report::html`]) with the journey map,
//! funnel and flow, segments, time to convert, KPIs and the checker's findings, and the
//! scenarios side by side with the baseline.
//!
//! The figures come from the same engine and settings as `simulate` (same seed and customers,
//! same numbers); each scenario is simulated with the baseline's seed and customers. Exit 1
//! when the journey (or a scenario) has errors, 2 for an unknown scenario or an unwritable
//! output.

use super::config::{self, LevelArgs};
use super::simulate::{PopulationArgs, run_with_progress, settings};
use super::{Exit, Failure, JourneyArgs};
use crate::diagnostic;
use crate::report::html::{self, Page, ScenarioRun};
use crate::report::simulation::Computed;
use std::path::{Path, PathBuf};

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The journey and the root its `use`s stay in.
    #[command(flatten)]
    pub journey: JourneyArgs,
    /// Compare the baseline with this scenario (repeat for several), simulated with the same
    /// seed and customers.
    #[arg(long = "scenario", value_name = "NAME")]
    pub scenarios: Vec<String>,
    /// The population.
    #[command(flatten)]
    pub population: PopulationArgs,
    /// The HTML file to write (`-` for standard output) [default: NAME.report.html in the
    /// current directory, NAME the journey's name].
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also analyze each journey exactly (absorbing chain; horizon ignored) and show the
    /// exact value under each estimate of the CLV panel.
    #[arg(long)]
    pub exact: bool,
}

/// Runs `report`.
pub fn run(args: &ReportArgs) -> Result<Exit, Failure> {
    let file = &args.journey.file;
    let root = args.journey.root.as_deref();
    // The file is compiled once; its baseline and every scenario resolved and checked once.
    let session = match super::runnable_session(file, root)? {
        Ok(session) => session,
        Err(exit) => return Ok(exit),
    };
    // Every scenario asked for must resolve without errors before anything is simulated: an
    // unknown name or a broken scenario stops the run at once.
    let mut names: Vec<&str> = Vec::new();
    for name in &args.scenarios {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    let mut scenario_journeys = Vec::with_capacity(names.len());
    for &name in &names {
        match super::runnable_scenario(&session, name, root)? {
            Ok(j) => scenario_journeys.push(j),
            Err(exit) => return Ok(exit),
        }
    }
    let journey = session
        .compiled
        .journey
        .clone()
        .ok_or_else(|| Failure(format!("{} did not resolve", file.display())))?;

    // The checker's findings, as `journeyc check` reports them for this file.
    let levels = config::levels(&LevelArgs::default(), root.unwrap_or(Path::new(".")))?;
    let file_report = super::check::file_report(session);
    let mut findings = levels.apply(file_report.findings.clone());
    diagnostic::sort(&mut findings);

    let settings = settings(&args.population, None);
    let simulate = |j: &crate::model::Journey| {
        let mut run = run_with_progress(j, &settings)
            .map_err(|e| Failure(format!("cannot simulate `{}`: {e}", file.display())))?;
        if args.exact {
            match crate::analyze::analyze(j) {
                Ok(a) => run.exact = Some(a),
                Err(e) => crate::errln!("note: no exact values for `{}`: {e}", file.display()),
            }
        }
        Ok::<_, Failure>(run)
    };
    let baseline = simulate(&journey)?;
    let runs = scenario_journeys
        .iter()
        .map(simulate)
        .collect::<Result<Vec<_>, _>>()?;
    let computed = Computed::new(&baseline);
    let scenarios: Vec<ScenarioRun> = names
        .iter()
        .zip(&runs)
        .map(|(&name, run)| ScenarioRun {
            name: name.to_string(),
            label: journey
                .scenarios
                .iter()
                .find(|s| s.name == name)
                .map_or_else(|| name.to_string(), |s| s.label.clone()),
            computed: Computed::new(run),
        })
        .collect();
    let page = Page {
        journey: &journey,
        file: file_report.sources.get(file_report.main).display_path(),
        baseline: &computed,
        sources: &file_report.sources,
        findings: &findings,
        scenarios: &scenarios,
    };
    let text = html::render(&page);
    match &args.output {
        Some(path) => super::write_file(path, &text, root)?,
        None => {
            let path = PathBuf::from(format!("{}.report.html", journey.name));
            super::write_file(&path, &text, root)?;
            crate::errln!("wrote {}", path.display());
        }
    }
    Ok(Exit::Ok)
}
