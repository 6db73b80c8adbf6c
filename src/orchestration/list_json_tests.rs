//! The hand-written list JSON against the crates that define the bytes: `serde_json` for
//! strings, chrono for times, `format_minor` for amounts, and `views::payment_full` (serde) for
//! whole payments. The API tests compare whole pages with retrieve on both stores.

use super::*;
use crate::domain::money::format_minor;
use crate::orchestration::views::{self, ts};
use crate::store::payments::PaymentRow;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

fn written(f: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut buf = Vec::new();
    f(&mut buf);
    String::from_utf8(buf).unwrap()
}

#[test]
fn strings_are_escaped_exactly_as_serde_json_does() {
    for s in [
        "",
        "plain",
        "pay_01M956SPDXMZXP7K1BR9NT0J66",
        "two \"quoted\" words",
        "back\\slash",
        "\n\t\r\u{8}\u{c}",
        "\u{0}\u{1}\u{1f} \u{7f}",
        "ünïcödé 🎉 \u{2028}\u{2029}",
        "</script><!--",
        "a long plain string that spans several words and more than sixteen bytes",
        "a long string whose very last byte needs an escape, after many plain ones\"",
    ] {
        assert_eq!(
            written(|b| write_str(b, s)),
            serde_json::to_string(s).unwrap()
        );
    }
}

fn utc(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    NaiveDateTime::new(date, time).and_utc()
}

/// Edge times (the ends of chrono's range, years 0, -1, 9999 and 10000, a leap second) and
/// 20 000 pseudo-random microsecond times from 1900 to 9999 (a fixed LCG: repeatable).
fn sample_times() -> Vec<DateTime<Utc>> {
    let mut times = vec![
        DateTime::<Utc>::UNIX_EPOCH,
        DateTime::<Utc>::MIN_UTC,
        DateTime::<Utc>::MAX_UTC,
        utc(NaiveDate::from_ymd_opt(0, 1, 1).unwrap(), NaiveTime::MIN),
        utc(NaiveDate::from_ymd_opt(0, 2, 29).unwrap(), NaiveTime::MIN),
        utc(NaiveDate::from_ymd_opt(-1, 12, 31).unwrap(), NaiveTime::MIN),
        utc(
            NaiveDate::from_ymd_opt(-1, 12, 31).unwrap(),
            NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap(),
        ),
        utc(
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
            NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap(),
        ),
        utc(
            NaiveDate::from_ymd_opt(10000, 1, 1).unwrap(),
            NaiveTime::MIN,
        ),
        // A leap second: chrono writes :60.
        utc(
            NaiveDate::from_ymd_opt(2016, 12, 31).unwrap(),
            NaiveTime::from_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap(),
        ),
    ];
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..20_000 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let micros = (x >> 1) as i64 % 253_402_300_800_000_000 - 2_208_988_800_000_000;
        times.push(DateTime::from_timestamp_micros(micros).unwrap());
    }
    times
}

#[test]
fn times_match_chrono_to_the_byte_inside_and_outside_four_digit_years() {
    for t in sample_times() {
        let want = format!("\"{}\"", ts(t));
        assert_eq!(written(|b| write_ts(b, t)), want, "{t:?}");
        assert_eq!(
            written(|b| write_time(b, StoredTime::from(t))),
            want,
            "{t:?}"
        );
    }
}

/// The times Postgres sends (microseconds, no leap seconds) against chrono: the samples, and
/// every day of years 0 to 2, 1899 to 2101 and 9997 to 9999 at its first and last second.
#[test]
fn postgres_times_are_written_as_chrono_writes_them() {
    let mut times: Vec<_> = sample_times()
        .into_iter()
        .filter(|t| t.nanosecond() < 1_000_000_000)
        .collect();
    for (from, to) in [(0, 2), (1899, 2101), (9997, 9999)] {
        let mut day = NaiveDate::from_ymd_opt(from, 1, 1).unwrap();
        while day.year() <= to {
            times.push(utc(day, NaiveTime::MIN));
            times.push(utc(day, NaiveTime::from_hms_opt(23, 59, 59).unwrap()));
            day = day.succ_opt().unwrap();
        }
    }
    for t in times {
        let got = written(|b| write_time(b, StoredTime::UnixMicros(t.timestamp_micros())));
        assert_eq!(got, format!("\"{}\"", ts(t)), "{t:?}");
    }
}

