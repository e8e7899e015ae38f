//! The `journeyc` binary: parse arguments, run, map the outcome to an exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = journeyc::cli::Cli::parse();
    match journeyc::cli::run(cli) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(failure) => {
            journeyc::errln!("error: {failure}");
            ExitCode::from(2)
        }
    }
}
