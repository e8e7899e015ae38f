//! `journeyc conform FILE LOG [--fdr P] [--window DURATION] [--gate] [--format …]`: does the
//! log conform to the journey? Rules J0601–J0604 (LANGUAGE-2.md §5), reported in every
//! `check` output format at the declarations they concern.

use super::config::{self, LevelArgs};
use super::fit::LogArgs;
use super::{Exit, Failure, JourneyArgs};
use crate::check::rules::{
    transition_drift as drift, undeclared_move, unknown_activity, window_drift,
};
use crate::diagnostic::{self, Finding, Level};
use crate::events::count::{Cell, Counts, EXIT, To};
use crate::model::{Journey, Target};
use crate::report::{self, FileReport, Format};
use crate::sim::stats::proportion;
use crate::sim::tally::ending;
use crate::source::SourceMap;
use std::collections::BTreeMap;
use std::path::Path;

/// Arguments of `conform`.
#[derive(Debug, clap::Args)]
pub struct ConformArgs {
    /// The journey and the root its `use`s stay in.
    #[command(flatten)]
    pub journey: JourneyArgs,
    /// The event log and how to read it.
    #[command(flatten)]
    pub log: LogArgs,
    /// Judge the log against the journey with this scenario applied.
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Colour in the human output: `auto`, `always` or `never` (as `check`).
    #[arg(long, value_enum, default_value_t = super::check::Color::Auto)]
    pub color: super::check::Color,
    /// False discovery rate of the drift tests (J0603, J0604), e.g. 5% or 0.05.
    #[arg(long, default_value = "5%", value_parser = parse_rate, value_name = "RATE")]
    pub fdr: f64,
    /// Also compare consecutive windows of this length (J0604), e.g. 7d.
    #[arg(long, value_name = "DURATION")]
    pub window: Option<String>,
    /// Exit 1 on any finding at error or warning level (the nightly CI use).
    #[arg(long)]
    pub gate: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Rule levels.
    #[command(flatten)]
    pub levels: LevelArgs,
}

/// A rate: `5%` or `0.05`, strictly between 0 and 1.
fn parse_rate(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let x = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|p| p / 100.0),
        None => t.parse::<f64>(),
    }
    .map_err(|_| format!("`{s}` is not a rate: write 5% or 0.05"))?;
    if !(x > 0.0 && x < 1.0) {
        return Err(format!("`{s}`: the rate must be above 0% and below 100%"));
    }
    Ok(x)
}

/// Runs `conform`.
pub fn run(args: &ConformArgs) -> Result<Exit, Failure> {
    let file = &args.journey.file;
    let root = args.journey.root.as_deref();
    let levels = config::levels(&args.levels, root.unwrap_or(Path::new(".")))?;
    let window_ms = match &args.window {
        Some(w) => (crate::events::parse_duration(w).map_err(Failure)? * 1000.0).round() as i64,
        None => 0,
    };
    let loaded = super::journey(file, root, args.scenario.as_deref())?;
    let (compiled, journey) = match loaded {
        Ok(ok) => ok,
        Err(exit) => return Ok(exit),
    };
    let counted = args.log.count(&journey, window_ms.max(0), false)?;
    if args.log.emit_sql {
        return Err(Failure(
            "--emit-sql is `fit`'s: run `journeyc fit FILE --emit-sql`".into(),
        ));
    }
    if args.log.counts.is_some() && args.window.is_some() {
        return Err(Failure(
            "--window needs the log itself: a counts table has no times".into(),
        ));
    }
    let log_name = args.log.name();
    let mut findings = Vec::new();
    let j = &journey;
    for u in &counted.log.unknown {
        let guess = match u.column {
            "touchpoint" => {
                crate::names::suggest(&u.name, j.touchpoints.iter().map(|t| t.name.as_str()))
            }
            "segment" => crate::names::suggest(&u.name, j.segments.iter().map(|s| s.name.as_str())),
            "trigger" => crate::names::suggest(&u.name, j.triggers.iter().map(|t| t.name.as_str())),
            _ => None,
        };
        findings.push(unknown_activity::finding(
            j.span, u.column, &u.name, u.rows, u.line, &log_name, guess,
        ));
    }
    let c = &counted.counts;
    undeclared(j, c, &log_name, &mut findings);
    let options = &counted.log.options;
    transition_tests(
        j,
        c,
        options,
        &compiled.sources,
        counted.log.has.ends,
        args.fdr,
        &mut findings,
    );
    if window_ms > 0 {
        window_tests(j, c, options, args.fdr, &mut findings);
    }
    let mut findings = levels.apply(findings);
    diagnostic::sort(&mut findings);
    let gate_fails = findings
        .iter()
        .any(|f| matches!(f.level, Level::Error | Level::Warning));
    let errors = findings.iter().any(|f| f.level == Level::Error);
    let reports = [FileReport {
        sources: compiled.sources,
        main: compiled.main,
        library: false,
        findings,
    }];
    let color = args.color.on(args.format);
    super::output::out(&report::render(args.format, &reports, color))?;
    if errors || (args.gate && gate_fails) {
        if args.gate {
            crate::errln!("conform gate: the log does not conform to the journey");
        }
        return Ok(Exit::Findings);
    }
    Ok(Exit::Ok)
}

