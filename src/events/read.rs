//! Reading an event log (LANGUAGE-2.md §5): CSV with a header (the `csv` crate's dialect,
//! [`super::csv_rows`]) or JSON Lines
//! (`serde_json`), in one streaming pass, into each customer's events in time order (ties in
//! file order), resolved against the journey's names.
//!
//! **Grouping.** By default every customer stays open until the file ends: their events are
//! kept (32 bytes each, about 50 bytes per customer plus their id, in one store without an
//! allocation per customer) and counted at the end, so an unsorted or time-sorted file costs
//! memory in proportion to its rows (measured: 423 MB for a time-sorted log of 10M rows over
//! 2.2M customers). While a customer's rows mostly come together, each run of them is a record
//! of its own, found again by nobody: the runs of one customer are joined once the file ends,
//! partition by partition ([`Store::merge`]), instead of a table probe (a cache miss past a few
//! hundred thousand customers) per customer as rows come; once runs are shorter than two rows
//! on average, ids are looked up from then on ([`Store::interleaved`]).
//! With `grouped` (the log's rows are grouped by customer, as `simulate --events` writes
//! them), a customer is closed as soon as the next customer's rows start, so memory holds
//! one customer (and 16 bytes for each customer seen); a customer whose rows start again
//! later is then an error naming both lines, once the file ends.

use super::Format;
use crate::model::Journey;
use std::collections::HashMap;
use std::io::{BufRead, Read};

/// What kind of event a row is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A visit to a touchpoint.
    Visit,
    /// A pain point at the last visit.
    Pain,
    /// A trigger's message.
    Message,
    /// The journey (the cycle) ended.
    End,
}

/// A pain point's cause.
pub const CAUSE_NONE: u8 = 0;
/// A context break.
pub const CAUSE_CONTEXT: u8 = 1;
/// Friction.
pub const CAUSE_FRICTION: u8 = 2;

/// No name (an empty or absent column).
pub const NONE: u32 = u32::MAX;

/// One event, resolved: names are indices into the journey (or [`NONE`]).
#[derive(Copy, Clone, Debug)]
pub struct Event {
    /// Milliseconds since 1970.
    pub time: i64,
    /// The row's line in the file (1 is the header in CSV).
    pub line: u32,
    /// The touchpoint (visit, pain, end), or [`NONE`].
    pub tp: u32,
    /// The trigger (message) or the ending ([`crate::sim::tally::ending`], end), or [`NONE`].
    pub what: u32,
    /// The option (index into [`Log::options`]; 0: none), for visits.
    pub option: u16,
    /// The pain's cause.
    pub cause: u8,
    /// The kind.
    pub kind: Kind,
    /// The `cycle` column, or 0.
    pub cycle: u32,
}

/// A customer's rows, as read.
#[derive(Clone, Debug, Default)]
pub struct Customer {
    /// Their id.
    pub id: String,
    /// Their segment, if the log says.
    pub segment: Option<usize>,
    /// Their events, in file order until [`Customer::sort`].
    pub events: Vec<Event>,
}

impl Customer {
    /// Sorts the events by time, ties in file order.
    pub fn sort(&mut self) {
        self.events.sort_by_key(|e| (e.time, e.line));
    }
}

/// A name the journey lacks, as the log used it (J0601).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    /// `touchpoint`, `segment`, `trigger` or `option`.
    pub column: &'static str,
    /// The name.
    pub name: String,
    /// Rows naming it.
    pub rows: u64,
    /// The first row's line.
    pub line: u64,
}

/// How to read a log.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// The format (else by the file's extension).
    pub format: Option<Format>,
    /// `--columns customer=case_id,…`: the log's own name of each column.
    pub columns: Vec<(String, String)>,
    /// `--map FILE.csv`: raw activity name → touchpoint name.
    pub map: Option<HashMap<String, String>>,
    /// The rows are grouped by customer: close each customer when the next starts.
    pub grouped: bool,
}

/// A bad log: what is wrong, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct LogError(pub String);

/// What a pass over a log found besides the customers.
#[derive(Clone, Debug, Default)]
pub struct Log {
    /// Rows read (the header not counted).
    pub rows: u64,
    /// The columns the log has (by their §5 names).
    pub has: Has,
    /// Names of the options seen; index 0 is "no option".
    pub options: Vec<String>,
    /// Names the journey lacks, by column and name, in order of first appearance.
    pub unknown: Vec<Unknown>,
    /// With `--map`: raw activity names the map lacks (rows, first line).
    pub unmapped: Vec<Unknown>,
    /// Customers read.
    pub customers: u64,
}

/// Which optional columns a log has.
#[derive(Copy, Clone, Debug, Default)]
pub struct Has {
    /// `event`.
    pub event: bool,
    /// `segment`.
    pub segment: bool,
    /// `cause`.
    pub cause: bool,
    /// `option`.
    pub option: bool,
    /// `cycle`.
    pub cycle: bool,
    /// Some row is an `end`.
    pub ends: bool,
}

/// Column positions in a row.
#[derive(Clone, Debug, Default)]
pub(super) struct Layout {
    pub customer: usize,
    pub time: usize,
    pub event: Option<usize>,
    pub touchpoint: Option<usize>,
    pub segment: Option<usize>,
    pub cause: Option<usize>,
    pub trigger: Option<usize>,
    pub outcome: Option<usize>,
    pub option: Option<usize>,
    pub cycle: Option<usize>,
}

/// The process-mining names of the columns (XES attributes as exported by PM4Py, Celonis…).
const PROCESS_MINING: [(&str, &str); 3] = [
    ("case:concept:name", "customer"),
    ("concept:name", "touchpoint"),
    ("time:timestamp", "time"),
];

impl Layout {
    /// Finds the columns in a header.
    pub(super) fn new(header: &[String], o: &ReadOptions) -> Result<Layout, LogError> {
        let find = |name: &str| -> Option<usize> {
            let own = o
                .columns
                .iter()
                .find(|(canonical, _)| canonical == name)
                .map(|(_, raw)| raw.as_str());
            if let Some(raw) = own {
                return header.iter().position(|h| h == raw);
            }
            header.iter().position(|h| h == name).or_else(|| {
                PROCESS_MINING
                    .iter()
                    .filter(|(_, c)| *c == name)
                    .find_map(|(pm, _)| header.iter().position(|h| h == pm))
            })
        };
        for (canonical, raw) in &o.columns {
            if !super::COLUMNS.contains(&canonical.as_str()) {
                return Err(LogError(format!(
                    "--columns names `{canonical}`, which is not a column of an event log \
                     (those are: {})",
                    super::COLUMNS.join(", ")
                )));
            }
            if !header.iter().any(|h| h == raw) {
                return Err(LogError(format!(
                    "--columns maps `{canonical}` to `{raw}`, but the log has no column `{raw}` \
                     (it has: {})",
                    header.join(", ")
                )));
            }
        }
        let required = |name: &str| {
            find(name).ok_or_else(|| {
                LogError(format!(
                    "line 1: the log has no `{name}` column (it has: {}); name it with \
                     --columns {name}=YOUR_COLUMN",
                    header.join(", ")
                ))
            })
        };
        Ok(Layout {
            customer: required("customer")?,
            time: required("time")?,
            event: find("event"),
            touchpoint: find("touchpoint"),
            segment: find("segment"),
            cause: find("cause"),
            trigger: find("trigger"),
            outcome: find("outcome"),
            option: find("option"),
            cycle: find("cycle"),
        })
    }
}

/// A row's fields, borrowed, trimmed, as bytes (valid UTF-8: the readers check it).
#[derive(Default)]
pub(super) struct Fields<'a> {
    pub customer: &'a [u8],
    pub time: TimeField<'a>,
    pub event: &'a [u8],
    pub touchpoint: &'a [u8],
    pub segment: &'a [u8],
    pub cause: &'a [u8],
    pub trigger: &'a [u8],
    pub outcome: &'a [u8],
    pub option: &'a [u8],
    pub cycle: Option<u64>,
    /// The touchpoint and segment, when the reader already resolved them (a Parquet
    /// dictionary's values are looked up once a batch): the same as looking the names up.
    pub known_tp: Option<u32>,
    pub known_segment: Option<u32>,
}

