//! `journeyc lsp`: the language server ([`crate::lsp`]) over standard input and output, for
//! editors (`docs/lsp.md`). Standard output carries the protocol only.

use super::{Exit, Failure};
use crate::lsp::{self, ServerOptions};
use std::path::PathBuf;

/// Arguments of `lsp`.
#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Directory that `use` paths must stay inside [default: the workspace folder the editor
    /// opened, else each file's project: the nearest folder with journeyc.toml or .git].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Accepted for editors that pass it; standard input and output are the only transport.
    #[arg(long)]
    pub stdio: bool,
}

/// Runs the server until the editor says `exit`.
pub fn run(args: &LspArgs) -> Result<Exit, Failure> {
    lsp::run(ServerOptions {
        root: args.root.clone(),
    })
    .map_err(Failure)?;
    Ok(Exit::Ok)
}
