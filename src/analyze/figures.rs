//! The figures the exact analysis reports, for the whole population and per segment.
//!
//! Every rate is exact (no sampling error). Figures that need the distribution of a
//! customer's total rather than its mean — NPS (share of final sentiments ≥ +2 and ≤ −1) and
//! the percentiles of time to convert — are not computed by the chain and are `None`: run
//! `journeyc simulate` for them.

use super::totals::Totals;
use crate::model::{Journey, Kpi, Metric, TimeStat};
use serde::{Deserialize, Serialize};

/// The exact analysis of a journey.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Figures over all customers (segments mixed by share).
    pub all: Figures,
    /// Figures per segment, indexed by [`crate::model::SegmentId`].
    pub segments: Vec<Figures>,
    /// Transient states of all segments' chains together.
    pub states: usize,
    /// Worst relative residual `‖(I − Q)x − b‖∞ / (2‖x‖∞ + ‖b‖∞)` over the solves.
    pub residual: f64,
}

/// Figures of one population (all customers, or one segment's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Probability of achieving the primary goal; `None` when the journey has no goal.
    pub conversion: Option<f64>,
    /// Probability of achieving each goal at least once, by [`crate::model::GoalId`].
    pub goals: Vec<f64>,
    /// Expected visits per customer.
    pub touches: f64,
    /// Expected pain points per customer.
    pub pains: f64,
    /// Mean final sentiment (emotions minus pains).
    pub sentiment: f64,
    /// NPS needs the distribution of final sentiment: always `None` here (simulate).
    pub nps: Option<f64>,
    /// Expected cost per customer (visit costs and trigger messages).
    pub cost_per_customer: f64,
    /// All cost over converted customers; `None` without conversion.
    pub cost_per_conversion: Option<f64>,
    /// Expected goal value earned per customer (on every visit of a goal).
    pub revenue_per_customer: f64,
    /// Expected revenue − cost per customer.
    pub profit: f64,
    /// Expected satisfied rated visits ÷ expected rated visits; `None` when the journey
    /// rates no touchpoint with `csat`, or nobody visits one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat: Option<f64>,
    /// Expected total effort per customer; `None` when the journey rates no touchpoint
    /// with `effort`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<f64>,
    /// Expected total effort ÷ expected visits to touchpoints with `effort`; `None` without
    /// such visits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ces: Option<f64>,
    /// Lifetime figures (LANGUAGE-2.md §3; one cycle without a `lifecycle` block).
    #[serde(default)]
    pub lifetime: Lifetime,
    /// Time to convert, converted customers only.
    pub time_to_convert: TimeToConvert,
    /// How journeys end, in total.
    pub outcomes: Outcomes,
    /// Per touchpoint, by [`crate::model::TouchpointId`].
    pub touchpoints: Vec<TouchpointFigures>,
    /// Per trigger, by [`crate::model::TriggerId`].
    pub triggers: Vec<TriggerFigures>,
}

/// Lifetime figures of a population, exact (horizon ignored, `max_cycles` honoured).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Lifetime {
    /// Mean cycles per customer.
    pub cycles: f64,
    /// Mean cycles that achieved the primary goal.
    pub purchases: f64,
    /// Mean cost over all cycles, undiscounted.
    pub lifetime_cost: f64,
    /// Mean revenue over all cycles, undiscounted.
    pub lifetime_revenue: f64,
    /// Discounted lifetime net value.
    pub clv: f64,
    /// `retention[K − 1]`: P(at least K converting cycles), K = 1, 2, 3 and every K a KPI
    /// names.
    pub retention: Vec<f64>,
}

/// Time to convert (seconds), over converted customers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeToConvert {
    /// Mean, with mean durations and trigger delays; `None` without conversion.
    pub mean: Option<f64>,
    /// Median: needs the time distribution, always `None` here (simulate).
    pub p50: Option<f64>,
    /// 90th percentile: always `None` here (simulate).
    pub p90: Option<f64>,
    /// 99th percentile: always `None` here (simulate).
    pub p99: Option<f64>,
}

/// Probabilities of how a journey finally ends (no trigger brought the customer back).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcomes {
    /// Abandoned after a pain point.
    pub abandoned: f64,
    /// Left by an `exit` transition.
    pub left: f64,
    /// Completed at a touchpoint without transitions.
    pub completed: f64,
    /// Of `left`, those who had achieved the primary goal (for all customers or a segment
    /// of a journey with a primary goal; not given per touchpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_after_goal: Option<f64>,
}

/// Figures of one touchpoint.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TouchpointFigures {
    /// Probability of at least one visit.
    pub reach: f64,
    /// Expected visits per customer.
    pub visits: f64,
    /// Among customers reaching it, the share whose journey ended here without the
    /// primary goal; `None` when nobody reaches it.
    pub drop_off: Option<f64>,
    /// How journeys end here (probabilities per customer).
    pub ended: Outcomes,
    /// CSAT of the visits here (`csat(TP)`); `None` when not rated or not visited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat: Option<f64>,
}

