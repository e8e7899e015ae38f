//! Graphviz DOT for `journeyc graph --format dot`: render with
//! `journeyc graph x.journey | dot -Tsvg > x.svg`.
//!
//! Every string is a quoted DOT string ([`quote`]): `\` and `"` escaped, so the user's `\N`
//! or `\l` stays text; label lines are joined with DOT's `\n`. Ids are the [`super`] ids,
//! which are plain identifiers and never keywords. Stages are `cluster_stage_<name>`
//! subgraphs (the `cluster` prefix is what makes Graphviz draw a box); triggers do not
//! constrain the ranks (`constraint=false`), so the left-to-right layout follows the
//! transitions alone.

use super::{
    Cluster, Edge, EdgeKind, FINDING_COLOUR, Graph, KEY_ID, Marks, Node, START_ID, TRIGGER_COLOUR,
    colour, one_line,
};
use crate::model::ChannelKind;
use crate::report::text::Push;
use std::fmt::Write;

/// A DOT quoted string holding `text`.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    push_escaped(&mut out, text);
    out.push('"');
    out
}

fn push_escaped(out: &mut (impl Write + ?Sized), text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c => out.push(one_line(c).unwrap_or(c)),
        }
    }
}

/// Lines as one quoted DOT string: each escaped, joined with `sep` (`\n` centres, `\l`
/// left-aligns and, after the last line too, left-aligns that one).
fn lines(lines: &[String], sep: &str, trailing: bool) -> String {
    let mut out = String::from("\"");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        push_escaped(&mut out, line);
    }
    if trailing {
        out.push_str(sep);
    }
    out.push('"');
    out
}

/// Shape and style of a node on a channel of `kind`.
fn shape(kind: ChannelKind) -> (&'static str, &'static str) {
    match kind {
        ChannelKind::Digital => ("box", "rounded,filled"),
        ChannelKind::Physical => ("trapezium", "filled"),
        ChannelKind::Human => ("ellipse", "filled"),
    }
}

/// `, color=…, fontcolor=…, tooltip=…` for something carrying findings; empty otherwise.
fn marked(marks: &Marks) -> String {
    if marks.is_empty() {
        return String::new();
    }
    format!(
        ", color=\"{FINDING_COLOUR}\", fontcolor=\"{FINDING_COLOUR}\", tooltip={}",
        lines(&marks.messages, "\\n", false)
    )
}

fn node(out: &mut (impl Write + ?Sized), n: &Node) {
    let (shape, style) = shape(n.kind);
    let mut attrs = format!(
        "label={}, shape={shape}, style=\"{style}\", fillcolor=\"{}\"",
        lines(&n.lines, "\\n", false),
        colour(n.channel)
    );
    if n.goal {
        attrs.push_str(", peripheries=2");
    }
    if n.moment_of_truth {
        attrs.push_str(", penwidth=3");
    } else if !n.marks.is_empty() {
        attrs.push_str(", penwidth=2");
    }
    if !n.marks.is_empty() {
        // The text stays black on the fill; only the outline turns red.
        let _ = write!(
            attrs,
            ", color=\"{FINDING_COLOUR}\", tooltip={}",
            lines(&n.marks.messages, "\\n", false)
        );
    }
    let _ = writeln!(out, "    {} [{attrs}];", n.id);
}

fn cluster(out: &mut (impl Write + ?Sized), c: &Cluster, g: &Graph) {
    let _ = writeln!(out, "  subgraph cluster_{} {{", c.id);
    let mut attrs = format!("label={}, style=rounded", lines(&c.title, "\\n", false));
    if c.marks.is_empty() {
        attrs.push_str(", color=\"#999999\"");
    } else {
        attrs.push_str(&marked(&c.marks));
    }
    let _ = writeln!(out, "    graph [{attrs}];");
    for &t in &c.nodes {
        node(out, &g.nodes[t]);
    }
    if let Some(exit) = &c.exit {
        let _ = writeln!(
            out,
            "    {exit} [label=\"exit\", shape=octagon, style=filled, fillcolor=\"#eeeeee\", \
             color=\"#888888\", fontcolor=\"#555555\"];"
        );
    }
    out.push_str("  }\n");
}

