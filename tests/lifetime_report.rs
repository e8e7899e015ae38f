//! The lifetime figures (LANGUAGE-2.md §3) in the reports, through the real binary (cwd = the
//! package root): snapshots of `simulate` (table, JSON) and `analyze` (table, JSON) and of the
//! HTML report's lifetime section for a journey with a lifecycle; the simulated and exact
//! lifetime figures agree; the report's cohort chart stays inside its view box; and a
//! version-1 journey's outputs show no lifetime figure.

use crate::common;

use serde_json::Value;

use common::{analyze, report, section, simulate};

const SHOP: &str = "tests/fixtures/v2/shop_as_is.journey";
const V1: [&str; 3] = [
    "examples/checkout.journey",
    "examples/onboarding.journey",
    "examples/support.journey",
];
/// The summary keys of the lifetime figures, in report order.
const KEYS: [&str; 8] = [
    "cycles",
    "purchases",
    "retention_1",
    "retention_2",
    "retention_3",
    "lifetime_cost",
    "lifetime_revenue",
    "clv",
];

#[test]
fn simulate_snapshots() {
    let table = simulate(SHOP, &["--exact"]);
    assert!(
        table.lines().all(|l| l.chars().count() <= 100),
        "a line is wider than 100 columns"
    );
    insta::assert_snapshot!("lifetime_simulate_table", table);
    insta::assert_snapshot!(
        "lifetime_simulate_json",
        simulate(SHOP, &["--exact", "--format", "json"])
    );
}

#[test]
fn analyze_snapshots() {
    let table = analyze(SHOP, &[]);
    assert!(
        table.lines().all(|l| l.chars().count() <= 100),
        "a line is wider than 100 columns"
    );
    insta::assert_snapshot!("lifetime_analyze_table", table);
    insta::assert_snapshot!(
        "lifetime_analyze_json",
        analyze(SHOP, &["--format", "json"])
    );
}

#[test]
fn report_lifetime_snapshot() {
    let html = report(SHOP, &[]);
    insta::assert_snapshot!("lifetime_report_section", section(&html, "lifetime"));
}

/// Every summary names the lifetime figures, in the same order; `--exact` writes the values
/// `analyze` computes, and the simulated ones are within reach of them.
#[test]
fn simulated_and_exact_lifetime_figures_agree() {
    let sim_text = simulate(SHOP, &["--exact", "--format", "json"]);
    let exact_text = analyze(SHOP, &["--format", "json"]);
    // In report order (`all`'s figures are indented by four spaces).
    for text in [&sim_text, &exact_text] {
        let at: Vec<usize> = KEYS
            .iter()
            .map(|k| text.find(&format!("\n    \"{k}\": ")).expect(k))
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    }
    let sim: Value = serde_json::from_str(&sim_text).unwrap();
    let exact: Value = serde_json::from_str(&exact_text).unwrap();
    let mut populations = vec![("all", &sim["all"], &exact["all"])];
    for (name, s) in sim["segments"].as_object().unwrap() {
        populations.push((name, s, &exact["segments"][name]));
    }
    assert_eq!(populations.len(), 4);
    for (pop, s, x) in populations {
        for key in KEYS {
            let e = &s[key];
            let x = x[key].as_f64().unwrap_or_else(|| panic!("{pop} {key}"));
            assert_eq!(e["exact"].as_f64(), Some(x), "{pop} {key}");
            let (low, high) = (e["low"].as_f64().unwrap(), e["high"].as_f64().unwrap());
            // Four half-widths: a failure here is a bias, not bad luck.
            let slack = 2.0 * (high - low);
            assert!(
                low - slack <= x && x <= high + slack,
                "{pop} {key}: {x} outside {low}..{high}"
            );
        }
    }
    // The CSV: one summary row per lifetime figure, and the cohort curve.
    let csv = simulate(SHOP, &["--exact", "--format", "csv"]);
    assert!(csv.contains("\nall,cohort,0,starting_a_cycle,1,"));
    for key in KEYS {
        assert!(
            csv.lines()
                .any(|l| l.starts_with(&format!("all,summary,,{key},"))),
            "{key}"
        );
    }
    // The tables: one row each, labelled as KPIs write them.
    for text in [simulate(SHOP, &[]), analyze(SHOP, &[])] {
        for label in [
            "cycles per customer",
            "purchases per customer",
            "retention(1)",
            "retention(2)",
            "retention(3)",
            "lifetime cost",
            "lifetime revenue",
            "│ clv ",
        ] {
            assert!(text.contains(label), "{label}");
        }
    }
}

