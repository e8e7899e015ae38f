//! journeyc: customer journeys as code.
//!
//! ```text
//!   .journey text ──parse──▶ AST (spans) ──resolve──▶ Journey model ──check──▶ findings
//!                                                          │
//!                                       ┌──────────────────┼─────────────────────┐
//!                                    analyze            simulate              compare / diff
//!                               (exact Markov chain)  (Monte Carlo over     (baseline vs scenario,
//!                                                      compiled tables)      common random numbers)
//!                                       └──────────────────┴─────────────────────┘
//!                                                          ▼
//!                                         reports: human · json · csv · sarif · github
//!                                                  markdown · dot · mermaid · html
//! ```
//!
//! Each arrow is one public function:
//! - [`syntax::parse`]: text → [`ast::File`], or a J0001 finding;
//! - [`model::resolve`]: a file and the files it uses → [`model::Journey`] plus findings;
//! - [`check::check`]: the journey → findings of the graph rules (J03xx–J05xx);
//! - [`analyze::analyze`]: the journey → its exact figures (absorbing Markov chain);
//!   [`analyze::levers()`] reads the same chain per touchpoint → removal effects, friction
//!   gains and transition sensitivities, ranked by `journeyc levers`;
//! - [`sim::simulate`]: the journey → a simulated population's totals ([`sim::Run`]), whose
//!   figures carry 95% intervals;
//! - [`compare::compare`]: a baseline and a variant on the same simulated customers → every
//!   figure's difference with its interval (and the exact difference);
//! - [`report::html::render`]: the journey, its simulated figures, its findings and its
//!   scenarios → one self-contained HTML page (`journeyc report`);
//!
//! Beside the pipeline, [`fmt::format_source`] prints a file's syntax tree back in the
//! canonical layout, comments kept (`journeyc fmt`), and [`lsp::run`] serves editors over
//! the same stages (`journeyc lsp`: a language server owning no analysis of its own).
//!
//! The resolved [`model::Journey`] is the only thing later stages read: the parser knows
//! nothing of simulation and the simulator never sees syntax.

pub mod analyze;
pub mod ast;
pub mod check;
pub mod cli;
pub mod compare;
pub mod diagnostic;
pub mod diff;
pub mod events;
pub mod fasthash;
pub mod fmt;
// Test and benchmark data (`.journey` text of any size), not part of the API: public only so
// that tests/ and benches/ can reach it.
#[doc(hidden)]
pub mod generate;
pub mod lsp;
pub mod model;
pub mod names;
pub mod report;
pub mod rules;
pub mod sim;
pub mod source;
pub mod syntax;
