//! The sarif format: SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`)
//! and other SARIF viewers, built with serde-sarif's typed structs.
//!
//! One run; the tool driver lists every rule of [`Rule::ALL`] so that `ruleIndex` is simply
//! the rule's position. Locations use SARIF's default column kind, UTF-16 code units (stated
//! explicitly in the run). Relative paths become relative URI references, which GitHub
//! resolves against the repository root. `partialFingerprints.primaryLocationLineHash` hashes
//! the rule, the path, the message and the text of the finding's first line (whitespace
//! normalised; not its number), plus an occurrence counter for identical ones, so a finding
//! keeps its identity when lines are added above it; GitHub then uses ours instead of
//! computing its own.

use super::{FileReport, Locator, Occurrences, fnv1a};
use crate::diagnostic::{Finding, Label, Level};
use crate::rules::Rule;
use crate::source::{SourceFile, Span};
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Tool, ToolComponent,
};
use std::collections::BTreeMap;

/// The schema URI written in `$schema`.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(level: Level) -> ResultLevel {
    match level {
        Level::Error => ResultLevel::Error,
        Level::Warning => ResultLevel::Warning,
        Level::Info => ResultLevel::Note,
    }
}

/// Percent-encodes what may not appear in a URI path (RFC 3986 `pchar` plus `/`).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A report path as a URI: relative paths as relative references, absolute ones (`/x`,
/// `C:/x`) as `file:` URIs. A `:` in a relative path is encoded so it is not read as a scheme.
pub fn uri(path: &str) -> String {
    let bytes = path.as_bytes();
    let windows_drive =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if windows_drive {
        format!("file:///{}:{}", &path[..1], encode_path(&path[2..]))
    } else if path.starts_with('/') {
        format!("file://{}", encode_path(path))
    } else {
        encode_path(path)
    }
}

fn location(locator: &mut Locator, label: &Label, id: Option<i64>) -> Location {
    let p = locator.place(label.span);
    let region = Region::builder()
        .start_line(p.line as i64)
        .start_column(p.utf16_column as i64)
        .end_line(p.end_line as i64)
        .end_column(p.utf16_end_column as i64)
        .build();
    let physical = PhysicalLocation::builder()
        .artifact_location(ArtifactLocation::builder().uri(uri(&p.path)).build())
        .region(region)
        .build();
    let mut location = Location::builder().physical_location(physical).build();
    location.id = id;
    if !label.message.is_empty() {
        location.message = Some(Message::from(label.message.as_str()));
    }
    location
}

fn rule(r: Rule) -> ReportingDescriptor {
    let sarif_level = match r.default_level() {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "note",
    };
    ReportingDescriptor::builder()
        .id(r.code())
        .name(r.name())
        .short_description(
            MultiformatMessageString::builder()
                .text(r.summary())
                .build(),
        )
        // Rule help is shown next to each alert; a relative helpUri is not allowed, so the
        // help says where the long explanation is.
        .help(
            MultiformatMessageString::builder()
                .text(format!(
                    "{}: {}. `journeyc explain {}` (or docs/rules.md) explains the rule with a failing and a fixed example.",
                    r.name(),
                    r.summary(),
                    r.code()
                ))
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(sarif_level))
                .build(),
        )
        .build()
}

