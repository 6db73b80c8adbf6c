//! [`is_plain`] against its one-byte-at-a-time definition, [`Text`] against `str::from_utf8`,
//! and [`StoredTime`] against chrono. Postgres's decoding is covered by the API tests
//! (`tests/api/list_page.rs`: a page against retrieve, byte for byte, on both stores).

use super::*;

fn plain_by_definition(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|&b| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\')
}

#[test]
fn plain_is_exactly_printable_ascii_without_quote_or_backslash_at_every_position() {
    for len in 0..40 {
        for at in 0..len {
            for b in 0..=255u8 {
                let mut bytes = vec![b'a'; len];
                bytes[at] = b;
                assert_eq!(
                    is_plain(&bytes),
                    plain_by_definition(&bytes),
                    "{len} {at} {b}"
                );
            }
        }
        assert!(is_plain(&vec![b'~'; len]));
    }
}

#[test]
fn text_is_plain_or_checked_utf8_and_fails_as_from_utf8_does() {
    let samples: [&[u8]; 9] = [
        b"",
        b"pay_01M956SPDXMZXP7K1BR9NT0J66",
        b"https://shop.example/return?order=1&x=y",
        b"two \"quoted\" words",
        "ünïcödé ✓ \u{2028}".as_bytes(),
        b"sixteen bytes ok\xff",
        b"\xc3",
        b"\xed\xa0\x80 (a surrogate)",
        b"a plain start then \xe2\x82",
    ];
    for bytes in samples {
        match (Text::of_bytes(bytes), std::str::from_utf8(bytes)) {
            (Ok(Text::Plain(b)), Ok(_)) => {
                assert!(plain_by_definition(bytes));
                assert_eq!(b, bytes);
            }
            (Ok(Text::Other(s)), Ok(want)) => {
                assert!(!plain_by_definition(bytes));
                assert_eq!(s, want);
            }
            (Err(got), Err(want)) => assert_eq!(got, want),
            (got, want) => panic!("{bytes:?}: {got:?} against {want:?}"),
        }
        if let Ok(s) = std::str::from_utf8(bytes) {
            assert_eq!(Some(Text::of_str(s)), Text::of_bytes(bytes).ok());
            assert_eq!(Text::of_str(s).as_bytes(), bytes);
            assert_eq!(Text::of_str(s).as_str(), s);
        }
    }
}

#[test]
fn stored_times_give_chrono_times_and_cursor_microseconds() {
    for us in [
        0,
        1,
        -1,
        1_764_979_200_123_456,
        FOUR_DIGIT_YEARS.start,
        FOUR_DIGIT_YEARS.end - 1,
        FOUR_DIGIT_YEARS.end,
        DateTime::<Utc>::MIN_UTC.timestamp_micros(),
        DateTime::<Utc>::MAX_UTC.timestamp_micros(),
    ] {
        let t = DateTime::from_timestamp_micros(us).unwrap();
        assert_eq!(StoredTime::UnixMicros(us).to_utc(), t);
        assert_eq!(StoredTime::UnixMicros(us).timestamp_micros(), us);
        assert_eq!(StoredTime::from(t).timestamp_micros(), us);
        assert_eq!(StoredTime::from(t).to_utc(), t);
    }
    let start = DateTime::from_timestamp_micros(FOUR_DIGIT_YEARS.start).unwrap();
    assert_eq!(start.to_rfc3339(), "0000-01-01T00:00:00+00:00");
    let end = DateTime::from_timestamp_micros(FOUR_DIGIT_YEARS.end).unwrap();
    assert_eq!(end.to_rfc3339(), "+10000-01-01T00:00:00+00:00");
}
