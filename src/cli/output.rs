//! Standard output and standard error, without panics: `print!` panics when the output cannot
//! be written (a full disk, a reader that has gone away), and a command must never end that
//! way.
//!
//! - A closed pipe (`journeyc check … | head`: the reader has what it wants) ends the output
//!   quietly; the command still ends with the exit code of what it found.
//! - Any other write error (`> /dev/full`) is an I/O error: exit 2, with the reason.
//! - Standard error is written on a best-effort basis: when even it cannot be written, there is
//!   nowhere left to say so.

use super::Failure;
use std::io::{ErrorKind, Write};

/// The width of text tables: `--width N`, else the `COLUMNS` environment variable, else the
/// terminal's, else [`PIPE_WIDTH`] columns when standard output is a pipe or a file (`None`: a
/// terminal whose width is unknown; the tables are as wide as their cells).
///
/// [`PIPE_WIDTH`]: crate::report::text::PIPE_WIDTH
pub fn table_width(flag: Option<u16>) -> Option<u16> {
    use std::io::IsTerminal;
    if let Some(w) = flag {
        return Some(w);
    }
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|&c| c > 0);
    if columns.is_some() {
        return columns;
    }
    if std::io::stdout().is_terminal() {
        return console::Term::stdout()
            .size_checked()
            .map(|(_, columns)| columns);
    }
    Some(crate::report::text::PIPE_WIDTH)
}

/// Writes `text` to standard output and flushes it.
pub fn out(text: &str) -> Result<(), Failure> {
    write_to(&mut std::io::stdout().lock(), text)
}

/// Writes `text` to `w` and flushes it: a closed pipe is not an error, other errors are.
pub fn write_to(w: &mut impl Write, text: &str) -> Result<(), Failure> {
    match w.write_all(text.as_bytes()).and_then(|()| w.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(failure(&e)),
    }
}

/// Streams to standard output through a buffer: `write` writes as it goes, and what a closed
/// pipe or another error does is what [`write_to`] does. Nothing is built whole first, so an
/// output many times the size of its input never sits in memory.
pub fn stream(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Failure> {
    stream_to(&mut std::io::stdout().lock(), write)
}

/// [`stream`] to `w`.
pub fn stream_to(
    w: &mut impl Write,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, w);
    let result = write(&mut buffered).and_then(|()| buffered.flush());
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(failure(&e)),
    }
}

/// [`stream`] for a report written as text (the table reports write into a
/// [`std::fmt::Write`]): each piece goes out through the buffer as it is written. After a
/// failed write the rest is not written, and the failure is what [`stream`] makes of it.
pub fn stream_text(write: impl FnOnce(&mut dyn std::fmt::Write)) -> Result<(), Failure> {
    stream(|w| text_to(w, write))
}

/// Writes what `write` writes as text into `w`: the first I/O error, if any.
pub fn text_to(
    w: &mut dyn Write,
    write: impl FnOnce(&mut dyn std::fmt::Write),
) -> std::io::Result<()> {
    /// A text writer over an I/O writer that keeps the first I/O error.
    struct Text<'a> {
        w: &'a mut dyn Write,
        error: Option<std::io::Error>,
    }
    impl std::fmt::Write for Text<'_> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            if self.error.is_some() {
                return Err(std::fmt::Error);
            }
            self.w.write_all(s.as_bytes()).map_err(|e| {
                self.error = Some(e);
                std::fmt::Error
            })
        }
    }
    let mut text = Text { w, error: None };
    write(&mut text);
    text.error.map_or(Ok(()), Err)
}

/// The failure of a write to standard output.
pub fn failure(e: &std::io::Error) -> Failure {
    Failure(format!(
        "cannot write to standard output: {}",
        crate::model::io_reason(e)
    ))
}

/// Writes `text` to standard error, ignoring errors.
pub fn err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

/// [`err`] with a formatted line (`errln!("note: {x}")`), the panic-free `eprintln!`.
#[macro_export]
#[doc(hidden)]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::output::err(&format!("{}\n", format_args!($($arg)*)))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that fails every write with `kind`.
    struct Failing(ErrorKind);

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::from(self.0))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn text_streams_and_keeps_the_first_error() {
        let mut fine = Vec::new();
        let written = text_to(&mut fine, |out| {
            let _ = write!(out, "a {} ", 1);
            let _ = out.write_str("b");
        });
        assert!(written.is_ok());
        assert_eq!(fine, b"a 1 b");
        let full = text_to(&mut Failing(ErrorKind::StorageFull), |out| {
            assert!(out.write_str("x").is_err());
            assert!(out.write_str("y").is_err());
        });
        assert_eq!(full.unwrap_err().kind(), ErrorKind::StorageFull);
        let closed = stream_to(&mut Failing(ErrorKind::BrokenPipe), |w| {
            text_to(w, |out| {
                let _ = out.write_str(&"z".repeat(100_000));
            })
        });
        assert_eq!(closed, Ok(()));
    }

    #[test]
    fn a_closed_pipe_is_not_an_error_and_a_full_disk_is() {
        assert_eq!(write_to(&mut Failing(ErrorKind::BrokenPipe), "x"), Ok(()));
        let full = write_to(&mut Failing(ErrorKind::StorageFull), "x").unwrap_err();
        assert!(
            full.0.starts_with("cannot write to standard output: "),
            "{full}"
        );
        let mut fine = Vec::new();
        assert_eq!(write_to(&mut fine, "text"), Ok(()));
        assert_eq!(fine, b"text");
    }

    #[test]
    fn a_stream_fails_as_a_single_write_does() {
        let text = |w: &mut dyn Write| w.write_all(&[b'x'; 100_000]);
        assert_eq!(stream_to(&mut Failing(ErrorKind::BrokenPipe), text), Ok(()));
        let full = stream_to(&mut Failing(ErrorKind::StorageFull), text).unwrap_err();
        assert!(
            full.0.starts_with("cannot write to standard output: "),
            "{full}"
        );
        // A failure of the writer's own work is reported the same way.
        let own = stream_to(&mut Vec::new(), |_| Err(ErrorKind::StorageFull.into()));
        assert!(own.is_err());
        let mut fine = Vec::new();
        assert_eq!(stream_to(&mut fine, |w| w.write_all(b"text")), Ok(()));
        assert_eq!(fine, b"text");
    }
}
