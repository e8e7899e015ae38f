//! The figures of a simulation, with their 95% intervals, computed from a [`Frame`] and a
//! tally alone (so merged shards need no journey file), and the KPI verdicts.

use super::stats::{self, CHANCE_UNIT, Cross, EFFORT_UNIT, Estimate, MONEY_UNIT, Sum, TIME_UNIT};
use super::tally::{SegmentTally, ending};
use crate::model::{Comparison, Journey, Metric, TimeStat, TriggerEvent, metric_name};
use serde::{Deserialize, Serialize};

/// What reports need to know of the simulated journey: names, labels, structure, KPIs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// The journey's name.
    pub journey: String,
    /// Its label.
    pub label: String,
    /// The scenario applied, if any.
    pub scenario: Option<String>,
    /// The horizon, seconds.
    pub horizon: Option<f64>,
    /// True when the run ignored the horizon (`--ignore-horizon`).
    pub horizon_ignored: bool,
    /// `max_steps`.
    pub max_steps: u32,
    /// The goal `conversion` means, by index in `goals`.
    pub primary_goal: Option<usize>,
    /// Goal names.
    pub goals: Vec<String>,
    /// Segments.
    pub segments: Vec<FrameSegment>,
    /// Stages in lifecycle order.
    pub stages: Vec<FrameStage>,
    /// Touchpoints, by id.
    pub touchpoints: Vec<FrameTouchpoint>,
    /// Triggers, by id.
    pub triggers: Vec<FrameTrigger>,
    /// KPIs in written order.
    pub kpis: Vec<FrameKpi>,
    /// The journey rates some visit with `csat` / with `effort` (LANGUAGE-2.md §2): the
    /// score figures are shown only then.
    #[serde(default, skip_serializing_if = "no_rating")]
    pub rates: (bool, bool),
    /// The journey has a `lifecycle` block: the lifetime figures are counted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lifecycle: bool,
}

fn no_rating(rates: &(bool, bool)) -> bool {
    !rates.0 && !rates.1
}

/// A segment, for reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameSegment {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Share of the population.
    pub share: f64,
}

/// A stage, for reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameStage {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Its touchpoints, in written order.
    pub touchpoints: Vec<usize>,
}

/// A touchpoint, for reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameTouchpoint {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Its stage (index in `stages`).
    pub stage: usize,
    /// Its channel's name.
    pub channel: String,
    /// `moment_of_truth`.
    pub moment_of_truth: bool,
    /// Rated with `csat` for some segment.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub csat: bool,
}

/// A trigger, for reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameTrigger {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// `abandon` or `exit`.
    pub event: TriggerEvent,
}

/// A KPI, for judging and reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameKpi {
    /// As written.
    pub text: String,
    /// The metric.
    pub metric: Metric,
    /// The metric's name (`drop_off(checkout)`).
    pub metric_name: String,
    /// `for SEGMENT`, by index.
    pub segment: Option<usize>,
    /// The comparison.
    pub comparison: Comparison,
    /// The target, in normalised units.
    pub target: f64,
}

impl Frame {
    /// The frame of a journey.
    pub fn new(j: &Journey, horizon_ignored: bool) -> Self {
        Frame {
            journey: j.name.clone(),
            label: j.label.clone(),
            scenario: j.scenario.clone(),
            horizon: j.horizon,
            horizon_ignored,
            max_steps: j.max_steps,
            primary_goal: j.primary_goal,
            goals: j.goals.iter().map(|g| g.name.clone()).collect(),
            segments: j
                .segments
                .iter()
                .map(|s| FrameSegment {
                    name: s.name.clone(),
                    label: s.label.clone(),
                    share: s.share,
                })
                .collect(),
            stages: j
                .stages
                .iter()
                .map(|s| FrameStage {
                    name: s.name.clone(),
                    label: s.label.clone(),
                    touchpoints: s.touchpoints.clone(),
                })
                .collect(),
            touchpoints: j
                .touchpoints
                .iter()
                .map(|t| FrameTouchpoint {
                    name: t.name.clone(),
                    label: t.label.clone(),
                    stage: t.stage,
                    channel: j.channels[t.channel].name.clone(),
                    moment_of_truth: t.moment_of_truth,
                    csat: t.csat.is_some() || t.by_segment.iter().any(|v| v.csat.is_some()),
                })
                .collect(),
            triggers: j
                .triggers
                .iter()
                .map(|t| FrameTrigger {
                    name: t.name.clone(),
                    label: t.label.clone(),
                    event: t.event,
                })
                .collect(),
            kpis: j
                .kpis
                .iter()
                .map(|k| FrameKpi {
                    text: k.text.clone(),
                    metric: k.metric,
                    metric_name: metric_name(j, k.metric),
                    segment: k.segment,
                    comparison: k.comparison,
                    target: k.target,
                })
                .collect(),
            rates: (j.rates_csat(), j.rates_effort()),
            lifecycle: j.lifecycle.is_some(),
        }
    }

