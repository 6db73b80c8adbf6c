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

/// `"00"` to `"99"`.
const PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0u8; 2]; 100];
    let mut n = 0;
    while n < 100 {
        pairs[n] = [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
        n += 1;
    }
    pairs
};

/// `"YYYY-MM-DDTHH:MM:SSZ"` for Unix microseconds inside [`FOUR_DIGIT_YEARS`] (callers check;
/// outside it the digits would be wrong, never out of bounds). Unsigned arithmetic from
/// 0000-01-01, so every division is by a constant and needs no sign fix-up.
fn write_unix_micros(buf: &mut Vec<u8>, us: i64) {
    let secs = us.abs_diff(FOUR_DIGIT_YEARS.start) / 1_000_000;
    let (days, second_of_day) = (secs / 86_400, secs % 86_400);
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
        // `% 100` only to keep the index in range for any input.
        out[at..at + 2].copy_from_slice(&PAIRS[(n % 100) as usize]);
    }
    buf.extend_from_slice(&out);
}

/// (year, month, day) of the proleptic Gregorian calendar for days since 0000-01-01: Howard
/// Hinnant's `civil_from_days` ("chrono-Compatible Low-Level Date Algorithms"), which counts
/// 400-year eras from a March 1st so that the leap day ends each era's year. Counted here from
/// -0400-03-01 (0000-01-01 is that era's day 146 037) so that nothing is negative.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 146_037;
    let (era, day_of_era) = (z / 146_097, z % 146_097);
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
    // At least 400 for any `days` (0000-01-01 gives 399 + 1).
    let year = (era * 400 + year_of_era + u64::from(month <= 2)).saturating_sub(400);
    (year, month, day)
}

/// Appends the view's amount string: `format_minor` in the currency, or the bare minor units
/// when the stored code is not a currency Payrail knows. Written backwards into one small array
/// and appended once.
pub fn write_amount(buf: &mut Vec<u8>, minor: i64, currency: Option<Currency>) {
    // ISO 4217 minor units are 0 to 4 digits; the bound keeps the array's index in range for
    // any value (u64 has at most 20 digits: 2 quotes, a sign, 20 + 1 digits and a point fit).
    let fraction_digits = currency.map_or(0, |c| c.digits()).min(20);
    let mut out = [0u8; 32];
    let mut at = out.len();
    let mut put = |b: u8| {
        at -= 1;
        out[at] = b;
    };
    put(b'"');
    let mut abs = minor.unsigned_abs();
    if fraction_digits > 0 {
        for _ in 0..fraction_digits {
            put(b'0' + (abs % 10) as u8);
            abs /= 10;
        }
        put(b'.');
    }
    loop {
        put(b'0' + (abs % 10) as u8);
        abs /= 10;
        if abs == 0 {
            break;
        }
    }
    if minor < 0 {
        put(b'-');
    }
    put(b'"');
    buf.extend_from_slice(&out[at..]);
}

/// `Currency::parse` for each row, remembered for the last code seen (a page is mostly one).
#[derive(Default)]
pub struct CurrencyMemo(Option<([u8; 3], Option<Currency>)>);

impl CurrencyMemo {
    /// [`CurrencyMemo::get`] for a column's text, compared as bytes while the code repeats.
    pub fn get_text(&mut self, code: Text<'_>) -> Option<Currency> {
        match (self.0, <[u8; 3]>::try_from(code.as_bytes())) {
            (Some((k, c)), Ok(key)) if k == key => c,
            _ => self.get(code.as_str()),
        }
    }

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
    write_text(buf, p.status);
    buf.extend_from_slice(b",\"amount\":");
    write_amount(buf, p.amount_minor, currency);
    buf.extend_from_slice(b",\"currency\":");
    write_text(buf, p.currency);
    buf.extend_from_slice(b",\"order_id\":");
    write_text(buf, p.order_id);
    for (key, value) in [
        (&b",\"provider\":"[..], p.provider),
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
