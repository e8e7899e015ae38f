//! Generates the fast parser of `grammar/journey.pest` (src/syntax/fast.rs includes it).
//!
//! The grammar stays the one definition of the syntax: this script reads it with `pest_meta`,
//! the same parser, validator and optimizer that `pest_derive` runs on it, and writes a plain
//! recursive-descent PEG matcher over the input's bytes with exactly the semantics of the code
//! `pest_generator` 2.9 writes for the same optimized rules (its `generator.rs`, and pest's
//! `ParserState`): ordered choice, sequences, `?`, `*`, lookahead, literals, ranges, the
//! builtins the grammar uses, implicit `WHITESPACE`/`COMMENT` skipping in non-atomic rules, and
//! atomicity inherited by called rules. What it leaves out is what costs pest its time and
//! memory: no call counting, no stack probe, no snapshot stack, no error tracking (a text that
//! does not parse is parsed again by pest, whose errors are the ones reported), and pairs
//! written once each into a flat vector in pre-order instead of two 40-byte queue tokens.
//!
//! pest's state is dynamic: whether a rule leaves a pair depends on the atomicity and lookahead
//! it runs under, and whether `~` skips blanks on the atomicity. Here both are static: each rule
//! gets one function per context it can be reached in (atomicity × inside a lookahead or not),
//! so the generated code tests nothing at run time.

use pest_meta::ast::RuleType;
use pest_meta::optimizer::{self, OptimizedExpr, OptimizedRule};
use pest_meta::parser;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

const GRAMMAR: &str = "grammar/journey.pest";

fn main() {
    println!("cargo:rerun-if-changed={GRAMMAR}");
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(GRAMMAR).expect("grammar/journey.pest is readable");
    // What pest_derive does (pest_generator's lib.rs): parse, validate, consume, optimize.
    let pairs = parser::parse(parser::Rule::grammar_rules, &text)
        .unwrap_or_else(|e| panic!("{GRAMMAR} does not parse: {e}"));
    let ast = parser::consume_rules(pairs).unwrap_or_else(|errors| {
        let all: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        panic!("{GRAMMAR} is not valid: {}", all.join("\n"))
    });
    let rules = optimizer::optimize(ast);
    let code = Generator::new(&rules).generate();
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("journey_parser.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

/// pest's atomicity (`ParserState::atomicity`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Atomicity {
    NonAtomic,
    CompoundAtomic,
    Atomic,
}

/// The state a piece of the grammar runs in: its atomicity, and whether it runs inside a
/// lookahead (pest's `Lookahead::Positive` or `Negative`: either way, no pairs are made).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct Ctx {
    atomicity: Atomicity,
    lookahead: bool,
}

impl Ctx {
    /// Whether `rule` pushes its pair here (`ParserState::rule`: not in a lookahead, not atomic).
    fn makes_pairs(self) -> bool {
        !self.lookahead && self.atomicity != Atomicity::Atomic
    }

    /// Whether the implicit skip between sequence elements does anything here (the generated
    /// `skip` of pest tests `atomicity() == NonAtomic`).
    fn skips(self) -> bool {
        self.atomicity == Atomicity::NonAtomic
    }

    fn suffix(self) -> String {
        let a = match self.atomicity {
            Atomicity::NonAtomic => "n",
            Atomicity::CompoundAtomic => "c",
            Atomicity::Atomic => "a",
        };
        format!("{a}{}", u8::from(self.lookahead))
    }
}

struct Generator<'g> {
    rules: HashMap<&'g str, &'g OptimizedRule>,
    /// Rule names in grammar order.
    order: Vec<&'g str>,
    /// The functions asked for: (rule, context).
    wanted: BTreeSet<(String, Ctx)>,
    /// Skip functions asked for, by lookahead.
    skips: BTreeSet<bool>,
    /// Fresh names for labels and variables.
    counter: usize,
    /// Rules that take part in a cycle of calls (then their depth is bounded at run time).
    recursive: BTreeSet<String>,
}