    /// Touchpoint ids in stage (lifecycle) order.
    pub fn touchpoints_in_order(&self) -> impl Iterator<Item = usize> + '_ {
        self.stages
            .iter()
            .flat_map(|s| s.touchpoints.iter().copied())
    }
}

/// The figures of one population (all customers, or one segment's).
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    /// Customers simulated.
    pub customers: u64,
    /// Share achieving the primary goal; `None` without goals.
    pub conversion: Option<Estimate>,
    /// Share achieving each goal, by goal id.
    pub goals: Vec<Estimate>,
    /// Share per ending (`ending::NAMES` order).
    pub outcomes: [Estimate; ending::COUNT],
    /// Share who left (an `exit` transition) after achieving the primary goal; `None` without
    /// a primary goal. The rest of `left` left without it.
    pub left_after_goal: Option<Estimate>,
    /// Share who left without having achieved the primary goal; `None` without one.
    pub left_without_goal: Option<Estimate>,
    /// Mean visits per customer.
    pub touches: Estimate,
    /// Mean pain points per customer.
    pub pains: Estimate,
    /// Mean final sentiment.
    pub sentiment: Estimate,
    /// NPS (−100..=100).
    pub nps: Estimate,
    /// Cost per customer; `None` when some customer's total was clipped (see
    /// [`Figures::clipped`]).
    pub cost_per_customer: Option<Estimate>,
    /// All cost / converted customers; `None` without conversion, or when clipped.
    pub cost_per_conversion: Option<Estimate>,
    /// Revenue per customer; `None` when clipped.
    pub revenue_per_customer: Option<Estimate>,
    /// Profit (revenue − cost) per customer; `None` when clipped.
    pub profit: Option<Estimate>,
    /// CSAT: satisfied rated visits ÷ rated visits; `None` when the journey rates nothing
    /// with `csat`, or nobody had a rated visit.
    pub csat: Option<Estimate>,
    /// Mean total effort per customer; `None` when the journey rates nothing with `effort`.
    pub effort: Option<Estimate>,
    /// Effort ÷ visits to touchpoints with `effort`; `None` without such visits.
    pub ces: Option<Estimate>,
    /// Lifetime figures (LANGUAGE-2.md §3): `None` without a lifecycle (then every customer
    /// has one cycle and [`Figures::get`] derives them from the first cycle's).
    pub lifetime: Option<LifeFigures>,
    /// Time to convert (seconds), converted customers only: mean, p50, p90, p99. The mean
    /// is `None` when clipped; a percentile, when it falls past the histogram's range.
    pub time_to_convert: [Option<Estimate>; 4],
    /// Customers whose time, cost or revenue total reached the walk's 64-bit limit (a
    /// journey of amounts near their limits and many visits): the means made of those
    /// totals are then not available rather than clamped.
    pub clipped: u64,
    /// Share reaching each stage, by stage id.
    pub funnel: Vec<Estimate>,
    /// Per touchpoint, by id.
    pub touchpoints: Vec<TouchpointFigures>,
    /// Per trigger, by id.
    pub triggers: Vec<TriggerFigures>,
}

/// Lifetime figures of one population.
#[derive(Clone, Debug, PartialEq)]
pub struct LifeFigures {
    /// Mean cycles per customer.
    pub cycles: Estimate,
    /// Mean cycles with the primary goal per customer.
    pub purchases: Estimate,
    /// Mean cost over all cycles; `None` when some customer's total was clipped.
    pub lifetime_cost: Option<Estimate>,
    /// Mean revenue over all cycles; `None` when clipped.
    pub lifetime_revenue: Option<Estimate>,
    /// Mean discounted net value; `None` when clipped.
    pub clv: Option<Estimate>,
    /// Customers by number of purchases (for `retention(K)`).
    pub purchases_hist: Vec<u64>,
    /// Per month since the first cycle (30 days): the share of customers starting a cycle.
    pub months: Vec<Estimate>,
}