fn edge(out: &mut (impl Write + ?Sized), e: &Edge) {
    let mut attrs = format!("label={}", lines(&e.lines, "\\n", false));
    match e.kind {
        EdgeKind::Entry | EdgeKind::Transition => {}
        EdgeKind::Exit if e.marks.is_empty() => attrs.push_str(", color=\"#888888\""),
        EdgeKind::Exit => {}
        EdgeKind::Trigger => {
            attrs.push_str(", style=dashed, constraint=false");
            if e.marks.is_empty() {
                let _ = write!(
                    attrs,
                    ", color=\"{TRIGGER_COLOUR}\", fontcolor=\"{TRIGGER_COLOUR}\""
                );
            }
        }
    }
    attrs.push_str(&marked(&e.marks));
    let _ = writeln!(out, "  {} -> {} [{attrs}];", e.from, e.to);
}

/// The graph as DOT.
pub fn render(g: &Graph) -> String {
    let mut out = String::new();
    render_to(&mut out, g);
    out
}

/// [`render`], written into `out` as it is made.
pub fn render_to(out: &mut (impl Write + ?Sized), g: &Graph) {
    let _ = writeln!(out, "// journeyc graph: render with `dot -Tsvg`");
    let _ = writeln!(out, "digraph {} {{", quote(&g.name));
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, label={}, labelloc=t, fontname=\"Helvetica\", fontsize=16];",
        lines(&g.title, "\\n", false)
    );
    out.push_str("  node [fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    let _ = writeln!(
        out,
        "  {START_ID} [label=\"start\", shape=circle, style=filled, fillcolor=\"#333333\", \
         fontcolor=\"white\"];"
    );
    for c in &g.clusters {
        cluster(out, c, g);
    }
    out.push_str("  subgraph cluster_legend {\n");
    out.push_str(
        "    graph [label=\"Legend\", style=\"rounded,dashed\", color=\"#bbbbbb\", fontsize=11];\n",
    );
    for l in &g.legend {
        let (shape, style) = shape(l.kind);
        let _ = writeln!(
            out,
            "    {} [label={}, shape={shape}, style=\"{style}\", fillcolor=\"{}\"];",
            l.id,
            lines(&l.lines(), "\\n", false),
            colour(l.channel)
        );
    }
    let _ = writeln!(
        out,
        "    {KEY_ID} [label={}, shape=note, fontsize=9];",
        lines(&g.key, "\\l", true)
    );
    // Invisible edges lay the legend out in one row instead of one tall column.
    let ids: Vec<&str> = g
        .legend
        .iter()
        .map(|l| l.id.as_str())
        .chain([KEY_ID])
        .collect();
    for pair in ids.windows(2) {
        let _ = writeln!(out, "    {} -> {} [style=invis];", pair[0], pair[1]);
    }
    out.push_str("  }\n");
    for e in &g.edges {
        edge(out, e);
    }
    out.push_str("}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_what_dot_reads_and_keeps_the_rest() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote(r#"say "hi""#), r#""say \"hi\"""#);
        // A backslash is doubled, so `\N` or `\l` in a label stays text.
        assert_eq!(quote(r"a\N\l\"), r#""a\\N\\l\\""#);
        // Record and HTML characters mean nothing in a quoted string.
        assert_eq!(quote("<b> | {x}"), "\"<b> | {x}\"");
        assert_eq!(quote("Ünïcödé ★"), "\"Ünïcödé ★\"");
        assert_eq!(quote("tab\there"), "\"tab here\"");
    }

    #[test]
    fn lines_are_escaped_one_by_one_and_joined() {
        let l = vec!["a\"b".to_string(), r"c\d".to_string()];
        assert_eq!(lines(&l, "\\n", false), r#""a\"b\nc\\d""#);
        assert_eq!(lines(&l, "\\l", true), r#""a\"b\lc\\d\l""#);
    }
}
