//! `journeyc graph FILE [--scenario S] [--root DIR] [--format dot|mermaid]`: the journey as a
//! picture ([`crate::report::graph`]) — stages, touchpoints by channel, transitions per
//! segment, exits, goals, triggers, and what `journeyc check` finds, marked in red.
//!
//! The findings shown are the resolver's and the graph rules' at warning level or above,
//! after `journeyc.toml` (an allowed rule is not drawn). A journey that does not resolve has no
//! picture: its findings are printed as `analyze` prints them (exit 1). Errors of the graph
//! rules (a trap, an unreachable goal) do not stop the picture — it is how one sees them — so
//! the run exits 0 and says on stderr how many it marked.

use super::config::{self, LevelArgs};
use super::{Exit, Failure, JourneyArgs};
use crate::diagnostic::{self, Level};
use crate::report::graph::{self, Graph};
use std::path::Path;

/// The picture's format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Graphviz DOT: `journeyc graph x.journey | dot -Tsvg > x.svg`.
    Dot,
    /// A Mermaid flowchart, for a `mermaid` code block in GitHub or GitLab Markdown.
    Mermaid,
}

/// Arguments of `graph`.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// The journey and the root its `use`s stay in.
    #[command(flatten)]
    pub journey: JourneyArgs,
    /// Draw the journey with this scenario applied.
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Dot)]
    pub format: Format,
}

/// Runs `graph`.
pub fn run(args: &GraphArgs) -> Result<Exit, Failure> {
    let root = args.journey.root.as_deref();
    let levels = config::levels(&LevelArgs::default(), root.unwrap_or(Path::new(".")))?;
    let loaded = super::journey_lean(&args.journey.file, root, args.scenario.as_deref())?;
    let (compiled, journey) = match loaded {
        Ok(ok) => ok,
        Err(exit) => return Ok(exit),
    };
    // The syntax tree and the sources are not needed past here.
    let mut findings = { compiled }.findings;
    findings.extend(crate::check::check(&journey));
    let mut findings: Vec<_> = levels
        .apply(findings)
        .into_iter()
        .filter(|f| f.level >= Level::Warning)
        .collect();
    diagnostic::sort(&mut findings);
    let errors = findings.iter().filter(|f| f.level == Level::Error).count();
    // Each finding is freed once it is attached to what it is about.
    let picture = Graph::new(&journey, findings);
    super::output::stream_text(|out| match args.format {
        Format::Dot => graph::dot::render_to(out, &picture),
        Format::Mermaid => graph::mermaid::render_to(out, &picture),
    })?;
    if errors > 0 {
        let s = if errors == 1 { "" } else { "s" };
        crate::errln!(
            "note: the graph marks {errors} error{s} of the checker; `journeyc check {}` explains them",
            args.journey.file.display()
        );
    }
    Ok(Exit::Ok)
}
