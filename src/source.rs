//! Source files and spans.
//!
//! A [`Span`] is a pair of byte offsets into one [`SourceFile`] of a [`SourceMap`], plus the
//! file's id. Invariants: `start <= end <= text.len()`, both on UTF-8 character boundaries.
//! Spans are `Copy` and converted to miette's `SourceSpan` only at the edge (reports).
//! Lines and columns are computed here, once, for formats that need them (SARIF, GitHub).

use std::path::{Path, PathBuf};

/// Index of a file in a [`SourceMap`].
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span of `start..end` in `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The byte range, for slicing the file text.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// True for an empty span.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both (same file assumed; otherwise `self`).
    pub fn to(self, other: Span) -> Span {
        if self.file != other.file {
            return self;
        }
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        miette::SourceSpan::new((span.start as usize).into(), span.len())
    }
}

/// One file's text, its path as the user named it, and its line table.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as given (relative paths stay relative): what reports print.
    pub path: PathBuf,
    /// The text, with a leading BOM removed (offsets are into this text).
    pub text: String,
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// A file from its path and text; a leading UTF-8 BOM is dropped.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> SourceFile {
        let mut text = text.into();
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let mut line_starts = vec![0u32];
        // `match_indices` of one ASCII character searches a word at a time (core's memchr).
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// The path as a display string with forward slashes (stable across platforms).
    pub fn display_path(&self) -> String {
        self.path.to_string_lossy().replace('\\', "/")
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = offset.min(self.text.len() as u32);
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line] as usize;
        let col = self.text[start..offset as usize].chars().count() + 1;
        (line + 1, col)
    }

    /// 1-based column of a byte offset in UTF-16 code units (SARIF's default column kind).
    pub fn utf16_col(&self, offset: u32) -> usize {
        let offset = offset.min(self.text.len() as u32);
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line] as usize;
        self.text[start..offset as usize].encode_utf16().count() + 1
    }

    /// The 1-based line a byte offset is on, without counting columns (offsets past the end:
    /// the last line).
    pub fn line_of(&self, offset: u32) -> usize {
        let offset = offset.min(self.text.len() as u32);
        self.line_starts.partition_point(|&s| s <= offset)
    }

    /// Byte offset where a 1-based line starts (a line outside `1..=line_count()`: the end of
    /// the text).
    pub fn line_start(&self, line: usize) -> u32 {
        self.line_starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(self.text.len() as u32)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0) as usize;
        let end = self
            .line_starts
            .get(line)
            .map(|&e| e as usize)
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// Every file read in one run; spans carry an index into it.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The id of an already added file with this path, if any.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(i as u32))
    }

    /// The text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        &self.get(span.file).text[span.range()]
    }

    /// All files, in the order they were added.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("a.journey", "ab\ncafé x\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // 'x' comes after "café " (é is two bytes): column 6 in characters.
        let x = f.text.find('x').unwrap() as u32;
        assert_eq!(f.line_col(x), (2, 6));
        assert_eq!(f.utf16_col(x), 6);
        assert_eq!(f.line_text(2), "café x");
        assert_eq!(
            (f.line_of(0), f.line_of(2), f.line_of(3), f.line_of(x)),
            (1, 1, 2, 2)
        );
        assert_eq!(
            (f.line_start(1), f.line_start(2), f.line_start(3)),
            (0, 3, 11)
        );
        assert_eq!((f.line_start(0), f.line_start(9)), (11, 11));
    }

    #[test]
    fn bom_is_dropped() {
        let f = SourceFile::new("a", "\u{feff}journey");
        assert_eq!(f.text, "journey");
    }
}
