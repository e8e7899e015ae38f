//! Paired runs: a baseline and a variant journey simulated on common random numbers — the
//! same customers (customer `i` has the same random stream in both), so that a difference is
//! measured on the same people instead of being drowned in the noise of two samples.
//!
//! Besides each journey's own [`Tally`], a [`PairTally`] keeps the cross sums that the
//! paired intervals need: for a per-customer value `x`, `Σ x_base · x_variant` (for an
//! indicator, the number of customers with it in both runs). With the runs' own sums and
//! sums of squares, `Σ (x_variant − x_base)²` follows. Everything is an integer, so the
//! result is as deterministic as [`super::simulate`].

use super::compile::Tables;
use super::engine::{self, Scratch, Start, Trace};
use super::stats::Cross;
use super::tally::{Counts, ending};
use super::{BLOCK, Frame, Run, Settings, SimulateError};
use crate::model::Journey;

/// Which baseline item is which variant item (matched by name).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matching {
    /// `(baseline, variant)` goal ids.
    pub goals: Vec<(usize, usize)>,
    /// `(baseline, variant)` touchpoint ids.
    pub touchpoints: Vec<(usize, usize)>,
    /// `(baseline, variant)` stage ids.
    pub stages: Vec<(usize, usize)>,
}

impl Matching {
    /// Matches two journeys' goals, touchpoints and stages by name.
    pub fn new(base: &Journey, variant: &Journey) -> Self {
        fn pairs<'a>(
            a: impl Iterator<Item = &'a str>,
            find: impl Fn(&str) -> Option<usize>,
        ) -> Vec<(usize, usize)> {
            a.enumerate()
                .filter_map(|(i, name)| find(name).map(|k| (i, k)))
                .collect()
        }
        Matching {
            goals: pairs(base.goals.iter().map(|g| g.name.as_str()), |n| {
                variant.goal(n)
            }),
            touchpoints: pairs(base.touchpoints.iter().map(|t| t.name.as_str()), |n| {
                variant.touchpoint(n)
            }),
            stages: pairs(base.stages.iter().map(|s| s.name.as_str()), |n| {
                variant.stages.iter().position(|s| s.name == n)
            }),
        }
    }
}

/// Cross sums of a paired run (see the module documentation), in [`Matching`] order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PairTally {
    /// Customers.
    pub customers: u64,
    /// Customers achieving the goal in both runs, per matched goal.
    pub goals: Vec<u64>,
    /// Customers ending the same way in both runs, per ending.
    pub outcomes: [u64; ending::COUNT],
    /// Σ touches_base · touches_variant.
    pub touches: u64,
    /// Σ pains · pains.
    pub pains: u64,
    /// Σ sentiment · sentiment (128 bits).
    pub sentiment: i128,
    /// Σ score · score, the NPS score being +1 promoter, −1 detractor, 0 otherwise.
    pub nps: i64,
    /// Σ cost · cost, money units².
    pub cost: Cross,
    /// Σ revenue · revenue.
    pub revenue: Cross,
    /// Σ revenue_base · cost_variant and Σ cost_base · revenue_variant: the mixed terms of the
    /// paired profit (Σ p·p′ = Σ r·r′ − Σ r·c′ − Σ c·r′ + Σ c·c′).
    pub revenue_cost: Cross,
    /// Σ cost_base · revenue_variant.
    pub cost_revenue: Cross,
    /// With a lifecycle in both runs (LANGUAGE-2.md §3): Σ cycles · cycles, Σ purchases ·
    /// purchases and Σ clv · clv (money units²).
    pub cycles: Cross,
    pub purchases: Cross,
    pub clv: Cross,
    /// Customers reaching the touchpoint in both runs, per matched touchpoint.
    pub reach: Vec<u64>,
    /// Customers reaching the stage in both runs, per matched stage.
    pub stages: Vec<u64>,
}

impl PairTally {
    fn new(m: &Matching) -> Self {
        PairTally {
            goals: vec![0; m.goals.len()],
            reach: vec![0; m.touchpoints.len()],
            stages: vec![0; m.stages.len()],
            ..PairTally::default()
        }
    }

