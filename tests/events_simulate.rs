//! `simulate --events`: the simulated customers' event log (LANGUAGE-2.md §5 and its settled
//! rules), through the binary.

use crate::common;

use common::journeyc;
use std::path::Path;

const TINY: &str = "tests/fixtures/events/tiny.journey";
const SHOP: &str = "tests/fixtures/v2/shop_as_is.journey";

/// `simulate FILE --events OUT` with more arguments; the file's text.
fn events(file: &str, out: &Path, rest: &[&str]) -> String {
    let o = out.to_str().unwrap();
    let mut a = vec!["simulate", file, "--root", ".", "--events", o];
    a.extend(rest);
    let (code, stdout, stderr) = journeyc(&a);
    assert_eq!(
        (code, stderr.as_str(), stdout.as_str()),
        (0, "", ""),
        "{a:?}"
    );
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn the_log_is_deterministic_and_the_same_for_any_thread_count_and_shards() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let one = events(
        TINY,
        &p("a.csv"),
        &["-n", "5000", "--seed", "3", "--threads", "1"],
    );
    let two = events(
        TINY,
        &p("b.csv"),
        &["-n", "5000", "--seed", "3", "--threads", "2"],
    );
    assert_eq!(one, two);
    let other = events(TINY, &p("c.csv"), &["-n", "5000", "--seed", "4"]);
    assert_ne!(one, other);
    // The shards' rows, in order, are the whole log's.
    let mut joined = String::new();
    for k in 1..=3 {
        let shard = events(
            TINY,
            &p(&format!("s{k}.csv")),
            &["-n", "5000", "--seed", "3", "--shard", &format!("{k}/3")],
        );
        let mut lines = shard.lines();
        let header = lines.next().unwrap();
        if k == 1 {
            joined.push_str(header);
            joined.push('\n');
        }
        for l in lines {
            joined.push_str(l);
            joined.push('\n');
        }
    }
    assert_eq!(joined, one);
}

#[test]
fn rows_follow_the_walk_as_the_contract_says() {
    let dir = tempfile::tempdir().unwrap();
    let log = events(
        SHOP,
        &dir.path().join("shop.csv"),
        &["-n", "3000", "--seed", "5"],
    );
    let mut lines = log.lines();
    assert_eq!(
        lines.next(),
        Some("customer,time,event,touchpoint,segment,cause,trigger,outcome,option,cycle")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == 10));
    let mut customers = std::collections::BTreeSet::new();
    let mut cycles_seen = 0;
    for (i, r) in rows.iter().enumerate() {
        let prev = (i > 0).then(|| &rows[i - 1]).filter(|p| p[0] == r[0]);
        // Milliseconds, UTC.
        assert_eq!(r[1].len(), "2026-01-01T00:00:00.000Z".len(), "{r:?}");
        match prev {
            // A customer's first row is a visit at --start (default 2026-01-01), cycle 1.
            None => {
                assert!(
                    customers.insert(r[0]),
                    "customer {} is not contiguous",
                    r[0]
                );
                assert_eq!(
                    (r[1], r[2], r[9]),
                    ("2026-01-01T00:00:00.000Z", "visit", "1")
                );
            }
            Some(p) => {
                // Time never goes back within a customer.
                assert!(p[1] <= r[1], "{p:?} then {r:?}");
                match r[2] {
                    // A pain row follows its visit (or the visit's first pain), same time.
                    "pain" => {
                        assert!(matches!(p[2], "visit" | "pain") && p[1] == r[1] && p[3] == r[3]);
                        assert!(matches!(r[5], "context" | "friction"), "{r:?}");
                    }
                    // A message follows the end row that fired it.
                    "message" => assert_eq!(p[2], "end", "{p:?} then {r:?}"),
                    "end" => assert!(matches!(r[7], "left" | "abandoned" | "completed"), "{r:?}"),
                    "visit" => {
                        if p[9] != r[9] {
                            cycles_seen += 1;
                            assert!(
                                matches!(p[2], "end" | "message"),
                                "a new cycle starts after an end"
                            );
                        }
                    }
                    other => panic!("unknown event {other}"),
                }
            }
        }
        // No options in a journey without options; `cause` only on pain rows.
        assert_eq!(r[8], "");
        assert_eq!(r[5].is_empty(), r[2] != "pain");
    }
    assert_eq!(customers.len(), 3000);
    assert!(
        cycles_seen > 300,
        "the lifecycle brings customers back: {cycles_seen}"
    );
    // The abandoned-bag e-mail fires 3h after the end it follows.
    assert!(
        rows.iter()
            .any(|r| r[2] == "message" && r[6] == "bag_rescue")
    );
}

