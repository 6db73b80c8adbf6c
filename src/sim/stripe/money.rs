//! The simulator's own reading of Stripe's currency rules (written apart from the adapter's, so
//! the two cannot agree while both wrong): which currencies it takes, and how many digits its
//! integer amounts carry. Used to validate amounts as Stripe does, and to show them as decimals
//! (the page, the `_sim/orders` oracle).

use rust_decimal::Decimal;

/// Stripe's zero-decimal currencies (lower case, as Stripe spells them on the wire).
const ZERO: [&str; 15] = [
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "vnd", "vuv", "xaf",
    "xof", "xpf",
];
/// Three-decimal currencies; amounts must end in 0.
const THREE: [&str; 5] = ["bhd", "jod", "kwd", "omr", "tnd"];
/// Zero-decimal currencies still written with two decimals, which must be 00.
const HUNDREDS: [&str; 2] = ["isk", "ugx"];
/// Currencies the simulator refuses (Stripe takes none of them): a sample, enough for tests.
const REFUSED: [&str; 4] = ["xau", "xdr", "xts", "ves"];

/// Digits after the point of Stripe's integers in `currency` (lower case).
pub fn digits(currency: &str) -> u32 {
    if ZERO.contains(&currency) {
        0
    } else if THREE.contains(&currency) {
        3
    } else {
        2
    }
}

/// Why Stripe would refuse `amount` of `currency`, if it would (its error message).
pub fn refusal(amount: i64, currency: &str) -> Option<String> {
    let known = currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_lowercase());
    if !known || REFUSED.contains(&currency) {
        return Some(format!("Invalid currency: {currency}."));
    }
    if amount < 1 {
        return Some("This value must be greater than or equal to 1.".into());
    }
    if HUNDREDS.contains(&currency) && amount % 100 != 0 {
        return Some(format!(
            "Invalid amount. Currency {} has become effectively zero-decimal and charged amounts must be evenly divisible by 100.",
            currency.to_ascii_uppercase()
        ));
    }
    if THREE.contains(&currency) && amount % 10 != 0 {
        return Some(format!(
            "Invalid amount. {} amounts must end in 0.",
            currency.to_ascii_uppercase()
        ));
    }
    None
}

/// Stripe's integer as a decimal amount.
pub fn decimal(amount: i64, currency: &str) -> Decimal {
    Decimal::new(amount, digits(currency))
}
