//! `journeyc report` through the real binary (cwd = the package root): the page is
//! deterministic, self-contained (nothing loaded from the network), escapes what the journey
//! says, shows the same figures as `simulate --format json`, and fails with the documented
//! exit codes. The last test opens the page in a real browser (headless Chromium) when one is
//! installed.

use crate::common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::journeyc;

const SEED: &str = "42";
const CUSTOMERS: &str = "20000";

/// Writes the report of `file` (with `extra` arguments) into `dir` and returns its text.
fn report(dir: &Path, name: &str, file: &str, extra: &[&str]) -> String {
    let out = dir.join(name);
    let out_s = out.to_str().expect("UTF-8 path");
    let mut args = vec!["report", file, "--seed", SEED, "-n", CUSTOMERS, "-o", out_s];
    args.extend(extra);
    let (code, stdout, stderr) = journeyc(&args);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (0, "", ""),
        "{file} {extra:?}"
    );
    std::fs::read_to_string(&out).expect("the report was written")
}

fn simulate_json(file: &str, scenario: Option<&str>) -> Value {
    let mut args = vec![
        "simulate", file, "--seed", SEED, "-n", CUSTOMERS, "--format", "json",
    ];
    if let Some(s) = scenario {
        args.extend(["--scenario", s]);
    }
    let (code, stdout, stderr) = journeyc(&args);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("JSON")
}

/// The attributes of the first element carrying exactly `data-figure="figure"` and all of
/// `with` (`("data-run", "one_click")`…), as name → value.
fn figure(html: &str, figure: &str, with: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
    let key = format!("data-figure=\"{figure}\"");
    let mut rest = html;
    while let Some(i) = rest.find(&key) {
        let tag_start = rest[..i].rfind('<').unwrap_or(0);
        let tag_end = i + rest[i..].find('>').unwrap_or(0);
        let attrs = attributes(&rest[tag_start..tag_end]);
        let has = |(n, v): &(&str, &str)| attrs.iter().any(|(a, b)| a == n && b == v);
        if with.iter().all(has) {
            return Some(attrs);
        }
        rest = &rest[tag_end..];
    }
    None
}

fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq]
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("")
            .to_string();
        let after = &rest[eq + 2..];
        let end = after.find('"').unwrap_or(after.len());
        out.push((name, after[..end].to_string()));
        rest = &after[(end + 1).min(after.len())..];
    }
    out
}

