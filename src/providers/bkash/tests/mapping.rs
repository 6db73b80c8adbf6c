//! The code table (docs/gateways/bkash.md, B9) and the status words (B6), row by row.

use super::super::mapping::{class, plain_decimal, transaction_status, Class};
use crate::providers::ReportedStatus;

#[test]
fn every_documented_code_has_its_class() {
    let rows: &[(&[&str], Class)] = &[
        (&["0000"], Class::Success),
        (&["503", "2001", "2064"], Class::NotSent),
        (&["2062", "2068", "2117", "2119"], Class::AlreadyDone),
        (
            &["2009", "2014", "2019", "2023", "2037", "2046", "2057", "2058"],
            Class::CustomerRefused,
        ),
        (
            &[
                "2002", "2004", "2008", "2021", "2025", "2026", "2029", "2034", "2036", "2047",
                "2049", "2056", "2059", "2060", "2061", "2063", "2065", "2067", "2069", "2116",
                "2118",
            ],
            Class::Declined,
        ),
        (&["2003", "2020", "2024", "2070", "9999", "", "abc"], Class::Unknown),
    ];
    for (codes, want) in rows {
        for code in *codes {
            assert_eq!(class(code), *want, "{code}");
        }
    }
}

#[test]
fn maintenance_and_exceptions_are_never_declines() {
    for code in ["503", "2003", "2020", "2024"] {
        assert_ne!(class(code), Class::Declined, "{code}");
        assert_ne!(class(code), Class::CustomerRefused, "{code}");
    }
}

#[test]
fn status_words_are_matched_exactly() {
    use ReportedStatus::*;
    let rows = [
        ("Completed", false, Paid),
        ("Initiated", false, Pending),
        ("Initiated", true, Authorized),
        ("Expired", true, Expired),
        ("Cancelled", false, Cancelled),
        ("Failed", false, Failed),
        ("Declined", false, Failed),
        ("completed", true, Unknown),
        ("Authorized", true, Unknown),
        ("", false, Unknown),
    ];
    for (word, verified, want) in rows {
        assert_eq!(transaction_status(word, verified), want, "{word} {verified}");
    }
}

#[test]
fn amounts_are_plain_decimals() {
    assert_eq!(plain_decimal("15"), Some(rust_decimal::Decimal::new(15, 0)));
    assert_eq!(plain_decimal("100.00"), Some(rust_decimal::Decimal::new(10000, 2)));
    for bad in ["-1", "1e3", "1,000", " 1", "1.", ".5", ""] {
        assert_eq!(plain_decimal(bad), None, "{bad}");
    }
}