/// A time as the row has it.
#[derive(Default, Clone, Copy)]
pub(super) enum TimeField<'a> {
    #[default]
    Missing,
    Text(&'a [u8]),
    Seconds(f64),
    /// Milliseconds since 1970 (a Parquet timestamp).
    Millis(i64),
}

/// A field's text, for messages and names kept (the readers hand over valid UTF-8).
pub(super) fn text(b: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// Eight bytes of `s` from `at` as a little-endian word: a fixed-size load, no call to
/// `memcpy` (`at + 8 <= s.len()`).
#[inline]
fn word(s: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or([0; 8]))
}

/// Whether two short byte strings are equal, eight bytes at a time (no call to `memcmp`):
/// the last eight bytes overlap the words before them; under eight bytes, byte by byte.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let mut at = 0;
    while at + 8 <= n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// A journey's names (touchpoints, triggers, segments) looked up by a row's bytes: an
/// open-addressing table of at least four entries a name, hashed eight bytes at a time.
#[derive(Clone, Debug, Default)]
struct Names {
    /// Per entry: the name's index + 1 (0: empty).
    table: Vec<u32>,
    names: Vec<(u64, Box<[u8]>)>,
}

impl Names {
    fn new<'n>(names: impl Iterator<Item = &'n str>) -> Names {
        let names: Vec<(u64, Box<[u8]>)> = names
            .map(|n| (Self::hash(n.as_bytes()), n.as_bytes().into()))
            .collect();
        let size = (names.len() * 4).next_power_of_two().max(8);
        let mut table = vec![0u32; size];
        for (i, (h, name)) in names.iter().enumerate() {
            let mut at = *h as usize & (size - 1);
            loop {
                match table[at] {
                    0 => {
                        table[at] = i as u32 + 1;
                        break;
                    }
                    // A name given twice is found at its last index, as a map built in
                    // order finds it (names are unique in a resolved journey anyway).
                    k if *names[k as usize - 1].1 == **name => {
                        table[at] = i as u32 + 1;
                        break;
                    }
                    _ => at = (at + 1) & (size - 1),
                }
            }
        }
        Names { table, names }
    }

    /// A hash of the first and last eight bytes and the length (names that differ only in
    /// between share it, and are told apart by the comparison).
    fn hash(b: &[u8]) -> u64 {
        let n = b.len();
        let (first, last) = match n {
            0..=7 => (b.iter().rev().fold(0u64, |w, &c| w << 8 | u64::from(c)), 0),
            8 => (word(b, 0), 0),
            _ => (word(b, 0), word(b, n - 8)),
        };
        let h = (first ^ last.rotate_left(29) ^ n as u64).wrapping_mul(FnvHasher::K);
        h ^ (h >> 32)
    }

    fn get(&self, b: &[u8]) -> Option<u32> {
        let h = Self::hash(b);
        let mask = self.table.len() - 1;
        let mut at = h as usize & mask;
        loop {
            match self.table[at] {
                0 => return None,
                k => {
                    let (nh, name) = &self.names[k as usize - 1];
                    if *nh == h && same(name, b) {
                        return Some(k - 1);
                    }
                }
            }
            at = (at + 1) & mask;
        }
    }
}

