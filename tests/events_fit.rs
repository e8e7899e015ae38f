//! `journeyc fit`: estimates from event logs, against the reference logs of
//! shared/journeys/v2/LOGS.md and logs made by `simulate --events`; bad logs.

use crate::common;

use common::journeyc;
use std::path::{Path, PathBuf};

const TINY: &str = "tests/fixtures/events/tiny.journey";
const SHOP: &str = "tests/fixtures/v2/shop_as_is.journey";
const FIX: &str = "tests/fixtures/events";

/// A reference log of shared/journeys/v2, unzipped into `dir` (`None` when shared/ is not
/// beside the repository).
pub fn reference(name: &str, dir: &Path) -> Option<PathBuf> {
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
        .expect("gzip runs");
    std::fs::write(&out, bytes.stdout).unwrap();
    Some(out)
}

/// `fit FILE LOG --format json` with more arguments: the estimates.
fn fit(file: &str, log: &Path, rest: &[&str]) -> serde_json::Value {
    let mut a = vec!["fit", file, log.to_str().unwrap(), "--format", "json"];
    a.extend(rest);
    let (code, out, err) = journeyc(&a);
    assert_eq!((code, err.as_str()), (0, ""), "{a:?}");
    serde_json::from_str(&out).unwrap()
}

/// The flagged estimates among those LOGS.md counts (declared strictly in (0, 1), at least 30
/// observations) of transitions, friction and returns: `segment estimate`.
/// Simulates `customers` customers of `journey` with `seed` into the event log `log`.
fn simulate_log(journey: &str, log: &Path, customers: u64, seed: u64, rest: &[&str]) {
    let (customers, seed) = (customers.to_string(), seed.to_string());
    let mut args = vec![
        "simulate",
        journey,
        "--events",
        log.to_str().unwrap(),
        "-n",
        &customers,
        "--seed",
        &seed,
    ];
    args.extend_from_slice(rest);
    let (code, _, err) = journeyc(&args);
    assert_eq!(code, 0, "{err}");
}

fn flagged(v: &serde_json::Value) -> (usize, Vec<String>) {
    let mut judged = 0;
    let mut out = Vec::new();
    for e in v["estimates"].as_array().unwrap() {
        let d = e["declared"].as_f64().unwrap();
        let kind = e["kind"].as_str().unwrap();
        if !matches!(kind, "transition" | "friction" | "return") || d <= 0.0 || d >= 1.0 {
            continue;
        }
        if e["n"].as_u64().unwrap() < 30 {
            continue;
        }
        judged += 1;
        if e["declared_outside"].as_bool().unwrap() {
            out.push(format!(
                "{} {}",
                e["segment"].as_str().unwrap(),
                e["estimate"].as_str().unwrap()
            ));
        }
    }
    out.sort();
    (judged, out)
}

