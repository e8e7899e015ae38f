//! `journeyc compile FILE [--scenario S] --emit json|yaml`: the resolved model, the form every
//! later stage reads (schema: `docs/model.md`).

use super::{Exit, Failure};
use crate::model;
use std::path::PathBuf;

/// The model's output format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    /// Pretty JSON.
    Json,
    /// YAML.
    Yaml,
}

/// Arguments of `compile`.
#[derive(Debug, clap::Args)]
pub struct CompileArgs {
    /// The `.journey` file.
    pub file: PathBuf,
    /// Apply this scenario first: the output is the changed journey.
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Emit::Json)]
    pub emit: Emit,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Directory that `use` paths must stay inside [default: the current directory].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// Runs `compile`.
pub fn run(args: &CompileArgs) -> Result<Exit, Failure> {
    let (compiled, journey) =
        match super::journey_lean(&args.file, args.root.as_deref(), args.scenario.as_deref())? {
            Ok(ok) => ok,
            Err(exit) => return Ok(exit),
        };
    match &args.output {
        Some(path) => {
            let text = match args.emit {
                Emit::Json => model::emit_json(&journey),
                Emit::Yaml => model::emit_yaml(&journey),
            };
            super::write_file(path, &text, args.root.as_deref())?
        }
        // Standard output gets the model as it is serialized, never built whole first.
        None => super::output::stream(|out| match args.emit {
            Emit::Json => model::write_json(&journey, out),
            Emit::Yaml => model::write_yaml(&journey, out),
        })?,
    }
    super::exiting(compiled);
    super::exiting(journey);
    Ok(Exit::Ok)
}
