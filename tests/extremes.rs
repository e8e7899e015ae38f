//! Numbers at the extremes (issue #11): sums within the one tolerance of the language are
//! accepted by `check` and solved by every exact command; sums past it are J0202.

use crate::common;
use common::journeyc_in;
use std::path::Path;

/// A journey whose touchpoint `a` has three transitions of `p` percent each, and a scenario.
fn thirds(dir: &Path, p: &str) -> String {
    let text = format!(
        "journey j {{\n  channel web digital\n  stage s {{\n    touchpoint a on web {{\n      entry\n      -> x {p}%\n      -> y {p}%\n      -> exit {p}%\n    }}\n    touchpoint x on web {{ goal g }}\n    touchpoint y on web {{ -> a 50% -> exit }}\n  }}\n  scenario more {{\n    touchpoint y {{ -> a 60% -> exit }}\n  }}\n}}\n"
    );
    let name = format!("t{p}.journey");
    std::fs::write(dir.join(&name), text).unwrap();
    name
}

/// `check` accepts it, and `analyze`, `levers`, `simulate --exact`, `compare --exact` solve it.
fn all_solve(dir: &Path, file: &str) {
    let (code, out, err) = journeyc_in(dir, &["check", file]);
    assert_eq!(code, 0, "check {file}: {out}{err}");
    for args in [
        vec!["analyze", file],
        vec!["levers", file],
        vec!["simulate", "--exact", "--customers", "2000", file],
        vec!["compare", "--scenario", "more", "--customers", "2000", file],
    ] {
        let (code, out, err) = journeyc_in(dir, &args);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        assert!(!err.contains("not accurate"), "{args:?}: {err}");
    }
    let (_, out, _) = journeyc_in(dir, &["analyze", file]);
    assert!(out.contains("40.00%"), "conversion is 40%: {out}");
}

fn refused(dir: &Path, file: &str, sum: &str) {
    for cmd in ["check", "analyze"] {
        let (code, out, err) = journeyc_in(dir, &[cmd, file]);
        assert_eq!(code, 1, "{cmd} {file}: {out}{err}");
        let all = format!("{out}{err}");
        assert!(all.contains("J0202"), "{cmd} {file}: {all}");
        assert!(
            all.contains(&format!("add up to {sum}%")),
            "{cmd} {file}: {all}"
        );
    }
}

#[test]
fn three_thirds_at_several_precisions() {
    let dir = tempfile::tempdir().unwrap();
    // 99.99% is 10⁻⁴ off: past the tolerance of 10⁻⁶.
    let f = thirds(dir.path(), "33.33");
    refused(dir.path(), &f, "99.99");
    for p in ["33.3333", "33.33333", "33.333333", "33.33334"] {
        let f = thirds(dir.path(), p);
        all_solve(dir.path(), &f);
    }
}

