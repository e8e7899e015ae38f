//! The fast parser: a matcher generated at build time from `grammar/journey.pest` (build.rs),
//! giving exactly the pairs pest's parser gives (same rules, same spans, same order) in a flat
//! vector, or nothing where pest would fail.
//!
//! pest's generated parser spends most of its time on bookkeeping the grammar does not need
//! here: a call counter and a native stack probe on every rule, sequence, option, repetition
//! and lookahead, a snapshot stack saved and restored by every sequence, error tracking, and a
//! queue of two 40-byte tokens per pair. The generated matcher is a plain recursive descent
//! over the bytes: on failure a sequence gives back its start and truncates the pairs to their
//! length there. Pairs are written in pre-order, 16 bytes each, each with the index past its
//! last descendant, so that children are walked by skipping. It costs 33 instructions a byte of
//! a generated journey, against ~720 for pest's parser (docs/performance.md, Issue 16).
//!
//! Syntax errors are not this module's: on failure [`super::parse`] runs pest's parser, whose
//! error reporting (`error.rs`) stays the only one. The grammar calls no rule from itself
//! (checked by build.rs: `RECURSIVE`), so the matcher's depth is that of the grammar; were it
//! recursive, the matcher would give up past [`MAX_DEPTH`] nested rules and pest would parse.

use super::Rule;

/// One pair of the parse, in pre-order: the rule, its span (byte offsets) and the index of the
/// pair after its last descendant (its next sibling, or its parent's next sibling).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FlatPair {
    pub(crate) rule: Rule,
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) next: u32,
}

// Four words: pest's queue took 80 bytes a pair (two 40-byte tokens).
const _: () = assert!(std::mem::size_of::<FlatPair>() == 16);

/// Rules nested deeper than this in a recursive grammar make the matcher give up.
#[allow(dead_code)] // read by the generated code of a recursive grammar only
const MAX_DEPTH: u32 = 2_000;

/// The state of a parse: the input, the pairs so far, and (in a recursive grammar only) the
/// depth of nested rules.
struct Matcher<'i> {
    input: &'i [u8],
    pairs: Vec<FlatPair>,
    /// Rules entered and not left, counted by the rules of a cycle only.
    #[allow(dead_code)]
    depth: u32,
    gave_up: bool,
}

impl Matcher<'_> {
    /// pest's `ANY`: one character (the input is UTF-8, so its length is its first byte's).
    #[inline]
    fn any(&self, p: usize) -> Option<usize> {
        let b = *self.input.get(p)?;
        Some(
            p + match b {
                0x00..=0x7f => 1,
                0x80..=0xdf => 2,
                0xe0..=0xef => 3,
                _ => 4,
            },
        )
    }

    /// The character at `p` and its length in bytes (ranges of non-ASCII characters).
    #[allow(dead_code)]
    fn char_at(&self, p: usize) -> Option<(char, usize)> {
        let end = self.any(p)?;
        let c = std::str::from_utf8(&self.input[p..end])
            .ok()?
            .chars()
            .next()?;
        Some((c, end - p))
    }

    /// pest's `skip_until`: the first position from `p` where one of `strings` starts, or the
    /// end of the input.
    #[allow(dead_code)]
    fn skip_until(&self, p: usize, strings: &[&[u8]]) -> usize {
        (p..self.input.len())
            .find(|&at| strings.iter().any(|s| self.input[at..].starts_with(s)))
            .unwrap_or(self.input.len())
    }
}

#[allow(
    clippy::all,
    clippy::pedantic,
    unused_braces,
    unused_labels,
    unused_parens,
    unused_variables,
    unused_imports,
    dead_code,
    non_snake_case
)]
mod generated {
    use super::{FlatPair, MAX_DEPTH, Matcher, Rule};
    include!(concat!(env!("OUT_DIR"), "/journey_parser.rs"));
}

/// Whether a rule of the grammar reaches itself (build.rs finds the cycles of calls).
#[cfg(test)]
pub(super) use generated::RECURSIVE;

/// What [`parse`] found.
pub(crate) enum Outcome {
    /// The pairs of the file, as pest gives them.
    Parsed(Vec<FlatPair>),
    /// pest would not parse the text.
    Failed,
    /// The grammar nests deeper than [`MAX_DEPTH`] here (only in a recursive grammar).
    GaveUp,
    /// The text is 4 GiB or more: its offsets do not fit the pairs.
    TooLarge,
}

