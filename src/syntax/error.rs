//! J0001 syntax: anything that does not parse. The rule's file: its documentation ([`DOC`])
//! and every J0001 finding.
//!
//! pest errors → J0001 findings worded for people ("unexpected `}`; expected a probability").
//! The resolver also calls [`channel_without_kind`] and [`incomplete_trigger`] for items that
//! parse but miss a required part.
//!
//! We re-parse with pest's error detail switched on to learn both the rules and the literal
//! tokens that were expected at the farthest position, and point a span at the offending token
//! (byte offsets over the whole file, not pest's character columns).

use super::{JourneyParser, Rule};
use crate::diagnostic::Finding;
use crate::rules::Rule as Code;
use crate::source::{FileId, Span};
use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};
use std::collections::BTreeSet;

/// Builds the J0001 finding for a text that failed to parse.
pub(super) fn syntax_finding(file: FileId, text: &str) -> Finding {
    pest::set_error_detail(true);
    let err = match JourneyParser::parse(Rule::file, text) {
        Err(err) => err,
        Ok(_) => unreachable!("a text that failed to parse parses the second time"),
    };
    pest::set_error_detail(false);

    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut expected: BTreeSet<(u8, String)> = BTreeSet::new();
    if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
        for rule in positives {
            if let Some(word) = describe(*rule) {
                expected.insert(word);
            }
        }
    }
    if let Some(attempts) = err.parse_attempts() {
        if attempts.max_position == pos {
            // pest does not export its token type; its Display is the literal text.
            for token in attempts.expected_tokens() {
                if let Some(word) = describe_literal(&token.to_string()) {
                    expected.insert(word);
                }
            }
        }
    }
    if let ErrorVariant::CustomError { message } = &err.variant {
        // pest's own limits (call or stack limit): say so plainly.
        return Finding::new(
            Code::Syntax,
            Span::new(file, pos, pos),
            format!("the parser gave up: {message}"),
        )
        .label("here")
        .help("simplify the file around this point");
    }

    if let Some(finding) = bad_escape(file, text, pos) {
        return finding;
    }
    let words: Vec<String> = expected.iter().map(|(_, w)| w.clone()).collect();
    if let Some(finding) = fraction_in_whole_number(file, text, pos, &words) {
        return finding;
    }
    let (found, end) = found_at(text, pos);
    let message = if words.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("unexpected {found}; expected {}", or_list(&words))
    };
    let help = help_for(text, pos, &words);
    let mut finding = Finding::new(Code::Syntax, Span::new(file, pos, end), message)
        .label(format!("unexpected {found}"));
    if let Some(help) = help {
        finding = finding.help(help);
    }
    finding
}

/// The J0001 finding of a number with a fraction (`emotion -1.5`) where a whole number is
/// expected: pest stops at the sign or first digit; the finding points at the fraction.
fn fraction_in_whole_number(
    file: FileId,
    text: &str,
    pos: usize,
    expected: &[String],
) -> Option<Finding> {
    if !expected.iter().any(|w| w.starts_with("a whole number")) {
        return None;
    }
    let rest = &text[pos..];
    let sign = rest.starts_with(['+', '-']) as usize;
    let digits = rest[sign..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || rest.as_bytes().get(sign + digits) != Some(&b'.') {
        return None;
    }
    let fraction = 1 + rest[sign + digits + 1..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if fraction == 1 {
        return None;
    }
    let start = pos + sign + digits;
    let number = &rest[..sign + digits + fraction];
    let whole = &rest[..sign + digits];
    let keyword = text[..pos]
        .rsplit(|c: char| c.is_whitespace())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    // The whole numbers on either side (`-1.5`: `-1` or `-2`).
    let magnitude: u64 = rest[sign..sign + digits].parse().unwrap_or(0);
    let sign_text = &rest[..sign];
    let further = format!("{sign_text}{}", magnitude.saturating_add(1));
    let help = match keyword {
        "emotion" => format!(
            "emotion counts whole steps of sentiment: write `emotion {whole}` or `emotion \
             {further}`"
        ),
        _ => format!("write a whole number: `{whole}` or `{further}`"),
    };
    Some(
        Finding::new(
            Code::Syntax,
            Span::new(file, start, start + fraction),
            format!("`{number}` is not a whole number"),
        )
        .label("a fraction")
        .help(help),
    )
}

/// The J0001 finding of a label at `pos` that holds an escape the language does not have
/// (`"Line\none"`): only `\"` and `\\` exist, and a label is one line.
fn bad_escape(file: FileId, text: &str, pos: usize) -> Option<Finding> {
    let rest = text[pos..].strip_prefix('"')?;
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '\n' | '\r' => return None,
            '\\' => match chars.next() {
                Some((_, '"' | '\\')) => {}
                Some((j, e)) if e != '\n' && e != '\r' => {
                    let start = pos + 1 + i;
                    let end = pos + 1 + j + e.len_utf8();
                    let line_break = matches!(e, 'n' | 'r');
                    let help = if line_break {
                        "a label is one line and cannot hold a line break; write it on one \
                         line (`\\\"` and `\\\\` are the only escapes)"
                    } else {
                        "`\\\"` and `\\\\` are the only escapes in a label; write the character \
                         itself"
                    };
                    return Some(
                        Finding::new(
                            Code::Syntax,
                            Span::new(file, start, end),
                            format!("unknown escape `\\{e}` in a label"),
                        )
                        .label("not an escape")
                        .help(help),
                    );
                }
                _ => return None,
            },
            _ => {}
        }
    }
    None
}

