//! One file per rule, in code order. Each holds the rule's documentation (`DOC`, shown by
//! `journeyc explain` and collected in `docs/rules.md`) and, for the graph rules J0301–J0501,
//! its `check` over a [`super::Context`]. Rules J0001–J0205 are found by the parser and the
//! resolver; their files say where.

pub mod bad_use;
pub mod bad_value;
pub mod channel_gap;
pub mod context_break;
pub mod dead_end;
pub mod duplicate_name;
pub mod entry;
pub mod goal_unreachable;
pub mod idle_trigger;
pub mod probability_range;
pub mod share_sum;
pub mod single_channel_stage;
pub mod syntax;
pub mod transition_sum;
pub mod trap;
pub mod unknown_name;
pub mod unreachable;
pub mod unused_channel;
