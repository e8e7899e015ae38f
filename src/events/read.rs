//! Reading an event log (LANGUAGE-2.md §5): CSV with a header (the `csv` crate) or JSON Lines
//! (`serde_json`), in one streaming pass, into each customer's events in time order (ties in
//! file order), resolved against the journey's names.
//!
//! **Grouping.** By default every customer stays open until the file ends: their events are
//! kept (32 bytes each, plus the customer's id and record) and counted at the end, so an
//! unsorted or time-sorted file costs memory in proportion to its rows (measured: 425 MB for
//! 4.6M rows of 1M customers).
//! With `grouped` (the log's rows are grouped by customer, as `simulate --events` writes
//! them), a customer is closed as soon as the next customer's rows start, so memory holds
//! one customer; a customer whose rows start again later is then an error naming both lines.

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

/// A row's fields, borrowed.
#[derive(Default)]
pub(super) struct Fields<'a> {
    pub customer: &'a str,
    pub time: TimeField<'a>,
    pub event: &'a str,
    pub touchpoint: &'a str,
    pub segment: &'a str,
    pub cause: &'a str,
    pub trigger: &'a str,
    pub outcome: &'a str,
    pub option: &'a str,
    pub cycle: Option<u64>,
}

/// A time as the row has it.
#[derive(Default)]
pub(super) enum TimeField<'a> {
    #[default]
    Missing,
    Text(&'a str),
    Seconds(f64),
    /// Milliseconds since 1970 (a Parquet timestamp).
    Millis(i64),
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
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(input);
    let bad = |e: csv::Error| {
        let at = e
            .position()
            .map_or(String::new(), |p| format!("line {}: ", p.line()));
        LogError(format!("{at}not a CSV log: {e}"))
    };
    let header: Vec<String> = r
        .headers()
        .map_err(bad)?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
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
    let mut record = csv::StringRecord::new();
    while r.read_record(&mut record).map_err(bad)? {
        let line = record.position().map_or(0, |p| p.line());
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").trim();
        let cycle = match get(layout.cycle) {
            "" => None,
            c => Some(c.parse::<u64>().map_err(|_| {
                LogError(format!(
                    "line {line}, column `cycle`: `{c}` is not a cycle number (1, 2, …)"
                ))
            })?),
        };
        let time = match get(Some(layout.time)) {
            "" => TimeField::Missing,
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
        };
        state.row(line, &f, each)?;
    }
    if state.log.rows == 0 {
        return Err(LogError("the log is empty: a header and no rows".into()));
    }
    Ok(())
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
            Some(serde_json::Value::String(s)) => TimeField::Text(s.trim()),
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
            customer,
            time,
            event: text_of(2)?,
            touchpoint: text_of(3)?,
            segment: text_of(4)?,
            cause: text_of(5)?,
            trigger: text_of(6)?,
            outcome: text_of(7)?,
            option: text_of(8)?,
            cycle,
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
    /// Open customers by id, and their slot in `open`.
    index: HashMap<String, usize, Fnv>,
    /// The last row's customer and slot: consecutive rows of one customer skip the lookup.
    last: Option<(String, usize)>,
    /// The last time parsed, as written and in milliseconds.
    last_time: Option<(String, i64)>,
    open: Vec<Customer>,
    /// In grouped mode: the customer being read, and the ids closed (hashes) with the line
    /// of their first row.
    closed: HashMap<u64, u64>,
    first_line: u64,
    /// Name lookups.
    touchpoints: HashMap<String, u32, Fnv>,
    triggers: HashMap<String, u32, Fnv>,
    segments: HashMap<String, usize, Fnv>,
    unknown: HashMap<(&'static str, String), usize>,
    unmapped: HashMap<String, usize>,
}

impl<'a> State<'a> {
    fn new(journey: &'a Journey, options: &'a ReadOptions) -> Self {
        State {
            journey,
            options,
            has: Has::default(),
            log: Log {
                options: vec![String::new()],
                ..Log::default()
            },
            index: HashMap::default(),
            last: None,
            last_time: None,
            open: Vec::new(),
            closed: HashMap::new(),
            first_line: 0,
            touchpoints: journey
                .touchpoints
                .iter()
                .enumerate()
                .map(|(i, t)| (t.name.clone(), i as u32))
                .collect(),
            triggers: journey
                .triggers
                .iter()
                .enumerate()
                .map(|(i, t)| (t.name.clone(), i as u32))
                .collect(),
            segments: journey
                .segments
                .iter()
                .enumerate()
                .map(|(i, s)| (s.name.clone(), i))
                .collect(),
            unknown: HashMap::new(),
            unmapped: HashMap::new(),
        }
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
    fn touchpoint(&mut self, raw: &str, line: u64) -> u32 {
        let name = match &self.options.map {
            Some(map) => match map.get(raw) {
                Some(tp) => tp.as_str(),
                None => {
                    match self.unmapped.get(raw) {
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
                    return NONE;
                }
            },
            None => raw,
        };
        match self.touchpoints.get(name) {
            Some(&i) => i,
            None => {
                let name = name.to_string();
                self.unknown("touchpoint", &name, line);
                NONE
            }
        }
    }

    pub(super) fn row(
        &mut self,
        line: u64,
        f: &Fields<'_>,
        each: &mut dyn FnMut(&Customer) -> Result<(), LogError>,
    ) -> Result<(), LogError> {
        self.log.rows += 1;
        let at = |column: &str| format!("line {line}, column `{column}`");
        if f.customer.is_empty() {
            return Err(LogError(format!(
                "{}: the customer is missing",
                at("customer")
            )));
        }
        let time = match f.time {
            TimeField::Missing => {
                return Err(LogError(format!("{}: the time is missing", at("time"))));
            }
            TimeField::Text(t) => match &self.last_time {
                // Consecutive rows often share a time (a visit and its pain points).
                Some((text, ms)) if text == t => *ms,
                _ => {
                    let ms = parse_time(t).map_err(|e| LogError(format!("{}: {e}", at("time"))))?;
                    self.last_time = Some((t.to_string(), ms));
                    ms
                }
            },
            TimeField::Seconds(s) => seconds(s).ok_or_else(|| {
                LogError(format!(
                    "{}: {s} is not a usable time in seconds",
                    at("time")
                ))
            })?,
            TimeField::Millis(ms) => ms,
        };
        let kind = match f.event {
            "" | "visit" => Kind::Visit,
            "pain" => Kind::Pain,
            "message" => Kind::Message,
            "end" => Kind::End,
            other => {
                return Err(LogError(format!(
                    "{}: unknown event kind `{other}` (the kinds are visit, pain, message and end)",
                    at("event")
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
                        f.event.if_empty("visit")
                    )));
                }
                ev.tp = self.touchpoint(f.touchpoint, line);
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
                    Some(&x) => ev.what = x,
                    None => {
                        self.unknown("trigger", f.trigger, line);
                        skip = true;
                    }
                }
            }
        }
        match kind {
            Kind::End => {
                self.has.ends = true;
                ev.what = match f.outcome {
                    "abandoned" => 0,
                    "left" => 1,
                    "completed" => 2,
                    "timed_out" => 3,
                    "stuck" => 4,
                    "" => {
                        return Err(LogError(format!(
                            "{}: an `end` row needs its outcome (abandoned, left, completed, \
                             timed_out or stuck)",
                            at("outcome")
                        )));
                    }
                    other => {
                        return Err(LogError(format!(
                            "{}: unknown outcome `{other}` (abandoned, left, completed, \
                             timed_out or stuck)",
                            at("outcome")
                        )));
                    }
                };
            }
            Kind::Pain => {
                ev.cause = match f.cause {
                    "" => CAUSE_NONE,
                    "context" => CAUSE_CONTEXT,
                    "friction" => CAUSE_FRICTION,
                    other => {
                        return Err(LogError(format!(
                            "{}: unknown cause `{other}` (context or friction)",
                            at("cause")
                        )));
                    }
                }
            }
            Kind::Visit if !f.option.is_empty() => {
                let opt = match self.log.options.iter().position(|o| o == f.option) {
                    Some(i) => i,
                    None => {
                        self.log.options.push(f.option.to_string());
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
                let declared = self.journey.touchpoint(f.touchpoint).is_some_and(|t| {
                    self.journey.touchpoints[t]
                        .choices
                        .iter()
                        .any(|c| c.name == f.option)
                });
                if f.option != "as_is" && !declared && !skip {
                    self.unknown("option", f.option, line);
                    skip = true;
                }
            }
            _ => {}
        }
        let segment = match f.segment {
            "" => None,
            s => match self.segments.get(s) {
                Some(&i) => Some(i),
                None => {
                    self.unknown("segment", s, line);
                    return Ok(());
                }
            },
        };
        // The customer's record.
        let known = match &self.last {
            Some((id, slot)) if id == f.customer => Some(*slot),
            _ => self.index.get(f.customer).copied(),
        };
        let slot = match known {
            Some(i) => i,
            None => {
                if self.options.grouped {
                    if let Some(prev) = self.open.pop() {
                        self.index.clear();
                        self.last = None;
                        self.close(prev, each)?;
                    }
                    let h = hash(f.customer);
                    if let Some(first) = self.closed.get(&h) {
                        return Err(LogError(format!(
                            "line {line}: customer `{}` has rows here and from line {first} on, \
                             with other customers' rows between: the log is not grouped by \
                             customer (drop --grouped)",
                            f.customer
                        )));
                    }
                    self.closed.insert(h, line);
                }
                self.index.insert(f.customer.to_string(), self.open.len());
                self.open.push(Customer {
                    id: f.customer.to_string(),
                    ..Customer::default()
                });
                self.open.len() - 1
            }
        };
        match &mut self.last {
            Some((id, at)) if id == f.customer => *at = slot,
            _ => self.last = Some((f.customer.to_string(), slot)),
        }
        let c = &mut self.open[slot];
        if let Some(s) = segment {
            match c.segment {
                None => c.segment = Some(s),
                Some(prev) if prev != s => {
                    return Err(LogError(format!(
                        "{}: customer `{}` is in segment `{}` here and `{}` on an earlier row: \
                         a customer keeps one segment",
                        at("segment"),
                        f.customer,
                        self.journey.segments[s].name,
                        self.journey.segments[prev].name
                    )));
                }
                _ => {}
            }
        }
        if !skip {
            c.events.push(ev);
        }
        Ok(())
    }

    fn close(
        &mut self,
        mut c: Customer,
        each: &mut dyn FnMut(&Customer) -> Result<(), LogError>,
    ) -> Result<(), LogError> {
        self.log.customers += 1;
        c.sort();
        each(&c)
    }

    fn finish(
        mut self,
        each: &mut dyn FnMut(&Customer) -> Result<(), LogError>,
    ) -> Result<Log, LogError> {
        let open = std::mem::take(&mut self.open);
        // Customers in order of their first row.
        for c in open {
            self.close(c, each)?;
        }
        self.log.has = self.has;
        let _ = self.first_line;
        Ok(self.log)
    }
}

trait IfEmpty {
    fn if_empty<'a>(&'a self, other: &'a str) -> &'a str;
}

impl IfEmpty for str {
    fn if_empty<'a>(&'a self, other: &'a str) -> &'a str {
        if self.is_empty() { other } else { self }
    }
}

/// FNV-1a: names and ids are short, and the log is read by journeyc's own user (no
/// adversary choosing keys to collide, which SipHash, the default, guards against at several
/// times the cost).
#[derive(Default, Clone, Copy)]
struct FnvHasher(u64);

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        self.0 = h;
    }
}

type Fnv = std::hash::BuildHasherDefault<FnvHasher>;

/// A 64-bit hash of a customer id (grouped mode remembers only these).
fn hash(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// Seconds since 1970 as milliseconds.
fn seconds(s: f64) -> Option<i64> {
    let ms = (s * 1000.0).round();
    (ms.is_finite() && ms.abs() < 2.5e17).then_some(ms as i64)
}

/// A time cell: RFC 3339, or seconds since 1970 as a number.
pub fn parse_time(t: &str) -> Result<i64, String> {
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
