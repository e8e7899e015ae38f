//! Parquet logs (Apache Arrow's `parquet` crate, no default features; Snappy compression
//! only): `simulate --events F.parquet` writes one, `fit`/`conform` read one.
//!
//! Written: `customer`, `event`, `touchpoint`, `segment`, `cause`, `trigger`, `outcome` and
//! `option` as UTF-8 strings (empty columns as nulls), `time` as a UTC timestamp in
//! milliseconds, `cycle` as a 32-bit unsigned integer; Snappy, row groups of up to 1M rows.
//! Read: string columns as UTF-8 (plain, large or view) or dictionary-encoded UTF-8; `time` as
//! a timestamp of any unit, a number of seconds, or RFC 3339 text; `cycle` as any integer.

use super::read::{Customer, Fields, Layout, LogError, ReadOptions, State, TimeField};
use super::write::WriteError;
use arrow_array::builder::{StringBuilder, TimestampMillisecondBuilder, UInt32Builder};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::io::Write;
use std::sync::Arc;

/// Rows being written, as columns.
pub struct Columns {
    customer: StringBuilder,
    time: TimestampMillisecondBuilder,
    event: StringBuilder,
    /// touchpoint, segment, cause, trigger, outcome, option.
    text: [StringBuilder; 6],
    cycle: UInt32Builder,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            customer: StringBuilder::new(),
            time: TimestampMillisecondBuilder::new(),
            event: StringBuilder::new(),
            text: std::array::from_fn(|_| StringBuilder::new()),
            cycle: UInt32Builder::new(),
        }
    }
}

impl Columns {
    /// Adds a row (`text`: touchpoint, segment, cause, trigger, outcome, option; empty is
    /// null).
    pub fn push(&mut self, customer: &str, ms: i64, event: &str, text: [&str; 6], cycle: u32) {
        self.customer.append_value(customer);
        self.time.append_value(ms);
        self.event.append_value(event);
        for (b, v) in self.text.iter_mut().zip(text) {
            match v.is_empty() {
                true => b.append_null(),
                false => b.append_value(v),
            }
        }
        self.cycle.append_value(cycle);
    }

    fn finish(mut self, schema: &SchemaRef) -> Result<RecordBatch, WriteError> {
        let mut arrays: Vec<ArrayRef> = vec![
            Arc::new(self.customer.finish()),
            Arc::new(self.time.finish().with_timezone("UTC")),
            Arc::new(self.event.finish()),
        ];
        for b in &mut self.text {
            arrays.push(Arc::new(b.finish()));
        }
        arrays.push(Arc::new(self.cycle.finish()));
        RecordBatch::try_new(schema.clone(), arrays).map_err(|e| WriteError::Parquet(e.to_string()))
    }
}

/// The schema of a written log.
fn schema() -> SchemaRef {
    let text = |name: &str| Field::new(name, DataType::Utf8, true);
    Arc::new(Schema::new(vec![
        Field::new("customer", DataType::Utf8, false),
        Field::new(
            "time",
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            false,
        ),
        Field::new("event", DataType::Utf8, false),
        text("touchpoint"),
        text("segment"),
        text("cause"),
        text("trigger"),
        text("outcome"),
        text("option"),
        Field::new("cycle", DataType::UInt32, false),
    ]))
}

/// A Parquet log being written.
pub struct Writer<'a> {
    inner: ArrowWriter<&'a mut (dyn Write + Send)>,
    schema: SchemaRef,
}

impl<'a> Writer<'a> {
    /// Starts a log on `out`.
    pub fn new(out: &'a mut (dyn Write + Send)) -> Result<Self, WriteError> {
        let schema = schema();
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(1 << 20))
            .build();
        let inner = ArrowWriter::try_new(out, schema.clone(), Some(props))
            .map_err(|e| WriteError::Parquet(e.to_string()))?;
        Ok(Writer { inner, schema })
    }

    /// Writes a chunk's rows.
    pub fn write(&mut self, columns: Columns) -> Result<(), WriteError> {
        let batch = columns.finish(&self.schema)?;
        self.inner
            .write(&batch)
            .map_err(|e| WriteError::Parquet(e.to_string()))
    }

    /// Writes the footer.
    pub fn close(self) -> Result<(), WriteError> {
        self.inner
            .close()
            .map(|_| ())
            .map_err(|e| WriteError::Parquet(e.to_string()))
    }
}

