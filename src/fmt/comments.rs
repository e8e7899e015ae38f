//! Finding comments in source text. The grammar skips comments silently, so the AST knows
//! nothing of them; the formatter recovers them with this scan and places them by byte offset.

/// One comment: `#` up to the end of its line, trailing whitespace excluded.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) struct Comment {
    /// Offset of the `#`.
    pub start: usize,
    /// One past the last non-blank byte of the comment.
    pub end: usize,
}

/// Every comment of `text`, in order. `text` is expected to have parsed: the only place a `#`
/// is not a comment is inside a label (`"…"`, with `\"` and `\\` escapes), and a comment runs
/// to the end of its line: the next `\n` or `\r` (a lone CR ends a line, as in the grammar).
pub(super) fn scan(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    // An escape hides the next byte, which is ASCII (`"` or `\`) in valid text.
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'#' => {
                let start = i;
                while i < bytes.len() && !matches!(bytes[i], b'\n' | b'\r') {
                    i += 1;
                }
                let end = start + text[start..i].trim_end().len();
                out.push(Comment { start, end });
            }
            _ => i += 1,
        }
    }
    out
}

/// True when `text` holds an empty line: two line breaks with only blanks between them.
pub(super) fn has_blank_line(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut after_newline = false;
    for (i, &b) in bytes.iter().enumerate() {
        // A line ends at LF, CRLF or a lone CR (the CR of a CRLF is a blank).
        let newline = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        match b {
            _ if newline && after_newline => return true,
            _ if newline => after_newline = true,
            b' ' | b'\t' | b'\r' => {}
            _ => after_newline = false,
        }
    }
    false
}

/// True when `text` holds only spaces and tabs (no line break): what separates a line's last
/// token from a comment at the end of that line.
pub(super) fn is_same_line(text: &str) -> bool {
    text.bytes().all(|b| matches!(b, b' ' | b'\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        scan(text).iter().map(|c| &text[c.start..c.end]).collect()
    }

    #[test]
    fn a_hash_inside_a_label_is_not_a_comment() {
        let t = "owner \"a # b \\\" # c\" # real \"x\"   \r\n# next\n#last";
        assert_eq!(texts(t), ["# real \"x\"", "# next", "#last"]);
    }

    #[test]
    fn a_backslash_pair_ends_before_the_closing_quote() {
        assert_eq!(texts("owner \"a\\\\\" # c"), ["# c"]);
    }

    #[test]
    fn blank_lines_and_same_line_gaps() {
        assert!(has_blank_line("x\n  \r\n y"));
        assert!(has_blank_line("\n\n"));
        assert!(!has_blank_line(" \n  y \n z"));
        assert!(is_same_line("  \t"));
        assert!(!is_same_line(" \n "));
    }
}
