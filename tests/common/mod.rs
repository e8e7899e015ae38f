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
