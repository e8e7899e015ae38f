//! Language server latency on a generated 1,000-touchpoint journey, through the server's own
//! loop (`journeyc::lsp::serve` over an in-memory connection: everything but the pipe):
//! - a change to diagnostics: `didChange` sent → `publishDiagnostics` received (the file
//!   alternates between clean and one misspelt target, so every change publishes);
//! - hover on a touchpoint: the first after a change (it computes the exact analysis) and
//!   the next ones (cached);
//! - hover on a transition.
//!
//! On one core (rayon's pool has one thread). Targets: diagnostics within 50 ms, hover within
//! 10 ms. Run with `cargo bench --bench lsp`; figures go in docs/performance.md and
//! docs/lsp.md.

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Runs `f` (which times what it measures) for about `budget`: the median of its times.
fn median(budget: Duration, mut f: impl FnMut() -> Duration) -> Duration {
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 5 || (start.elapsed() < budget && times.len() < 200) {
        times.push(f());
    }
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:8.2} ms", d.as_secs_f64() * 1e3)
}

struct Client {
    connection: Connection,
    next: i32,
}

impl Client {
    fn notify(&self, method: &str, params: Value) {
        let n = Notification::new(method.into(), params);
        self.connection.sender.send(n.into()).unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = RequestId::from(self.next);
        let r = Request::new(id.clone(), method.into(), params);
        self.connection.sender.send(r.into()).unwrap();
        loop {
            match self.connection.receiver.recv().unwrap() {
                Message::Response(r) if r.id == id => {
                    return r.response_result.expect("the request succeeds");
                }
                _ => {}
            }
        }
    }

    /// Waits for the next `publishDiagnostics`: the number of diagnostics.
    fn diagnostics(&self) -> usize {
        loop {
            if let Message::Notification(n) = self.connection.receiver.recv().unwrap() {
                if n.method == "textDocument/publishDiagnostics" {
                    return n.params["diagnostics"].as_array().map_or(0, Vec::len);
                }
            }
        }
    }
}

fn position(text: &str, offset: usize) -> Value {
    let line = text[..offset].matches('\n').count();
    let column = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": column })
}

fn main() {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
        .expect("one rayon thread");
    let clean = journeyc::generate::realistic(1_000, 1);
    // One misspelt transition target: J0101.
    let at = clean.find("-> t5").expect("a transition to t5");
    let broken = format!("{}-> tt5{}", &clean[..at], &clean[at + 5..]);
    println!(
        "realistic 1,000 touchpoints: {:.0} kB",
        clean.len() as f64 / 1e3
    );

    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || {
        journeyc::lsp::serve(&server, journeyc::lsp::ServerOptions::default())
    });
    let mut c = Client {
        connection: client,
        next: 0,
    };
    let dir = std::env::temp_dir();
    let uri = journeyc::lsp::position::path_to_uri(&dir.join("bench.journey"))
        .unwrap()
        .as_str()
        .to_string();
    c.request(
        "initialize",
        json!({ "capabilities": {}, "rootUri": null, "processId": null }),
    );
    c.notify("initialized", json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "journey", "version": 1,
                                  "text": clean } }),
    );
    c.diagnostics();

    let budget = Duration::from_secs(3);
    let mut version = 1;
    let mut change = |c: &mut Client, text: &str| {
        version += 1;
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [{ "text": text }] }),
        );
        c.diagnostics()
    };
    let mut flip = false;
    let diagnostics = median(budget, || {
        flip = !flip;
        let t = Instant::now();
        // The generated file has warnings of its own; the misspelling adds an error.
        change(&mut c, if flip { &broken } else { &clean });
        t.elapsed()
    });
    if flip {
        change(&mut c, &clean);
    }
    let tp = clean.find("touchpoint t500 ").unwrap() + "touchpoint ".len();
    let hover_tp = json!({ "textDocument": { "uri": uri }, "position": position(&clean, tp) });
    let first_hover = median(budget, || {
        // A change drops the cached exact analysis: the next hover computes it.
        change(&mut c, &broken);
        change(&mut c, &clean);
        let t = Instant::now();
        let h = c.request("textDocument/hover", hover_tp.clone());
        assert!(h["contents"]["value"].as_str().unwrap().contains("reach"));
        t.elapsed()
    });
    let hover = median(budget, || {
        let t = Instant::now();
        let h = c.request("textDocument/hover", hover_tp.clone());
        assert!(h["contents"]["value"].as_str().unwrap().contains("reach"));
        t.elapsed()
    });
    let arrow = clean[tp..].find("-> ").unwrap() + tp + 1;
    let hover_arrow =
        json!({ "textDocument": { "uri": uri }, "position": position(&clean, arrow) });
    let hover_transition = median(budget, || {
        let t = Instant::now();
        let h = c.request("textDocument/hover", hover_arrow.clone());
        assert!(h["contents"]["value"].as_str().unwrap().contains("`-> "));
        t.elapsed()
    });
    println!("  change → diagnostics          {}", ms(diagnostics));
    println!(
        "  hover, first after a change   {}  (computes the exact analysis)",
        ms(first_hover)
    );
    println!("  hover on a touchpoint         {}", ms(hover));
    println!("  hover on a transition         {}", ms(hover_transition));
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    thread.join().unwrap().unwrap();
}