impl LifeFigures {
    /// Share of customers with at least `k` purchases.
    pub fn retention(&self, k: u32, n: u64) -> Option<Estimate> {
        let at_least: u64 = self.purchases_hist.iter().skip(k as usize).sum();
        stats::proportion(at_least, n)
    }
}

/// Figures of one touchpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct TouchpointFigures {
    /// Share of customers visiting it at least once.
    pub reach: Estimate,
    /// Mean visits per customer.
    pub visits: Estimate,
    /// Among customers reaching it, the share whose journey ended here without the primary
    /// goal; `None` when nobody reached it.
    pub drop_off: Option<Estimate>,
    /// Mean pain points here per customer.
    pub pains: Estimate,
    /// Share of customers whose journey ended here, per ending.
    pub ended: [Estimate; ending::COUNT],
    /// CSAT of the visits here (`csat(TP)`); `None` when not rated or not visited.
    pub csat: Option<Estimate>,
}

/// Figures of one trigger.
#[derive(Clone, Debug, PartialEq)]
pub struct TriggerFigures {
    /// Mean firings per customer.
    pub firings: Estimate,
    /// Mean returns per customer.
    pub returns: f64,
    /// Share of customers it brought back at least once.
    pub brought_back: Estimate,
    /// Customers who achieved the primary goal after it brought them back.
    pub converted_after: u64,
    /// Among customers it brought back, the share who then converted; `None` when it
    /// brought nobody back.
    pub conversion_after: Option<Estimate>,
}

fn prop(k: u64, n: u64) -> Estimate {
    stats::proportion(k, n).unwrap_or(Estimate::exact(0.0))
}

fn mean_of(sum: f64, sum_sq: f64, n: u64) -> Estimate {
    stats::mean(sum, sum_sq, n).unwrap_or(Estimate::exact(0.0))
}

/// A ratio of two per-customer sums, `Σ num · unit / Σ den`, with its delta-method interval
/// (`cross` is Σ num · den); `None` when nothing was counted in `den`.
fn scores_ratio(num: &Sum, den: &Sum, cross: Cross, unit: f64, n: u64) -> Option<Estimate> {
    stats::ratio(
        num.sum as f64 * unit,
        num.sum_sq_f64() * unit * unit,
        den.sum as f64,
        den.sum_sq_f64(),
        cross.f64() * unit,
        n,
    )
}

/// Profit per customer: from its own sums when some customer earned revenue, else −cost
/// (every revenue 0: the walk does not count profit for journeys without goal values).
fn profit(t: &SegmentTally) -> Option<Estimate> {
    let no_revenue = t.revenue.sum == 0 && t.revenue.sum_sq == 0 && t.revenue.sum_sq_hi == 0;
    let n = t.customers;
    match no_revenue {
        true => t.cost.mean(n, MONEY_UNIT).map(|e| Estimate {
            value: -e.value,
            low: -e.high,
            high: -e.low,
        }),
        false => t.profit.mean(n, MONEY_UNIT),
    }
    .or(Some(Estimate::exact(0.0)))
}