/// The offending token: a word, a number, a quoted label or one character.
fn found_at(text: &str, pos: usize) -> (String, usize) {
    let rest = &text[pos..];
    let Some(c) = rest.chars().next() else {
        return ("end of file".to_string(), pos);
    };
    if c.is_ascii_alphanumeric() || c == '_' {
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '%'))
            .unwrap_or(rest.len());
        let word = &rest[..len];
        return (format!("`{word}`"), pos + len);
    }
    if c == '"' {
        let len = rest[1..]
            .find(['"', '\n'])
            .map(|i| i + 2)
            .unwrap_or(rest.len());
        if rest[..len].ends_with('"') {
            return ("a label".to_string(), pos + len);
        }
        return (
            "an unterminated label".to_string(),
            pos + len.min(rest.len()),
        );
    }
    if c == '\n' || c == '\r' {
        return ("end of line".to_string(), pos);
    }
    let c_len = c.len_utf8();
    let two = rest.get(..2).unwrap_or("");
    if ["->", ">=", "<=", ".."].contains(&two) {
        return (format!("`{two}`"), pos + 2);
    }
    (format!("`{c}`"), pos + c_len)
}

/// Joins `a`, `a or b`, `a, b, or c`.
fn or_list(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [a] => a.clone(),
        [a, b] => format!("{a} or {b}"),
        _ => format!(
            "{}, or {}",
            words[..words.len() - 1].join(", "),
            words[words.len() - 1]
        ),
    }
}

