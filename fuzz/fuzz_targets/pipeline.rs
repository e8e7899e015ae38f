//! Fuzz target: arbitrary bytes → UTF-8 → parse → resolve (every scenario too) → check.
//! Any panic, stack overflow or hang is a bug: every input must give a model or findings.
#![no_main]

use journeyc::model::{Options, resolve_source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Large inputs only slow the fuzzer down; size limits are tested elsewhere.
    if data.len() > 64 * 1024 {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    // A root that holds nothing: `use` lines are refused or missing, never read elsewhere.
    let options = Options { root: Some("/nonexistent-fuzz-root".into()), scenario: None };
    let Ok(compiled) = resolve_source("/nonexistent-fuzz-root/fuzz.journey", text, &options) else { return };
    if let Some(journey) = &compiled.journey {
        let _ = journeyc::check::check(journey);
    }
    assert!(compiled.library || compiled.journey.is_some() || !compiled.findings.is_empty());
    for name in compiled.scenario_names() {
        if let Ok((Some(journey), _)) = compiled.scenario(&name) {
            let _ = journeyc::check::check(&journey);
        }
    }
});
