use super::differential::broken_variants;
use super::*;
use crate::ast::*;
use crate::source::FileId;

fn ok(text: &str) -> File {
    match parse(FileId(0), text) {
        Ok(f) => f,
        Err(e) => panic!("did not parse: {}", e.message),
    }
}

fn err(text: &str) -> String {
    match parse(FileId(0), text) {
        Ok(_) => panic!("parsed but should not have"),
        Err(e) => e.message,
    }
}

#[test]
fn empty_file_is_an_empty_library() {
    let f = ok("");
    assert!(f.journey.is_none() && f.library.is_empty());
    let f = ok("# only a comment\n");
    assert!(f.journey.is_none());
}

#[test]
fn a_lone_cr_ends_a_comment_line() {
    // Old Mac line ends: the journey after the comment is not part of it.
    let f = ok("# comment\rjourney j { stage s { touchpoint a on web { entry } } }");
    assert_eq!(f.journey.unwrap().name.text, "j");
    let f = ok("journey j { # why\r stage s { touchpoint a on web { entry } } }");
    assert_eq!(f.journey.unwrap().items.len(), 1);
    // CRLF ends a comment too, and only once.
    let f = ok("# c\r\njourney j { }");
    assert!(f.journey.is_some());
}

#[test]
fn one_line_touchpoint_means_the_same() {
    let f = ok("journey j { stage s { touchpoint a on web { entry -> b 50% -> exit } } }");
    let j = f.journey.unwrap();
    let Item::Stage(s) = &j.items[0] else {
        panic!()
    };
    let t = &s.touchpoints[0];
    assert_eq!(t.attrs.len(), 3);
    let TouchpointAttr::Arrow(a) = &t.attrs[1] else {
        panic!()
    };
    assert_eq!(a.probability.unwrap().value, 0.5);
    let TouchpointAttr::Arrow(a) = &t.attrs[2] else {
        panic!()
    };
    assert!(matches!(a.target, TargetName::Exit(_)));
}

#[test]
fn numbers_durations_and_labels() {
    let f = ok(r#"journey j "A \"quoted\" \\ label" {
        horizon 1.5h
        stage s { touchpoint a on web { entry 0.35 duration 2m..6m emotion -1 friction 10% "x" goal g value 80 } }
        kpi p90(time_to_convert) <= 2d
        kpi conversion for loyal >= 5%
        kpi nps >= -10
    }"#);
    let j = f.journey.unwrap();
    assert_eq!(j.label.unwrap().text, r#"A "quoted" \ label"#);
    assert!(
        matches!(j.items[0], Item::Horizon(DurationLit { seconds, .. }, _) if seconds == 5400.0)
    );
    let Item::Kpi(k) = &j.items[2] else { panic!() };
    assert_eq!(k.argument.as_ref().unwrap().text, "time_to_convert");
    assert!(matches!(k.value, KpiValue::Duration(s, _) if s == 172_800.0));
    let Item::Kpi(k) = &j.items[3] else { panic!() };
    assert_eq!(k.segment.as_ref().unwrap().text, "loyal");
    assert!(matches!(k.value, KpiValue::Percent(v, _) if (v - 0.05).abs() < 1e-12));
    let Item::Kpi(k) = &j.items[4] else { panic!() };
    assert!(matches!(k.value, KpiValue::Number(v, _) if v == -10.0));
}

#[test]
fn keywords_are_contextual() {
    // A touchpoint may be called like a keyword; `channels` is not `channel`.
    let f = ok("journey goal { stage stage { touchpoint goal on web { goal goal } } }");
    assert_eq!(f.journey.unwrap().name.text, "goal");
    assert!(err("journey j { channels web digital }").contains("unexpected `channels`"));
}

#[test]
fn exit_is_reserved() {
    let m = err("journey j { stage s { touchpoint exit on web { entry } } }");
    assert!(m.contains("unexpected `exit`"), "{m}");
}

#[test]
fn errors_say_what_was_expected_in_words() {
    let m = err("journey j { stage s { touchpoint a on web { entry friction } } }");
    assert!(m.contains("expected a probability"), "{m}");
    let m = err("journey j { horizon 30 }");
    assert!(m.contains("a duration"), "{m}");
    let m = err("journey j {");
    assert!(m.contains("unexpected end of file"), "{m}");
    let m = err("journey j { owner \"unterminated\n }");
    assert!(m.contains("unterminated label"), "{m}");
}

#[test]
fn crlf_and_non_ascii_labels() {
    let f = ok("journey j \"Café ☕\" {\r\n  owner \"x\"\r\n}\r\n");
    assert_eq!(f.journey.unwrap().label.unwrap().text, "Café ☕");
}

#[test]
fn syntax_error_span_is_in_bytes_after_non_ascii() {
    let text = "journey j \"Café\" { ownr \"x\" }";
    let e = parse(FileId(0), text).unwrap_err();
    assert_eq!(&text[e.primary.span.range()], "ownr");
}

#[test]
fn sample_journeys_parse() {
    for name in ["checkout", "common", "onboarding", "support"] {
        let path = format!("{}/examples/{name}.journey", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        ok(&text);
    }
}

#[test]
fn helps_for_a_misspelt_keyword_and_a_missing_arrow() {
    let help = |t: &str| {
        parse(FileId(0), t)
            .unwrap_err()
            .help
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        help("journey j { stage s { touchpoint a on web { entry fricton 5% } } }"),
        "did you mean `friction`?"
    );
    assert_eq!(
        help("journey j { stage s { touchpoint a on web { entry confirm 60% } } }"),
        "a transition is written with an arrow: `-> confirm 60%`"
    );
    assert_eq!(
        help("journey j { horizon 30 }"),
        "durations need a unit: write 30s, 30m, 30h, 30d or 30w"
    );
}

/// Every `.journey` file under `dir`, recursively, sorted.
fn journeys_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            journeys_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "journey") {
            out.push(path);
        }
    }
}