fn value_of(html: &str, name: &str, with: &[(&str, &str)]) -> f64 {
    let attrs = figure(html, name, with).unwrap_or_else(|| panic!("no figure {name} {with:?}"));
    let v = attrs
        .iter()
        .find(|(n, _)| n == "data-value")
        .unwrap_or_else(|| panic!("{name} has no data-value"));
    v.1.parse()
        .unwrap_or_else(|_| panic!("{name}: `{}` is not a number", v.1))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Nothing in the page can make a browser fetch anything. (Escaped text never contains a
/// raw `<` or quote, so these patterns only match markup.)
fn assert_self_contained(html: &str, what: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in [
        "http://", "https://", "src=\"", "src='", "<script", "<link", "<img", "<iframe", "@import",
        "url(", "<object", "<embed", "<video", "<audio", "<source",
    ] {
        assert!(!lower.contains(bad), "{what}: contains `{bad}`");
    }
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("href=\"") {
        rest = &rest[i + 6..];
        assert!(
            rest.starts_with('#'),
            "{what}: a link that is not an anchor"
        );
    }
}

#[test]
fn the_report_is_deterministic_and_self_contained() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases: [(&str, &str, &[&str]); 3] = [
        ("checkout", "examples/checkout.journey", &[]),
        (
            "checkout_one_click",
            "examples/checkout.journey",
            &["--scenario", "one_click"],
        ),
        (
            "onboarding",
            "examples/onboarding.journey",
            &[
                "--root",
                "examples",
                "--scenario",
                "nfc_id",
                "--scenario",
                "no_branch",
            ],
        ),
    ];
    for (name, file, extra) in cases {
        let a = report(dir.path(), &format!("{name}-a.html"), file, extra);
        let mut more = extra.to_vec();
        more.extend(["--threads", "1"]);
        let b = report(dir.path(), &format!("{name}-b.html"), file, &more);
        assert!(a == b, "{name}: two runs differ");
        assert!(a.starts_with("<!DOCTYPE html>"), "{name}");
        assert!(a.ends_with("</html>\n"), "{name}");
        assert_self_contained(&a, name);
        for id in ["map", "flow", "segments", "time", "kpis", "findings"] {
            assert!(
                a.contains(&format!("<section id=\"{id}\">")),
                "{name}: {id}"
            );
        }
        assert_eq!(
            a.contains("<section id=\"scenarios\">"),
            !extra.is_empty() && extra.contains(&"--scenario"),
            "{name}"
        );
        // Every <svg> is closed, and no geometry went wrong.
        assert_eq!(a.matches("<svg").count(), a.matches("</svg>").count());
        assert!(!a.contains("NaN") && !a.contains("inf\""), "{name}");
    }
}

#[test]
fn the_figures_are_those_of_simulate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = "examples/checkout.journey";
    let html = report(dir.path(), "c.html", file, &["--scenario", "one_click"]);
    let json = simulate_json(file, None);
    let all = &json["all"];
    let pairs = [
        ("conversion", &all["conversion"]["value"]),
        ("pains", &all["pains"]["value"]),
        ("nps", &all["nps"]["value"]),
        ("cost_per_conversion", &all["cost_per_conversion"]["value"]),
        (
            "median_time_to_convert",
            &all["time_to_convert"]["p50_seconds"]["value"],
        ),
    ];
    for (name, expected) in pairs {
        assert_eq!(value_of(&html, name, &[]), num(expected), "{name}");
    }
    let attrs = figure(&html, "conversion", &[]).expect("conversion");
    let get = |n: &str| attrs.iter().find(|(a, _)| a == n).map(|(_, v)| v.clone());
    assert_eq!(
        get("data-low").and_then(|v| v.parse::<f64>().ok()),
        all["conversion"]["low"].as_f64()
    );
    assert_eq!(value_of(&html, "customers", &[]), 20_000.0);
    assert_eq!(value_of(&html, "seed", &[]), 42.0);
    // Funnel, segments and every KPI with its verdict.
    for (stage, e) in json["all"]["funnel"].as_object().expect("funnel") {
        assert_eq!(
            value_of(&html, "funnel", &[("data-stage", stage)]),
            num(&e["value"])
        );
    }
    for (segment, s) in json["segments"].as_object().expect("segments") {
        assert_eq!(
            value_of(&html, "segment.conversion", &[("data-segment", segment)]),
            num(&s["conversion"]["value"]),
            "{segment}"
        );
    }
    for k in json["kpis"].as_array().expect("kpis") {
        let text = k["kpi"].as_str().expect("kpi text");
        let escaped = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert_eq!(
            value_of(&html, "kpi", &[("data-kpi", &escaped)]),
            num(&k["estimate"]["value"]),
            "{text}"
        );
        let status = k["status"].as_str().expect("status");
        let row = format!("data-verdict=\"{status}\"><th scope=\"row\"><code>{escaped}</code>");
        assert!(html.contains(&row), "{text}: verdict {status}");
    }
    // The scenario column is `simulate --scenario one_click` with the same seed and customers.
    let scenario = simulate_json(file, Some("one_click"));
    let with = [("data-run", "one_click")];
    let conv = value_of(&html, "compare.conversion", &with);
    assert_eq!(conv, num(&scenario["all"]["conversion"]["value"]));
    let base = value_of(&html, "compare.conversion", &[("data-run", "baseline")]);
    assert_eq!(base, num(&all["conversion"]["value"]));
    let delta = value_of(&html, "delta.conversion", &with);
    assert!(
        (delta - (conv - base)).abs() < 1e-9,
        "{delta} vs {conv} - {base}"
    );
}