impl Figures {
    /// The figures of a tally.
    pub fn new(frame: &Frame, t: &SegmentTally) -> Self {
        let n = t.customers;
        let converted = frame.primary_goal.map_or(0, |g| t.goals[g]);
        // A mean of totals some of which stopped at the limit is not available.
        let unclipped = |e: Option<Estimate>| e.filter(|_| t.clipped == 0);
        let time = &t.time_hist;
        Figures {
            customers: n,
            conversion: frame.primary_goal.map(|g| prop(t.goals[g], n)),
            goals: t.goals.iter().map(|&k| prop(k, n)).collect(),
            outcomes: t.outcomes.map(|k| prop(k, n)),
            left_after_goal: frame
                .primary_goal
                .map(|_| prop(t.outcomes_converted[ending::LEFT], n)),
            left_without_goal: frame.primary_goal.map(|_| {
                let left = t.outcomes[ending::LEFT];
                prop(left.saturating_sub(t.outcomes_converted[ending::LEFT]), n)
            }),
            touches: mean_of(t.touches as f64, t.touches_sq as f64, n),
            pains: mean_of(t.pains as f64, t.pains_sq as f64, n),
            sentiment: mean_of(t.sentiment as f64, t.sentiment_sq as f64, n),
            nps: stats::nps(t.promoters, t.detractors, n).unwrap_or(Estimate::exact(0.0)),
            cost_per_customer: unclipped(t.cost.mean(n, MONEY_UNIT).or(Some(Estimate::exact(0.0)))),
            cost_per_conversion: unclipped(stats::ratio(
                t.cost.sum as f64 * MONEY_UNIT,
                t.cost.sum_sq_f64() * MONEY_UNIT * MONEY_UNIT,
                converted as f64,
                converted as f64,
                t.cost_converted as f64 * MONEY_UNIT,
                n,
            )),
            revenue_per_customer: unclipped(
                t.revenue.mean(n, MONEY_UNIT).or(Some(Estimate::exact(0.0))),
            ),
            profit: unclipped(profit(t)),
            csat: frame
                .rates
                .0
                .then(|| {
                    scores_ratio(
                        &t.scores.satisfied,
                        &t.scores.rated,
                        t.scores.satisfied_rated,
                        CHANCE_UNIT,
                        n,
                    )
                })
                .flatten(),
            effort: frame.rates.1.then(|| {
                mean_of(
                    t.scores.effort.sum as f64 * EFFORT_UNIT,
                    t.scores.effort.sum_sq_f64() * EFFORT_UNIT * EFFORT_UNIT,
                    n,
                )
            }),
            lifetime: frame.lifecycle.then(|| {
                let life = &t.life;
                let clipped = |e: Option<Estimate>| e.filter(|_| life.clipped == 0);
                LifeFigures {
                    cycles: mean_of(life.cycles.sum as f64, life.cycles.sum_sq_f64(), n),
                    purchases: mean_of(life.purchases.sum as f64, life.purchases.sum_sq_f64(), n),
                    lifetime_cost: clipped(life.cost.mean(n, MONEY_UNIT)),
                    lifetime_revenue: clipped(life.revenue.mean(n, MONEY_UNIT)),
                    clv: clipped(life.clv.mean(n, MONEY_UNIT)),
                    purchases_hist: life.purchases_hist.clone(),
                    months: life.months.iter().map(|&k| prop(k, n)).collect(),
                }
            }),
            ces: scores_ratio(
                &t.scores.effort,
                &t.scores.effort_visits,
                t.scores.effort_cross,
                EFFORT_UNIT,
                n,
            ),
            time_to_convert: [
                unclipped(t.time.mean(converted, TIME_UNIT)),
                time.quantile(0.5),
                time.quantile(0.9),
                time.quantile(0.99),
            ],
            funnel: t.stages.iter().map(|&k| prop(k, n)).collect(),
            touchpoints: t
                .touchpoints
                .iter()
                .zip(&frame.touchpoints)
                .map(|(x, f)| TouchpointFigures {
                    csat: f
                        .csat
                        .then(|| {
                            let visits = Sum {
                                sum: x.visits as i128,
                                sum_sq: x.visits_sq as i128,
                                sum_sq_hi: 0,
                            };
                            scores_ratio(&x.satisfied, &visits, x.satisfied_visits, CHANCE_UNIT, n)
                        })
                        .flatten(),
                    reach: prop(x.reach, n),
                    visits: mean_of(x.visits as f64, x.visits_sq as f64, n),
                    drop_off: stats::proportion(x.ended_no_goal, x.reach),
                    pains: mean_of(x.pains as f64, x.pains_sq as f64, n),
                    ended: x.ended.map(|k| prop(k, n)),
                })
                .collect(),
            triggers: t
                .triggers
                .iter()
                .map(|x| TriggerFigures {
                    firings: mean_of(x.firings as f64, x.firings_sq as f64, n),
                    returns: if n == 0 {
                        0.0
                    } else {
                        x.returns as f64 / n as f64
                    },
                    brought_back: prop(x.brought_back, n),
                    converted_after: x.converted_after,
                    conversion_after: stats::proportion(x.converted_after, x.brought_back),
                })
                .collect(),
            clipped: t.clipped,
        }
    }

    /// The estimate of a metric; `None` when it is not available: an empty denominator, or
    /// no customer at all (a segment whose share is 0, or too small for the population).
    pub fn metric(&self, metric: Metric) -> Option<Estimate> {
        if self.customers == 0 {
            return None;
        }
        self.get(metric)
    }

