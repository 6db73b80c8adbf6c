//! The list page's JSON, written straight from the borrowed rows (issue 20).
//!
//! A list item is the full payment view (docs/api.md, "Payments"): the same fields in the same
//! order, byte for byte what `views::payment_full` renders for the same payment, which the
//! tests pin against the retrieve answer on both stores. Going through serde cost about 40 k
//! instructions per row: every key and value passed serde_json's byte-at-a-time escaper in small
//! writes, each timestamp was a chrono `String`, each amount a `format!` and a currency-table
//! lookup. Here the keys are constant text, a value that needs no escaping (nearly all of them)
//! is copied after one scan, and anything unusual goes back to the crate that defines the
//! bytes: strings with escapes through `serde_json`, times outside years 0 to 9999 (or a leap
//! second) through chrono, stored JSON text through the same `RawValue` check as the view.

use crate::domain::money::Currency;
use crate::store::payments::{ListedPayment, StoredTime, Text, FOUR_DIGIT_YEARS};
use chrono::{DateTime, Datelike, Timelike, Utc};
use serde_json::value::RawValue;

/// Appends `s` as a JSON string, exactly as `serde_json` writes it.
pub fn write_str(buf: &mut Vec<u8>, s: &str) {
    write_text(buf, Text::of_str(s));
}

/// Appends text as a JSON string, exactly as `serde_json` writes it: plain text is copied
/// between quotes, anything else goes through `serde_json` itself.
pub fn write_text(buf: &mut Vec<u8>, t: Text<'_>) {
    match t {
        Text::Plain(bytes) => {
            buf.push(b'"');
            buf.extend_from_slice(bytes);
            buf.push(b'"');
        }
        // Writing a str into a Vec cannot fail.
        Text::Other(s) => {
            let _ = serde_json::to_writer(&mut *buf, s);
        }
    }
}

fn write_opt_text(buf: &mut Vec<u8>, t: Option<Text<'_>>) {
    match t {
        Some(t) => write_text(buf, t),
        None => buf.extend_from_slice(b"null"),
    }
}

/// Stored JSON text as the view passes it through: as written when it parses, else `null`.
/// Plain text is ASCII, for which `from_slice` and the view's `from_str` are the same parser.
fn write_json_text(buf: &mut Vec<u8>, raw: Option<Text<'_>>) {
    let parsed = match raw {
        Some(Text::Plain(b)) => serde_json::from_slice::<&RawValue>(b).ok(),
        Some(Text::Other(s)) => serde_json::from_str::<&RawValue>(s).ok(),
        None => None,
    };
    match parsed {
        Some(v) => buf.extend_from_slice(v.get().as_bytes()),
        None => buf.extend_from_slice(b"null"),
    }
}

fn two_digits(buf: &mut Vec<u8>, n: u32) {
    buf.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]);
}

/// Appends `views::ts(t)` quoted: RFC 3339 in whole seconds with `Z`.
pub fn write_ts(buf: &mut Vec<u8>, t: DateTime<Utc>) {
    // The stored UTC date and time as they are: no offset arithmetic.
    let utc = t.naive_utc();
    let (date, time) = (utc.date(), utc.time());
    let year = date.year();
    if !(0..=9999).contains(&year) || time.nanosecond() >= 1_000_000_000 {
        return write_str(buf, &super::views::ts(t));
    }
    let year = year as u32;
    buf.push(b'"');
    two_digits(buf, year / 100);
    two_digits(buf, year % 100);
    buf.push(b'-');
    two_digits(buf, date.month());
    buf.push(b'-');
    two_digits(buf, date.day());
    buf.push(b'T');
    two_digits(buf, time.hour());
    buf.push(b':');
    two_digits(buf, time.minute());
    buf.push(b':');
    two_digits(buf, time.second());
    buf.extend_from_slice(b"Z\"");
}

/// Appends `views::ts` of a stored time, quoted. Postgres's microseconds in years 0 to 9999 are
/// written here; anything else (SQLite's chrono times, other years) by [`write_ts`].
pub fn write_time(buf: &mut Vec<u8>, t: StoredTime) {
    match t {
        StoredTime::UnixMicros(us) if FOUR_DIGIT_YEARS.contains(&us) => write_unix_micros(buf, us),
        other => write_ts(buf, other.to_utc()),
    }
}

/// `"YYYY-MM-DDTHH:MM:SSZ"` for Unix microseconds inside [`FOUR_DIGIT_YEARS`] (callers check).
fn write_unix_micros(buf: &mut Vec<u8>, us: i64) {
    let secs = us.div_euclid(1_000_000);
    let (days, second_of_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let mut out = *b"\"0000-00-00T00:00:00Z\"";
    for (at, n) in [
        (1, year / 100),
        (3, year % 100),
        (6, month),
        (9, day),
        (12, second_of_day / 3600),
        (15, second_of_day / 60 % 60),
        (18, second_of_day % 60),
    ] {
        // Each n is 0 to 99 here.
        out[at] = b'0' + (n / 10) as u8;
        out[at + 1] = b'0' + (n % 10) as u8;
    }
    buf.extend_from_slice(&out);
}

/// (year, month, day) of the proleptic Gregorian calendar for days since 1970-01-01: Howard
/// Hinnant's `civil_from_days` ("chrono-Compatible Low-Level Date Algorithms"), which counts
/// 400-year eras from 0000-03-01 so that the leap day ends each era's year.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let (era, day_of_era) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = era * 400 + year_of_era + i64::from(month <= 2);
    (year, month, day)
}