#[test]
fn findings_are_listed_with_their_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = report(dir.path(), "c.html", "examples/checkout.journey", &[]);
    let (_, check, _) = journeyc(&["check", "examples/checkout.journey", "--format", "json"]);
    let check: Value = serde_json::from_str(&check).expect("JSON");
    let findings = check["files"][0]["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    assert_eq!(
        value_of(&html, "findings", &[]),
        findings.len() as f64,
        "{findings:?}"
    );
    for f in findings {
        let code = f["code"].as_str().expect("code");
        let line = &f["location"]["line"];
        let place = format!("examples/checkout.journey:{line}:");
        assert!(html.contains(code), "{code}");
        assert!(html.contains(&place), "{place}");
    }
}

#[test]
fn labels_are_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("esc.journey");
    std::fs::write(
        &file,
        r#"journey esc "Tom & Jerry's <b>\"shop\"</b>" {
  owner "<script>alert('owner')</script>"
  description "a & b < c"
  channel web digital
  segment s "<i>segment</i>" { share 100%  prefers web  patience 70% }
  stage st "<stage>" {
    touchpoint a "<img src=x onerror=alert(1)>" on web {
      entry
      friction 30% "\"quoted\" & <tagged>"
      moment_of_truth
      -> b 50%
      -> exit
    }
    touchpoint b "B & B" on web { goal g }
  }
  kpi conversion >= 10%
  scenario sc "<scenario>" { touchpoint a { friction 5% } }
}
"#,
    )
    .expect("write");
    let f = file.to_str().expect("UTF-8");
    let root = dir.path().to_str().expect("UTF-8");
    let html = report(
        dir.path(),
        "esc.html",
        f,
        &["--root", root, "--scenario", "sc"],
    );
    for raw in [
        "<script",
        "<img",
        "<b>\"shop",
        "<i>segment",
        "<stage>",
        "<tagged>",
        "<scenario>",
    ] {
        assert!(!html.contains(raw), "unescaped `{raw}`");
    }
    for escaped in [
        "Tom &amp; Jerry&#39;s &lt;b&gt;&quot;shop&quot;&lt;/b&gt;",
        "&lt;script&gt;alert(&#39;owner&#39;)&lt;/script&gt;",
        "&lt;img src=x onerror=alert(1)&gt;",
        "&lt;i&gt;segment&lt;/i&gt;",
        "a &amp; b &lt; c",
        "&lt;scenario&gt;",
    ] {
        assert!(html.contains(escaped), "missing `{escaped}`");
    }
    assert_self_contained(&html, "esc");
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("r.html");
    let out = out.to_str().expect("UTF-8");
    // An unknown scenario: 2, with the scenarios it has.
    let (code, _, stderr) = journeyc(&[
        "report",
        "examples/checkout.journey",
        "--scenario",
        "one_clik",
        "-o",
        out,
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("one_clik") && stderr.contains("one_click"),
        "{stderr}"
    );
    // An output that cannot be written: 2, naming it.
    let bad = dir.path().join("no/such/dir/r.html");
    let bad = bad.to_str().expect("UTF-8");
    let (code, _, stderr) = journeyc(&[
        "report",
        "examples/checkout.journey",
        "-n",
        "100",
        "-o",
        bad,
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains("r.html"),
        "{stderr}"
    );
    // A journey with errors: 1, with the findings on stderr as simulate prints them.
    let (code, stdout, stderr) =
        journeyc(&["report", "tests/fixtures/cli/broken.journey", "-o", out]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("J0"), "{stderr}");
    let (sim_code, _, sim_stderr) = journeyc(&["simulate", "tests/fixtures/cli/broken.journey"]);
    assert_eq!((sim_code, sim_stderr.as_str()), (1, stderr.as_str()));
    // A library, a missing file, a missing -o: 2.
    let (code, _, _) = journeyc(&["report", "examples/common.journey", "-o", out]);
    assert_eq!(code, 2);
    let (code, _, _) = journeyc(&["report", "examples/nothing.journey", "-o", out]);
    assert_eq!(code, 2);
    assert!(!Path::new(out).exists(), "nothing written on failure");
    // Without -o: NAME.report.html in the current directory, and stderr says so.
    let here = tempfile::tempdir().expect("temp dir");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/checkout.journey");
    let (code, stdout, stderr) = common::journeyc_in(
        here.path(),
        &["report", example.to_str().unwrap(), "-n", "100"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    assert_eq!(stderr.trim(), "wrote checkout.report.html");
    let page = std::fs::read_to_string(here.path().join("checkout.report.html")).expect("written");
    assert!(page.starts_with("<!DOCTYPE html>"), "{}", &page[..40]);
    // `-o -` writes to standard output.
    let (code, stdout, _) = journeyc(&[
        "report",
        "examples/checkout.journey",
        "-n",
        "100",
        "-o",
        "-",
    ]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("<!DOCTYPE html>"));
}

/// The browser: Chromium, when installed (`CHROMIUM` names another binary).
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Runs the browser headless on `page` with `args`, killing it after a minute; stdout and
/// stderr.
fn headless(browser: &Path, profile: &Path, page: &Path, args: &[&str]) -> (String, String) {
    let url = format!("file://{}", page.display());
    let mut child = std::process::Command::new(browser)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            // Any attempt to reach the network fails loudly (and shows in the log).
            "--host-resolver-rules=MAP * ~NOTFOUND",
            &format!("--user-data-dir={}", profile.display()),
        ])
        .args(args)
        .arg(&url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts the browser");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let start = Instant::now();
    loop {
        if child.try_wait().expect("waits").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the browser did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    )
}

/// Lines of a browser log that say the page went wrong: script errors, console messages,
/// failed loads.
fn page_errors(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            l.contains("CONSOLE")
                || l.contains("Uncaught")
                || l.contains("Failed to load resource")
                || l.contains("net::ERR_")
        })
        .collect()
}