    fn merge(&mut self, o: &PairTally) {
        self.customers += o.customers;
        let add = |a: &mut [u64], b: &[u64]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.goals, &o.goals);
        add(&mut self.outcomes, &o.outcomes);
        add(&mut self.reach, &o.reach);
        add(&mut self.stages, &o.stages);
        self.touches = self.touches.saturating_add(o.touches);
        self.pains = self.pains.saturating_add(o.pains);
        self.sentiment = self.sentiment.saturating_add(o.sentiment);
        self.nps += o.nps;
        self.cost.merge(o.cost);
        self.revenue.merge(o.revenue);
        self.revenue_cost.merge(o.revenue_cost);
        self.cost_revenue.merge(o.cost_revenue);
        self.cycles.merge(o.cycles);
        self.purchases.merge(o.purchases);
        self.clv.merge(o.clv);
    }

    /// Adds one customer's two journeys.
    fn add(&mut self, m: &Matching, b: (&Trace, &Scratch), v: (&Trace, &Scratch)) {
        let ((tb, sb), (tv, sv)) = (b, v);
        self.customers += 1;
        for (i, &(gb, gv)) in m.goals.iter().enumerate() {
            if sb.achieved(gb) && sv.achieved(gv) {
                self.goals[i] += 1;
            }
        }
        if tb.outcome == tv.outcome {
            self.outcomes[tb.outcome] += 1;
        }
        self.touches = self.touches.saturating_add(tb.touches * tv.touches);
        self.pains = self.pains.saturating_add(tb.pains * tv.pains);
        self.sentiment = self
            .sentiment
            .saturating_add(tb.sentiment as i128 * tv.sentiment as i128);
        self.nps += score(tb.sentiment) * score(tv.sentiment);
        self.cost.add(tb.cost, tv.cost);
        self.revenue.add(tb.revenue, tv.revenue);
        self.revenue_cost.add(tb.revenue, tv.cost);
        self.cost_revenue.add(tb.cost, tv.revenue);
        self.cycles.add(tb.life[0], tv.life[0]);
        self.purchases.add(tb.life[1], tv.life[1]);
        self.clv.add(tb.life[2], tv.life[2]);
        for (i, &(kb, kv)) in m.touchpoints.iter().enumerate() {
            if sb.visited(kb) && sv.visited(kv) {
                self.reach[i] += 1;
            }
        }
        for (i, &(xb, xv)) in m.stages.iter().enumerate() {
            if sb.reached_stage(xb) && sv.reached_stage(xv) {
                self.stages[i] += 1;
            }
        }
    }
}

/// The NPS score of a final sentiment: +1 promoter (≥ +2), −1 detractor (≤ −1), else 0.
pub fn score(sentiment: i64) -> i64 {
    if sentiment >= 2 {
        1
    } else if sentiment <= -1 {
        -1
    } else {
        0
    }
}

/// A paired run: the baseline's run, the variant's run, and their cross sums.
#[derive(Clone, Debug)]
pub struct Paired {
    /// The baseline.
    pub base: Run,
    /// The variant (a scenario, or another version of the journey).
    pub variant: Run,
    /// Which items correspond.
    pub matching: Matching,
    /// The cross sums.
    pub cross: PairTally,
}

/// Simulates `base` and `variant` on the same customers (`settings.shard` is ignored: a
/// paired run is one process).
pub fn simulate_pair(
    base: &Journey,
    variant: &Journey,
    settings: &Settings,
) -> Result<Paired, SimulateError> {
    if settings.customers == 0 {
        return Err(SimulateError::NoCustomers);
    }
    // Each journey keeps its own tables, exactly as `simulate` compiles it: a customer's
    // draws depend only on the seed and their index, so each side of a paired run is the
    // very run `simulate` makes of that journey (same figures, to the last digit), and the
    // pairing is the common random numbers alone.
    let (tb, tv) = (
        Tables::new(base, settings.ignore_horizon),
        Tables::new(variant, settings.ignore_horizon),
    );
    if tb.entry.len == 0 || tv.entry.len == 0 {
        return Err(SimulateError::NoEntry);
    }
    let matching = Matching::new(base, variant);
    let n = settings.customers;
    let blocks = n.div_ceil(BLOCK);
    let threads = super::worker_threads(settings.threads, blocks);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|_| SimulateError::Threads(threads))?;
    let groups = (pool.current_num_threads() as u64 * 4).min(blocks).max(1);
    let seed = settings.seed;
    let workers = super::pooled(
        &pool,
        groups,
        || {
            let counts = (
                Counts::new(&tb),
                Counts::new(&tv),
                PairTally::new(&matching),
            );
            (Scratch::new(&tb), Scratch::new(&tv), counts)
        },
        |(sb, sv, (a, b, c)), g| {
            for i in n * g / groups..n * (g + 1) / groups {
                let trace_b = engine::customer(&tb, Start::new(&tb, seed, i), sb, a);
                let trace_v = engine::customer(&tv, Start::new(&tv, seed, i), sv, b);
                c.add(&matching, (&trace_b, sb), (&trace_v, sv));
            }
        },
    );
    // Integer totals: the order of the merges does not matter.
    let (mut tally_b, mut tally_v) = (Counts::new(&tb), Counts::new(&tv));
    let mut cross = PairTally::new(&matching);
    for (mut sb, mut sv, (mut a, mut b, c)) in workers {
        sb.flush(&tb, &mut a);
        sv.flush(&tv, &mut b);
        tally_b.merge(a);
        tally_v.merge(b);
        cross.merge(&c);
    }
    let (tally_b, tally_v) = (tally_b.into_tally(), tally_v.into_tally());
    let run = |j: &Journey, tally| Run {
        frame: Frame::new(j, settings.ignore_horizon),
        seed,
        customers: n,
        shard: None,
        tally,
        exact: None,
    };
    Ok(Paired {
        base: run(base, tally_b),
        variant: run(variant, tally_v),
        matching,
        cross,
    })
}
