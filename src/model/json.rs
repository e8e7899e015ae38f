//! The JSON writer of `compile` and of `check`'s JSON formats (SARIF's results too): a serde
//! serializer that writes the bytes `serde_json::to_writer_pretty` writes (two spaces a level; tested against it in
//! `model::tests`), faster.
//!
//! Those outputs are large (11 to 13 bytes of JSON per byte of journey) and made mostly of
//! strings. serde_json looks every byte of a string up in its escape table, struct keys
//! included; here a string is scanned eight bytes at a time for the three things JSON escapes
//! (a control byte, `"`, `\`), the document is gathered in a buffer without a call through
//! `dyn Write` per piece, and passed on in pieces of [`Json::SIZE`] bytes. Numbers are written
//! by serde_json's own formatters (`itoa`, `zmij`), so they are the same bytes.

use serde::Serialize;
use serde::ser::{self, Impossible};
use std::fmt;
use std::io;

/// A serialization error: the writer's, passed on as it came, or a value JSON cannot hold (a
/// map key that is not a string or a number).
#[derive(Debug)]
pub enum Error {
    /// The writer refused.
    Io(io::Error),
    /// The value cannot be written as JSON.
    Value(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => e.fmt(f),
            Error::Value(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Error {
        Error::Value(msg.to_string())
    }
}

impl From<Error> for io::Error {
    /// The writer's error as it came (a closed pipe stays a closed pipe); a value error as
    /// `InvalidData`, as serde_json converts it.
    fn from(e: Error) -> io::Error {
        match e {
            Error::Io(e) => e,
            Error::Value(m) => io::Error::new(io::ErrorKind::InvalidData, m),
        }
    }
}

type Result<T = ()> = std::result::Result<T, Error>;

/// Writes `value` to `out` as `serde_json::to_writer_pretty` does, then a newline.
pub fn pretty_to<T: Serialize + ?Sized>(out: &mut dyn io::Write, value: &T) -> io::Result<()> {
    let mut json = Json::new(out);
    value.serialize(&mut json)?;
    json.buf.push(b'\n');
    json.finish()
}

/// A pretty JSON serializer gathering its text for a writer.
pub struct Json<'a> {
    out: &'a mut dyn io::Write,
    buf: Vec<u8>,
    /// Nesting depth: the indentation of a new line, in steps of two spaces.
    level: usize,
    /// Whether the innermost open array or object has a value yet.
    has_value: bool,
}

impl<'a> Json<'a> {
    /// Bytes gathered before they are passed on (a value is never split: a longer one is
    /// passed on whole once written).
    pub const SIZE: usize = 64 * 1024;

    /// A serializer writing to `out`; call [`Json::finish`] at the end.
    pub fn new(out: &'a mut dyn io::Write) -> Json<'a> {
        Json {
            out,
            buf: Vec::with_capacity(Self::SIZE + 1024),
            level: 0,
            has_value: false,
        }
    }

    /// Writes `bytes` as they are: text around the values serialized with [`Json::value_at`].
    pub fn raw_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(bytes);
        Ok(self.pass_on()?)
    }

    /// Serializes `value` as it would be written `level` levels deep in a pretty document
    /// (each line after its first indented `level` steps more): for a value written into a
    /// document whose other parts are written with [`Json::raw_bytes`].
    pub fn value_at<T: Serialize + ?Sized>(&mut self, level: usize, value: &T) -> io::Result<()> {
        self.level = level;
        self.has_value = false;
        value.serialize(&mut *self)?;
        Ok(())
    }

