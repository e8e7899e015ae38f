//! The github format: GitHub Actions workflow commands, one annotation per finding.
//!
//! `::warning file=F,line=L,endLine=L,col=C,endColumn=C,title=J0402 context-break::message`.
//! The runner turns each line into an annotation on the pull request's diff. Stdout holds
//! nothing but workflow commands: the run ends with a `::notice` carrying the summary line.
//! Columns count characters; they are given only for a one-line span (annotations cannot
//! carry columns across lines).

use super::{FileReport, Locator, Summary};
use crate::diagnostic::{Finding, Level};
use std::fmt::Write;

/// Escapes a command's message (the text after `::`).
pub fn escape_message(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=…`, `title=…`): the message escapes plus `:` and `,`,
/// which would otherwise end the value.
pub fn escape_property(s: &str) -> String {
    escape_message(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "notice",
    }
}

fn annotation(out: &mut String, locator: &mut Locator, f: &Finding) {
    let p = locator.place(f.primary.span);
    let _ = write!(
        out,
        "::{} file={},line={},endLine={}",
        command(f.level),
        escape_property(&p.path),
        p.line,
        p.end_line
    );
    if p.line == p.end_line {
        let _ = write!(out, ",col={},endColumn={}", p.column, p.end_column);
    }
    let title = format!("{} {}", f.rule.code(), f.rule.name());
    let mut message = f.message.clone();
    if let Some(help) = f.help.as_deref().filter(|h| !h.is_empty()) {
        message.push_str(" — help: ");
        message.push_str(help);
    }
    let _ = writeln!(
        out,
        ",title={}::{}",
        escape_property(&title),
        escape_message(&message)
    );
}

/// Writes a check run as workflow commands, an annotation per finding as it is reached, the
/// summary last as a `::notice`.
pub fn write(files: &[FileReport], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut line = String::new();
    for report in files {
        let mut locator = Locator::new(&report.sources);
        for f in &report.findings {
            line.clear();
            annotation(&mut line, &mut locator, f);
            out.write_all(line.as_bytes())?;
        }
    }
    writeln!(
        out,
        "::notice title=journeyc::{}",
        escape_message(&Summary::of(files).line())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;
    use crate::source::{SourceFile, SourceMap, Span};

    #[test]
    fn message_escapes_percent_and_line_breaks_only() {
        assert_eq!(
            escape_message("50% of a:b, c\r\nd"),
            "50%25 of a:b, c%0D%0Ad"
        );
        // `%` first: an escape is never escaped twice.
        assert_eq!(escape_message("%0A"), "%250A");
    }

    #[test]
    fn property_also_escapes_colon_and_comma() {
        assert_eq!(escape_property("C:\\j,1%\n"), "C%3A\\j%2C1%25%0A");
    }

    #[test]
    fn tricky_message_stays_one_command_line() {
        let mut sources = SourceMap::new();
        let id = sources.add(SourceFile::new("dir,x/a:b.journey", "journey a {\n}\n"));
        let f = Finding::new(
            Rule::TransitionSum,
            Span::new(id, 0, 7),
            "transitions total 110%: cut one, say\nthe second",
        )
        .help("lower one: 50%, not 60%");
        let mut out = String::new();
        annotation(&mut out, &mut Locator::new(&sources), &f);
        assert_eq!(
            out,
            "::error file=dir%2Cx/a%3Ab.journey,line=1,endLine=1,col=1,endColumn=8,\
             title=J0202 transition-sum::transitions total 110%25: cut one, say%0Athe second \
             — help: lower one: 50%25, not 60%25\n"
        );
        assert_eq!(out.lines().count(), 1);
    }

    #[test]
    fn multi_line_span_has_no_columns() {
        let mut sources = SourceMap::new();
        let id = sources.add(SourceFile::new("a.journey", "journey a {\n}\n"));
        let mut f = Finding::new(Rule::SingleChannelStage, Span::new(id, 0, 13), "m");
        f.level = Level::Info;
        let mut out = String::new();
        annotation(&mut out, &mut Locator::new(&sources), &f);
        assert_eq!(
            out,
            "::notice file=a.journey,line=1,endLine=2,title=J0404 single-channel-stage::m\n"
        );
    }
}
