//! The pull-request recipes of `docs/ci.md`, run as written: the shell loop of the GitHub
//! Actions and the GitLab CI recipe is copied out of the document and run with bash in a
//! scratch git repository, on a pull request that adds a journey, one that deletes one and
//! one that modifies one (and one that adds a journey whose KPI fails: the gate).

use std::path::{Path, PathBuf};
use std::process::Command;

/// A small journey whose KPI passes (conversion is about 35%).
const SHOP: &str = r#"journey shop "Shop" {
  channel web digital
  segment all "Everyone" { share 100% patience 50% }
  stage buy {
    touchpoint home "Home" on web {
      entry
      -> bag 60%
      -> exit
    }
    touchpoint bag "Bag" on web {
      friction 20% "fee shown late"
      -> pay 70%
      -> exit
    }
    touchpoint pay "Pay" on web { goal purchase }
  }
  kpi conversion >= 10%
}
"#;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The body of the first YAML block scalar (`run: |`, `- |`) after `after` in `after`'s
/// code block, dedented.
fn block_after(doc: &str, anchor: &str, after: &str) -> String {
    let start = doc.find(anchor).expect("the recipe");
    let rest = &doc[start..];
    let from = rest.find(after).expect("the step");
    let mut lines = rest[from..].lines();
    let head = lines
        .find(|l| l.trim_end().ends_with('|'))
        .expect("a block scalar");
    let key_indent = head.len() - head.trim_start().len();
    let body: Vec<&str> = lines
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > key_indent)
        .collect();
    let indent = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    body.iter()
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn recipes() -> [(&'static str, String); 2] {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ci.md")).unwrap();
    [
        (
            "github",
            block_after(
                &doc,
                "# .github/workflows/journey-effect.yml",
                "name: Diff every changed journey",
            ),
        ),
        (
            "gitlab",
            block_after(&doc, "# .gitlab-ci.yml: post the effect", "script:"),
        ),
    ]
}

/// Runs a recipe's loop in `repo` with the pull request's head checked out: (exit status of
/// the loop, effect.md).
fn run(repo: &Path, recipe: &str, script: &str) -> (i32, String) {
    let bin: PathBuf = assert_cmd::cargo::cargo_bin("journeyc");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let _ = std::fs::remove_file(repo.join("effect.status"));
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(repo)
        .env("PATH", path)
        .env("BASE", "main")
        .env("NO_COLOR", "1")
        .output()
        .expect("bash runs");
    let md = std::fs::read_to_string(repo.join("effect.md")).unwrap_or_default();
    let status = match recipe {
        // GitLab's loop writes its status for the job's last line to exit with.
        "gitlab" => {
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::fs::read_to_string(repo.join("effect.status"))
                .unwrap()
                .trim()
                .parse()
                .unwrap()
        }
        _ => out.status.code().unwrap_or(-1),
    };
    (status, md)
}

/// A repository whose `main` has `journeys/shop.journey` and `journeys/old shop.journey` (a
/// space in the name), and one branch per pull request.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    std::fs::create_dir(d.join("journeys")).unwrap();
    std::fs::write(d.join("journeys/shop.journey"), SHOP).unwrap();
    std::fs::write(
        d.join("journeys/old shop.journey"),
        SHOP.replace("journey shop", "journey old_shop"),
    )
    .unwrap();
    std::fs::write(d.join("README.md"), "a repository\n").unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "main"]);
    let branch = |name: &str, change: &dyn Fn(&Path)| {
        git(d, &["checkout", "-q", "-b", name, "main"]);
        change(d);
        git(d, &["add", "-A"]);
        git(d, &["commit", "-q", "-m", name]);
    };
    branch("adds", &|d| {
        std::fs::write(
            d.join("journeys/new.journey"),
            SHOP.replace("journey shop", "journey new_shop"),
        )
        .unwrap()
    });
    branch("adds-failing", &|d| {
        std::fs::write(
            d.join("journeys/new.journey"),
            SHOP.replace("journey shop", "journey new_shop")
                .replace("kpi conversion >= 10%", "kpi conversion >= 90%"),
        )
        .unwrap()
    });
    branch("deletes", &|d| {
        std::fs::remove_file(d.join("journeys/old shop.journey")).unwrap()
    });
    branch("modifies", &|d| {
        std::fs::write(
            d.join("journeys/shop.journey"),
            SHOP.replace("-> pay 70%", "-> pay 75%"),
        )
        .unwrap()
    });
    branch("docs-only", &|d| {
        std::fs::write(d.join("README.md"), "more\n").unwrap()
    });
    dir
}

#[test]
fn the_documented_pull_request_loops_handle_added_deleted_and_modified_journeys() {
    let repo = repository();
    let d = repo.path();
    for (recipe, script) in recipes() {
        assert!(script.contains("journeyc diff"), "{recipe}: {script}");
        git(d, &["checkout", "-q", "adds"]);
        let (status, md) = run(d, recipe, &script);
        assert_eq!(status, 0, "{recipe} adds:\n{md}");
        assert!(md.contains("journey `new_shop` added"), "{recipe}:\n{md}");
        assert!(md.contains("`conversion >= 10%`: pass"), "{recipe}:\n{md}");

        git(d, &["checkout", "-q", "adds-failing"]);
        let (status, md) = run(d, recipe, &script);
        assert_eq!(status, 1, "{recipe} adds a failing journey:\n{md}");
        assert!(md.contains("`conversion >= 90%`: FAIL"), "{recipe}:\n{md}");

        git(d, &["checkout", "-q", "deletes"]);
        let (status, md) = run(d, recipe, &script);
        assert_eq!(status, 0, "{recipe} deletes:\n{md}");
        assert!(md.contains("journey `old_shop` removed"), "{recipe}:\n{md}");

        git(d, &["checkout", "-q", "modifies"]);
        let (status, md) = run(d, recipe, &script);
        assert_eq!(status, 0, "{recipe} modifies:\n{md}");
        assert!(md.contains("transition"), "{recipe}:\n{md}");
        assert!(md.contains("70% → 75%"), "{recipe}:\n{md}");

        git(d, &["checkout", "-q", "docs-only"]);
        let (status, md) = run(d, recipe, &script);
        assert_eq!(
            (status, md.as_str()),
            (0, ""),
            "{recipe}: no journey changed"
        );
    }
}

#[test]
fn the_recipes_and_the_release_workflow_install_the_released_binary() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ci.md")).unwrap();
    // No recipe compiles journeyc in its job any more.
    assert!(
        !doc.contains("cargo install"),
        "docs/ci.md still compiles journeyc"
    );
    let release = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.github/workflows/release.yml"
    ))
    .unwrap();
    for target in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "aarch64-apple-darwin",
        "x86_64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(release.contains(target), "{target}");
        // The recipes download the names the release publishes.
    }
    assert!(release.contains("journeyc-${GITHUB_REF_NAME}-${{ matrix.target }}"));
    assert!(doc.contains("journeyc-$JOURNEYC_VERSION-x86_64-unknown-linux-gnu.tar.gz"));
    assert!(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/Dockerfile")).exists());
}