/// 64-bit FNV-1a of `bytes` and a 0xFF byte: `report::fnv1a` of one part, written out here
/// because the syntax layer imports nothing above it.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .chain(&[0xFF])
        .fold(0xcbf2_9ce4_8422_2325, |h: u64, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

/// The parse of `text` as a fingerprint: the whole AST (every span included) or the whole
/// J0001 finding, hashed.
fn parse_fingerprint(text: &str) -> u64 {
    fnv1a(format!("{:?}", parse(FileId(0), text)).as_bytes())
}

/// The parser gives exactly the same AST (spans included) and exactly the same syntax errors on
/// every sample journey, every test fixture and broken variants of them. (Generated journeys
/// are compared through the commands' outputs: docs/performance.md.)
/// The fingerprints were taken before the grammar was reshaped for speed
/// (docs/performance.md, "Front end"); a change to the syntax shows here as changed lines.
#[test]
fn the_parser_gives_the_same_trees_and_errors_everywhere() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    journeys_under(&root.join("examples"), &mut paths);
    journeys_under(&root.join("tests"), &mut paths);
    let mut lines = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let variants: Vec<String> = broken_variants(&text)
            .iter()
            .map(|v| format!("{:016x}", parse_fingerprint(v)))
            .collect();
        let name = path.strip_prefix(root).unwrap().display().to_string();
        lines.push(format!(
            "{} {:016x} {:016x}",
            name.replace('\\', "/"),
            parse_fingerprint(&text),
            fnv1a(variants.join(" ").as_bytes())
        ));
    }
    insta::assert_snapshot!(lines.join("\n"));
}

/// The module's claim that lowering recursion is bounded: no rule of the grammar reaches
/// itself (so the generated parser never gives up on depth either).
#[test]
#[allow(clippy::assertions_on_constants)] // a constant of build.rs's, about the grammar
fn the_grammar_has_a_fixed_nesting_depth() {
    assert!(!fast::RECURSIVE);
}

