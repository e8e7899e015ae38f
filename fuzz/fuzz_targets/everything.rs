//! Fuzz target: arbitrary bytes through everything a user can run on a journey file —
//! `fmt` (idempotent, and the formatted text resolves to the same model), resolve and every
//! scenario, `check` and its five report formats, `compile` (JSON, YAML), `graph` (DOT,
//! Mermaid), `analyze` (table, JSON), `simulate` (table, JSON, CSV) and the HTML report. Any
//! panic, stack overflow or hang is a bug.
#![no_main]

use journeyc::diagnostic::Level;
use journeyc::model::{Journey, Options, emit_json, emit_yaml, resolve_source};
use journeyc::report::html::{Page, ScenarioRun};
use journeyc::report::simulation::Computed;
use journeyc::report::{self, FileReport, Format};
use journeyc::sim::{Settings, simulate};
use libfuzzer_sys::fuzz_target;

/// A root that holds nothing: `use` lines are refused or missing, never read elsewhere.
const ROOT: &str = "/nonexistent-fuzz-root";

fn options() -> Options {
    Options { root: Some(ROOT.into()), scenario: None }
}

/// The model as `compile --emit json` writes it, when the text resolves to a journey.
fn model(text: &str) -> Option<String> {
    let c = resolve_source(format!("{ROOT}/fuzz.journey"), text, &options()).ok()?;
    c.journey.as_ref().map(emit_json)
}

fn run(journey: &Journey) -> Option<journeyc::sim::Run> {
    // Each input must stay fast: a walk is at most max_steps long.
    if journey.max_steps > 10_000 {
        return None;
    }
    let settings = Settings { customers: 64, seed: 1, threads: 1, ..Settings::default() };
    simulate(journey, &settings, None).ok()
}

fuzz_target!(|data: &[u8]| {
    // Large inputs only slow the fuzzer down; size limits are tested elsewhere.
    if data.len() > 16 * 1024 {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else { return };

    if let Ok(formatted) = journeyc::fmt::format_source(text) {
        let again = journeyc::fmt::format_source(&formatted).expect("formatted text parses");
        assert_eq!(again, formatted, "fmt is not idempotent");
        assert_eq!(model(text), model(&formatted), "fmt changed the journey");
    }

    let Ok(compiled) = resolve_source(format!("{ROOT}/fuzz.journey"), text, &options()) else {
        return;
    };
    let mut findings = compiled.findings.clone();
    if let Some(j) = &compiled.journey {
        findings.extend(journeyc::check::check(j));
    }
    let mut scenarios = Vec::new();
    for name in compiled.scenario_names() {
        if let Ok((Some(j), more)) = compiled.scenario(&name) {
            findings.extend(more);
            findings.extend(journeyc::check::check(&j));
            scenarios.push((name, j));
        }
    }
    let clean = !findings.iter().any(|f| f.level == Level::Error);
    let files = [FileReport {
        sources: compiled.sources.clone(),
        main: compiled.main,
        library: compiled.library,
        findings: findings.clone(),
    }];
    for format in [Format::Human, Format::Json, Format::Sarif, Format::Github, Format::Gitlab] {
        let _ = report::render(format, &files, false);
    }
    let Some(journey) = &compiled.journey else { return };
    let _ = emit_json(journey);
    let _ = emit_yaml(journey);
    let picture = report::graph::Graph::new(journey, &findings);
    let _ = report::graph::dot::render(&picture);
    let _ = report::graph::mermaid::render(&picture);
    if !clean {
        return; // simulate, analyze and report refuse a journey with errors
    }
    if let Ok(a) = journeyc::analyze::analyze(journey) {
        let _ = report::analysis::table(journey, &a, Some(100));
        let _ = report::analysis::json(journey, &a);
    }
    let Some(baseline) = run(journey) else { return };
    let computed = Computed::new(&baseline);
    let _ = report::simulation::table(&computed, Some(100));
    let _ = report::simulation::json(&computed);
    let _ = report::simulation::csv(&computed);
    let runs: Vec<(String, String, journeyc::sim::Run)> = scenarios
        .iter()
        .filter_map(|(name, j)| run(j).map(|r| (name.clone(), j.label.clone(), r)))
        .collect();
    let scenario_runs: Vec<ScenarioRun> = runs
        .iter()
        .map(|(name, label, r)| ScenarioRun {
            name: name.clone(),
            label: label.clone(),
            computed: Computed::new(r),
        })
        .collect();
    let page = Page {
        journey,
        file: "fuzz.journey".into(),
        baseline: &computed,
        sources: &compiled.sources,
        findings: &findings,
        scenarios: &scenario_runs,
    };
    let _ = report::html::render(&page);
});