#[test]
fn amounts_match_format_minor_in_every_kind_of_currency() {
    let mut memo = CurrencyMemo::default();
    for code in [
        "USD", "JPY", "KWD", "CLF", "BDT", "XAU", "usd", "XYZ", "US", "USDT", "JPY",
    ] {
        for minor in [
            0,
            1,
            5,
            9,
            10,
            99,
            100,
            101,
            1_000,
            12_345,
            100_099,
            -1,
            -100,
            -12_345,
            i64::MAX,
            i64::MIN,
        ] {
            let c = Currency::parse(code);
            assert_eq!(memo.get(code), c, "{code}");
            assert_eq!(memo.get_text(Text::of_str(code)), c, "{code}");
            let want = match c {
                Some(c) => format_minor(minor, c),
                None => minor.to_string(),
            };
            assert_eq!(
                written(|b| write_amount(b, minor, memo.get(code))),
                format!("\"{want}\""),
                "{code} {minor}"
            );
        }
    }
}

fn text(s: &Option<String>) -> Option<Text<'_>> {
    s.as_deref().map(Text::of_str)
}

/// `p` as the list reads it, each time made by `time` (as SQLite's or as Postgres's).
fn listed(p: &PaymentRow, time: fn(DateTime<Utc>) -> StoredTime) -> ListedPayment<'_> {
    ListedPayment {
        id: Text::of_str(&p.id),
        status: Text::of_str(p.status_str()),
        amount_minor: p.amount_minor,
        currency: Text::of_str(&p.currency),
        refunded_minor: p.refunded_minor,
        order_id: Text::of_str(&p.order_id),
        provider: text(&p.provider),
        method: text(&p.method),
        external_id: text(&p.external_id),
        checkout_url: text(&p.checkout_url),
        callback_url: text(&p.callback_url),
        return_url: text(&p.return_url),
        cancel_url: text(&p.cancel_url),
        customer: text(&p.customer),
        description: text(&p.description),
        metadata: text(&p.metadata),
        status_detail: text(&p.status_detail),
        provider_status: text(&p.provider_status),
        created_at: time(p.created_at),
        updated_at: time(p.updated_at),
        completed_at: p.completed_at.map(time),
        expires_at: time(p.expires_at),
        received_minor: p.received_minor,
    }
}

fn as_postgres_sends_it(t: DateTime<Utc>) -> StoredTime {
    StoredTime::UnixMicros(t.timestamp_micros())
}

/// The sample row, then variations of every field the view treats specially.
fn rows() -> Vec<PaymentRow> {
    let base = crate::store::payments::sample_row_for_tests();
    let mut rows = vec![base.clone()];
    let mut r = base.clone();
    r.provider = None;
    r.method = None;
    r.external_id = None;
    r.checkout_url = None;
    r.return_url = None;
    r.customer = None;
    r.description = None;
    r.provider_status = None;
    r.completed_at = None;
    r.currency = "XYZ".into();
    rows.push(r);
    let mut r = base.clone();
    r.customer = Some(" {\"name\" : \"Zoë \\\"Z\\\"\", \"tags\": [1, 2.50, null]} ".into());
    r.metadata = Some("{\"a\":{\"b\":\"\\u00e9\"}}".into());
    r.description = Some("line\nbreak\ttab \u{1} ✓".into());
    r.callback_url = Some("https://shop.example/hook?a=1&b=\"2\"".into());
    r.cancel_url = Some("https://shop.example/c".into());
    r.status_detail = Some("gateway said \\no\\".into());
    r.currency = "JPY".into();
    r.amount_minor = 1500;
    r.refunded_minor = 0;
    r.updated_at += chrono::Duration::nanoseconds(999_999_999);
    rows.push(r);
    let mut r = base;
    r.customer = Some("[1,".into());
    r.metadata = Some("".into());
    r.currency = "KWD".into();
    r.amount_minor = 1_234_567;
    r.refunded_minor = 7;
    rows.push(r);
    rows
}

#[test]
fn a_listed_payment_is_the_full_view_byte_for_byte() {
    let mut memo = CurrencyMemo::default();
    let action_sets: [[Option<&'static str>; 3]; 4] = [
        [None, None, None],
        [Some("recheck"), None, None],
        [Some("recheck"), Some("cancel"), None],
        [Some("recheck"), None, Some("refund")],
    ];
    for p in rows() {
        for actions in &action_sets {
            let list: Vec<&str> = actions.iter().flatten().copied().collect();
            let want = serde_json::to_string(&views::payment_full(&p, &list)).unwrap();
            for time in [StoredTime::Chrono, as_postgres_sends_it] {
                let listed = listed(&p, time);
                let got = written(|b| write_payment(b, &listed, actions, memo.get(&p.currency)));
                assert_eq!(got, want);
            }
        }
    }
}
