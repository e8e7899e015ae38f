//! Compare: a baseline and a variant (a scenario, or another version of the journey)
//! simulated on common random numbers ([`crate::sim::pair`]), every figure's difference with
//! its 95% interval, and the exact difference where the analyzer computes it.
//!
//! Differences of per-customer means and proportions (conversion per goal, endings, touches,
//! pains, sentiment, NPS, cost and revenue per customer, funnel, reach) are **paired**: the
//! interval comes from the per-customer differences `x_variant − x_base` of the same
//! customers, mean ± 1.96 s_d/√n — narrow, because the same customers with the same random
//! numbers mostly do the same thing in both journeys. Ratios and distribution figures (cost
//! per conversion, time to convert, drop-off, per-segment figures, visits) use the
//! **unpaired** interval, √(se_base² + se_variant²) — conservative, since common random numbers
//! correlate the two estimates positively — and say so.

use crate::analyze::{Analysis, analyze};
use crate::model::figure::{self, Unit};
use crate::model::{Comparison as Cmp, Journey, Metric};
use crate::sim::figures::Computed;
use crate::sim::pair::{Paired, simulate_pair};
use crate::sim::stats::{MONEY_UNIT, Z95};
use crate::sim::tally::{SegmentTally, ending};
use crate::sim::{Estimate, KpiResult, KpiVerdict, Settings, SimulateError};

/// A figure of the baseline and the variant, and their difference.
#[derive(Clone, Debug, PartialEq)]
pub struct Delta {
    /// What it is (`conversion (purchase)`, `reach(checkout)`…).
    pub name: String,
    /// Section: `summary`, `outcome`, `funnel`, `touchpoint`, `segment`.
    pub section: &'static str,
    /// How values are written.
    pub unit: Unit,
    /// The baseline's estimate.
    pub base: Option<Estimate>,
    /// The variant's estimate.
    pub variant: Option<Estimate>,
    /// variant − base with its 95% interval.
    pub diff: Option<Estimate>,
    /// True when the interval is paired (see the module documentation).
    pub paired: bool,
    /// The exact difference, when both journeys were analysed and the analyzer computes it.
    pub exact: Option<f64>,
}

impl Delta {
    /// True when the difference's 95% interval excludes 0.
    pub fn significant(&self) -> bool {
        self.diff.is_some_and(|d| d.low > 0.0 || d.high < 0.0)
    }
}

/// How a KPI of the variant relates to the baseline's KPIs (matched by metric and segment).
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiStatus {
    /// The same KPI in both.
    Same,
    /// Only the variant has it.
    Added,
    /// Only the baseline has it.
    Removed,
    /// The variant asks more of the same figure (a higher minimum, a lower maximum, or a
    /// strict comparison for a non-strict one).
    Tightened,
    /// The variant asks less of the same figure: easier to pass without any real change.
    Relaxed,
    /// The same figure with the comparison turned around (`>=` to `<=`).
    Changed,
}

impl KpiStatus {
    /// How the status is written in reports (`None` for [`KpiStatus::Same`]).
    pub fn label(self) -> Option<&'static str> {
        Some(match self {
            KpiStatus::Same => return None,
            KpiStatus::Added => "new",
            KpiStatus::Removed => "removed",
            KpiStatus::Tightened => "tightened",
            KpiStatus::Relaxed => "relaxed",
            KpiStatus::Changed => "changed",
        })
    }

    /// The status of a KPI whose comparison or target moved from `old` to `new` (on the same
    /// figure).
    pub fn of(old: (Cmp, f64), new: (Cmp, f64)) -> KpiStatus {
        use Cmp::{Ge, Gt, Lt};
        let at_least = |c| matches!(c, Ge | Gt);
        let ((co, to), (cn, tn)) = (old, new);
        if (co, to) == (cn, tn) {
            return KpiStatus::Same;
        }
        if at_least(co) != at_least(cn) {
            return KpiStatus::Changed;
        }
        // Moving the target towards "harder": up for a minimum, down for a maximum.
        let harder = if at_least(cn) { tn > to } else { tn < to };
        let strict = |c| matches!(c, Gt | Lt);
        if tn == to {
            // Same target: only strictness moved.
            return if strict(cn) {
                KpiStatus::Tightened
            } else {
                KpiStatus::Relaxed
            };
        }
        if harder {
            KpiStatus::Tightened
        } else {
            KpiStatus::Relaxed
        }
    }
}

