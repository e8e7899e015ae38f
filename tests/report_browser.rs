//! The HTML report at real size, in a real browser (Debian's Chromium, driven by
//! `tests/browser/check.mjs` through playwright-core): for a 13-, a 32- and a 100-touchpoint
//! journey at 1366 and 1920 px, no two text boxes of the map (its headers included, every
//! stage unfolded) or of the flow overlap, no card label is cut without its full text in the
//! card's tooltip, the page never scrolls sideways, and the page raises no error; the
//! 32-touchpoint report prints (`chromium --print-to-pdf`) to A4 landscape pages.
//!
//! `.ci/run` installs Chromium, poppler-utils and the node packages; without them these tests
//! fail (they never skip). `JOURNEYC_SCREENSHOTS=docs/report` rewrites the screenshots that
//! docs/report.md shows.

use crate::common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const JOURNEYS: [(&str, &str); 3] = [
    ("mortgage", "tests/fixtures/report/mortgage.journey"),
    ("broadband", "tests/fixtures/report/broadband.journey"),
    ("generated100", "tests/fixtures/report/generated100.journey"),
];

fn chromium() -> PathBuf {
    let path =
        PathBuf::from(std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()));
    assert!(
        path.exists(),
        "{} not found: install Chromium (`apt-get install chromium`, as .ci/run does)",
        path.display()
    );
    path
}

/// Writes the report of each journey into `dir`; returns their paths.
fn reports(dir: &Path) -> Vec<PathBuf> {
    JOURNEYS
        .iter()
        .map(|(name, file)| {
            let out = dir.join(format!("{name}.html"));
            let (code, _, stderr) = common::journeyc(&[
                "report",
                file,
                "--seed",
                "1",
                "-n",
                "20000",
                "-o",
                out.to_str().expect("UTF-8 path"),
            ]);
            assert_eq!(code, 0, "{file}: {stderr}");
            out
        })
        .collect()
}

#[test]
fn no_text_overlaps_and_no_label_is_lost_at_1366_and_1920_px() {
    let browser = chromium();
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        here.join("node_modules/playwright-core").exists(),
        "run `npm ci` in tests/browser (as .ci/run does)"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let pages = reports(dir.path());
    let shots = std::env::var("JOURNEYC_SCREENSHOTS").ok();
    let mut cmd = Command::new("node");
    cmd.current_dir(&here)
        .env("CHROMIUM", &browser)
        .arg("check.mjs");
    if let Some(s) = &shots {
        let s = Path::new(env!("CARGO_MANIFEST_DIR")).join(s);
        std::fs::create_dir_all(&s).expect("screenshot folder");
        cmd.arg("--shots").arg(s);
    }
    cmd.args(&pages);
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node.js 20+"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "check.mjs failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), JOURNEYS.len() * 2, "{stdout}");
    for r in &lines {
        let what = format!("{} at {} px", r["file"], r["width"]);
        assert_eq!(r["errors"], Value::Array(vec![]), "{what}");
        assert_eq!(r["overlaps"], Value::Array(vec![]), "{what}: texts overlap");
        assert_eq!(r["cut"], Value::Array(vec![]), "{what}: labels cut");
        assert_eq!(
            r["pageWidth"], r["viewport"],
            "{what}: the page scrolls sideways"
        );
        // The map and the flow were measured, not skipped: the smallest has 13 cards.
        assert!(r["texts"].as_u64().unwrap_or(0) > 100, "{what}: {r}");
    }
}

#[test]
fn the_32_touchpoint_report_prints_on_a4_landscape_pages() {
    let browser = chromium();
    let dir = tempfile::tempdir().expect("temp dir");
    let page = &reports(dir.path())[1];
    let pdf = dir.path().join("broadband.pdf");
    let status = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        pdf.exists(),
        "no PDF: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let prefix = dir.path().join("page");
    let out = Command::new("pdftoppm")
        .args(["-r", "40", "-png"])
        .arg(&pdf)
        .arg(&prefix)
        .output()
        .unwrap_or_else(|e| panic!("cannot run pdftoppm ({e}): apt-get install poppler-utils"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .expect("temp dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    pages.sort();
    // A section per page at least (header, map, flow, segments, time, triggers, KPIs,
    // findings), and no more: 15 pages measured (the triggers section and the findings' 23
    // warnings take two or three pages each).
    assert!((8..=16).contains(&pages.len()), "{} pages", pages.len());
    for p in &pages {
        let png = std::fs::read(p).expect("page image");
        let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
        let (w, h) = (be(16), be(20));
        // A4 landscape: 297 × 210 mm.
        let ratio = w as f64 / h as f64;
        assert!(
            (ratio - 297.0 / 210.0).abs() < 0.02,
            "{}: {w}×{h}",
            p.display()
        );
    }
    if let Ok(s) = std::env::var("JOURNEYC_SCREENSHOTS") {
        let to = Path::new(env!("CARGO_MANIFEST_DIR")).join(s);
        let out = Command::new("pdftoppm")
            .args(["-r", "60", "-png", "-f", "1", "-l", "3"])
            .arg(&pdf)
            .arg(to.join("broadband-print"))
            .output()
            .expect("pdftoppm");
        assert!(out.status.success());
    }
}
