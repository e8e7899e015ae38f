//! Every rule against its fixtures, through the real pipeline (`model::resolve` with the
//! fixture folder as root, then `check::check`): `fires*.journey` must yield the rule,
//! `passes*.journey` must not (and must have no error at all). The human report of every
//! `fires` file is snapshotted, and `docs/rules.md` must be the text the registry generates.

use journeyc::check::{self, docs};
use journeyc::diagnostic::{self, Finding, Level};
use journeyc::model::{self, Options};
use journeyc::rules::Rule;
use journeyc::source::SourceMap;
use std::path::{Path, PathBuf};

const FIXTURES: &str = "tests/fixtures/rules";

/// The fixture folder of a rule: `tests/fixtures/rules/J0402_context-break`.
fn folder(rule: Rule) -> PathBuf {
    Path::new(FIXTURES).join(format!("{}_{}", rule.code(), rule.name()))
}

/// Resolves and checks a fixture, its scenarios included, as `journeyc check` does; findings
/// sorted as reports show them.
fn run(path: &Path) -> (SourceMap, Vec<Finding>) {
    let options = Options {
        root: path.parent().map(Path::to_path_buf),
        scenario: None,
    };
    let compiled = model::resolve(path, &options).expect("fixtures are readable");
    let session = check::session::Session::new(compiled).expect("scenarios resolve");
    let mut findings = session.findings();
    diagnostic::sort(&mut findings);
    (session.compiled.sources, findings)
}

/// The fixture files of a folder whose names start with `prefix`, sorted.
fn files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(prefix) && name.ends_with(".journey")
        })
        .collect();
    out.sort();
    out
}

fn summary(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| format!("{} {}", f.rule.code(), f.message))
        .collect()
}

/// The assertions for one rule: every `fires` file fires it, every `passes` file does not.
fn fixtures_of(rule: Rule) {
    let dir = folder(rule);
    let (fires, passes) = (files(&dir, "fires"), files(&dir, "passes"));
    assert!(
        !fires.is_empty() && !passes.is_empty(),
        "{}: needs fires and passes files",
        dir.display()
    );
    for path in fires {
        let (_, found) = run(&path);
        assert!(
            found.iter().any(|f| f.rule == rule),
            "{} should yield {}; found {:#?}",
            path.display(),
            rule.code(),
            summary(&found)
        );
    }
    for path in passes {
        let (_, found) = run(&path);
        assert!(
            !found
                .iter()
                .any(|f| f.rule == rule || f.level == Level::Error),
            "{} should yield no {} and no error; found {:#?}",
            path.display(),
            rule.code(),
            summary(&found)
        );
    }
}

macro_rules! fixture_tests {
    ($($test:ident: $rule:expr,)*) => {
        $(
            #[test]
            fn $test() {
                fixtures_of($rule);
            }
        )*
        /// The rules the tests above cover, to prove none is forgotten.
        const COVERED: &[Rule] = &[$($rule),*];
    };
}

fixture_tests! {
    j0001_syntax: Rule::Syntax,
    j0101_unknown_name: Rule::UnknownName,
    j0102_duplicate_name: Rule::DuplicateName,
    j0103_bad_use: Rule::BadUse,
    j0201_probability_range: Rule::ProbabilityRange,
    j0202_transition_sum: Rule::TransitionSum,
    j0203_share_sum: Rule::ShareSum,
    j0204_entry: Rule::Entry,
    j0205_bad_value: Rule::BadValue,
    j0206_bad_policy: Rule::BadPolicy,
    j0301_unreachable: Rule::Unreachable,
    j0302_goal_unreachable: Rule::GoalUnreachable,
    j0303_trap: Rule::Trap,
    j0304_dead_end: Rule::DeadEnd,
    j0401_channel_gap: Rule::ChannelGap,
    j0402_context_break: Rule::ContextBreak,
    j0403_unused_channel: Rule::UnusedChannel,
    j0404_single_channel_stage: Rule::SingleChannelStage,
    j0501_idle_trigger: Rule::IdleTrigger,
    j0701_unused_suppression: Rule::UnusedSuppression,
}

#[test]
fn every_rule_has_a_fixture_folder_and_a_test() {
    // J0601–J0604 need an event log: `conform`'s tests (tests/events_conform.rs) cover them.
    let graph: Vec<Rule> = Rule::ALL.into_iter().filter(|r| !r.needs_log()).collect();
    assert_eq!(COVERED, graph.as_slice());
    let mut folders: Vec<String> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let expected: Vec<String> = graph
        .iter()
        .map(|r| format!("{}_{}", r.code(), r.name()))
        .collect();
    assert_eq!(folders, expected);
}

#[test]
fn human_report_of_every_fires_file() {
    insta::glob!("fixtures/rules/*/fires*.journey", |path| {
        let relative = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .expect("fixtures are inside the package");
        let (sources, found) = run(relative);
        insta::assert_snapshot!(journeyc::report::human::render(&sources, &found, false));
    });
}

#[test]
fn rules_md_is_generated_from_the_registry() {
    let path = Path::new("docs/rules.md");
    let generated = docs::markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all("docs").unwrap();
        std::fs::write(path, &generated).unwrap();
        return;
    }
    let written = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        written == generated,
        "docs/rules.md is out of date: regenerate it with \
         `UPDATE_DOCS=1 cargo test --test integration rules::rules_md`"
    );
}

#[test]
fn explain_prints_each_rules_section_of_rules_md() {
    let md = docs::markdown();
    for rule in Rule::ALL {
        let text = docs::explain(rule);
        // docs/rules.md nests the documentation one heading level down.
        let nested: String = text
            .lines()
            .enumerate()
            .map(|(i, l)| match i {
                0 => format!("## {l}\n"),
                _ if l.starts_with("## ") => format!("#{l}\n"),
                _ => format!("{l}\n"),
            })
            .collect();
        assert!(md.contains(&nested), "{}", rule.code());
    }
}