/// Figures of one trigger.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TriggerFigures {
    /// Expected firings per customer.
    pub firings: f64,
    /// Expected returns (firings that brought the customer back) per customer.
    pub returns: f64,
    /// Probability that it brings a customer back at least once.
    pub brought_back: f64,
}

impl Figures {
    /// Derives the figures from totals; ratios come last, over the totals.
    pub(super) fn from_totals(j: &Journey, t: &Totals) -> Self {
        let conversion = j.primary_goal.map(|g| t.goal[g]);
        let converted = conversion.filter(|&c| c > 0.0);
        let outcome = |e: usize| t.ended[e].iter().sum::<f64>();
        Figures {
            conversion,
            goals: t.goal.clone(),
            touches: t.visits.iter().sum(),
            pains: t.pains,
            sentiment: t.emotion - t.pains,
            nps: None,
            cost_per_customer: t.cost,
            cost_per_conversion: converted.map(|c| t.cost / c),
            revenue_per_customer: t.revenue,
            profit: t.revenue - t.cost,
            csat: ratio(t.satisfied.iter().sum(), t.rated.iter().sum()),
            effort: j.rates_effort().then_some(t.effort),
            ces: ratio(t.effort, t.effort_visits),
            lifetime: Lifetime {
                cycles: t.life.cycles,
                purchases: t.life.purchases,
                lifetime_cost: t.life.lifetime_cost,
                lifetime_revenue: t.life.lifetime_revenue,
                clv: t.life.clv,
                retention: t.life.retention.clone(),
            },
            time_to_convert: TimeToConvert {
                mean: converted.map(|c| t.time_converted / c),
                p50: None,
                p90: None,
                p99: None,
            },
            outcomes: Outcomes {
                abandoned: outcome(0),
                left: outcome(1),
                completed: outcome(2),
                left_after_goal: j.primary_goal.map(|_| t.left_converted),
            },
            touchpoints: (0..j.touchpoints.len())
                .map(|k| TouchpointFigures {
                    reach: t.reach[k],
                    visits: t.visits[k],
                    drop_off: (t.reach[k] > 0.0).then(|| t.ended_no_goal[k] / t.reach[k]),
                    ended: Outcomes {
                        abandoned: t.ended[0][k],
                        left: t.ended[1][k],
                        completed: t.ended[2][k],
                        left_after_goal: None,
                    },
                    csat: ratio(t.satisfied[k], t.rated[k]),
                })
                .collect(),
            triggers: (0..j.triggers.len())
                .map(|k| TriggerFigures {
                    firings: t.firings[k],
                    returns: t.returns[k],
                    brought_back: t.brought_back[k],
                })
                .collect(),
        }
    }

    /// The exact value of a metric for this population; `None` when it is not available
    /// (NPS and time percentiles: simulate; an empty denominator).
    pub fn metric(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::Conversion(g) => self.goals.get(g).copied(),
            Metric::Reach(t) => self.touchpoints.get(t).map(|f| f.reach),
            Metric::DropOff(t) => self.touchpoints.get(t).and_then(|f| f.drop_off),
            Metric::TimeToConvert(TimeStat::Mean) => self.time_to_convert.mean,
            Metric::TimeToConvert(_) | Metric::Nps => None,
            Metric::Touches => Some(self.touches),
            Metric::Pains => Some(self.pains),
            Metric::Sentiment => Some(self.sentiment),
            Metric::CostPerCustomer => Some(self.cost_per_customer),
            Metric::CostPerConversion => self.cost_per_conversion,
            Metric::RevenuePerCustomer => Some(self.revenue_per_customer),
            Metric::Profit => Some(self.profit),
            Metric::Csat => self.csat,
            Metric::CsatAt(t) => self.touchpoints.get(t).and_then(|f| f.csat),
            Metric::Effort => self.effort,
            Metric::Ces => self.ces,
            Metric::Cycles => Some(self.lifetime.cycles),
            Metric::Purchases => Some(self.lifetime.purchases),
            Metric::Retention(k) => (k as usize)
                .checked_sub(1)
                .and_then(|i| self.lifetime.retention.get(i))
                .copied(),
            Metric::LifetimeCost => Some(self.lifetime.lifetime_cost),
            Metric::LifetimeRevenue => Some(self.lifetime.lifetime_revenue),
            Metric::Clv => Some(self.lifetime.clv),
        }
    }
}

/// `num / den`, or `None` when nothing was counted (`den` is 0).
fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

/// True for metrics the exact analysis never computes (distributions, not means).
pub fn needs_simulation(metric: Metric) -> bool {
    !metric.info().exact
}

impl Analysis {
    /// The exact value of a KPI's metric, over the KPI's segment when it names one; `None`
    /// when not available (see [`Figures::metric`]). `journey` is the analysed journey
    /// (its KPIs' ids index these figures).
    pub fn kpi_value(&self, _journey: &Journey, kpi: &Kpi) -> Option<f64> {
        let figures = match kpi.segment {
            Some(s) => self.segments.get(s)?,
            None => &self.all,
        };
        figures.metric(kpi.metric)
    }
}