/// The text of a span's first line, at most [`EXCERPT`] bytes either side of its start (a
/// 10 MB one-line file must not be hashed whole for each finding), spaces normalised.
fn line_excerpt(file: &SourceFile, span: Span) -> String {
    let start = (span.start as usize).min(file.text.len());
    let line = file.line_of(start as u32);
    let line_start = file.line_start(line) as usize;
    let line_end = line_start + file.line_text(line).len();
    let mut from = start.saturating_sub(EXCERPT).max(line_start);
    while !file.text.is_char_boundary(from) {
        from += 1;
    }
    let mut to = (start + EXCERPT).min(line_end).max(from);
    while !file.text.is_char_boundary(to) {
        to -= 1;
    }
    let excerpt = file.text.get(from..to).unwrap_or("");
    excerpt.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Bytes of the line either side of a finding that its fingerprint hashes.
const EXCERPT: usize = 256;

fn result(locator: &mut Locator, f: &Finding, occurrences: &mut Occurrences) -> SarifResult {
    let mut text = f.message.clone();
    if let Some(help) = f.help.as_deref().filter(|h| !h.is_empty()) {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let place = locator.place(f.primary.span);
    let excerpt = line_excerpt(locator.file(f.primary.span), f.primary.span);
    let key = fnv1a(&[
        f.rule.code().as_bytes(),
        place.path.as_bytes(),
        f.message.as_bytes(),
        excerpt.as_bytes(),
    ]);
    let n = occurrences.next(key);
    let fingerprints = BTreeMap::from([(
        "primaryLocationLineHash".to_string(),
        format!("{key:016x}:{}", n + 1),
    )]);
    let mut result = SarifResult::builder()
        .rule_id(f.rule.code())
        .rule_index(f.rule as i64)
        .level(level(f.level))
        .message(Message::from(text.as_str()))
        .locations(vec![location(locator, &f.primary, None)])
        .partial_fingerprints(fingerprints)
        .build();
    if !f.secondary.is_empty() {
        result.related_locations = Some(
            f.secondary
                .iter()
                .zip(1..)
                .map(|(l, id)| location(locator, l, Some(id)))
                .collect(),
        );
    }
    result
}

/// Writes a check run as one SARIF 2.1.0 log (pretty-printed, ending with a newline), each
/// result as it is reached: the log is serialized with an empty `results` array, and the
/// results are written in its place one by one, indented as serde_json indents them in place
/// (its pretty printer indents by two spaces a level, and no JSON string holds a raw line
/// break), so the bytes are those of the whole log serialized at once.
pub fn write(files: &[FileReport], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let driver = ToolComponent::builder()
        .name("journeyc")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(Rule::ALL.iter().map(|&r| rule(r)).collect::<Vec<_>>())
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .column_kind(json!("utf16CodeUnits"))
        .results(Vec::new())
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let text = serde_json::to_string_pretty(&log)?;
    // Quotes inside JSON strings are escaped: this is the key, not text in a message.
    const EMPTY: &str = "\"results\": []";
    let at = text.find(EMPTY).expect("the run has a results array");
    if files.iter().all(|r| r.findings.is_empty()) {
        out.write_all(text.as_bytes())?;
        return out.write_all(b"\n");
    }
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..at];
    // A result's lines are indented one level deeper than the `"results"` key.
    let level = indent.len() / 2 + 1;
    let inner = "  ".repeat(level);
    let mut out = crate::model::Json::new(out);
    out.raw_bytes(&text.as_bytes()[..at])?;
    out.raw_bytes(b"\"results\": [")?;
    let mut occurrences = Occurrences::default();
    let mut first = true;
    for report in files {
        let mut locator = Locator::new(&report.sources);
        for f in &report.findings {
            out.raw_bytes(if first { b"\n" } else { b",\n" })?;
            first = false;
            out.raw_bytes(inner.as_bytes())?;
            out.value_at(level, &result(&mut locator, f, &mut occurrences))?;
        }
    }
    out.raw_bytes(format!("\n{indent}]").as_bytes())?;
    out.raw_bytes(&text.as_bytes()[at + EMPTY.len()..])?;
    out.raw_bytes(b"\n")?;
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_references_or_file_uris() {
        assert_eq!(uri("examples/a b.journey"), "examples/a%20b.journey");
        assert_eq!(uri("x:y.journey"), "x%3Ay.journey");
        assert_eq!(uri("/home/me/a.journey"), "file:///home/me/a.journey");
        assert_eq!(uri("C:/work/a.journey"), "file:///C:/work/a.journey");
        assert_eq!(uri("café.journey"), "caf%C3%A9.journey");
    }

    #[test]
    fn rules_are_indexed_by_their_position() {
        for (i, r) in Rule::ALL.iter().enumerate() {
            assert_eq!(*r as usize, i);
            assert_eq!(rule(*r).id, r.code());
        }
    }
}
