//! Counting a log (LANGUAGE-2.md §5, "Counting", and the settled rules): per customer and
//! cycle, entries, visits, moves, endings, pain points and firings, keyed by (segment,
//! touchpoint, option).

use super::read::{CAUSE_CONTEXT, CAUSE_FRICTION, Customer, Event, Kind, LogError, NONE};
use crate::sim::tally::ending;
use std::collections::BTreeMap;

/// Where a move goes: a touchpoint, or [`EXIT`] for an exit.
pub type To = u32;
/// An exit, as a move's target.
pub const EXIT: To = u32::MAX;

/// What the log shows at one (segment, touchpoint, option).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cell {
    /// Visits.
    pub visits: u64,
    /// Visits followed by another visit with no message between (moves), by target.
    pub moves: BTreeMap<To, u64>,
    /// Endings here, by outcome ([`ending`]): `left` is an exit, `abandoned` an abandonment,
    /// `completed` a completion, `timed_out`/`stuck` a visit cut short by a bound.
    pub ended: [u64; ending::COUNT],
    /// Visits followed by a message or by nothing in their cycle (the endings of a log
    /// without `end` rows).
    pub endings: u64,
    /// Friction pains.
    pub friction: u64,
    /// Context pains.
    pub context: u64,
    /// Pain rows without a cause.
    pub pains: u64,
    /// Visits that reached the friction step: all but those that left at a context break
    /// (a context pain, no friction pain, and an abandonment).
    pub reached_friction: u64,
    /// Visits with a context break.
    pub broken: u64,
    /// Σ over visits of the declared chance that the visit ends in abandonment (given where
    /// the customer came from): ā · visits, for the estimates without `end` rows.
    pub abandon_sum: f64,
    /// Σ over visits of the declared chance that the visit reaches the friction step.
    pub reach_sum: f64,
}

impl Cell {
    /// Visits that neither abandoned nor completed (the transition estimates' base).
    pub fn going_on(&self) -> u64 {
        self.visits
            .saturating_sub(self.ended[ending::ABANDONED] + self.ended[ending::COMPLETED])
    }
}

/// Counts of a whole log.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    /// Segments, touchpoints and options (option 0: none).
    pub n_seg: usize,
    /// See `n_seg`.
    pub n_tp: usize,
    /// See `n_seg`.
    pub n_opt: usize,
    /// Per (segment, touchpoint, option), at `(seg · n_tp + tp) · n_opt + opt`.
    pub cells: Vec<Cell>,
    /// Customers per segment.
    pub customers: Vec<u64>,
    /// Cycles per segment.
    pub cycles: Vec<u64>,
    /// Entries per segment and touchpoint (`seg · n_tp + tp`).
    pub entries: Vec<u64>,
    /// Firings and returns per segment and trigger (`seg · n_triggers + x`).
    pub firings: Vec<u64>,
    /// See `firings`.
    pub returns: Vec<u64>,
    /// Returns by (segment, trigger, touchpoint returned to).
    pub return_to: BTreeMap<(usize, usize, usize), u64>,
    /// Triggers.
    pub n_triggers: usize,
    /// With a window: moves and exits per window, by (window, segment, touchpoint, option,
    /// target).
    pub windowed: BTreeMap<(i64, usize, usize, usize, To), u64>,
    /// The window's length in milliseconds (0: none).
    pub window_ms: i64,
    /// First line of an entry, move or return, by what it was (for J0602's message).
    pub first_line: BTreeMap<(u8, usize, usize, usize, To), u64>,
}

impl Counts {
    /// Empty counts.
    pub fn new(n_seg: usize, n_tp: usize, n_opt: usize, n_triggers: usize, window_ms: i64) -> Self {
        Counts {
            n_seg,
            n_tp,
            n_opt,
            cells: vec![Cell::default(); n_seg * n_tp * n_opt],
            customers: vec![0; n_seg],
            cycles: vec![0; n_seg],
            entries: vec![0; n_seg * n_tp],
            firings: vec![0; n_seg * n_triggers],
            returns: vec![0; n_seg * n_triggers],
            n_triggers,
            window_ms,
            ..Counts::default()
        }
    }

