//! The JSON report of a simulation (schema: `docs/simulation.md`, "JSON"), and the shard
//! file that `simulate --shard K/N` writes and `journeyc merge` reads.

use super::{Computed, exact_endings};
use crate::model::{Comparison, Journey, Metric, TimeStat, TriggerEvent, emit_json};
use crate::report::num::{Keyed, Num};
use crate::report::{Shows, summary_key, summary_metrics};
use crate::sim::figures::Figures;
use crate::sim::tally::ending;
use crate::sim::{Estimate, KpiVerdict, Run, Shard};
use serde::{Deserialize, Serialize};

/// Version of the `simulate --format json` schema.
pub const SCHEMA_VERSION: u32 = 1;
/// Version of the shard file format (2: the fingerprint).
pub const SHARD_VERSION: u32 = 4;
/// What a shard file says it is.
pub const SHARD_KIND: &str = "journeyc-simulation-shard";

/// Renders a run's figures as pretty JSON (with a final newline).
pub fn json(c: &Computed) -> String {
    let run = c.run;
    let f = &run.frame;
    let out = Out {
        schema_version: SCHEMA_VERSION,
        journey: &f.journey,
        label: &f.label,
        scenario: f.scenario.as_deref(),
        method: "simulation",
        customers: run.customers,
        seed: run.seed,
        shard: run.shard,
        horizon_seconds: f.horizon.map(Num),
        horizon_ignored: f.horizon_ignored,
        max_steps: f.max_steps,
        confidence: Num(0.95),
        exact_included: run.exact.is_some(),
        primary_goal: f.primary_goal.map(|g| f.goals[g].as_str()),
        all: figures(c, &c.all, None),
        segments: Keyed(
            f.segments
                .iter()
                .zip(&c.segments)
                .enumerate()
                .map(|(i, (s, x))| {
                    let seg = SegmentOut {
                        label: &s.label,
                        share: Num(s.share),
                        figures: figures(c, x, Some(i)),
                    };
                    (s.name.as_str(), seg)
                })
                .collect(),
        ),
        kpis: f
            .kpis
            .iter()
            .zip(&c.kpis)
            .map(|(k, r)| KpiOut {
                kpi: &k.text,
                metric: &k.metric_name,
                segment: k.segment.map(|s| f.segments[s].name.as_str()),
                comparison: k.comparison,
                target: Num(k.target),
                estimate: r.estimate.map(|e| est(c, e, Some(k.metric), k.segment)),
                status: r.verdict,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

/// The fingerprint of a shard's run: SHA-256, in hex, of the shard format version, the
/// resolved model exactly as `compile --emit json` writes it (scenario applied), and the run
/// settings that change the totals or what the report prints: seed, customers, shard count,
/// `--ignore-horizon` and `--exact`. Shards of one run have the same fingerprint; shards of
/// another version of the journey, or of other settings, do not (even with the same names).
pub fn fingerprint(journey: &Journey, run: &Run, exact: bool) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut field = |name: &str, value: &[u8]| {
        // Length-prefixed, so that no two different inputs hash the same bytes.
        for part in [name.as_bytes(), value] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
    };
    field("kind", SHARD_KIND.as_bytes());
    field("version", &SHARD_VERSION.to_le_bytes());
    field("model", emit_json(journey).as_bytes());
    field(
        "scenario",
        journey.scenario.as_deref().unwrap_or("").as_bytes(),
    );
    field("seed", &run.seed.to_le_bytes());
    field("customers", &run.customers.to_le_bytes());
    field("shards", &run.shard.map_or(0, |s| s.count).to_le_bytes());
    field("ignore_horizon", &[run.frame.horizon_ignored as u8]);
    field("exact", &[exact as u8]);
    h.finalize()
        .iter()
        .fold(String::with_capacity(64), |mut out, b| {
            use std::fmt::Write;
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// The shard file of a run: everything `journeyc merge` needs, the totals included, and
/// the run's [`fingerprint`].
pub fn shard_json(run: &Run, fingerprint: &str) -> String {
    let file = ShardFile {
        kind: SHARD_KIND.into(),
        version: SHARD_VERSION,
        fingerprint: fingerprint.into(),
        run: run.clone(),
    };
    let mut text = serde_json::to_string(&file).unwrap_or_default();
    text.push('\n');
    text
}

/// A shard file read back: its fingerprint and its run.
#[derive(Clone, Debug)]
pub struct ShardRead {
    /// The fingerprint written by `simulate --shard`.
    pub fingerprint: String,
    /// The run.
    pub run: Run,
}

/// Reads a shard file; the error says what is wrong with it. The counts are not checked
/// here: [`crate::sim::merge`] checks them all before anything is computed from them.
pub fn read_shard(text: &str) -> Result<ShardRead, String> {
    let not_a_shard = || "not a shard file (write one with `journeyc simulate --shard K/N`)";
    // The kind and version first, so that an older file gets the right message.
    #[derive(Deserialize)]
    struct Head {
        kind: String,
        version: u32,
    }
    let head: Head = serde_json::from_str(text).map_err(|e| {
        if text.contains(SHARD_KIND) {
            format!("a damaged shard file: {e}")
        } else {
            not_a_shard().to_string()
        }
    })?;
    if head.kind != SHARD_KIND {
        return Err(not_a_shard().into());
    }
    if head.version != SHARD_VERSION {
        return Err(format!(
            "a shard file of format version {}; this journeyc reads version {SHARD_VERSION} \
             only: re-run all the shards (`simulate --shard K/N`) with this journeyc",
            head.version
        ));
    }
    let file: ShardFile =
        serde_json::from_str(text).map_err(|e| format!("a damaged shard file: {e}"))?;
    if file.fingerprint.len() != 64 || !file.fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("a damaged shard file: its fingerprint is not a SHA-256 in hex".into());
    }
    Ok(ShardRead {
        fingerprint: file.fingerprint,
        run: file.run,
    })
}

#[derive(Serialize, Deserialize)]
struct ShardFile {
    kind: String,
    version: u32,
    fingerprint: String,
    run: Run,
}

fn est(c: &Computed, e: Estimate, metric: Option<Metric>, segment: Option<usize>) -> Est {
    Est {
        value: Some(Num(e.value)),
        low: Some(Num(e.low)),
        high: Some(Num(e.high)),
        exact: metric.and_then(|m| c.exact(m, segment)).map(|x| x.map(Num)),
    }
}

fn plain(e: Estimate) -> Est {
    Est {
        value: Some(Num(e.value)),
        low: Some(Num(e.low)),
        high: Some(Num(e.high)),
        exact: None,
    }
}

impl Est {
    /// The estimate of a population with no customer: not available (its exact value, a
    /// property of the model, stays).
    fn unavailable(self) -> Est {
        Est {
            value: None,
            low: None,
            high: None,
            ..self
        }
    }
}

fn figures<'a>(c: &Computed<'a>, x: &Figures, segment: Option<usize>) -> FiguresOut<'a> {
    let f = &c.run.frame;
    let exact_of = |segment: Option<usize>| {
        c.run.exact.as_ref().and_then(|a| match segment {
            Some(s) => a.segments.get(s),
            None => Some(&a.all),
        })
    };
    let ex = exact_of(segment);
    // No customer (a segment of share 0, or too small for the population): every estimate
    // is not available, whatever the tallies' zeros would say.
    let empty = x.customers == 0;
    let keep = |e: Est| if empty { e.unavailable() } else { e };
    let plain = |e: Estimate| keep(plain(e));
    let with = |e: Estimate, exact: Option<f64>| {
        keep(Est {
            exact: c.run.exact.as_ref().map(|_| exact.map(Num)),
            ..plain(e)
        })
    };
    let m = |e: Estimate, metric: Metric| keep(est(c, e, Some(metric), segment));
    let time =
        |i: usize, stat: TimeStat| x.time_to_convert[i].map(|e| m(e, Metric::TimeToConvert(stat)));
    let ended = |arr: &[Estimate; ending::COUNT], exact: Option<[f64; ending::COUNT]>| {
        Keyed(
            ending::NAMES
                .iter()
                .enumerate()
                .map(|(i, &name)| {
                    let e = exact.map(|o| o[i]);
                    (name, with(arr[i], e))
                })
                .collect(),
        )
    };
    FiguresOut {
        customers: x.customers,
        conversion: x.conversion.map(|e| {
            let g = f.primary_goal.unwrap_or(0);
            m(e, Metric::Conversion(g))
        }),
        goals: Keyed(
            f.goals
                .iter()
                .enumerate()
                .map(|(g, name)| (name.as_str(), m(x.goals[g], Metric::Conversion(g))))
                .collect(),
        ),
        outcomes: ended(&x.outcomes, ex.map(|a| exact_endings(&a.outcomes))),
        // The registry's summary figures, by name; null when not available (nobody
        // converted, or clipped totals).
        summary: Keyed(
            summary_metrics(Shows::of_frame(f))
                .map(|k| (summary_key(k), x.get(k).map(|e| m(e, k))))
                .collect(),
        ),
        // With a lifecycle only: the share of customers starting a cycle in each month since
        // their first (30 days a month).
        cohort_months: x
            .lifetime
            .as_ref()
            .map(|l| l.months.iter().map(|&e| plain(e)).collect()),
        time_to_convert: TimeOut {
            mean_seconds: time(0, TimeStat::Mean),
            p50_seconds: time(1, TimeStat::P50),
            p90_seconds: time(2, TimeStat::P90),
            p99_seconds: time(3, TimeStat::P99),
        },
        funnel: Keyed(
            f.stages
                .iter()
                .zip(&x.funnel)
                .map(|(s, &e)| (s.name.as_str(), plain(e)))
                .collect(),
        ),
        touchpoints: Keyed(
            f.touchpoints_in_order()
                .map(|k| {
                    let tp = &f.touchpoints[k];
                    let t = &x.touchpoints[k];
                    let et = ex.and_then(|a| a.touchpoints.get(k));
                    let out = TouchpointOut {
                        label: &tp.label,
                        stage: &f.stages[tp.stage].name,
                        channel: &tp.channel,
                        moment_of_truth: tp.moment_of_truth,
                        reach: m(t.reach, Metric::Reach(k)),
                        visits: with(t.visits, et.map(|a| a.visits)),
                        drop_off: t.drop_off.map(|e| m(e, Metric::DropOff(k))),
                        pains: plain(t.pains),
                        // Only at a touchpoint rated with `csat`; null when nobody visited.
                        csat: tp.csat.then(|| t.csat.map(|e| m(e, Metric::CsatAt(k)))),
                        ended: ended(&t.ended, et.map(|a| exact_endings(&a.ended))),
                    };
                    (tp.name.as_str(), out)
                })
                .collect(),
        ),
        triggers: Keyed(
            f.triggers
                .iter()
                .enumerate()
                .map(|(k, tr)| {
                    let t = &x.triggers[k];
                    let et = ex.and_then(|a| a.triggers.get(k));
                    let out = TriggerOut {
                        label: &tr.label,
                        event: tr.event,
                        firings: with(t.firings, et.map(|a| a.firings)),
                        returns: (!empty).then_some(Num(t.returns)),
                        brought_back: with(t.brought_back, et.map(|a| a.brought_back)),
                        converted_after: t.converted_after,
                        conversion_after: t.conversion_after.map(plain),
                    };
                    (tr.name.as_str(), out)
                })
                .collect(),
        ),
    }
}

/// An estimate: value, 95% interval, and the exact value when the run carries it.
#[derive(Serialize)]
struct Est {
    /// `null` (as `low` and `high`) when the population has no customer.
    value: Option<Num>,
    low: Option<Num>,
    high: Option<Num>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exact: Option<Option<Num>>,
}

#[derive(Serialize)]
struct Out<'a> {
    schema_version: u32,
    journey: &'a str,
    label: &'a str,
    scenario: Option<&'a str>,
    method: &'static str,
    customers: u64,
    seed: u64,
    shard: Option<Shard>,
    horizon_seconds: Option<Num>,
    horizon_ignored: bool,
    max_steps: u32,
    confidence: Num,
    exact_included: bool,
    primary_goal: Option<&'a str>,
    all: FiguresOut<'a>,
    segments: Keyed<'a, SegmentOut<'a>>,
    kpis: Vec<KpiOut<'a>>,
}

#[derive(Serialize)]
struct SegmentOut<'a> {
    label: &'a str,
    share: Num,
    #[serde(flatten)]
    figures: FiguresOut<'a>,
}

#[derive(Serialize)]
struct FiguresOut<'a> {
    customers: u64,
    conversion: Option<Est>,
    goals: Keyed<'a, Est>,
    outcomes: Keyed<'a, Est>,
    #[serde(flatten)]
    summary: Keyed<'a, Option<Est>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cohort_months: Option<Vec<Est>>,
    time_to_convert: TimeOut,
    funnel: Keyed<'a, Est>,
    touchpoints: Keyed<'a, TouchpointOut<'a>>,
    triggers: Keyed<'a, TriggerOut<'a>>,
}

#[derive(Serialize)]
struct TimeOut {
    mean_seconds: Option<Est>,
    p50_seconds: Option<Est>,
    p90_seconds: Option<Est>,
    p99_seconds: Option<Est>,
}

#[derive(Serialize)]
struct TouchpointOut<'a> {
    label: &'a str,
    stage: &'a str,
    channel: &'a str,
    moment_of_truth: bool,
    reach: Est,
    visits: Est,
    drop_off: Option<Est>,
    pains: Est,
    #[serde(skip_serializing_if = "Option::is_none")]
    csat: Option<Option<Est>>,
    ended: Keyed<'a, Est>,
}

#[derive(Serialize)]
struct TriggerOut<'a> {
    label: &'a str,
    event: TriggerEvent,
    firings: Est,
    returns: Option<Num>,
    brought_back: Est,
    converted_after: u64,
    conversion_after: Option<Est>,
}

#[derive(Serialize)]
struct KpiOut<'a> {
    kpi: &'a str,
    metric: &'a str,
    segment: Option<&'a str>,
    comparison: Comparison,
    target: Num,
    estimate: Option<Est>,
    status: KpiVerdict,
}