/// A KPI in the baseline and the variant.
#[derive(Clone, Debug, PartialEq)]
pub struct KpiChange {
    /// The KPI as written (the variant's text when it has the KPI).
    pub text: String,
    /// The baseline's text when it differs (a tightened, relaxed or changed KPI).
    pub old_text: Option<String>,
    /// How the KPI changed.
    pub status: KpiStatus,
    /// Its unit.
    pub unit: Unit,
    /// Verdict on the baseline (`None`: the baseline has no such KPI).
    pub base: Option<KpiResult>,
    /// Verdict on the variant (`None`: the variant has no such KPI).
    pub variant: Option<KpiResult>,
    /// The variant's KPI (its comparison and target), to estimate the customers a decision
    /// needs.
    pub target: Option<(Cmp, f64)>,
    /// The difference of the KPI's metric.
    pub delta: Delta,
}

impl KpiChange {
    /// True when the verdict flips between pass and fail.
    pub fn flips(&self) -> bool {
        matches!(
            (
                self.base.map(|b| b.verdict),
                self.variant.map(|v| v.verdict)
            ),
            (Some(KpiVerdict::Pass), Some(KpiVerdict::Fail))
                | (Some(KpiVerdict::Fail), Some(KpiVerdict::Pass))
        )
    }

    /// True when the variant makes a passing KPI fail.
    pub fn regresses(&self) -> bool {
        self.base.map(|b| b.verdict) == Some(KpiVerdict::Pass)
            && self.variant.map(|v| v.verdict) == Some(KpiVerdict::Fail)
    }

    /// True when the variant has the KPI and it fails there.
    pub fn fails(&self) -> bool {
        self.variant.map(|v| v.verdict) == Some(KpiVerdict::Fail)
    }

    /// True when the variant has the KPI and it stays inconclusive there.
    pub fn inconclusive(&self) -> bool {
        self.variant.map(|v| v.verdict) == Some(KpiVerdict::Inconclusive)
    }
}

/// The comparison of a baseline and a variant.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The paired run.
    pub paired: Paired,
    /// The KPIs of the baseline, in written order.
    pub kpis: Vec<KpiChange>,
    /// Every figure.
    pub deltas: Vec<Delta>,
    /// Why exact differences are missing, when they are.
    pub exact_note: Option<String>,
    /// How reports name the two sides (`None`: by journey and scenario).
    pub names: Option<(String, String)>,
    /// Short names of the two sides for column headers (`diff`: the revisions, or the files);
    /// `None`: "Baseline" and the scenario's name.
    pub columns: Option<(String, String)>,
}

impl Comparison {
    /// KPIs whose verdict flips, first those the variant breaks.
    pub fn flipped(&self) -> impl Iterator<Item = &KpiChange> {
        let regress = self.kpis.iter().filter(|k| k.regresses());
        let improve = self.kpis.iter().filter(|k| k.flips() && !k.regresses());
        regress.chain(improve)
    }

    /// KPIs added, removed, tightened, relaxed or changed, in the table's order.
    pub fn kpi_changes(&self) -> impl Iterator<Item = &KpiChange> {
        self.kpis.iter().filter(|k| k.status != KpiStatus::Same)
    }

    /// The difference of a figure over all customers as this comparison computes it — the
    /// paired interval where there is one, else the unpaired one (see the module
    /// documentation); `None` for a figure it does not compare (the scores, retention,
    /// lifetime cost and revenue).
    pub fn delta_of(&self, m: Metric) -> Option<&Delta> {
        let name = match m {
            Metric::CostPerConversion | Metric::TimeToConvert(_) => m.info().label.to_string(),
            _ => paired_name(&self.paired.base.frame, m)?,
        };
        self.deltas
            .iter()
            .find(|d| d.name == name && matches!(d.section, "summary" | "touchpoint"))
    }
}

