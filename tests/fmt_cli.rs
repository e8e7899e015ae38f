//! `journeyc fmt` through the real binary: rewriting in place, `--check`, standard input,
//! files that do not parse, unreadable paths, and the exit code of each.

use std::fs;
use std::path::Path;

const MESSY: &str =
    "journey j { owner \"x\" # who\n stage s { touchpoint a on w { entry -> exit } } }";
const TIDY: &str = "journey j {\n  owner \"x\"  # who\n\n  stage s {\n    touchpoint a on w {\n      entry\n      -> exit\n    }\n  }\n}\n";

fn journeyc(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("journeyc");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// A folder with a messy file, a tidy one in a subfolder, a messy one in a hidden folder and
/// a file that is not a journey.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let p = dir.path();
    fs::create_dir_all(p.join("sub")).unwrap();
    fs::create_dir_all(p.join(".hidden")).unwrap();
    fs::write(p.join("b.journey"), MESSY).unwrap();
    fs::write(p.join("sub/a.journey"), TIDY).unwrap();
    fs::write(p.join(".hidden/c.journey"), MESSY).unwrap();
    fs::write(p.join("notes.txt"), MESSY).unwrap();
    dir
}

/// The standard error of a finished run.
fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

fn read(p: &Path) -> String {
    fs::read_to_string(p).expect("readable")
}

#[test]
fn rewrites_the_journey_files_below_the_current_folder() {
    let dir = project();
    let p = dir.path();
    // An old modification time shows whether the tidy file is written again.
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    let tidy = fs::File::options()
        .write(true)
        .open(p.join("sub/a.journey"))
        .unwrap();
    tidy.set_modified(old).unwrap();
    drop(tidy);
    journeyc(p)
        .arg("fmt")
        .assert()
        .code(0)
        .stdout("")
        .stderr("");
    assert_eq!(read(&p.join("b.journey")), TIDY);
    assert_eq!(read(&p.join("sub/a.journey")), TIDY);
    assert_eq!(
        read(&p.join(".hidden/c.journey")),
        MESSY,
        "hidden folders are skipped"
    );
    assert_eq!(read(&p.join("notes.txt")), MESSY, "only *.journey files");
    let mtime = fs::metadata(p.join("sub/a.journey"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(mtime, old, "an unchanged file is not rewritten");
    let leftovers: Vec<_> = fs::read_dir(p)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("journeyc-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A second run has nothing to do.
    journeyc(p)
        .args(["fmt", "--check"])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn a_file_named_explicitly_is_formatted_whatever_its_extension() {
    let dir = project();
    let p = dir.path();
    journeyc(p).args(["fmt", "notes.txt"]).assert().code(0);
    assert_eq!(read(&p.join("notes.txt")), TIDY);
    assert_eq!(read(&p.join("b.journey")), MESSY, "only the paths given");
}

#[test]
fn check_lists_what_would_change_and_writes_nothing() {
    let dir = project();
    let p = dir.path();
    fs::write(p.join("sub/z.journey"), MESSY).unwrap();
    journeyc(p)
        .args(["fmt", "--check", "."])
        .assert()
        .code(1)
        .stdout("b.journey\nsub/z.journey\n")
        .stderr("");
    assert_eq!(read(&p.join("b.journey")), MESSY);
    journeyc(p)
        .args(["fmt", "--check", "sub/a.journey"])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn stdin_is_formatted_to_stdout() {
    let dir = project();
    journeyc(dir.path())
        .args(["fmt", "-"])
        .write_stdin(MESSY)
        .assert()
        .code(0)
        .stdout(TIDY);
    journeyc(dir.path())
        .args(["fmt", "--check", "-"])
        .write_stdin(MESSY)
        .assert()
        .code(1)
        .stdout("<stdin>\n");
    journeyc(dir.path())
        .args(["fmt", "--check", "-"])
        .write_stdin(TIDY)
        .assert()
        .code(0)
        .stdout("");
    let run = journeyc(dir.path())
        .args(["fmt", "-"])
        .write_stdin("journey j {")
        .assert()
        .code(1)
        .stdout("");
    let err = stderr(&run);
    assert!(
        err.contains("J0001") && err.contains("<stdin>:1:12"),
        "{err}"
    );
    let run = journeyc(dir.path())
        .args(["fmt", "-", "b.journey"])
        .assert()
        .code(2);
    assert!(stderr(&run).contains("cannot be combined"));
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_left_untouched() {
    let dir = project();
    let p = dir.path();
    fs::write(p.join("bad.journey"), "journey j {\n  owner\n}\n").unwrap();
    let run = journeyc(p).args(["fmt", "."]).assert().code(1).stdout("");
    let err = stderr(&run);
    assert!(
        err.contains("J0001") && err.contains("[bad.journey:3:1]"),
        "{err}"
    );
    assert_eq!(read(&p.join("bad.journey")), "journey j {\n  owner\n}\n");
    assert_eq!(
        read(&p.join("b.journey")),
        TIDY,
        "the other files are formatted"
    );
}

#[test]
fn unreadable_paths_exit_2_with_the_path_and_the_reason() {
    let dir = project();
    let p = dir.path();
    journeyc(p)
        .args(["fmt", "missing.journey", "b.journey"])
        .assert()
        .code(2)
        .stderr("error: cannot read `missing.journey`: no such file\n");
    assert_eq!(
        read(&p.join("b.journey")),
        TIDY,
        "the readable file is formatted"
    );
    fs::write(p.join("latin1.journey"), b"journey j { owner \"caf\xe9\" }").unwrap();
    let run = journeyc(p)
        .args(["fmt", "latin1.journey", "nope"])
        .assert()
        .code(2);
    assert_eq!(
        stderr(&run),
        "error: cannot read `nope`: no such file\n\
         error: `latin1.journey` is not UTF-8 text (invalid byte at offset 22); save it as UTF-8\n"
    );
}

#[test]
fn crlf_and_bom_are_normalised_in_place() {
    let dir = project();
    let p = dir.path();
    fs::write(
        p.join("w.journey"),
        "\u{feff}journey j {\r\n  owner \"x\"\r\n}\r\n",
    )
    .unwrap();
    journeyc(p).args(["fmt", "w.journey"]).assert().code(0);
    assert_eq!(
        read(&p.join("w.journey")),
        "journey j {\n  owner \"x\"\n}\n"
    );
}

#[cfg(unix)]
#[test]
fn links_stay_links_and_permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = project();
    let p = dir.path();
    fs::set_permissions(p.join("b.journey"), fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("b.journey", p.join("link.journey")).unwrap();
    journeyc(p).args(["fmt", "link.journey"]).assert().code(0);
    assert!(
        fs::symlink_metadata(p.join("link.journey"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(read(&p.join("b.journey")), TIDY);
    let mode = fs::metadata(p.join("b.journey"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[test]
fn the_samples_are_already_formatted_once_formatted() {
    let dir = tempfile::tempdir().unwrap();
    for e in fs::read_dir("examples").unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    journeyc(dir.path()).arg("fmt").assert().code(0);
    journeyc(dir.path())
        .args(["fmt", "--check"])
        .assert()
        .code(0)
        .stdout("");
}