/// A field without the whitespace around it, as `str::trim` cuts it (ASCII whitespace by
/// hand; a field that starts or ends with another byte goes through `str::trim`).
pub(super) fn trim(b: &[u8]) -> &[u8] {
    let plain = |c: u8| c > b' ' && c < 0x80;
    match (b.first(), b.last()) {
        // Most fields: nothing to cut.
        (Some(&first), Some(&last)) if plain(first) && plain(last) => return b,
        (None, _) | (_, None) => return b,
        _ => {}
    }
    let space = |c: &u8| matches!(c, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ');
    let start = b.iter().position(|c| !space(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !space(c)).map_or(start, |i| i + 1);
    let cut = &b[start..end];
    match cut.first().zip(cut.last()) {
        Some((&first, &last)) if first >= 0x80 || last >= 0x80 => match std::str::from_utf8(b) {
            Ok(s) => s.trim().as_bytes(),
            Err(_) => cut,
        },
        _ => cut,
    }
}

/// Where a log's bytes come from.
pub enum Input {
    /// A stream (CSV, JSON Lines; standard input).
    Stream(Box<dyn Read>),
    /// A file (Parquet reads its footer first).
    File(std::fs::File),
}

/// Reads a log and hands each customer, their events in time order, to `each`.
pub fn read(
    journey: &Journey,
    input: Input,
    format: Format,
    o: &ReadOptions,
    each: &mut dyn FnMut(&Customer) -> Result<(), LogError>,
) -> Result<Log, LogError> {
    let mut state = State::new(journey, o);
    let stream = |input: Input| match input {
        Input::Stream(r) => r,
        Input::File(f) => Box::new(std::io::BufReader::with_capacity(1 << 16, f)),
    };
    match (format, input) {
        // The CSV reader has its own buffer: a file is read into it without another copy.
        (Format::Csv, Input::File(f)) => read_csv(Box::new(f), o, &mut state, each)?,
        (Format::Csv, input) => read_csv(stream(input), o, &mut state, each)?,
        (Format::Jsonl, input) => read_jsonl(stream(input), &mut state, each)?,
        (Format::Parquet, Input::File(f)) => super::parquet::read(f, o, &mut state, each)?,
        (Format::Parquet, Input::Stream(_)) => {
            return Err(LogError(
                "a Parquet log must be a file (it is read from its footer), not standard input"
                    .into(),
            ));
        }
    }
    state.finish(each)
}

fn read_csv(
    input: Box<dyn Read>,
    o: &ReadOptions,
    state: &mut State<'_>,
    each: &mut dyn FnMut(&Customer) -> Result<(), LogError>,
) -> Result<(), LogError> {
    let mut rows = super::csv_rows::Rows::new(input);
    let io = |e: std::io::Error| LogError(format!("could not read the log: {e}"));
    let header: Vec<String> = match rows.next().map_err(io)? {
        None => Vec::new(),
        Some(h) => {
            let mut names = Vec::with_capacity(h.len());
            for (i, field) in h.iter().enumerate() {
                match std::str::from_utf8(field) {
                    Ok(name) => names.push(name.trim().to_string()),
                    Err(e) => {
                        return Err(LogError(format!(
                            "line {}: not a CSV log: column {} of the header is not UTF-8 \
                             (invalid byte at {})",
                            h.line,
                            i + 1,
                            e.valid_up_to()
                        )));
                    }
                }
            }
            names
        }
    };
    if header.iter().all(String::is_empty) {
        return Err(LogError("the log is empty: no header line, no rows".into()));
    }
    let layout = Layout::new(&header, o)?;
    state.has = Has {
        event: layout.event.is_some(),
        segment: layout.segment.is_some(),
        cause: layout.cause.is_some(),
        option: layout.option.is_some(),
        cycle: layout.cycle.is_some(),
        ends: false,
    };
    while let Some(record) = rows.next().map_err(io)? {
        let line = record.line;
        if record.len() != header.len() {
            return Err(LogError(format!(
                "line {line}: not a CSV log: this row has {} fields, the header {} (a row \
                 has one field per column; a field holding a comma is quoted)",
                record.len(),
                header.len()
            )));
        }
        // A record of printable ASCII only (most): valid UTF-8, and no field to trim.
        let plain = record.printable();
        if !plain && !record.as_slice().is_ascii() {
            for (i, field) in record.iter().enumerate() {
                if let Err(e) = std::str::from_utf8(field) {
                    return Err(LogError(format!(
                        "line {line}: not a CSV log: field {} is not UTF-8 (invalid byte at \
                         {} of the field)",
                        i + 1,
                        e.valid_up_to()
                    )));
                }
            }
        }
        let get = |i: Option<usize>| {
            let field = i.and_then(|i| record.get(i)).unwrap_or(b"");
            match plain {
                true => field,
                false => trim(field),
            }
        };
        let cycle = match get(layout.cycle) {
            b"" => None,
            c => Some(cycle_number(c).ok_or_else(|| {
                LogError(format!(
                    "line {line}, column `cycle`: `{}` is not a cycle number (1, 2, …)",
                    text(c)
                ))
            })?),
        };
        let time = match get(Some(layout.time)) {
            b"" => TimeField::Missing,
            t => TimeField::Text(t),
        };
        let f = Fields {
            customer: get(Some(layout.customer)),
            time,
            event: get(layout.event),
            touchpoint: get(layout.touchpoint),
            segment: get(layout.segment),
            cause: get(layout.cause),
            trigger: get(layout.trigger),
            outcome: get(layout.outcome),
            option: get(layout.option),
            cycle,
            known_tp: None,
            known_segment: None,
        };
        state.row(line, &f, each)?;
    }
    if state.log.rows == 0 {
        return Err(LogError("the log is empty: a header and no rows".into()));
    }
    Ok(())
}

/// A cycle number as `u64::from_str` reads it: up to 19 digits (every one fits) without
/// making a `str` first, anything else through `from_str`.
fn cycle_number(c: &[u8]) -> Option<u64> {
    if c.is_empty() || c.len() > 19 || !c.iter().all(u8::is_ascii_digit) {
        return std::str::from_utf8(c).ok()?.parse().ok();
    }
    Some(c.iter().fold(0, |n, d| n * 10 + u64::from(d - b'0')))
}

fn read_jsonl(
    input: Box<dyn Read>,
    state: &mut State<'_>,
    each: &mut dyn FnMut(&Customer) -> Result<(), LogError>,
) -> Result<(), LogError> {
    let reader = std::io::BufReader::with_capacity(1 << 16, input);
    let o = state.options;
    let name_of = |canonical: &str| -> Vec<String> {
        match o.columns.iter().find(|(c, _)| c == canonical) {
            Some((_, raw)) => vec![raw.clone()],
            None => {
                let mut v = vec![canonical.to_string()];
                for (pm, c) in PROCESS_MINING {
                    if c == canonical {
                        v.push(pm.to_string());
                    }
                }
                v
            }
        }
    };
    let keys: Vec<Vec<String>> = super::COLUMNS.iter().map(|c| name_of(c)).collect();
    let mut seen = [false; 10];
    for (n, text) in reader.lines().enumerate() {
        let line = n as u64 + 1;
        let text = text.map_err(|e| LogError(format!("line {line}: cannot read the log: {e}")))?;
        if text.trim().is_empty() {
            continue;
        }
        let value: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
            .map_err(|e| {
                LogError(format!(
                    "line {line}, column {}: not a JSON object: {e}",
                    e.column()
                ))
            })?;
        let field = |k: usize| keys[k].iter().find_map(|name| value.get(name));
        let text_of = |k: usize| -> Result<&str, LogError> {
            match field(k) {
                None | Some(serde_json::Value::Null) => Ok(""),
                Some(serde_json::Value::String(s)) => Ok(s.trim()),
                Some(other) => Err(LogError(format!(
                    "line {line}, field `{}`: {other} is not a string",
                    super::COLUMNS[k]
                ))),
            }
        };
        for (k, s) in seen.iter_mut().enumerate() {
            *s |= field(k).is_some();
        }
        let owned_customer;
        let customer = match field(0) {
            Some(serde_json::Value::Number(n)) => {
                owned_customer = n.to_string();
                owned_customer.as_str()
            }
            _ => text_of(0)?,
        };
        let time = match field(1) {
            None | Some(serde_json::Value::Null) => TimeField::Missing,
            Some(serde_json::Value::String(s)) => TimeField::Text(s.trim().as_bytes()),
            Some(serde_json::Value::Number(n)) => {
                TimeField::Seconds(n.as_f64().unwrap_or(f64::NAN))
            }
            Some(other) => {
                return Err(LogError(format!(
                    "line {line}, field `time`: {other} is not a timestamp"
                )));
            }
        };
        let cycle = match field(9) {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| {
                LogError(format!(
                    "line {line}, field `cycle`: {v} is not a cycle number (1, 2, …)"
                ))
            })?),
        };
        let f = Fields {
            customer: customer.as_bytes(),
            time,
            event: text_of(2)?.as_bytes(),
            touchpoint: text_of(3)?.as_bytes(),
            segment: text_of(4)?.as_bytes(),
            cause: text_of(5)?.as_bytes(),
            trigger: text_of(6)?.as_bytes(),
            outcome: text_of(7)?.as_bytes(),
            option: text_of(8)?.as_bytes(),
            cycle,
            known_tp: None,
            known_segment: None,
        };
        state.has = Has {
            event: seen[2],
            segment: seen[4],
            cause: seen[5],
            option: seen[8],
            cycle: seen[9],
            ends: state.has.ends,
        };
        state.row(line, &f, each)?;
    }
    if state.log.rows == 0 {
        return Err(LogError("the log is empty: no rows".into()));
    }
    Ok(())
}

/// The pass's state: open customers, names looked up, what was found.
pub(super) struct State<'a> {
    journey: &'a Journey,
    options: &'a ReadOptions,
    pub has: Has,
    pub log: Log,
    /// The default mode's open customers.
    store: Store,
    /// The last row's customer and slot: consecutive rows of one customer skip the lookup.
    last_id: Vec<u8>,
    last_slot: Option<usize>,
    /// The last time parsed, as written and in milliseconds.
    last_time: Vec<u8>,
    last_ms: Option<i64>,
    /// The last date parsed (the hand parser reads only the time of the same date).
    day: super::rfc3339::Day,
    /// The last row's segment, as written and found (a customer's rows repeat it).
    last_segment: Vec<u8>,
    last_segment_id: Option<u32>,
    /// In grouped mode: the customer being read.
    open: Vec<Customer>,
    /// A closed customer's record, kept for its buffers.
    spare: Customer,
    /// In grouped mode: the customers opened so far (their ids' hashes), checked for one
    /// whose rows start again once the file ends.
    closed: Closed,
    /// Name lookups.
    touchpoints: Names,
    triggers: Names,
    segments: Names,
    /// Per touchpoint: the names of its options (`as_is` is always one).
    choices: Vec<Vec<Box<[u8]>>>,
    unknown: HashMap<(&'static str, String), usize>,
    unmapped: HashMap<String, usize>,
}

impl<'a> State<'a> {
    fn new(journey: &'a Journey, options: &'a ReadOptions) -> Self {
        let key = |s: &str| -> Box<[u8]> { s.as_bytes().into() };
        State {
            journey,
            options,
            has: Has::default(),
            log: Log {
                options: vec![String::new()],
                ..Log::default()
            },
            store: Store::default(),
            last_id: Vec::new(),
            last_slot: None,
            last_time: Vec::new(),
            last_ms: None,
            day: Default::default(),
            last_segment: Vec::new(),
            last_segment_id: None,
            open: Vec::new(),
            spare: Customer::default(),
            closed: Closed::default(),
            touchpoints: Names::new(journey.touchpoints.iter().map(|t| t.name.as_str())),
            triggers: Names::new(journey.triggers.iter().map(|t| t.name.as_str())),
            segments: Names::new(journey.segments.iter().map(|s| s.name.as_str())),
            choices: journey
                .touchpoints
                .iter()
                .map(|t| t.choices.iter().map(|c| key(&c.name)).collect())
                .collect(),
            unknown: HashMap::new(),
            unmapped: HashMap::new(),
        }
    }

