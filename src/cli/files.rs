//! Finding `.journey` files under the paths a command is given (`check`, `fmt`).

use crate::model::{self, ReadError};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How a walk treats the symbolic links it finds.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Links {
    /// Read a linked file when its destination is inside the root (`check`).
    InsideRoot,
    /// Never take a linked file found in a walk (`fmt`: it would write through it).
    Skip,
}

/// The files to read: each file argument as given, then each directory's `*.journey` files
/// in sorted order; a file named twice is taken once. Paths that cannot be read become
/// `problems`. Nothing outside the root (`root`, else the current directory) is taken through
/// a link: a file argument inside the root whose real location is outside it is a problem, a
/// link found in a walk that leaves the root is skipped with a note on stderr.
pub fn collect(
    paths: &[PathBuf],
    root: Option<&Path>,
    links: Links,
    problems: &mut Vec<String>,
) -> Vec<PathBuf> {
    let canonical_root = super::canonical_root(root);
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    for path in paths {
        let found = match std::fs::metadata(path) {
            Err(e) => {
                problems.push(unreadable(path, &e));
                continue;
            }
            Ok(m) if m.is_dir() => walk(path, &canonical_root, links, problems),
            Ok(_) => {
                if super::lexically_inside(path, root)
                    && let Ok(real) = path.canonicalize()
                    && !real.starts_with(&canonical_root)
                {
                    problems.push(format!(
                        "cannot read `{}`: it leads through a symbolic link to `{}`, outside the root `{}`",
                        shown(path),
                        real.display(),
                        canonical_root.display()
                    ));
                    continue;
                }
                vec![path.clone()]
            }
        };
        for f in found {
            if seen.insert(model::normalize(&f)) {
                files.push(f);
            }
        }
    }
    files
}

/// Every `*.journey` file under `dir`, sorted. Iterative, so directory depth cannot overflow
/// the stack; hidden entries (`.git`, editors' files) are skipped, and linked directories are
/// not followed (a link cycle would never end). A linked file is taken only with
/// [`Links::InsideRoot`] and a destination inside `root`; anything but a regular file (a FIFO,
/// a device) is left to the reader, which refuses it by name.
fn walk(dir: &Path, root: &Path, links: Links, problems: &mut Vec<String>) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(entries) => entries,
            Err(e) => {
                problems.push(unreadable(&d, &e));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    problems.push(unreadable(&d, &e));
                    continue;
                }
            };
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "journey") {
                continue;
            }
            if !kind.is_symlink() {
                found.push(path);
                continue;
            }
            let real = path.canonicalize();
            match (links, real) {
                (Links::InsideRoot, Ok(real)) if real.starts_with(root) => {
                    if real.is_file() {
                        found.push(path);
                    }
                }
                (Links::InsideRoot, Ok(real)) => crate::errln!(
                    "note: skipped `{}`: a symbolic link to `{}`, outside the root `{}`",
                    shown(&path),
                    real.display(),
                    root.display()
                ),
                (Links::Skip, Ok(real)) => {
                    if !real.starts_with(root) {
                        crate::errln!(
                            "note: skipped `{}`: a symbolic link to `{}`, outside the root `{}`",
                            shown(&path),
                            real.display(),
                            root.display()
                        );
                    } else {
                        crate::errln!(
                            "note: skipped `{}`: a symbolic link (fmt formats the file it points to, not links it finds)",
                            shown(&path)
                        );
                    }
                }
                (_, Err(_)) => crate::errln!(
                    "note: skipped `{}`: a symbolic link to a file that does not exist",
                    shown(&path)
                ),
            }
        }
    }
    found.sort();
    found
}

pub fn unreadable(path: &Path, e: &std::io::Error) -> String {
    ReadError::Io {
        path: shown(path),
        reason: model::io_reason(e),
    }
    .to_string()
}

/// A path as printed: forward slashes, without a leading `./`.
pub fn shown(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    match s.strip_prefix("./") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => s,
    }
}
