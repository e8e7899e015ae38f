//! Mermaid for `journeyc graph --format mermaid`: paste it into a ` ```mermaid ` block of a
//! GitHub (or GitLab) Markdown file and it is drawn in place.
//!
//! A `flowchart LR` with one `subgraph` per stage. Every label is a quoted Mermaid string
//! ([`escape`]): characters Mermaid, the HTML it renders to or the Markdown it reads labels as
//! would take for syntax (`"`, `#`, `&`, `<`, `>`, a backtick, `%%` that would start a comment,
//! `*`, a leading `1.`…) become entity codes (`#quot;`…), so a label never ends early or turns
//! into markup; label lines are joined with `<br/>`. Ids are the [`super`] ids, prefixed, so never a keyword such as
//! `end`. Colours are `classDef`s — one class per channel, as the legend shows — and red
//! edges a `linkStyle` by edge number.

use super::{
    Edge, EdgeKind, FINDING_COLOUR, Graph, KEY_ID, Node, START_ID, TRIGGER_COLOUR, colour, one_line,
};
use crate::model::ChannelKind;
use crate::report::text::Push;
use std::fmt::Write;

/// `text` as the inside of a quoted Mermaid label.
///
/// Besides the characters that end a label or make HTML, Mermaid 11 reads a label as Markdown:
/// `1. Step` becomes "Unsupported markdown: list" and `*x*` italics. So `*`, `~`, `[`, `]`,
/// `\`, an `_` that is not inside a word, and a line's opening list marker (`1.`, `2)`, `- `,
/// `+ `) or space are entity codes too. Entity codes are decoded after the Markdown pass (and
/// by Mermaid versions without one), so every version shows the text as written.
pub fn escape(text: &str) -> String {
    let chars: Vec<char> = text.chars().map(|c| one_line(c).unwrap_or(c)).collect();
    let word = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(|c| c.is_alphanumeric())
    };
    let list_number = {
        let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
        digits > 0 && matches!(chars.get(digits), Some('.' | ')'))
    };
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let code = match c {
            '"' => Some("#quot;".to_string()),
            '&' => Some("#amp;".to_string()),
            '<' => Some("#lt;".to_string()),
            '>' => Some("#gt;".to_string()),
            '#' | '`' | '*' | '~' | '[' | ']' | '\\' => Some(format!("#{};", c as u32)),
            '%' if next == Some('%') => Some("#37;".to_string()),
            '_' if !(word(i.checked_sub(1)) && word(Some(i + 1))) => Some("#95;".to_string()),
            ' ' if i == 0 => Some("#32;".to_string()),
            '-' | '+' if i == 0 && matches!(next, None | Some(' ')) => {
                Some(format!("#{};", c as u32))
            }
            _ if i == 0 && list_number => Some(format!("#{};", c as u32)),
            _ => None,
        };
        match code {
            Some(code) => out.push_str(&code),
            None => out.push(c),
        }
    }
    out
}

/// Lines as one quoted Mermaid label.
fn label(lines: &[String]) -> String {
    let inner: Vec<String> = lines.iter().map(|l| escape(l)).collect();
    format!("\"{}\"", inner.join("<br/>"))
}

/// A YAML double-quoted string (the front matter's title).
fn yaml(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c => out.push(one_line(c).unwrap_or(c)),
        }
    }
    out.push('"');
    out
}

/// A node with its shape: goals are hexagons; otherwise the channel kind chooses.
fn shaped(id: &str, text: &str, kind: ChannelKind, goal: bool) -> String {
    if goal {
        return format!("{id}{{{{{text}}}}}");
    }
    match kind {
        ChannelKind::Digital => format!("{id}({text})"),
        ChannelKind::Physical => format!("{id}[/{text}\\]"),
        ChannelKind::Human => format!("{id}([{text}])"),
    }
}

fn node(n: &Node) -> String {
    shaped(&n.id, &label(&n.lines), n.kind, n.goal)
}

fn arrow(e: &Edge) -> &'static str {
    match e.kind {
        EdgeKind::Trigger => "-.->",
        _ => "-->",
    }
}

/// `classDef NAME STYLE` and `class a,b,c NAME`; nothing when no node has the class.
fn class(out: &mut (impl Write + ?Sized), ids: &[&str], name: &str, style: &str) {
    if !ids.is_empty() {
        let _ = writeln!(out, "  classDef {name} {style}");
        let _ = writeln!(out, "  class {} {name}", ids.join(","));
    }
}

