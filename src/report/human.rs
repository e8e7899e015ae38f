//! The human format: miette's graphical report, one block per finding, then a summary line.
//!
//! miette shows one source per diagnostic, so a secondary label in another file than the
//! primary one (a name first declared in a used library) becomes a note line under the
//! finding, `note: first declared in examples/common.journey:9:9`, instead of being dropped.
//!
//! miette reads a snippet by scanning its source from the first byte; handing it a whole
//! 10 MB file per finding made 500 findings take over half a minute. [`Window`] hands it only
//! the lines around the snippet and shifts lines and offsets back, so a finding costs what its
//! snippet costs, and the file text is never copied.

use super::{FileReport, Locator, Summary};
use crate::diagnostic::{Finding, Label, Level};
use crate::source::{SourceFile, SourceMap};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, Severity, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

/// One source file as miette's `SourceCode`, read through a window of lines.
struct Window<'a> {
    name: String,
    file: &'a SourceFile,
}

impl Window<'_> {
    /// Byte range of whole lines around `start..end`: `before` lines above and `after` below,
    /// with one line to spare each way (miette drops what it does not need).
    fn range(&self, start: usize, end: usize, before: usize, after: usize) -> (usize, usize) {
        let text = self.file.text.as_bytes();
        let mut from = start.min(text.len());
        for _ in 0..before + 2 {
            match text[..from].iter().rposition(|&b| b == b'\n') {
                Some(nl) => from = nl,
                None => {
                    from = 0;
                    break;
                }
            }
        }
        if from > 0 {
            from += 1; // just after the newline: a line start
        }
        let mut to = end.min(text.len());
        for _ in 0..after + 2 {
            match text[to..].iter().position(|&b| b == b'\n') {
                Some(nl) => to += nl + 1,
                None => {
                    to = text.len();
                    break;
                }
            }
        }
        (from, to)
    }
}

impl SourceCode for Window<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (from, to) = self.range(
            span.offset(),
            span.offset() + span.len(),
            context_lines_before,
            context_lines_after,
        );
        let local = SourceSpan::new((span.offset() - from).into(), span.len());
        let window: &'a str = self.file.text.get(from..to).unwrap_or("");
        let contents = window.read_span(&local, context_lines_before, context_lines_after)?;
        // Lines above the window, to number the snippet's lines as in the whole file.
        let lines_above = self.file.line_col(from as u32).0 - 1;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            SourceSpan::new(
                (contents.span().offset() + from).into(),
                contents.span().len(),
            ),
            contents.line() + lines_above,
            contents.column(),
            contents.line_count() + lines_above,
        )))
    }
}

/// One finding seen through miette's `Diagnostic` trait.
struct View<'a, S> {
    finding: &'a Finding,
    /// `None` when the snippet's lines are too long to show.
    source: Option<S>,
}

impl<S> fmt::Debug for View<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl<S> fmt::Display for View<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl<S> std::error::Error for View<'_, S> {}

impl<S: SourceCode> Diagnostic for View<'_, S> {
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
        self.source.as_ref().map(|s| s as &dyn SourceCode)
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

fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
}

/// Renders findings as miette's graphical report; `color` for terminals.
pub fn render(sources: &SourceMap, findings: &[Finding], color: bool) -> String {
    let mut renderer = Renderer::new(sources, color);
    let mut out = String::new();
    for finding in findings {
        renderer.finding(finding, &mut out);
    }
    out
}

/// Draws findings of one source map, one at a time.
struct Renderer<'a> {
    sources: &'a SourceMap,
    handler: GraphicalReportHandler,
    locator: Locator<'a>,
}