/// The report's key figures, scenario rows and CLV panel carry the lifetime figures, with the
/// values of simulate's JSON; its cohort chart stays inside its view box.
#[test]
fn the_report_shows_the_lifetime_figures() {
    let html = report(SHOP, &["--scenario", "size_chart_fix"]);
    let sim: Value = serde_json::from_str(&simulate(SHOP, &["--format", "json"])).unwrap();
    for key in KEYS {
        let value = sim["all"][key]["value"].as_f64().unwrap();
        let tag = format!("data-figure=\"{key}\" data-value=\"{value}\"");
        assert!(html.contains(&tag), "{tag}");
        assert!(
            html.contains(&format!("data-figure=\"compare.{key}\"")),
            "compare.{key}"
        );
    }
    let life = section(&html, "lifetime");
    for key in [
        "clv",
        "cycles",
        "purchases",
        "retention_1",
        "retention_2",
        "retention_3",
    ] {
        let value = sim["all"][key]["value"].as_f64().unwrap();
        let tag = format!("data-figure=\"all.{key}\" data-value=\"{value}\"");
        assert!(life.contains(&tag), "{tag}");
        for (name, seg) in sim["segments"].as_object().unwrap() {
            let value = seg[key]["value"].as_f64().unwrap();
            let tag = format!(
                "data-figure=\"segment.{key}\" data-segment=\"{name}\" data-value=\"{value}\""
            );
            assert!(life.contains(&tag), "{tag}");
        }
    }
    // The cohort curve: simulate's `cohort_months`, month 0 holding everyone's first cycle.
    let months = sim["all"]["cohort_months"].as_array().unwrap();
    assert!(months.len() > 3);
    assert_eq!(months[0]["value"].as_f64(), Some(1.0));
    for (m, e) in months.iter().enumerate() {
        let value = e["value"].as_f64().unwrap();
        if value > 0.0 {
            let tag = format!("data-figure=\"lifetime.month.{m}\" data-value=\"{value}\"");
            assert!(life.contains(&tag), "{tag}");
        }
    }
    assert!(html.contains("<li><a href=\"#lifetime\">Lifetime</a></li>"));
    // Then the triggers (the journey has one), KPIs, findings and scenarios.
    assert!(html.contains("<h2>5. Lifetime</h2>") && html.contains("<h2>6. Triggers</h2>"));
    assert!(html.contains("<h2>7. KPIs</h2>") && html.contains("<h2>9. Scenarios</h2>"));
    let start = life.find("<svg").expect("the cohort chart");
    let end = life[start..].find("</svg>").unwrap() + start;
    assert_eq!(geometry_problems(&life[start..end]), Vec::<String>::new());
}

/// Every coordinate of an SVG's geometry is a finite number inside its view box.
fn geometry_problems(svg: &str) -> Vec<String> {
    let attr = |name: &str| -> Vec<String> {
        let needle = format!(" {name}=\"");
        svg.match_indices(&needle)
            .map(|(i, _)| {
                let rest = &svg[i + needle.len()..];
                rest[..rest.find('"').unwrap()].to_string()
            })
            .collect()
    };
    let view: Vec<f64> = attr("viewBox")[0]
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    let (w, h) = (view[2], view[3]);
    let mut problems = Vec::new();
    let mut check = |name: &str, v: &str, limit: f64| match v.parse::<f64>() {
        Ok(x) if x.is_finite() && (-0.05..=limit + 0.05).contains(&x) => {}
        _ => problems.push(format!("{name}={v} outside 0..{limit}")),
    };
    for name in ["x", "x1", "x2", "cx"] {
        for v in attr(name) {
            check(name, &v, w);
        }
    }
    for name in ["y", "y1", "y2", "cy"] {
        for v in attr(name) {
            check(name, &v, h);
        }
    }
    for points in attr("points") {
        for p in points.split_whitespace() {
            let (x, y) = p.split_once(',').unwrap();
            check("points x", x, w);
            check("points y", y, h);
        }
    }
    problems
}

/// A version-1 journey has no lifecycle: none of its outputs names a lifetime figure, and its
/// page has no lifetime section.
#[test]
fn version_1_outputs_have_no_lifetime_figures() {
    for file in V1 {
        for json in [
            simulate(file, &["--exact", "--format", "json"]),
            analyze(file, &["--format", "json"]),
        ] {
            let v: Value = serde_json::from_str(&json).unwrap();
            let mut stack = vec![&v];
            while let Some(v) = stack.pop() {
                match v {
                    Value::Object(m) => {
                        for (k, x) in m {
                            assert!(!KEYS.contains(&k.as_str()), "{file}: key {k}");
                            assert_ne!(k, "cohort_months", "{file}");
                            stack.push(x);
                        }
                    }
                    Value::Array(a) => stack.extend(a),
                    _ => {}
                }
            }
        }
        let csv = simulate(file, &["--exact", "--format", "csv"]);
        for line in csv.lines() {
            let figure = line.split(',').nth(3).unwrap_or("");
            assert!(!KEYS.contains(&figure), "{file}: {line}");
            assert_ne!(line.split(',').nth(1), Some("cohort"), "{file}: {line}");
        }
        for text in [simulate(file, &["--exact"]), analyze(file, &[])] {
            for word in ["cycles", "purchases", "retention", "lifetime", "clv"] {
                assert!(!text.contains(word), "{file}: {word}");
            }
        }
        let html = report(file, &[]);
        assert!(!html.contains("id=\"lifetime\""), "{file}");
        assert!(!html.contains("href=\"#lifetime\""), "{file}");
        for key in KEYS {
            assert!(!html.contains(&format!("data-figure=\"{key}\"")), "{file}");
            assert!(!html.contains(&format!("compare.{key}\"")), "{file}");
        }
    }
}

/// `report --exact`: the CLV panel shows `analyze`'s value under each estimate (the shop's
/// exact clv is 12.62, per tests/data/v2/expected.json); without it, no exact value.
#[test]
fn the_clv_panel_shows_exact_values_with_report_exact() {
    let with = report(SHOP, &["--exact"]);
    let panel = section(&with, "lifetime");
    assert!(panel.contains("<small>exact 12.62</small>"), "{panel}");
    let without = report(SHOP, &[]);
    assert!(!section(&without, "lifetime").contains("<small>exact"));
}
