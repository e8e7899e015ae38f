//! The concise format: one line per finding, as compilers and ruff print them, then the
//! summary line. `PATH:LINE:COLUMN: LEVEL CODE rule-name: message [help: …]`. For a terminal
//! or a log where the graphical report is too long (a generated journey with thousands of
//! findings), and for editors that jump to `PATH:LINE:COLUMN`.

use super::{FileReport, Locator, Summary};
use crate::diagnostic::Level;

fn level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "info",
    }
}

/// Writes a check run, a line per finding, the summary last.
pub fn write(files: &[FileReport], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    for report in files {
        let mut locator = Locator::new(&report.sources);
        for f in &report.findings {
            let p = locator.place(f.primary.span);
            // One line whatever the message holds.
            let mut message = f.message.replace(['\r', '\n'], " ");
            if let Some(help) = f.help.as_deref().filter(|h| !h.is_empty()) {
                message.push_str(" [help: ");
                message.push_str(&help.replace(['\r', '\n'], " "));
                message.push(']');
            }
            writeln!(
                out,
                "{}:{}:{}: {} {} {}: {}",
                p.path,
                p.line,
                p.column,
                level(f.level),
                f.rule.code(),
                f.rule.name(),
                message
            )?;
        }
    }
    writeln!(out, "{}", Summary::of(files).line())
}
