//! The estimates of `journeyc fit` (LANGUAGE-2.md §5, "Estimates", and the settled rules):
//! per segment, shares, entry weights, transition probabilities, friction and trigger
//! returns, each with its 95% interval beside the declared value.

use super::count::{Cell, Counts, EXIT, To};
use crate::model::{Journey, Target};
use crate::sim::stats::{Estimate as Interval, Z95, proportion};
use crate::sim::tally::ending;

/// What an estimate is of.
#[derive(Clone, Debug, PartialEq)]
pub enum What {
    /// The segment's share of customers.
    Share,
    /// A touchpoint's entry weight.
    Entry(usize),
    /// A transition from a touchpoint (`EXIT`: the exit).
    Move(usize, To),
    /// Friction at a touchpoint.
    Friction(usize),
    /// A trigger's return chance.
    Return(usize),
}

/// One estimate beside the declared value.
#[derive(Clone, Debug)]
pub struct Fitted {
    /// The segment.
    pub segment: usize,
    /// The option (the log's `option` column), if any.
    pub option: Option<String>,
    /// What it is of.
    pub what: What,
    /// The declared value.
    pub declared: f64,
    /// The estimate and its 95% interval (`None`: no observation).
    pub fitted: Option<Interval>,
    /// Observations it rests on.
    pub n: u64,
    /// Fewer than `--min-count` observations: the declared value is kept.
    pub too_few: bool,
    /// The declared value lies outside the interval.
    pub outside: bool,
    /// Latent segments only: another segment's declared behaviour here differs at most in
    /// patience, so the two are weakly identified (LANGUAGE-2.md, "Settled").
    pub weak: bool,
}

/// How to fit.
#[derive(Clone, Debug)]
pub struct FitSettings {
    /// `--min-count`.
    pub min_count: u64,
}

/// The estimates of a log's counts. `ends`: the log has `end` rows; `causes`: its pain rows
/// carry a cause.
pub fn fit(
    j: &Journey,
    c: &Counts,
    options: &[String],
    ends: bool,
    causes: bool,
    s: &FitSettings,
) -> Vec<Fitted> {
    let mut out = Vec::new();
    let total: u64 = c.customers.iter().sum();
    let mut push = |segment: usize,
                    option: Option<String>,
                    what: What,
                    declared: f64,
                    fitted: Option<Interval>,
                    n: u64| {
        let too_few = n < s.min_count;
        let outside = !too_few
            && fitted.is_some_and(|f| declared < f.low - 1e-12 || declared > f.high + 1e-12);
        out.push(Fitted {
            segment,
            option,
            what,
            declared,
            fitted,
            n,
            too_few,
            outside,
            weak: false,
        });
    };
    for seg in 0..c.n_seg {
        push(
            seg,
            None,
            What::Share,
            j.segments[seg].share,
            proportion(c.customers[seg], total),
            total,
        );
        let entries: u64 = (0..c.n_tp).map(|tp| c.entries[seg * c.n_tp + tp]).sum();
        for (tp, t) in j.touchpoints.iter().enumerate() {
            let k = c.entries[seg * c.n_tp + tp];
            if t.entry > 0.0 || k > 0 {
                push(
                    seg,
                    None,
                    What::Entry(tp),
                    t.entry,
                    proportion(k, entries),
                    entries,
                );
            }
        }
        for (tp, t) in j.touchpoints.iter().enumerate() {
            for (opt, name) in options.iter().enumerate().take(c.n_opt) {
                let cell = c.cell(seg, tp, opt);
                // A cell without visits is shown only when no option of the touchpoint has
                // any (so a touchpoint the log never saw still lists its declared values).
                let seen = (0..c.n_opt).any(|o| c.cell(seg, tp, o).visits > 0);
                if cell.visits == 0 && (opt > 0 || seen) {
                    continue;
                }
                let option = (opt > 0).then(|| name.clone());
                let declared = &t.transitions[seg];
                let has_exit = declared.iter().any(|d| d.target == Target::Exit);
                let mut targets: Vec<To> = declared
                    .iter()
                    .map(|d| match d.target {
                        Target::Exit => EXIT,
                        Target::Touchpoint(x) => x as To,
                    })
                    .collect();
                for &to in cell.moves.keys() {
                    if !targets.contains(&to) {
                        targets.push(to);
                    }
                }
                if !t.is_terminal() || !cell.moves.is_empty() {
                    if cell.ended[ending::LEFT] > 0 && !targets.contains(&EXIT) {
                        targets.push(EXIT);
                    }
                    let est = match ends {
                        true => transitions(cell),
                        false => transitions_without_ends(cell, has_exit),
                    };
                    for to in targets {
                        let d = declared
                            .iter()
                            .find(|d| {
                                matches!((d.target, to), (Target::Exit, EXIT))
                                    || d.target == Target::Touchpoint(to as usize)
                            })
                            .map_or(0.0, |d| d.probability);
                        let (fitted, n) = est.get(to);
                        push(seg, option.clone(), What::Move(tp, to), d, fitted, n);
                    }
                }
                let friction = t.visit(seg).friction;
                if causes && (friction > 0.0 || cell.friction > 0) {
                    let (fitted, n) = match ends {
                        true => (
                            proportion(cell.friction, cell.reached_friction),
                            cell.reached_friction,
                        ),
                        false => {
                            let n = cell.reach_sum.round() as u64;
                            (scaled_proportion(cell.friction as f64, cell.reach_sum), n)
                        }
                    };
                    push(seg, option.clone(), What::Friction(tp), friction, fitted, n);
                }
            }
        }
        for (x, trigger) in j.triggers.iter().enumerate() {
            let (r, f) = (
                c.returns[seg * c.n_triggers + x],
                c.firings[seg * c.n_triggers + x],
            );
            push(
                seg,
                None,
                What::Return(x),
                trigger.probability,
                proportion(r, f),
                f,
            );
        }
    }
    out
}