    /// The cell of (segment, touchpoint, option).
    pub fn cell(&self, seg: usize, tp: usize, opt: usize) -> &Cell {
        &self.cells[(seg * self.n_tp + tp) * self.n_opt + opt]
    }

    /// The cell of (segment, touchpoint, option), to add to (made when new).
    pub fn cell_for(&mut self, seg: usize, tp: usize, opt: usize) -> &mut Cell {
        self.cell_mut(seg, tp, opt)
    }

    #[inline]
    fn cell_mut(&mut self, seg: usize, tp: usize, opt: usize) -> &mut Cell {
        if opt >= self.n_opt {
            // An option first seen after the counts were made.
            self.grow(opt + 1);
        }
        let n = (seg * self.n_tp + tp) * self.n_opt + opt;
        &mut self.cells[n]
    }

    /// Makes room for `n_opt` options.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, n_opt: usize) {
        let mut cells = vec![Cell::default(); self.n_seg * self.n_tp * n_opt];
        for seg in 0..self.n_seg {
            for tp in 0..self.n_tp {
                for opt in 0..self.n_opt {
                    cells[(seg * self.n_tp + tp) * n_opt + opt] =
                        std::mem::take(&mut self.cells[(seg * self.n_tp + tp) * self.n_opt + opt]);
                }
            }
        }
        (self.cells, self.n_opt) = (cells, n_opt);
    }

    /// The cells of a touchpoint for a segment, all options added.
    pub fn pooled_options(&self, seg: usize, tp: usize) -> Cell {
        let mut out = Cell::default();
        for opt in 0..self.n_opt {
            add_cell(&mut out, self.cell(seg, tp, opt));
        }
        out
    }

    /// A touchpoint's cell over all segments (and options).
    pub fn pooled(&self, tp: usize) -> Cell {
        let mut out = Cell::default();
        for seg in 0..self.n_seg {
            add_cell(&mut out, &self.pooled_options(seg, tp));
        }
        out
    }

    /// Counts one customer of segment `seg` (their events in time order). Cycles are told
    /// apart by the `cycle` column where the log has it; else, a visit right after an `end`
    /// (not after a message) starts a new cycle (so a log without `end` rows has one cycle
    /// per customer).
    pub fn add(&mut self, c: &Customer, seg: usize, chances: &Chances) -> Result<(), LogError> {
        self.customers[seg] += 1;
        let ev = &c.events;
        let mut i = 0;
        while i < ev.len() {
            // One cycle: `ev[i..j]`.
            let mut j = i + 1;
            while j < ev.len() {
                let (prev, e) = (&ev[j - 1], &ev[j]);
                let new = if e.cycle != 0 && ev[i].cycle != 0 {
                    e.cycle != ev[i].cycle
                } else {
                    e.kind == Kind::Visit && prev.kind == Kind::End
                };
                if new {
                    break;
                }
                j += 1;
            }
            self.cycle(&c.id, seg, &ev[i..j], chances)?;
            i = j;
        }
        Ok(())
    }

    fn window(&self, time: i64) -> i64 {
        match self.window_ms {
            0 => 0,
            w => time.div_euclid(w),
        }
    }

    fn note_first(&mut self, what: u8, a: usize, b: usize, c: usize, to: To, line: u32) {
        self.first_line
            .entry((what, a, b, c, to))
            .or_insert(line as u64);
    }

    /// Counts one cycle.
    fn cycle(
        &mut self,
        id: &str,
        seg: usize,
        ev: &[Event],
        chances: &Chances,
    ) -> Result<(), LogError> {
        self.cycles[seg] += 1;
        // The current visit: (touchpoint, option, time), its pains and whether an `end`
        // followed it directly.
        let mut visit: Option<(usize, usize, i64)> = None;
        let (mut context, mut friction) = (false, false);
        // Since the current visit: a message (trigger), an `end` (outcome).
        let mut message: Option<usize> = None;
        let mut ended: Option<usize> = None;
        let mut first = true;
        // Closes the current visit: the friction step and (without `end` rows) endings.
        let close = |me: &mut Counts,
                     visit: Option<(usize, usize, i64)>,
                     context: bool,
                     friction: bool,
                     ended: Option<usize>,
                     followed_by_visit: bool| {
            let Some((tp, opt, time)) = visit else {
                return;
            };
            let win = me.window(time);
            let windowed = me.window_ms > 0;
            let cell = me.cell_mut(seg, tp, opt);
            let left_at_break = context && !friction && ended == Some(ending::ABANDONED);
            if !left_at_break {
                cell.reached_friction += 1;
            }
            if !followed_by_visit {
                cell.endings += 1;
            }
            if windowed && ended == Some(ending::LEFT) {
                *me.windowed.entry((win, seg, tp, opt, EXIT)).or_insert(0) += 1;
            }
        };
        for e in ev {
            match e.kind {
                Kind::Visit => {
                    let (tp, opt) = (e.tp as usize, e.option as usize);
                    let direct = message.is_none() && ended.is_none();
                    close(self, visit, context, friction, ended, direct);
                    // The first line of each kind of entry, move or return is noted when
                    // its count leaves 0.
                    if first {
                        let n = &mut self.entries[seg * self.n_tp + tp];
                        *n += 1;
                        if *n == 1 {
                            self.note_first(0, seg, tp, 0, 0, e.line);
                        }
                    } else if let Some(x) = message {
                        self.returns[seg * self.n_triggers + x] += 1;
                        let n = self.return_to.entry((seg, x, tp)).or_insert(0);
                        *n += 1;
                        if *n == 1 {
                            self.note_first(2, seg, x, 0, tp as To, e.line);
                        }
                    } else if let (Some((from, fopt, ftime)), None) = (visit, ended) {
                        let win = self.window(ftime);
                        let n = self
                            .cell_mut(seg, from, fopt)
                            .moves
                            .entry(tp as To)
                            .or_insert(0);
                        *n += 1;
                        if *n == 1 {
                            self.note_first(1, seg, from, fopt, tp as To, e.line);
                        }
                        if self.window_ms > 0 {
                            *self
                                .windowed
                                .entry((win, seg, from, fopt, tp as To))
                                .or_insert(0) += 1;
                        }
                    }
                    let from = match (first, message, visit) {
                        (true, _, _) => None,
                        (false, Some(x), _) => Some(chances.via[x]),
                        (false, None, Some((prev, _, _))) => Some(chances.tp_channel[prev]),
                        (false, None, None) => None,
                    };
                    let (abandon, reach) = chances.at(seg, tp, from);
                    first = false;
                    let cell = self.cell_mut(seg, tp, opt);
                    cell.visits += 1;
                    cell.abandon_sum += abandon;
                    cell.reach_sum += reach;
                    visit = Some((tp, opt, e.time));
                    (context, friction, message, ended) = (false, false, None, None);
                }
                Kind::Pain => {
                    let Some((tp, opt, _)) = visit.filter(|_| message.is_none() && ended.is_none())
                    else {
                        return Err(LogError(format!(
                            "line {}: customer `{id}` has a `pain` row with no visit right \
                             before it (a pain point belongs to the visit it follows)",
                            e.line
                        )));
                    };
                    if e.tp as usize != tp {
                        return Err(LogError(format!(
                            "line {}: customer `{id}`'s `pain` row names another touchpoint than \
                             the visit right before it (a pain point belongs to that visit)",
                            e.line
                        )));
                    }
                    let cell = self.cell_mut(seg, tp, opt);
                    match e.cause {
                        CAUSE_CONTEXT => {
                            cell.context += 1;
                            cell.broken += 1;
                            context = true;
                        }
                        CAUSE_FRICTION => {
                            cell.friction += 1;
                            friction = true;
                        }
                        _ => cell.pains += 1,
                    }
                }
                Kind::End => {
                    // An ending only right after a visit (or its pains); a second `end` after
                    // a message (a blocked return) is not one.
                    if let (Some((tp, opt, _)), None, None) = (visit, message, ended) {
                        let outcome = e.what as usize;
                        self.cell_mut(seg, tp, opt).ended[outcome] += 1;
                        ended = Some(outcome);
                    }
                }
                Kind::Message => {
                    let x = e.what as usize;
                    if x != NONE as usize {
                        self.firings[seg * self.n_triggers + x] += 1;
                        message = Some(x);
                    }
                }
            }
        }
        close(self, visit, context, friction, ended, false);
        Ok(())
    }
}