/// Needs Chromium, which `.ci/run` installs (`apt-get install chromium`, or set
/// `CHROMIUM=/path/to/chrome`). Without a browser it fails, it does not pass silently.
#[test]
fn a_browser_renders_the_report() {
    let browser = chromium().expect(
        "no Chromium found (apt-get install chromium, or set CHROMIUM to the browser's path)",
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let file = "examples/checkout.journey";
    let html = report(
        dir.path(),
        "checkout.html",
        file,
        &["--scenario", "one_click"],
    );
    let page = dir.path().join("checkout.html");
    let json = simulate_json(file, None);

    // The screenshot of a 1280×2000 window.
    let shot = dir.path().join("shot.png");
    let (_, log) = headless(
        &browser,
        &dir.path().join("profile-shot"),
        &page,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000",
        ],
    );
    assert_eq!(page_errors(&log), Vec::<&str>::new(), "{log}");
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot ({e}): {log}"));
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
    assert_eq!((be(16), be(20)), (1280, 2000));
    assert!(
        png.len() > 50_000,
        "a blank screenshot? {} bytes",
        png.len()
    );

    // The DOM the browser built: the same figures, every chart parsed as SVG.
    let (dom, log) = headless(
        &browser,
        &dir.path().join("profile-dom"),
        &page,
        &["--dump-dom"],
    );
    assert_eq!(page_errors(&log), Vec::<&str>::new(), "{log}");
    assert!(dom.contains("<section id=\"scenarios\">"), "{dom}");
    assert_eq!(
        value_of(&dom, "conversion", &[]),
        num(&json["all"]["conversion"]["value"])
    );
    assert_eq!(
        value_of(&dom, "compare.conversion", &[("data-run", "baseline")]),
        num(&json["all"]["conversion"]["value"])
    );
    assert_eq!(dom.matches("<svg").count(), html.matches("<svg").count());
    assert_eq!(
        dom.matches("<polyline").count(),
        html.matches("<polyline").count()
    );
}

#[test]
fn options_and_the_policy_in_force_have_their_section() {
    let html = common::report("examples/decisions.journey", &[]);
    let options = common::section(&html, "options");
    // After the triggers section (the journey has a trigger).
    assert!(options.contains("<h2>6. Options</h2>"), "{options}");
    // Four decision touchpoints, three choices each, as_is in force for every segment.
    assert_eq!(options.matches("rowspan=\"3\"").count(), 4);
    assert_eq!(options.matches("✓ every segment").count(), 4);
    assert!(options.contains("<code>guide</code> Plan finder"));
    assert!(html.contains("<a href=\"#options\">Options</a>"));
    // Journeys without options have no such section.
    let plain = common::report("examples/checkout.journey", &[]);
    assert!(!plain.contains("id=\"options\""));
}

