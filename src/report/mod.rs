//! Reports: one renderer per output format. Findings are data until they reach this module.
//!
//! `journeyc check` builds one [`FileReport`] per checked file and calls [`render`] once for
//! the whole run. Every format sees the same findings in the same order (levels applied and
//! sorted by [`crate::diagnostic::sort`]); this module holds what the formats share: the
//! report types, the summary counts, spans turned into lines and columns, report paths and
//! the fingerprints that machine formats use to follow a finding from one run to the next.

pub mod analysis;
pub mod compare;
pub mod concise;
pub mod github;
pub mod gitlab;
pub mod graph;
pub mod html;
pub mod human;
pub mod json;
pub mod learn;
pub mod levers;
pub(crate) mod num;
pub mod optimize;
pub mod sarif;
pub mod simulation;
pub(crate) mod text;

use crate::diagnostic::{Finding, Level};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use serde::Serialize;
use std::collections::HashMap;

use crate::model::{Metric, figure};

/// Which customer scores a journey rates (LANGUAGE-2.md §2): `(csat, effort)`, as
/// [`crate::sim::Frame::rates`] and [`crate::model::Journey::rates_csat`] /
/// [`crate::model::Journey::rates_effort`] say.
pub type Rates = (bool, bool);

/// What a journey has that decides which figures its reports show: the scores it rates
/// (LANGUAGE-2.md §2) and whether it has a `lifecycle` block (§3). A version-1 journey has
/// neither ([`Shows::default`]), so its reports show the version-1 figures alone.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Shows {
    /// `(csat, effort)`: the scores the journey rates.
    pub rates: Rates,
    /// The journey has a `lifecycle` block.
    pub lifecycle: bool,
}

impl Shows {
    /// What a simulated run's frame says.
    pub fn of_frame(f: &crate::sim::Frame) -> Shows {
        Shows {
            rates: f.rates,
            lifecycle: f.lifecycle,
        }
    }

    /// What a resolved journey says.
    pub fn of_journey(j: &crate::model::Journey) -> Shows {
        Shows {
            rates: (j.rates_csat(), j.rates_effort()),
            lifecycle: j.lifecycle.is_some(),
        }
    }
}

/// The K of the `retention(K)` rows every summary of a journey with a lifecycle shows.
pub const SUMMARY_RETENTION: [u32; 3] = [1, 2, 3];

/// True when a report of a journey with `shows` shows `metric`: the scores only when the
/// journey rates what they measure (`csat` with `csat`; `effort` and `ces` with `effort`),
/// the lifetime figures only with a lifecycle, every other metric always.
pub fn shown(metric: Metric, shows: Shows) -> bool {
    match metric {
        Metric::Csat | Metric::CsatAt(_) => shows.rates.0,
        Metric::Effort | Metric::Ces => shows.rates.1,
        Metric::Cycles
        | Metric::Purchases
        | Metric::Retention(_)
        | Metric::LifetimeCost
        | Metric::LifetimeRevenue
        | Metric::Clv => shows.lifecycle,
        _ => true,
    }
}

/// The lifetime figures every summary of a journey with a lifecycle shows, in report order:
/// cycles and purchases, `retention(1)`…`retention(3)`, then the money ([`figure::LIFETIME`]
/// with the retention rows after purchases).
pub fn lifetime_metrics() -> impl Iterator<Item = Metric> {
    figure::LIFETIME[..2]
        .iter()
        .copied()
        .chain(SUMMARY_RETENTION.map(Metric::Retention))
        .chain(figure::LIFETIME[2..].iter().copied())
}

/// The per-customer figures every summary shows, in report order: the registry's
/// [`figure::SUMMARY`], then those of [`figure::SCORES`] the journey rates, then the
/// lifetime figures ([`lifetime_metrics`]) when it has a lifecycle. A version-1 journey
/// has none of them, so its summaries are [`figure::SUMMARY`] alone.
pub fn summary_metrics(shows: Shows) -> impl Iterator<Item = Metric> {
    figure::SUMMARY
        .into_iter()
        .chain(figure::SCORES.into_iter().filter(move |&m| shown(m, shows)))
        .chain(lifetime_metrics().filter(move |&m| shown(m, shows)))
}

