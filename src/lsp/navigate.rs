//! Definitions, references, rename and the outline, read off the name index
//! ([`super::symbols`]) of a document and the libraries it uses.

use super::Failed;
use super::state::{At, State};
use super::symbols::{Kind, Occurrence, is_identifier};
use crate::ast::{self, Item, TouchpointAttr};
use crate::source::Span;
use lsp_server::ErrorCode;
use lsp_types::{
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, GotoDefinitionParams,
    GotoDefinitionResponse, Location, PrepareRenameResponse, ReferenceParams, RenameParams,
    SymbolKind, TextDocumentPositionParams, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;

/// Answers `textDocument/definition`: where the name under the cursor is declared (in a
/// used library: that file), or the library a `use "…"` line names.
pub fn definition(
    state: &State,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>, Failed> {
    let p = params.text_document_position_params;
    let at = state.at(&p.text_document.uri, p.position)?;
    let a = at.analysis;
    if let Some(o) = a.index.at(a.main(), at.offset) {
        let locations: Vec<Location> = a
            .index
            .definitions(o.kind, &o.key)
            .into_iter()
            .filter_map(|d| state.location(a, d.span))
            .collect();
        return Ok(Some(GotoDefinitionResponse::Array(locations)));
    }
    Ok(use_at(state, &at).map(GotoDefinitionResponse::Scalar))
}

/// The start of the library a `use "…"` line at the cursor loaded.
fn use_at(state: &State, at: &At) -> Option<Location> {
    let a = at.analysis;
    let tree = a.session.compiled.ast.as_ref()?;
    let offset = at.offset as u32;
    let u = tree
        .uses
        .iter()
        .find(|u| u.span.start <= offset && offset <= u.span.end)?;
    let main = a.sources().get(a.main());
    let base = main.path.parent()?;
    let want = crate::model::normalize(&base.join(&u.path.text));
    let (id, _) = a.sources().files().find(|(_, f)| f.path == want)?;
    state.location(a, Span::new(id, 0, 0))
}

/// Answers `textDocument/references`: every place the name is written, in the document and
/// the libraries it uses.
pub fn references(state: &State, params: ReferenceParams) -> Result<Vec<Location>, Failed> {
    let p = params.text_document_position;
    let at = state.at(&p.text_document.uri, p.position)?;
    let a = at.analysis;
    let Some(o) = a.index.at(a.main(), at.offset) else {
        return Ok(Vec::new());
    };
    let with_declarations = params.context.include_declaration;
    Ok(a.index
        .references(o.kind, &o.key)
        .filter(|r| with_declarations || !r.declares)
        .filter_map(|r| state.location(a, r.span))
        .collect())
}

/// The name under the cursor, or an error saying there is none to rename.
fn renamable<'a>(at: &'a At) -> Result<&'a Occurrence, Failed> {
    at.analysis
        .index
        .at(at.analysis.main(), at.offset)
        .ok_or_else(|| {
            (
                ErrorCode::RequestFailed,
                "there is no name to rename here".into(),
            )
        })
}