#[test]
fn rows_just_inside_and_just_outside_the_tolerance() {
    let dir = tempfile::tempdir().unwrap();
    let row = |name: &str, a: &str, b: &str| {
        let text = format!(
            "journey j {{\n  channel web digital\n  stage s {{\n    touchpoint a on web {{\n      entry\n      -> x {a}%\n      -> exit {b}%\n    }}\n    touchpoint x on web {{ goal g }}\n  }}\n  scenario more {{\n    touchpoint x {{ emotion +1 }}\n  }}\n}}\n"
        );
        std::fs::write(dir.path().join(name), text).unwrap();
    };
    // Exactly 10⁻⁶ below and above 100%: inside.
    row("low_in.journey", "40", "59.9999");
    row("high_in.journey", "40", "60.0001");
    // 2·10⁻⁶ off: outside.
    row("low_out.journey", "40", "59.9998");
    row("high_out.journey", "40", "60.0002");
    for f in ["low_in.journey", "high_in.journey"] {
        let (code, out, err) = journeyc_in(dir.path(), &["check", f]);
        assert_eq!(code, 0, "check {f}: {out}{err}");
        for args in [
            vec!["analyze", f],
            vec!["levers", f],
            vec!["simulate", "--exact", "--customers", "2000", f],
            vec!["compare", "--scenario", "more", "--customers", "2000", f],
        ] {
            let (code, out, err) = journeyc_in(dir.path(), &args);
            assert_eq!(code, 0, "{args:?}: {out}{err}");
        }
    }
    refused(dir.path(), "low_out.journey", "99.9998");
    let (code, out, err) = journeyc_in(dir.path(), &["check", "high_out.journey"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("100.0002%, more than 100%"),
        "{out}{err}"
    );
}

/// A journey where half the customers reach goal `g` at touchpoint `b`, which has `attrs`.
fn half(dir: &Path, name: &str, attrs: &str) -> String {
    let text = format!(
        "journey j {{\n  channel web digital\n  stage s {{\n    touchpoint a on web {{\n      entry\n      -> b 50%\n      -> exit\n    }}\n    touchpoint b on web {{ goal g {attrs} }}\n  }}\n}}\n"
    );
    let name = format!("{name}.journey");
    std::fs::write(dir.join(&name), text).unwrap();
    name
}

/// `check` refuses `file` with J0205 naming `limit`, and so does `simulate`.
fn past_limit(dir: &Path, file: &str, limit: &str) {
    for args in [vec!["check", file], vec!["simulate", "-n", "1000", file]] {
        let (code, out, err) = journeyc_in(dir, &args);
        let all = format!("{out}{err}");
        assert_eq!(code, 1, "{args:?}: {all}");
        assert!(all.contains("J0205"), "{args:?}: {all}");
        assert!(
            all.contains(&format!("past the limit of {limit}")),
            "{args:?}: {all}"
        );
        assert!(all.contains("help:"), "{args:?}: {all}");
        assert!(!all.contains("runs backwards"), "{args:?}: {all}");
    }
}

/// The `(value, low, high)` of summary figure `name` in `simulate --format csv`.
fn simulated(dir: &Path, file: &str, name: &str) -> Option<(f64, f64, f64)> {
    let (code, out, err) = journeyc_in(
        dir,
        &[
            "simulate", "-n", "10000", "--seed", "7", "--format", "csv", file,
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with(&format!("all,summary,,{name},")))
        .unwrap_or_else(|| panic!("no {name} in {out}"));
    let f: Vec<&str> = line.split(',').skip(4).take(3).collect();
    if f.iter().all(|x| x.is_empty()) {
        return None;
    }
    let p = |x: &str| x.parse::<f64>().unwrap_or_else(|_| panic!("{line}"));
    Some((p(f[0]), p(f[1]), p(f[2])))
}

/// The interval of `name` contains `exact`, and is not of zero width.
fn contains(dir: &Path, file: &str, name: &str, exact: f64) {
    let (v, lo, hi) = simulated(dir, file, name).expect("a figure");
    assert!(lo < hi, "{name}: zero-width interval {v} {lo}..{hi}");
    assert!(
        lo <= exact && exact <= hi,
        "{name}: {exact} not in {lo}..{hi} ({v})"
    );
}

#[test]
fn money_past_the_limit_is_j0205_and_at_the_limit_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = half(d, "value2e12", "value 2000000000000");
    past_limit(d, &f, "100000000000");
    let f = half(d, "cost2e12", "cost 2000000000000");
    past_limit(d, &f, "100000000000");
    // At the limit: 50% convert with 10¹¹ each, 5·10¹⁰ per customer.
    let f = half(d, "value1e11", "value 100000000000");
    contains(d, &f, "revenue_per_customer", 5e10);
    let f = half(d, "cost1e11", "cost 100000000000");
    contains(d, &f, "cost_per_customer", 5e10);
}

#[test]
fn emotion_past_the_limit_is_j0205_and_at_the_limit_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = half(d, "e_max", "emotion +2147483647");
    past_limit(d, &f, "±1000000");
    let f = half(d, "e_min", "emotion -2147483648");
    past_limit(d, &f, "±1000000");
    let f = half(d, "e_lim", "emotion +1000000");
    contains(d, &f, "sentiment", 5e5);
    let f = half(d, "e_neg", "emotion -1000000");
    contains(d, &f, "sentiment", -5e5);
}

#[test]
fn time_past_the_limit_is_j0205_and_at_the_limit_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = half(d, "d_big", "duration 1d..99999999999d");
    past_limit(d, &f, "100000000d");
    // Uniform on 1d..10⁸d: the mean is (10⁸ + 1)/2 days.
    let f = half(d, "d_lim", "duration 1d..100000000d");
    contains(d, &f, "time_to_convert_mean", (1e8 + 1.0) / 2.0 * 86_400.0);
    // The median of the same uniform distribution.
    contains(d, &f, "time_to_convert_p50", (1e8 + 1.0) / 2.0 * 86_400.0);
}

#[test]
fn percentiles_past_the_histogram_are_not_available() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // About ten visits of up to 10⁸ days: times past the histogram's 2⁴³ s.
    let text = "journey j {\n  channel web digital\n  stage s {\n    touchpoint a on web {\n      entry\n      duration 1d..100000000d\n      -> a 90%\n      -> b\n    }\n    touchpoint b on web { goal g }\n  }\n}\n";
    std::fs::write(d.join("loop.journey"), text).unwrap();
    // Mean (10 visits of (10⁸ + 1)/2 days): exact.
    contains(
        d,
        "loop.journey",
        "time_to_convert_mean",
        10.0 * (1e8 + 1.0) / 2.0 * 86_400.0,
    );
    for p in ["p50", "p90", "p99"] {
        let got = simulated(d, "loop.journey", &format!("time_to_convert_{p}"));
        assert_eq!(got, None, "{p}: a clamped percentile was printed");
    }
    let (code, out, err) = journeyc_in(d, &["simulate", "-n", "10000", "loop.journey"]);
    assert_eq!(code, 0, "{out}{err}");
    let p50 = out
        .lines()
        .find(|l| l.contains("time to convert, p50"))
        .unwrap();
    assert!(p50.contains("n/a"), "{p50}");
}