    /// The touchpoint a name is, where looking it up has no side effect (no `--map`, a
    /// name the journey has): for readers that resolve a name once for many rows.
    pub(super) fn known_touchpoint(&self, name: &[u8]) -> Option<u32> {
        match self.options.map {
            None => self.touchpoints.get(name),
            Some(_) => None,
        }
    }

    /// The segment a name is, if the journey has it.
    pub(super) fn known_segment(&self, name: &[u8]) -> Option<u32> {
        self.segments.get(name)
    }

    /// The segment a row names, if the journey has it: the last row's when the text is the
    /// same.
    fn segment(&mut self, s: &[u8]) -> Option<u32> {
        if self.last_segment_id.is_some() && same(&self.last_segment, s) {
            return self.last_segment_id;
        }
        let found = self.segments.get(s);
        if found.is_some() {
            self.last_segment.clear();
            self.last_segment.extend_from_slice(s);
            self.last_segment_id = found;
        }
        found
    }

    /// Notes a name the journey lacks.
    fn unknown(&mut self, column: &'static str, name: &str, line: u64) {
        let key = (column, name.to_string());
        match self.unknown.get(&key) {
            Some(&i) => self.log.unknown[i].rows += 1,
            None => {
                self.unknown.insert(key, self.log.unknown.len());
                self.log.unknown.push(Unknown {
                    column,
                    name: name.to_string(),
                    rows: 1,
                    line,
                });
            }
        }
    }

    /// The touchpoint a row names (through `--map` when given), or [`NONE`] (noted).
    fn touchpoint(&mut self, raw: &[u8], line: u64) -> u32 {
        let Some(map) = &self.options.map else {
            return match self.touchpoints.get(raw) {
                Some(i) => i,
                None => {
                    self.unknown("touchpoint", &text(raw), line);
                    NONE
                }
            };
        };
        let raw = text(raw);
        match map.get(raw.as_ref()) {
            Some(tp) => match self.touchpoints.get(tp.as_bytes()) {
                Some(i) => i,
                None => {
                    let name = tp.clone();
                    self.unknown("touchpoint", &name, line);
                    NONE
                }
            },
            None => {
                match self.unmapped.get(raw.as_ref()) {
                    Some(&i) => self.log.unmapped[i].rows += 1,
                    None => {
                        self.unmapped
                            .insert(raw.to_string(), self.log.unmapped.len());
                        self.log.unmapped.push(Unknown {
                            column: "touchpoint",
                            name: raw.to_string(),
                            rows: 1,
                            line,
                        });
                    }
                }
                NONE
            }
        }
    }

    /// The time of a row in milliseconds.
    fn time(&mut self, t: &TimeField<'_>, at: &dyn Fn(&str) -> String) -> Result<i64, LogError> {
        Ok(match *t {
            TimeField::Missing => {
                return Err(LogError(format!("{}: the time is missing", at("time"))));
            }
            // Consecutive rows often share a time (a visit and its pain points).
            TimeField::Text(t) if self.last_ms.is_some() && same(&self.last_time, t) => {
                self.last_ms.unwrap_or_default()
            }
            TimeField::Text(t) => {
                let ms = match super::rfc3339::parse_cached(t, &mut self.day) {
                    Some(ms) => ms,
                    None => parse_time(&text(t))
                        .map_err(|e| LogError(format!("{}: {e}", at("time"))))?,
                };
                self.last_time.clear();
                self.last_time.extend_from_slice(t);
                self.last_ms = Some(ms);
                ms
            }
            TimeField::Seconds(s) => seconds(s).ok_or_else(|| {
                LogError(format!(
                    "{}: {s} is not a usable time in seconds",
                    at("time")
                ))
            })?,
            TimeField::Millis(ms) => ms,
        })
    }

    pub(super) fn row(
        &mut self,
        line: u64,
        f: &Fields<'_>,
        each: &mut dyn FnMut(&Customer) -> Result<(), LogError>,
    ) -> Result<(), LogError> {
        self.log.rows += 1;
        if !self.options.grouped && self.log.rows % WINDOW == 0 && self.store.interleaved(WINDOW) {
            self.merge_runs(true)?;
            // The last row's run may now be part of an earlier one.
            self.last_slot = self.store.find(&self.last_id);
        }
        let at = |column: &str| format!("line {line}, column `{column}`");
        if f.customer.is_empty() {
            return Err(LogError(format!(
                "{}: the customer is missing",
                at("customer")
            )));
        }
        let time = self.time(&f.time, &at)?;
        let kind = match f.event {
            b"" | b"visit" => Kind::Visit,
            b"pain" => Kind::Pain,
            b"message" => Kind::Message,
            b"end" => Kind::End,
            other => {
                return Err(LogError(format!(
                    "{}: unknown event kind `{}` (the kinds are visit, pain, message and end)",
                    at("event"),
                    text(other)
                )));
            }
        };
        let mut ev = Event {
            time,
            line: line.min(u32::MAX as u64) as u32,
            tp: NONE,
            what: NONE,
            option: 0,
            cause: CAUSE_NONE,
            kind,
            cycle: f.cycle.map_or(0, |c| c.min(u32::MAX as u64) as u32),
        };
        if f.cycle == Some(0) {
            return Err(LogError(format!(
                "{}: cycles are numbered from 1",
                at("cycle")
            )));
        }
        let mut skip = false;
        match kind {
            Kind::Visit | Kind::Pain | Kind::End => {
                if f.touchpoint.is_empty() {
                    return Err(LogError(format!(
                        "{}: a `{}` row needs its touchpoint",
                        at("touchpoint"),
                        text(f.event).if_empty("visit")
                    )));
                }
                ev.tp = match f.known_tp {
                    Some(tp) => tp,
                    None => self.touchpoint(f.touchpoint, line),
                };
                skip |= ev.tp == NONE;
            }
            Kind::Message => {
                if f.trigger.is_empty() {
                    return Err(LogError(format!(
                        "{}: a `message` row needs its trigger",
                        at("trigger")
                    )));
                }
                match self.triggers.get(f.trigger) {
                    Some(x) => ev.what = x,
                    None => {
                        self.unknown("trigger", &text(f.trigger), line);
                        skip = true;
                    }
                }
            }
        }
        match kind {
            Kind::End => {
                self.has.ends = true;
                ev.what = match f.outcome {
                    b"abandoned" => 0,
                    b"left" => 1,
                    b"completed" => 2,
                    b"timed_out" => 3,
                    b"stuck" => 4,
                    b"" => {
                        return Err(LogError(format!(
                            "{}: an `end` row needs its outcome (abandoned, left, completed, \
                             timed_out or stuck)",
                            at("outcome")
                        )));
                    }
                    other => {
                        return Err(LogError(format!(
                            "{}: unknown outcome `{}` (abandoned, left, completed, \
                             timed_out or stuck)",
                            at("outcome"),
                            text(other)
                        )));
                    }
                };
            }
            Kind::Pain => {
                ev.cause = match f.cause {
                    b"" => CAUSE_NONE,
                    b"context" => CAUSE_CONTEXT,
                    b"friction" => CAUSE_FRICTION,
                    other => {
                        return Err(LogError(format!(
                            "{}: unknown cause `{}` (context or friction)",
                            at("cause"),
                            text(other)
                        )));
                    }
                }
            }
            Kind::Visit if !f.option.is_empty() => {
                let opt = match self
                    .log
                    .options
                    .iter()
                    .position(|o| o.as_bytes() == f.option)
                {
                    Some(i) => i,
                    None => {
                        self.log.options.push(text(f.option).into_owned());
                        self.log.options.len() - 1
                    }
                };
                if opt > u16::MAX as usize {
                    return Err(LogError(format!(
                        "{}: too many distinct options",
                        at("option")
                    )));
                }
                ev.option = opt as u16;
                // `as_is` is always an option (the touchpoint as written); any other name
                // must be an option of the visited touchpoint (LANGUAGE-2.md §4).
                if f.option != b"as_is" && !skip {
                    let declared = self
                        .choices
                        .get(ev.tp as usize)
                        .is_some_and(|c| c.iter().any(|c| **c == *f.option));
                    if !declared {
                        self.unknown("option", &text(f.option), line);
                        skip = true;
                    }
                }
            }
            _ => {}
        }
        let segment = match f.segment {
            b"" => None,
            s => match f.known_segment.or_else(|| self.segment(s)) {
                Some(i) => Some(i as usize),
                None => {
                    self.unknown("segment", &text(s), line);
                    return Ok(());
                }
            },
        };
        // The customer's record.
        let grouped = self.options.grouped;
        let from_last = self.last_slot.is_some() && same(&self.last_id, f.customer);
        let known = match from_last {
            true => self.last_slot,
            // Grouped: the only open customer is the last row's.
            false if grouped => None,
            false => self.store.find(f.customer),
        };
        let slot = match known {
            Some(i) => i,
            None if grouped => {
                if let Some(mut prev) = self.open.pop() {
                    self.close(&mut prev, each)?;
                    self.spare = prev;
                }
                self.closed.add(hash(f.customer), line);
                let mut c = std::mem::take(&mut self.spare);
                c.id.clear();
                c.id.push_str(&text(f.customer));
                c.segment = None;
                c.events.clear();
                self.open.push(c);
                0
            }
            None => self.store.insert(f.customer)?,
        };
        if !from_last {
            self.last_id.clear();
            self.last_id.extend_from_slice(f.customer);
        }
        self.last_slot = Some(slot);
        let current = match grouped {
            true => self.open[slot].segment,
            false => {
                let s = self.store.customers[slot].segment;
                (s != NONE).then_some(s as usize)
            }
        };
        if let Some(s) = segment {
            match current {
                None if grouped => self.open[slot].segment = Some(s),
                None => {
                    let c = &mut self.store.customers[slot];
                    c.segment = s.min(NONE as usize - 1) as u32;
                    c.segment_line = line.min(u32::MAX as u64) as u32;
                }
                Some(prev) if prev != s => {
                    return Err(LogError(format!(
                        "{}: customer `{}` is in segment `{}` here and `{}` on an earlier row: \
                         a customer keeps one segment",
                        at("segment"),
                        text(f.customer),
                        self.journey.segments[s].name,
                        self.journey.segments[prev].name
                    )));
                }
                _ => {}
            }
        }
        if !skip {
            match grouped {
                true => self.open[slot].events.push(ev),
                false => self.store.push(slot, &ev)?,
            }
        }
        Ok(())
    }

