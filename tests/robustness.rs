//! No input makes journeyc panic, overflow the stack or hang: thousands of mutated sample
//! files, huge and deeply nested inputs. Every rejected file gets at least one diagnostic.

use journeyc::model::{Options, resolve_source};
use std::panic::{AssertUnwindSafe, catch_unwind};

const SAMPLES: [&str; 4] = [
    include_str!("../examples/checkout.journey"),
    include_str!("../examples/onboarding.journey"),
    include_str!("../examples/support.journey"),
    include_str!("../examples/common.journey"),
];

/// Tokens a mutation may insert: keywords, punctuation, odd numbers, odd text.
const DICTIONARY: [&str; 40] = [
    "journey",
    "stage",
    "touchpoint",
    "on",
    "entry",
    "->",
    "exit",
    "{",
    "}",
    "channel",
    "segment",
    "share",
    "trigger",
    "kpi",
    "scenario",
    "remove",
    "use",
    "goal",
    "friction",
    "for",
    "%",
    "..",
    ",",
    "\"",
    "#",
    "1e309",
    "-0",
    "999999999999999999999999%",
    "0.0000001",
    "+2",
    "-7",
    "2m..1m",
    "30x",
    "é",
    "☕",
    "\u{feff}",
    "\r\n",
    "\t",
    "primary_goal nope",
    "context_loss 120%",
];

struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(text: &str, rng: &mut Mix) -> String {
    let mut t = text.to_string();
    for _ in 0..1 + rng.below(3) {
        let a = boundary(&t, rng.below(t.len() + 1));
        let b = boundary(&t, a + rng.below(40));
        match rng.below(6) {
            0 => t.replace_range(a..b, ""),
            1 => t.insert_str(a, DICTIONARY[rng.below(DICTIONARY.len())]),
            2 => t.replace_range(a..b, DICTIONARY[rng.below(DICTIONARY.len())]),
            3 => {
                let piece = t[a..b].to_string();
                t.insert_str(b, &piece);
            }
            4 => t.truncate(a),
            _ => {
                // Swap two lines.
                let mut lines: Vec<&str> = t.lines().collect();
                if lines.len() > 2 {
                    let (x, y) = (rng.below(lines.len()), rng.below(lines.len()));
                    lines.swap(x, y);
                }
                t = lines.join("\n");
            }
        }
    }
    t
}

fn pipeline(text: &str) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let options = Options {
        root: Some(dir.into()),
        scenario: None,
    };
    let path = std::path::Path::new(dir).join("mutated.journey");
    let compiled = resolve_source(path, text, &options).expect("text is given: nothing to read");
    for name in compiled.scenario_names() {
        let (journey, findings) = compiled.scenario(&name).expect("the scenario exists");
        if let Some(j) = &journey {
            journeyc::check::check(j);
        }
        assert!(
            journey.is_some() || !findings.is_empty(),
            "scenario {name} rejected without a diagnostic"
        );
    }
    if !compiled.library {
        assert!(
            compiled.journey.is_some() || !compiled.findings.is_empty(),
            "rejected without a diagnostic:\n{text}"
        );
    }
    let checked = compiled.journey.as_ref().map(journeyc::check::check);
    if let (Some(j), Some(found)) = (&compiled.journey, &checked) {
        // `journeyc graph` draws whatever resolves, findings attached.
        use journeyc::report::graph::{Graph, dot, mermaid};
        let g = Graph::new(j, found);
        assert!(dot::render(&g).ends_with("}\n"));
        assert!(mermaid::render(&g).contains("flowchart LR"));
    }
    for f in compiled.findings.iter().chain(checked.iter().flatten()) {
        let file = compiled.sources.get(f.primary.span.file);
        assert!(
            f.primary.span.end as usize <= file.text.len()
                && file.text.is_char_boundary(f.primary.span.start as usize)
        );
    }
}

#[test]
fn thousands_of_mutated_samples_never_panic_and_always_explain() {
    let mut rng = Mix(0x5eed);
    let mut rejected = 0;
    for round in 0..4000 {
        let text = mutate(SAMPLES[round % SAMPLES.len()], &mut rng);
        let result = catch_unwind(AssertUnwindSafe(|| pipeline(&text)));
        if let Err(e) = result {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
            panic!("round {round} panicked: {msg:?}\n--- input ---\n{text}");
        }
        let c = resolve_source("m.journey", text.as_str(), &Options::default()).unwrap();
        rejected += usize::from(c.journey.is_none() && !c.library);
    }
    // The mutations must actually exercise the error paths.
    assert!(
        rejected > 1000,
        "only {rejected} of 4000 mutated files were rejected"
    );
}

#[test]
fn deeply_nested_and_long_inputs_are_errors_not_crashes() {
    for text in [
        "{".repeat(200_000),
        format!("journey j {{ {} }}", "stage s { ".repeat(100_000)),
        "#".repeat(1_000_000),
        "a".repeat(1_000_000),
        "\"".repeat(100_001),
    ] {
        let c = resolve_source("deep.journey", text.as_str(), &Options::default()).unwrap();
        assert!(c.journey.is_none());
        assert!(!c.findings.is_empty() || c.library);
    }
}

#[test]
fn a_ten_megabyte_journey_resolves() {
    let text = journeyc::generate::realistic(95_000, 3);
    assert!(text.len() > 10_000_000, "{} bytes", text.len());
    let c = resolve_source("big.journey", text, &Options::default()).unwrap();
    assert!(c.findings.is_empty(), "{:?}", c.findings.first());
    assert_eq!(c.journey.unwrap().touchpoints.len(), 95_000);
}

#[test]
fn a_million_touchpoint_chain_resolves() {
    let c = resolve_source(
        "chain.journey",
        journeyc::generate::chain(1_000_000),
        &Options::default(),
    )
    .unwrap();
    assert!(c.findings.is_empty(), "{:?}", c.findings.first());
    let journey = c.journey.unwrap();
    assert_eq!(journey.touchpoints.len(), 1_000_000);
    assert!(journeyc::check::check(&journey).is_empty());
}