/// The declared targets of a touchpoint for a segment, as count targets, with their
/// probabilities and the index of the written arrow.
fn declared(j: &Journey, tp: usize, seg: usize) -> Vec<(To, f64, usize)> {
    j.touchpoints[tp].transitions[seg]
        .iter()
        .map(|t| {
            let to = match t.target {
                Target::Exit => EXIT,
                Target::Touchpoint(x) => x as To,
            };
            (to, t.probability, t.arrow)
        })
        .collect()
}

/// J0602: entries, moves, exits and returns the journey does not allow.
fn undeclared(j: &Journey, c: &Counts, log: &str, out: &mut Vec<Finding>) {
    let line = |key: (u8, usize, usize, usize, To)| c.first_line.get(&key).copied().unwrap_or(0);
    for seg in 0..c.n_seg {
        let segment = &j.segments[seg].name;
        for (tp, t) in j.touchpoints.iter().enumerate() {
            let n = c.entries[seg * c.n_tp + tp];
            if n > 0 && t.entry <= 0.0 {
                let what = format!("an entry at `{}`", t.name);
                out.push(undeclared_move::finding(
                    t.span,
                    &what,
                    segment,
                    n,
                    line((0, seg, tp, 0, 0)),
                    log,
                ));
            }
            let allowed = declared(j, tp, seg);
            for opt in 0..c.n_opt {
                let cell = c.cell(seg, tp, opt);
                for (&to, &n) in &cell.moves {
                    if !allowed.iter().any(|a| a.0 == to) {
                        let what = format!(
                            "the move `{} -> {}`",
                            t.name, j.touchpoints[to as usize].name
                        );
                        out.push(undeclared_move::finding(
                            t.span,
                            &what,
                            segment,
                            n,
                            line((1, seg, tp, opt, to)),
                            log,
                        ));
                    }
                }
                let exits = cell.ended[ending::LEFT];
                if exits > 0 && !t.is_terminal() && !allowed.iter().any(|a| a.0 == EXIT) {
                    let what = format!("an exit from `{}`", t.name);
                    out.push(undeclared_move::finding(t.span, &what, segment, exits, 0, log).help(
                        "the log's `end` rows say `left` here, but no `-> exit` applies to this segment",
                    ));
                }
            }
        }
        for ((s, x, tp), &n) in c.return_to.range((seg, 0, 0)..(seg + 1, 0, 0)) {
            debug_assert_eq!(*s, seg);
            let trigger = &j.triggers[*x];
            if trigger.target != *tp {
                let what = format!(
                    "a return by trigger `{}` to `{}` (its target is `{}`)",
                    trigger.name, j.touchpoints[*tp].name, j.touchpoints[trigger.target].name
                );
                out.push(undeclared_move::finding(
                    trigger.span,
                    &what,
                    segment,
                    n,
                    line((2, seg, *x, 0, *tp as To)),
                    log,
                ));
            }
        }
    }
}

/// The observed counts of a cell over the declared targets: moves, and exits where the log
/// has `end` rows (without them, the moves alone against the declared moves renormalised).
fn observed(cell: &Cell, targets: &[(To, f64, usize)], ends: bool) -> (Vec<u64>, Vec<f64>) {
    let mut obs = Vec::new();
    let mut exp = Vec::new();
    for &(to, p, _) in targets {
        if to == EXIT {
            if !ends {
                continue;
            }
            obs.push(cell.ended[ending::LEFT]);
        } else {
            obs.push(cell.moves.get(&to).copied().unwrap_or(0));
        }
        exp.push(p);
    }
    (obs, exp)
}

