//! Finding `.journey` files under the paths a command is given (`check`, `fmt`).

use crate::model::{self, ReadError};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The files to format: each file argument as given, then each directory's `*.journey` files
/// in sorted order; a file named twice is formatted once. Paths that cannot be read become
/// `problems`.
pub fn collect(paths: &[PathBuf], problems: &mut Vec<String>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    for path in paths {
        let found = match std::fs::metadata(path) {
            Err(e) => {
                problems.push(unreadable(path, &e));
                continue;
            }
            Ok(m) if m.is_dir() => walk(path, problems),
            Ok(_) => vec![path.clone()],
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
/// not followed (a link cycle would never end).
fn walk(dir: &Path, problems: &mut Vec<String>) -> Vec<PathBuf> {
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
            } else if path.extension().is_some_and(|e| e == "journey")
                && (kind.is_file() || std::fs::metadata(&path).is_ok_and(|m| m.is_file()))
            {
                found.push(path);
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