/// A summary figure's JSON and CSV key: its registry name, `retention_K` for
/// `retention(K)` (K of [`SUMMARY_RETENTION`]).
pub fn summary_key(metric: Metric) -> &'static str {
    match metric {
        Metric::Retention(1) => "retention_1",
        Metric::Retention(2) => "retention_2",
        Metric::Retention(3) => "retention_3",
        m => m.info().name,
    }
}

/// A summary figure's label in tables: the registry's, `retention(K)` for a retention.
pub fn summary_label(metric: Metric) -> String {
    match metric {
        Metric::Retention(k) => format!("retention({k})"),
        m => m.info().label.into(),
    }
}

/// A summary figure's title in sentences and headings: the registry's, with K for a
/// retention (`Retention (2+ purchases)`).
pub fn summary_title(metric: Metric) -> String {
    match metric {
        Metric::Retention(k) => format!("Retention ({k}+ purchases)"),
        m => m.info().title.into(),
    }
}

/// One checked file: its sources (main file first; `main` is its id), whether it is a library,
/// and its findings (levels already applied, sorted).
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The checked file and every library it uses; finding spans index into it.
    pub sources: SourceMap,
    /// The checked file's id in `sources`.
    pub main: FileId,
    /// True when the checked file is a library (only `channel`, `segment`, `context` items).
    pub library: bool,
    /// Its findings, levels applied, in report order.
    pub findings: Vec<Finding>,
}

impl FileReport {
    /// The checked file's path as reports print it.
    pub fn path(&self) -> String {
        report_path(self.sources.get(self.main))
    }
}

/// The output formats of `journeyc check`.
#[derive(clap::ValueEnum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// miette's graphical report and a summary line, for people.
    Human,
    /// journeyc's own JSON document (schema in `docs/ci.md`).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: one annotation per finding.
    Github,
    /// GitLab's code-quality JSON report.
    Gitlab,
    /// One line per finding (`PATH:LINE:COLUMN: LEVEL CODE name: message`), then the summary.
    Concise,
}

/// Counts for the summary line: files, errors, warnings, infos.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Files checked.
    pub files: usize,
    /// Findings at error level.
    pub errors: usize,
    /// Findings at warning level.
    pub warnings: usize,
    /// Findings at info level.
    pub infos: usize,
}

impl Summary {
    /// Counts the files and the findings of each level.
    pub fn of(files: &[FileReport]) -> Summary {
        let mut summary = Summary {
            files: files.len(),
            ..Summary::default()
        };
        for finding in files.iter().flat_map(|f| &f.findings) {
            match finding.level {
                Level::Error => summary.errors += 1,
                Level::Warning => summary.warnings += 1,
                Level::Info => summary.infos += 1,
            }
        }
        summary
    }

    /// `3 files: 0 errors, 4 warnings`, with `, 1 info` only when there are infos.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{}: {}, {}",
            count(self.files, "file"),
            count(self.errors, "error"),
            count(self.warnings, "warning")
        );
        if self.infos > 0 {
            line.push_str(", ");
            line.push_str(&count(self.infos, "info"));
        }
        line
    }
}

/// `1 error`, `2 errors`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Writes a whole check run to `out` as it is rendered, finding by finding (no document is
/// built whole first: a run's output can be many times the size of its sources); `color`
/// only for the human format on a terminal.
pub fn write(
    format: Format,
    files: &[FileReport],
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::write_run(files, color, out),
        Format::Json => json::write(files, out),
        Format::Sarif => sarif::write(files, out),
        Format::Github => github::write(files, out),
        Format::Gitlab => gitlab::write(files, out),
        Format::Concise => concise::write(files, out),
    }
}

/// [`write`] into a string.
pub fn render(format: Format, files: &[FileReport], color: bool) -> String {
    let mut out = Vec::new();
    write(format, files, color, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("every format writes UTF-8")
}

/// A file's path as machine formats print it: forward slashes, no leading `./`.
pub(crate) fn report_path(file: &SourceFile) -> String {
    let path = file.display_path();
    let mut rest = path.as_str();
    while let Some(r) = rest.strip_prefix("./") {
        rest = r;
    }
    rest.to_string()
}

/// A span as the formats print it: path, 1-based lines and columns, byte offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Place {
    /// The file the span is in (see [`report_path`]); shared by every place in that file.
    pub path: std::rc::Rc<str>,
    /// Line of the first character.
    pub line: usize,
    /// Column of the first character, in characters.
    pub column: usize,
    /// Line of the end.
    pub end_line: usize,
    /// Column just past the last character, in characters.
    pub end_column: usize,
    /// [`Place::column`] in UTF-16 code units (SARIF).
    pub utf16_column: usize,
    /// [`Place::end_column`] in UTF-16 code units (SARIF).
    pub utf16_end_column: usize,
    /// Byte offset of the start.
    pub start_byte: usize,
    /// Byte offset just past the end.
    pub end_byte: usize,
}

