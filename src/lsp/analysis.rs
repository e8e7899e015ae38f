//! One open document, compiled: the [`Session`] that `check` builds (parse, load of the
//! `use`d libraries through the loader, resolve, check, scenarios), its findings as `check`
//! reports them, the names of all its files, and the exact analysis, computed on the first
//! hover that needs it.
//!
//! The libraries are read by the model's loader ([`crate::model::resolve_source_in`]) through
//! [`Overlay`]: the loader decides which paths may be read (inside the root, links followed
//! and checked); the overlay only answers with an open buffer's text instead of the disk's.

use super::position::LineIndex;
use super::symbols::Index;
use crate::analyze;
use crate::check::session::Session;
use crate::cli::check::{Seen, leveled};
use crate::diagnostic::{Finding, RuleLevels};
use crate::model::{self, Files, Journey, Options, ReadError};
use crate::source::{FileId, SourceMap};
use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The texts of the open documents, by canonical path, in front of the disk.
pub struct Overlay<'a> {
    /// Canonical path → text of an open buffer.
    pub open: &'a HashMap<PathBuf, String>,
}

impl Files for Overlay<'_> {
    fn absolute(&self, path: &Path) -> PathBuf {
        model::absolute(path)
    }
    fn canonical(&self, abs: &Path) -> std::io::Result<PathBuf> {
        match abs.canonicalize() {
            Ok(c) => Ok(c),
            // A buffer not saved yet: it exists only in the editor.
            Err(_) if self.open.contains_key(abs) => Ok(abs.to_path_buf()),
            Err(e) => Err(e),
        }
    }
    fn read(&self, canonical: &Path) -> Result<String, ReadError> {
        match self.open.get(canonical) {
            Some(text) => Ok(text.clone()),
            None => model::read_text(canonical),
        }
    }
}

/// The canonical path of a document's path (links followed), or its normalised absolute
/// form when it does not exist on disk.
pub fn canonical(path: &Path) -> PathBuf {
    let abs = model::absolute(path);
    abs.canonicalize().unwrap_or(abs)
}

/// A compiled document.
pub struct Analysis {
    /// The session (the compiled file, the checker's findings, the scenarios).
    pub session: Session,
    /// Its findings as `journeyc check` reports them (levels applied, report order).
    pub findings: Vec<Finding>,
    /// Every name written in the document and its libraries.
    pub index: Index,
    /// Line indexes of the files that are not open (libraries read from disk), by file.
    lines: Vec<OnceCell<LineIndex>>,
    /// The exact figures, computed on first use.
    exact: OnceCell<Result<analyze::Analysis, String>>,
}

impl Analysis {
    /// Compiles `text` (the document at `path`), its `use`s read through `open` under `root`,
    /// and lists its findings with `levels`. An error only when the file cannot be compiled
    /// at all (the resolver's [`model::ResolveError`], not expected of a text in memory).
    pub fn new(
        path: &Path,
        text: &str,
        root: &Path,
        open: &HashMap<PathBuf, String>,
        levels: &RuleLevels,
    ) -> Result<Analysis, String> {
        let options = Options {
            root: Some(root.to_path_buf()),
            scenario: None,
        };
        let compiled = model::resolve_source_in(path, text, &options, &Overlay { open })
            .map_err(|e| e.to_string())?;
        let session = Session::new(compiled).map_err(|e| e.to_string())?;
        let findings = leveled(
            session.findings(),
            &session.compiled.sources,
            levels,
            &mut Seen::default(),
        );
        let sources = &session.compiled.sources;
        // The main file's tree is kept; the libraries' are parsed again (the loader keeps
        // only their items), which costs little next to resolving.
        let mut trees = Vec::new();
        for (id, f) in sources.files() {
            if id == session.compiled.main {
                continue;
            }
            if let Ok(tree) = crate::syntax::parse(id, &f.text) {
                trees.push(tree);
            }
        }
        let index = Index::new(session.compiled.ast.iter().chain(&trees));
        let lines = sources.files().map(|_| OnceCell::new()).collect();
        Ok(Analysis {
            session,
            findings,
            index,
            lines,
            exact: OnceCell::new(),
        })
    }

    /// The files read: the document first, then its libraries.
    pub fn sources(&self) -> &SourceMap {
        &self.session.compiled.sources
    }

    /// The document's file id.
    pub fn main(&self) -> FileId {
        self.session.compiled.main
    }

    /// The resolved journey, when the document is a journey without errors.
    pub fn journey(&self) -> Option<&Journey> {
        self.session.compiled.journey.as_ref()
    }

    /// The line index of a library file as read (BOM already dropped).
    pub fn disk_lines(&self, file: FileId) -> &LineIndex {
        let i = file.0 as usize;
        self.lines[i].get_or_init(|| LineIndex::new(&self.sources().get(file).text))
    }

    /// The exact figures of the journey (computed once), or why there are none.
    pub fn exact(&self) -> Option<&Result<analyze::Analysis, String>> {
        let journey = self.journey()?;
        Some(
            self.exact
                .get_or_init(|| analyze::analyze(journey).map_err(|e| e.to_string())),
        )
    }
}