/// The builtins of pest that need no rule of their own (`generate_builtin_rules`), as an
/// expression of the grammar where they have one.
fn builtin(name: &str) -> Option<OptimizedExpr> {
    let range = |a: char, b: char| OptimizedExpr::Range(a.to_string(), b.to_string());
    let choice = |list: Vec<OptimizedExpr>| {
        list.into_iter()
            .rev()
            .reduce(|acc, e| OptimizedExpr::Choice(Box::new(e), Box::new(acc)))
            .unwrap()
    };
    Some(match name {
        "ASCII_DIGIT" => range('0', '9'),
        "ASCII_NONZERO_DIGIT" => range('1', '9'),
        "ASCII_BIN_DIGIT" => range('0', '1'),
        "ASCII_OCT_DIGIT" => range('0', '7'),
        "ASCII_HEX_DIGIT" => choice(vec![range('0', '9'), range('a', 'f'), range('A', 'F')]),
        "ASCII_ALPHA_LOWER" => range('a', 'z'),
        "ASCII_ALPHA_UPPER" => range('A', 'Z'),
        "ASCII_ALPHA" => choice(vec![range('a', 'z'), range('A', 'Z')]),
        "ASCII_ALPHANUMERIC" => choice(vec![range('a', 'z'), range('A', 'Z'), range('0', '9')]),
        "ASCII" => range('\x00', '\x7f'),
        "NEWLINE" => choice(vec![
            OptimizedExpr::Str("\n".into()),
            OptimizedExpr::Str("\r\n".into()),
            OptimizedExpr::Str("\r".into()),
        ]),
        _ => return None,
    })
}

/// A byte string literal of Rust for `s`.
fn bytes_lit(s: &str) -> String {
    let mut out = String::from("b\"");
    for b in s.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => write!(out, "\\x{b:02x}").unwrap(),
        }
    }
    out.push('"');
    out
}

fn ident(name: &str) -> String {
    format!("r#{name}")
}

impl<'g> Generator<'g> {
    fn new(rules: &'g [OptimizedRule]) -> Self {
        let mut g = Generator {
            rules: rules.iter().map(|r| (r.name.as_str(), r)).collect(),
            order: rules.iter().map(|r| r.name.as_str()).collect(),
            wanted: BTreeSet::new(),
            skips: BTreeSet::new(),
            counter: 0,
            recursive: BTreeSet::new(),
        };
        g.find_recursion();
        g
    }

    /// Rules reachable from themselves through calls.
    fn find_recursion(&mut self) {
        fn calls(e: &OptimizedExpr, out: &mut BTreeSet<String>) {
            use OptimizedExpr::*;
            match e {
                Ident(n) => {
                    out.insert(n.clone());
                }
                PosPred(e) | NegPred(e) | Opt(e) | Rep(e) | Push(e) | RestoreOnErr(e) => {
                    calls(e, out)
                }
                Seq(a, b) | Choice(a, b) => {
                    calls(a, out);
                    calls(b, out);
                }
                _ => {}
            }
        }
        let mut graph: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for name in &self.order {
            let mut out = BTreeSet::new();
            calls(&self.rules[name].expr, &mut out);
            // Implicit skipping calls WHITESPACE and COMMENT from the sequences and repetitions
            // of a rule written in the non-atomic form (not WHITESPACE and COMMENT themselves:
            // their bodies are atomic).
            let rule = self.rules[name];
            let atomic_form = matches!(rule.ty, RuleType::Atomic | RuleType::CompoundAtomic)
                || *name == "WHITESPACE"
                || *name == "COMMENT";
            if !atomic_form {
                for s in ["WHITESPACE", "COMMENT"] {
                    if self.rules.contains_key(s) {
                        out.insert(s.to_string());
                    }
                }
            }
            out.retain(|n| self.rules.contains_key(n.as_str()));
            graph.insert(name, out);
        }
        for start in &self.order {
            let mut seen = BTreeSet::new();
            let mut stack: Vec<String> = graph[start].iter().cloned().collect();
            while let Some(n) = stack.pop() {
                if n == *start {
                    self.recursive.insert(n);
                    break;
                }
                if seen.insert(n.clone()) {
                    stack.extend(graph[n.as_str()].iter().cloned());
                }
            }
        }
    }

