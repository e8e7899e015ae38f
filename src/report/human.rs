//! The human format: miette's graphical report, one block per finding, then a summary line.
//!
//! miette shows one source per diagnostic, so a secondary label in another file than the
//! primary one (a name first declared in a used library) becomes a note line under the
//! finding, `note: first declared in examples/common.journey:9:9`, instead of being dropped.

use super::{FileReport, Place, Summary};
use crate::diagnostic::{Finding, Label, Level};
use crate::source::SourceMap;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity,
};
use std::fmt;

/// One finding seen through miette's `Diagnostic` trait.
struct View<'a> {
    finding: &'a Finding,
    source: NamedSource<String>,
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for View<'_> {}

impl Diagnostic for View<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "{}({})",
            self.finding.rule.code(),
            self.finding.rule.name()
        )))
    }

    fn severity(&self) -> Option<Severity> {
        Some(match self.finding.level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info => Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let f = self.finding;
        let primary = LabeledSpan::new_primary_with_span(
            Some(f.primary.message.clone()).filter(|m| !m.is_empty()),
            f.primary.span,
        );
        // miette shows one source per diagnostic: labels in other files become notes.
        let secondary = f
            .secondary
            .iter()
            .filter(move |l| l.span.file == f.primary.span.file)
            .map(|l| {
                LabeledSpan::new_with_span(
                    Some(l.message.clone()).filter(|m| !m.is_empty()),
                    l.span,
                )
            });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// Renders findings as miette's graphical report; `color` for terminals.
pub fn render(sources: &SourceMap, findings: &[Finding], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for finding in findings {
        let file = sources.get(finding.primary.span.file);
        let view = View {
            finding,
            source: NamedSource::new(file.display_path(), file.text.clone()),
        };
        handler
            .render_report(&mut out, &view)
            .expect("writing to a String cannot fail");
        for label in &finding.secondary {
            if label.span.file != finding.primary.span.file {
                out.push_str(&note(sources, label));
            }
        }
        out.push('\n');
    }
    out
}

/// `  note: first declared in common.journey:9:9` for a label in another file: its message
/// was written to sit under the spot ("first declared here"), so `here` gives way to the place.
fn note(sources: &SourceMap, label: &Label) -> String {
    let place = Place::of(sources, label.span).short();
    let message = label.message.trim();
    let message = message.strip_suffix(" here").unwrap_or(message);
    if message.is_empty() {
        format!("  note: see {place}\n")
    } else {
        format!("  note: {message} in {place}\n")
    }
}

/// Renders a whole check run: every file's findings, then the summary line.
pub fn render_run(files: &[FileReport], color: bool) -> String {
    let mut out = String::new();
    for report in files {
        out.push_str(&render(&report.sources, &report.findings, color));
    }
    out.push_str(&Summary::of(files).line());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::registry::Rule;
    use crate::source::{FileId, SourceFile, Span};

    fn two_files() -> SourceMap {
        let mut sources = SourceMap::new();
        sources.add(SourceFile::new(
            "a.journey",
            "journey a {\n  channel web digital\n}\n",
        ));
        sources.add(SourceFile::new("./lib/c.journey", "channel web digital\n"));
        sources
    }

    #[test]
    fn labels_in_another_file_become_notes() {
        let sources = two_files();
        let lib = Span::new(FileId(1), 8, 11);
        let cases = [
            (
                "first declared here",
                "  note: first declared in lib/c.journey:1:9\n",
            ),
            ("`web`", "  note: `web` in lib/c.journey:1:9\n"),
            ("", "  note: see lib/c.journey:1:9\n"),
        ];
        for (message, want) in cases {
            assert_eq!(note(&sources, &Label::new(lib, message)), want);
        }
    }

    #[test]
    fn render_keeps_same_file_labels_and_notes_the_others() {
        let sources = two_files();
        let f = Finding::new(Rule::DuplicateName, Span::new(FileId(0), 22, 25), "twice")
            .label("again")
            .with(Span::new(FileId(1), 8, 11), "first declared here")
            .with(Span::new(FileId(0), 0, 7), "in this journey");
        let out = render(&sources, &[f], false);
        assert!(out.contains("again"), "{out}");
        assert!(out.contains("in this journey"), "{out}");
        assert!(
            out.contains("note: first declared in lib/c.journey:1:9"),
            "{out}"
        );
        assert!(!out.contains('\u{1b}'), "no colour asked: {out}");
        assert!(
            out.ends_with("\n\n"),
            "a blank line after each finding: {out:?}"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let sources = two_files();
        let f = Finding::new(Rule::DuplicateName, Span::new(FileId(0), 22, 25), "twice");
        assert!(render(&sources, std::slice::from_ref(&f), true).contains('\u{1b}'));
        assert!(!render(&sources, &[f], false).contains('\u{1b}'));
    }

    #[test]
    fn run_of_clean_files_is_just_the_summary() {
        let report = FileReport {
            sources: two_files(),
            main: FileId(1),
            library: true,
            findings: vec![],
        };
        assert_eq!(
            render_run(&[report], false),
            "1 file: 0 errors, 0 warnings\n"
        );
    }
}
