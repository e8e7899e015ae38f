//! Inline suppressions: `# journeyc: allow(context-break, J0404)` in a comment drops the
//! findings of those rules (names or codes) on the line it covers, and J0701 reports the
//! suppressions that drop nothing.
//!
//! Which line a comment covers: a comment after code covers its own line; a comment alone on
//! its line covers the next line with code (like an attribute above an item). When that line
//! opens a block (`touchpoint … {`, `stage … {`, `journey … {`: its first `{`), the comment
//! covers the block to its closing `}`. A finding is on the line where its primary span starts.
//!
//! The comments are found by a scan of the text (strings and comments skipped, braces matched),
//! not from the syntax tree: suppressions then work in a file with a syntax error too, and cost
//! nothing when a file has none.

use super::rules::unused_suppression;
use crate::diagnostic::Finding;
use crate::rules::Rule;
use crate::source::{FileId, SourceFile, SourceMap, Span};
use std::ops::RangeInclusive;

/// One `# journeyc: allow(…)` comment.
#[derive(Debug)]
struct Directive {
    /// The lines it covers (1-based, as [`SourceFile::line_of`] counts them).
    lines: RangeInclusive<usize>,
    /// Each rule it names, where, and whether it dropped a finding.
    rules: Vec<(Rule, Span, bool)>,
}

/// The suppressions of one file, and the comments that look like one but are not.
#[derive(Debug, Default)]
struct Scan {
    directives: Vec<Directive>,
    /// J0701 findings for unknown rule names and malformed comments.
    problems: Vec<Finding>,
}

/// Finds the suppressions of a file.
fn scan(file: FileId, source: &SourceFile) -> Scan {
    // A directive is a comment whose text starts `journeyc:`. When no `journeyc:` in the file
    // follows a `#` and blanks only, there is none: a search instead of the byte-by-byte walk
    // below, which every checked file would otherwise pay.
    let may_direct = source
        .text
        .match_indices("journeyc:")
        .any(|(at, _)| source.text[..at].trim_end().ends_with('#'));
    if !may_direct {
        return Scan::default();
    }
    let text = source.text.as_bytes();
    let lines = source.line_count();
    // Per line (index 1..=lines): holds code outside comments; its first `{`.
    let mut code = vec![false; lines + 2];
    let mut first_open: Vec<Option<usize>> = vec![None; lines + 2];
    // Every `{`: its line's closing line (unclosed: the last line).
    let mut closes: Vec<usize> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut comments: Vec<(usize, usize, usize)> = Vec::new();
    let (mut line, mut i, mut in_string) = (1usize, 0usize, false);
    while i < text.len() {
        let b = text[i];
        if b == b'\n' {
            line += 1;
            in_string = false;
            i += 1;
            continue;
        }
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'#' => {
                let end = text[i..]
                    .iter()
                    .position(|&c| c == b'\n' || c == b'\r')
                    .map_or(text.len(), |p| i + p);
                comments.push((i, end, line));
                i = end;
                continue;
            }
            b' ' | b'\t' | b'\r' => {}
            _ => {
                code[line] = true;
                match b {
                    b'"' => in_string = true,
                    b'{' => {
                        if first_open[line].is_none() {
                            first_open[line] = Some(closes.len());
                        }
                        open.push(closes.len());
                        closes.push(lines);
                    }
                    b'}' => {
                        if let Some(id) = open.pop() {
                            closes[id] = line;
                        }
                    }
                    _ => {}
                }
            }
        }
        i += 1;
    }
    let mut out = Scan::default();
    for (start, end, line) in comments {
        let comment = &source.text[start + 1..end];
        let body = comment.trim_start();
        let Some(rest) = body.strip_prefix("journeyc:") else {
            continue;
        };
        let at = start + 1 + (comment.len() - body.len()) + "journeyc:".len();
        let whole = Span::new(file, start, end);
        let Some(names) = allow_list(rest) else {
            out.problems.push(unused_suppression::malformed(whole));
            continue;
        };
        let target = (line..=lines).find(|&l| code[l]);
        let covered = match target {
            Some(t) => t..=first_open[t].map_or(t, |id| closes[id].max(t)),
            // Nothing after it: it covers no line (an empty range).
            None => RangeInclusive::new(1, 0),
        };
        let mut rules = Vec::new();
        for (offset, name) in names {
            let span = Span::new(file, at + offset, at + offset + name.len());
            match Rule::lookup(name) {
                Some(rule) => rules.push((rule, span, false)),
                None => out.problems.push(unused_suppression::unknown(name, span)),
            }
        }
        out.directives.push(Directive {
            lines: covered,
            rules,
        });
    }
    out
}

/// The rule names of `allow(a, b) [reason]` with their byte offsets in `text`; `None` when the
/// text is not of that form or names nothing.
fn allow_list(text: &str) -> Option<Vec<(usize, &str)>> {
    let trimmed = text.trim_start();
    let inner_at = text.len() - trimmed.len();
    let after = trimmed.strip_prefix("allow")?;
    let open = after.len() - after.trim_start().len();
    let list = after.trim_start().strip_prefix('(')?;
    let close = list.find(')')?;
    let base = inner_at + "allow".len() + open + 1;
    let mut names = Vec::new();
    let mut offset = 0;
    for part in list[..close].split(',') {
        let name = part.trim();
        if name.is_empty() {
            return None;
        }
        let lead = part.len() - part.trim_start().len();
        names.push((base + offset + lead, name));
        offset += part.len() + 1;
    }
    Some(names)
}

