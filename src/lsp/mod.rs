//! `journeyc lsp`: a language server over standard input and output — a thin protocol layer
//! over the [`Session`](crate::check::session::Session) and the existing stages; it owns no
//! analysis of its own (ARCHITECTURE.md, "Version 2").
//!
//! ```text
//!   didOpen / didChange ──▶ Document (text, line index) ──▶ Analysis: the Session `check`
//!        (full text)             │                           builds, findings as `check`
//!                                │                           reports them, the name Index
//!                                ▼                                   │
//!          publishDiagnostics ◀── every open document re-analysed ◀──┘
//!   requests ──▶ hover · definition · references · rename · completion · symbols ·
//!                formatting (fmt) · code actions · semantic tokens, read off the Analysis;
//!                exact figures (analyze) computed on the first hover that needs them
//! ```
//!
//! The loop is synchronous (lsp-server's channels, no async runtime). Each message is
//! handled inside `catch_unwind` as a last resort, so that a bug answers one request with an
//! error instead of ending the server; the files `examples/` cut at every byte are a test.

// `lsp_types::Uri` caches parsed parts in a `Cell`, but hashes and compares its text only
// (lsp-types' `uri.rs`): as a map key it never changes. rust-analyzer allows it the same way.
#![allow(clippy::mutable_key_type)]

mod analysis;
mod complete;
mod edit;
mod hover;
mod navigate;
pub mod position;
mod state;
pub mod symbols;
mod tokens;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, OneOf, RenameOptions,
    SemanticTokensFullOptions, SemanticTokensLegend, SemanticTokensOptions,
    SemanticTokensServerCapabilities, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind,
};
use serde_json::Value;
use state::State;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

/// How the server was started.
#[derive(Clone, Debug, Default)]
pub struct ServerOptions {
    /// `--root`: the directory every `use` must stay inside (default: the workspace folder
    /// the client names, else the file's project, as `check` finds it).
    pub root: Option<PathBuf>,
}

/// A request's failure: an LSP error code and a message.
pub(crate) type Failed = (ErrorCode, String);

/// What a request handler returns.
pub(crate) type Answer = Result<Value, Failed>;

/// Serves over standard input and output until the client says `exit`. `Err` when the
/// connection broke or the client exited without `shutdown` (the protocol's exit code 1).
pub fn run(options: ServerOptions) -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    let result = serve(&connection, options);
    drop(connection);
    io.join()
        .map_err(|e| format!("the connection failed: {e}"))?;
    result
}

/// The server's capabilities, as answered to `initialize`.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![">".into(), " ".into(), ",".into(), "(".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: SemanticTokensLegend {
                    token_types: tokens::TYPES.to_vec(),
                    token_modifiers: tokens::MODIFIERS.to_vec(),
                },
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: Default::default(),
            },
        )),
        ..ServerCapabilities::default()
    }
}

/// Serves on `connection` (see [`run`]).
pub fn serve(connection: &Connection, options: ServerOptions) -> Result<(), String> {
    let (id, params) = connection
        .initialize_start()
        .map_err(|e| format!("no initialize request: {e}"))?;
    let workspace = serde_json::from_value::<lsp_types::InitializeParams>(params)
        .ok()
        .and_then(|p| workspace_root(&p));
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": { "name": "journeyc", "version": env!("CARGO_PKG_VERSION") },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| format!("initialize failed: {e}"))?;
    let mut state = State::new(options.root, workspace);
    let mut shut_down = false;
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                let id = request.id.clone();
                let response = if shut_down {
                    Response::new_err(
                        id,
                        ErrorCode::InvalidRequest as i32,
                        "the server is shutting down".into(),
                    )
                } else if request.method == "shutdown" {
                    shut_down = true;
                    Response::new_ok(id, Value::Null)
                } else {
                    match guarded(|| handle(&mut state, &request)) {
                        Ok(Ok(value)) => Response::new_ok(id, value),
                        Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
                        Err(message) => {
                            Response::new_err(id, ErrorCode::InternalError as i32, message)
                        }
                    }
                };
                send(connection, response.into())?;
            }
            Message::Notification(note) => {
                if note.method == "exit" {
                    return if shut_down {
                        Ok(())
                    } else {
                        Err("the client sent `exit` without `shutdown`".into())
                    };
                }
                let outgoing = match guarded(|| notify(&mut state, &note)) {
                    Ok(out) => out,
                    Err(message) => vec![log(&message)],
                };
                for n in outgoing {
                    send(connection, n.into())?;
                }
            }
            Message::Response(_) => {} // the server sends no requests
        }
    }
    Err("the client closed the connection without `exit`".into())
}

