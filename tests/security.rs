//! Issue #11, "Files read and written": planted links, special files, size limits, roots
//! reached through links. Every run has a timeout, so that a regression fails instead of
//! hanging.
#![cfg(unix)]

use assert_cmd::Command;
use std::os::unix::fs::{PermissionsExt as _, symlink};
use std::path::Path;
use std::time::Duration;

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("journeyc")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn mkfifo(path: &Path) {
    assert!(
        std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap()
            .success()
    );
}

const OK: &str = include_str!("../examples/checkout.journey");

/// A journey `fmt` would change.
fn unformatted() -> String {
    OK.replace("  owner ", "        owner ")
}

#[test]
fn fmt_never_writes_through_a_planted_temporary_link() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join(".git/hooks")).unwrap();
    std::fs::write(d.join(".git/hooks/pre-commit"), "original hook\n").unwrap();
    let text = format!("#!/bin/sh\n{}", unformatted());
    std::fs::write(d.join("a.journey"), &text).unwrap();
    std::fs::set_permissions(d.join("a.journey"), std::fs::Permissions::from_mode(0o750)).unwrap();
    symlink(".git/hooks/pre-commit", d.join(".a.journey.journeyc-tmp")).unwrap();
    let (code, _, err) = run(d, &["fmt", "a.journey"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join(".git/hooks/pre-commit")).unwrap(),
        "original hook\n"
    );
    assert_ne!(std::fs::read_to_string(d.join("a.journey")).unwrap(), text);
    // The formatted file keeps its mode; no temporary file is left behind.
    let mode = std::fs::metadata(d.join("a.journey"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o750);
    let left: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".journeyc-tmp") && n != ".a.journey.journeyc-tmp")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn outputs_refuse_special_files_and_links_out_of_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("repo");
    std::fs::create_dir(&d).unwrap();
    std::fs::write(d.join("ok.journey"), OK).unwrap();
    mkfifo(&d.join("out.json"));
    let (code, _, err) = run(&d, &["compile", "ok.journey", "-o", "out.json"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`out.json`") && err.contains("a FIFO, not a regular file"),
        "{err}"
    );
    // A link out of the tree is never written through.
    std::fs::write(dir.path().join("bashrc"), "mine\n").unwrap();
    symlink("../bashrc", d.join("report.html")).unwrap();
    let (code, _, err) = run(
        &d,
        &[
            "report",
            "ok.journey",
            "--customers",
            "100",
            "-o",
            "report.html",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("outside the root"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bashrc")).unwrap(),
        "mine\n"
    );
    // Standard output by name.
    for name in ["-", "/dev/stdout"] {
        let (code, out, err) = run(&d, &["compile", "ok.journey", "-o", name]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("\"schema_version\""), "{out}");
    }
}

#[test]
fn walks_skip_links_that_leave_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("repo");
    std::fs::create_dir_all(dir.path().join("victim")).unwrap();
    std::fs::create_dir(&d).unwrap();
    std::fs::write(d.join("ok.journey"), OK).unwrap();
    symlink("/etc/passwd", d.join("passwd.journey")).unwrap();
    symlink("/proc/self/environ", d.join("env.journey")).unwrap();
    std::fs::write(dir.path().join("victim/settings.journey"), unformatted()).unwrap();
    symlink("../victim/settings.journey", d.join("v.journey")).unwrap();
    let (code, out, err) = run(&d, &["check", "--root", ".", "."]);
    assert_ne!(code, 2, "{out}{err}");
    assert!(
        !out.contains("root:") && !err.contains("root:x"),
        "{out}{err}"
    );
    assert!(err.contains("skipped `passwd.journey`"), "{err}");
    assert!(err.contains("skipped `env.journey`"), "{err}");
    let (_, _, err) = run(&d, &["fmt", "."]);
    assert!(err.contains("skipped `v.journey`"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("victim/settings.journey")).unwrap(),
        unformatted()
    );
}

#[test]
fn special_files_are_refused_promptly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    mkfifo(&d.join("lib.journey"));
    std::fs::write(d.join("main.journey"), format!("use \"lib.journey\"\n{OK}")).unwrap();
    let (code, out, err) = run(d, &["check", "main.journey"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("J0103"), "{out}");
    assert!(out.contains("a FIFO, not a regular file"), "{out}");
    for args in [
        &["check", "/dev/zero"][..],
        &["merge", "/dev/zero"],
        &["check", "--config", "/dev/zero", "main.journey"],
    ] {
        let (code, _, err) = run(d, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("`/dev/zero`") && err.contains("not a regular file"),
            "{err}"
        );
    }
    std::fs::write(d.join("big.journey"), "#".repeat(5000)).unwrap();
    let (code, _, err) = run(d, &["check", "--max-file-size", "4kB", "big.journey"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("over the 4.0 kB limit") || err.contains("limit"),
        "{err}"
    );
    assert!(err.contains("--max-file-size"), "{err}");
}

#[test]
fn a_root_reached_through_a_link_is_the_same_root() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    std::fs::write(real.join("lib.journey"), "channel web digital\n").unwrap();
    std::fs::write(
        real.join("main.journey"),
        format!("use \"lib.journey\"\n{OK}"),
    )
    .unwrap();
    symlink("real", dir.path().join("link")).unwrap();
    let (_, out, err) = run(
        dir.path(),
        &["check", "--root", "link", "link/main.journey"],
    );
    assert!(
        !out.contains("J0103") && !out.contains("outside the root"),
        "{out}{err}"
    );
    // Working directory through the link, file named through it.
    let linked = dir.path().join("link");
    let file = linked.join("main.journey");
    let (_, out, err) = run(&linked, &["check", file.to_str().unwrap()]);
    assert!(!out.contains("outside the root"), "{out}{err}");
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git is needed by this test (CI installs it)");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

#[test]
fn diff_of_a_revision_writes_nothing_and_follows_no_link() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    std::fs::write(d.join("a.journey"), format!("use \"lib.journey\"\n{OK}")).unwrap();
    std::fs::write(d.join("lib.journey"), "channel pager digital\n").unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "one"]);
    // The temporary directory is a file: the diff must not need it (before, it copied the
    // revision's files to a predictable /tmp/journeyc-diff-PID-N and wrote through links
    // found there).
    let tmp = d.join("not-a-dir");
    std::fs::write(&tmp, "").unwrap();
    let diff = |args: &[&str]| {
        let out = Command::cargo_bin("journeyc")
            .unwrap()
            .current_dir(d)
            .env("TMPDIR", &tmp)
            .args(args)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = diff(&["diff", "HEAD:a.journey", "a.journey", "-n", "200"]);
    assert_eq!(code, 0, "{out}{err}");
    // A library committed as a link to a file outside the repository is refused, not read.
    std::fs::remove_file(d.join("lib.journey")).unwrap();
    symlink("/etc/passwd", d.join("lib.journey")).unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "link"]);
    let (code, out, err) = diff(&["diff", "HEAD~1:a.journey", "HEAD:a.journey", "-n", "200"]);
    assert!(
        !out.contains("root:") && !err.contains("root:"),
        "{out}{err}"
    );
    assert!(
        out.contains("HEAD:lib.journey") || out.contains("lib.journey"),
        "{out}{err}"
    );
    assert!(out.contains("symbolic link"), "{out}{err}");
    assert_ne!(code, 0, "{out}{err}");
    // A revision that git would read as an option is refused.
    let (code, _, err) = diff(&["diff", "--output=x:a.journey", "a.journey"]);
    assert_eq!(code, 2, "{err}");
}
