//! The json format: journeyc's own document, for scripts and dashboards.
//!
//! The schema is documented in `docs/ci.md` ("JSON output schema") and versioned by the
//! top-level `version` field: fields may be added within a version, never removed, renamed
//! or given another meaning. Lines and columns are 1-based, columns count characters, and
//! end columns point just past the last character (like SARIF and LSP).

use super::{FileReport, Locator, Summary};
use crate::diagnostic::{Finding, Label};
use serde::Serialize;

/// The schema version this module writes; bump it only for an incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole document.
#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    files: Files<'a>,
    summary: Summary,
}

/// Who wrote the document.
#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

/// The checked files, each serialized as it is reached.
struct Files<'a>(&'a [FileReport]);

impl Serialize for Files<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(File))
    }
}

/// One checked file: `path`, `kind`, `findings`.
struct File<'a>(&'a FileReport);

impl Serialize for File<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let r = self.0;
        let mut file = s.serialize_struct("File", 3)?;
        file.serialize_field("path", &r.path())?;
        file.serialize_field("kind", if r.library { "library" } else { "journey" })?;
        file.serialize_field("findings", &Findings(r))?;
        file.end()
    }
}

/// A file's findings, each built just before it is written.
struct Findings<'a>(&'a FileReport);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut locator = Locator::new(&self.0.sources);
        s.collect_seq(self.0.findings.iter().map(|f| finding(&mut locator, f)))
    }
}

/// One finding, borrowing its texts.
#[derive(Serialize)]
struct FindingOut<'a> {
    code: &'static str,
    name: &'static str,
    level: &'static str,
    message: &'a str,
    label: Option<&'a str>,
    help: Option<&'a str>,
    location: Location,
    labels: Vec<LabelOut<'a>>,
}

/// A secondary label.
#[derive(Serialize)]
struct LabelOut<'a> {
    message: Option<&'a str>,
    location: Location,
}

/// A span.
#[derive(Serialize)]
struct Location {
    #[serde(serialize_with = "shared_str")]
    path: std::rc::Rc<str>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start_byte: usize,
    end_byte: usize,
}

/// Serializes a shared string as the string (serde's `rc` feature is not on).
pub(super) fn shared_str<S: serde::Serializer>(
    s: &std::rc::Rc<str>,
    ser: S,
) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s)
}

impl Location {
    fn of(locator: &mut Locator, label: &Label) -> Location {
        let p = locator.place(label.span);
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
fn text(s: &str) -> Option<&str> {
    Some(s).filter(|s| !s.is_empty())
}

fn finding<'a>(locator: &mut Locator, f: &'a Finding) -> FindingOut<'a> {
    FindingOut {
        code: f.rule.code(),
        name: f.rule.name(),
        level: f.level.as_str(),
        message: &f.message,
        label: text(&f.primary.message),
        help: f.help.as_deref().and_then(text),
        location: Location::of(locator, &f.primary),
        labels: f
            .secondary
            .iter()
            .map(|l| LabelOut {
                message: text(&l.message),
                location: Location::of(locator, l),
            })
            .collect(),
    }
}

/// Writes a check run as one pretty-printed JSON document, ending with a newline, each
/// finding as it is reached.
pub fn write(files: &[FileReport], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let doc = Document {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: "journeyc",
            version: env!("CARGO_PKG_VERSION"),
        },
        files: Files(files),
        summary: Summary::of(files),
    };
    crate::model::pretty_to(out, &doc)
}