/// Words for a grammar rule; the number orders the list (names first, keywords, punctuation).
fn describe(rule: Rule) -> Option<(u8, String)> {
    let word = |s: &str| Some((0, s.to_string()));
    let kw = |s: &str| Some((1, format!("`{s}`")));
    match rule {
        Rule::EOI => Some((3, "end of file".into())),
        Rule::ident | Rule::decl_name => word("a name"),
        Rule::string => word("a label in quotes"),
        Rule::probability => word("a probability (like 35% or 0.35)"),
        Rule::percent => word("a percentage"),
        Rule::number => word("a number"),
        Rule::signed_int => word("a whole number (like +2 or -1)"),
        Rule::duration_lit => word("a duration (like 30s, 5m, 2h, 1d or 1w)"),
        Rule::kpi_value => word("a target value"),
        Rule::comparison => word("a comparison (>=, <=, > or <)"),
        Rule::channel_kind => word("a channel kind (digital, physical or human)"),
        Rule::trigger_event => word("`abandon` or `exit`"),
        Rule::remove_kind => word("`touchpoint` or `trigger`"),
        Rule::target | Rule::exit_target => word("a touchpoint name or `exit`"),
        Rule::metric => word("a metric (like conversion or drop_off(TOUCHPOINT))"),
        Rule::name_list => word("a list of names"),
        Rule::journey => kw("journey"),
        Rule::use_decl => kw("use"),
        Rule::arrow => Some((2, "`->`".into())),
        Rule::entry => kw("entry"),
        Rule::duration => kw("duration"),
        Rule::friction => kw("friction"),
        Rule::emotion => kw("emotion"),
        Rule::cost => kw("cost"),
        Rule::moment_of_truth => kw("moment_of_truth"),
        Rule::goal => kw("goal"),
        Rule::csat => kw("csat"),
        Rule::effort => kw("effort"),
        Rule::for_segments => kw("for"),
        Rule::owner => kw("owner"),
        Rule::description => kw("description"),
        Rule::horizon => kw("horizon"),
        Rule::max_steps => kw("max_steps"),
        Rule::primary_goal => kw("primary_goal"),
        Rule::channel | Rule::channel_override => kw("channel"),
        Rule::context => kw("context"),
        Rule::context_loss => kw("context_loss"),
        Rule::segment => kw("segment"),
        Rule::share => kw("share"),
        Rule::prefers => kw("prefers"),
        Rule::patience => kw("patience"),
        Rule::stage => kw("stage"),
        Rule::touchpoint | Rule::touchpoint_override => kw("touchpoint"),
        Rule::on_channel | Rule::trigger_on => kw("on"),
        Rule::trigger => kw("trigger"),
        Rule::after => kw("after"),
        Rule::via => kw("via"),
        Rule::limit => kw("limit"),
        Rule::kpi => kw("kpi"),
        Rule::lifecycle => kw("lifecycle"),
        Rule::repeat => kw("repeat"),
        Rule::winback => kw("winback"),
        Rule::discount => kw("discount"),
        Rule::max_cycles => kw("max_cycles"),
        Rule::after_range => kw("after"),
        Rule::metric_arg => word("a name or a whole number"),
        Rule::scenario => kw("scenario"),
        Rule::remove => kw("remove"),
        Rule::option => kw("option"),
        Rule::use_option => kw("use"),
        Rule::objective => kw("objective"),
        Rule::constraint => kw("constraint"),
        Rule::direction => word("`maximize` or `minimize`"),
        Rule::bound => word("`<=` or `>=`"),
        Rule::channel_body => Some((2, "`{`".into())),
        r => {
            let name = format!("{r:?}");
            name.strip_prefix("kw_").map(|k| (1, format!("`{k}`")))
        }
    }
}

/// Words for a literal token of the grammar (punctuation).
fn describe_literal(token: &str) -> Option<(u8, String)> {
    match token {
        "{" | "}" | "->" | "," | "(" | ")" | ".." | "%" => Some((2, format!("`{token}`"))),
        "\"" => Some((0, "a label in quotes".into())),
        _ => None,
    }
}

/// A help line for the common mistakes.
fn help_for(text: &str, pos: usize, expected: &[String]) -> Option<String> {
    let rest = &text[pos..];
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    if !word.is_empty()
        && word.chars().all(|c| c.is_ascii_digit() || c == '.')
        && expected.iter().any(|w| w.starts_with("a duration"))
    {
        return Some(format!(
            "durations need a unit: write {word}s, {word}m, {word}h, {word}d or {word}w"
        ));
    }
    let is_name = word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    // A friction label written without quotes: `friction 25% photo of ID rejected`.
    let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..pos].trim();
    if is_name
        && expected.iter().any(|w| w == "a label in quotes")
        && before.starts_with("friction ")
        && before.ends_with('%')
    {
        let label = rest
            .split(['\n', '#'])
            .next()
            .unwrap_or("")
            .trim_end()
            .replace('"', "\\\"");
        return Some(format!(
            "a friction's label is written in quotes: `{before} \"{label}\"`"
        ));
    }
    if is_name {
        // A misspelt keyword: the closest keyword expected here.
        let keywords: Vec<&str> = expected
            .iter()
            .filter_map(|w| w.strip_prefix('`').and_then(|w| w.strip_suffix('`')))
            .filter(|w| w.chars().all(|c| c.is_ascii_alphabetic() || c == '_'))
            .collect();
        if let Some(k) = crate::names::suggest(&word, keywords.iter().copied()) {
            return Some(format!("did you mean `{k}`?"));
        }
        // A touchpoint name where an attribute belongs: most often a transition without `->`.
        if expected.iter().any(|w| w == "`->`") {
            let next = rest[word.len()..].trim_start();
            let p: String = next
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '%')
                .collect();
            let p = if p.is_empty() {
                String::new()
            } else {
                format!(" {p}")
            };
            return Some(format!(
                "a transition is written with an arrow: `-> {word}{p}`"
            ));
        }
    }
    if rest.starts_with('"') && !rest[1..].split('\n').next().unwrap_or("").contains('"') {
        return Some("close the label with `\"` on the same line".into());
    }
    if rest.is_empty() && expected.iter().any(|w| w == "`}`") {
        return Some("a block is not closed: add the missing `}`".into());
    }
    let first_word = text[pos..]
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .next()
        .unwrap_or("");
    if text[..pos].lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#') || l.starts_with("use ")
    }) && matches!(
        first_word,
        "stage"
            | "touchpoint"
            | "trigger"
            | "kpi"
            | "scenario"
            | "lifecycle"
            | "objective"
            | "constraint"
            | "horizon"
            | "max_steps"
            | "primary_goal"
    ) {
        return Some(format!(
            "`{first_word}` belongs inside a journey: wrap the file's stages, triggers, KPIs and \
             scenarios in `journey NAME {{ … }}`"
        ));
    }
    if expected.iter().any(|w| w == "`journey`") && pos == 0 {
        return Some("a file holds `use` lines, then one `journey NAME { … }` block or library items (channel, segment, context)".into());
    }
    None
}