/// Drops the findings that a suppression in their file covers, and adds J0701 findings for the
/// main file's suppressions: unknown names and malformed comments always, suppressions that
/// dropped nothing when `report_unused` (false while the file has an error that keeps the
/// graph rules from running, when every graph-rule suppression would look unused).
pub fn apply(
    sources: &SourceMap,
    main: FileId,
    findings: Vec<Finding>,
    report_unused: bool,
) -> Vec<Finding> {
    let mut scans: Vec<(FileId, Scan)> = sources
        .files()
        .map(|(id, f)| (id, scan(id, f)))
        .filter(|(id, s)| !s.directives.is_empty() || (*id == main && !s.problems.is_empty()))
        .collect();
    if scans.is_empty() {
        return findings;
    }
    let mut kept: Vec<Finding> = findings
        .into_iter()
        .filter(|f| {
            let file = f.primary.span.file;
            let Some((_, scan)) = scans.iter_mut().find(|(id, _)| *id == file) else {
                return true;
            };
            let line = sources.get(file).line_of(f.primary.span.start);
            let mut dropped = false;
            for d in scan
                .directives
                .iter_mut()
                .filter(|d| d.lines.contains(&line))
            {
                for (_, _, used) in d.rules.iter_mut().filter(|(r, _, _)| *r == f.rule) {
                    *used = true;
                    dropped = true;
                }
            }
            !dropped
        })
        .collect();
    let Some((_, scan)) = scans.into_iter().find(|(id, _)| *id == main) else {
        return kept;
    };
    let mut own = scan.problems;
    if report_unused {
        for d in &scan.directives {
            own.extend(
                d.rules
                    .iter()
                    .filter(|&&(rule, _, used)| !used && rule != Rule::UnusedSuppression)
                    .map(|&(rule, span, _)| unused_suppression::unused(rule, span)),
            );
        }
    }
    // `allow(unused-suppression)` silences J0701 where it applies.
    let source = sources.get(main);
    own.retain(|f| {
        let line = source.line_of(f.primary.span.start);
        !scan.directives.iter().any(|d| {
            d.lines.contains(&line)
                && d.rules
                    .iter()
                    .any(|(r, _, _)| *r == Rule::UnusedSuppression)
        })
    });
    kept.extend(own);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Finding;

    fn map(text: &str) -> SourceMap {
        let mut m = SourceMap::new();
        m.add(SourceFile::new("t.journey", text));
        m
    }

    fn at(m: &SourceMap, rule: Rule, needle: &str) -> Finding {
        let text = &m.get(FileId(0)).text;
        let start = text.find(needle).unwrap();
        Finding::new(rule, Span::new(FileId(0), start, start + needle.len()), "x")
    }

    const TEXT: &str = "journey j {
  stage s {   # journeyc: allow(dead-end)
    touchpoint a on web { entry -> b }  # journeyc: allow(J0402, trap) because
    # journeyc: allow(unreachable)
    touchpoint b on web {
      -> exit
    }
  }
  touchpoint c on web { }
}
";

    #[test]
    fn a_line_a_block_and_the_next_line_are_covered() {
        let m = map(TEXT);
        let findings = vec![
            at(&m, Rule::ContextBreak, "-> b"),
            at(&m, Rule::DeadEnd, "touchpoint b"),
            at(&m, Rule::Unreachable, "-> exit"),
            at(&m, Rule::Unreachable, "touchpoint c"),
            at(&m, Rule::ContextBreak, "touchpoint c"),
        ];
        let out = apply(&m, FileId(0), findings, true);
        let got: Vec<(Rule, String)> = out
            .iter()
            .map(|f| (f.rule, m.snippet(f.primary.span).to_string()))
            .collect();
        assert_eq!(
            got,
            [
                (Rule::Unreachable, "touchpoint c".to_string()),
                (Rule::ContextBreak, "touchpoint c".to_string()),
                (Rule::UnusedSuppression, "trap".to_string()),
            ]
        );
    }

    #[test]
    fn unknown_names_and_malformed_comments_are_findings_and_strings_are_not_comments() {
        let text = "journey j { # journeyc: allow(context-brake)\n  owner \"# journeyc: allow(x)\"\n} # journeyc: alow(trap)\n# journeyc: allow()\n";
        let m = map(text);
        let out = apply(&m, FileId(0), Vec::new(), false);
        let got: Vec<&str> = out.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(out.len(), 3, "{got:?}");
        assert!(got[0].contains("`context-brake` is not a rule"));
        assert!(out[0].help.as_deref().unwrap().contains("context-break"));
        assert!(got[1].starts_with("not a suppression"));
        assert_eq!(m.snippet(out[0].primary.span), "context-brake");
    }

    #[test]
    fn without_report_unused_an_unused_suppression_is_quiet() {
        let m = map(TEXT);
        assert!(apply(&m, FileId(0), Vec::new(), false).is_empty());
        assert_eq!(apply(&m, FileId(0), Vec::new(), true).len(), 4);
    }

    #[test]
    fn a_file_is_searched_for_directives_only_after_a_hash_and_blanks() {
        // `journeyc:` after other words is no directive (the walk is skipped); after `#`,
        // a tab and a no-break space (blanks to `trim_start`) it is one.
        let quiet = "# generated by journeyc::generate
journey j { owner \"see journeyc: docs\" }
";
        assert!(
            scan(FileId(0), &SourceFile::new("q.journey", quiet))
                .directives
                .is_empty()
        );
        let loud = format!("{quiet}#\t\u{a0}journeyc: allow(trap)\n");
        let found = scan(FileId(0), &SourceFile::new("l.journey", loud));
        assert_eq!(found.directives.len(), 1);
        assert_eq!(found.directives[0].rules[0].0, Rule::Trap);
    }
}