impl Place {
    /// `path:line:column`, the way compilers point at a spot.
    pub fn short(&self) -> String {
        format!("{}:{}:{}", self.path, self.line, self.column)
    }
}

/// Distance between column checkpoints on long lines, in bytes.
const CHECKPOINT_STEP: usize = 4096;

/// Character and UTF-16 counts from the start of its line up to a byte offset.
#[derive(Copy, Clone, Debug)]
struct Checkpoint {
    offset: usize,
    chars: usize,
    utf16: usize,
}

/// Turns spans of one source map into [`Place`]s. A column is counted from its line's start;
/// on a 10 MB one-line file that is megabytes per finding, and a thousand findings took
/// minutes. So each file with a long line gets checkpoints (every [`CHECKPOINT_STEP`] bytes,
/// the counts so far on that line), built in one pass on first need, and a column costs at
/// most one step of counting.
pub(crate) struct Locator<'a> {
    sources: &'a SourceMap,
    checkpoints: crate::fasthash::Map<FileId, Vec<Checkpoint>>,
    /// Each file's [`report_path`], made once.
    paths: crate::fasthash::Map<FileId, std::rc::Rc<str>>,
}

impl<'a> Locator<'a> {
    /// A locator for spans of `sources`.
    pub fn new(sources: &'a SourceMap) -> Locator<'a> {
        Locator {
            sources,
            checkpoints: Default::default(),
            paths: Default::default(),
        }
    }

    /// The file a span is in.
    pub fn file(&self, span: Span) -> &'a SourceFile {
        self.sources.get(span.file)
    }

    /// Where `span` is.
    pub fn place(&mut self, span: Span) -> Place {
        let file = self.sources.get(span.file);
        // A span that takes in its line ending would otherwise end on the next line, col 1.
        let covered = file.text.get(span.range()).unwrap_or("");
        let end = span.start as usize + covered.trim_end_matches(['\n', '\r']).len();
        let (line, column, utf16_column) = self.position(span.file, span.start as usize);
        let (end_line, end_column, utf16_end_column) = self.position(span.file, end);
        let path = self
            .paths
            .entry(span.file)
            .or_insert_with(|| report_path(file).into())
            .clone();
        Place {
            path,
            line,
            column,
            end_line,
            end_column,
            utf16_column,
            utf16_end_column,
            start_byte: span.start as usize,
            end_byte: span.end as usize,
        }
    }

    /// 1-based line, column in characters and column in UTF-16 code units of a byte offset
    /// (the same as [`SourceFile::line_col`] and [`SourceFile::utf16_col`]).
    fn position(&mut self, id: FileId, offset: usize) -> (usize, usize, usize) {
        let file = self.sources.get(id);
        let mut offset = offset.min(file.text.len());
        while !file.text.is_char_boundary(offset) {
            offset -= 1; // spans keep to boundaries; never panic if one does not
        }
        let line = file.line_of(offset as u32);
        let line_start = file.line_start(line) as usize;
        let mut from = Checkpoint {
            offset: line_start,
            chars: 0,
            utf16: 0,
        };
        if offset - line_start > CHECKPOINT_STEP {
            let points = self
                .checkpoints
                .entry(id)
                .or_insert_with(|| checkpoints(&file.text));
            let i = points.partition_point(|c| c.offset <= offset);
            if let Some(&c) = i.checked_sub(1).and_then(|i| points.get(i)) {
                if c.offset >= line_start {
                    from = c;
                }
            }
        }
        let rest = &file.text[from.offset..offset];
        // ASCII, the usual case: a byte is a character and a UTF-16 unit.
        let (chars, utf16) = if rest.is_ascii() {
            (rest.len(), rest.len())
        } else {
            (rest.chars().count(), rest.encode_utf16().count())
        };
        (line, from.chars + chars + 1, from.utf16 + utf16 + 1)
    }
}

