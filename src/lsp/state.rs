//! The open documents, their analyses and the diagnostics last published for each file.

use super::analysis::{self, Analysis};
use super::position::{LineIndex, path_to_uri, uri_to_path};
use super::{Failed, log};
use crate::cli::config::{self, Config, LevelArgs};
use crate::diagnostic::{Finding, Level, RuleLevels};
use crate::source::{FileId, Span};
use lsp_server::{ErrorCode, Notification};
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, PublishDiagnosticsParams, Range, Uri,
};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// An open document.
pub struct Document {
    /// Its path (for a URI that is not a file, a name in the root).
    pub path: PathBuf,
    /// Its canonical path (the key of the loader's overlay).
    pub canonical: PathBuf,
    /// The client's version.
    pub version: i32,
    /// The text as the editor holds it.
    pub text: String,
    /// Offsets ↔ positions of `text`.
    pub lines: LineIndex,
}

/// Everything the server holds.
pub struct State {
    /// Open documents by URI.
    pub docs: BTreeMap<Uri, Document>,
    /// Their analyses (absent only when a document could not be compiled at all).
    pub analyses: HashMap<Uri, Analysis>,
    /// What was last published per URI.
    published: HashMap<Uri, Vec<Diagnostic>>,
    /// `--root`.
    root: Option<PathBuf>,
    /// The client's workspace folder.
    workspace: Option<PathBuf>,
    /// The configuration found from each root (`None`: unreadable, defaults used).
    configs: HashMap<PathBuf, Option<Config>>,
}

/// A document, its analysis and a byte offset in it: what a position request is about.
pub struct At<'a> {
    /// The document's URI.
    pub uri: &'a Uri,
    /// The document.
    pub doc: &'a Document,
    /// Its analysis.
    pub analysis: &'a Analysis,
    /// The offset of the request's position (into the BOM-less text).
    pub offset: usize,
}

impl State {
    /// An empty state.
    pub fn new(root: Option<PathBuf>, workspace: Option<PathBuf>) -> State {
        State {
            docs: BTreeMap::new(),
            analyses: HashMap::new(),
            published: HashMap::new(),
            root,
            workspace,
            configs: HashMap::new(),
        }
    }

    /// The root `use` paths of `path` must stay inside: `--root`, else the workspace folder
    /// holding the file, else the file's project as `check` finds it.
    fn root_for(&self, path: &Path) -> PathBuf {
        if let Some(r) = &self.root {
            return crate::model::absolute(r);
        }
        match &self.workspace {
            Some(w) if path.starts_with(w) => w.clone(),
            _ => crate::model::default_root(path),
        }
    }

    /// Opens a document; returns the diagnostics to publish.
    pub fn open(&mut self, uri: Uri, version: i32, text: String) -> Vec<Notification> {
        let path = match uri_to_path(&uri) {
            Some(p) => crate::model::absolute(&p),
            // An unsaved buffer: named in the root, where its `use`s start.
            None => {
                let base = self.root.clone().or_else(|| self.workspace.clone());
                crate::model::absolute(&base.unwrap_or_default().join("untitled.journey"))
            }
        };
        let doc = Document {
            canonical: analysis::canonical(&path),
            path,
            version,
            lines: LineIndex::new(&text),
            text,
        };
        self.docs.insert(uri, doc);
        self.refresh()
    }

    /// Replaces a document's text.
    pub fn change(&mut self, uri: &Uri, version: i32, text: String) -> Vec<Notification> {
        let Some(doc) = self.docs.get_mut(uri) else {
            return vec![log(&format!(
                "didChange of {} before didOpen",
                uri.as_str()
            ))];
        };
        doc.version = version;
        doc.lines = LineIndex::new(&text);
        doc.text = text;
        self.refresh()
    }

    /// Closes a document.
    pub fn close(&mut self, uri: &Uri) -> Vec<Notification> {
        self.docs.remove(uri);
        self.analyses.remove(uri);
        self.refresh()
    }

    /// Analyses every open document again (a change may touch a library others use) and
    /// returns the diagnostics that changed.
    fn refresh(&mut self) -> Vec<Notification> {
        let open: HashMap<PathBuf, String> = self
            .docs
            .values()
            .map(|d| (d.canonical.clone(), d.text.clone()))
            .collect();
        let mut notes = Vec::new();
        self.analyses.clear();
        let jobs: Vec<(Uri, PathBuf, PathBuf)> = self
            .docs
            .iter()
            .map(|(uri, d)| (uri.clone(), d.path.clone(), self.root_for(&d.path)))
            .collect();
        for (uri, path, root) in jobs {
            let levels = self.levels(&root, &path, &mut notes);
            let text = &self.docs[&uri].text;
            match Analysis::new(&path, text, &root, &open, &levels) {
                Ok(a) => {
                    self.analyses.insert(uri, a);
                }
                Err(e) => notes.push(log(&format!("{}: {e}", path.display()))),
            }
        }
        notes.extend(self.publish());
        notes
    }

    /// The rule levels of `path` from the `journeyc.toml` found from `root`.
    fn levels(&mut self, root: &Path, path: &Path, notes: &mut Vec<Notification>) -> RuleLevels {
        let config = self.configs.entry(root.to_path_buf()).or_insert_with(|| {
            match config::load(&LevelArgs::default(), root) {
                Ok(c) => Some(c),
                Err(e) => {
                    notes.push(log(&format!("{e}; using the default rule levels")));
                    None
                }
            }
        });
        config
            .as_ref()
            .map_or_else(RuleLevels::default, |c| c.levels_for(path))
    }

