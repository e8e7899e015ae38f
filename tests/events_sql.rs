//! `fit --emit-sql` and `--counts`: the SQL run for real in DuckDB (its Python package, which
//! `.ci/run` installs; without it the test fails saying so) on logs made by `simulate --events`,
//! with and without `end` rows; the counts it gives make `fit` and `conform` say what they
//! say from the log itself.

use crate::common;

use common::journeyc;
use std::path::Path;

const SHOP: &str = "tests/fixtures/v2/shop_as_is.journey";

/// Runs `sql` in DuckDB over `log` (loaded as table `events` with `ord`, the row number) and
/// writes the counts table to `out`; false when DuckDB is not there.
fn duckdb(sql: &Path, log: &Path, out: &Path) -> bool {
    let script = format!(
        r#"
import csv, sys
try:
    import duckdb
except ImportError:
    sys.exit(3)
con = duckdb.connect()
con.execute("CREATE TABLE events AS SELECT *, row_number() OVER () AS ord FROM read_csv('{log}', all_varchar=true, header=true)")
rows = con.execute(open('{sql}').read()).fetchall()
with open('{out}', 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(['segment', 'touchpoint', 'option', 'measure', 'target', 'n'])
    for r in rows:
        w.writerow(['' if x is None else x for x in r])
"#,
        log = log.display(),
        sql = sql.display(),
        out = out.display()
    );
    let status = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .status();
    match status.map(|s| s.code()) {
        Ok(Some(0)) => true,
        Ok(Some(3)) | Err(_) => panic!(
            "DuckDB's Python package is needed by this test: pip install duckdb (.ci/run does)"
        ),
        other => panic!("the DuckDB script failed: {other:?}"),
    }
}

/// `fit … --format json` without the fields that name the input.
fn estimates(args: &[&str]) -> Vec<serde_json::Value> {
    let (code, out, err) = journeyc(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["estimates"].as_array().unwrap().clone()
}

fn close(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9,
        _ => a == b,
    }
}

#[test]
fn counts_from_the_sql_are_the_counts_of_fits_own_pass() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let (code, sql, err) = journeyc(&["fit", SHOP, "--emit-sql"]);
    assert_eq!(code, 0, "{err}");
    assert!(sql.contains("ROW_NUMBER() OVER (PARTITION BY customer ORDER BY t, ord)"));
    std::fs::write(p("q.sql"), &sql).unwrap();
    let (code, _, err) = journeyc(&[
        "simulate",
        SHOP,
        "--events",
        p("log.csv").to_str().unwrap(),
        "-n",
        "20000",
        "--seed",
        "4",
    ]);
    assert_eq!(code, 0, "{err}");
    // The same log without its `end` rows.
    let text = std::fs::read_to_string(p("log.csv")).unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.contains(",end,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(p("noend.csv"), without).unwrap();
    for (log, counts, exact) in [
        ("log.csv", "counts.csv", true),
        ("noend.csv", "counts_noend.csv", false),
    ] {
        if !duckdb(&p("q.sql"), &p(log), &p(counts)) {
            return;
        }
        let direct = estimates(&["fit", SHOP, p(log).to_str().unwrap(), "--format", "json"]);
        let via = estimates(&[
            "fit",
            SHOP,
            "--counts",
            p(counts).to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert_eq!(direct.len(), via.len());
        for (a, b) in direct.iter().zip(&via) {
            if exact {
                assert_eq!(a, b);
            } else {
                // Without `end` rows the declared chances are summed in another order.
                for (k, x) in a.as_object().unwrap() {
                    assert!(close(x, &b[k]), "{k}: {a} vs {b}");
                }
            }
        }
    }
    // conform reads counts too.
    let (code, out, err) = journeyc(&[
        "conform",
        SHOP,
        "--counts",
        p("counts.csv").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn every_dialect_is_printed_and_bad_counts_are_refused() {
    for dialect in ["duckdb", "postgres", "bigquery", "spark"] {
        let (code, sql, err) = journeyc(&[
            "fit",
            SHOP,
            "--emit-sql",
            "--dialect",
            dialect,
            "--table",
            "shop.events",
        ]);
        assert_eq!(code, 0, "{dialect}: {err}");
        assert!(sql.contains("FROM shop.events"), "{dialect}");
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "segment,touchpoint,option,measure,target,n\ntrendsetter,nowhere,,visit,,3\n",
    )
    .unwrap();
    let (code, _, err) = journeyc(&["fit", SHOP, "--counts", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 2: unknown touchpoint `nowhere`"),
        "{err}"
    );
}
