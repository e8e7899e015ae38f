//! The integration tests, one crate: each module below is one file of `tests/` and drives the real
//! binary or the library as a user would. One crate instead of one per file: each would link the
//! library and its dependencies again, and ~50 links were a third of `.ci/run`'s 15 minutes
//! (docs/testing.md, "How long .ci/run takes"). Cargo.toml sets `autotests = false`, so a new
//! file of `tests/` must be added here: `every_test_file_is_a_module` below fails otherwise.
//!
//! Run one file's tests with `cargo test --test integration NAME::` (e.g. `lsp::`).

mod common;

mod analyze_cli;
mod analyze_expected;
mod bad_error_messages;
mod check_stdin;
mod ci_recipes;
mod cli;
mod compare_cli;
mod config_cli;
mod default_root;
mod diff_cli;
mod editors_vscode;
mod events_conform;
mod events_fit;
mod events_roundtrip;
mod events_simulate;
mod events_sql;
mod explain_cli;
mod extremes;
mod fmt;
mod fmt_cli;
mod graph_cli;
mod hardening;
mod layers;
mod learn_cli;
mod levers_cli;
mod lifetime_report;
mod lsp;
mod merge_integrity;
mod optimize_cli;
mod optimize_large;
mod output_errors;
mod profit;
mod report;
mod report_browser;
mod report_html;
mod resources;
mod robustness;
mod rules;
mod scores_report;
mod security;
mod simulate_cli;
mod simulate_exact;
mod simulate_exact_v2;
mod suppress_cli;
mod tree_sitter;
mod v2_expected;

/// Every `tests/*.rs` is declared above, so that no test file is silently left out of the run.
#[test]
fn every_test_file_is_a_module() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "rs")
            && stem != "main"
            && !main.lines().any(|l| l == format!("mod {stem};"))
        {
            missing.push(stem.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "tests/*.rs not declared in tests/main.rs: {missing:?}"
    );
}
