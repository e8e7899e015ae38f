//! The tests' comparison of the generated parser (`fast.rs`) with pest's: shared by the
//! tests of `syntax` (samples, fixtures, corner cases) and of `generate` (its journeys), so that
//! `syntax` need not import `generate` (a higher layer: tests/layers.rs).

use super::{JourneyParser, Rule, fast};
use pest::Parser as _;

/// Broken variants of a sample: cut short, a stray `@`, a stray `}` and one byte left out, at
/// a few places spread over the file (on character boundaries), so that syntax errors of
/// every kind of context are covered.
pub(crate) fn broken_variants(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut seed = text.len() as u64;
    for _ in 0..6 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let mut at = ((seed >> 33) as usize) % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let (head, tail) = text.split_at(at);
        out.push(head.to_string());
        out.push(format!("{head}@{tail}"));
        out.push(format!("{head}}}{tail}"));
        let mut rest = tail.chars();
        rest.next();
        out.push(format!("{head}{}", rest.as_str()));
    }
    out
}

/// The pairs pest's parser gives for `text`, in the flat form, or `None` where it fails.
fn pest_pairs(text: &str) -> Option<Vec<fast::FlatPair>> {
    JourneyParser::parse(Rule::file, text)
        .ok()
        .map(fast::from_pest)
}

/// The pairs the generated parser gives for `text`, or `None` where it fails.
fn fast_pairs(text: &str) -> Option<Vec<fast::FlatPair>> {
    match fast::parse(text) {
        fast::Outcome::Parsed(pairs) => Some(pairs),
        fast::Outcome::Failed => None,
        fast::Outcome::GaveUp => panic!("the grammar is not recursive: the parser never gives up"),
        fast::Outcome::TooLarge => panic!("a test text is not 4 GiB"),
    }
}

/// Mutations with the words of the fuzzer's dictionary (`fuzz/journey.dict`, and a few
/// characters the grammar treats specially): one inserted bare or between blanks, or one
/// replacing the word at a pseudo-random place (on character boundaries).
fn dictionary_variants(text: &str, words: &[String]) -> Vec<String> {
    let mut seed = text.len() as u64 ^ 0x5eed;
    let mut next = || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize
    };
    let mut out = Vec::new();
    for _ in 0..16 {
        let mut at = next() % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let word = &words[next() % words.len()];
        let (head, tail) = text.split_at(at);
        out.push(match next() % 3 {
            0 => format!("{head}{word}{tail}"),
            1 => format!("{head} {word} {tail}"),
            _ => {
                let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
                format!("{head}{word}{}", &tail[end..])
            }
        });
    }
    out
}

/// The words of the fuzzer's dictionary (`fuzz/journey.dict`) and a few characters and words
/// the grammar treats specially.
fn dictionary_words() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/journey.dict");
    let dict = std::fs::read_to_string(path).unwrap();
    let mut words: Vec<String> = dict
        .lines()
        .filter_map(|l| l.strip_prefix('"')?.strip_suffix('"'))
        .map(str::to_string)
        .collect();
    for w in [
        "#",
        "\"",
        "\\",
        "\r",
        "\n",
        "\r\n",
        "\t",
        "-",
        "+",
        "1.5",
        "_",
        "é",
        "as_is",
        "option",
        "objective",
        "maximize",
        "constraint",
        "(",
        ")",
        ":",
        "0.5%",
        "=",
        "<",
        "..6m",
    ] {
        words.push(w.to_string());
    }
    assert!(words.len() > 80);
    words
}

/// Runs both parsers on each of `texts`, on its 24 broken variants and on its 16 variants by
/// the dictionary: the generated parser must succeed exactly where pest's succeeds and then
/// give the same pairs (same rules, same spans, same nesting, same order). Panics naming the
/// first text where they differ; returns how many texts parsed and how many did not.
pub(crate) fn compare(texts: &[(String, String)]) -> (usize, usize) {
    let words = dictionary_words();
    let (mut parsed, mut failed) = (0, 0);
    for (name, text) in texts {
        let mut all = vec![(name.clone(), text.clone())];
        for (i, v) in broken_variants(text).into_iter().enumerate() {
            all.push((format!("{name}, variant {i}"), v));
        }
        for (i, v) in dictionary_variants(text, &words).into_iter().enumerate() {
            all.push((format!("{name}, dictionary variant {i}"), v));
        }
        for (name, text) in &all {
            let fast = fast_pairs(text);
            let pest = pest_pairs(text);
            match (&fast, &pest) {
                (Some(a), Some(b)) => {
                    if let Some(i) = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)) {
                        panic!(
                            "{name}: pair {i} differs: generated {:?}, pest {:?}",
                            a.get(i),
                            b.get(i)
                        );
                    }
                    parsed += 1;
                }
                (None, None) => failed += 1,
                _ => panic!(
                    "{name}: the generated parser {} but pest {}",
                    if fast.is_some() { "parses" } else { "fails" },
                    if pest.is_some() { "parses" } else { "fails" }
                ),
            }
        }
    }
    (parsed, failed)
}
