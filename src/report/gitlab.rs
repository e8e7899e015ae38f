//! The gitlab format: GitLab's code-quality report, a JSON array of Code Climate issues.
//!
//! GitLab shows a merge request the issues that are new or fixed compared with the target
//! branch, matching them by `fingerprint`: two issues with one fingerprint show as one, and
//! a fingerprint that changes between runs shows as fixed-and-new. So each fingerprint hashes
//! what identifies the finding (path, code, message, line) plus an occurrence counter for
//! identical findings, and nothing that varies between runs.

use super::{FileReport, Locator, Occurrences, fnv1a};
use crate::diagnostic::Level;
use serde::Serialize;

/// One code-quality issue.
#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

/// Where an issue is: a path relative to the repository root and a line range.
#[derive(Serialize)]
struct Location {
    #[serde(serialize_with = "super::json::shared_str")]
    path: std::rc::Rc<str>,
    lines: Lines,
}

/// First and last line, 1-based.
#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// GitLab's severities are info, minor, major, critical and blocker.
fn severity(level: Level) -> &'static str {
    match level {
        Level::Error => "major",
        Level::Warning => "minor",
        Level::Info => "info",
    }
}

/// The issues of a check run, each built just before it is written.
struct Issues<'a>(&'a [FileReport]);

impl Serialize for Issues<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let occurrences = std::cell::RefCell::new(Occurrences::default());
        let occurrences = &occurrences;
        s.collect_seq(self.0.iter().flat_map(|report| {
            let mut locator = Locator::new(&report.sources);
            report
                .findings
                .iter()
                .map(move |f| issue(&mut locator, f, &mut occurrences.borrow_mut()))
        }))
    }
}

/// One finding as an issue.
fn issue(
    locator: &mut Locator,
    f: &crate::diagnostic::Finding,
    occurrences: &mut Occurrences,
) -> Issue {
    let p = locator.place(f.primary.span);
    let line = p.line.to_string();
    let key = fnv1a(&[
        p.path.as_bytes(),
        f.rule.code().as_bytes(),
        f.message.as_bytes(),
        line.as_bytes(),
    ]);
    let n = occurrences.next(key).to_string();
    let fingerprint = fnv1a(&[&key.to_le_bytes(), n.as_bytes()]);
    Issue {
        description: format!("{} {}", f.rule.code(), f.message),
        check_name: f.rule.code(),
        fingerprint: format!("{fingerprint:016x}"),
        severity: severity(f.level),
        location: Location {
            path: p.path,
            lines: Lines {
                begin: p.line,
                end: p.end_line,
            },
        },
    }
}

/// Writes a check run as a code-quality JSON array (pretty-printed, ending with a newline),
/// each issue as it is reached.
pub fn write(files: &[FileReport], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    crate::model::pretty_to(out, &Issues(files))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Finding;
    use crate::rules::Rule;
    use crate::source::{SourceFile, SourceMap, Span};
    use std::collections::HashSet;

    fn run(findings: &[(usize, &str)]) -> Vec<serde_json::Value> {
        let mut sources = SourceMap::new();
        let main = sources.add(SourceFile::new("a.journey", "line one\nline two\n"));
        let report = FileReport {
            sources,
            main,
            library: false,
            findings: findings
                .iter()
                .map(|&(at, m)| Finding::new(Rule::ContextBreak, Span::new(main, at, at + 4), m))
                .collect(),
        };
        let out = super::super::render(
            super::super::Format::Gitlab,
            &[report.clone(), report],
            false,
        );
        serde_json::from_str(&out).unwrap()
    }

    #[test]
    fn fingerprints_are_unique_even_for_identical_findings() {
        // Twice the same finding on one line, one on another line, one with another message;
        // and the whole file twice (a library checked through two journeys).
        let issues = run(&[(0, "m"), (0, "m"), (9, "m"), (0, "other")]);
        assert_eq!(issues.len(), 8);
        let prints: HashSet<&str> = issues
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap())
            .collect();
        assert_eq!(prints.len(), 8);
    }

    #[test]
    fn fingerprints_are_stable_across_runs() {
        let a = run(&[(0, "m"), (9, "m")]);
        let b = run(&[(0, "m"), (9, "m")]);
        assert_eq!(a, b);
        // Pinned (checked against a Python FNV-1a): a change loses every open issue's history.
        assert_eq!(a[0]["fingerprint"], "5789505e09cb163a");
    }

    #[test]
    fn issue_fields() {
        let issues = run(&[(9, "m")]);
        let i = &issues[0];
        assert_eq!(i["description"], "J0402 m");
        assert_eq!(i["check_name"], "J0402");
        assert_eq!(i["severity"], "minor");
        assert_eq!(i["location"]["path"], "a.journey");
        assert_eq!(i["location"]["lines"]["begin"], 2);
        assert_eq!(i["location"]["lines"]["end"], 2);
    }
}