/// J0603: one G-test per (segment, touchpoint, option) in the log against the declared
/// transitions; Benjamini–Hochberg over all of them.
#[allow(clippy::too_many_arguments)]
fn transition_tests(
    j: &Journey,
    c: &Counts,
    options: &[String],
    sources: &SourceMap,
    ends: bool,
    fdr: f64,
    out: &mut Vec<Finding>,
) {
    struct Test {
        seg: usize,
        tp: usize,
        opt: usize,
        p: f64,
        n: u64,
    }
    let mut tests = Vec::new();
    for seg in 0..c.n_seg {
        for tp in 0..c.n_tp {
            let targets = declared(j, tp, seg);
            if targets.len() < 2 {
                continue;
            }
            for opt in 0..c.n_opt {
                let cell = c.cell(seg, tp, opt);
                let (obs, exp) = observed(cell, &targets, ends);
                let n: u64 = obs.iter().sum();
                if let Some((_, _, p)) = drift::g_test(&obs, &exp) {
                    tests.push(Test { seg, tp, opt, p, n });
                }
            }
        }
    }
    let ps: Vec<f64> = tests.iter().map(|t| t.p).collect();
    let flagged = drift::benjamini_hochberg(&ps, fdr);
    for (t, _) in tests.iter().zip(&flagged).filter(|(_, f)| **f) {
        let tpd = &j.touchpoints[t.tp];
        let targets = declared(j, t.tp, t.seg);
        let cell = c.cell(t.seg, t.tp, t.opt);
        let (obs, exp) = observed(cell, &targets, ends);
        let kept: Vec<&(To, f64, usize)> = targets.iter().filter(|x| ends || x.0 != EXIT).collect();
        let total_p: f64 = exp.iter().sum();
        // The transition furthest from its declared value, in standard errors.
        let mut worst = (0usize, -1.0f64);
        for (k, (&o, &p)) in obs.iter().zip(&exp).enumerate() {
            let p = p / total_p;
            let z = ((o as f64 / t.n.max(1) as f64) - p).abs()
                / (p * (1.0 - p) / t.n.max(1) as f64).sqrt().max(1e-12);
            if z > worst.1 {
                worst = (k, z);
            }
        }
        let (_, p_declared, arrow) = *kept[worst.0];
        let arrow = &tpd.arrows[arrow];
        let w = proportion(obs[worst.0], t.n).unwrap_or(crate::sim::Estimate::exact(0.0));
        let written = sources.snippet(arrow.span);
        let written = written.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push(drift::finding(&drift::Drift {
            span: arrow.span,
            written: &written,
            touchpoint: &tpd.name,
            segment: &j.segments[t.seg].name,
            option: (t.opt > 0).then(|| options[t.opt].as_str()),
            declared: p_declared,
            observed: (w.value, w.low, w.high),
            visits: t.n,
            p: t.p,
            fdr,
        }));
    }
}

/// Per window: the moves (and exits) by target.
type Windows = BTreeMap<i64, BTreeMap<To, u64>>;

/// J0604: per (segment, touchpoint, option), each window's moves and exits against the next
/// window's (G-test of homogeneity); Benjamini–Hochberg over all comparisons.
fn window_tests(j: &Journey, c: &Counts, options: &[String], fdr: f64, out: &mut Vec<Finding>) {
    // (seg, tp, opt) → window → target → count.
    let mut by: BTreeMap<(usize, usize, usize), Windows> = BTreeMap::new();
    for (&(w, seg, tp, opt, to), &n) in &c.windowed {
        *by.entry((seg, tp, opt))
            .or_default()
            .entry(w)
            .or_default()
            .entry(to)
            .or_insert(0) += n;
    }
    struct Test {
        key: (usize, usize, usize),
        windows: (i64, i64),
        p: f64,
        what: String,
    }
    let mut tests = Vec::new();
    for (&key, windows) in &by {
        let list: Vec<(&i64, &BTreeMap<To, u64>)> = windows.iter().collect();
        for pair in list.windows(2) {
            let ((&wa, a), (&wb, b)) = (pair[0], pair[1]);
            let mut targets: Vec<To> = a.keys().chain(b.keys()).copied().collect();
            targets.sort_unstable();
            targets.dedup();
            let ra: Vec<u64> = targets
                .iter()
                .map(|t| a.get(t).copied().unwrap_or(0))
                .collect();
            let rb: Vec<u64> = targets
                .iter()
                .map(|t| b.get(t).copied().unwrap_or(0))
                .collect();
            let Some((_, _, p)) = drift::g_homogeneity(&ra, &rb) else {
                continue;
            };
            let (na, nb) = (ra.iter().sum::<u64>() as f64, rb.iter().sum::<u64>() as f64);
            let mut worst = (0, 0.0f64);
            for k in 0..targets.len() {
                let d = (rb[k] as f64 / nb - ra[k] as f64 / na).abs();
                if d > worst.1 {
                    worst = (k, d);
                }
            }
            let k = worst.0;
            let name = match targets[k] {
                EXIT => "exit".to_string(),
                to => j.touchpoints[to as usize].name.clone(),
            };
            let what = format!(
                "`-> {name}` {} then {}",
                drift::percent(ra[k] as f64 / na),
                drift::percent(rb[k] as f64 / nb)
            );
            tests.push(Test {
                key,
                windows: (wa, wb),
                p,
                what,
            });
        }
    }
    let ps: Vec<f64> = tests.iter().map(|t| t.p).collect();
    let flagged = drift::benjamini_hochberg(&ps, fdr);
    let date = |w: i64| {
        jiff::Timestamp::from_millisecond(w.saturating_mul(c.window_ms))
            .map_or_else(|_| w.to_string(), |t| format!("{t:.0}"))
    };
    for (t, _) in tests.iter().zip(&flagged).filter(|(_, f)| **f) {
        let (seg, tp, opt) = t.key;
        let tpd = &j.touchpoints[tp];
        let mut f = window_drift::finding(
            tpd.span,
            &tpd.name,
            &j.segments[seg].name,
            &date(t.windows.0),
            &date(t.windows.1),
            &t.what,
            t.p,
        );
        if opt > 0 {
            f.message.push_str(&format!(" (option `{}`)", options[opt]));
        }
        out.push(f);
    }
}
