//! `journeyc diff` through the real binary: file against file and git revision against the
//! working tree (in a temporary repository the test creates), snapshots of the text and
//! Markdown reports, and bad input (a revision or path that does not exist, two different
//! journeys, a new version with errors).

use crate::common;

use std::path::Path;

use common::journeyc_in as journeyc;

fn git(dir: &Path, args: &[&str]) -> bool {
    std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn checkout_text() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/checkout.journey"
    ))
    .unwrap()
}

/// The checkout journey with the one-click change made in the file itself, and a new
/// context break (a warning appears).
fn changed(text: &str) -> String {
    text.replace(
        "friction 25% \"asks for the address again\"",
        "friction 5% \"asks for the address again\"",
    )
    .replace("context web, email", "context web")
}

#[test]
fn file_against_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.journey"), checkout_text()).unwrap();
    std::fs::write(dir.path().join("new.journey"), changed(&checkout_text())).unwrap();
    let (code, out, err) = journeyc(
        dir.path(),
        &[
            "diff",
            "old.journey",
            "new.journey",
            "-n",
            "20000",
            "--seed",
            "1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("~ touchpoint `checkout`: friction 25% → 5%"),
        "{out}"
    );
    assert!(
        out.contains("~ journey `checkout`: context web, email → web"),
        "{out}"
    );
    insta::assert_snapshot!("file_against_file_table", out);
    let (code, md, _) = journeyc(
        dir.path(),
        &[
            "diff",
            "old.journey",
            "new.journey",
            "-n",
            "20000",
            "--seed",
            "1",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(code, 0);
    insta::assert_snapshot!("file_against_file_markdown", md);
    let (code, json, _) = journeyc(
        dir.path(),
        &[
            "diff",
            "old.journey",
            "new.journey",
            "-n",
            "20000",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["journey"], "checkout");
    assert!(
        !v["findings"]["new"].as_array().unwrap().is_empty(),
        "a context break is new"
    );
    assert!(v["effect"]["figures"].as_array().unwrap().len() > 20);
}

#[test]
fn git_revision_against_the_working_tree() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // `diff REV:PATH` reads revisions with git: CI installs it (.ci/run), so its absence fails.
    assert!(git(d, &["init", "-q"]), "git is needed by this test");
    std::fs::create_dir(d.join("journeys")).unwrap();
    let file = d.join("journeys/checkout.journey");
    std::fs::write(&file, checkout_text()).unwrap();
    assert!(git(d, &["add", "."]));
    assert!(git(d, &["commit", "-q", "-m", "baseline"]));
    std::fs::write(&file, changed(&checkout_text())).unwrap();
    let (code, out, err) = journeyc(
        d,
        &[
            "diff",
            "HEAD:journeys/checkout.journey",
            "journeys/checkout.journey",
            "-n",
            "20000",
            "--seed",
            "1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("git_revision_against_working_tree", out);
    // The same from a subdirectory, with a path relative to it.
    let (code, sub, err) = journeyc(
        &d.join("journeys"),
        &[
            "diff",
            "HEAD:./checkout.journey",
            "checkout.journey",
            "-n",
            "20000",
            "--seed",
            "1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(sub.contains("friction 25% → 5%"), "{sub}");
    // Bad revisions and paths.
    let (code, _, err) = journeyc(
        d,
        &[
            "diff",
            "nope:journeys/checkout.journey",
            "journeys/checkout.journey",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("revision `nope` does not exist"), "{err}");
    // A path the revision does not have: the journey is added by the change (or removed, the
    // other way round), not an error.
    let (code, out, err) = journeyc(
        d,
        &[
            "diff",
            "HEAD:journeys/missing.journey",
            "journeys/checkout.journey",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("journey `checkout` added"), "{out}");
    assert!(
        out.contains("`journeys/missing.journey` does not exist at revision `HEAD`"),
        "{out}"
    );
    let (code, out, err) = journeyc(
        d,
        &[
            "diff",
            "HEAD:journeys/checkout.journey",
            "HEAD:journeys/gone.journey",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("journey `checkout` removed"), "{out}");
    // A file side that does not exist stays an error: a mistyped path must not pass a gate.
    let (code, _, err) = journeyc(
        d,
        &[
            "diff",
            "HEAD:journeys/checkout.journey",
            "journeys/typo.journey",
        ],
    );
    assert_eq!(code, 2, "{err}");
    // Neither side: nothing to diff.
    let (code, _, err) = journeyc(d, &["diff", "HEAD:a.journey", "HEAD:b.journey"]);
    assert_eq!(code, 2);
    assert!(err.contains("neither side exists"), "{err}");
}

#[test]
fn bad_input_is_said_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.journey"), checkout_text()).unwrap();
    let support = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/support.journey"
    ))
    .unwrap();
    std::fs::write(d.join("b.journey"), support).unwrap();
    let (code, _, err) = journeyc(d, &["diff", "a.journey", "b.journey"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("diff compares two versions of one journey"),
        "{err}"
    );
    let (code, _, err) = journeyc(d, &["diff", "a.journey", "missing.journey"]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.journey"), "{err}");
    // A new version with an error: its findings are new, the effect is not available.
    std::fs::write(
        d.join("broken.journey"),
        checkout_text().replace("on email", "on mail"),
    )
    .unwrap();
    let (code, out, _) = journeyc(d, &["diff", "a.journey", "broken.journey"]);
    assert_eq!(code, 1);
    assert!(out.contains("new   error   J0101"), "{out}");
    assert!(out.contains("not available: a version has errors"), "{out}");
}

/// KPIs that change with the journey: a new failing KPI is listed and fails the gate; a
/// relaxed target is called out; `--strict` fails an inconclusive KPI and says how many
/// customers would decide it.
#[test]
fn new_and_relaxed_kpis_are_listed_and_gated() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let old = checkout_text();
    std::fs::write(d.join("old.journey"), &old).unwrap();
    // A failing KPI added, and `nps >= 20` relaxed to `nps >= -50`.
    let new = old.replace("kpi nps >= 20", "kpi nps >= -50\n  kpi pains <= 0.01");
    assert_ne!(new, old, "the example has `kpi nps >= 20`");
    std::fs::write(d.join("new.journey"), &new).unwrap();
    let base = [
        "diff",
        "old.journey",
        "new.journey",
        "-n",
        "20000",
        "--seed",
        "1",
    ];
    let (code, out, err) = journeyc(d, &base);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("new KPI `pains <= 0.01`: FAIL"), "{out}");
    assert!(
        out.contains("RELAXED target `nps >= 20` → `nps >= -50`"),
        "{out}"
    );
    assert!(out.contains("│ pains <= 0.01     ┆ absent → FAIL"), "{out}");
    let mut gate = base.to_vec();
    gate.push("--gate");
    let (code, _, err) = journeyc(d, &gate);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`pains <= 0.01` (added, and fails)"), "{err}");
    let mut md = base.to_vec();
    md.extend(["--format", "markdown"]);
    let (_, md, _) = journeyc(d, &md);
    assert!(md.contains("**KPIs added, removed or changed:**"), "{md}");
    assert!(!md.contains("No KPI changes verdict"), "{md}");
}

/// One figure, one value: the baseline of `diff` is the figure `simulate` prints for the
/// same revision, seed and customers.
#[test]
fn diff_figures_are_those_of_simulate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("old.journey"), checkout_text()).unwrap();
    std::fs::write(d.join("new.journey"), changed(&checkout_text())).unwrap();
    let conversion = |out: &str, json_path: &[&str]| {
        let v: serde_json::Value = serde_json::from_str(out).unwrap();
        let mut x = &v;
        for k in json_path {
            x = &x[*k];
        }
        x.as_f64().unwrap()
    };
    let (_, diff, _) = journeyc(
        d,
        &[
            "diff",
            "old.journey",
            "new.journey",
            "-n",
            "20000",
            "--seed",
            "4",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&diff).unwrap();
    let first = &v["effect"]["figures"][0];
    for (side, file) in [("baseline", "old.journey"), ("variant", "new.journey")] {
        let (_, sim, _) = journeyc(
            d,
            &[
                "simulate",
                file,
                "-n",
                "20000",
                "--seed",
                "4",
                "--format",
                "json",
                "--threads",
                "2",
            ],
        );
        let s = conversion(&sim, &["all", "conversion", "value"]);
        assert_eq!(first[side]["value"].as_f64().unwrap(), s, "{side}");
    }
}