/// Parses `text` as the rule `file`.
pub(crate) fn parse(text: &str) -> Outcome {
    if u32::try_from(text.len()).is_err() {
        return Outcome::TooLarge;
    }
    let mut m = Matcher {
        input: text.as_bytes(),
        // A generated journey has one pair per 6 bytes (171,834 for `realistic(10000, 1)`'s
        // 1.04 MB), a written one fewer (one per 9 to 14): room for the first without growing.
        pairs: Vec::with_capacity(text.len() / 6 + 4),
        depth: 0,
        gave_up: false,
    };
    let matched = m.parse_file();
    // Only a rule of a cycle (`generated::RECURSIVE`) counts depth and can give up.
    if m.gave_up {
        return Outcome::GaveUp;
    }
    match matched {
        // `file` ends with EOI, so a match is the whole text.
        Some(_) => Outcome::Parsed(m.pairs),
        None => Outcome::Failed,
    }
}

/// pest's pairs in the flat form (the fallback past [`MAX_DEPTH`], and the tests' reference).
pub(crate) fn from_pest(pairs: pest::iterators::Pairs<'_, Rule>) -> Vec<FlatPair> {
    fn push(pair: pest::iterators::Pair<'_, Rule>, out: &mut Vec<FlatPair>) {
        let at = out.len();
        let span = pair.as_span();
        out.push(FlatPair {
            rule: pair.as_rule(),
            start: span.start() as u32,
            end: span.end() as u32,
            next: 0,
        });
        for child in pair.into_inner() {
            push(child, out);
        }
        out[at].next = out.len() as u32;
    }
    let mut out = Vec::new();
    for pair in pairs {
        push(pair, &mut out);
    }
    out
}

/// A parsed text and its pairs; [`Tree::root`] is the `file` pair.
pub(crate) struct Tree<'i> {
    input: &'i str,
    pairs: Vec<FlatPair>,
}

impl<'i> Tree<'i> {
    pub(crate) fn new(input: &'i str, pairs: Vec<FlatPair>) -> Self {
        Tree { input, pairs }
    }

    /// The first pair (the `file` pair of a parse of the rule `file`).
    pub(crate) fn root(&self) -> Node<'_> {
        assert!(!self.pairs.is_empty(), "a parse has a pair");
        Node {
            input: self.input,
            pairs: &self.pairs,
            at: 0,
        }
    }
}

/// One pair of a [`Tree`], with the methods of pest's `Pair` that lowering uses.
#[derive(Clone, Copy)]
pub(crate) struct Node<'t> {
    input: &'t str,
    pairs: &'t [FlatPair],
    at: usize,
}

impl<'t> Node<'t> {
    fn pair(&self) -> FlatPair {
        self.pairs[self.at]
    }

    pub(crate) fn as_rule(&self) -> Rule {
        self.pair().rule
    }

    /// Where the pair starts, in bytes.
    pub(crate) fn start(&self) -> usize {
        self.pair().start as usize
    }

    /// Where the pair ends, in bytes.
    pub(crate) fn end(&self) -> usize {
        self.pair().end as usize
    }

    /// The text of the pair.
    pub(crate) fn as_str(&self) -> &'t str {
        &self.input[self.start()..self.end()]
    }

    /// The whole text parsed.
    pub(crate) fn get_input(&self) -> &'t str {
        self.input
    }

    /// The pair's children, in order.
    pub(crate) fn into_inner(self) -> Children<'t> {
        Children {
            input: self.input,
            pairs: self.pairs,
            next: self.at + 1,
            end: self.pair().next as usize,
        }
    }
}

/// The children of a [`Node`]: the pairs between it and the pair after its last descendant,
/// each followed by skipping its own descendants.
#[derive(Clone)]
pub(crate) struct Children<'t> {
    input: &'t str,
    pairs: &'t [FlatPair],
    next: usize,
    end: usize,
}

impl<'t> Iterator for Children<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        if self.next >= self.end {
            return None;
        }
        let at = self.next;
        self.next = self.pairs[at].next as usize;
        Some(Node {
            input: self.input,
            pairs: self.pairs,
            at,
        })
    }
}

impl DoubleEndedIterator for Children<'_> {
    /// The last child, found by walking the children from the front (a pair has a handful).
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let mut at = self.next;
        loop {
            let after = self.pairs[at].next as usize;
            if after >= self.end {
                break;
            }
            at = after;
        }
        self.end = at;
        Some(Node {
            input: self.input,
            pairs: self.pairs,
            at,
        })
    }
}