    fn fresh(&mut self, what: &str) -> String {
        self.counter += 1;
        format!("{what}{}", self.counter)
    }

    fn generate(mut self) -> String {
        let mut body = String::new();
        let root = Ctx {
            atomicity: Atomicity::NonAtomic,
            lookahead: false,
        };
        // Every rule may start a parse (pest's `parse(rule, …)`); only `file` is used, so only
        // its functions and those it reaches are generated.
        self.wanted.insert(("file".to_string(), root));
        let mut done: BTreeSet<(String, Ctx)> = BTreeSet::new();
        let mut skips_done = BTreeSet::new();
        loop {
            if let Some(next) = self.wanted.iter().find(|w| !done.contains(*w)).cloned() {
                done.insert(next.clone());
                let f = self.rule_fn(&next.0, next.1);
                body.push_str(&f);
            } else if let Some(&look) = self.skips.iter().find(|l| !skips_done.contains(*l)) {
                skips_done.insert(look);
                let f = self.skip_fn(look);
                body.push_str(&f);
            } else {
                break;
            }
        }
        let mut out = String::new();
        out.push_str("// Generated by build.rs from grammar/journey.pest: do not edit.\n");
        writeln!(
            out,
            "/// Whether a rule of the grammar calls itself (then depth is bounded at run time).\n\
             pub(crate) const RECURSIVE: bool = {};",
            !self.recursive.is_empty()
        )
        .unwrap();
        out.push_str("impl Matcher<'_> {\n");
        writeln!(
            out,
            "    /// Matches the rule `file` at the start of the input: the end of its match.\n    \
             pub(super) fn parse_file(&mut self) -> Option<usize> {{ self.{}(0) }}",
            fn_name("file", root)
        )
        .unwrap();
        out.push_str(&body);
        out.push_str("}\n");
        out
    }

    /// The skip between two elements of a non-atomic sequence (`generate_skip`): WHITESPACE
    /// and COMMENT run as in a non-atomic context (skip only runs there).
    fn skip_fn(&mut self, look: bool) -> String {
        let ctx = Ctx {
            atomicity: Atomicity::NonAtomic,
            lookahead: look,
        };
        let ws = self.rules.contains_key("WHITESPACE");
        let comment = self.rules.contains_key("COMMENT");
        let rep = |e: OptimizedExpr| OptimizedExpr::Rep(Box::new(e));
        let id = |n: &str| OptimizedExpr::Ident(n.to_string());
        // Written as the atomic form of the expressions (no skip inside a skip).
        let expr = match (ws, comment) {
            (false, false) => None,
            (true, false) => Some(rep(id("WHITESPACE"))),
            (false, true) => Some(rep(id("COMMENT"))),
            (true, true) => Some(OptimizedExpr::Seq(
                Box::new(rep(id("WHITESPACE"))),
                Box::new(rep(OptimizedExpr::Seq(
                    Box::new(id("COMMENT")),
                    Box::new(rep(id("WHITESPACE"))),
                ))),
            )),
        };
        let code = match expr {
            None => "Some(p)".to_string(),
            Some(e) => self.expr(&e, ctx, false, "p"),
        };
        format!(
            "    #[inline]\n    fn skip_{}(&mut self, p: usize) -> usize {{\n        \
             let r: Option<usize> = {code};\n        \
             r.unwrap_or(p)\n    }}\n",
            u8::from(look)
        )
    }

