//! Output that cannot be written never panics (issue #11, item 9): a full disk is an I/O error
//! (exit 2, with the reason), and a reader that has gone away (`journeyc … | head`) ends the
//! output quietly, the command keeping the exit code of what it found.
#![cfg(unix)]

use std::process::{Command, Stdio};

/// Every command that writes to standard output, on a bundled example, with the exit code it
/// ends with when its output is read to the end.
const COMMANDS: [(&[&str], i32); 12] = [
    (&["check", "examples/checkout.journey"], 0),
    (
        &["check", "tests/fixtures/rules/J0303_trap/fires.journey"],
        1,
    ),
    (&["compile", "examples/checkout.journey"], 0),
    (&["simulate", "examples/checkout.journey", "-n", "20000"], 0),
    (
        &[
            "compare",
            "examples/checkout.journey",
            "-n",
            "20000",
            "--scenario",
            "one_click",
        ],
        0,
    ),
    (
        &[
            "diff",
            "examples/checkout.journey",
            "examples/checkout.journey",
            "-n",
            "2000",
        ],
        0,
    ),
    (&["analyze", "examples/checkout.journey"], 0),
    (&["graph", "examples/checkout.journey"], 0),
    (&["levers", "examples/checkout.journey"], 0),
    (
        &[
            "report",
            "examples/checkout.journey",
            "-n",
            "2000",
            "-o",
            "-",
        ],
        0,
    ),
    (&["explain", "J0402"], 0),
    (&["fmt", "--check", "tests/fixtures/fmt/oneline.journey"], 1),
];

fn journeyc(args: &[&str]) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("journeyc"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

#[test]
fn the_commands_run_as_listed() {
    for (args, code) in COMMANDS {
        let out = journeyc(args).stdout(Stdio::piped()).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {out:?}");
        assert!(!out.stdout.is_empty(), "{args:?} prints nothing");
    }
}

#[test]
fn a_full_disk_is_an_io_error() {
    for (args, _) in COMMANDS {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = journeyc(args).stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("error: cannot write to standard output: No space left on device"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    for (args, code) in COMMANDS {
        let mut child = journeyc(args).stdout(Stdio::piped()).spawn().unwrap();
        // The reader goes away before the command has written anything.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("standard output"), "{args:?}: {stderr}");
    }
}
