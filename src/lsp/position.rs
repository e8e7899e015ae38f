//! Byte offsets ↔ LSP positions (0-based line, column in UTF-16 code units, the protocol's
//! default encoding), and `file://` URIs ↔ paths.
//!
//! Spans are byte offsets into a [`crate::source::SourceFile`]'s text, which has no BOM; an
//! editor's buffer may start with one. [`LineIndex`] is built over the buffer as the editor
//! holds it and takes offsets of the BOM-less text: [`LineIndex::shift`] is the BOM's length.

use lsp_types::{Position, Range, Uri};
use std::path::{Path, PathBuf};
use std::str::FromStr as _;

/// Where each line of a text starts, for converting offsets and positions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    text: String,
    line_starts: Vec<usize>,
    /// Bytes before offset 0 of the spans (a BOM the source map dropped).
    shift: usize,
}

impl LineIndex {
    /// The index of `text` as the editor holds it.
    pub fn new(text: &str) -> LineIndex {
        let shift = if text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        let mut line_starts = vec![0];
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            // LF, CRLF and a lone CR end a line (LSP counts all three).
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                line_starts.push(i + 1);
            }
        }
        LineIndex {
            text: text.to_string(),
            line_starts,
            shift,
        }
    }

    /// The length of a leading BOM (0 without one).
    pub fn shift(&self) -> usize {
        self.shift
    }

    /// The position of byte `offset` of the BOM-less text (clamped, moved back to a
    /// character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = (offset + self.shift).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let character = self.text[start..offset].encode_utf16().count();
        Position::new(line as u32, character as u32)
    }

    /// The byte offset (into the BOM-less text) of a position; a column past the end of its
    /// line is the line's end, a line past the end is the end of the text.
    pub fn offset(&self, position: Position) -> usize {
        let line = position.line as usize;
        let Some(&start) = self.line_starts.get(line) else {
            return self.text.len().saturating_sub(self.shift);
        };
        let end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        let content = self.text[start..end].trim_end_matches(['\n', '\r']);
        let mut units = 0usize;
        let mut at = start + content.len();
        for (i, c) in content.char_indices() {
            if units >= position.character as usize {
                at = start + i;
                break;
            }
            units += c.len_utf16();
        }
        at.max(self.shift) - self.shift
    }

    /// The range of byte offsets `start..end` of the BOM-less text.
    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }
}

/// The path a `file://` URI names, or `None` for other schemes and malformed ones.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // An authority (`localhost`) may stand before the path.
    let path = &rest[rest.find('/')?..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = percent_decode(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt as _;
        Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
    }
    #[cfg(not(unix))]
    {
        let text = String::from_utf8(bytes).ok()?;
        // `/C:/dir/x.journey` on Windows.
        let text = text
            .strip_prefix('/')
            .filter(|t| t.get(1..2) == Some(":"))
            .unwrap_or(&text);
        Some(PathBuf::from(text))
    }
}

/// The `file://` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units() {
        // 😀 is 4 bytes and two UTF-16 units; é is 2 bytes and one unit.
        let text = "ab\n\"😀é\" tp\n";
        let index = LineIndex::new(text);
        let tp = text.find("tp").unwrap();
        // `"` 1 + 😀 2 + é 1 + `"` 1 + space 1: the 0-based column of `journeyc check`'s
        // 1-based UTF-16 column 7 (report::tests::place_counts_characters_and_utf16_units).
        assert_eq!(index.position(tp), Position::new(1, 6));
        assert_eq!(index.offset(Position::new(1, 6)), tp);
        assert_eq!(index.position(0), Position::new(0, 0));
        assert_eq!(index.position(text.len()), Position::new(2, 0));
        // Past the end of a line: its end; past the last line: the end of the text.
        assert_eq!(index.offset(Position::new(0, 99)), 2);
        assert_eq!(index.offset(Position::new(9, 0)), text.len());
    }

    #[test]
    fn an_offset_inside_a_character_moves_back_to_its_start() {
        let text = "x😀y";
        let index = LineIndex::new(text);
        assert_eq!(index.position(2), Position::new(0, 1));
        assert_eq!(index.position(5), Position::new(0, 3));
        // The middle of the surrogate pair is after the character.
        assert_eq!(index.offset(Position::new(0, 2)), 5);
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "a\r\nb\rc\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(3), Position::new(1, 0));
        assert_eq!(index.position(5), Position::new(2, 0));
        assert_eq!(index.offset(Position::new(0, 5)), 1);
    }

    #[test]
    fn a_bom_shifts_the_first_line() {
        let text = "\u{feff}journey j {}";
        let index = LineIndex::new(text);
        // Offset 0 of the BOM-less text is column 1 (the BOM is one UTF-16 unit).
        assert_eq!(index.position(0), Position::new(0, 1));
        assert_eq!(index.offset(Position::new(0, 1)), 0);
        assert_eq!(index.offset(Position::new(0, 0)), 0);
    }

    #[test]
    fn file_uris_and_paths_round_trip() {
        let path = Path::new("/tmp/a dir/é.journey");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20dir/%C3%A9.journey");
        assert_eq!(uri_to_path(&uri).unwrap(), path);
        let host = Uri::from_str("file://localhost/x/y.journey").unwrap();
        assert_eq!(uri_to_path(&host).unwrap(), Path::new("/x/y.journey"));
        let other = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(uri_to_path(&other), None);
    }
}
