//! Text in SVG without a browser: an estimate of a label's width and word wrapping to a box,
//! so that labels fit their cards and boxes in common system fonts.

/// The width of `text` in a proportional sans-serif font of `size` pixels: an estimate from
/// character classes, calibrated on DejaVu Sans (the widest of the common system fonts; Arial,
/// Helvetica and Segoe UI are narrower), so that wrapped labels fit their boxes. For bold
/// text, pass a size about 10% larger.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| {
            let em = match c {
                'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' | '`' => 0.3,
                ' ' | 'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' | '"' => 0.4,
                'm' | 'w' | 'M' | 'W' | '@' | '%' | '&' => 0.95,
                'A'..='Z' | '#' | '?' | '+' | '=' | '<' | '>' | '~' | '_' => 0.72,
                '0'..='9' | 'a'..='z' | '$' | '*' => 0.62,
                c if c.is_ascii() => 0.62,
                // Accented letters are letter-wide; CJK, emoji and the rest are wide.
                c if c.is_alphabetic() && (c as u32) < 0x2E80 => 0.64,
                _ => 1.0,
            };
            em * size
        })
        .sum()
}

/// `text` broken at spaces into at most `max_lines` lines of at most `width` pixels (see
/// [`text_width`]); a word too long for a line is cut, and text that does not fit ends
/// with `…`.
pub fn wrap(text: &str, width: f64, size: f64, max_lines: usize) -> Vec<String> {
    wrap_widths(text, &vec![width; max_lines], size)
}

/// Like [`wrap`], with a width per line (`widths.len()` lines at most): for a first line
/// that shares its row with badges. A word too wide for its line but not for the next one
/// goes to the next one, leaving its line empty (`""`), instead of being cut.
pub fn wrap_widths(text: &str, widths: &[f64], size: f64) -> Vec<String> {
    let max_lines = widths.len();
    let width_of = |i: usize| widths.get(i).copied().unwrap_or(0.0);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut cut = false;
    'words: for word in text.split_whitespace() {
        if lines.len() >= max_lines {
            cut = true;
            break;
        }
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if text_width(&candidate, size) <= width_of(lines.len()) {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
            if lines.len() == max_lines {
                cut = true;
                break 'words;
            }
            if text_width(word, size) <= width_of(lines.len()) {
                current = word.to_string();
                continue;
            }
        } else if lines.len() + 1 < max_lines && text_width(word, size) <= width_of(lines.len() + 1)
        {
            // A narrow line that cannot take the word whole: leave it empty rather than cut.
            lines.push(String::new());
            current = word.to_string();
            continue;
        }
        // The word alone does not fit its line: cut it into pieces that do.
        // A piece that ends a line ends with a hyphen (`Affordabil-` / `ity`).
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if text_width(&format!("{piece}-"), size) > width_of(lines.len())
                && piece.chars().count() > 2
            {
                piece.pop();
                piece.push('-');
                lines.push(std::mem::take(&mut piece));
                piece.push(c);
                if lines.len() == max_lines {
                    cut = true;
                    break 'words;
                }
            }
        }
        current = piece;
    }
    if !current.is_empty() {
        if lines.len() < max_lines {
            lines.push(current);
        } else {
            cut = true;
        }
    }
    if cut {
        let i = lines.len().saturating_sub(1);
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && text_width(&format!("{last}…"), size) > width_of(i) {
                last.pop();
            }
            let trimmed = last.trim_end().to_string();
            *last = format!("{trimmed}…");
        }
    }
    lines
}

/// `text` on one line of at most `width` pixels, cut with `…` when longer.
pub fn fit(text: &str, width: f64, size: f64) -> String {
    wrap(text, width, size, 1).pop().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_to_the_width_and_marks_a_cut() {
        let lines = wrap("asks for the address again and again", 90.0, 12.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(
            lines.iter().all(|l| text_width(l, 12.0) <= 90.0),
            "{lines:?}"
        );
        assert!(lines[1].ends_with('…'), "{lines:?}");
        assert_eq!(wrap("Cart", 90.0, 12.0, 2), vec!["Cart".to_string()]);
        let long = wrap("Supercalifragilisticexpialidocious", 60.0, 12.0, 3);
        assert!(long.len() >= 2 && long.iter().all(|l| text_width(l, 12.0) <= 60.0));
        assert!(wrap("", 60.0, 12.0, 2).is_empty());
        // A word cut across lines says so with a hyphen.
        let cut = wrap("Affordability", 60.0, 12.0, 3);
        assert!(cut.len() >= 2 && cut[0].ends_with('-'), "{cut:?}");
        assert_eq!(cut.concat().replace('-', ""), "Affordability");
    }

    #[test]
    fn wrap_widths_gives_the_first_line_less_room() {
        let lines = wrap_widths("Order confirmed", &[60.0, 130.0], 13.0);
        assert_eq!(lines, ["Order", "confirmed"]);
        assert_eq!(
            wrap_widths("Checkout", &[40.0, 130.0], 13.0),
            ["", "Checkout"]
        );
        let lines = wrap_widths("Order confirmed by email and text", &[60.0, 130.0], 13.0);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'), "{lines:?}");
    }
}