    /// The function of `name` run in `ctx` (`generate_rule` and `ParserState::rule`).
    fn rule_fn(&mut self, name: &str, ctx: Ctx) -> String {
        let rule = self.rules[name];
        // The context of the rule's body, whether the body is written in the non-atomic form
        // (`generate_expr`: skips between sequence elements and repetitions) and whether the
        // rule pushes a pair (`state.rule` around the body, under which atomicity).
        let with = |atomicity| Ctx { atomicity, ..ctx };
        let (pair_ctx, mut body_ctx, mut nonatomic_form) = match rule.ty {
            // `state.rule(R, body)`.
            RuleType::Normal => (Some(ctx), ctx, true),
            // The body alone.
            RuleType::Silent => (None, ctx, true),
            // `state.rule(R, |s| s.atomic(Atomic, body))`: the pair is made under the caller's
            // atomicity.
            RuleType::Atomic => (Some(ctx), with(Atomicity::Atomic), false),
            // `state.atomic(CompoundAtomic, |s| s.rule(R, body))`.
            RuleType::CompoundAtomic => (
                Some(with(Atomicity::CompoundAtomic)),
                with(Atomicity::CompoundAtomic),
                false,
            ),
            // `state.atomic(NonAtomic, |s| s.rule(R, body))`.
            RuleType::NonAtomic => (
                Some(with(Atomicity::NonAtomic)),
                with(Atomicity::NonAtomic),
                true,
            ),
        };
        // WHITESPACE and COMMENT, unless atomic or compound-atomic already, have their body
        // in `state.atomic(Atomic, …)`, written in the atomic form.
        if (name == "WHITESPACE" || name == "COMMENT")
            && !matches!(rule.ty, RuleType::Atomic | RuleType::CompoundAtomic)
        {
            body_ctx = with(Atomicity::Atomic);
            nonatomic_form = false;
        }
        let pair = pair_ctx.is_some_and(Ctx::makes_pairs);
        let body = self.expr(&rule.expr, body_ctx, nonatomic_form, "p");
        let recursive = self.recursive.contains(name);
        let mut f = String::new();
        writeln!(f, "    // {name} in {ctx:?}").unwrap();
        writeln!(
            f,
            "    fn {}(&mut self, p: usize) -> Option<usize> {{",
            fn_name(name, ctx)
        )
        .unwrap();
        if recursive {
            f.push_str(
                "        if self.depth >= MAX_DEPTH { self.gave_up = true; return None; }\n        \
                 self.depth += 1;\n",
            );
        }
        if pair {
            writeln!(
                f,
                "        let at = self.pairs.len();\n        \
                 self.pairs.push(FlatPair {{ rule: Rule::{}, start: p as u32, end: 0, next: 0 }});\n        \
                 let r: Option<usize> = {body};\n        \
                 match r {{\n            \
                 Some(q) => {{ let n = self.pairs.len() as u32; let pair = &mut self.pairs[at]; pair.end = q as u32; pair.next = n; }}\n            \
                 None => self.pairs.truncate(at),\n        \
                 }}",
                ident(name)
            )
            .unwrap();
        } else {
            writeln!(f, "        let r: Option<usize> = {body};").unwrap();
        }
        if recursive {
            f.push_str("        self.depth -= 1;\n");
        }
        f.push_str("        r\n    }\n");
        f
    }

    /// A call of `name` in `ctx`: a rule's function, or a builtin written out.
    fn call(&mut self, name: &str, ctx: Ctx, nonatomic_form: bool, p: &str) -> String {
        if self.rules.contains_key(name) {
            self.wanted.insert((name.to_string(), ctx));
            return format!("self.{}({p})", fn_name(name, ctx));
        }
        match name {
            // `state.skip(1)`: one character.
            "ANY" => format!("self.any({p})"),
            "SOI" => format!("if {p} == 0 {{ Some({p}) }} else {{ None }}"),
            // `state.rule(Rule::EOI, |state| state.end_of_input())`.
            "EOI" => {
                if ctx.makes_pairs() {
                    format!(
                        "if {p} == self.input.len() {{ \
                         let n = self.pairs.len() as u32; \
                         self.pairs.push(FlatPair {{ rule: Rule::EOI, start: {p} as u32, end: {p} as u32, next: n + 1 }}); \
                         Some({p}) }} else {{ None }}"
                    )
                } else {
                    format!("if {p} == self.input.len() {{ Some({p}) }} else {{ None }}")
                }
            }
            _ => match builtin(name) {
                Some(e) => self.expr(&e, ctx, nonatomic_form, p),
                None => panic!("the grammar uses the builtin {name}, which build.rs does not know"),
            },
        }
    }

