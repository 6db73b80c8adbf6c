//! How the console writes values: amounts in major units, times in UTC to the second.

use crate::domain::money::{format_minor, Currency};
use chrono::{DateTime, Utc};

/// `1500.00` for 150000 minor units of USD (the minor units when the currency is unknown).
pub fn amount(minor: i64, currency: &str) -> String {
    Currency::parse(currency).map_or_else(|| minor.to_string(), |c| format_minor(minor, c))
}

pub fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

pub fn opt(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

/// At most `max` characters of `text` (an answer's snippet), with `…` when cut.
pub fn snippet(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}
