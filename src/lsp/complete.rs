//! Completion: names where the grammar expects one (`grammar/journey.pest`), keywords of the
//! enclosing block elsewhere. Works on half-typed text: the tokens before the cursor and the
//! blocks open there come from [`super::tokens::lex`], not from a parse.

use super::Failed;
use super::state::State;
use super::symbols::{Index, Kind};
use super::tokens::{Lexeme, Token, lex};
use lsp_types::{CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse};

/// Every keyword of the grammar.
pub const KEYWORDS: [&str; 48] = [
    "use",
    "journey",
    "owner",
    "description",
    "horizon",
    "max_steps",
    "primary_goal",
    "channel",
    "context",
    "context_loss",
    "segment",
    "share",
    "prefers",
    "patience",
    "stage",
    "touchpoint",
    "on",
    "entry",
    "duration",
    "friction",
    "emotion",
    "cost",
    "csat",
    "effort",
    "pain",
    "moment_of_truth",
    "goal",
    "value",
    "for",
    "trigger",
    "at",
    "after",
    "via",
    "limit",
    "kpi",
    "lifecycle",
    "repeat",
    "winback",
    "discount",
    "max_cycles",
    "scenario",
    "remove",
    "option",
    "objective",
    "constraint",
    "abandon",
    "exit",
    "->",
];

/// The blocks whose keywords complete inside them.
const BLOCKS: [&str; 9] = [
    "journey",
    "stage",
    "touchpoint",
    "option",
    "segment",
    "trigger",
    "lifecycle",
    "scenario",
    "channel",
];

/// The keywords that start a line inside `block` (`None`: the top of a file).
fn keywords_in(block: Option<&str>, in_scenario: bool) -> &'static [&'static str] {
    const TOUCHPOINT: &[&str] = &[
        "entry",
        "duration",
        "friction",
        "emotion",
        "cost",
        "csat",
        "effort",
        "moment_of_truth",
        "goal",
        "->",
        "option",
    ];
    const OVERRIDE: &[&str] = &[
        "use",
        "entry",
        "duration",
        "friction",
        "emotion",
        "cost",
        "csat",
        "effort",
        "moment_of_truth",
        "goal",
        "->",
        "option",
    ];
    match block {
        None => &["use", "journey", "channel", "segment", "context"],
        Some("journey") => &[
            "owner",
            "description",
            "horizon",
            "max_steps",
            "primary_goal",
            "channel",
            "context_loss",
            "context",
            "segment",
            "stage",
            "trigger",
            "lifecycle",
            "kpi",
            "objective",
            "constraint",
            "scenario",
        ],
        Some("stage") => &["touchpoint"],
        Some("touchpoint") if in_scenario => OVERRIDE,
        Some("touchpoint") => TOUCHPOINT,
        Some("option") => &[
            "duration",
            "friction",
            "emotion",
            "cost",
            "csat",
            "effort",
            "moment_of_truth",
            "->",
        ],
        Some("segment") => &["share", "prefers", "patience"],
        Some("trigger") => &["on", "after", "via", "limit", "->"],
        Some("lifecycle") => &["repeat", "winback", "discount", "max_cycles"],
        Some("scenario") => &[
            "remove",
            "touchpoint",
            "channel",
            "segment",
            "trigger",
            "stage",
            "context_loss",
            "context",
            "lifecycle",
        ],
        Some("channel") => &["cost"],
        Some(_) => &[],
    }
}