/// Compares `variant` with `base` on the same customers (see the module documentation).
pub fn compare(
    base: &Journey,
    variant: &Journey,
    settings: &Settings,
) -> Result<Comparison, SimulateError> {
    let paired = simulate_pair(base, variant, settings)?;
    let exact = match (analyze(base), analyze(variant)) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(e), _) | (_, Err(e)) => Err(format!("no exact differences: {e}")),
    };
    Ok(compared(base, variant, paired, exact))
}

/// [`compare`] without the exact analysis of the two journeys (which can take long on a
/// large journey): the simulated differences only, `exact_note` saying so. The HTML report
/// uses it for its scenarios.
pub fn compare_simulated(
    base: &Journey,
    variant: &Journey,
    settings: &Settings,
) -> Result<Comparison, SimulateError> {
    let paired = simulate_pair(base, variant, settings)?;
    let exact = Err("not analysed".to_string());
    Ok(compared(base, variant, paired, exact))
}

/// The comparison of a paired run, with the exact analyses of both journeys when given.
fn compared(
    base: &Journey,
    variant: &Journey,
    paired: Paired,
    exact: Result<(Analysis, Analysis), String>,
) -> Comparison {
    let (deltas, kpis) = {
        let b = Computed::new(&paired.base);
        let v = Computed::new(&paired.variant);
        let ctx = Context {
            p: &paired,
            b: &b,
            v: &v,
            tb: paired.base.tally.total(),
            tv: paired.variant.tally.total(),
            exact: exact.as_ref().ok(),
            base,
            variant,
        };
        let deltas = ctx.deltas();
        let kpis = ctx.kpis(&deltas);
        (deltas, kpis)
    };
    Comparison {
        paired,
        kpis,
        deltas,
        exact_note: exact.err(),
        names: None,
        columns: None,
    }
}

struct Context<'a> {
    p: &'a Paired,
    b: &'a Computed<'a>,
    v: &'a Computed<'a>,
    tb: SegmentTally,
    tv: SegmentTally,
    exact: Option<&'a (Analysis, Analysis)>,
    base: &'a Journey,
    variant: &'a Journey,
}

/// The paired difference of a per-customer value: its sums and sums of squares in both runs
/// and the cross sum `Σ x_b x_v`, over `n` customers.
fn paired(b: (f64, f64), v: (f64, f64), cross: f64, n: u64) -> Option<Estimate> {
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let d = (v.0 - b.0) / nf;
    let sum_sq = v.1 + b.1 - 2.0 * cross;
    let var = if n > 1 {
        ((sum_sq - nf * d * d) / (nf - 1.0)).max(0.0)
    } else {
        0.0
    };
    let half = Z95 * (var / nf).sqrt();
    Some(Estimate {
        value: d,
        low: d - half,
        high: d + half,
    })
}

/// The unpaired difference of two estimates: √(se_b² + se_v²).
pub fn unpaired(b: Option<Estimate>, v: Option<Estimate>) -> Option<Estimate> {
    let (b, v) = (b?, v?);
    let d = v.value - b.value;
    let half = (b.half_width().powi(2) + v.half_width().powi(2)).sqrt();
    Some(Estimate {
        value: d,
        low: d - half,
        high: d + half,
    })
}

/// An indicator's sums: (count, count) — for a 0/1 value, Σx = Σx².
fn ind(k: u64) -> (f64, f64) {
    (k as f64, k as f64)
}

