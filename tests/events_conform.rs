//! `journeyc conform`: J0601–J0604 on the reference logs of shared/journeys/v2/LOGS.md and on
//! small fixtures, in the `check` output formats.

use crate::common;

use common::journeyc;
use std::path::{Path, PathBuf};

const TINY: &str = "tests/fixtures/events/tiny.journey";
const SHOP: &str = "tests/fixtures/v2/shop_as_is.journey";
const FIX: &str = "tests/fixtures/events";

fn reference(name: &str, dir: &Path) -> Option<PathBuf> {
    let gz = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/journeys/v2")
        .join(format!("{name}.csv.gz"));
    if !gz.exists() {
        eprintln!("skipped: {} is not there", gz.display());
        return None;
    }
    let out = dir.join(format!("{name}.csv"));
    let bytes = std::process::Command::new("gzip")
        .arg("-dc")
        .arg(&gz)
        .output()
        .unwrap();
    std::fs::write(&out, bytes.stdout).unwrap();
    Some(out)
}

/// `conform FILE LOG --format json`: exit code and (rule, message) of each finding.
fn conform(file: &str, log: &Path, rest: &[&str]) -> (i32, Vec<(String, String)>) {
    let mut a = vec!["conform", file, log.to_str().unwrap(), "--format", "json"];
    a.extend(rest);
    let (code, out, err) = journeyc(&a);
    assert!(code == 0 || code == 1, "{a:?}: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let mut found = Vec::new();
    for file in v["files"].as_array().unwrap() {
        for f in file["findings"].as_array().unwrap() {
            found.push((
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            ));
        }
    }
    (code, found)
}

#[test]
fn the_reference_logs_flag_exactly_the_changed_touchpoints() {
    let dir = tempfile::tempdir().unwrap();
    let (Some(same), Some(changed)) = (
        reference("shop_events", dir.path()),
        reference("shop_events_modified", dir.path()),
    ) else {
        return;
    };
    let (code, found) = conform(SHOP, &same, &["--gate"]);
    assert_eq!((code, found.len()), (0, 0), "{found:?}");
    let (code, found) = conform(SHOP, &changed, &[]);
    assert_eq!(code, 0, "warnings only: {found:?}");
    let mut at: Vec<String> = found
        .iter()
        .map(|(code, m)| {
            assert_eq!(code, "J0603", "{m}");
            let tp = m.split("` at `").nth(1).unwrap().split('`').next().unwrap();
            let seg = m
                .split("visits by `")
                .nth(1)
                .unwrap()
                .split('`')
                .next()
                .unwrap();
            format!("{tp} {seg}")
        })
        .collect();
    at.sort();
    assert_eq!(
        at,
        [
            "bag deal_hunter",
            "bag store_loyal",
            "bag trendsetter",
            "fitting_room deal_hunter",
            "fitting_room store_loyal",
            "fitting_room trendsetter",
        ]
    );
    let (code, _) = conform(SHOP, &changed, &["--gate"]);
    assert_eq!(code, 1);
}

#[test]
fn unknown_names_and_undeclared_moves_are_errors_at_their_declarations() {
    let log = Path::new(FIX).join("unknown_and_undeclared.csv");
    let (code, found) = conform(TINY, &log, &[]);
    assert_eq!(code, 1);
    let codes: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(codes, ["J0601", "J0602"], "{found:?}");
    assert!(
        found[0].1.contains("touchpoint `checkout`"),
        "{}",
        found[0].1
    );
    assert!(
        found[1]
            .1
            .contains("the move `home -> pay` by `keen` observed once (first at line 5)"),
        "{}",
        found[1].1
    );
    // The human report points at the declarations.
    let (_, out, _) = journeyc(&["conform", TINY, log.to_str().unwrap()]);
    insta::assert_snapshot!(out);
}

#[test]
fn every_check_format_works() {
    let log = Path::new(FIX).join("unknown_and_undeclared.csv");
    for format in ["human", "json", "sarif", "github", "gitlab"] {
        let (code, out, err) =
            journeyc(&["conform", TINY, log.to_str().unwrap(), "--format", format]);
        assert_eq!(code, 1, "{format}: {err}");
        assert!(out.contains("J0602"), "{format}: {out}");
    }
}

#[test]
fn window_drift_finds_a_change_between_windows() {
    let dir = tempfile::tempdir().unwrap();
    // January from the journey as written, February from one whose bag converts less.
    let feb = dir.path().join("feb.journey");
    let text = std::fs::read_to_string(TINY)
        .unwrap()
        .replace("-> pay 70%", "-> pay 40%");
    std::fs::write(&feb, text).unwrap();
    let (a, b) = (dir.path().join("jan.csv"), dir.path().join("feb.csv"));
    for (file, out, start, seed) in [
        (TINY, &a, "2026-01-01T00:00:00Z", "1"),
        (feb.to_str().unwrap(), &b, "2026-02-01T00:00:00Z", "2"),
    ] {
        let (code, _, err) = journeyc(&[
            "simulate",
            file,
            "--events",
            out.to_str().unwrap(),
            "-n",
            "4000",
            "--seed",
            seed,
            "--start",
            start,
            "--arrivals",
            "20d",
        ]);
        assert_eq!(code, 0, "{err}");
    }
    let both = dir.path().join("both.csv");
    let second = std::fs::read_to_string(&b).unwrap().replace("c00", "d00");
    let body: String = second.lines().skip(1).map(|l| format!("{l}\n")).collect();
    std::fs::write(&both, std::fs::read_to_string(&a).unwrap() + &body).unwrap();
    let (_, found) = conform(TINY, &both, &["--window", "31d"]);
    let windows: Vec<&(String, String)> = found.iter().filter(|f| f.0 == "J0604").collect();
    assert!(!windows.is_empty(), "{found:?}");
    assert!(
        windows.iter().all(|f| f.1.starts_with("`bag`")),
        "{windows:?}"
    );
}

#[test]
fn explain_knows_the_conform_rules() {
    for code in ["J0601", "J0602", "J0603", "J0604"] {
        let (status, out, _) = journeyc(&["explain", code]);
        assert_eq!(status, 0);
        assert!(out.contains("journeyc conform"), "{code}: {out}");
    }
}

#[test]
fn simulated_logs_conform_to_their_journey() {
    let dir = tempfile::tempdir().unwrap();
    let mut flagged = 0;
    for seed in 1..=5 {
        let log = dir.path().join(format!("t{seed}.csv"));
        let (code, _, err) = journeyc(&[
            "simulate",
            TINY,
            "--events",
            log.to_str().unwrap(),
            "-n",
            "20000",
            "--seed",
            &seed.to_string(),
        ]);
        assert_eq!(code, 0, "{err}");
        let (code, found) = conform(TINY, &log, &[]);
        assert_eq!(code, 0, "{found:?}");
        assert!(found.iter().all(|f| f.0 == "J0603"), "{found:?}");
        flagged += !found.is_empty() as u32;
    }
    // At --fdr 5% over a handful of tests, a seed is flagged about 5% of the time.
    assert!(flagged <= 1, "{flagged} of 5 seeds flagged");
}