fn send(connection: &Connection, message: Message) -> Result<(), String> {
    connection
        .sender
        .send(message)
        .map_err(|e| format!("cannot write to the client: {e}"))
}

/// Runs `f`, turning a panic into an error message (the server keeps serving).
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        format!("internal error (a bug in journeyc, please report it): {what}")
    })
}

/// A `window/logMessage` notification.
fn log(message: &str) -> Notification {
    Notification::new(
        "window/logMessage".into(),
        serde_json::json!({ "type": 1, "message": message }),
    )
}

/// The workspace folder the client opened, as a path.
fn workspace_root(params: &lsp_types::InitializeParams) -> Option<PathBuf> {
    if let Some(folder) = params.workspace_folders.as_ref().and_then(|f| f.first()) {
        return position::uri_to_path(&folder.uri);
    }
    #[allow(deprecated)] // older clients send only `rootUri`
    let uri = params.root_uri.as_ref();
    uri.and_then(position::uri_to_path)
}

/// Handles a notification; returns the notifications to send (diagnostics).
fn notify(state: &mut State, note: &Notification) -> Vec<Notification> {
    use lsp_types::{
        DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    };
    match note.method.as_str() {
        "textDocument/didOpen" => {
            let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(note.params.clone())
            else {
                return vec![log("bad didOpen parameters")];
            };
            let d = p.text_document;
            state.open(d.uri, d.version, d.text)
        }
        "textDocument/didChange" => {
            let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(note.params.clone())
            else {
                return vec![log("bad didChange parameters")];
            };
            // Full synchronisation: the last change holds the whole text.
            match p.content_changes.into_iter().last() {
                Some(change) if change.range.is_none() => {
                    state.change(&p.text_document.uri, p.text_document.version, change.text)
                }
                Some(_) => vec![log(
                    "journeyc lsp synchronises whole documents: a ranged change was ignored",
                )],
                None => Vec::new(),
            }
        }
        "textDocument/didClose" => {
            let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(note.params.clone())
            else {
                return vec![log("bad didClose parameters")];
            };
            state.close(&p.text_document.uri)
        }
        // A save changes nothing the buffer did not already say; other notifications
        // (`initialized`, `$/cancelRequest`, configuration) need no answer.
        _ => Vec::new(),
    }
}

fn params<P: serde::de::DeserializeOwned>(request: &Request) -> Result<P, Failed> {
    serde_json::from_value(request.params.clone()).map_err(|e| {
        (
            ErrorCode::InvalidParams,
            format!("bad parameters of {}: {e}", request.method),
        )
    })
}

fn to_value<T: serde::Serialize>(value: T) -> Answer {
    serde_json::to_value(value).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

/// Answers a request.
fn handle(state: &mut State, request: &Request) -> Answer {
    match request.method.as_str() {
        "textDocument/hover" => to_value(hover::hover(state, params(request)?)?),
        "textDocument/definition" => to_value(navigate::definition(state, params(request)?)?),
        "textDocument/references" => to_value(navigate::references(state, params(request)?)?),
        "textDocument/prepareRename" => {
            to_value(navigate::prepare_rename(state, params(request)?)?)
        }
        "textDocument/rename" => to_value(navigate::rename(state, params(request)?)?),
        "textDocument/documentSymbol" => to_value(navigate::symbols(state, params(request)?)?),
        "textDocument/completion" => to_value(complete::completion(state, params(request)?)?),
        "textDocument/formatting" => to_value(edit::formatting(state, params(request)?)?),
        "textDocument/codeAction" => to_value(edit::code_actions(state, params(request)?)?),
        "textDocument/semanticTokens/full" => {
            to_value(tokens::semantic_tokens(state, params(request)?)?)
        }
        method => Err((
            ErrorCode::MethodNotFound,
            format!("journeyc lsp does not handle `{method}`"),
        )),
    }
}