impl Context<'_> {
    fn exact_diff(
        &self,
        mb: Option<Metric>,
        mv: Option<Metric>,
        seg: Option<(usize, usize)>,
    ) -> Option<f64> {
        let (a, b) = self.exact?;
        let (fa, fb) = match seg {
            Some((sa, sb)) => (a.segments.get(sa)?, b.segments.get(sb)?),
            None => (&a.all, &b.all),
        };
        Some(fb.metric(mv?)? - fa.metric(mb?)?)
    }

    fn delta(
        &self,
        section: &'static str,
        name: String,
        unit: Unit,
        (base, variant): (Option<Estimate>, Option<Estimate>),
        diff: Option<Option<Estimate>>,
        exact: Option<f64>,
    ) -> Delta {
        let paired = diff.is_some();
        Delta {
            name,
            section,
            unit,
            base,
            variant,
            diff: diff.unwrap_or_else(|| unpaired(base, variant)),
            paired,
            exact,
        }
    }

    fn deltas(&self) -> Vec<Delta> {
        let mut out = Vec::new();
        self.goal_deltas(&mut out);
        self.summary_deltas(&mut out);
        self.outcome_deltas(&mut out);
        self.funnel_deltas(&mut out);
        self.touchpoint_deltas(&mut out);
        self.segment_deltas(&mut out);
        out
    }

    /// The conversion to each goal both journeys have.
    fn goal_deltas(&self, out: &mut Vec<Delta>) {
        let (b, v, tb, tv, x) = (self.b, self.v, &self.tb, &self.tv, &self.p.cross);
        let m = &self.p.matching;
        let n = x.customers;
        let fb = &self.p.base.frame;
        for (i, &(gb, gv)) in m.goals.iter().enumerate() {
            let primary = if fb.primary_goal == Some(gb) {
                ", primary"
            } else {
                ""
            };
            out.push(self.delta(
                "summary",
                format!("conversion ({}{primary})", fb.goals[gb]),
                Unit::Percent,
                (Some(b.all.goals[gb]), Some(v.all.goals[gv])),
                Some(paired(
                    ind(tb.goals[gb]),
                    ind(tv.goals[gv]),
                    x.goals[i] as f64,
                    n,
                )),
                self.exact_diff(
                    Some(Metric::Conversion(gb)),
                    Some(Metric::Conversion(gv)),
                    None,
                ),
            ));
        }
    }

    /// The per-customer figures: paired means, NPS, then the unpaired ratios and times.
    fn summary_deltas(&self, out: &mut Vec<Delta>) {
        let (b, v, tb, tv, x) = (self.b, self.v, &self.tb, &self.tv, &self.p.cross);
        let n = x.customers;
        let money = |s: &crate::sim::stats::Sum| {
            (
                s.sum as f64 * MONEY_UNIT,
                s.sum_sq_f64() * MONEY_UNIT * MONEY_UNIT,
            )
        };
        let scalar = [
            (
                Metric::Touches,
                (tb.touches as f64, tb.touches_sq as f64),
                (tv.touches as f64, tv.touches_sq as f64),
                x.touches as f64,
            ),
            (
                Metric::Pains,
                (tb.pains as f64, tb.pains_sq as f64),
                (tv.pains as f64, tv.pains_sq as f64),
                x.pains as f64,
            ),
            (
                Metric::Sentiment,
                (tb.sentiment as f64, tb.sentiment_sq as f64),
                (tv.sentiment as f64, tv.sentiment_sq as f64),
                x.sentiment as f64,
            ),
            (
                Metric::CostPerCustomer,
                money(&tb.cost),
                money(&tv.cost),
                x.cost.f64() * MONEY_UNIT * MONEY_UNIT,
            ),
            (
                Metric::RevenuePerCustomer,
                money(&tb.revenue),
                money(&tv.revenue),
                x.revenue.f64() * MONEY_UNIT * MONEY_UNIT,
            ),
            (
                Metric::Profit,
                profit_sums(tb),
                profit_sums(tv),
                profit_cross(x),
            ),
        ];
        // With a lifecycle in both runs: the lifetime means, paired too (LANGUAGE-2.md §3).
        let counts = |s: &crate::sim::stats::Sum| (s.sum as f64, s.sum_sq_f64());
        let lifetime = (b.run.frame.lifecycle && v.run.frame.lifecycle).then(|| {
            [
                (
                    Metric::Cycles,
                    counts(&tb.life.cycles),
                    counts(&tv.life.cycles),
                    x.cycles.f64(),
                ),
                (
                    Metric::Purchases,
                    counts(&tb.life.purchases),
                    counts(&tv.life.purchases),
                    x.purchases.f64(),
                ),
                (
                    Metric::Clv,
                    money(&tb.life.clv),
                    money(&tv.life.clv),
                    x.clv.f64() * MONEY_UNIT * MONEY_UNIT,
                ),
            ]
        });
        for (metric, sb, sv, cross) in scalar.into_iter().chain(lifetime.into_iter().flatten()) {
            let info = metric.info();
            out.push(self.delta(
                "summary",
                info.label.into(),
                info.unit,
                (b.all.metric(metric), v.all.metric(metric)),
                Some(paired(sb, sv, cross, n)),
                self.exact_diff(Some(metric), Some(metric), None),
            ));
        }
        // NPS: 100 × the mean score (+1 promoter, −1 detractor).
        let score = |t: &SegmentTally| {
            (
                (t.promoters as f64 - t.detractors as f64),
                (t.promoters + t.detractors) as f64,
            )
        };
        let nps = paired(score(tb), score(tv), x.nps as f64, n).map(|e| Estimate {
            value: 100.0 * e.value,
            low: 100.0 * e.low,
            high: 100.0 * e.high,
        });
        out.push(self.delta(
            "summary",
            Metric::Nps.info().label.into(),
            Metric::Nps.info().unit,
            (Some(b.all.nps), Some(v.all.nps)),
            Some(nps),
            None,
        ));
        let times = figure::TIMES.map(Metric::TimeToConvert);
        for metric in std::iter::once(Metric::CostPerConversion).chain(times) {
            out.push(self.delta(
                "summary",
                metric.info().label.into(),
                Unit::of(metric),
                (b.all.metric(metric), v.all.metric(metric)),
                None,
                self.exact_diff(Some(metric), Some(metric), None),
            ));
        }
    }

    /// How journeys ended.
    fn outcome_deltas(&self, out: &mut Vec<Delta>) {
        let (b, v, tb, tv, x) = (self.b, self.v, &self.tb, &self.tv, &self.p.cross);
        let n = x.customers;
        for (o, name) in ending::NAMES.iter().enumerate() {
            let exact = self.exact.map(|(a, c)| {
                let pick =
                    |f: &crate::analyze::Outcomes| [f.abandoned, f.left, f.completed, 0.0, 0.0][o];
                pick(&c.all.outcomes) - pick(&a.all.outcomes)
            });
            out.push(self.delta(
                "outcome",
                format!("ended: {}", name.replace('_', " ")),
                Unit::Percent,
                (Some(b.all.outcomes[o]), Some(v.all.outcomes[o])),
                Some(paired(
                    ind(tb.outcomes[o]),
                    ind(tv.outcomes[o]),
                    x.outcomes[o] as f64,
                    n,
                )),
                exact,
            ));
        }
    }

    /// Reach of each stage both journeys have.
    fn funnel_deltas(&self, out: &mut Vec<Delta>) {
        let (b, v, tb, tv, x) = (self.b, self.v, &self.tb, &self.tv, &self.p.cross);
        let m = &self.p.matching;
        let n = x.customers;
        let fb = &self.p.base.frame;
        for (i, &(sb, sv)) in m.stages.iter().enumerate() {
            out.push(self.delta(
                "funnel",
                format!("reached {}", fb.stages[sb].name),
                Unit::Percent,
                (Some(b.all.funnel[sb]), Some(v.all.funnel[sv])),
                Some(paired(
                    ind(tb.stages[sb]),
                    ind(tv.stages[sv]),
                    x.stages[i] as f64,
                    n,
                )),
                None,
            ));
        }
    }

    /// Reach and drop-off of each touchpoint both journeys have.
    fn touchpoint_deltas(&self, out: &mut Vec<Delta>) {
        let (b, v, tb, tv, x) = (self.b, self.v, &self.tb, &self.tv, &self.p.cross);
        let m = &self.p.matching;
        let n = x.customers;
        for (i, &(kb, kv)) in m.touchpoints.iter().enumerate() {
            let name = &self.base.touchpoints[kb].name;
            let (rb, rv) = (&tb.touchpoints[kb], &tv.touchpoints[kv]);
            out.push(self.delta(
                "touchpoint",
                format!("reach({name})"),
                Unit::Percent,
                (
                    Some(b.all.touchpoints[kb].reach),
                    Some(v.all.touchpoints[kv].reach),
                ),
                Some(paired(ind(rb.reach), ind(rv.reach), x.reach[i] as f64, n)),
                self.exact_diff(Some(Metric::Reach(kb)), Some(Metric::Reach(kv)), None),
            ));
            out.push(self.delta(
                "touchpoint",
                format!("drop_off({name})"),
                Unit::Percent,
                (
                    b.all.touchpoints[kb].drop_off,
                    v.all.touchpoints[kv].drop_off,
                ),
                None,
                self.exact_diff(Some(Metric::DropOff(kb)), Some(Metric::DropOff(kv)), None),
            ));
        }
    }

    /// Conversion per segment.
    fn segment_deltas(&self, out: &mut Vec<Delta>) {
        let (b, v) = (self.b, self.v);
        for (sb, seg) in self.base.segments.iter().enumerate() {
            let Some(sv) = self.variant.segment(&seg.name) else {
                continue;
            };
            let metric = self.base.primary_goal.map(Metric::Conversion);
            let metric_v = self
                .base
                .primary_goal
                .and_then(|g| self.variant.goal(&self.base.goals[g].name))
                .map(Metric::Conversion);
            out.push(self.delta(
                "segment",
                format!("conversion for {}", seg.name),
                Unit::Percent,
                (
                    metric.and_then(|mm| b.segments[sb].metric(mm)),
                    metric_v.and_then(|mm| v.segments[sv].metric(mm)),
                ),
                None,
                self.exact_diff(metric, metric_v, Some((sb, sv))),
            ));
        }
    }

    /// The KPIs of both sides: the baseline's in written order (each with the variant's KPI
    /// on the same figure, if any), then those only the variant has.
    fn kpis(&self, deltas: &[Delta]) -> Vec<KpiChange> {
        let fb = &self.p.base.frame;
        let fv = &self.p.variant.frame;
        // A KPI's figure: its metric's name and its segment's name (indices differ between
        // versions).
        let figure = |f: &crate::sim::Frame, k: &crate::sim::figures::FrameKpi| {
            let seg = k
                .segment
                .and_then(|s| f.segments.get(s))
                .map(|s| s.name.clone());
            (k.metric_name.clone(), seg)
        };
        // Pair the KPIs: the same text first, then the same figure.
        let mut partner: Vec<Option<usize>> = vec![None; fb.kpis.len()];
        let mut taken = vec![false; fv.kpis.len()];
        for (i, k) in fb.kpis.iter().enumerate() {
            if let Some(j) = (0..fv.kpis.len()).find(|&j| !taken[j] && fv.kpis[j].text == k.text) {
                partner[i] = Some(j);
                taken[j] = true;
            }
        }
        for (i, k) in fb.kpis.iter().enumerate() {
            if partner[i].is_some() {
                continue;
            }
            let want = figure(fb, k);
            if let Some(j) =
                (0..fv.kpis.len()).find(|&j| !taken[j] && figure(fv, &fv.kpis[j]) == want)
            {
                partner[i] = Some(j);
                taken[j] = true;
            }
        }
        let mut out: Vec<KpiChange> = fb
            .kpis
            .iter()
            .enumerate()
            .map(|(i, _)| self.kpi_change(deltas, Some(i), partner[i]))
            .collect();
        out.extend(
            (0..fv.kpis.len())
                .filter(|&j| !taken[j])
                .map(|j| self.kpi_change(deltas, None, Some(j))),
        );
        out
    }

    /// The baseline's KPI `ib` and the variant's `iv` (at least one given).
    fn kpi_change(&self, deltas: &[Delta], ib: Option<usize>, iv: Option<usize>) -> KpiChange {
        let fb = &self.p.base.frame;
        let fv = &self.p.variant.frame;
        let kb = ib.map(|i| &fb.kpis[i]);
        let kv = iv.map(|i| &fv.kpis[i]);
        let rb = ib.map(|i| self.b.kpis[i]);
        let rv = iv.map(|i| self.v.kpis[i]);
        let status = match (kb, kv) {
            (Some(b), Some(v)) => KpiStatus::of((b.comparison, b.target), (v.comparison, v.target)),
            (None, _) => KpiStatus::Added,
            (_, None) => KpiStatus::Removed,
        };
        let k = kv.or(kb).expect("a KPI on one side at least");
        // A paired difference where `deltas` has one for the same metric (on both sides).
        let pairedd = match (kb, kv) {
            (Some(b), Some(_)) if b.segment.is_none() => paired_name(fb, b.metric)
                .and_then(|l| deltas.iter().find(|d| d.name == l && d.paired))
                .and_then(|d| d.diff),
            _ => None,
        };
        let unit = Unit::of(k.metric);
        let (eb, ev) = (rb.and_then(|r| r.estimate), rv.and_then(|r| r.estimate));
        let delta = Delta {
            name: k.text.clone(),
            section: "kpi",
            unit,
            base: eb,
            variant: ev,
            diff: pairedd.or_else(|| unpaired(eb, ev)),
            paired: pairedd.is_some(),
            exact: match (kb, kv) {
                (Some(b), Some(v)) => self
                    .exact_diff(Some(b.metric), Some(v.metric), b.segment.zip(v.segment))
                    .filter(|_| b.segment.is_some() == v.segment.is_some()),
                _ => None,
            },
        };
        KpiChange {
            text: k.text.clone(),
            old_text: kb
                .filter(|b| kv.is_some_and(|v| v.text != b.text))
                .map(|b| b.text.clone()),
            status,
            unit,
            base: rb,
            variant: rv,
            target: kv.map(|v| (v.comparison, v.target)),
            delta,
        }
    }
}