/// Answers `textDocument/prepareRename`: the name's range, or why it cannot be renamed.
pub fn prepare_rename(
    state: &State,
    params: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>, Failed> {
    let at = state.at(&params.text_document.uri, params.position)?;
    let o = renamable(&at)?;
    let range = at
        .doc
        .lines
        .range(o.span.start as usize, o.span.end as usize);
    Ok(Some(PrepareRenameResponse::Range(range)))
}

/// Answers `textDocument/rename`: every place the name is written, in every file, gets
/// the new name. Refused when the new name is not an identifier or already names a
/// declaration of the same kind (the renamed journey would not resolve to the same model).
pub fn rename(state: &State, params: RenameParams) -> Result<Option<WorkspaceEdit>, Failed> {
    let p = params.text_document_position;
    let at = state.at(&p.text_document.uri, p.position)?;
    let o = renamable(&at)?;
    let new = params.new_name.trim();
    let refuse = |message: String| Err((ErrorCode::RequestFailed, message));
    if !is_identifier(new) {
        return refuse(format!(
            "`{new}` is not a name: a name is a letter or `_`, then letters, digits or `_` \
             (and not `exit`)"
        ));
    }
    let index = &at.analysis.index;
    let new_key = match o.key.rsplit_once('.') {
        Some((touchpoint, _)) if o.kind == Kind::Option => format!("{touchpoint}.{new}"),
        _ => new.to_string(),
    };
    if new_key == o.key {
        return Ok(Some(WorkspaceEdit::default()));
    }
    if index.references(o.kind, &new_key).next().is_some() {
        return refuse(format!(
            "a {} called `{new}` already exists; renaming would merge two of them",
            o.kind.word()
        ));
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for r in index.references(o.kind, &o.key) {
        let Some(location) = state.location(at.analysis, r.span) else {
            return refuse(format!(
                "cannot name the file of `{}` for the editor",
                at.analysis.sources().get(r.span.file).display_path()
            ));
        };
        changes
            .entry(location.uri)
            .or_default()
            .push(TextEdit::new(location.range, new.to_string()));
    }
    Ok(Some(WorkspaceEdit::new(changes)))
}

/// Answers `textDocument/documentSymbol`: the outline — the journey, its stages and their
/// touchpoints (and options), channels, segments, triggers and scenarios.
pub fn symbols(
    state: &State,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>, Failed> {
    let uri = params.text_document.uri;
    let at = state.at(&uri, lsp_types::Position::new(0, 0))?;
    let Some(tree) = at.analysis.session.compiled.ast.as_ref() else {
        return Ok(None);
    };
    let outline = Outline { at: &at };
    let out = match &tree.journey {
        Some(j) => {
            let children = outline.items(&j.items);
            vec![outline.symbol(&j.name, j.span, SymbolKind::MODULE, children)]
        }
        None => outline.items(&tree.library),
    };
    Ok(Some(DocumentSymbolResponse::Nested(out)))
}

/// Builds outline entries of one document.
struct Outline<'a> {
    at: &'a At<'a>,
}

impl Outline<'_> {
    #[allow(deprecated)] // `DocumentSymbol::deprecated` must be written
    fn symbol(
        &self,
        name: &ast::Name,
        span: Span,
        kind: SymbolKind,
        children: Vec<DocumentSymbol>,
    ) -> DocumentSymbol {
        let lines = &self.at.doc.lines;
        let range = lines.range(span.start as usize, span.end as usize);
        let selection = lines.range(name.span.start as usize, name.span.end as usize);
        DocumentSymbol {
            name: name.text.clone(),
            detail: None,
            kind,
            tags: None,
            deprecated: None,
            range,
            // The selection must lie inside the range.
            selection_range: if name.span.start >= span.start && name.span.end <= span.end {
                selection
            } else {
                range
            },
            children: Some(children).filter(|c| !c.is_empty()),
        }
    }

    fn items(&self, items: &[Item]) -> Vec<DocumentSymbol> {
        let mut out = Vec::new();
        for item in items {
            match item {
                Item::Channel(c) => {
                    out.push(self.symbol(&c.name, c.span, SymbolKind::INTERFACE, Vec::new()))
                }
                Item::Segment(s) => {
                    out.push(self.symbol(&s.name, s.span, SymbolKind::CLASS, Vec::new()))
                }
                Item::Stage(s) => {
                    let tps = s.touchpoints.iter().map(|t| self.touchpoint(t)).collect();
                    out.push(self.symbol(&s.name, s.span, SymbolKind::NAMESPACE, tps));
                }
                Item::TouchpointOverride(t) => out.push(self.touchpoint(t)),
                Item::Trigger(t) => {
                    out.push(self.symbol(&t.name, t.span, SymbolKind::EVENT, Vec::new()))
                }
                Item::Scenario(s) => {
                    let children = self.items(&s.items);
                    out.push(self.symbol(&s.name, s.span, SymbolKind::PACKAGE, children));
                }
                _ => {}
            }
        }
        out
    }

    fn touchpoint(&self, t: &ast::Touchpoint) -> DocumentSymbol {
        let options = t
            .attrs
            .iter()
            .filter_map(|a| match a {
                TouchpointAttr::Option(o) => {
                    Some(self.symbol(&o.name, o.span, SymbolKind::ENUM_MEMBER, Vec::new()))
                }
                _ => None,
            })
            .collect();
        self.symbol(&t.name, t.span, SymbolKind::FUNCTION, options)
    }
}
