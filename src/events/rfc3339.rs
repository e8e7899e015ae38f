//! RFC 3339 timestamps on the fixed layout every log writer uses
//! (`YYYY-MM-DDTHH:MM:SS[.f…](Z|±HH:MM)`), parsed by hand: the fast path of
//! [`super::read::parse_time`]. Anything else (lower-case `t`/`z`, a space for `T`, a leap
//! second, `-00:00`, years before 1000 or after 9998, …) is not taken here and goes to jiff,
//! which decided before; where this path answers, its answer is jiff's (the tests below check
//! it against jiff on many inputs).

/// Milliseconds since 1970 of a timestamp on the fixed layout, truncated toward zero as
/// `jiff::Timestamp::as_millisecond` does; `None` when `t` is not on that layout.
pub fn parse_fixed(t: &[u8]) -> Option<i64> {
    parse_cached(t, &mut Day::default())
}

/// The last date parsed: its text (`YYYY-MM-DD`, checked) and its first second since 1970.
/// Consecutive rows of a log mostly share their date, so it need not be read again.
#[derive(Clone, Debug, Default)]
pub struct Day {
    text: [u8; 10],
    seconds: Option<i64>,
}

/// Two ASCII digits at `t[at..at + 2]` as a number.
#[inline]
fn two(t: &[u8], at: usize) -> Option<u32> {
    let (a, b) = (t[at].wrapping_sub(b'0'), t[at + 1].wrapping_sub(b'0'));
    (a < 10 && b < 10).then(|| u32::from(a) * 10 + u32::from(b))
}

/// [`parse_fixed`], reading the date again only when it differs from the last text's
/// (`cache`): the same answer for every text.
pub fn parse_cached(t: &[u8], cache: &mut Day) -> Option<i64> {
    // 2026-01-01T00:00:00Z is the shortest: 20 bytes.
    if t.len() < 20 || t[10] != b'T' || t[13] != b':' || t[16] != b':' {
        return None;
    }
    let day = match cache.seconds {
        Some(s) if t[..10] == cache.text => s,
        _ => {
            let s = day_of(&t[..10])?;
            cache.text.copy_from_slice(&t[..10]);
            cache.seconds = Some(s);
            s
        }
    };
    let (hour, minute, second) = (two(t, 11)?, two(t, 14)?, two(t, 17)?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &t[19..];
    // The fraction: 1 to 9 digits after a dot.
    let mut nanos: i64 = 0;
    if let [b'.', tail @ ..] = rest {
        let n = tail.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return None;
        }
        for &b in &tail[..n] {
            nanos = nanos * 10 + (b - b'0') as i64;
        }
        for _ in n..9 {
            nanos *= 10;
        }
        rest = &tail[n..];
    }
    let offset = match rest {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let h = digits(&[*h1, *h2])?;
            let m = digits(&[*m1, *m2])?;
            if h > 23 || m > 59 {
                return None;
            }
            let off = (h * 3600 + m * 60) as i64;
            match sign {
                b'+' => off,
                // `-00:00` ("offset unknown") is left to jiff.
                _ if off == 0 => return None,
                _ => -off,
            }
        }
        _ => return None,
    };
    let secs = day + (hour * 3600 + minute * 60 + second) as i64 - offset;
    // The instant in nanoseconds, truncated toward zero to milliseconds (as jiff does):
    // before 1970 a fraction that is not whole milliseconds rounds up.
    let ms = secs * 1000 + nanos / 1_000_000;
    Some(match secs < 0 && nanos % 1_000_000 != 0 {
        true => ms + 1,
        false => ms,
    })
}

/// Seconds since 1970 of the start of `YYYY-MM-DD`, `None` off the layout.
fn day_of(t: &[u8]) -> Option<i64> {
    if t[4] != b'-' || t[7] != b'-' {
        return None;
    }
    let year = digits(&t[0..4])?;
    let (month, day) = (two(t, 5)?, two(t, 8)?);
    if !(1000..=9998).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year as i64, month, day) * 86_400)
}

