//! Simulate: Monte Carlo over a synthetic customer population, following LANGUAGE.md's
//! "What a customer does" exactly (horizon and `max_steps` included, unlike the exact
//! analysis).
//!
//! ```text
//!   Journey ──Tables::new──▶ flat tables ──walk (rayon, per customer streams)──▶ Tally
//!                                                                 │ merge (exact, any order)
//!                                        Frame + Tally ──figures──▶ estimates with 95% intervals
//! ```
//!
//! - [`compile`]: the model as struct-of-arrays tables and alias tables, built once;
//! - [`engine`]: the walk, allocation-free, one random stream per customer;
//! - [`tally`]: integer totals that threads, blocks and shards add up exactly;
//! - [`stats`]: intervals (Wilson, normal, delta method, order statistics) and the
//!   mergeable time histogram;
//! - [`figures`]: the [`Frame`] (what reports need to know of the journey) and the figures
//!   with their intervals, computed from a tally alone — so `journeyc merge` needs only the
//!   shard files.

pub mod compile;
pub mod engine;
pub mod figures;
pub mod learn;
pub mod pair;
pub mod stats;
pub mod tally;
pub mod validate;

#[cfg(test)]
mod tests;

pub use figures::{Figures, Frame, KpiResult, KpiVerdict};
pub use stats::Estimate;
pub use tally::Tally;

use crate::analyze::Analysis;
use crate::model::Journey;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use tally::Counts;

/// Customers per block: the unit of work handed to a thread.
pub(crate) const BLOCK: u64 = 2048;

/// The most worker threads a run starts, whatever `--threads` asks: past the cores, more
/// threads only cost memory (a tally and a scratch each) and start-up time.
pub const MAX_THREADS: usize = 1024;

/// The worker threads for `blocks` blocks when `asked` are asked for (0: all cores): never
/// more than the blocks (a thread without a block has nothing to do) nor [`MAX_THREADS`],
/// and at least one. The results do not depend on it: the totals are exact in any order.
pub(crate) fn worker_threads(asked: usize, blocks: u64) -> usize {
    let asked = match asked {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    asked
        .min(MAX_THREADS)
        .min(usize::try_from(blocks).unwrap_or(usize::MAX))
        .max(1)
}

/// Runs `work(state, g)` for each group `g` in `0..groups` on `pool`, and returns the states.
/// A state is made by `make` only when no spare one is left and is reused from group to
/// group: at most as many live as the pool has threads, so memory grows with the threads,
/// not the groups.
pub(crate) fn pooled<S: Send>(
    pool: &rayon::ThreadPool,
    groups: u64,
    make: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, u64) + Sync,
) -> Vec<S> {
    let spare = Mutex::new(Vec::new());
    let lock = || spare.lock().unwrap_or_else(PoisonError::into_inner);
    pool.install(|| {
        (0..groups).into_par_iter().for_each(|g| {
            let taken = lock().pop();
            let mut state = taken.unwrap_or_else(&make);
            work(&mut state, g);
            lock().push(state);
        })
    });
    spare.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// How to run a simulation.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Customers in the whole population (all shards).
    pub customers: u64,
    /// The seed.
    pub seed: u64,
    /// Worker threads (0: all cores).
    pub threads: usize,
    /// Simulate only this slice of the population.
    pub shard: Option<Shard>,
    /// Ignore the journey's horizon (to compare with the exact analysis).
    pub ignore_horizon: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            customers: 100_000,
            seed: 0,
            threads: 0,
            shard: None,
            ignore_horizon: false,
        }
    }
}

/// The most slices a population can be cut into.
pub const MAX_SHARDS: u64 = 1_000_000;

/// The `K`-th of `N` fixed slices of the population (`1 <= K <= N <= MAX_SHARDS`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which slice, from 1.
    pub index: u64,
    /// How many slices.
    pub count: u64,
}