impl<'a> Renderer<'a> {
    fn new(sources: &'a SourceMap, color: bool) -> Renderer<'a> {
        Renderer {
            sources,
            handler: handler(color),
            locator: Locator::new(sources),
        }
    }

    /// Appends one finding's block to `out`: miette's drawing, the notes, a blank line.
    fn finding(&mut self, finding: &Finding, out: &mut String) {
        let file = self.sources.get(finding.primary.span.file);
        let fits = fits(file, finding);
        let view = View {
            finding,
            source: fits.then(|| Window {
                name: file.display_path(),
                file,
            }),
        };
        self.handler
            .render_report(out, &view)
            .expect("writing to a String cannot fail");
        if !fits {
            let place = self.locator.place(finding.primary.span).short();
            out.push_str(&format!("  at {place} (the line is too long to show)\n"));
        }
        for label in &finding.secondary {
            if label.span.file != finding.primary.span.file {
                out.push_str(&note(&mut self.locator, label));
            }
        }
        out.push('\n');
    }
}

/// Longest line shown in a snippet, in bytes. miette panics when a label starts past column
/// 65,535, and a 10 MB line printed once per finding helps no one.
const MAX_SHOWN_LINE: usize = 1000;

/// True when the lines around the finding's labels in its file are short enough to show.
fn fits(file: &SourceFile, finding: &Finding) -> bool {
    std::iter::once(&finding.primary)
        .chain(&finding.secondary)
        .filter(|l| l.span.file == finding.primary.span.file)
        .flat_map(|l| [file.line_of(l.span.start), file.line_of(l.span.end)])
        .flat_map(|line| [line.saturating_sub(1).max(1), line, line + 1])
        .filter(|&line| line <= file.line_count())
        .all(|line| file.line_text(line).len() <= MAX_SHOWN_LINE)
}

/// `  note: first declared in common.journey:9:9` for a label in another file: its message
/// was written to sit under the spot ("first declared here"), so `here` gives way to the
/// place; other messages get the place after them.
fn note(locator: &mut Locator, label: &Label) -> String {
    let place = locator.place(label.span).short();
    let message = label.message.trim();
    if let Some(head) = message.strip_suffix(" here") {
        format!("  note: {head} in {place}\n")
    } else if message.is_empty() {
        format!("  note: see {place}\n")
    } else {
        format!("  note: {message}, at {place}\n")
    }
}

/// Findings of one rule drawn in full per file by [`render_run`]; the others are counted.
pub const GROUP_AFTER: usize = 10;

/// Writes a whole check run: every file's findings, each as soon as it is drawn, then the
/// summary line.
pub fn write_run(
    files: &[FileReport],
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut block = String::new();
    for report in files {
        // Past GROUP_AFTER findings of one rule in a file, the rest are counted, not drawn.
        let mut count: std::collections::HashMap<&'static str, usize> = Default::default();
        let mut hidden: Vec<(&'static str, &'static str, Vec<&Finding>)> = Vec::new();
        let mut renderer = Renderer::new(&report.sources, color);
        for f in &report.findings {
            let n = count.entry(f.rule.code()).or_default();
            *n += 1;
            if *n <= GROUP_AFTER {
                block.clear();
                renderer.finding(f, &mut block);
                out.write_all(block.as_bytes())?;
            } else {
                match hidden
                    .iter_mut()
                    .find(|(code, _, _)| *code == f.rule.code())
                {
                    Some(h) => h.2.push(f),
                    None => hidden.push((f.rule.code(), f.rule.name(), vec![f])),
                }
            }
        }
        let mut locator = Locator::new(&report.sources);
        for (code, name, rest) in hidden {
            let first = locator.place(rest[0].primary.span);
            let last = locator.place(rest[rest.len() - 1].primary.span);
            writeln!(
                out,
                "… and {} more {code} {name} finding{} in {} (lines {} to {}); \
                 `--format concise` lists every one\n",
                rest.len(),
                if rest.len() == 1 { "" } else { "s" },
                first.path,
                first.line,
                last.line
            )?;
        }
    }
    writeln!(out, "{}", Summary::of(files).line())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;
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
            ("`web`", "  note: `web`, at lib/c.journey:1:9\n"),
            (
                "the journey in the used file",
                "  note: the journey in the used file, at lib/c.journey:1:9\n",
            ),
            ("", "  note: see lib/c.journey:1:9\n"),
        ];
        for (message, want) in cases {
            let mut locator = Locator::new(&sources);
            assert_eq!(note(&mut locator, &Label::new(lib, message)), want);
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
    fn window_renders_like_the_whole_file() {
        let body: String = (0..30)
            .map(|i| format!("    touchpoint t{i} \"📞 {i}\" on web {{ -> exit }}\n"))
            .collect();
        let texts = [
            format!("journey a {{\n  stage s {{\n{body}  }}\n}}\n"),
            format!(
                "journey a {{\r\n  stage s {{\r\n{}  }}\r\n}}",
                body.replace('\n', "\r\n")
            ),
            format!("x\n\n\n{body}\n\n\nlast line without newline é 📞 end"),
        ];
        let handler = handler(false);
        for text in &texts {
            let text = text.as_str();
            let mut sources = SourceMap::new();
            let id = sources.add(SourceFile::new("a.journey", text));
            let file = sources.get(id);
            let len = text.len();
            let mut spans: Vec<(usize, usize)> = vec![(0, 0), (0, 1), (len, len), (0, len)];
            let mut starts: Vec<usize> = (0..len).filter(|&i| text.is_char_boundary(i)).collect();
            starts.retain(|&i| i % 17 == 0 || text.as_bytes()[i] == b'\n');
            let middle = (len / 2..).find(|&i| text.is_char_boundary(i)).unwrap();
            for &a in &starts {
                for b in [a, a + 1, a + 7, len] {
                    if b <= len && text.is_char_boundary(b) {
                        spans.push((a, b));
                    }
                }
            }
            for ((a, b), extra) in spans.into_iter().flat_map(|s| [(s, 0), (s, 1), (s, 2)]) {
                let mut f = Finding::new(Rule::Trap, Span::new(id, a, b), "m").label("here");
                if extra >= 1 {
                    f = f.with(Span::new(id, middle, middle), "middle");
                }
                if extra >= 2 {
                    f = f.with(Span::new(id, 0, 1), "first");
                }
                let window = View {
                    finding: &f,
                    source: Some(Window {
                        name: "a.journey".into(),
                        file,
                    }),
                };
                let whole = View {
                    finding: &f,
                    source: Some(miette::NamedSource::new("a.journey", text.to_string())),
                };
                let (mut w, mut h) = (String::new(), String::new());
                handler.render_report(&mut w, &window).unwrap();
                handler.render_report(&mut h, &whole).unwrap();
                assert_eq!(w, h, "span {a}..{b} of {text:?}");
            }
        }
    }

    #[test]
    fn long_lines_are_not_shown_but_located() {
        // One 200 kB line: miette would panic on a label past column 65,535.
        let line: String = "x ".repeat(100_000);
        let mut sources = SourceMap::new();
        let id = sources.add(SourceFile::new("big.journey", format!("a\n{line}\nb\n")));
        let at = 2 + 150_000;
        let far = Finding::new(Rule::Unreachable, Span::new(id, at, at + 1), "far");
        let out = render(&sources, &[far], false);
        assert!(out.contains("  ⚠ far\n"), "{out}");
        assert!(
            out.contains("  at big.journey:2:150001 (the line is too long to show)\n"),
            "{out}"
        );
        assert!(out.len() < 1000, "{out}");
        // A short line next to the long one is not shown either (it would show as context).
        let near = Finding::new(Rule::Unreachable, Span::new(id, 0, 1), "near");
        assert!(render(&sources, &[near], false).contains("too long to show"));
        let mut sources = SourceMap::new();
        let id = sources.add(SourceFile::new("small.journey", "a\nb\nc\nd\n"));
        let ok = Finding::new(Rule::Unreachable, Span::new(id, 6, 7), "ok");
        assert!(render(&sources, &[ok], false).contains("small.journey:4:1"));
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
            super::super::render(super::super::Format::Human, &[report], false),
            "1 file: 0 errors, 0 warnings\n"
        );
    }
}