    /// The default mode's runs of one customer made one (see [`Store::merge`]), or the
    /// error of the first row, in file order, whose segment is not its customer's.
    fn merge_runs(&mut self, lookup: bool) -> Result<(), LogError> {
        match self.store.merge(lookup) {
            None => Ok(()),
            Some(d) => Err(LogError(format!(
                "line {}, column `segment`: customer `{}` is in segment `{}` here and `{}` on \
                 an earlier row: a customer keeps one segment",
                d.line,
                text(self.store.id(d.slot)),
                self.journey.segments[d.here as usize].name,
                self.journey.segments[d.before as usize].name
            ))),
        }
    }

    fn close(
        &mut self,
        c: &mut Customer,
        each: &mut dyn FnMut(&Customer) -> Result<(), LogError>,
    ) -> Result<(), LogError> {
        self.log.customers += 1;
        c.sort();
        each(c)
    }

    fn finish(
        mut self,
        each: &mut dyn FnMut(&Customer) -> Result<(), LogError>,
    ) -> Result<Log, LogError> {
        if let Some((line, first)) = self.closed.repeated() {
            return Err(LogError(format!(
                "line {line}: this row's customer has rows from line {first} on, with other \
                 customers' rows between: the log is not grouped by customer (drop --grouped)"
            )));
        }
        // Grouped: the last customer; else every customer, in order of their first row.
        let open = std::mem::take(&mut self.open);
        for mut c in open {
            self.close(&mut c, each)?;
        }
        self.merge_runs(false)?;
        let store = std::mem::take(&mut self.store);
        let mut c = std::mem::take(&mut self.spare);
        for slot in 0..store.customers.len() {
            if store.customers[slot].merged {
                continue;
            }
            store.take(slot, &mut c);
            self.close(&mut c, each)?;
        }
        self.log.has = self.has;
        Ok(self.log)
    }
}

trait IfEmpty {
    fn if_empty<'a>(&'a self, other: &'a str) -> &'a str;
}

impl IfEmpty for std::borrow::Cow<'_, str> {
    fn if_empty<'a>(&'a self, other: &'a str) -> &'a str {
        if self.is_empty() { other } else { self }
    }
}

/// A word-at-a-time multiplicative hash (FxHash's step, eight bytes per multiply): names and
/// ids are short, and the log is read by journeyc's own user (no adversary choosing keys to
/// collide, which SipHash, the default, guards against at several times the cost).
#[derive(Default, Clone, Copy)]
struct FnvHasher(u64);

impl FnvHasher {
    const K: u64 = 0xf135_7aea_2e62_a9c5;

    fn mix(&mut self, w: u64) {
        self.0 = (self.0 ^ w).wrapping_mul(Self::K).rotate_left(26);
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        // The multiplies leave their best bits high; the table indexes with the low ones.
        let h = self.0.wrapping_mul(Self::K);
        h ^ (h >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }
}

type Fnv = std::hash::BuildHasherDefault<FnvHasher>;

/// Grouped mode's customers opened so far: each id's hash with the line of its first row (for
/// the default mode's runs: with the run's slot), in 256 partitions by the hash's top byte.
/// A customer whose rows start again after other
/// customers' is found once the file ends, partition by partition, rather than by one table
/// probe per customer as it opens: past a few hundred thousand customers such a table
/// outgrows the cache and each probe is a miss (a sixth of `fit --grouped`'s pass on a
/// million customers), while appending to a partition is sequential and a partition's own
/// table fits the cache. 16 bytes a customer either way.
#[derive(Default)]
struct Closed(Vec<Vec<(u64, u64)>>);

impl Closed {
    fn add(&mut self, hash: u64, line: u64) {
        if self.0.is_empty() {
            self.0 = vec![Vec::new(); 256];
        }
        self.0[(hash >> 56) as usize].push((hash, line));
    }

