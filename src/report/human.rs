//! The human format: miette's graphical report, one block per finding, then a summary line.

use crate::diagnostic::{Finding, Level};
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
        // miette shows one source per diagnostic: secondary spans in other files are dropped.
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
    }
    out
}