/// A new `channel` (not one a library declares) written without its kind.
pub(crate) fn channel_without_kind(name: &crate::ast::Name) -> Finding {
    Finding::new(
        Code::Syntax,
        name.span,
        format!("new channel `{}` needs a kind", name.text),
    )
    .label("no kind")
    .help("write `channel NAME digital`, `physical` or `human`")
}

/// A trigger without the parts in `missing` (`on`, `via`, `->`, as the message writes them).
pub(crate) fn incomplete_trigger(name: &crate::ast::Name, missing: &[&str]) -> Finding {
    Finding::new(
        Code::Syntax,
        name.span,
        format!("trigger `{}` is missing {}", name.text, missing.join(" and ")),
    )
    .label("incomplete trigger")
    .help("a trigger states when it fires (`on`), how it reaches the customer (`via`) and where it brings them back (`->`)")
}

/// An `option` block stating `entry` or `goal`, which only the touchpoint itself may state
/// (LANGUAGE-2.md §4): the channel, the entry and the goal never change with the option.
pub(crate) fn option_states(keyword: &str, span: Span, option: &crate::ast::Name) -> Finding {
    Finding::new(
        Code::Syntax,
        span,
        format!(
            "option `{}` states `{keyword}`, which an option cannot change",
            option.text
        ),
    )
    .label(format!("`{keyword}` in an option"))
    .help(format!(
        "state `{keyword}` on the touchpoint itself: every option shares the touchpoint's \
         channel, entry and goal"
    ))
}

/// `option as_is { … }`: `as_is` is the touchpoint as written.
pub(crate) fn reserved_option(name: &crate::ast::Name) -> Finding {
    Finding::new(
        Code::Syntax,
        name.span,
        "`as_is` is reserved: it names the touchpoint as written",
    )
    .label("reserved name")
    .help("give the option another name; what the touchpoint states outside its options is `as_is`")
}

/// A text of 4 GiB or more, past the 32-bit byte offsets the parser records (`fast.rs`):
/// refused before parsing (pest's parser, at 80 bytes of tokens a pair, would have needed tens
/// of gigabytes for it).
pub(super) fn too_large(file: FileId) -> Finding {
    Finding::new(
        Code::Syntax,
        Span::new(file, 0, 0),
        "the file is too large to parse: 4 GiB at most",
    )
    .label("too large")
    .help("journeyc parses files of less than 4 GiB")
}

/// The rule's documentation.
pub const DOC: &str = r#"## What it does
Reports text that does not follow the journey grammar: the message names what was found and
says, in words, what was expected there. Items that parse but miss a required part (a
`channel` without its kind, a `trigger` without `on`, `via` or `->`) are reported too.

## Why is this bad?
A file that does not parse has no model: nothing else can be checked, simulated or
analysed until it is fixed. Only the first syntax error of a file is reported, because
everything after it may be read differently once it is fixed.

## Example
```journey
journey demo {
  channel web digital
  stage visit {
    touchpoint home web {
      entry
      -> exit
    }
  }
}
```

## Use instead
```journey
journey demo {
  channel web digital
  stage visit {
    touchpoint home on web {
      entry
      -> exit
    }
  }
}
```
"#;
