//! Reading a journey as a git revision holds it (`journeyc diff main:journeys/a.journey …`):
//! the files of the revision's tree come from git's object store through [`Files`], so no
//! temporary directory is written and no link committed in the revision is ever followed.

use super::Failure;
use crate::model::{Files, ReadError, io_reason, max_file_size, normalize, text_of};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {}", io_reason(&e)))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes)
        .trim_end_matches('\n')
        .to_string()
}

/// One file of a revision, as `git ls-tree` lists it.
struct Blob {
    /// Its object name.
    object: String,
    /// Its size in bytes.
    size: u64,
    /// A symbolic link (mode 120000): never followed.
    link: bool,
}

/// The files of a git revision, read from the object store when asked for: nothing is
/// written to disk (no temporary copy that a planted link could redirect, nothing to clean up
/// after Ctrl-C), and a symbolic link in the revision is refused, never followed. Paths are
/// under a root named `REV:`, so that findings name files as `REV:path`.
pub struct GitTree {
    pub root: PathBuf,
    /// The revision as given, for messages.
    rev: String,
    blobs: HashMap<PathBuf, Blob>,
}

impl GitTree {
    /// Lists the files of `commit` (an object name that `git rev-parse` resolved).
    fn list(rev: &str, commit: &str) -> Result<GitTree, String> {
        let root = PathBuf::from(format!("{rev}:"));
        let listing = git(&["ls-tree", "-r", "-l", "-z", "--full-tree", commit])?;
        let mut blobs = HashMap::new();
        for record in listing.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            let record = String::from_utf8_lossy(record);
            let Some((meta, path)) = record.split_once('\t') else {
                continue;
            };
            let meta: Vec<&str> = meta.split_whitespace().collect();
            let [mode, "blob", object, size] = meta[..] else {
                continue; // a submodule, or anything but a file
            };
            blobs.insert(
                root.join(path),
                Blob {
                    object: object.to_string(),
                    size: size.parse().unwrap_or(u64::MAX),
                    link: mode == "120000",
                },
            );
        }
        Ok(GitTree {
            root,
            rev: rev.to_string(),
            blobs,
        })
    }

    /// How a path is named in messages: `REV:path`.
    fn shown(&self, path: &Path) -> String {
        match path.strip_prefix(&self.root) {
            Ok(p) => format!("{}:{}", self.rev, p.to_string_lossy().replace('\\', "/")),
            Err(_) => path.to_string_lossy().replace('\\', "/"),
        }
    }
}

impl Files for GitTree {
    fn absolute(&self, path: &Path) -> PathBuf {
        normalize(path)
    }

    fn canonical(&self, abs: &Path) -> std::io::Result<PathBuf> {
        if abs == self.root {
            return Ok(abs.to_path_buf());
        }
        match self.blobs.get(abs) {
            Some(blob) if blob.link => Err(std::io::Error::other(format!(
                "it is a symbolic link in revision `{}`; journeyc does not follow links in a \
                 revision",
                self.rev
            ))),
            Some(_) => Ok(abs.to_path_buf()),
            None => Err(std::io::Error::other(format!(
                "no such file in revision `{}`",
                self.rev
            ))),
        }
    }

    fn read(&self, canonical: &Path) -> Result<String, ReadError> {
        let shown = self.shown(canonical);
        let io = |reason: String| ReadError::Io {
            path: shown.clone(),
            reason,
        };
        let blob = self
            .blobs
            .get(canonical)
            .filter(|b| !b.link)
            .ok_or_else(|| io(format!("no such file in revision `{}`", self.rev)))?;
        let limit = max_file_size();
        if blob.size > limit {
            return Err(ReadError::TooBig {
                path: shown.clone(),
                size: blob.size,
                limit,
            });
        }
        let bytes = git(&["cat-file", "blob", &blob.object]).map_err(io)?;
        text_of(Path::new(&shown), bytes)
    }
}

/// The files of revision `rev` and the path of `path` (relative to the repository root, or to
/// the current directory when it starts with `./` or `../`) among them; `Ok(Err(why))` when
/// the revision exists but has no such file (a journey added or deleted by the change).
pub fn revision(
    rev: &str,
    path: &str,
    arg: &str,
) -> Result<Result<(GitTree, PathBuf), String>, Failure> {
    let fail = |why: String| Failure(format!("cannot read `{arg}`: {why}"));
    if rev.starts_with('-') {
        return Err(fail(format!(
            "`{rev}` is not a revision (it would be read as an option of git)"
        )));
    }
    git(&["rev-parse", "--show-toplevel"])
        .map_err(|_| fail("not inside a git repository (a REVISION:PATH side needs one)".into()))?;
    let commit = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])
    .map(text)
    .map_err(|_| fail(format!("revision `{rev}` does not exist")))?;
    let relative = if path.starts_with("./") || path.starts_with("../") {
        let prefix = text(git(&["rev-parse", "--show-prefix"]).map_err(fail)?);
        normalize(&Path::new(&prefix).join(path))
    } else {
        normalize(Path::new(path))
    };
    let tree = GitTree::list(rev, &commit).map_err(fail)?;
    let file = tree.root.join(&relative);
    if !tree.blobs.contains_key(&file) {
        return Ok(Err(format!(
            "`{}` does not exist at revision `{rev}`",
            relative.to_string_lossy().replace('\\', "/")
        )));
    }
    Ok(Ok((tree, file)))
}