    /// The diagnostics of every file, from every analysis; those that changed since the
    /// last publication (cleared ones included, as an empty list).
    fn publish(&mut self) -> Vec<Notification> {
        let mut now: HashMap<Uri, Vec<Diagnostic>> = HashMap::new();
        for a in self.analyses.values() {
            for f in &a.findings {
                let Some(uri) = self.uri_of(a, f.primary.span.file) else {
                    continue;
                };
                let d = self.diagnostic(a, f);
                let list = now.entry(uri).or_default();
                if !list.contains(&d) {
                    list.push(d);
                }
            }
        }
        for uri in self.docs.keys() {
            now.entry(uri.clone()).or_default();
        }
        let mut out = Vec::new();
        let mut uris: Vec<Uri> = now.keys().chain(self.published.keys()).cloned().collect();
        uris.sort();
        uris.dedup();
        for uri in uris {
            let diagnostics = now.remove(&uri).unwrap_or_default();
            if self.published.get(&uri) == Some(&diagnostics) {
                continue;
            }
            let version = self.docs.get(&uri).map(|d| d.version);
            let params = PublishDiagnosticsParams {
                uri: uri.clone(),
                diagnostics: diagnostics.clone(),
                version,
            };
            out.push(Notification::new(
                "textDocument/publishDiagnostics".into(),
                params,
            ));
            if diagnostics.is_empty() && !self.docs.contains_key(&uri) {
                self.published.remove(&uri);
            } else {
                self.published.insert(uri, diagnostics);
            }
        }
        out
    }

    /// A finding as an LSP diagnostic: its code, the range `check` reports, the message with
    /// the help line, secondary labels as related information.
    pub fn diagnostic(&self, a: &Analysis, f: &Finding) -> Diagnostic {
        let mut message = f.message.clone();
        if let Some(help) = f.help.as_deref().filter(|h| !h.is_empty()) {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let related: Vec<DiagnosticRelatedInformation> = f
            .secondary
            .iter()
            .filter_map(|l| {
                Some(DiagnosticRelatedInformation {
                    location: self.location(a, l.span)?,
                    message: if l.message.is_empty() {
                        "here".into()
                    } else {
                        l.message.clone()
                    },
                })
            })
            .collect();
        Diagnostic {
            range: self.range(a, f.primary.span),
            severity: Some(match f.level {
                Level::Error => DiagnosticSeverity::ERROR,
                Level::Warning => DiagnosticSeverity::WARNING,
                Level::Info => DiagnosticSeverity::INFORMATION,
            }),
            code: Some(NumberOrString::String(f.rule.code().into())),
            source: Some("journeyc".into()),
            message,
            related_information: Some(related).filter(|r| !r.is_empty()),
            ..Diagnostic::default()
        }
    }

    /// The URI of a file of an analysis: an open document's, else its path's.
    pub fn uri_of(&self, a: &Analysis, file: FileId) -> Option<Uri> {
        let path = &a.sources().get(file).path;
        if let Some((uri, _)) = self.open_doc(path) {
            return Some(uri.clone());
        }
        path_to_uri(&crate::model::absolute(path))
    }

    /// The open document at `path`, if any.
    fn open_doc(&self, path: &Path) -> Option<(&Uri, &Document)> {
        let abs = crate::model::absolute(path);
        self.docs.iter().find(|(_, d)| d.path == abs).or_else(|| {
            let canonical = analysis::canonical(&abs);
            self.docs.iter().find(|(_, d)| d.canonical == canonical)
        })
    }

    /// The line index of a file of an analysis.
    pub fn lines_of<'a>(&'a self, a: &'a Analysis, file: FileId) -> &'a LineIndex {
        match self.open_doc(&a.sources().get(file).path) {
            Some((_, d)) => &d.lines,
            None => a.disk_lines(file),
        }
    }

    /// The range of a span, as `check` places it: a span that takes in its line ending ends
    /// on its own line.
    pub fn range(&self, a: &Analysis, span: Span) -> Range {
        let text = &a.sources().get(span.file).text;
        let covered = text.get(span.range()).unwrap_or("");
        let end = span.start as usize + covered.trim_end_matches(['\n', '\r']).len();
        self.lines_of(a, span.file).range(span.start as usize, end)
    }

    /// The location of a span.
    pub fn location(&self, a: &Analysis, span: Span) -> Option<Location> {
        Some(Location::new(
            self.uri_of(a, span.file)?,
            self.range(a, span),
        ))
    }

    /// The document, analysis and offset of a request's position.
    pub fn at(&self, uri: &Uri, position: Position) -> Result<At<'_>, Failed> {
        let (uri, doc) = self.docs.get_key_value(uri).ok_or_else(|| {
            (
                ErrorCode::InvalidParams,
                format!("{} is not open", uri.as_str()),
            )
        })?;
        let analysis = self.analyses.get(uri).ok_or_else(|| {
            (
                ErrorCode::RequestFailed,
                format!("{} could not be compiled", uri.as_str()),
            )
        })?;
        Ok(At {
            uri,
            doc,
            analysis,
            offset: doc.lines.offset(position),
        })
    }
}
