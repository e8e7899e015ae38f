//! The records of a CSV event log, in the `csv` crate's dialect (RFC 4180): fields separated
//! by `,`, quoted with `"` (a quote inside doubled), records ending at LF, CRLF or a lone CR,
//! empty lines skipped, a UTF-8 byte-order mark before the header dropped.
//!
//! Most lines of a log have no quote: such a line is split at its commas directly, found
//! eight bytes at a time with its end in the same pass, the whole record a slice of the read
//! buffer. A line
//! with a quote, or a carriage return anywhere but before its line feed, is read by
//! `csv-core`, the parser underneath the `csv` crate, from that record's first byte: quoted
//! fields may hold commas, quotes and line breaks. The reader gives the same records as
//! `csv::Reader::read_byte_record` (a unit test compares them on generated texts), and says
//! which line a record starts on (the line its first byte is on; the `csv` crate counts
//! from the end of the record before, one line too early after an empty line or a CRLF).

use csv_core::{ReadRecordResult, Reader as Core};
use std::io::Read;

/// Reads records from `input`.
pub(super) struct Rows<R> {
    input: R,
    buf: Vec<u8>,
    /// The bytes read but not consumed: `buf[at..end]`.
    at: usize,
    end: usize,
    eof: bool,
    /// The line (from 1) of `buf[at]`.
    line: u64,
    /// Whether the input's first bytes were looked at (for a byte-order mark).
    started: bool,
    /// The first quote or carriage return in `buf[at..end]` ([`NONE`]: none).
    special: usize,
    core: Core,
    /// A record read by `csv-core`: its fields' bytes and where each ends.
    out: Vec<u8>,
    ends: Vec<usize>,
    /// The record last read: field `i` is its bytes `starts[i]..starts[i + 1] - sep` (a
    /// line split at its commas: `sep` 1, counted from `span.0`; read by `csv-core`: 0).
    starts: Vec<usize>,
    sep: usize,
    in_out: bool,
    /// The whole record: `buf[span.0..span.1]` (a line split at its commas) or
    /// `out[..span.1]`.
    span: (usize, usize),
}

/// The record last read by [`Rows::next`].
pub(super) struct Record<'a> {
    bytes: &'a [u8],
    starts: &'a [usize],
    sep: usize,
    whole: &'a [u8],
    /// The line its first byte is on.
    pub line: u64,
}

