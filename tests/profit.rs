//! `profit` (revenue − cost per customer, LANGUAGE-2.md §2), the figure that demonstrates the
//! figure registry: a KPI in `check`, judged by `simulate`, `analyze`, `compare` and
//! `report`, and a figure of every output.

use crate::common;
use common::journeyc_in;

/// Revenue 30 at `b` (reached by 60%), cost 0.5 per visit (1.6 visits): profit 17.2 per
/// customer; the scenario makes `b` likelier (80%: 24 − 0.9 = 23.1).
const JOURNEY: &str = "journey t {
  channel web digital { cost 0.5 }
  stage s {
    touchpoint a on web { entry duration 2m -> b 60% -> exit }
    touchpoint b on web { goal buy value 30 }
  }
  kpi profit >= 15
  kpi profit > 20
  scenario better {
    touchpoint a { -> b 80% -> exit }
  }
}
";

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.journey"), JOURNEY).unwrap();
    dir
}

#[test]
fn profit_is_a_kpi_that_check_accepts_and_analyze_judges_exactly() {
    let dir = setup();
    let (code, out, err) = journeyc_in(dir.path(), &["check", "t.journey"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = journeyc_in(dir.path(), &["analyze", "--format", "json", "t.journey"]);
    assert_eq!(code, 0, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let profit = json["all"]["profit"].as_f64().unwrap();
    assert!((profit - 17.2).abs() < 1e-9, "{profit}");
    let kpis = json["kpis"].as_array().unwrap();
    let status: Vec<&str> = kpis.iter().map(|k| k["status"].as_str().unwrap()).collect();
    assert_eq!(status, ["pass", "fail"], "{kpis:?}");
    let (_, table, _) = journeyc_in(dir.path(), &["analyze", "t.journey"]);
    assert!(table.contains("profit per customer"), "{table}");
    assert!(table.contains("17.20"), "{table}");
    // A target in the wrong unit is refused, as for any money figure.
    let wrong = JOURNEY.replace("kpi profit >= 15", "kpi profit >= 2d");
    std::fs::write(dir.path().join("wrong.journey"), wrong).unwrap();
    let (code, out, err) = journeyc_in(dir.path(), &["check", "wrong.journey"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("a plain number"),
        "{out}{err}"
    );
}

#[test]
fn simulate_estimates_profit_and_judges_its_kpis() {
    let dir = setup();
    let (code, out, err) = journeyc_in(
        dir.path(),
        &[
            "simulate",
            "-n",
            "200000",
            "--seed",
            "4",
            "--format",
            "json",
            "t.journey",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let p = &json["all"]["profit"];
    let (low, high) = (p["low"].as_f64().unwrap(), p["high"].as_f64().unwrap());
    assert!(low < 17.2 && 17.2 < high, "{p}");
    let verdicts: Vec<&str> = json["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["status"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["pass", "fail"], "{json}");
    let (code, table, err) = journeyc_in(dir.path(), &["simulate", "-n", "20000", "t.journey"]);
    assert_eq!(code, 0, "{err}");
    assert!(table.contains("profit per customer"), "{table}");
    let (code, csv, err) = journeyc_in(
        dir.path(),
        &["simulate", "-n", "20000", "--format", "csv", "t.journey"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(csv.contains("all,summary,,profit,"), "{csv}");
}

#[test]
fn compare_and_report_show_the_profit_difference() {
    let dir = setup();
    let (code, out, err) = journeyc_in(
        dir.path(),
        &[
            "compare",
            "-n",
            "100000",
            "--seed",
            "2",
            "--scenario",
            "better",
            "--format",
            "json",
            "t.journey",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let deltas = json["comparisons"][0]["figures"]
        .as_array()
        .expect("figures");
    let d = deltas
        .iter()
        .find(|d| d["name"] == "profit per customer")
        .expect("a profit row");
    let exact = d["exact_difference"].as_f64().unwrap();
    assert!((exact - (23.1 - 17.2)).abs() < 1e-9, "{d}");
    let (low, high) = (
        d["difference"]["low"].as_f64().unwrap(),
        d["difference"]["high"].as_f64().unwrap(),
    );
    assert!(low < exact && exact < high, "{d}");
    assert_eq!(d["paired"], true);
    let html = dir.path().join("r.html");
    let (code, out, err) = journeyc_in(
        dir.path(),
        &[
            "report",
            "t.journey",
            "-n",
            "20000",
            "--scenario",
            "better",
            "-o",
            html.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let page = std::fs::read_to_string(&html).unwrap();
    // The scenario table's profit row, and the KPIs.
    assert!(page.contains("Profit per customer"), "no profit row");
    assert!(
        page.contains("data-kpi=\"profit &gt;= 15\""),
        "no profit KPI"
    );
}