    /// The first line, in file order, whose customer was opened before (a customer is
    /// opened once per run of their rows), and the line of that customer's first row.
    fn repeated(&self) -> Option<(u64, u64)> {
        let mut found: Option<(u64, u64)> = None;
        let mut seen: HashMap<u64, u64, Fnv> = HashMap::default();
        for part in &self.0 {
            seen.clear();
            seen.reserve(part.len());
            // In file order within a partition: the first repeat is its earliest.
            for &(h, line) in part {
                if let Some(&first) = seen.get(&h) {
                    if found.is_none_or(|(l, _)| line < l) {
                        found = Some((line, first));
                    }
                    break;
                }
                seen.insert(h, line);
            }
        }
        found
    }
}

/// A 64-bit hash of a customer id (grouped mode remembers only these): [`FnvHasher`]'s
/// words, the length, and MurmurHash3's finaliser, so that every bit (the partition is the
/// top byte) depends on every byte. Ids of up to eight bytes never collide (each step is a
/// bijection of the word); longer ones with chance about 2⁻⁶⁴ a pair. An id chosen to
/// collide with another would make a grouped log look ungrouped — an error that names both
/// lines, never a wrong count.
fn hash(s: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = FnvHasher::default();
    h.write(s);
    h.mix(s.len() as u64);
    let mut x = h.0;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// Seconds since 1970 as milliseconds.
fn seconds(s: f64) -> Option<i64> {
    let ms = (s * 1000.0).round();
    (ms.is_finite() && ms.abs() < 2.5e17).then_some(ms as i64)
}

/// A time cell: RFC 3339, or seconds since 1970 as a number.
pub fn parse_time(t: &str) -> Result<i64, String> {
    // The layout writers use, by hand (jiff's answer where it answers); the rest by jiff.
    if let Some(ms) = super::rfc3339::parse_fixed(t.as_bytes()) {
        return Ok(ms);
    }
    // A number of seconds has no `-` after its first character (an RFC 3339 date has).
    if !t.get(1..).is_some_and(|rest| rest.contains('-'))
        && let Ok(s) = t.parse::<f64>()
    {
        return seconds(s).ok_or_else(|| format!("{t} is not a usable time in seconds"));
    }
    let ts: jiff::Timestamp = t.parse().map_err(|e| {
        format!("`{t}` is not a time: write RFC 3339 (2026-01-01T09:30:00Z) or seconds ({e})")
    })?;
    Ok(ts.as_millisecond())
}

/// Reads a `--map FILE.csv` (columns `activity,touchpoint`, header line): raw activity name
/// → touchpoint name; several activities may map to one touchpoint.
pub fn read_map(input: impl Read, shown: &str) -> Result<HashMap<String, String>, LogError> {
    let mut r = csv::ReaderBuilder::new().from_reader(input);
    let bad = |e: csv::Error| {
        let at = e
            .position()
            .map_or(String::new(), |p| format!(", line {}", p.line()));
        LogError(format!("{shown}{at}: not a CSV map: {e}"))
    };
    let header: Vec<String> = r
        .headers()
        .map_err(bad)?
        .iter()
        .map(str::to_string)
        .collect();
    let col = |name: &str| {
        header.iter().position(|h| h.trim() == name).ok_or_else(|| {
            LogError(format!(
                "{shown}, line 1: a map needs the columns `activity` and `touchpoint` (it has: {})",
                header.join(", ")
            ))
        })
    };
    let (a, t) = (col("activity")?, col("touchpoint")?);
    let mut map = HashMap::new();
    for rec in r.records() {
        let rec = rec.map_err(bad)?;
        let line = rec.position().map_or(0, |p| p.line());
        let (Some(act), Some(tp)) = (rec.get(a), rec.get(t)) else {
            continue;
        };
        if let Some(prev) = map.insert(act.trim().to_string(), tp.trim().to_string())
            && prev != tp.trim()
        {
            return Err(LogError(format!(
                "{shown}, line {line}: activity `{}` is mapped to `{prev}` and to `{}`",
                act.trim(),
                tp.trim()
            )));
        }
    }
    Ok(map)
}

/// Opens a log: a path, or `-` for standard input.
pub fn open(path: &std::path::Path) -> Result<Input, LogError> {
    if path.as_os_str() == "-" {
        return Ok(Input::Stream(Box::new(std::io::stdin())));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| LogError(format!("cannot read `{}`: {e}", path.display())))?;
    Ok(Input::File(file))
}

/// The customers of the default mode, open until the file ends, without an allocation per
/// customer or per event: ids in one arena found through an open-addressing table, events
/// in chunks, each customer's chained in file order (32 bytes an event, about 30 a customer
/// plus their id).
#[derive(Default)]
struct Store {
    /// Every id, one after the other.
    ids: Vec<u8>,
    customers: Vec<Open>,
    /// Per entry: the id's hash (high 32 bits) and slot + 1 (low 32 bits); 0 is empty.
    table: Vec<u64>,
    chunks: Vec<Vec<Stored>>,
    events: u64,
    /// Whether ids are looked up as rows come ([`Store::find`]); until then each run of a
    /// customer's consecutive rows has a slot of its own, and `runs` finds, once, the slots
    /// that are one customer.
    lookup: bool,
    runs: Closed,
    /// Slots opened when the current window of rows started.
    window: usize,
}

/// An open customer of the default mode (before ids are looked up: a run of their rows).
#[derive(Clone, Copy)]
struct Open {
    /// Their id: `ids[id..id + len]`.
    id: usize,
    len: u32,
    /// Their segment ([`NONE`]: not said) and the line it was first said on.
    segment: u32,
    segment_line: u32,
    /// Their first and last events ([`NONE`]: none yet).
    head: u32,
    tail: u32,
    /// A later run of another slot's customer, its events now that slot's.
    merged: bool,
}

/// Two runs of one customer that disagree on the segment: the line the later one says it
/// on, the later run's slot, its segment and the earlier one's.
struct Disagree {
    line: u32,
    slot: usize,
    here: u32,
    before: u32,
}

/// An event in the store, with the next of its customer ([`NONE`]: the last).
#[derive(Clone, Copy)]
struct Stored {
    time: i64,
    line: u32,
    tp: u32,
    what: u32,
    cycle: u32,
    option: u16,
    cause: u8,
    kind: Kind,
    next: u32,
}

const CHUNK: usize = 1 << 16;

/// Rows between two looks at whether the default mode should look ids up
/// ([`Store::interleaved`]).
const WINDOW: u64 = 1 << 16;

impl Store {
    fn hash(id: &[u8]) -> u64 {
        use std::hash::Hasher;
        let mut h = FnvHasher::default();
        h.write(id);
        h.finish()
    }

    /// The slot of the customer with this id, if open.
    fn find(&self, id: &[u8]) -> Option<usize> {
        if self.table.is_empty() {
            return None;
        }
        let h = Self::hash(id);
        let mask = self.table.len() - 1;
        let mut at = h as usize & mask;
        loop {
            let e = self.table[at];
            if e == 0 {
                return None;
            }
            if e >> 32 == h >> 32 {
                let slot = (e & 0xffff_ffff) as usize - 1;
                let c = &self.customers[slot];
                if same(&self.ids[c.id..c.id + c.len as usize], id) {
                    return Some(slot);
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// Opens a customer (not open yet): their slot.
    fn insert(&mut self, id: &[u8]) -> Result<usize, LogError> {
        let slot = self.customers.len();
        if slot >= u32::MAX as usize - 1 || id.len() > u32::MAX as usize {
            return Err(LogError(
                "more than 4 billion customers (or an id of more than 4 GB) in one log: read \
                 it with --grouped"
                    .into(),
            ));
        }
        if (slot + 1) * 8 > self.table.len() * 7 {
            self.grow();
        }
        self.customers.push(Open {
            id: self.ids.len(),
            len: id.len() as u32,
            segment: NONE,
            segment_line: 0,
            head: NONE,
            tail: NONE,
            merged: false,
        });
        self.ids.extend_from_slice(id);
        match self.lookup {
            true => self.place(Self::hash(id), slot),
            false => self.runs.add(hash(id), slot as u64),
        }
        Ok(slot)
    }

    fn id(&self, slot: usize) -> &[u8] {
        let c = &self.customers[slot];
        &self.ids[c.id..c.id + c.len as usize]
    }

    /// Whether ids should be looked up from now on: more than half the rows since the last
    /// window started opened a slot (the log's customers interleave, as in a time-sorted
    /// log, and a slot per run would cost more memory than a table of customers).
    fn interleaved(&mut self, rows: u64) -> bool {
        let runs = self.customers.len() - self.window;
        self.window = self.customers.len();
        !self.lookup && runs as u64 * 2 > rows
    }

    /// Makes the runs of each customer one (the later runs' events follow the first's, in
    /// file order); with `lookup`, then looks ids up from now on. Runs of one customer
    /// share a partition, their slots in file order: each partition is gone through with a
    /// table of its own, which fits the cache. Returns the first disagreement on a segment
    /// in file order, if any (the runs are then left as they are).
    fn merge(&mut self, lookup: bool) -> Option<Disagree> {
        let runs = std::mem::take(&mut self.runs);
        let mut first: Option<Disagree> = None;
        let mut seen: HashMap<u64, usize, Fnv> = HashMap::default();
        // Ids whose hash is another id's (not expected, but an id can be made to collide).
        let mut other: HashMap<Box<[u8]>, usize> = HashMap::new();
        let mut pairs = Vec::new();
        for part in &runs.0 {
            seen.clear();
            seen.reserve(part.len());
            other.clear();
            for &(h, slot) in part {
                let slot = slot as usize;
                let owner = match seen.get(&h) {
                    None => {
                        seen.insert(h, slot);
                        continue;
                    }
                    Some(&g) if same(self.id(g), self.id(slot)) => g,
                    Some(_) => match other.get(self.id(slot)) {
                        Some(&g) => g,
                        None => {
                            other.insert(self.id(slot).into(), slot);
                            continue;
                        }
                    },
                };
                pairs.push((owner, slot));
            }
        }
        // Segments first (nothing is changed if two runs disagree), then the events.
        for &(g, r) in &pairs {
            let (before, here) = (self.customers[g].segment, self.customers[r].segment);
            if here == NONE {
                continue;
            }
            if before == NONE {
                self.customers[g].segment = here;
                self.customers[g].segment_line = self.customers[r].segment_line;
            } else if before != here {
                let line = self.customers[r].segment_line;
                if first.as_ref().is_none_or(|d| line < d.line) {
                    first = Some(Disagree {
                        line,
                        slot: r,
                        here,
                        before,
                    });
                }
            }
        }
        if first.is_some() {
            return first;
        }
        for &(g, r) in &pairs {
            let (head, tail) = (self.customers[r].head, self.customers[r].tail);
            if head != NONE {
                match self.customers[g].tail {
                    NONE => self.customers[g].head = head,
                    t => self.chunks[t as usize / CHUNK][t as usize % CHUNK].next = head,
                }
                self.customers[g].tail = tail;
            }
            self.customers[r].merged = true;
        }
        if lookup {
            self.lookup = true;
            let live = self.customers.iter().filter(|c| !c.merged).count();
            let mut size = 1 << 10;
            while live * 8 > size * 7 {
                size *= 2;
            }
            self.rebuild(size);
        } else {
            self.runs = runs;
            self.runs.0.clear();
        }
        None
    }

    fn place(&mut self, h: u64, slot: usize) {
        let mask = self.table.len() - 1;
        let mut at = h as usize & mask;
        while self.table[at] != 0 {
            at = (at + 1) & mask;
        }
        self.table[at] = (h >> 32 << 32) | (slot as u64 + 1);
    }

    fn grow(&mut self) {
        if self.lookup {
            self.rebuild((self.table.len() * 2).max(1 << 10));
        }
    }

    /// A table of `size` entries (a power of two) holding every customer not merged.
    fn rebuild(&mut self, size: usize) {
        self.table = vec![0; size];
        for slot in 0..self.customers.len() {
            if !self.customers[slot].merged {
                self.place(Self::hash(self.id(slot)), slot);
            }
        }
    }

    fn get(&self, n: u32) -> &Stored {
        &self.chunks[n as usize / CHUNK][n as usize % CHUNK]
    }

    /// Adds an event to the customer in `slot`.
    fn push(&mut self, slot: usize, e: &Event) -> Result<(), LogError> {
        let n = self.events;
        if n >= NONE as u64 {
            return Err(LogError(
                "more than 4 billion events in one log: read it with --grouped".into(),
            ));
        }
        if self.chunks.last().is_none_or(|c| c.len() == CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        if let Some(chunk) = self.chunks.last_mut() {
            chunk.push(Stored {
                time: e.time,
                line: e.line,
                tp: e.tp,
                what: e.what,
                cycle: e.cycle,
                option: e.option,
                cause: e.cause,
                kind: e.kind,
                next: NONE,
            });
        }
        self.events += 1;
        let n = n as u32;
        let c = &mut self.customers[slot];
        match c.tail {
            NONE => c.head = n,
            tail => self.chunks[tail as usize / CHUNK][tail as usize % CHUNK].next = n,
        }
        self.customers[slot].tail = n;
        Ok(())
    }

    /// The customer in `slot`, into `c` (its buffers reused).
    fn take(&self, slot: usize, c: &mut Customer) {
        let o = &self.customers[slot];
        c.id.clear();
        c.id.push_str(&text(&self.ids[o.id..o.id + o.len as usize]));
        c.segment = (o.segment != NONE).then_some(o.segment as usize);
        c.events.clear();
        let mut at = o.head;
        while at != NONE {
            let s = self.get(at);
            c.events.push(Event {
                time: s.time,
                line: s.line,
                tp: s.tp,
                what: s.what,
                option: s.option,
                cause: s.cause,
                kind: s.kind,
                cycle: s.cycle,
            });
            at = s.next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_cuts_what_str_trim_cuts() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "\ta\r\n",
            "\u{b}x\u{c}",
            "\u{a0}é\u{a0}",
            "é",
            " é",
            "\u{2003}a",
            "a\u{85}",
            "\u{1}a",
            "a b",
            "  two words  ",
        ] {
            assert_eq!(trim(s.as_bytes()), s.trim().as_bytes(), "{s:?}");
        }
    }

    #[test]
    fn cycle_numbers_are_read_as_from_str_reads_them() {
        let mut texts: Vec<String> = [
            "0",
            "1",
            "42",
            "007",
            "+5",
            "-1",
            "1.0",
            " 1",
            "",
            "18446744073709551615",
            "18446744073709551616",
            "9999999999999999999",
            "99999999999999999999",
            "١",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        texts.extend((0..64).map(|k| (1u64 << k).to_string()));
        for t in &texts {
            assert_eq!(cycle_number(t.as_bytes()), t.parse::<u64>().ok(), "{t:?}");
        }
    }

    #[test]
    fn a_customer_opened_twice_is_found_at_its_first_repeat() {
        // Against the obvious check (a set of the ids opened, probed as each opens), on runs
        // of customers drawn from a few hundred ids, so that hashes share partitions.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for round in 0..200 {
            let ids = 50 + next(400);
            let runs = 1 + next(300);
            let mut closed = Closed::default();
            let mut first: HashMap<u64, u64> = HashMap::new();
            let mut want = None;
            let mut line = 2;
            for _ in 0..runs {
                let id = format!("c{}", next(ids));
                let h = hash(id.as_bytes());
                closed.add(h, line);
                match first.get(&h) {
                    Some(&f) if want.is_none() => want = Some((line, f)),
                    Some(_) => {}
                    None => {
                        first.insert(h, line);
                    }
                }
                line += 1 + next(4);
            }
            assert_eq!(closed.repeated(), want, "round {round}");
        }
        assert_eq!(Closed::default().repeated(), None);
    }

    /// The shared sample's journey and a log of `n` of its customers, as `simulate --events`
    /// writes it (grouped by customer): the header and each customer's rows.
    fn sample_log(n: u64) -> (Journey, String, Vec<Vec<String>>) {
        use crate::events::write::{Settings, write_log};
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/v2/shop_as_is.journey");
        let compiled = crate::model::resolve(&path, &crate::model::Options::default())
            .expect("the fixture resolves");
        let journey = compiled.journey.expect("the fixture has no error");
        let settings = Settings {
            seed: 7,
            from: 0,
            to: n,
            start_ms: 1_767_225_600_000,
            arrivals_ms: 0,
            threads: 1,
            ignore_horizon: false,
        };
        let mut out = Vec::new();
        write_log(&journey, &settings, Format::Csv, &mut out).expect("writes");
        let text = String::from_utf8(out).expect("UTF-8");
        let mut lines = text.lines();
        let header = lines.next().expect("a header").to_string();
        let mut customers: Vec<Vec<String>> = Vec::new();
        let mut last = "";
        for l in lines {
            let id = l.split(',').next().unwrap_or("");
            if id != last || customers.is_empty() {
                customers.push(Vec::new());
                last = id;
            }
            customers.last_mut().expect("one").push(l.to_string());
        }
        (journey, header, customers)
    }

    /// Every customer read from `text` (default mode unless `grouped`), by id: segment and
    /// events in time order, without their lines.
    type Read = Vec<(String, Option<usize>, Vec<(i64, u32, u32, u16, u8, u32)>)>;
    fn read_all(journey: &Journey, text: &str, grouped: bool) -> Result<Read, LogError> {
        let options = ReadOptions {
            grouped,
            ..ReadOptions::default()
        };
        let mut all = Vec::new();
        let input = Input::Stream(Box::new(std::io::Cursor::new(text.as_bytes().to_vec())));
        read(journey, input, Format::Csv, &options, &mut |c| {
            let events = c
                .events
                .iter()
                .map(|e| (e.time, e.tp, e.what, e.option, e.cause, e.cycle))
                .collect();
            all.push((c.id.clone(), c.segment, events));
            Ok(())
        })?;
        all.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(all)
    }

    #[test]
    fn customers_read_in_runs_are_the_customers_read_whole() {
        // 30,000 customers (~135,000 rows, past two windows of rows).
        let (journey, header, customers) = sample_log(30_000);
        let whole = |order: &[String]| format!("{header}\n{}\n", order.join("\n"));
        let grouped: Vec<String> = customers.iter().flatten().cloned().collect();
        let expected = read_all(&journey, &whole(&grouped), true).expect("reads");
        assert_eq!(expected.len(), 30_000);
        assert_eq!(
            read_all(&journey, &whole(&grouped), false),
            Ok(expected.clone())
        );
        // Each customer's rows in two runs, the second half after every first half: fewer
        // runs than half the rows, so the runs are made one once the file ends.
        let halves: Vec<String> = [0, 1]
            .iter()
            .flat_map(|&half| {
                customers.iter().flat_map(move |rows| {
                    let cut = rows.len().div_ceil(2);
                    match half {
                        0 => rows[..cut].to_vec(),
                        _ => rows[cut..].to_vec(),
                    }
                })
            })
            .collect();
        assert_eq!(
            read_all(&journey, &whole(&halves), false),
            Ok(expected.clone())
        );
        // Customers interleaved row by row, the first 5,000 whole before them: ids are
        // looked up from the first window on, and the runs opened before are made one.
        let mut mixed: Vec<String> = customers[..5_000].iter().flatten().cloned().collect();
        let rest = &customers[5_000..];
        for round in 0.. {
            let before = mixed.len();
            mixed.extend(rest.iter().filter_map(|rows| rows.get(round).cloned()));
            if mixed.len() == before {
                break;
            }
        }
        assert_eq!(mixed.len(), grouped.len());
        assert_eq!(
            read_all(&journey, &whole(&mixed), false),
            Ok(expected.clone())
        );
        // A customer whose second run is under way when ids start being looked up, their last
        // row at the end: every row after the switch goes to the customer's first run, which
        // stays whole.
        let x = (0..customers.len())
            .max_by_key(|&i| customers[i].len())
            .expect("customers");
        let n = customers[x].len();
        assert!(n >= 4, "a customer of four rows or more");
        let mut others = Vec::new();
        for round in 0.. {
            let before = others.len();
            others.extend(
                (0..customers.len())
                    .filter(|&i| i != x)
                    .filter_map(|i| customers[i].get(round).cloned()),
            );
            if others.len() == before {
                break;
            }
        }
        let window = WINDOW as usize;
        let mut split = vec![customers[x][0].clone()];
        split.extend_from_slice(&others[..window - 3]);
        split.extend_from_slice(&customers[x][1..n - 1]);
        split.extend_from_slice(&others[window - 3..]);
        split.push(customers[x][n - 1].clone());
        // Rows are counted from 1: the switch comes as row `window` is read, the second of
        // the customer's second run.
        assert_eq!(
            split[window - 2],
            customers[x][1],
            "the row before the switch"
        );
        assert_eq!(
            read_all(&journey, &whole(&split), false),
            Ok(expected.clone())
        );
        // And a customer of the first 5,000 whose last row comes after the first window.
        let mut again = mixed.clone();
        assert!(
            customers[0].len() > 1,
            "the first customer has several rows"
        );
        let moved = again.remove(customers[0].len() - 1);
        again.push(moved);
        assert_eq!(read_all(&journey, &whole(&again), false), Ok(expected));
    }

    #[test]
    fn two_runs_of_a_customer_in_two_segments_are_an_error_at_the_later_row() {
        let (journey, header, customers) = sample_log(50);
        let segment = |row: &str| row.split(',').nth(4).unwrap_or("").to_string();
        let a = segment(&customers[0][0]);
        let other = journey
            .segments
            .iter()
            .find(|s| s.name != a)
            .expect("two segments")
            .name
            .clone();
        // Customer 0's rows again after everyone's, in another segment (default mode: found
        // once the file ends, at the later run's first row).
        let mut rows: Vec<String> = customers.iter().flatten().cloned().collect();
        let line = rows.len() + 2;
        rows.push(customers[0][0].replacen(&format!(",{a},"), &format!(",{other},"), 1));
        let text = format!("{header}\n{}\n", rows.join("\n"));
        let err = read_all(&journey, &text, false).expect_err("two segments");
        let id = customers[0][0].split(',').next().unwrap_or("");
        assert_eq!(
            err.0,
            format!(
                "line {line}, column `segment`: customer `{id}` is in segment `{other}` here and \
                 `{a}` on an earlier row: a customer keeps one segment"
            )
        );
    }

    #[test]
    fn ids_of_up_to_eight_bytes_hash_apart_and_spread_over_the_partitions() {
        // Every id of one and two bytes, and ids of seven and eight bytes that differ in
        // their last byte or in their length only: no two share a hash.
        let mut ids: Vec<Vec<u8>> = (0..=255u8).map(|a| vec![a]).collect();
        ids.extend((0..=255u8).flat_map(|a| (0..=255u8).map(move |b| vec![a, b])));
        for c in 0..=255u8 {
            ids.push(b"abcdefg".to_vec());
            ids.push([&b"abcdefg"[..], &[c]].concat());
        }
        ids.sort();
        ids.dedup();
        let mut hashes: Vec<u64> = ids.iter().map(|i| hash(i)).collect();
        let mut parts = [0u32; 256];
        for h in &hashes {
            parts[(h >> 56) as usize] += 1;
        }
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), ids.len());
        // 66,049 ids over 256 partitions: about 258 each.
        let (lo, hi) = (parts.iter().min().unwrap(), parts.iter().max().unwrap());
        assert!(*lo > 180 && *hi < 340, "{lo}..{hi}");
    }

    #[test]
    fn names_and_ids_are_found_by_their_bytes() {
        let names = [
            "home",
            "bag",
            "a_very_long_touchpoint_name_1",
            "a_very_long_touchpoint_name_2",
            "a_very_different_name_xx_1",
            "",
        ];
        let table = Names::new(names.iter().copied());
        for (i, n) in names.iter().enumerate() {
            assert_eq!(table.get(n.as_bytes()), Some(i as u32), "{n}");
        }
        for n in ["hom", "homes", "bag ", "a_very_long_touchpoint_name_3", "x"] {
            assert_eq!(table.get(n.as_bytes()), None, "{n}");
        }
        assert!(same(b"abcdefghij", b"abcdefghij") && !same(b"abcdefghij", b"abcdefghik"));
        // `same` is `==` for every length around the word size and every byte changed.
        for n in 0..=33usize {
            let a: Vec<u8> = (0..n as u8).map(|i| b'a' + i % 26).collect();
            assert!(same(&a, &a.clone()), "{n}");
            assert!(!same(&a, &a[..n.saturating_sub(1)]) || n == 0, "{n}");
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 0x20;
                assert!(!same(&a, &b), "{n} {at}");
            }
        }
        // The store of open customers: ids found again after the table grew.
        let mut store = Store {
            lookup: true,
            ..Store::default()
        };
        let ids: Vec<String> = (0..5000).map(|i| format!("customer-{i}")).collect();
        for id in &ids {
            assert_eq!(store.find(id.as_bytes()), None);
            store.insert(id.as_bytes()).unwrap();
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(store.find(id.as_bytes()), Some(i));
        }
    }
}
