//! The graph rules J0301–J0501, one file per rule, in code order. Each holds the rule's
//! documentation (`DOC`, shown by `journeyc explain` and collected in `docs/rules.md`) and its
//! `check` over a [`super::Context`]. The rules the parser and the resolver find have their
//! files beside them: J0001 in `syntax::error`, J0101–J0205 in `model::rules`.

pub mod channel_gap;
pub mod context_break;
pub mod dead_end;
pub mod goal_unreachable;
pub mod idle_trigger;
pub mod single_channel_stage;
pub mod trap;
pub mod unreachable;
pub mod unused_channel;