#[test]
fn the_reference_log_flags_what_logs_md_says() {
    let dir = tempfile::tempdir().unwrap();
    let Some(log) = reference("shop_events", dir.path()) else {
        return;
    };
    let v = fit(SHOP, &log, &[]);
    assert_eq!(v["customers"], 20000);
    assert_eq!(v["rows"], 91615);
    let (judged, out) = flagged(&v);
    // LOGS.md counts 143 estimates without saying which; fit gives 127 of these kinds here
    // (103 transitions, 21 frictions, 3 returns), and flags the same ones.
    assert_eq!(judged, 127);
    assert_eq!(
        out,
        [
            "deal_hunter friction at product_page [as_is]",
            "store_loyal friction at product_page [as_is]"
        ]
    );
    // The values LOGS.md gives.
    let est = |seg: &str, what: &str| {
        v["estimates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["segment"] == seg && e["estimate"] == what)
            .cloned()
            .unwrap()
    };
    let e = est("deal_hunter", "friction at product_page [as_is]");
    let r = |x: &serde_json::Value| (x.as_f64().unwrap() * 1000.0).round() / 1000.0;
    assert_eq!(
        (r(&e["fitted"]), r(&e["low"]), r(&e["high"])),
        (0.315, 0.300, 0.331)
    );
}

#[test]
fn the_modified_log_flags_the_changed_transitions() {
    let dir = tempfile::tempdir().unwrap();
    let Some(log) = reference("shop_events_modified", dir.path()) else {
        return;
    };
    let v = fit(SHOP, &log, &[]);
    let (judged, out) = flagged(&v);
    assert_eq!(judged, 127);
    let mut want: Vec<String> = Vec::new();
    for seg in ["trendsetter", "deal_hunter", "store_loyal"] {
        for e in [
            "fitting_room -> till",
            "fitting_room -> exit",
            "bag -> payment",
            "bag -> exit",
        ] {
            want.push(format!("{seg} {e}"));
        }
    }
    want.extend(
        [
            "trendsetter product_page -> lookbook [as_is]",
            "trendsetter parcel -> exit",
            "deal_hunter fitting_room -> bag",
            "deal_hunter friction at fitting_room",
            "deal_hunter friction at parcel",
            "store_loyal return bag_rescue",
        ]
        .map(String::from),
    );
    want.sort();
    assert_eq!(out, want);
}

#[test]
fn a_simulated_log_is_fitted_back_with_and_without_end_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut inside = (0, 0);
    let mut inside_no_end = (0, 0);
    for seed in 1..=3 {
        let log = dir.path().join(format!("tiny{seed}.csv"));
        simulate_log(TINY, &log, 20000, seed, &[]);
        for (v, tally) in [
            (fit(TINY, &log, &[]), &mut inside),
            (fit(TINY, &strip_ends(&log), &[]), &mut inside_no_end),
        ] {
            for e in v["estimates"].as_array().unwrap() {
                let d = e["declared"].as_f64().unwrap();
                if d <= 0.0 || d >= 1.0 || e["kept_declared"].as_bool().unwrap() {
                    continue;
                }
                tally.1 += 1;
                tally.0 += !e["declared_outside"].as_bool().unwrap() as u32;
            }
        }
    }
    // 95% intervals: at least 85% of the (estimate, seed) pairs cover the truth.
    for (what, (k, n)) in [("with end rows", inside), ("without", inside_no_end)] {
        assert!(n >= 30, "{what}: {n}");
        assert!(k as f64 >= 0.85 * n as f64, "{what}: {k} of {n} cover");
    }
}

/// The log without its `end` rows (and without the column values that need them).
fn strip_ends(log: &Path) -> PathBuf {
    let text = std::fs::read_to_string(log).unwrap();
    let out = log.with_extension("noend.csv");
    let kept: String = text
        .lines()
        .filter(|l| !l.contains(",end,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&out, kept).unwrap();
    out
}

#[test]
fn columns_map_and_seconds() {
    let args = |file: &str| {
        journeyc(&[
            "fit",
            file,
            &format!("{FIX}/raw.csv"),
            "--columns",
            "customer=case_id,time=ts,touchpoint=activity",
            "--map",
            &format!("{FIX}/map.csv"),
            "--min-count",
            "1",
        ])
    };
    let (code, out, err) = args(&format!("{FIX}/one.journey"));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("activity `/about` is not in the map (1 rows, first at line 5)"),
        "{err}"
    );
    assert!(out.contains("2 customers, 4 rows"), "{out}");
    assert!(out.contains("home -> bag"), "{out}");
    // tiny declares two segments and the log has neither segments nor `end` rows: not
    // identified, refused.
    let (code, _, err) = args(TINY);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("without `segment` and without `end` rows"),
        "{err}"
    );
}

#[test]
fn bad_logs_are_refused_with_the_line_and_column() {
    for (file, words) in [
        ("missing_time.csv", "no `time` column"),
        ("bad_time.csv", "line 3, column `time`"),
        ("bad_event.csv", "unknown event kind `click`"),
        ("empty.csv", "empty"),
        ("empty_file.csv", "empty"),
        ("pain_first.csv", "no visit right before it"),
        ("unknown_and_undeclared.csv", "touchpoint `checkout`"),
    ] {
        let (code, out, err) = journeyc(&["fit", TINY, &format!("{FIX}/{file}")]);
        assert_eq!((code, out.as_str()), (2, ""), "{file}: {err}");
        assert!(err.contains(words), "{file}: {err}");
        assert!(!err.contains("panicked"), "{file}: {err}");
    }
}

/// The lines of `before` and `after` that differ, as (before, after) pairs (same line count).
fn changed_lines(before: &str, after: &str) -> Vec<(String, String)> {
    assert_eq!(before.lines().count(), after.lines().count());
    before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
        .collect()
}

