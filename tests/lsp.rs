//! `journeyc lsp` driven over JSON-RPC as an editor drives it: the real binary, messages
//! framed with `Content-Length`, compared with what `check`, `fmt` and `compile` say.

use crate::common;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

/// A client of one server process.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Notifications received while waiting for something else.
    pending: Vec<Value>,
    next_id: i64,
}

const WAIT: Duration = Duration::from_secs(60);

impl Client {
    /// Starts `journeyc lsp ARGS` in `dir` and initializes it with `dir` as the workspace.
    fn start(dir: &Path, args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_journeyc"))
            .arg("lsp")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("journeyc lsp starts");
        let stdout = child.stdout.take().unwrap();
        let (send, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if send.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            stdin: child.stdin.take(),
            child,
            incoming,
            pending: Vec::new(),
            next_id: 1,
        };
        let root = uri(dir);
        let result = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": root, "capabilities": {},
                    "workspaceFolders": [{ "uri": root, "name": "test" }] }),
        );
        assert!(
            result["result"]["capabilities"]["hoverProvider"] == json!(true),
            "{result}"
        );
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_string(message).unwrap();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response (the whole message: `result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.receive();
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
            self.pending.push(message);
        }
    }

    fn receive(&mut self) -> Value {
        match self.incoming.recv_timeout(WAIT) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => panic!("no message from the server in {WAIT:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        if let Some(i) = self.pending.iter().position(|m| is_diagnostics_of(m, uri)) {
            let m = self.pending.remove(i);
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let m = self.receive();
            if is_diagnostics_of(&m, uri) {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.pending.push(m);
        }
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "journey", "version": 1,
                                      "text": text } }),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [{ "text": text }] }),
        );
    }

    /// `shutdown` then `exit`: the exit status.
    fn stop(mut self) -> i32 {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        self.notify("exit", Value::Null);
        self.stdin = None;
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

fn is_diagnostics_of(m: &Value, uri: &str) -> bool {
    m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn uri(path: &Path) -> String {
    journeyc::lsp::position::path_to_uri(&journeyc::model::absolute(path))
        .unwrap()
        .as_str()
        .to_string()
}

/// A temporary project folder (with `.git`, so that it is the files' root).
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().canonicalize().unwrap();
    std::fs::create_dir(dir_path.join(".git")).unwrap();
    for (name, text) in files {
        let path = dir_path.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// The LSP position of byte `offset` of ASCII `text`.
fn position(text: &str, offset: usize) -> Value {
    let line = text[..offset].matches('\n').count();
    let column = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": column })
}

fn at(uri: &str, text: &str, needle: &str) -> Value {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in the text"));
    json!({ "textDocument": { "uri": uri }, "position": position(text, offset) })
}

const MISSPELT: &str = "journey shop {
  channel web digital
  stage buy {
    touchpoint home on web {
      entry
      -> cart 60%
      -> exit
    }
    touchpoint cart on web { goal bought }
  }
}
";

#[test]
fn a_misspelt_target_is_reported_as_check_reports_it_and_cleared_after_the_fix() {
    let text = MISSPELT.replace("-> cart 60%", "-> crat 60%");
    let dir = project(&[("shop.journey", &text)]);
    let root = dir.path().canonicalize().unwrap();
    let (_, json_out, _) =
        common::journeyc_in(&root, &["check", "--format", "json", "shop.journey"]);
    let report: Value = serde_json::from_str(&json_out).unwrap();
    let expected = &report["files"][0]["findings"][0];
    assert_eq!(expected["code"], "J0101", "{report}");

    let mut client = Client::start(&root, &[]);
    let file = uri(&root.join("shop.journey"));
    client.open(&file, &text);
    let diagnostics = client.diagnostics(&file);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "J0101");
    assert_eq!(d["severity"], 1);
    let loc = &expected["location"];
    let line = |k: &str| loc[k].as_u64().unwrap() - 1;
    assert_eq!(
        d["range"],
        json!({ "start": { "line": line("line"), "character": line("column") },
                "end": { "line": line("end_line"), "character": line("end_column") } })
    );
    let message = d["message"].as_str().unwrap();
    assert_eq!(
        message,
        format!(
            "{}\nhelp: {}",
            expected["message"].as_str().unwrap(),
            expected["help"].as_str().unwrap()
        )
    );
    assert!(message.contains("did you mean `cart`?"), "{message}");

    // The quick fix writes the suggestion.
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": file }, "range": d["range"],
                "context": { "diagnostics": [d] } }),
    );
    let action = &actions["result"][0];
    assert_eq!(action["title"], "Write `cart`", "{actions}");
    assert_eq!(action["edit"]["changes"][&file][0]["newText"], "cart");

    client.change(&file, 2, MISSPELT);
    assert_eq!(client.diagnostics(&file), Vec::<Value>::new());
    assert_eq!(client.stop(), 0);
}

const SEGMENTED: &str = "journey shop {
  channel web digital
  segment new { share 60% }
  segment returning { share 40% }
  stage buy {
    touchpoint home on web {
      entry
      -> cart 70% for new
      -> cart 85% for returning
      -> exit
    }
    touchpoint cart on web { goal bought }
  }
}
";

#[test]
fn hover_on_exit_shows_the_remainder_of_each_segment() {
    let dir = project(&[("shop.journey", SEGMENTED)]);
    let root = dir.path().canonicalize().unwrap();
    let mut client = Client::start(&root, &[]);
    let file = uri(&root.join("shop.journey"));
    client.open(&file, SEGMENTED);
    assert_eq!(client.diagnostics(&file), Vec::<Value>::new());
    let hover = client.request("textDocument/hover", at(&file, SEGMENTED, "exit"));
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("`-> exit`: remainder — new 0.30, returning 0.15"),
        "{text}"
    );
    let hover = client.request("textDocument/hover", at(&file, SEGMENTED, "cart 85%"));
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("`-> cart`: 85% — new —, returning 0.85"),
        "{text}"
    );
    // The touchpoint's exact figures: everyone reaches `home`; `cart` is reached by
    // 0.6 × 0.7 + 0.4 × 0.85 = 76%.
    assert!(text.contains("reach 76.00%"), "{text}");
    let hover = client.request("textDocument/hover", at(&file, SEGMENTED, "home"));
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(text.contains("reach 100.00% · drop-off 24.00%"), "{text}");
    assert!(
        text.contains("- `returning`: reach 100.00% · drop-off 15.00%"),
        "{text}"
    );
    assert_eq!(client.stop(), 0);
}

#[test]
fn hover_on_a_rule_code_explains_the_rule() {
    let text = MISSPELT.replace("entry\n", "entry  # journeyc: allow(J0402)\n");
    let dir = project(&[("shop.journey", &text)]);
    let root = dir.path().canonicalize().unwrap();
    let mut client = Client::start(&root, &[]);
    let file = uri(&root.join("shop.journey"));
    client.open(&file, &text);
    let hover = client.request("textDocument/hover", at(&file, &text, "J0402"));
    let (_, explained, _) = common::journeyc_in(&root, &["explain", "J0402"]);
    assert_eq!(hover["result"]["contents"]["value"], explained.as_str());
    assert_eq!(client.stop(), 0);
}

const LIBRARY: &str = "# shared channels\nchannel web digital\nchannel phone human\n";

#[test]
fn definition_of_a_name_from_a_used_library_opens_the_library_at_its_declaration() {
    let main = "use \"lib/channels.journey\"\n\njourney shop {\n  stage buy {\n    touchpoint home on phone { entry goal done }\n  }\n}\n";
    let dir = project(&[("shop.journey", main), ("lib/channels.journey", LIBRARY)]);
    let root = dir.path().canonicalize().unwrap();
    let mut client = Client::start(&root, &[]);
    let file = uri(&root.join("shop.journey"));
    client.open(&file, main);
    let found = client.request("textDocument/definition", at(&file, main, "phone {"));
    let library = uri(&root.join("lib/channels.journey"));
    assert_eq!(
        found["result"],
        json!([{ "uri": library, "range": { "start": { "line": 2, "character": 8 },
                                             "end": { "line": 2, "character": 13 } } }])
    );
    // References from the journey reach into the library too.
    let refs = client.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": file }, "position": position(main, main.find("phone {").unwrap()),
                "context": { "includeDeclaration": true } }),
    );
    let uris: Vec<&str> = refs["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["uri"].as_str().unwrap())
        .collect();
    // The document first, then its libraries.
    assert_eq!(uris, [file.as_str(), library.as_str()]);
    assert_eq!(client.stop(), 0);
}

/// Applies LSP text edits (ASCII text) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + p["character"].as_u64().unwrap() as usize
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (s, e, new) in edits {
        out.replace_range(s..e, new);
    }
    out
}

#[test]
fn rename_changes_every_reference_and_nothing_else() {
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/checkout.journey"),
    )
    .unwrap();
    let dir = project(&[("checkout.journey", &example)]);
    let root = dir.path().canonicalize().unwrap();
    let mut client = Client::start(&root, &[]);
    let file = uri(&root.join("checkout.journey"));
    client.open(&file, &example);
    let rename = |client: &mut Client, new: &str| {
        let mut params = at(&file, &example, "size_advice 10%");
        params["newName"] = json!(new);
        client.request("textDocument/rename", params)
    };
    // Taken, and not a name: refused.
    for bad in ["cart", "exit", "9lives", "size advice"] {
        let refused = rename(&mut client, bad);
        assert!(refused["error"]["message"].is_string(), "{bad}: {refused}");
    }
    // Same length, so that the compiled models' spans match too.
    let renamed = rename(&mut client, "fit_adviser");
    let edits = renamed["result"]["changes"][&file]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edits.len(), example.matches("size_advice").count());
    let after = apply(&example, &edits);
    assert_eq!(after, example.replace("size_advice", "fit_adviser"));
    // The same file name in another folder: the models may name their file.
    let other = project(&[("checkout.journey", &after)]);
    let compile = |dir: &Path| {
        let (code, out, err) = common::journeyc_in(dir, &["compile", "checkout.journey"]);
        assert_eq!(code, 0, "{err}");
        out
    };
    let before = compile(&root);
    let renamed = compile(&other.path().canonicalize().unwrap());
    assert_ne!(before, renamed);
    assert_eq!(before.replace("size_advice", "fit_adviser"), renamed);
    assert_eq!(client.stop(), 0);
}

#[test]
fn formatting_gives_the_bytes_of_journeyc_fmt() {
    let messy = "journey   shop{channel web digital\n stage buy { touchpoint home on web {entry -> cart 60%  # why\n -> exit}\n touchpoint cart on web{goal bought}}}";
    let dir = project(&[("shop.journey", messy)]);
    let root = dir.path().canonicalize().unwrap();
    let (code, _, err) = common::journeyc_in(&root, &["fmt", "shop.journey"]);
    assert_eq!(code, 0, "{err}");
    let formatted = std::fs::read_to_string(root.join("shop.journey")).unwrap();
    assert_ne!(formatted, messy);
    let mut client = Client::start(&root, &[]);
    let file = uri(&root.join("shop.journey"));
    client.open(&file, messy);
    let params = json!({ "textDocument": { "uri": file },
                         "options": { "tabSize": 2, "insertSpaces": true } });
    let edits = client.request("textDocument/formatting", params.clone());
    let edits = edits["result"].as_array().unwrap().clone();
    assert_eq!(apply(messy, &edits), formatted);
    // Formatted already: nothing to change.
    client.change(&file, 2, &formatted);
    let again = client.request("textDocument/formatting", params);
    assert_eq!(again["result"], json!([]));
    assert_eq!(client.stop(), 0);
}

#[test]
fn protocol_errors_unknown_methods_and_shutdown() {
    let dir = project(&[]);
    let root = dir.path().canonicalize().unwrap();
    let mut client = Client::start(&root, &[]);
    let unknown = client.request("textDocument/inlayHint", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    let not_open = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///nowhere.journey" },
                "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(not_open["error"]["code"], -32602, "{not_open}");
    let shutdown = client.request("shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    let late = client.request("textDocument/hover", json!({}));
    assert_eq!(late["error"]["code"], -32600, "{late}");
    client.notify("exit", Value::Null);
    client.stdin = None;
    assert_eq!(client.child.wait().unwrap().code(), Some(0));

    // `exit` without `shutdown`: exit code 1 or more, as the protocol says.
    let mut client = Client::start(&root, &[]);
    client.notify("exit", Value::Null);
    client.stdin = None;
    assert_ne!(client.child.wait().unwrap().code(), Some(0));
}

/// Every prefix of every example (cut at every byte offset: the examples are ASCII, so every
/// offset is a character boundary) is sent as a change to one server; it must answer a
/// request after each batch and exit cleanly at the end.
#[test]
fn every_prefix_of_every_example_is_diagnosed_without_a_crash() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let dir = project(&[]);
    let root = dir.path().canonicalize().unwrap();
    // The libraries the examples use.
    std::fs::copy(examples.join("common.journey"), root.join("common.journey")).unwrap();
    let mut client = Client::start(&root, &[]);
    let mut names: Vec<_> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "journey"))
        .collect();
    names.sort();
    assert!(names.len() >= 5);
    let mut version = 1;
    let mut sent = 0;
    for path in names {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = uri(&root.join(path.file_name().unwrap()));
        client.open(&file, "");
        for cut in 0..=text.len() {
            if !text.is_char_boundary(cut) {
                continue;
            }
            version += 1;
            sent += 1;
            let prefix = &text[..cut];
            client.change(&file, version, prefix);
            if cut % 97 == 0 || cut == text.len() {
                let end = position(prefix, prefix.len());
                let params = json!({ "textDocument": { "uri": file }, "position": end });
                let hover = client.request("textDocument/hover", params.clone());
                assert!(hover.get("error").is_none(), "{hover}");
                let completion = client.request("textDocument/completion", params);
                assert!(completion["result"].is_array(), "{completion}");
                let symbols = client.request(
                    "textDocument/semanticTokens/full",
                    json!({ "textDocument": { "uri": file } }),
                );
                assert!(symbols.get("error").is_none(), "{symbols}");
            }
            // Drop what arrived meanwhile: only liveness matters here.
            client.pending.clear();
        }
        // The whole example compiles cleanly but for its info-level findings.
        let full = client.request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": file } }),
        );
        assert!(full["result"].is_array(), "{full}");
        client.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": file } }),
        );
    }
    assert!(sent > 10_000, "{sent} prefixes");
    assert_eq!(client.stop(), 0);
}