/// `linkStyle 1,4 STYLE`; nothing for no edges.
fn link_style(out: &mut (impl Write + ?Sized), edges: &[usize], style: &str) {
    if !edges.is_empty() {
        let list: Vec<String> = edges.iter().map(usize::to_string).collect();
        let _ = writeln!(out, "  linkStyle {} {style}", list.join(","));
    }
}

/// The graph as Mermaid.
pub fn render(g: &Graph) -> String {
    let mut out = String::new();
    render_to(&mut out, g);
    out
}

/// [`render`], written into `out` as it is made.
pub fn render_to(out: &mut (impl Write + ?Sized), g: &Graph) {
    let _ = writeln!(out, "---\ntitle: {}\n---", yaml(&g.title.join(" — ")));
    out.push_str("%% journeyc graph: paste into a fenced `mermaid` block of a Markdown file\n");
    out.push_str("flowchart LR\n");
    let _ = writeln!(out, "  {START_ID}((\"start\"))");
    for c in &g.clusters {
        let _ = writeln!(out, "  subgraph {} [{}]", c.id, label(&c.title));
        for &t in &c.nodes {
            let _ = writeln!(out, "    {}", node(&g.nodes[t]));
        }
        if let Some(exit) = &c.exit {
            let _ = writeln!(out, "    {exit}((\"exit\"))");
        }
        out.push_str("  end\n");
    }
    out.push_str("  subgraph journey_legend [\"Legend\"]\n");
    for l in &g.legend {
        let _ = writeln!(
            out,
            "    {}",
            shaped(&l.id, &label(&l.lines()), l.kind, false)
        );
    }
    let _ = writeln!(out, "    {KEY_ID}[{}]", label(&g.key));
    out.push_str("  end\n");
    for e in &g.edges {
        let _ = writeln!(
            out,
            "  {} {}|{}| {}",
            e.from,
            arrow(e),
            label(&e.lines),
            e.to
        );
    }

    let mut notes: Vec<(String, &String)> = Vec::new();
    for c in &g.clusters {
        notes.extend(c.marks.messages.iter().map(|m| (c.id.clone(), m)));
    }
    for n in &g.nodes {
        notes.extend(n.marks.messages.iter().map(|m| (n.id.clone(), m)));
    }
    for e in &g.edges {
        let arrow = format!("{} -> {}", e.from, e.to);
        notes.extend(e.marks.messages.iter().map(|m| (arrow.clone(), m)));
    }
    if !notes.is_empty() {
        out.push_str("  %% Findings (drawn red):\n");
        for (at, m) in notes {
            let m: String = m.chars().map(|c| one_line(c).unwrap_or(c)).collect();
            let _ = writeln!(out, "  %% {at}: {m}");
        }
    }

    out.push_str("  %% One class per channel: its fill colour, as the legend shows.\n");
    for l in &g.legend {
        let mut ids: Vec<&str> = g
            .nodes
            .iter()
            .filter(|n| n.channel == l.channel)
            .map(|n| n.id.as_str())
            .collect();
        ids.push(&l.id);
        let style = format!("fill:{},stroke:#333333,color:#000000", colour(l.channel));
        class(out, &ids, &format!("ch_{}", l.name), &style);
    }
    let style = "fill:#333333,stroke:#333333,color:#ffffff";
    class(out, &[START_ID], "jc_start", style);
    let exits: Vec<&str> = g
        .clusters
        .iter()
        .filter_map(|c| c.exit.as_deref())
        .collect();
    let style = "fill:#eeeeee,stroke:#888888,color:#555555";
    class(out, &exits, "jc_exit", style);
    let pick = |f: fn(&Node) -> bool| -> Vec<&str> {
        g.nodes
            .iter()
            .filter(|n| f(n))
            .map(|n| n.id.as_str())
            .collect()
    };
    // In this order: a later class wins, so a marked moment of truth is red and thick.
    class(out, &pick(|n| n.goal), "jc_goal", "stroke-width:3px");
    let style = "stroke-width:4px,font-weight:bold";
    class(out, &pick(|n| n.moment_of_truth), "jc_mot", style);
    let style = format!("stroke:{FINDING_COLOUR},stroke-width:3px");
    class(out, &pick(|n| !n.marks.is_empty()), "jc_finding", &style);
    for c in g.clusters.iter().filter(|c| !c.marks.is_empty()) {
        let _ = writeln!(out, "  style {} stroke:{FINDING_COLOUR}", c.id);
    }
    let numbered = |f: fn(&Edge) -> bool| -> Vec<usize> {
        g.edges
            .iter()
            .enumerate()
            .filter(|(_, e)| f(e))
            .map(|(i, _)| i)
            .collect()
    };
    link_style(
        out,
        &numbered(|e| e.kind == EdgeKind::Exit),
        "stroke:#888888",
    );
    link_style(
        out,
        &numbered(|e| e.kind == EdgeKind::Trigger),
        &format!("stroke:{TRIGGER_COLOUR},color:{TRIGGER_COLOUR}"),
    );
    link_style(
        out,
        &numbered(|e| !e.marks.is_empty()),
        &format!("stroke:{FINDING_COLOUR},color:{FINDING_COLOUR}"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_turns_what_mermaid_reads_into_entity_codes() {
        assert_eq!(escape("plain text"), "plain text");
        assert_eq!(escape(r#"say "hi""#), "say #quot;hi#quot;");
        assert_eq!(escape("<b>x</b>"), "#lt;b#gt;x#lt;/b#gt;");
        assert_eq!(escape("a & b #1"), "a #amp; b #35;1");
        // `#` first, so a user's own `#quot;` stays text.
        assert_eq!(escape("#quot;"), "#35;quot;");
        // A backtick would open a Markdown string.
        assert_eq!(escape("`code`"), "#96;code#96;");
        // `%%` would open a comment or a directive; one `%` is a percentage.
        assert_eq!(escape("35%"), "35%");
        assert_eq!(escape("%%{init}%%"), "#37;%{init}#37;%");
        assert_eq!(escape("| {x} (z)"), "| {x} (z)");
        assert_eq!(escape("Ünïcödé ★\t"), "Ünïcödé ★ ");
    }

    #[test]
    fn escape_keeps_markdown_from_reading_a_label() {
        // A list, at the start only; a number elsewhere is text.
        assert_eq!(escape("1. Step"), "#49;. Step");
        assert_eq!(escape("12) Step"), "#49;2) Step");
        assert_eq!(escape("35%"), "35%");
        assert_eq!(escape("Step 1. two"), "Step 1. two");
        assert_eq!(escape("- item"), "#45; item");
        assert_eq!(escape("+"), "#43;");
        assert_eq!(escape("-1 point"), "-1 point");
        assert_eq!(escape("a - b"), "a - b");
        assert_eq!(escape("    code"), "#32;   code");
        // Emphasis, strikethrough, links, backslash escapes.
        assert_eq!(escape("*x* ~y~"), "#42;x#42; #126;y#126;");
        assert_eq!(escape("[a](b) \\*"), "#91;a#93;(b) #92;#42;");
        // An underscore inside a word is text to Markdown too; elsewhere it is escaped.
        assert_eq!(escape("social_ad · web"), "social_ad · web");
        assert_eq!(escape("_x_ a_ _b"), "#95;x#95; a#95; #95;b");
    }

    #[test]
    fn labels_never_hold_a_raw_quote() {
        let l = label(&["\"a\"".to_string(), "b".to_string()]);
        assert_eq!(l, "\"#quot;a#quot;<br/>b\"");
        assert_eq!(l.matches('"').count(), 2);
    }

    #[test]
    fn shapes_by_kind_and_goal() {
        assert_eq!(
            shaped("x", "\"t\"", ChannelKind::Digital, false),
            "x(\"t\")"
        );
        assert_eq!(
            shaped("x", "\"t\"", ChannelKind::Physical, false),
            "x[/\"t\"\\]"
        );
        assert_eq!(
            shaped("x", "\"t\"", ChannelKind::Human, false),
            "x([\"t\"])"
        );
        assert_eq!(shaped("x", "\"t\"", ChannelKind::Human, true), "x{{\"t\"}}");
    }

    #[test]
    fn yaml_title_is_a_double_quoted_string() {
        assert_eq!(yaml(r#"a "b" \c"#), r#""a \"b\" \\c""#);
    }
}
