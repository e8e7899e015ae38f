//! Reports of `journeyc levers`: a ranked table for people, JSON for tools (schema in
//! `docs/levers.md`). Both list the touchpoints in ranking order, cut to `--top`, and say
//! which goal and which customers the figures are about.

mod json;
mod table;

pub use json::json;
pub use table::{table, table_to};

use crate::analyze::levers::{ClvLevers, round12};
use crate::analyze::{LeverSort, Levers};
use crate::model::{Journey, Target, TouchpointId};

/// What a report shows: the levers, their ranking and how many touchpoints to list.
#[derive(Copy, Clone, Debug)]
pub struct View<'a> {
    /// The journey the levers were computed on.
    pub journey: &'a Journey,
    /// The levers.
    pub levers: &'a Levers,
    /// The ranking order.
    pub sort: LeverSort,
    /// List only this many touchpoints (`None`: all).
    pub top: Option<usize>,
    /// With `--objective clv`: the clv levers, which then rank the touchpoints (by clv lost
    /// on removal, or gained with friction halved, as `sort` says).
    pub clv: Option<&'a ClvLevers>,
}

impl<'a> View<'a> {
    /// The touchpoints listed, in ranking order.
    pub fn listed(&self) -> Vec<TouchpointId> {
        let mut ids = match self.clv {
            Some(c) => ranked_by(match self.sort {
                LeverSort::Friction | LeverSort::Change => &c.friction,
                _ => &c.removal,
            }),
            None => self.levers.ranked(self.sort),
        };
        if let Some(n) = self.top {
            ids.truncate(n);
        }
        ids
    }

    /// The population in words.
    fn population(&self) -> String {
        match self.levers.segment {
            Some(s) => format!("customers of segment `{}`", self.journey.segments[s].name),
            None if self.journey.segments.len() > 1 => {
                "all customers (segments mixed by share)".into()
            }
            None => "all customers".into(),
        }
    }

    /// The goal in words.
    fn goal(&self) -> String {
        let j = self.journey;
        let primary = if Some(self.levers.goal) == j.primary_goal {
            " (primary goal)"
        } else {
            ""
        };
        format!("`{}`{primary}", j.goals[self.levers.goal].name)
    }

    /// A transition's target by name.
    fn target(&self, target: Target) -> &'a str {
        match target {
            Target::Exit => "exit",
            Target::Touchpoint(u) => &self.journey.touchpoints[u].name,
        }
    }
}

/// Touchpoint ids by `values`, largest first; values equal to 12 significant digits keep
/// stage order (as [`Levers::ranked`]).
fn ranked_by(values: &[f64]) -> Vec<TouchpointId> {
    let mut ids: Vec<TouchpointId> = (0..values.len()).collect();
    ids.sort_by(|&a, &b| {
        round12(values[b])
            .total_cmp(&round12(values[a]))
            .then(a.cmp(&b))
    });
    ids
}

/// The name of a ranking order as `--sort` spells it.
pub fn sort_name(sort: LeverSort) -> &'static str {
    match sort {
        LeverSort::Change => "change",
        LeverSort::Removal => "removal",
        LeverSort::Friction => "friction",
        LeverSort::Sensitivity => "sensitivity",
    }
}