/// A null row's key in [`Text::Dict`] (no dictionary has that many values).
const NULL_KEY: usize = usize::MAX;

/// A text column of one batch, its type looked at once: row `i`'s string is then an offset
/// lookup (`None`: null), for the string types a log may use.
enum Text<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
    /// A dictionary of UTF-8 values: each row's key, as `usize` ([`NULL_KEY`]: a null row),
    /// and each value trimmed.
    Dict(Vec<usize>, Vec<&'a [u8]>),
    /// A dictionary whose values are trimmed row by row (a column of many values).
    Lazy(&'a dyn Array, Vec<usize>, &'a arrow_array::StringArray),
    /// Not text: the error, said at the first row that is not null.
    Bad(&'a dyn Array, String),
}

impl<'a> Text<'a> {
    /// The view of a column; `names`: a column of few values (a dictionary's values are
    /// trimmed once).
    fn of(a: &'a dyn Array, names: bool) -> Text<'a> {
        match a.data_type() {
            DataType::Utf8 => Text::Utf8(a.as_string::<i32>()),
            DataType::LargeUtf8 => Text::Large(a.as_string::<i64>()),
            DataType::Utf8View => Text::View(a.as_string_view()),
            DataType::Dictionary(k, v) if matches!(**v, DataType::Utf8) => {
                // Each key as `usize` (as `as` converts it: a negative key is out of range).
                macro_rules! keys {
                    ($t:ty) => {{
                        let d = a.as_dictionary::<$t>();
                        let mut keys: Vec<usize> =
                            // (A negative key, −1 cast included, stays out of range.)
                            d.keys().values().iter().map(|&k| (k as usize).min(NULL_KEY - 1)).collect();
                        // Null rows' keys become `NULL_KEY` once a batch: no null bitmap
                        // looked up row by row.
                        if let Some(nulls) = d.nulls() {
                            for i in nulls.iter().enumerate().filter(|(_, v)| !v).map(|x| x.0) {
                                keys[i] = NULL_KEY;
                            }
                        }
                        (keys, d.values().as_string::<i32>())
                    }};
                }
                let (keys, values) = match **k {
                    DataType::Int8 => keys!(Int8Type),
                    DataType::Int16 => keys!(Int16Type),
                    DataType::Int32 => keys!(Int32Type),
                    DataType::Int64 => keys!(Int64Type),
                    DataType::UInt8 => keys!(UInt8Type),
                    DataType::UInt16 => keys!(UInt16Type),
                    DataType::UInt32 => keys!(UInt32Type),
                    _ => return Text::Bad(a, format!("a dictionary with {k} keys")),
                };
                if !names {
                    return Text::Lazy(a, keys, values);
                }
                let trimmed = values
                    .iter()
                    .map(|v| super::read::trim(v.unwrap_or("").as_bytes()))
                    .collect();
                Text::Dict(keys, trimmed)
            }
            other => Text::Bad(a, format!("{other}, not text")),
        }
    }

    /// Row `i`'s text as written (`None`: null).
    fn raw(&self, i: usize) -> Result<Option<&'a str>, String> {
        Ok(match self {
            Text::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Text::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Text::View(a) => a.is_valid(i).then(|| a.value(i)),
            Text::Lazy(a, keys, values) => {
                if a.is_null(i) {
                    return Ok(None);
                }
                let key = keys[i];
                if key >= values.len() {
                    return Err("a dictionary key out of range".into());
                }
                Some(values.value(key))
            }
            Text::Dict(..) => {
                let (b, _) = self.at(i)?;
                Some(std::str::from_utf8(b).unwrap_or(""))
            }
            Text::Bad(a, e) => {
                if a.is_null(i) {
                    return Ok(None);
                }
                return Err(e.clone());
            }
        })
    }

    /// Row `i`'s text, trimmed (empty: null), and its dictionary key if any.
    fn at(&self, i: usize) -> Result<(&'a [u8], Option<usize>), String> {
        let trim = |s: Option<&'a str>| super::read::trim(s.unwrap_or("").as_bytes());
        Ok(match self {
            Text::Utf8(a) => (trim(a.is_valid(i).then(|| a.value(i))), None),
            Text::Large(a) => (trim(a.is_valid(i).then(|| a.value(i))), None),
            Text::View(a) => (trim(a.is_valid(i).then(|| a.value(i))), None),
            Text::Dict(keys, values) => {
                let key = keys[i];
                match values.get(key) {
                    Some(v) => (v, Some(key)),
                    None if key == NULL_KEY => (b"", None),
                    None => return Err("a dictionary key out of range".into()),
                }
            }
            Text::Lazy(..) | Text::Bad(..) => (trim(self.raw(i)?), None),
        })
    }
}

/// A batch's times, converted once a batch (a timestamp of any unit to milliseconds, a
/// number to seconds), or its text column's view (RFC 3339, parsed row by row).
enum Times<'a> {
    Numbers(Vec<TimeField<'static>>),
    Text(Text<'a>),
}

impl<'a> Times<'a> {
    fn of(a: &'a dyn Array) -> Times<'a> {
        macro_rules! each {
            ($t:ty, $f:expr) => {{
                let p = a.as_primitive::<$t>();
                Times::Numbers(
                    (0..p.len())
                        .map(|i| match p.is_null(i) {
                            true => TimeField::Missing,
                            false => $f(p.value(i)),
                        })
                        .collect(),
                )
            }};
        }
        match a.data_type() {
            DataType::Timestamp(unit, _) => match unit {
                TimeUnit::Second => each!(TimestampSecondType, |v: i64| TimeField::Millis(
                    v.saturating_mul(1000)
                )),
                TimeUnit::Millisecond => each!(TimestampMillisecondType, TimeField::Millis),
                TimeUnit::Microsecond => each!(TimestampMicrosecondType, |v: i64| {
                    TimeField::Millis(v.div_euclid(1000))
                }),
                TimeUnit::Nanosecond => each!(TimestampNanosecondType, |v: i64| {
                    TimeField::Millis(v.div_euclid(1_000_000))
                }),
            },
            DataType::Int64 => each!(Int64Type, |v: i64| TimeField::Seconds(v as f64)),
            DataType::Int32 => each!(Int32Type, |v: i32| TimeField::Seconds(v as f64)),
            DataType::Float64 => each!(Float64Type, TimeField::Seconds),
            DataType::Float32 => each!(Float32Type, |v: f32| TimeField::Seconds(v as f64)),
            _ => Times::Text(Text::of(a, false)),
        }
    }

    /// The time of row `i`.
    fn at(&self, i: usize) -> Result<TimeField<'a>, String> {
        Ok(match self {
            Times::Numbers(v) => v[i],
            Times::Text(t) => match t.raw(i)? {
                Some(s) => TimeField::Text(s.as_bytes()),
                None => TimeField::Missing,
            },
        })
    }
}

/// A batch's cycles, converted once a batch (`None`: null), and the first row whose value is
/// not a cycle number, with why.
struct Cycles {
    values: Vec<Option<u64>>,
    bad: Option<(usize, String)>,
}

impl Cycles {
    fn of(a: &dyn Array) -> Cycles {
        let mut bad = None;
        macro_rules! each {
            ($t:ty) => {{
                let p = a.as_primitive::<$t>();
                (0..p.len())
                    .map(|i| {
                        if p.is_null(i) {
                            return None;
                        }
                        let v = p.value(i);
                        match u64::try_from(v) {
                            Ok(c) => Some(c),
                            Err(_) => {
                                if bad.is_none() {
                                    bad = Some((i, format!("{v} is not a cycle number")));
                                }
                                None
                            }
                        }
                    })
                    .collect()
            }};
        }
        let values = match a.data_type() {
            DataType::UInt32 => each!(UInt32Type),
            DataType::UInt64 => each!(UInt64Type),
            DataType::UInt16 => each!(UInt16Type),
            DataType::UInt8 => each!(UInt8Type),
            DataType::Int64 => each!(Int64Type),
            DataType::Int32 => each!(Int32Type),
            DataType::Int16 => each!(Int16Type),
            DataType::Int8 => each!(Int8Type),
            other => {
                // Said at the first row that is not null.
                bad = (0..a.len())
                    .find(|&i| a.is_valid(i))
                    .map(|i| (i, format!("{other}, not an integer")));
                vec![None; a.len()]
            }
        };
        Cycles { values, bad }
    }

    /// The cycle of row `i`.
    fn at(&self, i: usize) -> Result<Option<u64>, String> {
        match &self.bad {
            Some((b, e)) if *b == i => Err(e.clone()),
            _ => Ok(self.values[i]),
        }
    }
}

/// Reads a Parquet log into `state`, batch by batch. Rows are numbered from 1 as "lines".
pub(super) fn read(
    file: std::fs::File,
    o: &ReadOptions,
    state: &mut State<'_>,
    each: &mut dyn FnMut(&Customer) -> Result<(), LogError>,
) -> Result<(), LogError> {
    let bad = |e: parquet::errors::ParquetError| {
        LogError(format!(
            "not a readable Parquet file (truncated or damaged?): {e}"
        ))
    };
    let again = file.try_clone();
    let mut builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(bad)?;
    let header: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let layout = Layout::new(&header, o)?;
    // The columns of names (few distinct values) read as dictionaries where they are UTF-8:
    // Parquet writers store them dictionary-encoded, and each batch then holds their
    // distinct values once, not one string per row.
    let names = [
        layout.event,
        layout.touchpoint,
        layout.segment,
        layout.cause,
        layout.trigger,
        layout.outcome,
        layout.option,
    ];
    let fields: Vec<Field> = builder
        .schema()
        .fields()
        .iter()
        .enumerate()
        .map(|(k, f)| match f.data_type() {
            DataType::Utf8 if names.contains(&Some(k)) => f.as_ref().clone().with_data_type(
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            ),
            _ => f.as_ref().clone(),
        })
        .collect();
    if let Ok(file) = again {
        let hint = Arc::new(Schema::new_with_metadata(
            fields,
            builder.schema().metadata().clone(),
        ));
        let options = parquet::arrow::arrow_reader::ArrowReaderOptions::new().with_schema(hint);
        // Where the hint is refused, the columns are read as they are.
        if let Ok(b) = ParquetRecordBatchReaderBuilder::try_new_with_options(file, options) {
            builder = b;
        }
    }
    state.has.event = layout.event.is_some();
    state.has.segment = layout.segment.is_some();
    state.has.cause = layout.cause.is_some();
    state.has.option = layout.option.is_some();
    state.has.cycle = layout.cycle.is_some();
    let reader = builder.with_batch_size(8192).build().map_err(bad)?;
    let mut row = 0u64;
    for batch in reader {
        let batch = batch
            .map_err(|e| LogError(format!("row {}: cannot read the Parquet log: {e}", row + 1)))?;
        let name = |k: usize| header[k].as_str();
        // The text columns' views, once per batch: event, touchpoint, segment, cause,
        // trigger, outcome, option.
        let cols = [
            layout.event,
            layout.touchpoint,
            layout.segment,
            layout.cause,
            layout.trigger,
            layout.outcome,
            layout.option,
        ];
        let views: Vec<Option<(usize, Text<'_>)>> = cols
            .iter()
            .map(|k| k.map(|k| (k, Text::of(batch.column(k).as_ref(), true))))
            .collect();
        // The touchpoints and segments a dictionary's values name, looked up once a batch.
        let known =
            |view: &Option<(usize, Text<'_>)>, look: &dyn Fn(&[u8]) -> Option<u32>| match view {
                Some((_, Text::Dict(_, values))) => values.iter().map(|v| look(v)).collect(),
                _ => Vec::new(),
            };
        // The dictionaries whose keys are all in range or null (all, unless the file is
        // damaged), checked once a batch: their rows are then read without a check each.
        type Checked<'b, 'c> = Option<(&'b [usize], &'b [&'c [u8]])>;
        let checked: Vec<Checked<'_, '_>> = views
            .iter()
            .map(|view| match view {
                Some((_, Text::Dict(keys, values)))
                    if keys.iter().all(|&k| k < values.len() || k == NULL_KEY) =>
                {
                    Some((keys.as_slice(), values.as_slice()))
                }
                _ => None,
            })
            .collect();
        let tp_ids: Vec<Option<u32>> = known(&views[1], &|v| state.known_touchpoint(v));
        let seg_ids: Vec<Option<u32>> = known(&views[2], &|v| state.known_segment(v));
        let customer_col = batch.column(layout.customer).as_ref();
        let numeric_ids = matches!(
            customer_col.data_type(),
            DataType::Int64 | DataType::Int32 | DataType::UInt64 | DataType::UInt32
        );
        let customers = Text::of(customer_col, false);
        // Numeric ids are read as cycle numbers are (non-negative integers).
        let numeric = numeric_ids.then(|| Cycles::of(customer_col));
        let times = Times::of(batch.column(layout.time).as_ref());
        let cycles = layout
            .cycle
            .map(|k| (k, Cycles::of(batch.column(k).as_ref())));
        let mut owned = String::new();
        for i in 0..batch.num_rows() {
            row += 1;
            let at =
                |k: usize, e: String| LogError(format!("row {row}, column `{}`: {e}", name(k)));
            let customer: &[u8] = if let Some(ids) = &numeric {
                owned.clear();
                if let Some(v) = ids.at(i).map_err(|e| at(layout.customer, e))? {
                    use std::fmt::Write as _;
                    let _ = write!(owned, "{v}");
                }
                owned.as_bytes()
            } else {
                customers.at(i).map_err(|e| at(layout.customer, e))?.0
            };
            let time = times.at(i).map_err(|e| at(layout.time, e))?;
            let cycle = match &cycles {
                Some((k, c)) => c.at(i).map_err(|e| at(*k, e))?,
                None => None,
            };
            let mut text = [&b""[..]; 7];
            let mut keys = [None; 7];
            for (((t, key), view), checked) in
                text.iter_mut().zip(&mut keys).zip(&views).zip(&checked)
            {
                match (checked, view) {
                    // Every key of the batch is in range or null: no check, no error path.
                    (Some((keys, values)), _) => {
                        let k = keys[i];
                        (*t, *key) = match values.get(k) {
                            Some(v) => (*v, Some(k)),
                            None => (&b""[..], None),
                        };
                    }
                    (None, Some((k, v))) => (*t, *key) = v.at(i).map_err(|e| at(*k, e))?,
                    (None, None) => {}
                }
            }
            let [event, touchpoint, segment, cause, trigger, outcome, option] = text;
            let id = |ids: &[Option<u32>], key: Option<usize>| ids.get(key?).copied().flatten();
            let f = Fields {
                customer,
                time,
                event,
                touchpoint,
                segment,
                cause,
                trigger,
                outcome,
                option,
                cycle,
                known_tp: id(&tp_ids, keys[1]),
                known_segment: id(&seg_ids, keys[2]),
            };
            state.row(row, &f, each)?;
        }
    }
    if state.log.rows == 0 {
        return Err(LogError("the log is empty: no rows".into()));
    }
    Ok(())
}
