//! The json format: journeyc's own document, for scripts and dashboards.
//!
//! The schema is documented in `docs/ci.md` ("JSON output schema") and versioned by the
//! top-level `version` field: fields may be added within a version, never removed, renamed
//! or given another meaning. Lines and columns are 1-based, columns count characters, and
//! end columns point just past the last character (like SARIF and LSP).

use super::{FileReport, Place, Summary};
use crate::diagnostic::{Finding, Label};
use crate::source::SourceMap;
use serde::Serialize;

/// The schema version this module writes; bump it only for an incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole document.
#[derive(Serialize)]
struct Document {
    version: u32,
    tool: Tool,
    files: Vec<File>,
    summary: Summary,
}

/// Who wrote the document.
#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

/// One checked file.
#[derive(Serialize)]
struct File {
    path: String,
    kind: &'static str,
    findings: Vec<FindingOut>,
}

/// One finding.
#[derive(Serialize)]
struct FindingOut {
    code: &'static str,
    name: &'static str,
    level: &'static str,
    message: String,
    label: Option<String>,
    help: Option<String>,
    location: Location,
    labels: Vec<LabelOut>,
}

/// A secondary label.
#[derive(Serialize)]
struct LabelOut {
    message: Option<String>,
    location: Location,
}

/// A span.
#[derive(Serialize)]
struct Location {
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start_byte: usize,
    end_byte: usize,
}

impl Location {
    fn of(sources: &SourceMap, label: &Label) -> Location {
        let p = Place::of(sources, label.span);
        Location {
            path: p.path,
            line: p.line,
            column: p.column,
            end_line: p.end_line,
            end_column: p.end_column,
            start_byte: p.start_byte,
            end_byte: p.end_byte,
        }
    }
}

/// Empty texts are written as `null`: "nothing to say" has one spelling.
fn text(s: &str) -> Option<String> {
    Some(s.to_string()).filter(|s| !s.is_empty())
}

fn finding(sources: &SourceMap, f: &Finding) -> FindingOut {
    FindingOut {
        code: f.rule.code(),
        name: f.rule.name(),
        level: f.level.as_str(),
        message: f.message.clone(),
        label: text(&f.primary.message),
        help: f.help.as_deref().and_then(text),
        location: Location::of(sources, &f.primary),
        labels: f
            .secondary
            .iter()
            .map(|l| LabelOut {
                message: text(&l.message),
                location: Location::of(sources, l),
            })
            .collect(),
    }
}

/// Renders a check run as one pretty-printed JSON document, ending with a newline.
pub fn render(files: &[FileReport]) -> String {
    let doc = Document {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: "journeyc",
            version: env!("CARGO_PKG_VERSION"),
        },
        files: files
            .iter()
            .map(|r| File {
                path: r.path(),
                kind: if r.library { "library" } else { "journey" },
                findings: r.findings.iter().map(|f| finding(&r.sources, f)).collect(),
            })
            .collect(),
        summary: Summary::of(files),
    };
    let mut out =
        serde_json::to_string_pretty(&doc).expect("the document has only strings and integers");
    out.push('\n');
    out
}