#[test]
fn json_lines_and_arrivals() {
    let dir = tempfile::tempdir().unwrap();
    let log = events(
        TINY,
        &dir.path().join("tiny.jsonl"),
        &[
            "-n",
            "2000",
            "--start",
            "2026-03-01T08:00:00+01:00",
            "--arrivals",
            "30d",
        ],
    );
    let mut first = Vec::new();
    let mut last_customer = String::new();
    for line in log.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let c = v["customer"].as_str().unwrap().to_string();
        let t = v["time"].as_str().unwrap().to_string();
        assert!(v["cycle"].as_u64() == Some(1));
        assert!(v["segment"].is_string());
        if c != last_customer {
            first.push(t);
            last_customer = c;
        }
    }
    assert_eq!(first.len(), 2000);
    first.sort();
    // Spread over 30 days from 07:00 UTC on 1 March.
    assert!(
        first[0].as_str() >= "2026-03-01T07:00:00.000Z",
        "{}",
        first[0]
    );
    assert!(first[0].as_str() < "2026-03-02", "{}", first[0]);
    assert!(first[1999].as_str() > "2026-03-29", "{}", first[1999]);
    assert!(
        first[1999].as_str() <= "2026-03-31T07:00:00.000Z",
        "{}",
        first[1999]
    );
}

#[test]
fn bad_arguments_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.txt");
    let (code, _, err) = journeyc(&["simulate", TINY, "--events", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(".csv, .jsonl or .parquet"), "{err}");
    let out = dir.path().join("x.csv");
    let (code, _, err) = journeyc(&[
        "simulate",
        TINY,
        "--events",
        out.to_str().unwrap(),
        "--start",
        "tomorrow",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("RFC 3339"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn parquet_logs_are_deterministic_and_read_back_like_csv() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let run = |out: &Path, threads: &str| {
        let (code, _, err) = journeyc(&[
            "simulate",
            TINY,
            "--events",
            out.to_str().unwrap(),
            "-n",
            "5000",
            "--seed",
            "3",
            "--threads",
            threads,
        ]);
        assert_eq!(code, 0, "{err}");
        std::fs::read(out).unwrap()
    };
    let one = run(&p("a.parquet"), "1");
    assert_eq!(one, run(&p("b.parquet"), "2"));
    assert_eq!(&one[..4], b"PAR1");
    run(&p("a.csv"), "1");
    let fit = |log: &Path| {
        let (code, out, err) = journeyc(&["fit", TINY, log.to_str().unwrap(), "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["log"] = serde_json::Value::Null;
        v
    };
    assert_eq!(fit(&p("a.parquet")), fit(&p("a.csv")));
    // A truncated file is refused, naming the problem.
    std::fs::write(p("cut.parquet"), &one[..one.len() / 2]).unwrap();
    let (code, out, err) = journeyc(&["fit", TINY, p("cut.parquet").to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.contains("not a readable Parquet file"), "{err}");
}

#[test]
fn the_log_holds_exactly_the_customers_the_report_counts() {
    // The same seed's report: visits, pain points and endings per touchpoint, firings per
    // trigger, as means over the customers; the log's rows must add up to exactly those.
    let n = 7919;
    let dir = tempfile::tempdir().unwrap();
    let log = events(
        TINY,
        &dir.path().join("t.csv"),
        &["-n", &n.to_string(), "--seed", "5"],
    );
    let (code, report, err) = journeyc(&[
        "simulate",
        TINY,
        "-n",
        &n.to_string(),
        "--seed",
        "5",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&report).unwrap();
    let all = &v["all"];
    let total = |x: &serde_json::Value| (x["value"].as_f64().unwrap() * n as f64).round() as usize;
    let rows: Vec<Vec<&str>> = log
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let count = |f: &dyn Fn(&Vec<&str>) -> bool| rows.iter().filter(|r| f(r)).count();
    for tp in ["home", "bag", "pay"] {
        let t = &all["touchpoints"][tp];
        assert_eq!(
            count(&|r| r[2] == "visit" && r[3] == tp),
            total(&t["visits"]),
            "{tp} visits"
        );
        assert_eq!(
            count(&|r| r[2] == "pain" && r[3] == tp),
            total(&t["pains"]),
            "{tp} pains"
        );
        // The report counts where each customer's journey finally ended: their last `end`.
        for outcome in ["abandoned", "left", "completed"] {
            let last_ends = rows
                .iter()
                .enumerate()
                .filter(|(i, r)| {
                    r[2] == "end"
                        && !rows[i + 1..]
                            .iter()
                            .take_while(|x| x[0] == r[0])
                            .any(|x| x[2] == "end")
                })
                .filter(|(_, r)| r[3] == tp && r[7] == outcome)
                .count();
            assert_eq!(last_ends, total(&t["ended"][outcome]), "{tp} {outcome}");
        }
    }
    let firings = count(&|r| r[2] == "message" && r[6] == "rescue");
    assert!(firings > 0);
    assert_eq!(
        firings,
        total(&all["triggers"]["rescue"]["firings"]),
        "{}",
        all["triggers"]
    );
}
