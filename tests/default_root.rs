//! The default root (decision 10): the nearest folder at or above the file holding
//! `journeyc.toml` or `.git`, else the current directory (issue 16).

use crate::common;

use common::journeyc_in;
use std::fs;

const LIB: &str = "channel web digital\n";
const JOURNEY: &str = "use \"../lib.journey\"\n\njourney j {\n  stage s {\n    touchpoint a on web { entry goal g }\n  }\n}\n";

#[test]
fn a_file_in_another_project_uses_its_own_projects_libraries() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = tmp.path().join("proj");
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir_all(proj.join("sub")).unwrap();
    fs::create_dir_all(&elsewhere).unwrap();
    fs::write(proj.join("journeyc.toml"), "").unwrap();
    fs::write(proj.join("lib.journey"), LIB).unwrap();
    fs::write(proj.join("sub/a.journey"), JOURNEY).unwrap();
    // From a sibling folder: the project's marker is the root, so `../lib.journey` is inside.
    let (code, out, err) = journeyc_in(&elsewhere, &["check", "../proj/sub/a.journey"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("J0103"), "{out}");
    // A marker nearer the file narrows the root: the `use` now leaves it (J0103).
    fs::write(proj.join("sub/journeyc.toml"), "").unwrap();
    let (code, out, _) = journeyc_in(&elsewhere, &["check", "../proj/sub/a.journey"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("J0103"), "{out}");
    // `--root` still decides when given.
    let (code, out, _) = journeyc_in(
        &elsewhere,
        &["check", "../proj/sub/a.journey", "--root", "../proj"],
    );
    assert_eq!(code, 0, "{out}");
}

#[test]
fn without_a_marker_the_current_directory_is_the_root() {
    let tmp = tempfile::tempdir().unwrap();
    // No journeyc.toml or .git above the temporary folder (the system's temp dir has none).
    if tmp
        .path()
        .ancestors()
        .any(|d| d.join(".git").exists() || d.join("journeyc.toml").exists())
    {
        panic!(
            "a marker above {}: the test needs a clean temp dir",
            tmp.path().display()
        );
    }
    let proj = tmp.path().join("proj");
    fs::create_dir_all(proj.join("sub")).unwrap();
    fs::write(proj.join("lib.journey"), LIB).unwrap();
    fs::write(proj.join("sub/a.journey"), JOURNEY).unwrap();
    // Run from sub: the root is sub, and `../lib.journey` leaves it.
    let (code, out, _) = journeyc_in(&proj.join("sub"), &["check", "a.journey"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("J0103"), "{out}");
    // Run from proj: the root is proj.
    let (code, out, _) = journeyc_in(&proj, &["check", "sub/a.journey"]);
    assert_eq!(code, 0, "{out}");
}
