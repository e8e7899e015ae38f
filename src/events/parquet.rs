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

/// The string of row `i` of a column (`None`: null), for the string types a log may use.
fn string_at(a: &dyn Array, i: usize) -> Result<Option<&str>, String> {
    if a.is_null(i) {
        return Ok(None);
    }
    Ok(Some(match a.data_type() {
        DataType::Utf8 => a.as_string::<i32>().value(i),
        DataType::LargeUtf8 => a.as_string::<i64>().value(i),
        DataType::Utf8View => a.as_string_view().value(i),
        DataType::Dictionary(k, v) if matches!(**v, DataType::Utf8) => {
            let key = match **k {
                DataType::Int8 => a.as_dictionary::<Int8Type>().keys().value(i) as usize,
                DataType::Int16 => a.as_dictionary::<Int16Type>().keys().value(i) as usize,
                DataType::Int32 => a.as_dictionary::<Int32Type>().keys().value(i) as usize,
                DataType::Int64 => a.as_dictionary::<Int64Type>().keys().value(i) as usize,
                DataType::UInt8 => a.as_dictionary::<UInt8Type>().keys().value(i) as usize,
                DataType::UInt16 => a.as_dictionary::<UInt16Type>().keys().value(i) as usize,
                DataType::UInt32 => a.as_dictionary::<UInt32Type>().keys().value(i) as usize,
                _ => return Err(format!("a dictionary with {k} keys")),
            };
            let values = match **k {
                DataType::Int8 => a.as_dictionary::<Int8Type>().values(),
                DataType::Int16 => a.as_dictionary::<Int16Type>().values(),
                DataType::Int32 => a.as_dictionary::<Int32Type>().values(),
                DataType::Int64 => a.as_dictionary::<Int64Type>().values(),
                DataType::UInt8 => a.as_dictionary::<UInt8Type>().values(),
                DataType::UInt16 => a.as_dictionary::<UInt16Type>().values(),
                _ => a.as_dictionary::<UInt32Type>().values(),
            };
            let s = values.as_string::<i32>();
            if key >= s.len() {
                return Err("a dictionary key out of range".into());
            }
            s.value(key)
        }
        other => return Err(format!("{other}, not text")),
    }))
}

/// The time of row `i`.
fn time_at(a: &dyn Array, i: usize) -> Result<TimeField<'_>, String> {
    if a.is_null(i) {
        return Ok(TimeField::Missing);
    }
    Ok(match a.data_type() {
        DataType::Timestamp(unit, _) => {
            let (v, per_ms) = match unit {
                TimeUnit::Second => (a.as_primitive::<TimestampSecondType>().value(i), -1000),
                TimeUnit::Millisecond => (a.as_primitive::<TimestampMillisecondType>().value(i), 1),
                TimeUnit::Microsecond => {
                    (a.as_primitive::<TimestampMicrosecondType>().value(i), 1000)
                }
                TimeUnit::Nanosecond => (
                    a.as_primitive::<TimestampNanosecondType>().value(i),
                    1_000_000,
                ),
            };
            TimeField::Millis(match per_ms {
                -1000 => v.saturating_mul(1000),
                d => v.div_euclid(d),
            })
        }
        DataType::Int64 => TimeField::Seconds(a.as_primitive::<Int64Type>().value(i) as f64),
        DataType::Int32 => TimeField::Seconds(a.as_primitive::<Int32Type>().value(i) as f64),
        DataType::Float64 => TimeField::Seconds(a.as_primitive::<Float64Type>().value(i)),
        DataType::Float32 => TimeField::Seconds(a.as_primitive::<Float32Type>().value(i) as f64),
        _ => match string_at(a, i)? {
            Some(s) => TimeField::Text(s),
            None => TimeField::Missing,
        },
    })
}

/// The cycle of row `i`.
fn cycle_at(a: &dyn Array, i: usize) -> Result<Option<u64>, String> {
    if a.is_null(i) {
        return Ok(None);
    }
    let signed = |v: i64| u64::try_from(v).map_err(|_| format!("{v} is not a cycle number"));
    Ok(Some(match a.data_type() {
        DataType::UInt32 => a.as_primitive::<UInt32Type>().value(i) as u64,
        DataType::UInt64 => a.as_primitive::<UInt64Type>().value(i),
        DataType::UInt16 => a.as_primitive::<UInt16Type>().value(i) as u64,
        DataType::UInt8 => a.as_primitive::<UInt8Type>().value(i) as u64,
        DataType::Int64 => signed(a.as_primitive::<Int64Type>().value(i))?,
        DataType::Int32 => signed(a.as_primitive::<Int32Type>().value(i) as i64)?,
        DataType::Int16 => signed(a.as_primitive::<Int16Type>().value(i) as i64)?,
        DataType::Int8 => signed(a.as_primitive::<Int8Type>().value(i) as i64)?,
        other => return Err(format!("{other}, not an integer")),
    }))
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
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(bad)?;
    let header: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let layout = Layout::new(&header, o)?;
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
        let col = |k: Option<usize>| k.map(|k| batch.column(k).as_ref());
        let name = |k: usize| header[k].as_str();
        for i in 0..batch.num_rows() {
            row += 1;
            let at =
                |k: usize, e: String| LogError(format!("row {row}, column `{}`: {e}", name(k)));
            let text = |k: Option<usize>| -> Result<&str, LogError> {
                match (k, col(k)) {
                    (Some(k), Some(a)) => {
                        Ok(string_at(a, i).map_err(|e| at(k, e))?.unwrap_or("").trim())
                    }
                    _ => Ok(""),
                }
            };
            let customer_col = batch.column(layout.customer).as_ref();
            let owned;
            let customer = match customer_col.data_type() {
                DataType::Int64 | DataType::Int32 | DataType::UInt64 | DataType::UInt32 => {
                    owned = cycle_at(customer_col, i)
                        .map_err(|e| at(layout.customer, e))?
                        .map_or(String::new(), |v| v.to_string());
                    owned.as_str()
                }
                _ => text(Some(layout.customer))?,
            };
            let time =
                time_at(batch.column(layout.time).as_ref(), i).map_err(|e| at(layout.time, e))?;
            let cycle = match (layout.cycle, col(layout.cycle)) {
                (Some(k), Some(a)) => cycle_at(a, i).map_err(|e| at(k, e))?,
                _ => None,
            };
            let f = Fields {
                customer,
                time,
                event: text(layout.event)?,
                touchpoint: text(layout.touchpoint)?,
                segment: text(layout.segment)?,
                cause: text(layout.cause)?,
                trigger: text(layout.trigger)?,
                outcome: text(layout.outcome)?,
                option: text(layout.option)?,
                cycle,
            };
            state.row(row, &f, each)?;
        }
    }
    if state.log.rows == 0 {
        return Err(LogError("the log is empty: no rows".into()));
    }
    Ok(())
}
