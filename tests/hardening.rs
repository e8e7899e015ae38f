//! Issue #11's smaller items, reproduced through the real binary: a lone CR ends a comment
//! line; commands that run a journey refuse one with errors; label and CSV nits.

use crate::common;

use common::journeyc_in;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn a_lone_cr_ends_a_comment_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = "# old Mac line ends\rjourney j {\r  channel web digital\r  stage s {\r    \
                touchpoint a on web { entry goal done }\r  }\r}\r";
    write(dir.path(), "cr.journey", text);
    let (code, stdout, stderr) = journeyc_in(dir.path(), &["check", "cr.journey"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("1 file: 0 errors"), "{stdout}");
    // The journey is seen: it simulates (before, "is a library").
    let (code, stdout, stderr) = journeyc_in(dir.path(), &["simulate", "cr.journey", "-n", "100"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Journey `j`"), "{stdout}");
}

#[test]
fn commands_that_run_a_journey_refuse_one_with_errors() {
    // A trap with a huge max_steps: simulating it would walk every customer a billion steps.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "trap.journey",
        "journey t {\n  max_steps 1000000000\n  channel web digital\n  stage s {\n    \
         touchpoint a on web { entry -> b 50% -> c }\n    touchpoint b on web { -> a }\n    \
         touchpoint c on web { goal done }\n    touchpoint d on web { -> d }\n  }\n  \
         scenario calm { touchpoint a { friction 10% } }\n}\n",
    );
    write(
        dir.path(),
        "loop.journey",
        &std::fs::read_to_string(dir.path().join("trap.journey"))
            .unwrap()
            .replace(
                "touchpoint b on web { -> a }",
                "touchpoint b on web { -> a 50% -> exit }",
            )
            .replace("touchpoint d on web { -> d }\n", ""),
    );
    for args in [
        &["simulate", "trap.journey", "-n", "1000"][..],
        &["analyze", "trap.journey"],
        &["levers", "trap.journey"],
        &[
            "compare",
            "trap.journey",
            "-n",
            "1000",
            "--scenario",
            "calm",
        ],
        &["report", "trap.journey", "-n", "1000", "-o", "out.html"],
    ] {
        let (code, stdout, stderr) = journeyc_in(dir.path(), args);
        assert_eq!((code, stdout.as_str()), (1, ""), "{args:?}: {stderr}");
        assert!(stderr.contains("J0303(trap)"), "{args:?}: {stderr}");
    }
    assert!(!dir.path().join("out.html").exists());
    // The same journey without the trap runs.
    let (code, _, stderr) = journeyc_in(dir.path(), &["simulate", "loop.journey", "-n", "1000"]);
    assert_eq!(code, 0, "{stderr}");
    // Commands that only show the journey still do: its model, its picture with the finding.
    for args in [&["compile", "trap.journey"][..], &["graph", "trap.journey"]] {
        let (code, stdout, stderr) = journeyc_in(dir.path(), args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(!stdout.is_empty());
    }
}

#[test]
fn an_unknown_escape_in_a_label_is_named_at_the_escape() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "esc.journey",
        "journey j {\n  channel web digital\n  stage s {\n    \
         touchpoint a \"Line\\none\" on web { entry goal done }\n  }\n}\n",
    );
    let (code, stdout, stderr) = journeyc_in(dir.path(), &["check", "esc.journey"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let all = format!("{stdout}{stderr}");
    assert!(all.contains("unknown escape `\\n` in a label"), "{all}");
    assert!(all.contains("cannot hold a line break"), "{all}");
    assert!(!all.contains("unexpected a label"), "{all}");
}

#[test]
fn a_zero_bound_is_printed_as_zero_in_csv() {
    // A drop-off nobody takes: its interval's lower end is exactly 0, not 2^-62 noise.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "zero.journey",
        "journey z {\n  channel web digital\n  stage s {\n    \
         touchpoint a on web { entry -> b }\n    touchpoint b on web { goal done }\n  }\n}\n",
    );
    let (code, stdout, stderr) = journeyc_in(
        dir.path(),
        &["simulate", "zero.journey", "-n", "1000", "--format", "csv"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !stdout.contains("e-") && !stdout.contains("0.0000000000"),
        "{stdout}"
    );
    assert!(
        stdout.lines().any(|l| l.contains(",drop_off,0,0,")),
        "{stdout}"
    );
}

#[test]
fn a_segment_without_customers_is_not_available_and_never_judged() {
    // 0.01% of 1,000 customers is none: before, "0.00% (0.00–0.00) FAIL" and the gate failed
    // (exact: 90%); with share 0%, `nps for vip` passed.
    let dir = tempfile::tempdir().unwrap();
    let text = "journey j {\n  channel web digital\n  segment vip { share 0.01% }\n  \
                segment rest { share 99.99% }\n  stage s {\n    \
                touchpoint a on web { entry -> b 90% -> exit }\n    \
                touchpoint b on web { goal done }\n  }\n  kpi conversion for vip >= 50%\n  \
                kpi nps for vip >= 0\n}\n";
    write(dir.path(), "vip.journey", text);
    write(
        dir.path(),
        "zero.journey",
        &text.replace("0.01%", "0%").replace("99.99%", "100%"),
    );
    for file in ["vip.journey", "zero.journey"] {
        let (code, out, err) = journeyc_in(dir.path(), &["simulate", file, "-n", "1000", "--gate"]);
        assert_eq!(code, 0, "{file}: {out}{err}");
        let kpi_rows: Vec<&str> = out.lines().filter(|l| l.contains("for vip")).collect();
        assert_eq!(kpi_rows.len(), 2, "{out}");
        assert!(
            kpi_rows.iter().all(|l| l.contains("inconclusive (n/a)")),
            "{kpi_rows:?}"
        );
        assert!(out.contains("inconclusive (n/a)"), "{out}");
        let per_segment =
            &out[out.find("Per segment").unwrap()..out.find("Touchpoints by").unwrap()];
        let vip_column: Vec<&str> = per_segment
            .lines()
            .filter(|l| l.contains("conversion (done, primary)") || l.contains("│ nps"))
            .collect();
        assert_eq!(vip_column.len(), 2, "{per_segment}");
        assert!(
            vip_column
                .iter()
                .all(|l| l.split('┆').nth(1).is_some_and(|c| c.contains("n/a"))),
            "{vip_column:?}"
        );
        assert!(
            err.contains("KPI `conversion for vip >= 50%` is inconclusive"),
            "{err}"
        );
        assert!(err.contains("journeyc analyze"), "{err}");
        let (_, json, _) = journeyc_in(
            dir.path(),
            &["simulate", file, "-n", "1000", "--format", "json"],
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let vip = &v["segments"]["vip"];
        assert_eq!(vip["customers"], 0);
        assert!(vip["conversion"]["value"].is_null(), "{vip}");
        assert!(vip["nps"]["low"].is_null(), "{vip}");
        assert!(v["kpis"][0]["estimate"].is_null(), "{}", v["kpis"]);
        assert_eq!(v["kpis"][0]["status"], "inconclusive");
        let (_, csv, _) = journeyc_in(
            dir.path(),
            &["simulate", file, "-n", "1000", "--format", "csv"],
        );
        assert!(csv.contains("vip,summary,,nps,,,,,"), "{csv}");
    }
    // The HTML report lists the segment with n/a, and draws no bar for it.
    let (code, _, err) = journeyc_in(
        dir.path(),
        &[
            "report",
            "vip.journey",
            "--customers",
            "1000",
            "-o",
            "r.html",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    let row = html
        .find("<th scope=\"row\">vip</th>")
        .expect("a row for vip");
    let row = &html[row..row + html[row..].find("</tr>").unwrap()];
    assert_eq!(row.matches(">n/a<").count(), 4, "{row}");
    assert!(!html.contains("<title>vip:"), "a bar is drawn for vip");
    let (_, _, err) = journeyc_in(
        dir.path(),
        &["simulate", "vip.journey", "-n", "1000", "--gate"],
    );
    assert!(err.contains("run with `-n 1000000` or more"), "{err}");
    // With enough customers the segment gets a verdict (exact: 90%).
    let (code, out, err) = journeyc_in(
        dir.path(),
        &["simulate", "vip.journey", "-n", "1000000", "--gate"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines()
            .any(|l| l.contains("conversion for vip") && l.contains("pass")),
        "{out}"
    );
    assert!(err.is_empty(), "{err}");
}

#[test]
fn a_failed_use_is_blamed_once_per_unknown_name_with_or_without_a_scenario() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "f.journey",
        "use \"missing.journey\"\njourney t {\n  stage s {\n    touchpoint a on web { entry -> b 50% -> exit }\n    \
         touchpoint b on web { goal g }\n  }\n  scenario s { touchpoint a { friction 10% } }\n}\n",
    );
    for args in [
        &["check", "f.journey"][..],
        &["simulate", "-n", "100", "f.journey"],
        &["simulate", "--scenario", "s", "-n", "100", "f.journey"],
    ] {
        let (code, out, err) = journeyc_in(dir.path(), args);
        let all = format!("{out}{err}");
        assert_eq!(code, 1, "{args:?}: {all}");
        let unknown = all.matches("unknown channel `web`").count();
        assert!(unknown >= 2, "{args:?}: {all}");
        assert_eq!(
            all.matches("this library was not loaded").count(),
            unknown,
            "{args:?}: {all}"
        );
        assert!(all.contains("fix that `use`"), "{args:?}: {all}");
    }
}