/// Checkpoints every [`CHECKPOINT_STEP`] bytes of `text`, on character boundaries.
fn checkpoints(text: &str) -> Vec<Checkpoint> {
    let mut points = Vec::new();
    let (mut chars, mut utf16) = (0, 0);
    let mut next = CHECKPOINT_STEP;
    for (offset, c) in text.char_indices() {
        if offset >= next {
            points.push(Checkpoint {
                offset,
                chars,
                utf16,
            });
            next = offset + CHECKPOINT_STEP;
        }
        if c == '\n' {
            (chars, utf16) = (0, 0);
        } else {
            chars += 1;
            utf16 += c.len_utf16();
        }
    }
    points
}

/// 64-bit FNV-1a over the parts, each followed by a 0xFF byte (which UTF-8 never contains),
/// so that `("ab", "c")` and `("a", "bc")` differ. Small, dependency-free and fixed forever:
/// fingerprints must not change between journeyc versions, or CI services lose track of
/// findings.
pub(crate) fn fnv1a(parts: &[&[u8]]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for part in parts {
        for &byte in part.iter().chain(&[0xFF]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

/// Numbers findings that share a fingerprint key within one run (0 for the first, 1 for the
/// next…), so that identical findings still get distinct fingerprints.
#[derive(Default)]
pub(crate) struct Occurrences {
    seen: HashMap<u64, u32>,
}

impl Occurrences {
    /// The occurrence number of this key: how many times it was seen before.
    pub fn next(&mut self, key: u64) -> u32 {
        let n = self.seen.entry(key).or_insert(0);
        let this = *n;
        *n += 1;
        this
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;
    use crate::source::SourceFile;

    #[test]
    fn summaries_show_the_scores_a_journey_rates() {
        let rated = |rates| Shows {
            rates,
            lifecycle: false,
        };
        let names = |shows| -> Vec<&str> {
            summary_metrics(shows)
                .skip(figure::SUMMARY.len())
                .map(summary_key)
                .collect()
        };
        assert!(summary_metrics(Shows::default()).eq(figure::SUMMARY));
        assert_eq!(names(rated((true, false))), ["csat"]);
        assert_eq!(names(rated((false, true))), ["effort", "ces"]);
        assert_eq!(names(rated((true, true))), ["csat", "effort", "ces"]);
        assert!(shown(Metric::CsatAt(3), rated((true, false))));
        assert!(!shown(Metric::CsatAt(3), rated((false, true))));
        assert!(shown(Metric::Profit, Shows::default()));
    }

    #[test]
    fn summaries_show_the_lifetime_figures_with_a_lifecycle_only() {
        let life = Shows {
            rates: (true, false),
            lifecycle: true,
        };
        let names: Vec<&str> = summary_metrics(life)
            .skip(figure::SUMMARY.len())
            .map(summary_key)
            .collect();
        assert_eq!(
            names,
            [
                "csat",
                "cycles",
                "purchases",
                "retention_1",
                "retention_2",
                "retention_3",
                "lifetime_cost",
                "lifetime_revenue",
                "clv"
            ]
        );
        for m in figure::LIFETIME.into_iter().chain([Metric::Retention(1)]) {
            assert!(!shown(m, Shows::default()), "{m:?}");
            assert!(shown(m, life));
        }
        assert_eq!(summary_label(Metric::Retention(2)), "retention(2)");
        assert_eq!(summary_label(Metric::Clv), "clv");
    }

    fn report(findings: Vec<Finding>) -> FileReport {
        let mut sources = SourceMap::new();
        let main = sources.add(SourceFile::new("a.journey", "journey a {}\n"));
        FileReport {
            sources,
            main,
            library: false,
            findings,
        }
    }

    fn finding(rule: Rule, level: Level) -> Finding {
        let mut f = Finding::new(rule, Span::new(FileId(0), 0, 7), "m");
        f.level = level;
        f
    }

    #[test]
    fn summary_counts_levels_across_files() {
        let files = [
            report(vec![
                finding(Rule::TransitionSum, Level::Error),
                finding(Rule::ContextBreak, Level::Warning),
            ]),
            report(vec![
                finding(Rule::ContextBreak, Level::Warning),
                finding(Rule::SingleChannelStage, Level::Info),
            ]),
            report(vec![]),
        ];
        let s = Summary::of(&files);
        assert_eq!(
            s,
            Summary {
                files: 3,
                errors: 1,
                warnings: 2,
                infos: 1
            }
        );
        assert_eq!(s.line(), "3 files: 1 error, 2 warnings, 1 info");
    }

    #[test]
    fn summary_line_plurals_and_infos_only_when_present() {
        let line = |files, errors, warnings, infos| {
            Summary {
                files,
                errors,
                warnings,
                infos,
            }
            .line()
        };
        assert_eq!(line(3, 0, 4, 0), "3 files: 0 errors, 4 warnings");
        assert_eq!(line(1, 1, 1, 0), "1 file: 1 error, 1 warning");
        assert_eq!(line(0, 0, 0, 0), "0 files: 0 errors, 0 warnings");
        assert_eq!(line(2, 0, 2, 2), "2 files: 0 errors, 2 warnings, 2 infos");
    }

    #[test]
    fn report_path_drops_leading_dot_slash() {
        assert_eq!(
            report_path(&SourceFile::new("./././examples/a.journey", "")),
            "examples/a.journey"
        );
        assert_eq!(
            report_path(&SourceFile::new("../a.journey", "")),
            "../a.journey"
        );
    }

    #[test]
    fn place_counts_characters_and_utf16_units() {
        let mut sources = SourceMap::new();
        let id = sources.add(SourceFile::new("a.journey", "x\n\"😀é\" tp\n"));
        let start = sources.get(id).text.find("tp").unwrap();
        let p = Locator::new(&sources).place(Span::new(id, start, start + 2));
        assert_eq!((p.line, p.column, p.end_line, p.end_column), (2, 6, 2, 8));
        // 😀 is two UTF-16 code units.
        assert_eq!((p.utf16_column, p.utf16_end_column), (7, 9));
        assert_eq!((p.start_byte, p.end_byte), (start, start + 2));
        assert_eq!(p.short(), "a.journey:2:6");
    }

    #[test]
    fn place_of_a_span_ending_with_its_newline_stays_on_its_line() {
        let mut sources = SourceMap::new();
        let id = sources.add(SourceFile::new("a.journey", "ab\r\ncd\n"));
        let p = Locator::new(&sources).place(Span::new(id, 0, 4));
        assert_eq!((p.line, p.column, p.end_line, p.end_column), (1, 1, 1, 3));
        assert_eq!(p.end_byte, 4);
        let empty = Locator::new(&sources).place(Span::new(id, 4, 4));
        assert_eq!(
            (empty.line, empty.column, empty.end_line, empty.end_column),
            (2, 1, 2, 1)
        );
    }

    #[test]
    fn checkpoints_give_the_same_columns_as_counting() {
        // Long lines of mixed widths (1-, 2-, 3- and 4-byte characters, 📞 is two UTF-16
        // units), short lines between, CRLF and a last line without a newline.
        let long: String = "aé€📞 ".repeat(3000);
        let text = format!("{long}\r\nshort\n{long}\n\n{long}{long}");
        let mut sources = SourceMap::new();
        let id = sources.add(SourceFile::new("a.journey", text.clone()));
        let file = sources.get(id);
        let mut locator = Locator::new(&sources);
        let offsets = (0..=text.len()).filter(|o| text.is_char_boundary(*o));
        for offset in offsets.step_by(97).chain([text.len()]) {
            let (line, col) = file.line_col(offset as u32);
            let utf16 = file.utf16_col(offset as u32);
            assert_eq!(
                locator.position(id, offset),
                (line, col, utf16),
                "at {offset}"
            );
        }
        assert!(locator.checkpoints[&id].len() > 20);
    }

    #[test]
    fn fnv1a_matches_the_reference_and_separates_parts() {
        // Reference value of FNV-1a 64 for "a" is 0xaf63dc4c8601ec8c; ours appends 0xFF.
        let mut h: u64 = 0xaf63_dc4c_8601_ec8c;
        h ^= 0xFF;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        assert_eq!(fnv1a(&[b"a"]), h);
        assert_ne!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"a", b"bc"]));
        assert_ne!(fnv1a(&[b"ab"]), fnv1a(&[b"a", b"b"]));
    }

    #[test]
    fn occurrences_count_per_key() {
        let mut o = Occurrences::default();
        assert_eq!(o.next(1), 0);
        assert_eq!(o.next(2), 0);
        assert_eq!(o.next(1), 1);
        assert_eq!(o.next(1), 2);
    }
}