/// The open blocks at the end of `tokens` (innermost last), each with the touchpoint name
/// of a `touchpoint NAME` header.
fn open_blocks<'t>(text: &'t str, tokens: &[Token]) -> Vec<(&'static str, Option<&'t str>)> {
    let mut stack = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match &text[t.start..t.end] {
            "{" => {
                // The nearest block keyword of the header, and the name after it.
                let header = tokens[..i]
                    .iter()
                    .rev()
                    .take_while(|h| !matches!(&text[h.start..h.end], "{" | "}"))
                    .enumerate()
                    .find_map(|(back, h)| {
                        let word = &text[h.start..h.end];
                        BLOCKS.iter().find(|b| **b == word).map(|b| (*b, back))
                    });
                let entry = header.map(|(block, back)| {
                    let name = tokens.get(i - back).filter(|n| n.kind == Lexeme::Word);
                    (block, name.map(|n| &text[n.start..n.end]))
                });
                stack.push(entry.unwrap_or(("", None)));
            }
            "}" => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack
}

/// What to offer at the end of `before` (the text up to the cursor).
fn candidates(before: &str, index: &Index) -> Vec<(String, CompletionItemKind)> {
    let tokens: Vec<Token> = lex(before)
        .into_iter()
        .filter(|t| t.kind != Lexeme::Comment)
        .collect();
    // The word being typed is replaced: look at what stands before it.
    let typing = tokens
        .last()
        .filter(|t| t.kind == Lexeme::Word && t.end == before.len());
    let context = &tokens[..tokens.len() - usize::from(typing.is_some())];
    let word = |back: usize| {
        context
            .len()
            .checked_sub(back + 1)
            .map(|i| &before[context[i].start..context[i].end])
    };
    let blocks = open_blocks(before, context);
    let in_scenario = blocks.iter().any(|(b, _)| *b == "scenario");
    let names = |kind: Kind| -> Vec<(String, CompletionItemKind)> {
        let item = match kind {
            Kind::Touchpoint => CompletionItemKind::FUNCTION,
            Kind::Channel => CompletionItemKind::INTERFACE,
            Kind::Segment => CompletionItemKind::CLASS,
            Kind::Goal | Kind::Trigger => CompletionItemKind::EVENT,
            Kind::Option => CompletionItemKind::ENUM_MEMBER,
            _ => CompletionItemKind::VARIABLE,
        };
        index
            .names(kind)
            .into_iter()
            .map(|n| (n.to_string(), item))
            .collect()
    };
    let values = |words: &[&str]| -> Vec<(String, CompletionItemKind)> {
        words
            .iter()
            .map(|w| (w.to_string(), CompletionItemKind::KEYWORD))
            .collect()
    };
    // A list `KEYWORD a, b, ` continues: the keyword that opened it decides.
    let mut back = 0;
    while word(back) == Some(",") && word(back + 1).is_some() {
        back += 2;
    }
    let list_head = word(back);
    let kinds_after = |w: &str| -> Option<Vec<(String, CompletionItemKind)>> {
        Some(match w {
            "->" => {
                let mut out = names(Kind::Touchpoint);
                out.push(("exit".into(), CompletionItemKind::KEYWORD));
                out
            }
            "for" => names(Kind::Segment),
            "prefers" | "via" | "context" | ":" => names(Kind::Channel),
            "at" => names(Kind::Touchpoint),
            "primary_goal" | "goal" => names(Kind::Goal),
            "remove" => values(&["touchpoint", "trigger"]),
            "objective" => values(&["maximize", "minimize"]),
            _ => return None,
        })
    };
    if let Some(found) = list_head.and_then(kinds_after) {
        return found;
    }
    let (w0, w1, w2) = (word(0), word(1), word(2));
    match (w0, w1) {
        (Some("on"), _) => {
            // `touchpoint NAME ["label"] on CHANNEL`; in a trigger, `on abandon|exit at`.
            return if blocks.last().is_some_and(|(b, _)| *b == "trigger") {
                values(&["abandon", "exit"])
            } else {
                names(Kind::Channel)
            };
        }
        (Some("touchpoint"), _) if in_scenario => {
            return names(Kind::Touchpoint);
        }
        (Some("trigger"), Some("remove")) => return names(Kind::Trigger),
        (Some("use"), _) => {
            // `use OPTION` in a scenario's touchpoint: that touchpoint's options.
            if let Some((_, Some(tp))) = blocks.last() {
                let prefix = format!("{tp}.");
                return index
                    .names(Kind::Option)
                    .into_iter()
                    .filter_map(|k| k.strip_prefix(&prefix))
                    .map(|o| (o.to_string(), CompletionItemKind::ENUM_MEMBER))
                    .collect();
            }
            return Vec::new();
        }
        (Some("("), Some("conversion")) => return names(Kind::Goal),
        (Some("("), Some("reach" | "drop_off")) => return names(Kind::Touchpoint),
        (Some(_), Some("channel")) if w2 != Some("remove") => {
            return values(&["digital", "physical", "human"]);
        }
        _ => {}
    }
    let block = blocks.last().map(|(b, _)| *b);
    if block == Some("") {
        return Vec::new();
    }
    values(keywords_in(block, in_scenario))
}

/// Answers `textDocument/completion`.
pub fn completion(
    state: &State,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>, Failed> {
    let p = params.text_document_position;
    let at = state.at(&p.text_document.uri, p.position)?;
    let text = &at.analysis.sources().get(at.analysis.main()).text;
    let mut end = at.offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let items = candidates(&text[..end], &at.analysis.index)
        .into_iter()
        .map(|(label, kind)| CompletionItem {
            label,
            kind: Some(kind),
            ..CompletionItem::default()
        })
        .collect();
    Ok(Some(CompletionResponse::Array(items)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    const TEXT: &str = "journey j {
  channel web digital
  channel phone human
  segment new { share 50% }
  segment old { share 50% }
  stage s {
    touchpoint a on web { entry -> b }
    touchpoint b on phone { option call { -> exit } goal done }
  }
  scenario sc { touchpoint b { use call } }
}
";

    fn offer(before: &str) -> Vec<String> {
        let file = crate::syntax::parse(FileId(0), TEXT).unwrap();
        let index = Index::new([&file]);
        candidates(before, &index)
            .into_iter()
            .map(|(l, _)| l)
            .collect()
    }

    #[test]
    fn names_where_the_grammar_expects_them() {
        let head = "journey j {\n  stage s {\n    touchpoint a on web {\n";
        assert_eq!(offer(&format!("{head}      -> ")), ["a", "b", "exit"]);
        assert_eq!(offer(&format!("{head}      -> b 5% for ")), ["new", "old"]);
        assert_eq!(
            offer(&format!("{head}      -> b 5% for new, o")),
            ["new", "old"]
        );
        assert_eq!(
            offer("journey j {\n  stage s {\n    touchpoint a on "),
            ["web", "phone"]
        );
        assert_eq!(offer("journey j {\n  primary_goal "), ["done"]);
        assert_eq!(
            offer("journey j {\n  trigger t {\n    via "),
            ["web", "phone"]
        );
        assert_eq!(
            offer("journey j {\n  trigger t {\n    on "),
            ["abandon", "exit"]
        );
        assert_eq!(offer("journey j {\n  kpi conversion("), ["done"]);
        assert_eq!(
            offer("journey j {\n  scenario x {\n    touchpoint b {\n      use "),
            ["call"]
        );
        assert_eq!(
            offer("journey j {\n  channel x "),
            ["digital", "physical", "human"]
        );
    }

    #[test]
    fn keywords_of_the_enclosing_block() {
        assert_eq!(
            offer("journey j {\n  segment s {\n    "),
            ["share", "prefers", "patience"]
        );
        assert!(offer("journey j {\n  st").contains(&"stage".to_string()));
        assert_eq!(
            offer(""),
            ["use", "journey", "channel", "segment", "context"]
        );
        let in_touchpoint = offer("journey j {\n  stage s {\n    touchpoint a on web {\n      ");
        assert!(in_touchpoint.contains(&"friction".to_string()));
        assert!(!in_touchpoint.contains(&"use".to_string()));
    }
}