/// Σ profit and Σ profit² of a tally, in money units: its own sums when some customer
/// earned revenue, else those of −cost (the walk counts profit only for valued journeys).
fn profit_sums(t: &SegmentTally) -> (f64, f64) {
    let r = &t.revenue;
    let (s, sign) = match r.sum == 0 && r.sum_sq == 0 && r.sum_sq_hi == 0 {
        true => (&t.cost, -1.0),
        false => (&t.profit, 1.0),
    };
    (
        sign * s.sum as f64 * MONEY_UNIT,
        s.sum_sq_f64() * MONEY_UNIT * MONEY_UNIT,
    )
}

/// Σ profit_base · profit_variant, in money units²: Σ r·r − Σ r·c − Σ c·r + Σ c·c.
fn profit_cross(x: &crate::sim::pair::PairTally) -> f64 {
    (x.revenue.f64() - x.revenue_cost.f64() - x.cost_revenue.f64() + x.cost.f64())
        * MONEY_UNIT
        * MONEY_UNIT
}

/// The name of the paired figure that answers a metric, if any.
fn paired_name(f: &crate::sim::Frame, m: Metric) -> Option<String> {
    Some(match m {
        Metric::Conversion(g) => {
            let primary = if f.primary_goal == Some(g) {
                ", primary"
            } else {
                ""
            };
            format!("conversion ({}{primary})", f.goals.get(g)?)
        }
        Metric::Reach(t) => format!("reach({})", f.touchpoints.get(t)?.name),
        // The paired summary figures, by their registry label.
        Metric::Touches
        | Metric::Pains
        | Metric::Sentiment
        | Metric::Nps
        | Metric::CostPerCustomer
        | Metric::RevenuePerCustomer
        | Metric::Profit => m.info().label.into(),
        // Paired when both runs have a lifecycle (the row exists only then).
        Metric::Cycles | Metric::Purchases | Metric::Clv => m.info().label.into(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