    /// The code of `e` matched from the position in the variable `p`, run in `ctx`: an
    /// expression of type `Option<usize>`, the position after the match. A failed match leaves
    /// no pair behind (as in pest: `sequence` and `rule` truncate its queue; nothing else that
    /// fails has pushed anything).
    fn expr(&mut self, e: &OptimizedExpr, ctx: Ctx, nonatomic_form: bool, p: &str) -> String {
        use OptimizedExpr::*;
        let skips = nonatomic_form && ctx.skips();
        match e {
            Str(s) if s.is_empty() => format!("Some({p})"),
            Str(s) if s.len() == 1 => format!(
                "if self.input.get({p}) == Some(&{}) {{ Some({p} + 1) }} else {{ None }}",
                byte_lit(s.as_bytes()[0])
            ),
            Str(s) => format!(
                "if self.input[{p}..].starts_with({}) {{ Some({p} + {}) }} else {{ None }}",
                bytes_lit(s),
                s.len()
            ),
            Insens(s) => format!(
                "match self.input.get({p}..{p} + {n}) {{ Some(t) if t.eq_ignore_ascii_case({}) => Some({p} + {n}), _ => None }}",
                bytes_lit(s),
                n = s.len()
            ),
            Range(a, b) => {
                let a = a.chars().next().unwrap();
                let b = b.chars().next().unwrap();
                if b.is_ascii() {
                    format!(
                        "match self.input.get({p}) {{ Some(&c) if ({}..={}).contains(&c) => Some({p} + 1), _ => None }}",
                        byte_lit(a as u8),
                        byte_lit(b as u8)
                    )
                } else {
                    format!(
                        "match self.char_at({p}) {{ Some((c, n)) if ({a:?}..={b:?}).contains(&c) => Some({p} + n), _ => None }}"
                    )
                }
            }
            Ident(name) => self.call(name, ctx, nonatomic_form, p),
            PosPred(inner) | NegPred(inner) => {
                let positive = matches!(e, PosPred(_));
                let look = Ctx {
                    lookahead: true,
                    ..ctx
                };
                let v = self.fresh("l");
                let inner = self.expr(inner, look, nonatomic_form, &v);
                if positive {
                    format!(
                        "{{ let {v} = {p}; match {inner} {{ Some(_) => Some({v}), None => None }} }}"
                    )
                } else {
                    format!(
                        "{{ let {v} = {p}; match {inner} {{ Some(_) => None, None => Some({v}) }} }}"
                    )
                }
            }
            Seq(..) => {
                let mut parts = Vec::new();
                let mut cur = e;
                while let Seq(a, b) = cur {
                    parts.push(&**a);
                    cur = b;
                }
                parts.push(cur);
                let label = self.fresh("'s");
                let mark = self.fresh("m");
                let truncate = ctx.makes_pairs();
                let mut code = format!("{label}: {{ let q0 = {p}; ");
                if truncate {
                    write!(code, "let {mark} = self.pairs.len(); ").unwrap();
                }
                let fail = |first: bool| {
                    if truncate && !first {
                        format!("{{ self.pairs.truncate({mark}); break {label} None; }}")
                    } else {
                        format!("break {label} None")
                    }
                };
                let mut last = "q0".to_string();
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 && skips {
                        let look = u8::from(ctx.lookahead);
                        self.skips.insert(ctx.lookahead);
                        let s = self.fresh("q");
                        write!(code, "let {s} = self.skip_{look}({last}); ").unwrap();
                        last = s;
                    }
                    let part_code = self.expr(part, ctx, nonatomic_form, &last);
                    let next = self.fresh("q");
                    write!(
                        code,
                        "let {next} = match {part_code} {{ Some(x) => x, None => {} }}; ",
                        fail(i == 0)
                    )
                    .unwrap();
                    last = next;
                }
                write!(code, "Some({last}) }}").unwrap();
                format!("({code})")
            }
            Choice(..) => {
                let mut parts = Vec::new();
                let mut cur = e;
                while let Choice(a, b) = cur {
                    parts.push(&**a);
                    cur = b;
                }
                parts.push(cur);
                let label = self.fresh("'c");
                let v = self.fresh("c");
                let mut code = format!("{label}: {{ let {v} = {p}; ");
                let n = parts.len();
                for (i, part) in parts.into_iter().enumerate() {
                    let part_code = self.expr(part, ctx, nonatomic_form, &v);
                    if i + 1 < n {
                        write!(
                            code,
                            "if let Some(x) = {part_code} {{ break {label} Some(x); }} "
                        )
                        .unwrap();
                    } else {
                        write!(code, "{part_code} }}").unwrap();
                    }
                }
                format!("({code})")
            }
            Opt(inner) => {
                let v = self.fresh("o");
                let inner = self.expr(inner, ctx, nonatomic_form, &v);
                format!("{{ let {v} = {p}; Some(match {inner} {{ Some(x) => x, None => {v} }}) }}")
            }
            // Non-atomic: `e ~ (skip ~ e)*` (a failed `skip ~ e` truncates what skip pushed);
            // atomic: `state.repeat(e)`.
            Rep(inner) => {
                let v = self.fresh("r");
                let inner_code = self.expr(inner, ctx, nonatomic_form, &v);
                if skips {
                    self.skips.insert(ctx.lookahead);
                    let look = u8::from(ctx.lookahead);
                    let mark = self.fresh("m");
                    let s = self.fresh("s");
                    let (save, restore) = if ctx.makes_pairs() {
                        (
                            format!("let {mark} = self.pairs.len(); "),
                            format!("self.pairs.truncate({mark}); "),
                        )
                    } else {
                        (String::new(), String::new())
                    };
                    format!(
                        "{{ let mut {s} = {p}; let {v} = {s}; if let Some(x) = {inner_code} {{ {s} = x; loop {{ {save}let {v} = self.skip_{look}({s}); match {inner_code} {{ Some(x) => {s} = x, None => {{ {restore}break; }} }} }} }} Some({s}) }}"
                    )
                } else {
                    let s = self.fresh("s");
                    format!(
                        "{{ let mut {s} = {p}; loop {{ let {v} = {s}; match {inner_code} {{ Some(x) => {s} = x, None => break }} }} Some({s}) }}"
                    )
                }
            }
            // `state.skip_until(&strings)`: to the first place one of them starts, else the end.
            Skip(strings) => {
                let list: Vec<String> = strings.iter().map(|s| bytes_lit(s)).collect();
                format!("Some(self.skip_until({p}, &[{}]))", list.join(", "))
            }
            // Restores pest's stack on failure: this grammar has no stack operations (they are
            // refused below), so it is the expression itself.
            RestoreOnErr(inner) => self.expr(inner, ctx, nonatomic_form, p),
            #[allow(unreachable_patterns)]
            other => panic!(
                "{GRAMMAR} uses {other:?}, which build.rs does not generate (stack operations, \
                 node tags)"
            ),
        }
    }
}

fn byte_lit(b: u8) -> String {
    match b {
        b'\'' => "b'\\''".into(),
        b'\\' => "b'\\\\'".into(),
        0x20..=0x7e => format!("b'{}'", b as char),
        _ => format!("b'\\x{b:02x}'"),
    }
}

fn fn_name(rule: &str, ctx: Ctx) -> String {
    format!("r_{rule}_{}", ctx.suffix())
}