impl<'a> Record<'a> {
    /// Field `i`, if the record has it.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        let w = self.starts.get(i..i + 2)?;
        self.bytes.get(w[0]..w[1] - self.sep)
    }

    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Whether every byte of every field is printable ASCII (none at or below a space, none
    /// past 0x7f): then the record is valid UTF-8 and no field has blanks to trim.
    pub fn printable(&self) -> bool {
        // A fold without an early exit: the compiler makes it a vector loop.
        self.whole
            .iter()
            .fold(0u8, |odd, &c| odd | u8::from(c <= b' ') | (c & 0x80))
            == 0
    }

    /// Every byte of every field, and (for a line split directly) the commas between them.
    pub fn as_slice(&self) -> &'a [u8] {
        self.whole
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

const START: usize = 1 << 16;

/// No such byte.
const NONE: usize = usize::MAX;

/// The bytes of `w` equal to `b`: the high bit of each such byte set, no other bit (exact:
/// no carry crosses a byte).
#[inline(always)]
fn equal(w: u64, b: u8) -> u64 {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = w ^ (0x0101_0101_0101_0101 * u64::from(b));
    !(((x & LOW) + LOW) | x) & !LOW
}

/// Scans `text` from `pos`, eight bytes at a time, for the line's end: where each field
/// after a comma starts goes to `starts`. `Ok`: where the line feed is; `Err`: where the
/// scan stopped, fewer than eight bytes before the end.
#[inline]
fn scan(text: &[u8], mut pos: usize, starts: &mut Vec<usize>) -> Result<usize, usize> {
    loop {
        let Some(chunk) = text.get(pos..pos + 8) else {
            return Err(pos);
        };
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let nl = equal(w, b'\n');
        // The bytes before the first line feed only (`nl - 1 & !nl`: the bits below it).
        let mut commas = equal(w, b',') & nl.wrapping_sub(1) & !nl;
        while commas != 0 {
            starts.push(pos + (commas.trailing_zeros() / 8) as usize + 1);
            commas &= commas - 1;
        }
        if nl != 0 {
            return Ok(pos + (nl.trailing_zeros() / 8) as usize);
        }
        pos += 8;
    }
}

/// The first quote or carriage return in `text` ([`NONE`]: none); blocks of 64 bytes are
/// looked at whole (the compiler makes that a vector loop), the one holding it byte by byte.
fn special(text: &[u8]) -> usize {
    let odd = |c: &u8| *c == b'"' || *c == b'\r';
    let mut from = 0;
    for block in text.chunks(64) {
        if block.iter().fold(0u8, |any, &c| {
            any | u8::from(c == b'"') | u8::from(c == b'\r')
        }) != 0
        {
            return from + block.iter().position(odd).unwrap_or(0);
        }
        from += block.len();
    }
    NONE
}

impl<R: Read> Rows<R> {
    pub fn new(input: R) -> Rows<R> {
        Rows {
            input,
            buf: vec![0; START],
            at: 0,
            end: 0,
            eof: false,
            line: 1,
            started: false,
            special: NONE,
            core: Core::new(),
            out: vec![0; 1024],
            ends: vec![0; 32],
            starts: Vec::with_capacity(16),
            sep: 1,
            in_out: false,
            span: (0, 0),
        }
    }

    /// Reads more input after the unconsumed bytes (moved to the buffer's start; the buffer
    /// doubles when they fill it). Returns whether any byte came.
    fn fill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        self.find_special();
        if self.at > 0 {
            self.buf.copy_within(self.at..self.end, 0);
            self.end -= self.at;
            if self.special != NONE {
                self.special -= self.at;
            }
            self.at = 0;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    if self.special == NONE {
                        let found = special(&self.buf[self.end..self.end + n]);
                        if found != NONE {
                            self.special = self.end + found;
                        }
                    }
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Once the bytes up to the first quote or carriage return are consumed, the next one.
    #[inline]
    fn find_special(&mut self) {
        if self.special != NONE && self.special < self.at {
            let found = special(&self.buf[self.at..self.end]);
            self.special = if found == NONE { NONE } else { self.at + found };
        }
    }

    /// The next record, or `None` at the end of the input.
    pub fn next(&mut self) -> std::io::Result<Option<Record<'_>>> {
        if !self.started {
            // A byte-order mark before the header is not part of it.
            self.started = true;
            while self.end < 3 && self.fill()? {}
            if self.buf[..self.end].starts_with(b"\xEF\xBB\xBF") {
                self.at = 3;
            }
        }
        // Empty lines are skipped (as `csv-core` skips them).
        loop {
            while self.at < self.end {
                match self.buf[self.at] {
                    b'\n' => self.line += 1,
                    b'\r' => {}
                    _ => break,
                }
                self.at += 1;
            }
            if self.at < self.end || !self.fill()? {
                break;
            }
        }
        if self.at == self.end {
            return Ok(None);
        }
        let line = self.line;
        // The line's end and its commas, reading more until the line is in the buffer (its
        // bytes move to the buffer's start) or the input ends.
        self.starts.clear();
        self.starts.push(0);
        let mut pos = 0;
        let len = loop {
            match scan(&self.buf[self.at..self.end], pos, &mut self.starts) {
                Ok(nl) => break nl,
                Err(stop) => pos = stop,
            }
            if self.fill()? {
                continue;
            }
            // The input's last bytes (fewer than eight), one by one.
            let rest = &self.buf[self.at..self.end];
            let nl = rest[pos..].iter().position(|&c| c == b'\n');
            let len = nl.map_or(rest.len(), |i| pos + i);
            for (i, &c) in rest[pos..len].iter().enumerate() {
                if c == b',' {
                    self.starts.push(pos + i + 1);
                }
            }
            break len;
        };
        // A quote or a carriage return in the line: `csv-core` reads it, unless the carriage
        // return is the line's last byte (a CRLF line end).
        let text = match self.special {
            s if s == NONE || s >= self.at + len => Some(len),
            s if s + 1 == self.at + len && self.buf[s] == b'\r' => Some(len - 1),
            _ => None,
        };
        match text {
            Some(text) => {
                self.starts.push(text + 1);
                self.sep = 1;
                self.in_out = false;
                self.span = (self.at, self.at + text);
                let fed = self.at + len < self.end;
                self.line += u64::from(fed);
                self.at += len + usize::from(fed);
            }
            None => self.quoted()?,
        }
        self.find_special();
        let bytes: &[u8] = match self.in_out {
            true => &self.out,
            false => &self.buf[self.span.0..],
        };
        Ok(Some(Record {
            bytes,
            starts: &self.starts,
            sep: self.sep,
            whole: &bytes[..self.span.1 - self.span.0],
            line,
        }))
    }

    /// Reads one record with `csv-core` from `buf[at]`, the first byte of a record.
    fn quoted(&mut self) -> std::io::Result<()> {
        self.core.reset();
        let (mut outlen, mut endlen) = (0, 0);
        loop {
            if self.at == self.end && !self.eof {
                // An empty slice would tell `csv-core` the input has ended.
                self.fill()?;
                continue;
            }
            let input = &self.buf[self.at..self.end];
            let (res, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.out[outlen..], &mut self.ends[endlen..]);
            self.line += input[..nin].iter().filter(|&&c| c == b'\n').count() as u64;
            self.at += nin;
            outlen += nout;
            endlen += nend;
            match res {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    let n = self.out.len() * 2;
                    self.out.resize(n, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        self.starts.clear();
        self.starts.push(0);
        self.starts.extend_from_slice(&self.ends[..endlen]);
        self.sep = 0;
        self.in_out = true;
        self.span = (0, outlen);

        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `text` in reads of at most `step` bytes: every record's fields and line.
    fn ours(text: &[u8], step: usize) -> Vec<(Vec<Vec<u8>>, u64)> {
        struct Slow<'a>(&'a [u8], usize);
        impl Read for Slow<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut rows = Rows::new(Slow(text, step));
        let mut all = Vec::new();
        while let Some(r) = rows.next().expect("reads") {
            let fields: Vec<Vec<u8>> = r.iter().map(<[u8]>::to_vec).collect();
            assert_eq!(r.len(), fields.len());
            assert_eq!(r.get(fields.len()), None);
            // A line split directly: its fields joined by commas; else their bytes.
            let joined = fields.join(&b","[..]);
            assert!(r.as_slice() == joined || r.as_slice() == fields.concat());
            let printable = fields.concat().iter().all(|&c| c > b' ' && c < 0x80);
            assert_eq!(r.printable(), printable, "{fields:?}");
            all.push((fields, r.line));
        }
        all
    }

    /// The `csv` crate's records, and the line each starts on (counted here from its byte
    /// offset, past the empty lines before it).
    fn theirs(text: &[u8]) -> Vec<(Vec<Vec<u8>>, u64)> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut rec = csv::ByteRecord::new();
        let mut all = Vec::new();
        let mut body = 0;
        if text.starts_with(b"\xEF\xBB\xBF") {
            body = 3;
        }
        loop {
            let at = (r.position().byte() as usize).max(body);
            if !r.read_byte_record(&mut rec).expect("reads") {
                break;
            }
            let first = at
                + text[at..]
                    .iter()
                    .take_while(|&&c| c == b'\n' || c == b'\r')
                    .count();
            let line = 1 + text[..first].iter().filter(|&&c| c == b'\n').count() as u64;
            all.push((rec.iter().map(<[u8]>::to_vec).collect(), line));
        }
        all
    }

    #[test]
    fn equal_marks_exactly_the_equal_bytes() {
        for b in 0..=255u8 {
            for other in [
                0u8,
                1,
                b.wrapping_sub(1),
                b.wrapping_add(1),
                0x7f,
                0x80,
                0xff,
            ] {
                for at in 0..8 {
                    let mut bytes = [other; 8];
                    bytes[at] = b;
                    let expected = bytes
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| **c == b)
                        .fold(0u64, |m, (i, _)| m | 0x80 << (8 * i));
                    assert_eq!(
                        equal(u64::from_le_bytes(bytes), b),
                        expected,
                        "{bytes:?} {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn records_are_the_csv_crates_and_lines_where_they_start() {
        let pieces: [&[u8]; 12] = [
            b"a",
            b"bc",
            b",",
            b",",
            b"\n",
            b"\r\n",
            b"\r",
            b"\"",
            b"\"\"",
            b" ",
            b"\xC3\xA9",
            b"x,y",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut texts: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"h1,h2\na,b\nc,d\n".to_vec(),
            b"h1,h2\r\na,b\r\nc,d".to_vec(),
            b"\xEF\xBB\xBFh1,h2\n\n\na,b\r\r\nc,d\n".to_vec(),
            b"h\n\"x\ny\",\"q\"\"z\"\n,\n\"open".to_vec(),
            b"\n\r\n\r".to_vec(),
        ];
        for _ in 0..3000 {
            let n = (next() % 40) as usize;
            texts.push(
                (0..n)
                    .flat_map(|_| pieces[(next() % pieces.len() as u64) as usize].to_vec())
                    .collect(),
            );
        }
        // Long lines: past the buffer's first size, with and without quotes.
        let long: Vec<u8> = (0..START * 3).map(|i| b"abc,"[i % 4]).collect();
        texts.push([&b"h\n"[..], &long, b"\n", &long].concat());
        texts.push([&b"h\n\""[..], &long, b"\n\",x\n"].concat());
        for text in &texts {
            let expected = theirs(text);
            for step in [1, 2, 7, 1 << 20] {
                assert_eq!(
                    ours(text, step),
                    expected,
                    "{:?} read {step} bytes at a time",
                    String::from_utf8_lossy(text)
                );
            }
        }
    }
}