/// A run of ASCII digits as a number.
fn digits(b: &[u8]) -> Option<u32> {
    let mut n = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (c - b'0') as u32;
    }
    Some(n)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jiff(s: &str) -> Option<i64> {
        s.parse::<jiff::Timestamp>()
            .ok()
            .map(|t| t.as_millisecond())
    }

    /// Where the fast path answers, jiff accepts the text and gives the same milliseconds.
    fn agrees(s: &str) {
        if let Some(ms) = parse_fixed(s.as_bytes()) {
            assert_eq!(Some(ms), jiff(s), "{s}");
        }
    }

    #[test]
    fn the_fixed_layout_is_read_as_jiff_reads_it() {
        for (s, ms) in [
            ("1970-01-01T00:00:00Z", Some(0)),
            ("2026-01-01T00:00:00Z", Some(1_767_225_600_000)),
            ("2026-01-01T00:00:00.123Z", Some(1_767_225_600_123)),
            ("2026-01-01T00:00:00.1239Z", Some(1_767_225_600_123)),
            ("2026-01-01T01:00:00+01:00", Some(1_767_225_600_000)),
            ("2025-12-31T19:30:00-04:30", Some(1_767_225_600_000)),
            ("1969-12-31T23:59:59.9995Z", Some(0)),
            ("1969-12-31T23:59:59.5Z", Some(-500)),
            ("1969-12-31T23:59:58.9999Z", Some(-1000)),
            ("2024-02-29T12:00:00Z", Some(1_709_208_000_000)),
            // Not on the layout: jiff decides.
            ("2023-02-29T12:00:00Z", None),
            ("2026-01-01t00:00:00Z", None),
            ("2026-01-01 00:00:00Z", None),
            ("2026-01-01T00:00:00z", None),
            ("2026-01-01T00:00:60Z", None),
            ("2026-01-01T24:00:00Z", None),
            ("2026-01-01T00:00:00-00:00", None),
            ("2026-01-01T00:00:00+0100", None),
            ("2026-01-01T00:00:00.Z", None),
            ("2026-01-01T00:00:00.1234567890Z", None),
            ("2026-01-01T00:00:00", None),
            ("2026-01-01T00:00Z", None),
            ("0999-01-01T00:00:00Z", None),
            ("9999-12-31T23:59:59Z", None),
            ("2026-13-01T00:00:00Z", None),
            ("2026-00-01T00:00:00Z", None),
            ("2026-04-31T00:00:00Z", None),
            ("2026-01-01T00:00:00+24:00", None),
            ("2026-01-01T00:00:00Z[UTC]", None),
            ("+2026-01-01T00:00:00Z", None),
        ] {
            assert_eq!(parse_fixed(s.as_bytes()), ms, "{s}");
            agrees(s);
        }
    }

    #[test]
    fn many_timestamps_agree_with_jiff() {
        // A fixed xorshift stream: dates over the whole range, every fraction length, offsets
        // on both sides, then each text mutated one byte at a time.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let mut answered = 0;
        let mut cache = Day::default();
        let mut minute = None;
        for _ in 0..200_000 {
            let year = match next(4) {
                0 => 1000 + next(9000),
                1 => 1965 + next(10),
                _ => 1970 + next(100),
            };
            let (month, day) = (1 + next(12), 1 + next(31));
            let (h, m, s) = (next(25), next(61), next(61));
            // Half the texts keep the previous text's date, hour and minute (the cache's fast path).
            let (year, month, day, h, m) = match (next(2), minute) {
                (0, Some(kept)) => kept,
                _ => (year, month, day, h, m),
            };
            minute = Some((year, month, day, h, m));
            let frac = match next(11) {
                0 => String::new(),
                k => {
                    let digits: String =
                        (0..k).map(|_| char::from(b'0' + next(10) as u8)).collect();
                    format!(".{digits}")
                }
            };
            let off = match next(5) {
                0 => "Z".to_string(),
                1 => "+00:00".to_string(),
                2 => "-00:00".to_string(),
                _ => format!(
                    "{}{:02}:{:02}",
                    if next(2) == 0 { '+' } else { '-' },
                    next(25),
                    next(61)
                ),
            };
            let text = format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}{frac}{off}");
            agrees(&text);
            answered += parse_fixed(text.as_bytes()).is_some() as u32;
            // The cached parse, after the previous texts (often of the same date), answers
            // as the uncached one.
            assert_eq!(
                parse_cached(text.as_bytes(), &mut cache),
                parse_fixed(text.as_bytes()),
                "{text}"
            );
            let mut bytes = text.into_bytes();
            let at = next(bytes.len() as u64) as usize;
            bytes[at] = b"0123456789-+:.TZtz x"[next(20) as usize];
            if let Ok(s) = std::str::from_utf8(&bytes) {
                agrees(s);
                assert_eq!(parse_cached(&bytes, &mut cache), parse_fixed(&bytes), "{s}");
            }
        }
        // Most generated texts are on the layout and valid: the fast path was exercised.
        assert!(answered > 50_000, "{answered}");
    }
}