/// Adds a cell's counts to another's.
pub fn add_cell(out: &mut Cell, c: &Cell) {
    out.visits += c.visits;
    for (&to, &n) in &c.moves {
        *out.moves.entry(to).or_insert(0) += n;
    }
    for (a, b) in out.ended.iter_mut().zip(c.ended) {
        *a += b;
    }
    out.endings += c.endings;
    out.friction += c.friction;
    out.context += c.context;
    out.pains += c.pains;
    out.reached_friction += c.reached_friction;
    out.broken += c.broken;
    out.abandon_sum += c.abandon_sum;
    out.reach_sum += c.reach_sum;
}

/// The declared chances a visit's counting needs (LANGUAGE-2.md §5, without `end` rows):
/// that it ends in abandonment, and that it reaches the friction step, given where the
/// customer came from.
#[derive(Clone, Debug)]
pub struct Chances {
    /// Per touchpoint: its channel.
    tp_channel: Vec<usize>,
    /// Per trigger: its channel.
    via: Vec<usize>,
    /// Per segment and touchpoint (`seg · tps + tp`): friction.
    friction: Vec<f64>,
    /// Per segment: patience.
    patience: Vec<f64>,
    context_loss: f64,
    /// `keeps[a · channels + b]`: a move from channel a to b keeps the context.
    keeps: Vec<bool>,
    channels: usize,
}