    /// The estimate of a metric as counted, for a population with or without customers
    /// (see [`Figures::metric`]): the one accessor every output reads figures through.
    pub fn get(&self, metric: Metric) -> Option<Estimate> {
        match metric {
            Metric::Conversion(g) => self.goals.get(g).copied(),
            Metric::Reach(t) => self.touchpoints.get(t).map(|f| f.reach),
            Metric::DropOff(t) => self.touchpoints.get(t).and_then(|f| f.drop_off),
            Metric::TimeToConvert(s) => {
                let i = match s {
                    TimeStat::Mean => 0,
                    TimeStat::P50 => 1,
                    TimeStat::P90 => 2,
                    TimeStat::P99 => 3,
                };
                self.time_to_convert[i]
            }
            Metric::Touches => Some(self.touches),
            Metric::Pains => Some(self.pains),
            Metric::Sentiment => Some(self.sentiment),
            Metric::Nps => Some(self.nps),
            Metric::CostPerCustomer => self.cost_per_customer,
            Metric::CostPerConversion => self.cost_per_conversion,
            Metric::RevenuePerCustomer => self.revenue_per_customer,
            Metric::Profit => self.profit,
            Metric::Csat => self.csat,
            Metric::CsatAt(t) => self.touchpoints.get(t).and_then(|f| f.csat),
            Metric::Effort => self.effort,
            Metric::Ces => self.ces,
            Metric::Cycles
            | Metric::Purchases
            | Metric::Retention(_)
            | Metric::LifetimeCost
            | Metric::LifetimeRevenue
            | Metric::Clv => self.lifetime_metric(metric),
        }
    }
}

impl Figures {
    /// A lifetime metric: from the lifetime's own counts with a lifecycle, else from the
    /// first (and only) cycle's figures.
    fn lifetime_metric(&self, metric: Metric) -> Option<Estimate> {
        let n = self.customers;
        match (&self.lifetime, metric) {
            (Some(l), Metric::Cycles) => Some(l.cycles),
            (Some(l), Metric::Purchases) => Some(l.purchases),
            (Some(l), Metric::Retention(k)) => l.retention(k, n),
            (Some(l), Metric::LifetimeCost) => l.lifetime_cost,
            (Some(l), Metric::LifetimeRevenue) => l.lifetime_revenue,
            (Some(l), Metric::Clv) => l.clv,
            (None, Metric::Cycles) => Some(Estimate::exact(1.0)),
            (None, Metric::Purchases) => Some(self.conversion.unwrap_or(Estimate::exact(0.0))),
            (None, Metric::Retention(1)) => Some(self.conversion.unwrap_or(Estimate::exact(0.0))),
            (None, Metric::Retention(_)) => Some(Estimate::exact(0.0)),
            (None, Metric::LifetimeCost) => self.cost_per_customer,
            (None, Metric::LifetimeRevenue) => self.revenue_per_customer,
            (None, Metric::Clv) => self.profit,
            _ => None,
        }
    }
}

/// A KPI's verdict on a simulated value: the registry's one verdict type.
pub use crate::model::figure::Verdict as KpiVerdict;

/// A KPI judged on a simulation.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct KpiResult {
    /// The estimate (`None`: not available, e.g. nobody converted).
    pub estimate: Option<Estimate>,
    /// The verdict.
    pub verdict: KpiVerdict,
}

/// Judges a KPI: pass when its whole 95% interval meets the target, fail when the whole
/// interval misses it, inconclusive otherwise (or when the value is not available).
pub fn judge(kpi: &FrameKpi, all: &Figures, segments: &[Figures]) -> KpiResult {
    let figures = match kpi.segment {
        Some(s) => segments.get(s),
        None => Some(all),
    };
    let estimate = figures.and_then(|f| f.metric(kpi.metric));
    let verdict = crate::model::figure::judge(kpi.comparison, kpi.target, estimate.as_ref());
    KpiResult { estimate, verdict }
}

/// A run's figures: all customers, per segment, and the KPI verdicts.
pub struct Computed<'a> {
    /// The run.
    pub run: &'a super::Run,
    /// All customers.
    pub all: Figures,
    /// Per segment.
    pub segments: Vec<Figures>,
    /// Per KPI, in written order.
    pub kpis: Vec<KpiResult>,
}

impl<'a> Computed<'a> {
    /// Computes the figures of a run.
    pub fn new(run: &'a super::Run) -> Self {
        let all = Figures::new(&run.frame, &run.tally.total());
        let segments: Vec<Figures> = run
            .tally
            .segments
            .iter()
            .map(|t| Figures::new(&run.frame, t))
            .collect();
        let kpis = run
            .frame
            .kpis
            .iter()
            .map(|k| judge(k, &all, &segments))
            .collect();
        Computed {
            run,
            all,
            segments,
            kpis,
        }
    }
}