#[test]
fn write_rewrites_the_contradicted_numbers_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let Some(log) = reference("shop_events_modified", dir.path()) else {
        return;
    };
    let file = dir.path().join("shop.journey");
    let before = std::fs::read_to_string(SHOP).unwrap();
    std::fs::write(&file, &before).unwrap();
    let f = file.to_str().unwrap();
    let root = dir.path().to_str().unwrap();
    let (code, out, err) = journeyc(&["fit", f, log.to_str().unwrap(), "--write", "--root", root]);
    assert_eq!(code, 0, "{err}");
    let after = std::fs::read_to_string(&file).unwrap();
    let changed = changed_lines(&before, &after);
    // Exactly the two changed transitions (pooled over the segments), comments and layout
    // kept.
    assert_eq!(
        changed,
        [
            ("-> till 55%".to_string(), "-> till 62.5%".to_string()),
            ("-> payment 72%".to_string(), "-> payment 65.3%".to_string()),
        ],
        "{out}"
    );
    assert!(out.starts_with("rewrote"), "{out}");
    // The rewritten journey checks clean, and the same log now contradicts nothing.
    let (code, _, err) = journeyc(&["check", f, "--root", root]);
    assert!(code == 0, "{err}");
    let (code, out, err) = journeyc(&["fit", f, log.to_str().unwrap(), "--write", "--root", root]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("nothing to change"), "{out}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after);
    // A scenario instead: the file gains one, holding the fitted values.
    std::fs::write(&file, &before).unwrap();
    let (code, out, err) = journeyc(&[
        "fit",
        f,
        log.to_str().unwrap(),
        "--scenario",
        "fitted",
        "--root",
        root,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("added scenario `fitted`"), "{out}");
    let with = std::fs::read_to_string(&file).unwrap();
    assert!(with.starts_with(&before[..before.rfind("  scenario size_chart_fix").unwrap()]));
    assert!(with.contains("  scenario fitted \""), "{with}");
    let (code, out, err) = journeyc(&[
        "simulate",
        f,
        "--scenario",
        "fitted",
        "-n",
        "2000",
        "--root",
        root,
    ]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn standard_input_json_lines_and_process_mining_names_read_the_same_log() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("one.csv");
    let jsonl = dir.path().join("one.jsonl");
    let one = format!("{FIX}/one.journey");
    for out in [&csv, &jsonl] {
        simulate_log(&one, out, 3000, 9, &[]);
    }
    let table = |args: &[&str], stdin: Option<&Path>| {
        let mut cmd = assert_cmd::Command::cargo_bin("journeyc").unwrap();
        cmd.args(args).env("NO_COLOR", "1");
        if let Some(p) = stdin {
            cmd.pipe_stdin(p).unwrap();
        }
        let out = cmd.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        // The estimates, without the first line (it names the log).
        text.lines().skip(1).collect::<Vec<_>>().join("\n")
    };
    let from_csv = table(&["fit", &one, csv.to_str().unwrap()], None);
    assert!(from_csv.contains("home -> bag"), "{from_csv}");
    assert_eq!(
        table(&["fit", &one, jsonl.to_str().unwrap()], None),
        from_csv
    );
    assert_eq!(table(&["fit", &one, "-"], Some(&csv)), from_csv);
    // The same log under process-mining names, and renamed by --columns.
    let text = std::fs::read_to_string(&csv).unwrap();
    let pm = dir.path().join("pm.csv");
    std::fs::write(
        &pm,
        text.replacen(
            "customer,time,event,touchpoint",
            "case:concept:name,time:timestamp,event,concept:name",
            1,
        ),
    )
    .unwrap();
    assert_eq!(table(&["fit", &one, pm.to_str().unwrap()], None), from_csv);
    let renamed = dir.path().join("renamed.log");
    std::fs::write(&renamed, text.replacen("customer,time", "case_id,ts", 1)).unwrap();
    let r = renamed.to_str().unwrap();
    assert_eq!(
        table(
            &[
                "fit",
                &one,
                r,
                "--log-format",
                "csv",
                "--columns",
                "customer=case_id,time=ts"
            ],
            None
        ),
        from_csv
    );
    // And grouped, as simulate writes it.
    assert_eq!(
        table(&["fit", &one, csv.to_str().unwrap(), "--grouped"], None),
        from_csv
    );
}

#[test]
fn a_log_not_grouped_by_customer_is_refused_under_grouped() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("x.csv");
    std::fs::write(
        &log,
        "customer,time,touchpoint\nc1,2026-01-01T00:00:00Z,home\nc2,2026-01-01T00:00:00Z,home\nc1,2026-01-01T00:01:00Z,bag\n",
    )
    .unwrap();
    let one = format!("{FIX}/one.journey");
    let (code, _, err) = journeyc(&["fit", &one, log.to_str().unwrap(), "--grouped"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 4: this row's customer has rows from line 2 on")
            && err.contains("not grouped"),
        "{err}"
    );
    let (code, out, err) = journeyc(&["fit", &one, log.to_str().unwrap(), "--min-count", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 customers"), "{out}");
}

#[test]
fn the_table_and_markdown_for_people() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("tiny.csv");
    simulate_log(TINY, &log, 3000, 11, &[]);
    let shown = |format: &str| {
        let (code, out, err) = journeyc(&[
            "fit",
            TINY,
            log.to_str().unwrap(),
            "--format",
            format,
            "--min-count",
            "100",
        ]);
        assert_eq!(code, 0, "{err}");
        // The log's path is a temporary directory's.
        out.replace(log.to_str().unwrap(), "tiny.csv")
    };
    insta::assert_snapshot!("fit_table", shown("table"));
    insta::assert_snapshot!("fit_markdown", shown("markdown"));
}

#[test]
fn a_log_without_segments_is_fitted_by_em() {
    // The reference log's sample journey, simulated, its `segment` column cut: EM fits the
    // shares and every segment's numbers with bootstrap intervals.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("shop.csv");
    simulate_log(SHOP, &log, 4000, 3, &[]);
    let cut: String = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            f.remove(4);
            format!("{}\n", f.join(","))
        })
        .collect();
    let noseg = dir.path().join("noseg.csv");
    std::fs::write(&noseg, cut).unwrap();
    let v = fit(SHOP, &noseg, &[]);
    let est = v["estimates"].as_array().unwrap();
    let shares: f64 = est
        .iter()
        .filter(|e| e["kind"] == "share")
        .map(|e| e["fitted"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-9, "{shares}");
    let judged: Vec<&serde_json::Value> = est
        .iter()
        .filter(|e| !e["kept_declared"].as_bool().unwrap())
        .collect();
    let covered = judged
        .iter()
        .filter(|e| !e["declared_outside"].as_bool().unwrap())
        .count();
    assert!(judged.len() > 60, "{}", judged.len());
    assert!(
        covered as f64 >= 0.85 * judged.len() as f64,
        "{covered} of {}",
        judged.len()
    );
    // Segments whose declared behaviour at a touchpoint is the same are said to be weakly
    // identified there (product_page's transitions differ by segment: not weak).
    let weak = |what: &str| {
        est.iter()
            .find(|e| e["segment"] == "trendsetter" && e["estimate"] == what)
            .map(|e| e["weakly_identified"].as_bool().unwrap())
    };
    assert_eq!(weak("search_ad -> exit"), Some(true));
    assert_eq!(weak("product_page -> bag"), Some(false));
    // No segments and no end rows: refused, saying what is missing.
    let text = std::fs::read_to_string(&noseg).unwrap();
    let bare: String = text
        .lines()
        .filter(|l| !l.contains(",end,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&noseg, bare).unwrap();
    let (code, _, err) = journeyc(&["fit", SHOP, noseg.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("without `segment` and without `end` rows"),
        "{err}"
    );
}

#[test]
fn time_sorted_and_shuffled_logs_are_read_as_the_grouped_one() {
    // Customers open until the end of the file (the default mode): whatever the rows' order,
    // each customer's rows are taken in time order, ties in file order, and the estimates
    // are those of the log as written (grouped by customer).
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("shop.csv");
    simulate_log(SHOP, &log, 3000, 7, &["--arrivals", "2d"]);
    let text = std::fs::read_to_string(&log).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    let write = |name: &str, rows: &[&str]| {
        let path = dir.path().join(name);
        let mut all = format!("{header}\n");
        for r in rows {
            all.push_str(r);
            all.push('\n');
        }
        std::fs::write(&path, all).unwrap();
        path
    };
    // Time order (a stable sort: a customer's rows of equal time keep their order).
    let mut by_time = lines.clone();
    by_time.sort_by_key(|l| l.split(',').nth(1).unwrap().to_string());
    // Shuffled, but each customer's rows of equal time keep their order: rows move in
    // blocks of one customer and one time.
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    for l in &lines {
        let key = |l: &str| {
            let mut f = l.split(',');
            (f.next().unwrap().to_string(), f.next().unwrap().to_string())
        };
        match blocks.last_mut() {
            Some(b) if key(b[0]) == key(l) => b.push(l),
            _ => blocks.push(vec![l]),
        }
    }
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for i in (1..blocks.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        blocks.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let shuffled: Vec<&str> = blocks.concat();
    let strip = |mut v: serde_json::Value| {
        v["log"] = serde_json::Value::Null;
        v
    };
    let want = strip(fit(SHOP, &log, &[]));
    assert_eq!(want["customers"], 3000);
    for (name, rows) in [("by_time.csv", &by_time), ("shuffled.csv", &shuffled)] {
        let path = write(name, rows);
        assert_eq!(strip(fit(SHOP, &path, &[])), want, "{name}");
    }
}

#[test]
fn write_notes_segments_that_differ_under_one_line() {
    // The log comes from the tiny journey with `home -> bag` at 80% for keen customers only;
    // the journey says 60% for everyone in one line. `--write` changes the pooled number and
    // notes that the segments differ (it never invents a `for` line).
    let dir = tempfile::tempdir().unwrap();
    let tiny = std::fs::read_to_string(TINY).unwrap();
    let truth = dir.path().join("truth.journey");
    std::fs::write(
        &truth,
        tiny.replace(
            "      -> bag 60%\n      -> exit\n    }\n    touchpoint bag",
            "      -> bag 60% for casual\n      -> bag 80% for keen\n      -> exit\n    }\n    touchpoint bag",
        ),
    )
    .unwrap();
    let root = dir.path().to_str().unwrap();
    let log = dir.path().join("log.csv");
    let (code, _, err) = journeyc(&[
        "simulate",
        truth.to_str().unwrap(),
        "--root",
        root,
        "--events",
        log.to_str().unwrap(),
        "-n",
        "20000",
    ]);
    assert_eq!(code, 0, "{err}");
    let file = dir.path().join("tiny.journey");
    std::fs::write(&file, &tiny).unwrap();
    let f = file.to_str().unwrap();
    let (code, out, err) = journeyc(&["fit", f, log.to_str().unwrap(), "--write", "--root", root]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "note: home -> bag is written once for 2 segments, but the log shows casual 0.595 \
             (n = 12007), keen 0.792 (n = 7993)"
        ),
        "{out}"
    );
    assert!(!out.contains("note: bag -> pay"), "{out}");
    assert!(
        !std::fs::read_to_string(&file)
            .unwrap()
            .contains(" for keen")
    );
}

#[test]
fn blanks_around_fields_are_cut_whether_or_not_a_row_has_them() {
    // Rows of printable ASCII skip the cut (nothing to cut); the others are cut field by
    // field. Every other row padded (spaces and tabs around every field, a non-breaking
    // space after the touchpoint), the estimates are the log's as written.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("shop.csv");
    simulate_log(SHOP, &log, 2000, 11, &[]);
    let text = std::fs::read_to_string(&log).unwrap();
    let mut padded = String::new();
    for (i, line) in text.lines().enumerate() {
        match i % 2 == 1 {
            true => {
                let fields: Vec<String> = line
                    .split(',')
                    .enumerate()
                    .map(|(k, f)| match k {
                        3 => format!(" {f}\u{a0}"),
                        _ => format!(" \t{f} "),
                    })
                    .collect();
                padded.push_str(&fields.join(","));
            }
            false => padded.push_str(line),
        }
        padded.push('\n');
    }
    let padded_path = dir.path().join("padded.csv");
    std::fs::write(&padded_path, padded).unwrap();
    let strip = |mut v: serde_json::Value| {
        v["log"] = serde_json::Value::Null;
        v
    };
    let want = strip(fit(SHOP, &log, &["--grouped"]));
    assert_eq!(want["customers"], 2000);
    assert_eq!(strip(fit(SHOP, &padded_path, &["--grouped"])), want);
}