/// Appends `n` in decimal, at least `width` digits (zero-padded on the left).
fn write_u64(buf: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while n > 0 || start == digits.len() {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    buf.extend_from_slice(&digits[digits.len().saturating_sub(width).min(start)..]);
}

/// Appends the view's amount string: `format_minor` in the currency, or the bare minor units
/// when the stored code is not a currency Payrail knows.
pub fn write_amount(buf: &mut Vec<u8>, minor: i64, currency: Option<Currency>) {
    buf.push(b'"');
    if minor < 0 {
        buf.push(b'-');
    }
    let abs = minor.unsigned_abs();
    match currency.map(|c| c.digits()).unwrap_or(0) {
        0 => write_u64(buf, abs, 1),
        d => {
            // ISO 4217 minor units are 0 to 4 digits; `format_minor` has the same bound.
            let scale = 10u64.pow(d);
            write_u64(buf, abs / scale, 1);
            buf.push(b'.');
            write_u64(buf, abs % scale, d as usize);
        }
    }
    buf.push(b'"');
}

/// `Currency::parse` for each row, remembered for the last code seen (a page is mostly one).
#[derive(Default)]
pub struct CurrencyMemo(Option<([u8; 3], Option<Currency>)>);

impl CurrencyMemo {
    pub fn get(&mut self, code: &str) -> Option<Currency> {
        let Ok(key) = <[u8; 3]>::try_from(code.as_bytes()) else {
            return Currency::parse(code);
        };
        match self.0 {
            Some((k, c)) if k == key => c,
            _ => {
                let c = Currency::parse(code);
                self.0 = Some((key, c));
                c
            }
        }
    }
}

/// Appends one payment, the fields in `views::PaymentFull`'s order.
pub fn write_payment(
    buf: &mut Vec<u8>,
    p: &ListedPayment<'_>,
    actions: &[Option<&'static str>],
    currency: Option<Currency>,
) {
    buf.extend_from_slice(b"{\"id\":");
    write_text(buf, p.id);
    buf.extend_from_slice(b",\"status\":");
    write_str(buf, p.status);
    buf.extend_from_slice(b",\"amount\":");
    write_amount(buf, p.amount_minor, currency);
    buf.extend_from_slice(b",\"currency\":");
    write_str(buf, p.currency);
    buf.extend_from_slice(b",\"order_id\":");
    write_text(buf, p.order_id);
    for (key, value) in [
        (&b",\"provider\":"[..], p.provider.map(Text::of_str)),
        (b",\"method\":", p.method),
        (b",\"external_id\":", p.external_id),
        (b",\"checkout_url\":", p.checkout_url),
        (b",\"callback_url\":", p.callback_url),
        (b",\"return_url\":", p.return_url),
        (b",\"cancel_url\":", p.cancel_url),
    ] {
        buf.extend_from_slice(key);
        write_opt_text(buf, value);
    }
    buf.extend_from_slice(b",\"customer\":");
    write_json_text(buf, p.customer);
    buf.extend_from_slice(b",\"description\":");
    write_opt_text(buf, p.description);
    buf.extend_from_slice(b",\"metadata\":");
    write_json_text(buf, p.metadata);
    buf.extend_from_slice(b",\"refunded_amount\":");
    write_amount(buf, p.refunded_minor, currency);
    buf.extend_from_slice(b",\"status_detail\":");
    write_opt_text(buf, p.status_detail);
    buf.extend_from_slice(b",\"provider_status\":");
    write_opt_text(buf, p.provider_status);
    buf.extend_from_slice(b",\"available_actions\":[");
    for (n, action) in actions.iter().flatten().enumerate() {
        if n > 0 {
            buf.push(b',');
        }
        write_str(buf, action);
    }
    buf.extend_from_slice(b"],\"created_at\":");
    write_time(buf, p.created_at);
    buf.extend_from_slice(b",\"updated_at\":");
    write_time(buf, p.updated_at);
    buf.extend_from_slice(b",\"completed_at\":");
    match p.completed_at {
        Some(t) => write_time(buf, t),
        None => buf.extend_from_slice(b"null"),
    }
    buf.extend_from_slice(b",\"expires_at\":");
    write_time(buf, p.expires_at);
    buf.push(b'}');
}

#[cfg(test)]
#[path = "list_json_tests.rs"]
mod tests;