#[test]
fn the_best_policy_and_the_learning_curves_match_optimize_and_learn() {
    let html = common::report("examples/decisions.journey", &[]);
    let options = common::section(&html, "options");
    // The best policy is optimize's, segment by segment.
    let (code, stdout, stderr) =
        journeyc(&["optimize", "examples/decisions.journey", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let opt: Value = serde_json::from_str(&stdout).expect("JSON");
    assert!(
        options.contains("<h3>Best policy per segment</h3>"),
        "{options}"
    );
    let policy = &opt["optimum"]["policy"];
    let table = &options[options
        .find("<table class=\"policy\">")
        .expect("the policy table")..];
    let table = &table[..table.find("</table>").expect("its end")];
    for tp in ["offer", "advice", "basket", "checkout"] {
        for seg in ["quick", "careful"] {
            let chosen = policy[seg][tp].as_str().expect("a choice");
            assert!(
                table.contains(&format!("<code>{chosen}</code>")),
                "{tp} {seg}"
            );
        }
    }
    let best = opt["optimum"]["value"].as_f64().expect("value");
    assert!(
        options.contains(&format!("profit {}</strong>", (best * 1e6).round() / 1e6)),
        "{options}"
    );
    // The learning curves are learn's run with the report's seed and customers.
    let (code, stdout, stderr) = journeyc(&[
        "learn",
        "examples/decisions.journey",
        "--seed",
        "42",
        "-n",
        "20000",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let learn: Value = serde_json::from_str(&stdout).expect("JSON");
    assert!(options.contains("<h3>Test and learn</h3>"));
    let settled = match learn["settled_after"].as_u64() {
        Some(n) => format!("is the optimum from customer {} on", thousands(n)),
        None => "is not the optimum after 20,000 customers".to_string(),
    };
    assert!(options.contains(&settled), "{settled}\n{options}");
    let batches = learn["batches"].as_array().expect("batches");
    assert_eq!(batches.len(), 20);
    let breaking = batches.iter().filter(|b| b["feasible"] == false).count();
    if breaking > 0 {
        assert!(options.contains(&format!(
            "{breaking} of 20 batches played a policy that breaks"
        )));
    }
    // Two charts, one dot per batch on each (20 batches; a batch without decisions has none
    // on the share chart).
    assert_eq!(options.matches("<svg").count(), 2, "{options}");
    assert_eq!(
        options.matches("<circle").count(),
        20 + batches.iter().filter(|b| b["decisions"] != 0).count()
    );
    // The same page for 1 and 2 threads.
    assert_eq!(
        html,
        common::report("examples/decisions.journey", &["--threads", "1"])
    );
    // --no-learn keeps the best policy and leaves the curves out.
    let quiet = common::report("examples/decisions.journey", &["--no-learn"]);
    let options = common::section(&quiet, "options");
    assert!(options.contains("<h3>Best policy per segment</h3>"));
    assert!(options.contains("Test-and-learn left out (--no-learn)"));
    assert_eq!(options.matches("<svg").count(), 0);
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The triggers section: per trigger, for all customers and each segment, the firings,
/// returns, customers brought back and conversions after a return of `simulate --format json`,
/// and the message cost (firings × the channel's cost per message).
#[test]
fn the_triggers_section_shows_the_figures_of_simulate() {
    let file = "examples/checkout.journey";
    let html = common::report(file, &[]);
    let triggers = common::section(&html, "triggers");
    assert!(triggers.contains("<h2>5. Triggers</h2>"), "{triggers}");
    assert!(html.contains("<a href=\"#triggers\">Triggers</a>"));
    assert!(html.contains("<h2>6. KPIs</h2>"));
    // What the trigger is, in the journey's words.
    assert!(
        triggers.contains(
            "When a customer abandons at <b>Cart</b> or <b>Checkout</b> (after a pain point), \
             after 1h a message via <code>email</code>, at most once per customer; it brings \
             them back to <b>Cart</b> with a 12% chance."
        ),
        "{triggers}"
    );
    let json = simulate_json(file, None);
    let email_cost = 0.01;
    let mut populations: Vec<(Option<&str>, &Value)> = vec![(None, &json["all"])];
    for (name, s) in json["segments"].as_object().expect("segments") {
        populations.push((Some(name.as_str()), s));
    }
    assert_eq!(populations.len(), 3);
    for (segment, figures) in populations {
        let t = &figures["triggers"]["cart_reminder"];
        let mut with = vec![("data-trigger", "cart_reminder")];
        if let Some(s) = segment {
            with.push(("data-segment", s));
        }
        let cell = |name: &str| {
            let attrs = figure(triggers, name, &with)
                .unwrap_or_else(|| panic!("no {name} for {segment:?}"));
            // The all-customers row comes first and has no data-segment.
            assert_eq!(
                attrs.iter().any(|(a, _)| a == "data-segment"),
                segment.is_some(),
                "{name} {segment:?}"
            );
            let get = |key: &str| {
                attrs
                    .iter()
                    .find(|(a, _)| a == key)
                    .map(|(_, v)| v.parse::<f64>().expect("a number"))
            };
            (get("data-value"), get("data-low"), get("data-high"))
        };
        let est = |v: &Value| (v["value"].as_f64(), v["low"].as_f64(), v["high"].as_f64());
        assert_eq!(cell("trigger.fired"), est(&t["firings"]), "{segment:?}");
        assert_eq!(
            cell("trigger.brought_back"),
            est(&t["brought_back"]),
            "{segment:?}"
        );
        assert_eq!(cell("trigger.returns").0, t["returns"].as_f64());
        assert_eq!(
            cell("trigger.converted_after").0,
            t["converted_after"].as_f64()
        );
        assert_eq!(
            cell("trigger.conversion_after"),
            est(&t["conversion_after"]),
            "{segment:?}"
        );
        let (cost, low, high) = cell("trigger.cost");
        let (fired, flow, fhigh) = est(&t["firings"]);
        for (c, f) in [(cost, fired), (low, flow), (high, fhigh)] {
            let (c, f) = (c.expect("cost"), f.expect("firings"));
            assert!((c - f * email_cost).abs() < 1e-12, "{c} vs {f} × 0.01");
        }
        assert!(
            fired.expect("firings") > 0.0,
            "{segment:?}: the trigger fires"
        );
    }
    // A journey without triggers has no such section, nor a link to it.
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = dir.path().join("plain.journey");
    std::fs::write(
        &plain,
        "journey plain {\n  channel web digital\n  stage s {\n    touchpoint a on web { \
         entry  -> b 50%  -> exit }\n    touchpoint b on web { goal g }\n  }\n}\n",
    )
    .expect("write");
    let root = dir.path().to_str().expect("UTF-8");
    let page = report(
        dir.path(),
        "plain.html",
        plain.to_str().expect("UTF-8"),
        &["--root", root],
    );
    assert!(
        !page.contains("id=\"triggers\"") && !page.contains("href=\"#triggers\""),
        "{page}"
    );
    assert!(page.contains("<h2>5. KPIs</h2>"));
}

/// The scenarios section lists what each scenario changes with the words and marks of
/// `journeyc diff` run on the baseline and the scenario applied to it by hand.
#[test]
fn a_scenarios_changes_are_those_journeyc_diff_prints() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string("examples/checkout.journey").expect("the example");
    // `one_click` is `touchpoint checkout { friction 5% }`.
    let applied = text.replacen(
        "friction 25% \"asks for the address again\"",
        "friction 5% \"asks for the address again\"",
        1,
    );
    assert_ne!(applied, text);
    let base = dir.path().join("checkout.journey");
    let new = dir.path().join("applied.journey");
    std::fs::write(&base, &text).expect("write");
    std::fs::write(&new, &applied).expect("write");
    let root = dir.path().to_str().expect("UTF-8");
    let (base, new) = (base.to_str().expect("UTF-8"), new.to_str().expect("UTF-8"));
    let (code, stdout, stderr) = journeyc(&["diff", base, new, "--root", root, "-n", "1000"]);
    assert_eq!(code, 0, "{stderr}");
    let listed: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("Structure ("))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(str::trim_start)
        .collect();
    assert!(!listed.is_empty(), "{stdout}");
    let html = report(
        dir.path(),
        "c.html",
        base,
        &["--root", root, "--scenario", "one_click"],
    );
    let start = html
        .find("<div class=\"scenario-changes\" data-run=\"one_click\">")
        .expect("the scenario's changes");
    let block = &html[start..start + html[start..].find("</div>").expect("its end")];
    let shown: Vec<String> = block
        .lines()
        .filter(|l| l.starts_with("<li"))
        .map(|l| {
            let l = &l[l.find('>').expect("a tag") + 1..];
            l.trim_end_matches("</li>")
                .replace("<span class=\"mark\">", "")
                .replace("</span>", "")
                .replace("<code>", "`")
                .replace("</code>", "`")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect();
    assert_eq!(shown, listed, "{block}");
}

/// A delta is marked better or worse only when the paired 95% interval of the difference
/// excludes 0: a 0.1 pp friction change on a few customers never is, a big one is.
#[test]
fn deltas_are_marked_only_when_the_paired_interval_excludes_0() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("sig.journey");
    std::fs::write(
        &file,
        r#"journey sig {
  channel web digital
  segment s { share 100%  prefers web  patience 50% }
  stage st {
    touchpoint a on web { entry  friction 20%  -> b 60%  -> exit }
    touchpoint b on web { goal buy  emotion +2 }
  }
  kpi conversion >= 30%
  scenario tiny "Tiny" { touchpoint a { friction 20.1% } }
  scenario big "Big" { touchpoint a { friction 2% } }
}
"#,
    )
    .expect("write");
    let root = dir.path().to_str().expect("UTF-8");
    let out = dir.path().join("sig.html");
    let args = [
        "report",
        file.to_str().expect("UTF-8"),
        "--root",
        root,
        "--seed",
        "42",
        "-n",
        "1500",
        "--scenario",
        "tiny",
        "--scenario",
        "big",
        "-o",
        out.to_str().expect("UTF-8"),
    ];
    let (code, _, stderr) = journeyc(&args);
    assert_eq!(code, 0, "{stderr}");
    let html = std::fs::read_to_string(&out).expect("written");
    let deltas = |run: &str| -> Vec<(String, f64, f64, f64, String)> {
        let mut out = Vec::new();
        let mut rest = html.as_str();
        while let Some(i) = rest.find("data-figure=\"delta.") {
            let tag_end = i + rest[i..].find('>').expect("tag end");
            let attrs = attributes(&rest[i..tag_end]);
            rest = &rest[tag_end..];
            let get = |n: &str| {
                attrs
                    .iter()
                    .find(|(a, _)| a == n)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            if get("data-run") != run {
                continue;
            }
            let num = |n: &str| get(n).parse::<f64>().expect("a number");
            out.push((
                get("data-figure"),
                num("data-value"),
                num("data-low"),
                num("data-high"),
                get("data-mark"),
            ));
        }
        out
    };
    let tiny = deltas("tiny");
    assert!(tiny.len() >= 5, "{tiny:?}");
    // Some point estimate moved (the old table would have marked it), none is marked.
    assert!(tiny.iter().any(|d| d.1 != 0.0), "{tiny:?}");
    for (figure, value, low, high, mark) in &tiny {
        assert!(
            mark == "unclear" || mark == "same",
            "{figure}: {mark} ({value} in [{low}, {high}])"
        );
        if mark == "unclear" {
            assert!(*low <= 0.0 && *high >= 0.0, "{figure}: [{low}, {high}]");
        }
    }
    let big = deltas("big");
    let find = |figure: &str| {
        big.iter()
            .find(|d| d.0 == figure)
            .unwrap_or_else(|| panic!("no {figure} in {big:?}"))
    };
    let conversion = find("delta.conversion");
    assert_eq!(conversion.4, "better", "{conversion:?}");
    assert!(conversion.2 > 0.0, "{conversion:?}");
    let pains = find("delta.pains");
    assert_eq!(pains.4, "better", "{pains:?}");
    assert!(pains.3 < 0.0, "{pains:?}");
    // The legend says so.
    assert!(html.contains("▲ better or ▼ worse only when that interval excludes 0"));
}