    /// Passes on what is left.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// Passes the gathered text on once there is a piece's worth.
    #[inline]
    fn pass_on(&mut self) -> Result {
        if self.buf.len() >= Self::SIZE {
            self.out.write_all(&self.buf).map_err(Error::Io)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// `,` then a line break then the indentation of [`Json::DEEP`] levels.
    const BREAK: [u8; 2 + 2 * Json::DEEP] = {
        let mut b = [b' '; 2 + 2 * Json::DEEP];
        b[0] = b',';
        b[1] = b'\n';
        b
    };
    /// Levels written with one copy; deeper ones take a copy per further level.
    const DEEP: usize = 24;

    /// A line break (after a comma unless `first`) and the current indentation: the whole of
    /// [`Json::BREAK`] is copied, a copy of a known length that needs no call, and what is
    /// past the indentation cut off.
    #[inline]
    fn line(&mut self, first: bool) {
        let levels = self.level.min(Self::DEEP);
        let keep = self.buf.len() + 2 - usize::from(first) + 2 * levels;
        if first {
            let b: &[u8; 1 + 2 * Json::DEEP] =
                Self::BREAK[1..].try_into().expect("a constant length");
            self.buf.extend_from_slice(b);
        } else {
            self.buf.extend_from_slice(&Self::BREAK);
        }
        self.buf.truncate(keep);
        for _ in levels..self.level {
            self.buf.extend_from_slice(b"  ");
        }
    }

    /// `[` or `{`: one level deeper, nothing in it yet.
    #[inline]
    fn open(&mut self, b: u8) {
        self.level += 1;
        self.has_value = false;
        self.buf.push(b);
    }

    /// `]` or `}`: on a line of its own when something came before it.
    #[inline]
    fn close(&mut self, b: u8) {
        self.level -= 1;
        if self.has_value {
            self.line(true);
        }
        self.buf.push(b);
    }

    /// The end of a value in an array or an object.
    #[inline]
    fn value_done(&mut self) -> Result {
        self.has_value = true;
        self.pass_on()
    }

    /// An object's key, its line, and the `: ` before its value.
    #[inline]
    fn key(&mut self, first: bool, key: &str) {
        self.line(first);
        string(&mut self.buf, key);
        self.buf.extend_from_slice(b": ");
    }

    /// Opens an array (`[`) or an object (`{`), inside `{"variant": …}` when `variant` is
    /// given.
    fn compound<'b>(&'b mut self, variant: Option<&str>, open: u8) -> Compound<'b, 'a> {
        if let Some(v) = variant {
            self.open(b'{');
            self.key(true, v);
        }
        self.open(open);
        Compound {
            json: self,
            first: true,
            variant: variant.is_some(),
        }
    }

    #[inline]
    fn raw(&mut self, s: &str) -> Result {
        self.buf.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// What JSON escapes of each byte: 0 for nothing, the letter of a short escape, or `u`.
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// The bytes of `w` that are a control byte, `"` or `\`, as their high bit; 0 for none.
#[inline]
fn to_escape(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte below n (n <= 128) leaves its high bit set in (w - n) & !w; so does a zero byte,
    // which is what `"` and `\` become once xor-ed away.
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * n as u64) & !w & HIGH;
    below(w, 0x20) | below(w ^ (ONES * b'"' as u64), 1) | below(w ^ (ONES * b'\\' as u64), 1)
}

/// Whether JSON escapes some byte of `bytes`: eight bytes at a time, the last few padded
/// with spaces (most strings written are keys and names shorter than eight bytes).
#[inline]
fn any_escape(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let mut found = 0;
    for w in &mut words {
        found |= to_escape(u64::from_le_bytes(w.try_into().expect("eight bytes")));
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut w = [b' '; 8];
        w[..rest.len()].copy_from_slice(rest);
        found |= to_escape(u64::from_le_bytes(w));
    }
    found != 0
}

/// `s` as a JSON string, quotes included.
#[inline]
fn string(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    buf.reserve(bytes.len() + 2);
    buf.push(b'"');
    if any_escape(bytes) {
        escaped(buf, bytes);
    } else {
        buf.extend_from_slice(bytes);
    }
    buf.push(b'"');
}

/// The bytes of a string with something to escape, escaped as serde_json escapes them.
#[cold]
fn escaped(buf: &mut Vec<u8>, bytes: &[u8]) {
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = ESCAPE[b as usize];
        if escape == 0 {
            continue;
        }
        buf.extend_from_slice(&bytes[start..i]);
        start = i + 1;
        if escape == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            buf.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ]);
        } else {
            buf.extend_from_slice(&[b'\\', escape]);
        }
    }
    buf.extend_from_slice(&bytes[start..]);
}