impl Chances {
    /// The declared chances of a journey.
    pub fn new(j: &crate::model::Journey) -> Self {
        let n = j.channels.len();
        let mut keeps = vec![false; n * n];
        for a in 0..n {
            for b in 0..n {
                keeps[a * n + b] = j.shares_context(a, b);
            }
        }
        let mut friction = Vec::new();
        for seg in 0..j.segments.len() {
            for t in &j.touchpoints {
                friction.push(t.visit(seg).friction);
            }
        }
        Chances {
            tp_channel: j.touchpoints.iter().map(|t| t.channel).collect(),
            via: j.triggers.iter().map(|t| t.via).collect(),
            friction,
            patience: j.segments.iter().map(|s| s.patience).collect(),
            context_loss: j.context_loss,
            keeps,
            channels: n,
        }
    }

    /// The channel of touchpoint `tp`.
    pub fn channel_of(&self, tp: usize) -> usize {
        self.tp_channel[tp]
    }

    /// The channel of trigger `x`'s message.
    pub fn via_of(&self, x: usize) -> usize {
        self.via[x]
    }

    /// (abandonment, reaching the friction step) at a visit of `tp` by segment `seg` coming
    /// from channel `from` (`None`: an entry).
    pub fn at(&self, seg: usize, tp: usize, from: Option<usize>) -> (f64, f64) {
        let to = self.tp_channel[tp];
        let c = match from {
            Some(a) if !self.keeps[a * self.channels + to] => self.context_loss,
            _ => 0.0,
        };
        let leave = 1.0 - self.patience[seg];
        let f = self.friction[seg * self.tp_channel.len() + tp];
        let reach = 1.0 - c * leave;
        (c * leave + reach * f * leave, reach)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(time: i64, kind: Kind, tp: u32, what: u32, cause: u8) -> Event {
        Event {
            time,
            line: time as u32 + 2,
            tp,
            what,
            option: 0,
            cause,
            kind,
            cycle: 0,
        }
    }

    /// Two touchpoints on two channels that do not share context, one segment of patience
    /// 50%, friction 20% at touchpoint 1, context loss 10%, one trigger via channel 0.
    fn chances() -> Chances {
        Chances {
            tp_channel: vec![0, 1],
            via: vec![0],
            friction: vec![0.0, 0.2],
            patience: vec![0.5],
            context_loss: 0.1,
            keeps: vec![true, false, false, true],
            channels: 2,
        }
    }

    #[test]
    fn a_customer_is_counted_as_the_contract_says() {
        use super::super::read::{CAUSE_CONTEXT, CAUSE_FRICTION};
        // Cycle 1: entry at 0, move 0 -> 1 with a context break and friction, abandoned,
        // the trigger fires and brings them back to 1, where they leave. Cycle 2 (a visit
        // right after an end): entry at 1, context pain only, abandoned (left at the break).
        let c = Customer {
            id: "c1".into(),
            segment: Some(0),
            events: vec![
                ev(0, Kind::Visit, 0, NONE, 0),
                ev(1, Kind::Visit, 1, NONE, 0),
                ev(1, Kind::Pain, 1, NONE, CAUSE_CONTEXT),
                ev(1, Kind::Pain, 1, NONE, CAUSE_FRICTION),
                ev(2, Kind::End, 1, ending::ABANDONED as u32, 0),
                ev(3, Kind::Message, NONE, 0, 0),
                ev(3, Kind::Visit, 1, NONE, 0),
                ev(4, Kind::End, 1, ending::LEFT as u32, 0),
                ev(9, Kind::Visit, 1, NONE, 0),
                ev(9, Kind::Pain, 1, NONE, CAUSE_CONTEXT),
                ev(9, Kind::End, 1, ending::ABANDONED as u32, 0),
            ],
        };
        let mut counts = Counts::new(1, 2, 1, 1, 0);
        counts.add(&c, 0, &chances()).unwrap();
        assert_eq!((counts.customers[0], counts.cycles[0]), (1, 2));
        assert_eq!(counts.entries, [1, 1]);
        assert_eq!((counts.firings[0], counts.returns[0]), (1, 1));
        let (a, b) = (counts.cell(0, 0, 0), counts.cell(0, 1, 0));
        assert_eq!(a.visits, 1);
        assert_eq!(a.moves.get(&1), Some(&1));
        assert_eq!(b.visits, 3);
        assert_eq!(b.ended[ending::ABANDONED], 2);
        assert_eq!(b.ended[ending::LEFT], 1);
        assert_eq!((b.friction, b.context), (1, 2));
        // The visit that left at its context break did not reach the friction step.
        assert_eq!(b.reached_friction, 2);
        // Endings (as a log without `end` rows sees them): every visit to 1 ends its cycle
        // or is followed by a message.
        assert_eq!((a.endings, b.endings), (0, 3));
        // The declared chance of abandonment: the move from channel 0 risks a context break
        // (0.1 · 0.5), then friction (0.2 · 0.5 of those who carry on); the return comes
        // via channel 0 too; the entry at 1 has no break.
        let moved = 0.1 * 0.5 + (1.0 - 0.05) * 0.2 * 0.5;
        assert!((b.abandon_sum - (2.0 * moved + 0.2 * 0.5)).abs() < 1e-12);
        // A pain with no visit before it is refused.
        let bad = Customer {
            id: "c2".into(),
            segment: Some(0),
            events: vec![ev(0, Kind::Pain, 1, NONE, CAUSE_FRICTION)],
        };
        let err = counts.add(&bad, 0, &chances()).unwrap_err();
        assert!(err.0.contains("line 2: customer `c2`"), "{}", err.0);
    }
}
