//! Stripe's integer amounts in every currency Payrail routes to Stripe (R8).

use super::super::amounts::{exponent, from_stripe, to_stripe, CURRENCIES};
use crate::domain::money::{Currency, Money};
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn two_zero_and_three_decimal_currencies() {
    assert_eq!(to_stripe(d("25.00"), "SGD"), Ok(2500));
    assert_eq!(to_stripe(d("0.5"), "usd"), Ok(50));
    assert_eq!(to_stripe(d("1500"), "JPY"), Ok(1500), "¥1500 is 1500, not 150000");
    assert_eq!(to_stripe(d("50000"), "KRW"), Ok(50000));
    assert_eq!(to_stripe(d("5.120"), "KWD"), Ok(5120));
    assert!(to_stripe(d("5.124"), "KWD").is_err(), "Stripe needs a last 0; never rounded");
    assert_eq!(to_stripe(d("10.45"), "HUF"), Ok(1045), "HUF charges take decimals");
    assert_eq!(to_stripe(d("10.45"), "TWD"), Ok(1045));
}

#[test]
fn isk_and_ugx_are_whole_amounts_written_in_hundredths() {
    assert_eq!(to_stripe(d("5"), "ISK"), Ok(500));
    assert_eq!(to_stripe(d("3800"), "UGX"), Ok(380_000));
    assert!(to_stripe(d("5.5"), "ISK").is_err());
    assert_eq!(from_stripe(500, "ISK"), Ok(d("5.00")));
}

#[test]
fn what_cannot_be_sent_exactly_is_refused() {
    assert!(to_stripe(d("1.5"), "JPY").is_err());
    assert!(to_stripe(d("1.5"), "MGA").is_err(), "MGA has 2 ISO digits, none at Stripe");
    assert!(to_stripe(d("1.001"), "USD").is_err());
    assert!(to_stripe(d("0"), "USD").is_err());
    assert!(to_stripe(d("-1"), "USD").is_err());
    assert!(to_stripe(d("1"), "XAU").is_err(), "not a Stripe currency");
    assert!(to_stripe(d("99999999999999999999"), "USD").is_err());
}

#[test]
fn every_listed_currency_is_payrails_and_round_trips_its_smallest_unit() {
    assert!(CURRENCIES.len() > 130);
    for code in CURRENCIES {
        let currency = Currency::parse(code).unwrap_or_else(|| panic!("{code} unknown to Payrail"));
        let exp = exponent(code).unwrap();
        // The smallest amount both Payrail and Stripe can state.
        let step = match *code {
            "ISK" | "UGX" => 1,
            _ if exp == 3 => 10,
            _ => 1,
        };
        let amount = Money::from_decimal(Decimal::new(step, exp.min(currency.digits())), currency)
            .unwrap()
            .to_decimal();
        let minor = to_stripe(amount, code).unwrap_or_else(|e| panic!("{code}: {e}"));
        let back = Money::from_decimal(from_stripe(minor, code).unwrap(), currency).unwrap();
        assert_eq!(back.to_decimal(), amount, "{code}");
    }
}