/// A serializer's integer methods: each number written by `itoa`, through `$write`.
macro_rules! integers {
    ($write:ident) => {
        integers!($write: serialize_i8 i8, serialize_i16 i16, serialize_i32 i32,
            serialize_i64 i64, serialize_i128 i128, serialize_u8 u8, serialize_u16 u16,
            serialize_u32 u32, serialize_u64 u64, serialize_u128 u128);
    };
    ($write:ident: $($method:ident $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result {
            self.$write(itoa::Buffer::new().format(v))
        }
    )*};
}

/// The open array or object of a value being serialized.
pub struct Compound<'b, 'a> {
    json: &'b mut Json<'a>,
    first: bool,
    /// Inside `{"variant": …}`: one more `}` to close.
    variant: bool,
}

impl<'b, 'a> Compound<'b, 'a> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.json.line(self.first);
        self.first = false;
        value.serialize(&mut *self.json)?;
        self.json.value_done()
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result {
        self.json.key(self.first, key);
        self.first = false;
        value.serialize(&mut *self.json)?;
        self.json.value_done()
    }

    fn end(self, b: u8) -> Result {
        self.json.close(b);
        if self.variant {
            self.json.value_done()?;
            self.json.close(b'}');
        }
        Ok(())
    }
}

impl<'b, 'a> ser::Serializer for &'b mut Json<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'b, 'a>;
    type SerializeTuple = Compound<'b, 'a>;
    type SerializeTupleStruct = Compound<'b, 'a>;
    type SerializeTupleVariant = Compound<'b, 'a>;
    type SerializeMap = Compound<'b, 'a>;
    type SerializeStruct = Compound<'b, 'a>;
    type SerializeStructVariant = Compound<'b, 'a>;

    fn serialize_bool(self, v: bool) -> Result {
        self.raw(if v { "true" } else { "false" })
    }
    integers!(raw);
    fn serialize_f32(self, v: f32) -> Result {
        if v.is_finite() {
            self.raw(zmij::Buffer::new().format_finite(v))
        } else {
            self.raw("null")
        }
    }
    fn serialize_f64(self, v: f64) -> Result {
        if v.is_finite() {
            self.raw(zmij::Buffer::new().format_finite(v))
        } else {
            self.raw("null")
        }
    }
    fn serialize_char(self, v: char) -> Result {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result {
        string(&mut self.buf, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result {
        let mut seq = ser::Serializer::serialize_seq(self, Some(v.len()))?;
        for b in v {
            ser::SerializeSeq::serialize_element(&mut seq, b)?;
        }
        ser::SerializeSeq::end(seq)
    }
    fn serialize_none(self) -> Result {
        self.raw("null")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.raw("null")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result {
        self.raw("null")
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.open(b'{');
        self.key(true, variant);
        value.serialize(&mut *self)?;
        self.value_done()?;
        self.close(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'b, 'a>> {
        Ok(self.compound(None, b'['))
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'b, 'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'b, 'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'b, 'a>> {
        Ok(self.compound(Some(variant), b'['))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'b, 'a>> {
        Ok(self.compound(None, b'{'))
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Compound<'b, 'a>> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'b, 'a>> {
        Ok(self.compound(Some(variant), b'{'))
    }
}

/// The serde traits of the array-like shapes (sequence, tuple, tuple struct, tuple variant):
/// elements, then `]`.
macro_rules! array_like {
    ($($shape:ident :: $method:ident),*) => {$(
        impl ser::$shape for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
                self.element(value)
            }
            fn end(self) -> Result {
                Compound::end(self, b']')
            }
        }
    )*};
}

array_like!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.json.line(self.first);
        self.first = false;
        key.serialize(Key(&mut self.json.buf))?;
        self.json.buf.extend_from_slice(b": ");
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut *self.json)?;
        self.json.value_done()
    }
    fn end(self) -> Result {
        Compound::end(self, b'}')
    }
}

/// The serde traits of structs and struct variants: fields, then `}`.
macro_rules! struct_like {
    ($($shape:ident),*) => {$(
        impl ser::$shape for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result {
                self.field(key, value)
            }
            fn end(self) -> Result {
                Compound::end(self, b'}')
            }
        }
    )*};
}

struct_like!(SerializeStruct, SerializeStructVariant);

/// A map's key: a string, or a number or boolean written as one, as serde_json takes them.
struct Key<'b>(&'b mut Vec<u8>);

impl Key<'_> {
    fn quoted(self, s: &str) -> Result {
        self.0.push(b'"');
        self.0.extend_from_slice(s.as_bytes());
        self.0.push(b'"');
        Ok(())
    }
}

