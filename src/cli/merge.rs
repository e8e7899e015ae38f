//! `journeyc merge SHARD.json… [--format table|json|csv] [--gate [--strict]]`: combines the shard files
//! of one run (`simulate --shard K/N`) into exactly the output of the single run.

use super::simulate::{Format, print_run};
use super::{Exit, Failure};
use crate::model::read_text;
use crate::report::simulation::read_shard;
use crate::sim;
use std::path::PathBuf;

/// Arguments of `merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shard files, all N of them (any order).
    #[arg(required = true, value_name = "SHARD.json")]
    pub shards: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Width of text tables in columns [default: $COLUMNS, else the terminal's, else 100].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(20..))]
    pub width: Option<u16>,
    /// Exit 1 when a KPI fails, as `simulate --gate`.
    #[arg(long)]
    pub gate: bool,
    /// With --gate: a KPI that stays inconclusive fails too, as `simulate --gate --strict`.
    #[arg(long, requires = "gate")]
    pub strict: bool,
}

/// Runs `merge`.
pub fn run(args: &MergeArgs) -> Result<Exit, Failure> {
    let mut shards = Vec::with_capacity(args.shards.len());
    for path in &args.shards {
        let name = path.display().to_string();
        let text = read_text(path)?;
        let shard = read_shard(&text).map_err(|e| Failure(format!("`{name}` is {e}")))?;
        shards.push((format!("`{name}`"), shard));
    }
    let fingerprints: Vec<(String, String)> = shards
        .iter()
        .map(|(name, s)| (name.clone(), s.fingerprint.clone()))
        .collect();
    let runs = shards.into_iter().map(|(name, s)| (name, s.run)).collect();
    // The structure, the counts, duplicates and gaps first (the more precise messages)…
    let merged = sim::merge(runs).map_err(|e| Failure(format!("cannot merge: {e}")))?;
    // …then the fingerprints: same names and shape, but another model or other settings.
    if let Some((first, fp)) = fingerprints.first()
        && let Some((other, _)) = fingerprints.iter().find(|(_, f)| f != fp)
    {
        return Err(Failure(format!(
            "cannot merge: {other} comes from another run than {first}: their fingerprints \
             differ (another version of the journey, another scenario, or other run \
             settings); re-run all the shards from the same journey with the same settings"
        )));
    }
    print_run(
        &merged,
        args.format,
        super::simulate::Gate::of(args.gate, args.strict),
        args.width,
    )
}
