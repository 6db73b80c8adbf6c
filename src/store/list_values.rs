//! Column values as the list page reads them (issue 20): text that says whether it can be
//! copied into JSON as it is, and times kept as Postgres sends them.
//!
//! The page writes each value once and throws it away, so the usual decoded types did work the
//! page never used. A `&str` is checked as UTF-8 by sqlx and then scanned again by the JSON
//! writer for bytes to escape; [`Text`] scans once, and only text that is not plain ASCII is
//! checked as UTF-8, exactly as sqlx checks it (an invalid value fails to decode as before).
//! A `DateTime<Utc>` from Postgres is built with chrono's date arithmetic (about 200
//! instructions a value, callgrind) to be taken apart again into year, month and day; a
//! [`StoredTime`] keeps the microseconds Postgres sends (its binary `timestamptz`, microseconds
//! since 2000-01-01 UTC), and the writer derives the date itself. SQLite keeps its text, so there
//! both types decode through sqlx's own `&str` and `DateTime<Utc>` and behave exactly as those do.

use chrono::{DateTime, Utc};
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgTypeInfo, PgValueFormat, PgValueRef};
use sqlx::sqlite::{SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Postgres, Sqlite, Type};

/// A text column's value, sorted by what the JSON writer must do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text<'r> {
    /// Printable ASCII without `"` or `\`: its JSON string is the bytes between two quotes.
    Plain(&'r [u8]),
    /// Anything else, checked as UTF-8: written through `serde_json`.
    Other(&'r str),
}

impl<'r> Text<'r> {
    /// Sorts valid UTF-8 (SQLite's text, and tests).
    pub fn of_str(s: &'r str) -> Self {
        if is_plain(s.as_bytes()) {
            Text::Plain(s.as_bytes())
        } else {
            Text::Other(s)
        }
    }

    /// Sorts bytes that should be UTF-8; fails as `str::from_utf8` does when they are not.
    pub fn of_bytes(bytes: &'r [u8]) -> Result<Self, std::str::Utf8Error> {
        if is_plain(bytes) {
            Ok(Text::Plain(bytes))
        } else {
            std::str::from_utf8(bytes).map(Text::Other)
        }
    }

    /// The value as a `str`: plain text is ASCII, so the check cannot fail (short fields the
    /// list looks at, such as the status, are compared as bytes and need this only rarely).
    pub fn as_str(&self) -> &'r str {
        match self {
            Text::Plain(b) => std::str::from_utf8(b).unwrap_or_default(),
            Text::Other(s) => s,
        }
    }

    /// The value's bytes (UTF-8 in both cases).
    pub fn as_bytes(&self) -> &'r [u8] {
        match self {
            Text::Plain(b) => b,
            Text::Other(s) => s.as_bytes(),
        }
    }
}

/// Whether every byte is printable ASCII (0x20 to 0x7f) other than `"` and `\`, the bytes
/// `serde_json` writes unchanged.
///
/// Sixteen bytes at a time with no early exit inside a block, which the compiler turns into a
/// few vector compares; the last partial block is checked as the last sixteen bytes (they
/// overlap the block before). Text shorter than a block, one byte at a time.
pub fn is_plain(bytes: &[u8]) -> bool {
    let (blocks, rest) = bytes.as_chunks::<16>();
    let tail = match bytes.len().checked_sub(16) {
        Some(from) if !rest.is_empty() => bytes[from..].first_chunk::<16>(),
        Some(_) => None,
        None => return !bytes.iter().fold(false, |bad, &b| bad | needs_care(b)),
    };
    let block_bad = |block: &[u8; 16]| block.iter().fold(false, |bad, &b| bad | needs_care(b));
    let bad = blocks
        .iter()
        .fold(false, |bad, block| bad | block_bad(block));
    !(bad | tail.is_some_and(block_bad))
}

/// A byte `serde_json` escapes, or one that is not ASCII.
fn needs_care(b: u8) -> bool {
    !(0x20..0x80).contains(&b) | (b == b'"') | (b == b'\\')
}