/// A touchpoint's transition estimates.
pub struct Transitions {
    exit: (Option<Interval>, u64),
    moves: Vec<(To, Option<Interval>)>,
    n: u64,
}

impl Transitions {
    /// The estimate of the transition to `to` ([`EXIT`]: the exit), and its observations.
    pub fn get(&self, to: To) -> (Option<Interval>, u64) {
        if to == EXIT {
            return self.exit;
        }
        let fitted = self
            .moves
            .iter()
            .find(|(t, _)| *t == to)
            .map_or_else(|| proportion(0, self.n), |m| m.1);
        (fitted, self.n)
    }
}

/// With `end` rows: the censored maximum-likelihood estimate. Among the visits that
/// neither abandoned nor completed, p(exit) = exits ÷ those visits, and the moves share
/// 1 − p(exit) in proportion to their counts. Intervals: Wilson for the exit; for a move,
/// Wilson of its count among the visits that moved or exited (the same when no bound cut a
/// visit short).
pub fn transitions(cell: &Cell) -> Transitions {
    let base = cell.going_on();
    let exits = cell.ended[ending::LEFT];
    let exit = proportion(exits, base);
    let moved: u64 = cell.moves.values().sum();
    let decided = moved + exits;
    let p_exit = exit.map_or(0.0, |e| e.value);
    let moves = cell
        .moves
        .iter()
        .map(|(&to, &k)| {
            let share = k as f64 / moved.max(1) as f64;
            let w = proportion(k, decided).map(|w| Interval {
                value: (1.0 - p_exit) * share,
                ..w
            });
            (to, w)
        })
        .collect();
    Transitions {
        exit: (exit, base),
        moves,
        n: base,
    }
}

/// Without `end` rows: the moment split. e = the share of visits that end the cycle, ā =
/// the mean declared chance that a visit ends in abandonment; p(exit) = max(0, (e − ā) /
/// (1 − ā)) (0 where no exit is declared), the moves share the rest in proportion to their
/// counts. Intervals: Wilson's for e mapped through the formula; for a move, the delta
/// method.
pub fn transitions_without_ends(cell: &Cell, has_exit: bool) -> Transitions {
    let n = cell.visits;
    let a = if n > 0 {
        cell.abandon_sum / n as f64
    } else {
        0.0
    };
    let map = |e: f64| match has_exit && a < 1.0 {
        true => ((e - a) / (1.0 - a)).clamp(0.0, 1.0),
        false => 0.0,
    };
    let e = proportion(cell.endings, n);
    let exit = e.map(|e| Interval {
        value: map(e.value),
        low: map(e.low),
        high: map(e.high),
    });
    let p = exit.map_or(0.0, |x| x.value);
    let var_exit = exit.map_or(0.0, |x| ((x.high - x.low) / (2.0 * Z95)).powi(2));
    let moved: u64 = cell.moves.values().sum();
    let moves = cell
        .moves
        .iter()
        .map(|(&to, &k)| {
            let share = k as f64 / moved.max(1) as f64;
            let value = (1.0 - p) * share;
            let var = share * share * var_exit
                + (1.0 - p).powi(2) * share * (1.0 - share) / moved.max(1) as f64;
            let half = Z95 * var.sqrt();
            (
                to,
                Some(Interval {
                    value,
                    low: (value - half).max(0.0),
                    high: (value + half).min(1.0),
                }),
            )
        })
        .collect();
    Transitions {
        exit: (exit, n),
        moves,
        n,
    }
}

/// `k / n` for an expected (not counted) `n`, with the Wilson interval of the nearest count.
fn scaled_proportion(k: f64, n: f64) -> Option<Interval> {
    if n <= 0.0 {
        return None;
    }
    let nn = n.round().max(1.0) as u64;
    let kk = (k.round() as u64).min(nn);
    proportion(kk, nn).map(|w| Interval {
        value: (k / n).min(1.0),
        ..w
    })
}

/// How an estimate is named in outputs: `share`, `entry TP`, `TP -> X`, `friction at TP`,
/// `return TRIGGER`.
pub fn describe(j: &Journey, w: &What) -> String {
    let tp = |k: usize| j.touchpoints[k].name.as_str();
    match w {
        What::Share => "share".into(),
        What::Entry(k) => format!("entry {}", tp(*k)),
        What::Move(k, EXIT) => format!("{} -> exit", tp(*k)),
        What::Move(k, to) => format!("{} -> {}", tp(*k), tp(*to as usize)),
        What::Friction(k) => format!("friction at {}", tp(*k)),
        What::Return(x) => format!("return {}", j.triggers[*x].name),
    }
}
