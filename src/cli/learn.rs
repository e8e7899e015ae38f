//! `journeyc learn FILE [--customers N] [--batch B] [--method thompson|greedy:EPS|model]
//! [--seed S] [--threads T] [--price P …] [--format table|json|markdown]`: test-and-learn,
//! simulated (LANGUAGE-2.md §4, [`crate::sim::learn`]), measured against `optimize`'s exact
//! optimum. No feasible policy: exit 1, as `optimize`.

use super::optimize::{Format, Loaded, ProblemArgs, load};
use super::{Exit, Failure};
use crate::analyze::optimize::optimize;
use crate::report::learn::{self as report, View};
use crate::report::optimize::View as ProblemView;
use crate::sim::learn::{LearnError, Method, Settings, learn};

/// Arguments of `learn`.
#[derive(Debug, clap::Args)]
pub struct LearnArgs {
    /// The journey, scenario, objective and constraints.
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// Customers who arrive, one after another.
    #[arg(long, short = 'n', default_value_t = 100_000, value_name = "N")]
    pub customers: u64,
    /// Customers per batch: the learner reads the finished journeys and chooses its next
    /// policy between batches.
    #[arg(long, default_value_t = 1_000, value_name = "B")]
    pub batch: u64,
    /// The learner: `thompson` (Thompson sampling on each option's value from the visit
    /// onward), `greedy:EPS` (the best mean, a random option with chance EPS) or `model`
    /// (posterior sampling on each option's friction and transitions, optimised exactly per
    /// batch: reaches constrained optima, slower).
    #[arg(long, default_value = "thompson", value_name = "METHOD")]
    pub method: Method,
    /// Seed of the random numbers: the same seed and input give the same output.
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,
    /// Worker threads [default: all cores]. The output does not depend on it.
    #[arg(long, value_name = "T")]
    pub threads: Option<usize>,
    /// The price the learner charges per unit of each constraint's metric, in written order
    /// (repeat for several) [default: the prices at which `optimize`'s optimum is the best
    /// priced policy].
    #[arg(long, value_name = "P")]
    pub price: Vec<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs `learn`.
pub fn run(args: &LearnArgs) -> Result<Exit, Failure> {
    let file = &args.problem.journey.file;
    if args.customers == 0 || args.batch == 0 {
        return Err(Failure(
            "`--customers` and `--batch` are at least 1".to_string(),
        ));
    }
    if args.method == Method::Model && !args.price.is_empty() {
        return Err(Failure(
            "`--price` prices the constraints for `thompson` and `greedy:EPS`; `--method model` \
             meets them exactly and takes no price"
                .to_string(),
        ));
    }
    if let Some(p) = args.price.iter().find(|p| !p.is_finite() || **p < 0.0) {
        return Err(Failure(format!(
            "`--price {p}`: a price is a number of at least 0"
        )));
    }
    let Loaded {
        journey, problem, ..
    } = match load(&args.problem)? {
        Ok(l) => l,
        Err(exit) => return Ok(exit),
    };
    let optimum = optimize(&journey, &problem)
        .map_err(|e| Failure(format!("cannot analyze `{}` exactly: {e}", file.display())))?;
    let settings = Settings {
        customers: args.customers,
        batch: args.batch,
        method: args.method,
        seed: args.seed,
        threads: args.threads.unwrap_or(0),
        prices: (!args.price.is_empty()).then(|| args.price.clone()),
    };
    let learned = match learn(&journey, &problem, &optimum, &settings) {
        Ok(l) => l,
        Err(LearnError::Infeasible) => {
            // The same report as `optimize`: every constraint with its best reachable value.
            let view = crate::report::optimize::View {
                journey: &journey,
                problem: &problem,
                optimum: &optimum,
                scenario: "optimum",
            };
            super::output::out(&crate::report::optimize::table(&view))?;
            super::output::err(&format!("error: {}\n", LearnError::Infeasible));
            return Ok(Exit::Findings);
        }
        Err(e) => return Err(Failure(format!("cannot learn `{}`: {e}", file.display()))),
    };
    let view = View {
        problem: ProblemView {
            journey: &journey,
            problem: &problem,
            optimum: &optimum,
            scenario: "optimum",
        },
        learned: &learned,
        settings: &settings,
    };
    let text = match args.format {
        Format::Table => report::table(&view),
        Format::Json => report::json(&view),
        Format::Markdown => report::markdown(&view),
    };
    super::output::out(&text)?;
    Ok(Exit::Ok)
}