#[test]
fn wide_sentiment_sums_survive_shards() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // About 100 visits of +1000000: Σ sentiment² past 2⁶⁴ in each shard.
    let text = "journey j {\n  channel web digital\n  stage s {\n    touchpoint a on web {\n      entry\n      emotion +1000000\n      -> a 99%\n      -> b\n    }\n    touchpoint b on web { goal g }\n  }\n}\n";
    std::fs::write(d.join("big.journey"), text).unwrap();
    contains(d, "big.journey", "sentiment", 1e8);
    let run = |args: &[&str]| {
        let (code, out, err) = journeyc_in(d, args);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        out
    };
    for k in ["1/2", "2/2"] {
        let out = run(&[
            "simulate",
            "-n",
            "10000",
            "--seed",
            "7",
            "--shard",
            k,
            "big.journey",
        ]);
        std::fs::write(d.join(format!("s{}.json", &k[..1])), out).unwrap();
    }
    let merged = run(&["merge", "--format", "csv", "s1.json", "s2.json"]);
    let single = run(&[
        "simulate",
        "-n",
        "10000",
        "--seed",
        "7",
        "--format",
        "csv",
        "big.journey",
    ]);
    let line = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("all,summary,,sentiment,"))
            .unwrap()
            .to_string()
    };
    assert_eq!(line(&merged), line(&single));
}

#[test]
fn clipped_totals_are_not_available_never_clamped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Visits costing 10¹¹ around a 50% loop: a customer of 6 visits or more passes the
    // walk's 64-bit total (2⁶³ units of 2⁻²⁴), about 3% of them.
    let text = "journey j {\n  channel web digital\n  stage s {\n    touchpoint a on web {\n      entry\n      cost 100000000000\n      -> a 50%\n      -> b\n    }\n    touchpoint b on web { goal g value 10 }\n  }\n}\n";
    std::fs::write(d.join("clip.journey"), text).unwrap();
    for name in [
        "cost_per_customer",
        "cost_per_conversion",
        "revenue_per_customer",
        "time_to_convert_mean",
    ] {
        let got = simulated(d, "clip.journey", name);
        assert_eq!(got, None, "{name}: a clamped total was printed");
    }
    // Figures that are not made of those totals stay.
    contains(d, "clip.journey", "touches", 3.0);
    let (code, out, err) = journeyc_in(d, &["simulate", "-n", "10000", "clip.journey"]);
    assert_eq!(code, 0, "{out}{err}");
    let line = out
        .lines()
        .find(|l| l.contains("cost per customer"))
        .unwrap();
    assert!(line.contains("n/a"), "{line}");
    let (code, out, err) = journeyc_in(
        d,
        &[
            "simulate",
            "-n",
            "10000",
            "--format",
            "json",
            "clip.journey",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let cost = &json["all"]["cost_per_customer"];
    assert!(cost["value"].is_null() && cost["low"].is_null(), "{cost}");
    // The exact analysis has no such limit: 2 visits of 10¹¹ per customer.
    let (code, out, err) = journeyc_in(d, &["analyze", "--format", "json", "clip.journey"]);
    assert_eq!(code, 0, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let exact = json["all"]["cost_per_customer"].as_f64().unwrap();
    assert!((exact - 2e11).abs() < 1.0, "{exact}");
    // Within the walk's range (cost 10⁶: 2⁶³ units are 5·10¹¹ visits away) it is a number.
    std::fs::write(
        d.join("fine.journey"),
        text.replace("100000000000", "1000000"),
    )
    .unwrap();
    contains(d, "fine.journey", "cost_per_customer", 2e6);
}

#[test]
fn max_steps_past_the_limit_is_j0205() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "journey j {\n  max_steps 1000000001\n  channel web digital\n  stage s {\n    touchpoint a on web { entry -> b 50% -> exit }\n    touchpoint b on web { goal g }\n  }\n}\n";
    std::fs::write(d.join("steps.journey"), text).unwrap();
    past_limit(d, "steps.journey", "1000000000");
    std::fs::write(
        d.join("ok.journey"),
        text.replace("1000000001", "1000000000"),
    )
    .unwrap();
    let (code, out, err) = journeyc_in(d, &["check", "ok.journey"]);
    assert_eq!(code, 0, "{out}{err}");
}
