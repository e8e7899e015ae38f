//! The graph rules J0301–J0501, one file per rule, in code order. Each holds the rule's
//! documentation (`DOC`, shown by `journeyc explain` and collected in `docs/rules.md`) and its
//! `check` over a [`super::Context`]. The rules the parser and the resolver find have their
//! files beside them: J0001 in `syntax::error`, J0101–J0205 in `model::rules`. J0601–J0604
//! are `conform`'s: their files here hold the documentation and the wording of their
//! findings (and the drift tests' statistics); `cli::conform` gives them the log's counts.
//! J0701 words the findings of [`super::suppress`], which applies `# journeyc: allow(…)`.

pub mod channel_gap;
pub mod context_break;
pub mod dead_end;
pub mod goal_unreachable;
pub mod idle_trigger;
pub mod single_channel_stage;
pub mod transition_drift;
pub mod trap;
pub mod undeclared_move;
pub mod unknown_activity;
pub mod unreachable;
pub mod unused_channel;
pub mod unused_suppression;
pub mod window_drift;
