//! Reading files and their `use`s: UTF-8 and BOM handling, paths confined to the root,
//! cycles reported with their chain, each library included once.

use crate::ast::{self, Item};
use crate::check::registry::Rule;
use crate::diagnostic::Finding;
use crate::source::{FileId, SourceFile, SourceMap};
use crate::syntax;
use std::path::{Component, Path, PathBuf};

/// Why a file could not be read at all (exit 2: there is nothing to diagnose).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read `{path}`: {reason}")]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// The bytes are not UTF-8.
    #[error("`{path}` is not UTF-8 text (invalid byte at offset {offset}); save it as UTF-8")]
    NotUtf8 {
        /// The path as given.
        path: String,
        /// First invalid byte.
        offset: usize,
    },
}

/// Reads a file as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let shown = path.to_string_lossy().replace('\\', "/");
    let bytes = std::fs::read(path).map_err(|e| ReadError::Io {
        path: shown.clone(),
        reason: io_reason(&e),
    })?;
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        path: shown,
        offset: e.utf8_error().valid_up_to(),
    })
}

/// The OS error in plain words, without Rust's "(os error 2)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "it is a directory".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// Removes `.` and resolves `..` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Absolute form of a path (against the current directory), normalised.
pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        normalize(path)
    } else {
        normalize(&std::env::current_dir().unwrap_or_default().join(path))
    }
}

/// Loads the `use`s of a file, depth first, collecting library items in order.
pub(crate) struct Loader<'a> {
    pub sources: &'a mut SourceMap,
    /// Absolute, canonical root.
    pub root: PathBuf,
    pub findings: Vec<Finding>,
    pub items: Vec<Item>,
    loaded: Vec<PathBuf>,
    stack: Vec<(PathBuf, String)>,
}

impl<'a> Loader<'a> {
    pub fn new(sources: &'a mut SourceMap, root: PathBuf) -> Loader<'a> {
        let root = root.canonicalize().unwrap_or_else(|_| absolute(&root));
        Loader {
            sources,
            root,
            findings: Vec::new(),
            items: Vec::new(),
            loaded: Vec::new(),
            stack: Vec::new(),
        }
    }

    /// Loads every `use` of `file` (whose AST is `ast`) and, recursively, theirs.
    pub fn load_uses(&mut self, file: FileId, ast: &ast::File) {
        let path = self.sources.get(file).path.clone();
        let abs = absolute(&path);
        let canonical = abs.canonicalize().unwrap_or(abs);
        if !self.loaded.contains(&canonical) {
            self.loaded.push(canonical.clone());
        }
        self.stack
            .push((canonical, path.to_string_lossy().replace('\\', "/")));
        for u in &ast.uses {
            self.load_one(&path, u);
        }
        self.stack.pop();
    }

    fn load_one(&mut self, from: &Path, u: &ast::Use) {
        let base = from.parent().unwrap_or(Path::new(""));
        let shown_path = normalize(&base.join(&u.path.text));
        let shown = shown_path.to_string_lossy().replace('\\', "/");
        let abs = absolute(&shown_path);
        let refuse = |msg: String, label: &str, help: String| {
            Finding::new(Rule::BadUse, u.path.span, msg)
                .label(label)
                .help(help)
        };
        if u.path.text.is_empty() || !abs.starts_with(&self.root) {
            self.findings.push(refuse(
                format!("`use \"{}\"` points outside the root directory", u.path.text),
                "outside the root",
                format!("libraries must be inside `{}`; move the library, or run with `--root` naming a directory that contains it", self.root.display()),
            ));
            return;
        }
        // Follow symbolic links before reading, and check again.
        let canonical = match abs.canonicalize() {
            Ok(c) => c,
            Err(e) => {
                self.findings.push(refuse(
                    format!("cannot read `{shown}`: {}", io_reason(&e)),
                    "missing library",
                    "check the path: it is relative to the file that has the `use`".into(),
                ));
                return;
            }
        };
        if !canonical.starts_with(&self.root) {
            self.findings.push(refuse(
                format!(
                    "`use \"{}\"` leads outside the root directory through a link",
                    u.path.text
                ),
                "outside the root",
                format!("libraries must be inside `{}`", self.root.display()),
            ));
            return;
        }
        if let Some(i) = self.stack.iter().position(|(p, _)| *p == canonical) {
            let mut chain: Vec<&str> = self.stack[i..].iter().map(|(_, s)| s.as_str()).collect();
            chain.push(&shown);
            self.findings.push(refuse(
                format!("`use` cycle: {}", chain.join(" → ")),
                "this `use` closes the cycle",
                "libraries may use other libraries, but never one that leads back here".into(),
            ));
            return;
        }
        if self.loaded.contains(&canonical) {
            return; // a library used twice is included once
        }
        self.loaded.push(canonical.clone());
        let text = match read_text(&canonical) {
            Ok(t) => t,
            Err(e) => {
                self.findings.push(refuse(
                    e.to_string(),
                    "cannot be read",
                    "check the path: it is relative to the file that has the `use`".into(),
                ));
                return;
            }
        };
        let id = self.sources.add(SourceFile::new(shown_path.clone(), text));
        let parsed = match syntax::parse(id, &self.sources.get(id).text) {
            Ok(p) => p,
            Err(f) => {
                self.findings.push(*f);
                return;
            }
        };
        if let Some(j) = &parsed.journey {
            self.findings.push(
                refuse(
                    format!("`{shown}` holds a journey; only libraries can be used"),
                    "not a library",
                    "move the shared channels, segments and contexts into a library file and use that".into(),
                )
                .with(j.name.span, "the journey in the used file"),
            );
            return;
        }
        self.stack.push((canonical, shown));
        for inner in &parsed.uses {
            self.load_one(&shown_path, inner);
        }
        self.stack.pop();
        self.items.extend(parsed.library);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
    }
}