/// Texts that exercise corners of the grammar: blanks and comments everywhere (CR, CRLF, a
/// comment at the end without a line break), keywords as names and as prefixes of names,
/// every kind of number, labels with escapes and non-ASCII text, scenarios, options, triggers,
/// lifecycles, and near misses of each.
const CORNERS: &[&str] = &[
    "",
    " ",
    "#",
    "# only a comment",
    "\r\n\r# x\r\n",
    "use \"a.journey\"use \"b\"",
    "channel web digital channel store physical { cost 2 cost 3 }",
    "channel web digitalx",
    "segment s \"S\" { share 50% prefers web, app patience 0.5 }",
    "context web, app context g: web",
    "context g web",
    "journey j{}",
    "journey j\"l\"{owner\"o\"description \"d\"horizon 1.5h max_steps 3 primary_goal g}",
    "journey j { horizon 1.5 h }",
    "journey j { horizon -1w max_steps +2 }",
    "journey j { stage s { touchpoint a \"Café ☕\" on web { entry 35% -> b 0.5 for x, y -> exit } } }",
    "journey j { stage s { touchpoint a on web { entry -> exitx 1 -> exit_ 2% } } }",
    "journey j { stage s { touchpoint a on web { entry 1.% } } }",
    "journey j { stage s { touchpoint a on web { entry 1.5.5 } } }",
    "journey j { stage s { touchpoint a on web { duration 2m..6m for a duration 1d friction 10% \"x\" for b } } }",
    "journey j { stage s { touchpoint a on web { emotion -2 emotion +1 emotion 1.5 cost 3 for z } } }",
    "journey j { stage s { touchpoint a on web { csat 90% pain 40% for a effort 2 pain 5 moment_of_truth } } }",
    "journey j { stage s { touchpoint a on web { goal g value 80 for a goal h } } }",
    "journey j { stage s { touchpoint a on web { option guide \"G\" { friction 5% cost 1 } option as_is { } } } }",
    "journey j { stage s { touchpoint a on web { entry friction } } }",
    "journey j { stage s { touchpoint exit on web { } } }",
    "journey j { stage s { touchpoint on on on { on } } }",
    "journey j { trigger t \"T\" { on abandon at a, b after 2h via email limit 3 -> a 20% } }",
    "journey j { trigger t { on exit at a on abandonx at b } }",
    "journey j { lifecycle { repeat 45% after 30d..60d for b winback 12% after 1w discount 10% max_cycles 12 } }",
    "journey j { objective maximize touches objective minimize cost(x) objective maximizes y }",
    "journey j { constraint cost for b <= 20 constraint conversion >= 5% }",
    "journey j { kpi p90(time_to_convert) <= 2d kpi retention(2) >= 0.5 kpi nps > -10 kpi x < 1 kpi y = 1 }",
    "journey j { scenario s \"S\" { remove touchpoint a remove trigger t touchpoint a \"x\" on app { use guide for b friction 1% } channel web human { cost 1 } channel app } }",
    "journey j { scenario s { remove touchpoints a } }",
    "journey j { owner \"a \\\" b \\\\ c\" owner \"bad \\n escape\" }",
    "journey j { owner \"unterminated\n }",
    "journey j { # a comment } still a comment\r}",
    "journey j { stage s { touchpoint a on web { entry } } } # the end",
    "journey j { stage s { touchpoint a on web { entry } } } trailing",
    "journey journey { stage stage { touchpoint touchpoint on on { goal goal value 1 } } }",
    "journey j { stage s { touchpoint a on web { -> b 1e5 } } }",
    "journey j { stage s { touchpoint a on web { ->b 5%for x } } }",
    "\u{feff}journey j { }",
    "journey j { description \"\u{1F600}\u{301}\" }",
];

/// The generated parser (build.rs, from `grammar/journey.pest`) gives pest's pairs, and fails
/// where pest fails ([`differential::compare`]), on every sample and fixture (and the shared
/// journeys beside the repository, when there) and the corners above, with broken variants of
/// each and variants by the fuzzer's dictionary. (`generate`'s tests do the same on its
/// journeys.)
#[test]
fn the_generated_parser_gives_pests_pairs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    journeys_under(&root.join("examples"), &mut paths);
    journeys_under(&root.join("tests"), &mut paths);
    let shared = root.join("../shared/journeys");
    if shared.is_dir() {
        journeys_under(&shared, &mut paths);
    }
    let mut texts: Vec<(String, String)> = Vec::new();
    for path in &paths {
        let name = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        texts.push((name, std::fs::read_to_string(path).unwrap()));
    }
    for (i, text) in CORNERS.iter().enumerate() {
        texts.push((format!("corner {i}"), text.to_string()));
    }
    let (parsed, failed) = differential::compare(&texts);
    // Both ways are exercised, widely.
    assert!(
        parsed > 1500 && failed > 3500,
        "{parsed} parsed, {failed} failed"
    );
}
