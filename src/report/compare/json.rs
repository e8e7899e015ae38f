//! The JSON report of a comparison (schema: `docs/compare.md`).

use crate::compare::{Comparison, Delta};
use crate::report::num::Num;
use crate::sim::{Estimate, KpiVerdict};
use serde::Serialize;

/// Version of the `compare --format json` schema.
pub const SCHEMA_VERSION: u32 = 1;

/// Renders comparisons as pretty JSON (with a final newline).
pub fn json(comparisons: &[Comparison]) -> String {
    let first = comparisons.first().map(|c| &c.paired.base);
    let out = Out {
        schema_version: SCHEMA_VERSION,
        journey: first.map_or("", |r| r.frame.journey.as_str()),
        customers: first.map_or(0, |r| r.customers),
        seed: first.map_or(0, |r| r.seed),
        confidence: Num(0.95),
        comparisons: comparisons.iter().map(comparison_out).collect(),
    };
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

/// One comparison as the `comparisons` array of `compare --format json` writes it (and the
/// `effect` of `diff --format json`).
pub fn comparison(c: &Comparison) -> impl Serialize + '_ {
    comparison_out(c)
}

fn comparison_out(c: &Comparison) -> ComparisonOut<'_> {
    ComparisonOut {
        baseline: name(&c.paired.base.frame),
        variant: name(&c.paired.variant.frame),
        exact_note: c.exact_note.as_deref(),
        kpi_flips: c.flipped().map(|k| k.text.as_str()).collect(),
        kpis: c
            .kpis
            .iter()
            .map(|k| KpiOut {
                kpi: &k.text,
                change: k.status,
                baseline_kpi: k.old_text.as_deref().or(k.base.map(|_| k.text.as_str())),
                baseline_status: k.base.map(|r| r.verdict),
                variant_status: k.variant.map(|r| r.verdict),
                regresses: k.regresses(),
                figure: delta(&k.delta),
            })
            .collect(),
        figures: c.deltas.iter().map(delta).collect(),
    }
}

fn name(f: &crate::sim::Frame) -> Name<'_> {
    Name {
        journey: &f.journey,
        scenario: f.scenario.as_deref(),
        label: &f.label,
    }
}

fn est(e: Estimate) -> Est {
    Est {
        value: Num(e.value),
        low: Num(e.low),
        high: Num(e.high),
    }
}

fn delta(d: &Delta) -> DeltaOut<'_> {
    DeltaOut {
        name: &d.name,
        section: d.section,
        baseline: d.base.map(est),
        variant: d.variant.map(est),
        difference: d.diff.map(est),
        paired: d.paired,
        significant: d.significant(),
        exact_difference: d.exact.map(Num),
    }
}

#[derive(Serialize)]
struct Out<'a> {
    schema_version: u32,
    journey: &'a str,
    customers: u64,
    seed: u64,
    confidence: Num,
    comparisons: Vec<ComparisonOut<'a>>,
}

#[derive(Serialize)]
struct Name<'a> {
    journey: &'a str,
    scenario: Option<&'a str>,
    label: &'a str,
}

#[derive(Serialize)]
struct ComparisonOut<'a> {
    baseline: Name<'a>,
    variant: Name<'a>,
    exact_note: Option<&'a str>,
    kpi_flips: Vec<&'a str>,
    kpis: Vec<KpiOut<'a>>,
    figures: Vec<DeltaOut<'a>>,
}

#[derive(Serialize)]
struct KpiOut<'a> {
    kpi: &'a str,
    change: crate::compare::KpiStatus,
    baseline_kpi: Option<&'a str>,
    baseline_status: Option<KpiVerdict>,
    variant_status: Option<KpiVerdict>,
    regresses: bool,
    figure: DeltaOut<'a>,
}

#[derive(Serialize)]
struct Est {
    value: Num,
    low: Num,
    high: Num,
}

#[derive(Serialize)]
struct DeltaOut<'a> {
    name: &'a str,
    section: &'a str,
    baseline: Option<Est>,
    variant: Option<Est>,
    difference: Option<Est>,
    paired: bool,
    significant: bool,
    exact_difference: Option<Num>,
}