impl Type<Postgres> for Text<'_> {
    fn type_info() -> PgTypeInfo {
        <&str as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <&str as Type<Postgres>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Postgres> for Text<'r> {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        // Postgres sends text as its bytes in both formats, as sqlx's `&str` decode assumes.
        Ok(Text::of_bytes(value.as_bytes()?)?)
    }
}

impl Type<Sqlite> for Text<'_> {
    fn type_info() -> SqliteTypeInfo {
        <&str as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <&str as Type<Sqlite>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Sqlite> for Text<'r> {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        <&str as Decode<Sqlite>>::decode(value).map(Text::of_str)
    }
}

/// Microseconds from 1970-01-01 to 2000-01-01, Postgres's epoch for `timestamptz`.
const PG_EPOCH_UNIX_MICROS: i64 = 946_684_800_000_000;

/// Unix microseconds from 0000-01-01T00:00:00Z up to 10000-01-01T00:00:00Z (excluded): the
/// times RFC 3339 can write, and those the list's time writer writes itself.
pub const FOUR_DIGIT_YEARS: std::ops::Range<i64> = -62_167_219_200_000_000..253_402_300_800_000_000;

/// A `timestamptz` column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredTime {
    /// Microseconds since 1970-01-01 UTC, a time chrono can hold (Postgres's binary value).
    UnixMicros(i64),
    /// As sqlx decodes it (SQLite's text, Postgres's text format).
    Chrono(DateTime<Utc>),
}

impl StoredTime {
    /// The time as sqlx would have decoded it.
    pub fn to_utc(self) -> DateTime<Utc> {
        match self {
            // `UnixMicros` holds only values chrono can represent (see `decode`).
            StoredTime::UnixMicros(us) => DateTime::from_timestamp_micros(us).unwrap_or_default(),
            StoredTime::Chrono(t) => t,
        }
    }

    /// `DateTime::timestamp_micros` of [`StoredTime::to_utc`].
    pub fn timestamp_micros(self) -> i64 {
        match self {
            StoredTime::UnixMicros(us) => us,
            StoredTime::Chrono(t) => t.timestamp_micros(),
        }
    }
}

impl From<DateTime<Utc>> for StoredTime {
    fn from(t: DateTime<Utc>) -> Self {
        StoredTime::Chrono(t)
    }
}

impl Type<Postgres> for StoredTime {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <DateTime<Utc> as Type<Postgres>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Postgres> for StoredTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        if value.format() != PgValueFormat::Binary {
            return <DateTime<Utc> as Decode<Postgres>>::decode(value).map(StoredTime::Chrono);
        }
        // Binary `timestamptz` is exactly 8 bytes, big-endian (sqlx's own int decode also took
        // shorter input, which Postgres never sends for this type).
        let bytes = <[u8; 8]>::try_from(value.as_bytes()?)
            .map_err(|_| "binary timestamptz is not 8 bytes")?;
        let since_2000 = i64::from_be_bytes(bytes);
        // Outside chrono's range (±262 000 years, or `infinity`) sqlx's decode panics; this is
        // an error instead.
        let us = since_2000
            .checked_add(PG_EPOCH_UNIX_MICROS)
            .filter(|&us| {
                FOUR_DIGIT_YEARS.contains(&us) || DateTime::from_timestamp_micros(us).is_some()
            })
            .ok_or("timestamptz out of range for chrono")?;
        Ok(StoredTime::UnixMicros(us))
    }
}

impl Type<Sqlite> for StoredTime {
    fn type_info() -> SqliteTypeInfo {
        <DateTime<Utc> as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <DateTime<Utc> as Type<Sqlite>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Sqlite> for StoredTime {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        <DateTime<Utc> as Decode<Sqlite>>::decode(value).map(StoredTime::Chrono)
    }
}

#[cfg(test)]
#[path = "list_values_tests.rs"]
mod tests;