impl Shard {
    /// The customers `from..to` of this slice of a population of `customers`.
    pub fn range(self, customers: u64) -> (u64, u64) {
        let at = |k: u64| (customers as u128 * k as u128 / self.count as u128) as u64;
        (at(self.index - 1), at(self.index))
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!("`{s}` is not a shard: write K/N with 1 <= K <= N <= {MAX_SHARDS}, e.g. 3/8")
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || index > count || count > MAX_SHARDS {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// A simulation's result: what was run, and its totals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// What reports need to know of the journey.
    pub frame: Frame,
    /// The seed.
    pub seed: u64,
    /// Customers in the whole population.
    pub customers: u64,
    /// The slice simulated, if not the whole population.
    pub shard: Option<Shard>,
    /// The totals.
    pub tally: Tally,
    /// The exact analysis of the same journey, when asked for (`--exact`).
    pub exact: Option<Analysis>,
}

/// Why a journey cannot be simulated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimulateError {
    /// No entry touchpoint.
    #[error("the journey has no entry: no customer starts anywhere")]
    NoEntry,
    /// Zero customers.
    #[error("nothing to simulate: the population has no customer")]
    NoCustomers,
    /// The thread pool could not be built.
    #[error("cannot start {0} worker threads")]
    Threads(usize),
}

/// Simulates a journey's population (or the shard of it that `settings` names). `done`, when
/// given, counts the customers walked so far (for a progress bar).
pub fn simulate(
    journey: &Journey,
    settings: &Settings,
    done: Option<&AtomicU64>,
) -> Result<Run, SimulateError> {
    if settings.customers == 0 {
        return Err(SimulateError::NoCustomers);
    }
    let tables = compile::Tables::new(journey, settings.ignore_horizon);
    simulate_tables(journey, tables, settings, done)
}

/// [`simulate`] with the journey already compiled.
fn simulate_tables(
    journey: &Journey,
    tables: compile::Tables,
    settings: &Settings,
    done: Option<&AtomicU64>,
) -> Result<Run, SimulateError> {
    if tables.entry.len == 0 {
        return Err(SimulateError::NoEntry);
    }
    let (from, to) = settings
        .shard
        .map_or((0, settings.customers), |s| s.range(settings.customers));
    let blocks = (to - from).div_ceil(BLOCK);
    let threads = worker_threads(settings.threads, blocks);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|_| SimulateError::Threads(threads))?;
    // A few contiguous groups of blocks per thread (enough to balance the load), counted
    // into one tally per thread.
    let groups = (pool.current_num_threads() as u64 * 4).min(blocks).max(1);
    let seed = settings.seed;
    let workers = pooled(
        &pool,
        groups,
        || (engine::Scratch::new(&tables), Counts::new(&tables)),
        |(scratch, counts), g| {
            for b in blocks * g / groups..blocks * (g + 1) / groups {
                let start = from + b * BLOCK;
                let end = (start + BLOCK).min(to);
                engine::walk(&tables, seed, start, end, scratch, counts);
                if let Some(done) = done {
                    done.fetch_add(end - start, Ordering::Relaxed);
                }
            }
        },
    );
    // Integer totals: the order of the merges does not matter.
    let mut total = Counts::new(&tables);
    for (mut scratch, mut counts) in workers {
        scratch.flush(&tables, &mut counts);
        total.merge(counts);
    }
    let tally = total.into_tally();
    Ok(Run {
        frame: Frame::new(journey, settings.ignore_horizon),
        seed,
        customers: settings.customers,
        shard: settings.shard,
        tally,
        exact: None,
    })
}

/// Why shards cannot be merged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    /// No shard given.
    #[error("no shard to merge")]
    Empty,
    /// A file is a whole run, not a shard.
    #[error("{0} is not a shard (it was not written by `simulate --shard K/N`)")]
    NotAShard(String),
    /// Shards of different runs.
    #[error("{0} comes from another run than {1}: {2}")]
    Mismatch(String, String, &'static str),
    /// A slice given twice.
    #[error("{0} and {1} are both shard {2}")]
    Duplicate(String, String, String),
    /// Slices missing.
    #[error("shards missing: {0} (all N slices are needed to rebuild the run)")]
    Missing(String),
    /// A shard number out of range (a damaged or hand-edited file).
    #[error("{0} claims to be shard {1}, which no `--shard K/N` run writes")]
    BadShard(String, String),
    /// A shard whose counts do not hold together (a damaged or hand-edited file).
    #[error("{0} is damaged: {1} (re-run that shard with `simulate --shard K/N`)")]
    Damaged(String, String),
}

/// Merges the shards of one run (`(name, run)` pairs; names are for messages) into exactly
/// the run that simulating the whole population at once gives.
pub fn merge(shards: Vec<(String, Run)>) -> Result<Run, MergeError> {
    let mut iter = shards.into_iter();
    let (first_name, mut merged) = iter.next().ok_or(MergeError::Empty)?;
    let valid = |name: &String, s: Shard| {
        // An index outside 1..=N, or N past MAX_SHARDS, cannot come from `simulate --shard`.
        if s.index == 0 || s.index > s.count || s.count > MAX_SHARDS {
            Err(MergeError::BadShard(
                name.clone(),
                format!("{}/{}", s.index, s.count),
            ))
        } else {
            Ok(s)
        }
    };
    let first = merged
        .shard
        .ok_or_else(|| MergeError::NotAShard(first_name.clone()))?;
    let first = valid(&first_name, first)?;
    validate::check(&merged).map_err(|e| MergeError::Damaged(first_name.clone(), e))?;
    let mut seen: Vec<Option<String>> = vec![None; first.count as usize];
    seen[first.index as usize - 1] = Some(first_name.clone());
    for (name, run) in iter {
        let shard = run
            .shard
            .ok_or_else(|| MergeError::NotAShard(name.clone()))?;
        let shard = valid(&name, shard)?;
        validate::check(&run).map_err(|e| MergeError::Damaged(name.clone(), e))?;
        let mismatch = |what| MergeError::Mismatch(name.clone(), first_name.clone(), what);
        if run.frame != merged.frame {
            return Err(mismatch("another journey, scenario or horizon setting"));
        }
        if run.seed != merged.seed {
            return Err(mismatch("another seed"));
        }
        if run.customers != merged.customers || shard.count != first.count {
            return Err(mismatch("another population size or shard count"));
        }
        if run.exact.is_some() != merged.exact.is_some() {
            return Err(mismatch("one has `--exact`, the other not"));
        }
        if !run.tally.same_shape(&merged.tally) {
            return Err(mismatch("the totals have another shape"));
        }
        let slot = &mut seen[shard.index as usize - 1];
        if let Some(other) = slot {
            return Err(MergeError::Duplicate(
                other.clone(),
                name,
                format!("{}/{}", shard.index, shard.count),
            ));
        }
        *slot = Some(name);
        merged.tally.merge(&run.tally);
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(k, _)| format!("{}/{}", k + 1, first.count))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing(missing.join(", ")));
    }
    merged.shard = None;
    // The sum of valid slices is valid; checked again all the same, as cheap insurance.
    validate::check(&merged).map_err(|e| MergeError::Damaged("the merged run".into(), e))?;
    Ok(merged)
}
