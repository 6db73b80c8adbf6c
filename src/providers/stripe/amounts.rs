//! Stripe's amounts: integers in the currency's smallest unit *as Stripe counts it*, which is not
//! always ISO 4217's (Stripe's "Supported currencies" page, R8).
//!
//! * Zero-decimal (BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF VND VUV XAF XOF XPF): the amount as is,
//!   ¥500 is `500`. MGA has two digits in ISO 4217 (so in Payrail) and none at Stripe: an MGA
//!   amount with a fraction cannot be sent and is refused before sending.
//! * ISK and UGX: zero-decimal in ISO 4217, but Stripe keeps them two-decimal for backwards
//!   compatibility: 5 ISK is `500`, and the last two digits must be `00`.
//! * Three-decimal (BHD JOD KWD OMR TND): thousandths, and Stripe's partners need the last digit
//!   to be `0`, so an amount with a non-zero third decimal is refused (Payrail never rounds).
//! * HUF and TWD: two-decimal for charges (whole numbers only matter for payouts), so no special
//!   case here.
//! * Every other currency: hundredths.
//!
//! Conversions are exact `Decimal` arithmetic, never a float; anything that does not convert
//! exactly is an error, never rounded.

use rust_decimal::Decimal;

/// Currencies Stripe takes for card payments that Payrail knows (ISO 4217 with a minor unit),
/// upper case. Stripe's list as published [INFERRED: the page changes; an account narrows it per
/// merchant]; ANG, STD and XCG are left out because Payrail's currency table lacks them.
pub const CURRENCIES: &[&str] = &[
    "USD", "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHF", "CLP", "CNY", "COP", "CRC", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ETB",
    "EUR", "FJD", "FKP", "GBP", "GEL", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG",
    "HUF", "IDR", "ILS", "INR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KRW",
    "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK",
    "MNT", "MOP", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR",
    "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB",
    "RWF", "SAR", "SBD", "SCR", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SZL", "THB", "TJS",
    "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "UYU", "UZS", "VND", "VUV", "WST",
    "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW",
];

const ZERO_DECIMAL: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "VND", "VUV", "XAF",
    "XOF", "XPF",
];
/// Zero-decimal, written as two-decimal amounts ending in `00`.
const WHOLE_IN_HUNDREDTHS: &[&str] = &["ISK", "UGX"];
/// Three-decimal, the last digit `0`.
const THREE_DECIMAL: &[&str] = &["BHD", "JOD", "KWD", "OMR", "TND"];

/// Digits after the point in Stripe's integer amounts for `currency` (any case); `None` when
/// Stripe does not take it.
pub fn exponent(currency: &str) -> Option<u32> {
    let code = currency.to_ascii_uppercase();
    let code = code.as_str();
    if !CURRENCIES.contains(&code) {
        return None;
    }
    Some(if ZERO_DECIMAL.contains(&code) {
        0
    } else if THREE_DECIMAL.contains(&code) {
        3
    } else {
        2
    })
}

/// `amount` of `currency` as Stripe's integer, or why it cannot be sent exactly.
pub fn to_stripe(amount: Decimal, currency: &str) -> Result<i64, String> {
    let exp = exponent(currency).ok_or_else(|| format!("Stripe does not take {currency}"))?;
    if amount <= Decimal::ZERO {
        return Err(format!("amount {amount} is not positive"));
    }
    let code = currency.to_ascii_uppercase();
    let whole_only = WHOLE_IN_HUNDREDTHS.contains(&code.as_str());
    if whole_only && amount.fract() != Decimal::ZERO {
        return Err(format!("Stripe takes only whole amounts of {code}, not {amount}"));
    }
    let scaled = amount
        .checked_mul(Decimal::from(10_i64.pow(exp)))
        .ok_or_else(|| format!("amount {amount} is too large"))?;
    if scaled.fract() != Decimal::ZERO {
        return Err(format!(
            "{amount} {code} has more decimals than Stripe's {exp} for {code}"
        ));
    }
    let minor = i64::try_from(scaled.trunc()).map_err(|_| format!("amount {amount} is too large"))?;
    if THREE_DECIMAL.contains(&code.as_str()) && minor % 10 != 0 {
        return Err(format!(
            "Stripe needs {code} amounts with a last digit of 0; {amount} would be rounded"
        ));
    }
    Ok(minor)
}

/// Stripe's integer `minor` of `currency` as a decimal amount (scale = Stripe's exponent).
pub fn from_stripe(minor: i64, currency: &str) -> Result<Decimal, String> {
    let exp = exponent(currency).ok_or_else(|| format!("Stripe does not take {currency}"))?;
    Ok(Decimal::new(minor, exp))
}