fn key_must_be_a_string() -> Error {
    Error::Value("key must be a string".to_string())
}

impl ser::Serializer for Key<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result {
        self.quoted(if v { "true" } else { "false" })
    }
    integers!(quoted);
    fn serialize_f32(self, v: f32) -> Result {
        if !v.is_finite() {
            return Err(Error::Value(
                "float key must be finite (got NaN or +/-inf)".into(),
            ));
        }
        self.quoted(zmij::Buffer::new().format_finite(v))
    }
    fn serialize_f64(self, v: f64) -> Result {
        if !v.is_finite() {
            return Err(Error::Value(
                "float key must be finite (got NaN or +/-inf)".into(),
            ));
        }
        self.quoted(zmij::Buffer::new().format_finite(v))
    }
    fn serialize_char(self, v: char) -> Result {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result {
        string(self.0, v);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Impossible<(), Error>> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _: usize) -> Result<Impossible<(), Error>> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Impossible<(), Error>> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Impossible<(), Error>> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Impossible<(), Error>> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Impossible<(), Error>> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Impossible<(), Error>> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// serde_json's text of `value`, and ours.
    fn both<T: Serialize + ?Sized>(value: &T) -> (String, String) {
        let theirs = serde_json::to_string_pretty(value).unwrap() + "\n";
        let mut ours = Vec::new();
        pretty_to(&mut ours, value).unwrap();
        (theirs, String::from_utf8(ours).unwrap())
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        // Every byte JSON escapes, at every offset of an eight-byte word, among ASCII and
        // multi-byte characters, in values and in keys.
        let mut specials: Vec<char> = (0u8..0x20).map(char::from).collect();
        specials.extend(['"', '\\', '\u{7f}', 'é', '€', '𝄞', '/', 'a']);
        for &c in &specials {
            for before in 0..17 {
                for after in [0, 1, 7, 8, 9] {
                    let s = format!("{}{c}{}", "x".repeat(before), "é".repeat(after));
                    let (theirs, ours) = both(&s);
                    assert_eq!(ours, theirs, "{s:?}");
                    let map = std::collections::BTreeMap::from([(s.clone(), 1)]);
                    let (theirs, ours) = both(&map);
                    assert_eq!(ours, theirs, "key {s:?}");
                }
            }
        }
        // Runs of escapes and long clean runs.
        let long = "\"\\\n\t\u{1}".repeat(20) + &"clean text ".repeat(50) + "\u{1f}";
        let (theirs, ours) = both(&long);
        assert_eq!(ours, theirs);
    }

    #[test]
    fn every_shape_is_written_as_serde_json_writes_it() {
        #[derive(Serialize)]
        enum E {
            Unit,
            New(f64),
            Tuple(i32, Option<u8>),
            Struct { a: Vec<u8>, b: () },
            Empty {},
        }
        #[derive(Serialize)]
        struct Wrap(Vec<E>);
        #[derive(Serialize)]
        struct Unit;
        #[derive(Serialize)]
        struct All {
            b: (bool, bool),
            ints: (i8, i16, i32, i64, i128, u8, u16, u32, u64, u128),
            floats: Vec<f64>,
            f32s: Vec<f32>,
            c: char,
            bytes: serde_bytes_like::Bytes,
            none: Option<u8>,
            unit: (),
            unit_struct: Unit,
            wrap: Wrap,
            empty: Vec<u8>,
            empty_map: std::collections::BTreeMap<String, u8>,
            int_keys: std::collections::BTreeMap<i64, bool>,
            bool_keys: std::collections::BTreeMap<bool, ()>,
            char_keys: std::collections::BTreeMap<char, u8>,
            nested: Vec<Vec<Vec<u8>>>,
        }
        mod serde_bytes_like {
            pub struct Bytes(pub Vec<u8>);
            impl serde::Serialize for Bytes {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_bytes(&self.0)
                }
            }
        }
        let all = All {
            b: (true, false),
            ints: (
                i8::MIN,
                i16::MIN,
                -7,
                i64::MIN,
                i128::MIN,
                u8::MAX,
                u16::MAX,
                0,
                u64::MAX,
                u128::MAX,
            ),
            floats: vec![
                0.0,
                -0.0,
                1.0,
                0.1,
                1e300,
                -2.5e-300,
                f64::NAN,
                f64::INFINITY,
                f64::MIN_POSITIVE,
                123456789.125,
                1.0 / 3.0,
            ],
            f32s: vec![0.1, f32::MAX, f32::NEG_INFINITY, 3.0],
            c: '\n',
            bytes: serde_bytes_like::Bytes(vec![0, 255, 7]),
            none: None,
            unit: (),
            unit_struct: Unit,
            wrap: Wrap(vec![
                E::Unit,
                E::New(2.5),
                E::Tuple(-1, Some(3)),
                E::Tuple(0, None),
                E::Struct { a: vec![], b: () },
                E::Struct {
                    a: vec![1, 2],
                    b: (),
                },
                E::Empty {},
            ]),
            empty: vec![],
            empty_map: Default::default(),
            int_keys: [(-3, true), (40, false)].into(),
            bool_keys: [(false, ()), (true, ())].into(),
            char_keys: [('"', 1), ('k', 2)].into(),
            nested: vec![vec![], vec![vec![]], vec![vec![1], vec![]]],
        };
        let (theirs, ours) = both(&all);
        assert_eq!(ours, theirs);
        // Nesting past the levels written with one slice.
        let mut deep = serde_json::json!({"leaf": [1, {"a": []}, {}]});
        for i in 0..40 {
            deep = if i % 2 == 0 {
                serde_json::json!([deep, [], {}, i])
            } else {
                serde_json::json!({"k": deep, "e": [], "o": {}, "n": null, "f": 1.5})
            };
        }
        let (theirs, ours) = both(&deep);
        assert_eq!(ours, theirs);
    }

    #[test]
    fn a_key_json_cannot_hold_is_an_error_not_a_panic() {
        let map = std::collections::BTreeMap::from([(vec![1u8], 1)]);
        let err = pretty_to(&mut Vec::new(), &map).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert_eq!(err.to_string(), "key must be a string");
    }

    #[test]
    fn the_writers_error_comes_back_as_it_came() {
        /// Takes `room` bytes, then refuses as a closed pipe does.
        struct Pipe {
            room: usize,
        }
        impl io::Write for Pipe {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                if b.len() > self.room {
                    return Err(io::Error::from(io::ErrorKind::BrokenPipe));
                }
                self.room -= b.len();
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        // Larger than a piece, so it is passed on while being written, and at the end.
        let big: Vec<String> = (0..20_000).map(|i| format!("value {i}")).collect();
        for room in [0, Json::SIZE + 10, usize::MAX] {
            let result = pretty_to(&mut Pipe { room }, &big);
            if room == usize::MAX {
                assert!(result.is_ok());
            } else {
                assert_eq!(result.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
            }
        }
    }
}
