//! The VS Code extension of `editors/vscode/`: its node tests (the TextMate grammar tokenised
//! with vscode-textmate over every sample journey, the language client with stand-ins for VS
//! Code) and its packaging into a `.vsix` with @vscode/vsce.
//!
//! They need Node.js and the extension's npm packages: `.ci/run` runs `npm ci` in
//! `editors/vscode/`; do the same before `cargo test`. Without them these tests fail, saying so.

use std::path::{Path, PathBuf};
use std::process::Command;

fn extension_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode")
}

/// Runs a command in `editors/vscode/`, asserting it succeeds: its standard output.
fn run(program: &str, args: &[&str]) -> String {
    let dir = extension_dir();
    assert!(
        dir.join("node_modules/vscode-textmate").is_dir(),
        "the extension's npm packages are missing: run `npm ci` in {} (Node.js 20 or later)",
        dir.display()
    );
    let out = Command::new(program)
        .args(args)
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (Node.js is required): {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{program} {args:?} failed\n--- stdout ---\n{stdout}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn node_tests_of_the_grammar_and_the_client_pass() {
    let out = run("node", &["--test", "test/"]);
    // Four tests of the client and manifest, three of the grammar: all ran, none skipped.
    assert!(out.contains("# pass 7"), "{out}");
    assert!(
        out.contains("# fail 0") && out.contains("# skipped 0"),
        "{out}"
    );
}

/// The names and uncompressed sizes of a zip archive's entries, from its central directory.
fn zip_entries(bytes: &[u8]) -> Vec<(String, u64)> {
    let u16_at = |i: usize| u64::from(u16::from_le_bytes([bytes[i], bytes[i + 1]]));
    let u32_at = |i: usize| u64::from(u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap()));
    // The end-of-central-directory record: signature 0x06054b50, in the last 64 KiB + 22 bytes.
    let eocd = (0..=bytes.len() - 22)
        .rev()
        .find(|&i| bytes[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .expect("a zip archive");
    let count = u16_at(eocd + 10) as usize;
    let mut at = u32_at(eocd + 16) as usize;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        assert_eq!(
            bytes[at..at + 4],
            [0x50, 0x4b, 0x01, 0x02],
            "a central directory entry"
        );
        let size = u32_at(at + 24);
        let (name_len, extra_len, comment_len) = (
            u16_at(at + 28) as usize,
            u16_at(at + 30) as usize,
            u16_at(at + 32) as usize,
        );
        let name = String::from_utf8(bytes[at + 46..at + 46 + name_len].to_vec()).unwrap();
        entries.push((name, size));
        at += 46 + name_len + extra_len + comment_len;
    }
    entries
}

#[test]
fn the_vsix_holds_the_grammar_the_language_configuration_and_the_client() {
    let out_dir = tempfile::tempdir().unwrap();
    let vsix = out_dir.path().join("journey.vsix");
    let vsix_arg = vsix.to_str().unwrap();
    // The local @vscode/vsce (a devDependency): nothing is fetched.
    let vsce = extension_dir().join("node_modules/.bin/vsce");
    run(
        vsce.to_str().unwrap(),
        &[
            "package",
            "--allow-missing-repository",
            "--skip-license",
            "--out",
            vsix_arg,
        ],
    );
    let entries = zip_entries(&std::fs::read(&vsix).expect("the .vsix is written"));
    let size_of = |name: &str| {
        entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| *s)
            .unwrap_or_else(|| panic!("{name} is not in the .vsix: {entries:?}"))
    };
    let dir = extension_dir();
    for file in [
        "syntaxes/journey.tmLanguage.json",
        "language-configuration.json",
        "extension.js",
    ] {
        let on_disk = std::fs::metadata(dir.join(file)).unwrap().len();
        assert_eq!(size_of(&format!("extension/{file}")), on_disk, "{file}");
    }
    size_of("extension/package.json");
    size_of("extension.vsixmanifest");
    // The runtime dependency is bundled, the test and packaging tools are not.
    size_of("extension/node_modules/vscode-languageclient/package.json");
    size_of("extension/node_modules/vscode-languageclient/node_modules/minimatch/package.json");
    for (name, _) in &entries {
        assert!(
            !name.starts_with("extension/test/")
                && !name.contains("node_modules/vscode-textmate/")
                && !name.contains("node_modules/@vscode/vsce/"),
            "{name} should not be packaged"
        );
    }
}
