//! Resources (issue #11): memory per thread does not grow with segments × buckets, `check` is
//! near-linear in segments, and `--threads` beyond the work is clamped. These tests assert
//! correct, identical output — never a time: the scale is what the old code could not run
//! (20,000 segments on 8 threads needed ~55 GB; 100,000 threads were started one by one).

use crate::common;

use common::journeyc_in;
use std::fmt::Write;

/// A journey with `n` segments of equal shares (adding up to exactly 100%), two touchpoints,
/// a goal and conversion times spread over several histogram buckets.
fn many_segments(n: usize) -> String {
    let unit = 100_000_000u64; // 100% in millionths of a percent
    let (base, extra) = (unit / n as u64, unit % n as u64);
    let mut s = String::from("journey big {\n  channel web digital\n");
    for k in 0..n {
        let share = base + u64::from((k as u64) < extra);
        writeln!(
            s,
            "  segment s{k} {{ share {}.{:06}% }}",
            share / 1_000_000,
            share % 1_000_000
        )
        .unwrap();
    }
    s.push_str(
        "  stage s {\n    touchpoint a on web { entry duration 1m..5m -> b 50% -> exit }\n    \
         touchpoint b on web { goal done }\n  }\n}\n",
    );
    s
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    std::fs::write(dir.path().join(name), text).unwrap();
    name.to_string()
}

#[test]
fn twenty_thousand_segments_simulate_on_eight_threads_as_on_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "big.journey", &many_segments(20_000));
    // 17 blocks of customers: 17 tallies and scratches on 8 threads (the old code filled a
    // 160 KiB time table per segment in each: 55 GB).
    let run = |threads: &str| {
        journeyc_in(
            dir.path(),
            &[
                "simulate",
                &file,
                "-n",
                "32769",
                "--seed",
                "3",
                "--format",
                "json",
                "--threads",
                threads,
            ],
        )
    };
    let (code, eight, err) = run("8");
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&eight).unwrap();
    assert!(json.is_object());
    let (code, one, err) = run("1");
    assert_eq!(code, 0, "{err}");
    assert_eq!(one, eight, "1 vs 8 threads");
}

#[test]
fn twenty_thousand_segments_check_and_a_duplicate_is_still_found() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "big.journey", &many_segments(20_000));
    let (code, out, err) = journeyc_in(dir.path(), &["check", &file]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 errors"), "{out}");
    // The same journey with one name declared twice: found, at the second declaration.
    let text = many_segments(20_000).replacen("segment s19999 ", "segment s7 ", 1);
    let file = write(&dir, "dup.journey", &text);
    let (code, out, err) = journeyc_in(dir.path(), &["check", &file]);
    assert_ne!(code, 0, "{out}{err}");
    let all = format!("{out}{err}");
    assert!(all.contains("J0102"), "{all}");
    assert!(all.contains("segment `s7` is declared twice"), "{all}");
}

#[test]
fn a_hundred_thousand_threads_give_the_output_of_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "small.journey", &many_segments(3));
    let run = |threads: &str| {
        journeyc_in(
            dir.path(),
            &[
                "simulate",
                &file,
                "-n",
                "1000",
                "--seed",
                "5",
                "--format",
                "json",
                "--threads",
                threads,
            ],
        )
    };
    let (code, one, err) = run("1");
    assert_eq!(code, 0, "{err}");
    let (code, many, err) = run("100000");
    assert_eq!(code, 0, "{err}");
    assert_eq!(one, many);
}

#[test]
fn references_to_twenty_thousand_segments_resolve_and_unknown_ones_are_all_reported() {
    let dir = tempfile::tempdir().unwrap();
    // Every segment named in one transition's `for` list: one look-up each (a scan per
    // reference was quadratic: 8 s for 50,000).
    let all: Vec<String> = (0..20_000).map(|k| format!("s{k}")).collect();
    let text = many_segments(20_000).replace(
        "-> b 50% -> exit",
        &format!("-> b 50% for {} -> exit", all.join(", ")),
    );
    let file = write(&dir, "all.journey", &text);
    let (code, out, err) = journeyc_in(dir.path(), &["check", &file]);
    assert_eq!(code, 0, "{out}{err}");
    // 500 unknown names: each is reported; "did you mean" is looked for while its budget
    // of comparisons lasts (44 s for 2,000 among 50,000 before), and past it the help line
    // names no candidate and claims none is close.
    let unknown: Vec<String> = (0..500).map(|k| format!("x{k}")).collect();
    let text = many_segments(20_000).replace(
        "-> b 50% -> exit",
        &format!("-> b 50% for {} -> exit", unknown.join(", ")),
    );
    let file = write(&dir, "unknown.journey", &text);
    // Concise: the human output draws ten findings of a rule and counts the rest.
    let (code, out, err) = journeyc_in(dir.path(), &["check", &file, "--format", "concise"]);
    assert_eq!(code, 1, "{out}{err}");
    let all = format!("{out}{err}");
    assert_eq!(all.matches("unknown segment `x").count(), 500, "{all}");
    assert!(all.contains("did you mean `s1`?"), "{all}");
    assert!(
        all.contains("declare `x499` first (20000 segments are declared)"),
        "{all}"
    );
}
