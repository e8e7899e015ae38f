//! journeyc.toml's `exclude` and `[per-file]` tables (issue 16).

use crate::common;

use common::journeyc_in;
use std::fs;

/// A journey with one context break (web → call, no shared context).
const BREAK: &str = "journey j {\n  channel web digital\n  channel call human\n  stage s {\n    touchpoint a on web { entry -> b 50% -> exit }\n    touchpoint b on call { goal g }\n  }\n}\n";

fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::create_dir(p.join(".git")).unwrap();
    fs::create_dir_all(p.join("generated")).unwrap();
    fs::create_dir_all(p.join("legacy/old")).unwrap();
    fs::write(p.join("journeyc.toml"), config).unwrap();
    fs::write(p.join("a.journey"), BREAK).unwrap();
    fs::write(p.join("generated/g.journey"), "journey broken {\n").unwrap();
    fs::write(p.join("legacy/old/l.journey"), BREAK).unwrap();
    dir
}

const CONFIG: &str = "[check]\nexclude = [\"generated/**\"]\n\n[per-file.\"legacy/**\"]\ncontext-break = \"allow\"\n";

#[test]
fn exclude_skips_walked_files_and_per_file_tables_set_levels() {
    let dir = project(CONFIG);
    let (code, out, err) = journeyc_in(dir.path(), &["check", ".", "--format", "concise"]);
    assert_eq!(code, 0, "{out}{err}");
    // generated/ is not checked (its syntax error would be J0001, exit 1).
    assert!(!out.contains("generated"), "{out}");
    assert!(
        out.contains("a.journey:5:") && out.contains("J0402"),
        "{out}"
    );
    // legacy/** allows context-break.
    assert!(!out.contains("legacy"), "{out}");
    assert!(out.ends_with("2 files: 0 errors, 1 warning\n"), "{out}");
    // A file named on the command line is checked even when excluded.
    let (code, out, _) = journeyc_in(dir.path(), &["check", "generated/g.journey"]);
    assert_eq!(code, 1);
    assert!(out.contains("J0001"), "{out}");
    // The command line overrides a per-file table.
    let (_, out, _) = journeyc_in(
        dir.path(),
        &[
            "check",
            ".",
            "--format",
            "concise",
            "--warn",
            "context-break",
        ],
    );
    assert!(out.contains("legacy/old/l.journey:5:"), "{out}");
}

#[test]
fn bad_globs_and_rules_in_tables_are_clear_failures() {
    let dir = project("[check]\nexclude = [\"generated/[\"]\n");
    let (code, _, err) = journeyc_in(dir.path(), &["check", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("bad glob `generated/[`"), "{err}");
    let dir = project("[per-file.\"legacy/**\"]\ncontext-brake = \"allow\"\n");
    let (code, _, err) = journeyc_in(dir.path(), &["check", "."]);
    assert_eq!(code, 2);
    assert!(
        err.contains("[per-file.\"legacy/**\"]") && err.contains("did you mean `context-break`"),
        "{err}"
    );
}
