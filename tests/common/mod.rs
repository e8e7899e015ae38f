//! Shared by the integration tests: runs the real `journeyc` binary and captures what it says.
#![allow(dead_code)] // each test crate uses part of it

use assert_cmd::Command;
use std::path::Path;

/// Runs `journeyc ARGS` in `dir` with `NO_COLOR` set: (exit code, stdout, stderr).
pub fn journeyc_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("journeyc")
        .expect("the journeyc binary")
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `journeyc ARGS` in the package root (where `examples/` is).
pub fn journeyc(args: &[&str]) -> (i32, String, String) {
    journeyc_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Runs `journeyc COMMAND ARGS` in the package root.
pub fn command(command: &str, args: &[&str]) -> (i32, String, String) {
    let mut all = vec![command];
    all.extend_from_slice(args);
    journeyc(&all)
}

/// `journeyc ARGS` that must succeed silently: its standard output.
pub fn run(args: &[&str]) -> String {
    let (code, stdout, stderr) = journeyc(args);
    assert_eq!((code, stderr.as_str()), (0, ""), "{args:?}");
    stdout
}

/// `simulate FILE` (root `.`, seed 42, 20,000 customers) with more arguments.
pub fn simulate(file: &str, rest: &[&str]) -> String {
    let mut a = vec![
        "simulate", file, "--root", ".", "--seed", "42", "-n", "20000",
    ];
    a.extend(rest);
    run(&a)
}

/// `analyze FILE` (root `.`) with more arguments.
pub fn analyze(file: &str, rest: &[&str]) -> String {
    let mut a = vec!["analyze", file, "--root", "."];
    a.extend(rest);
    run(&a)
}

/// The report's page of `file` (seed 42, 20,000 customers), written to standard output.
pub fn report(file: &str, rest: &[&str]) -> String {
    let mut a = vec![
        "report", file, "--root", ".", "--seed", "42", "-n", "20000", "-o", "-",
    ];
    a.extend(rest);
    run(&a)
}

/// The `<section id="…">` of a report page.
pub fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section id=\"{id}\">"))
        .expect("the section");
    let end = html[start..].find("</section>").expect("its end") + start;
    &html[start..end + "</section>".len()]
}

/// Every file under `dir` (recursively) whose extension is `ext`, added to `out` in sorted
/// order; a folder that does not exist adds nothing.
pub fn files_under(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}
