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
use crate::sim::learn::Method;
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
    /// For a journey with options: leave out the test-and-learn curves (the best policy is
    /// still shown).
    #[arg(long)]
    pub no_learn: bool,
    /// For a journey with options: customers per batch of the simulated test-and-learn
    /// (`journeyc learn --batch`); it runs as many customers as the report simulates.
    #[arg(long, default_value_t = 1_000, value_name = "B",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub learn_batch: u64,
    /// For a journey with options: the learner (`thompson`, `greedy:EPS` or `model`).
    #[arg(long, default_value = "thompson", value_name = "METHOD")]
    pub learn_method: Method,
}

/// Runs `report`.
pub fn run(args: &ReportArgs) -> Result<Exit, Failure> {
    let file = &args.journey.file;
    let root = args.journey.root.as_deref();
    // The file is compiled once; its baseline and every scenario resolved and checked once.
    let mut session = match super::runnable_session(file, root)? {
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
    // The baseline's own journey (its scenarios are resolved above; the checker's findings
    // below do not read it): moved out, not copied.
    let journey = session
        .compiled
        .journey
        .take()
        .ok_or_else(|| Failure(format!("{} did not resolve", file.display())))?;

    // The checker's findings, as `journeyc check` reports them for this file.
    let levels = config::levels(&LevelArgs::default(), root.unwrap_or(Path::new(".")))?;
    let mut file_report = super::check::file_report(session);
    let mut findings = levels.apply(std::mem::take(&mut file_report.findings));
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
    // Each scenario is run paired with the baseline (the same customers with the same random
    // numbers: `journeyc compare`), which gives the intervals of the differences; the
    // scenario's side of the pair is the very run `simulate --scenario` makes.
    let mut comparisons = Vec::with_capacity(scenario_journeys.len());
    for j in &scenario_journeys {
        let mut c = crate::compare::compare_simulated(&journey, j, &settings)
            .map_err(|e| Failure(format!("cannot simulate `{}`: {e}", file.display())))?;
        if args.exact {
            match crate::analyze::analyze(j) {
                Ok(a) => c.paired.variant.exact = Some(a),
                Err(e) => crate::errln!("note: no exact values for `{}`: {e}", file.display()),
            }
        }
        comparisons.push(c);
    }
    let computed = Computed::new(&baseline);
    let scenarios: Vec<ScenarioRun> = names
        .iter()
        .zip(&scenario_journeys)
        .zip(&comparisons)
        .map(|((&name, j), c)| ScenarioRun {
            name: name.to_string(),
            label: journey
                .scenarios
                .iter()
                .find(|s| s.name == name)
                .map_or_else(|| name.to_string(), |s| s.label.clone()),
            computed: Computed::new(&c.paired.variant),
            changes: crate::diff::diff(&journey, j),
            comparison: c,
        })
        .collect();
    // The best policy and test-and-learn, for a journey with options and an objective.
    let problem = journey
        .decisions()
        .next()
        .and_then(|_| crate::analyze::optimize::Problem::of(&journey));
    let optimum = match &problem {
        Some(p) => match crate::analyze::optimize::optimize(&journey, p) {
            Ok(o) => Some(o),
            Err(e) => {
                crate::errln!("note: no best policy for `{}`: {e}", file.display());
                None
            }
        },
        None => None,
    };
    let learn_settings = crate::sim::learn::Settings {
        customers: settings.customers,
        batch: args.learn_batch,
        method: args.learn_method,
        seed: settings.seed,
        threads: settings.threads,
        prices: None,
    };
    let learned = match (&problem, &optimum) {
        (Some(p), Some(o)) if !args.no_learn => Some(
            crate::sim::learn::learn(&journey, p, o, &learn_settings)
                .map_err(|e| format!("No test-and-learn run: {e}.")),
        ),
        (Some(_), Some(_)) => Some(Err(
            "Test-and-learn left out (--no-learn); `journeyc learn` runs it.".to_string(),
        )),
        _ => None,
    };
    let decisions = match (&problem, &optimum, &learned) {
        (Some(p), Some(o), Some(l)) => Some(html::decisions::Decisions {
            problem: p,
            optimum: o,
            learned: l
                .as_ref()
                .map(|l| (l, &learn_settings))
                .map_err(Clone::clone),
        }),
        _ => None,
    };
    let page = Page {
        decisions: decisions.as_ref(),
        journey: &journey,
        file: file_report.sources.get(file_report.main).display_path(),
        baseline: &computed,
        sources: &file_report.sources,
        findings: &findings,
        scenarios: &scenarios,
    };
    let write =
        |w: &mut dyn std::io::Write| super::output::text_to(w, |out| html::render_to(out, &page));
    match &args.output {
        Some(path) => super::write_file_with(path, root, write)?,
        None => {
            let path = PathBuf::from(format!("{}.report.html", journey.name));
            super::write_file_with(&path, root, write)?;
            crate::errln!("wrote {}", path.display());
        }
    }
    Ok(Exit::Ok)
}
