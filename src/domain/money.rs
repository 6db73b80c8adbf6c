//! Money is integer minor units plus an ISO 4217 currency. Never a float.
//!
//! Amounts arrive as decimal strings ("1500.00") or JSON numbers; both go through the same strict
//! grammar, so "1e3", "+5", " 5" and "5." are refused instead of being guessed at. The currency
//! table (digits after the point) comes from the `iso_currency` crate.

use rust_decimal::Decimal;
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 currency that has a minor unit (so not XAU, XDR, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency {
    inner: iso_currency::Currency,
    digits: u32,
}

impl Currency {
    /// Upper-case ISO code only: "usd" is refused, like the API contract says.
    pub fn parse(code: &str) -> Option<Self> {
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let inner = iso_currency::Currency::from_code(code)?;
        let digits = u32::from(inner.exponent()?);
        Some(Self { inner, digits })
    }

    pub fn code(&self) -> &'static str {
        self.inner.code()
    }

    /// Digits after the decimal point (BDT 2, JPY 0, KWD 3).
    pub fn digits(&self) -> u32 {
        self.digits
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("must be a decimal number such as \"1500.00\"")]
    Malformed,
    #[error("must be greater than zero")]
    NotPositive,
    #[error("has more decimal places than {0} allows")]
    TooPrecise(&'static str),
    #[error("is larger than the allowed maximum")]
    TooLarge,
}

impl Money {
    /// Parses a merchant-supplied amount: digits, optionally a point and more digits.
    pub fn parse(raw: &str, currency: Currency, max_minor: i64) -> Result<Self, AmountError> {
        let (whole, frac) = match raw.split_once('.') {
            Some((w, f)) => (w, f),
            None => (raw, ""),
        };
        let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits_ok(whole) || !digits_ok(frac) || raw.ends_with('.') {
            return Err(AmountError::Malformed);
        }
        // Trailing zeros beyond the currency's digits carry no value ("10.500" is 10.50 BDT).
        let frac = frac.trim_end_matches('0');
        if frac.len() as u32 > currency.digits() {
            return Err(AmountError::TooPrecise(currency.code()));
        }
        let mut minor: i64 = 0;
        let padded = format!("{frac:0<width$}", width = currency.digits() as usize);
        for b in whole.bytes().chain(padded.bytes()) {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(b - b'0')))
                .ok_or(AmountError::TooLarge)?;
        }
        if minor == 0 {
            return Err(AmountError::NotPositive);
        }
        if minor > max_minor {
            return Err(AmountError::TooLarge);
        }
        Ok(Self { minor, currency })
    }

    /// Converts an amount a gateway reported. `None` when it has more precision than the
    /// currency allows or does not fit: such a report can never equal our amount.
    pub fn from_decimal(value: Decimal, currency: Currency) -> Option<Self> {
        let scaled = value.checked_mul(Decimal::from(10i64.pow(currency.digits())))?;
        if scaled.fract() != Decimal::ZERO {
            return None;
        }
        let minor = i64::from_str(&scaled.trunc().to_string()).ok()?;
        Some(Self { minor, currency })
    }

    /// The amount with exactly the currency's digits: "1500.00", "1500" for JPY.
    pub fn amount_string(&self) -> String {
        format_minor(self.minor, self.currency)
    }

    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.minor, self.currency.digits())
    }
}

/// Renders minor units with the currency's digits.
pub fn format_minor(minor: i64, currency: Currency) -> String {
    let digits = currency.digits();
    if digits == 0 {
        return minor.to_string();
    }
    let scale = 10i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale as u64,
        abs % scale as u64,
        width = digits as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bdt() -> Currency {
        Currency::parse("BDT").unwrap()
    }

    #[test]
    fn parses_and_renders_with_the_currencys_digits() {
        let m = Money::parse("1500", bdt(), i64::MAX).unwrap();
        assert_eq!(m.minor, 150000);
        assert_eq!(m.amount_string(), "1500.00");
        assert_eq!(Money::parse("0.5", bdt(), i64::MAX).unwrap().minor, 50);
        assert_eq!(Money::parse("10.500", bdt(), i64::MAX).unwrap().minor, 1050);
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(
            Money::parse("1500", jpy, i64::MAX).unwrap().amount_string(),
            "1500"
        );
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(
            Money::parse("1.005", kwd, i64::MAX)
                .unwrap()
                .amount_string(),
            "1.005"
        );
    }

    #[test]
    fn refuses_what_is_not_a_plain_positive_amount() {
        for raw in [
            "", "-1", "+1", "1e3", " 1", "1.", ".5", "1,00", "abc", "1.2.3", "١٢",
        ] {
            assert_eq!(
                Money::parse(raw, bdt(), i64::MAX),
                Err(AmountError::Malformed),
                "{raw}"
            );
        }
        assert_eq!(
            Money::parse("0.00", bdt(), i64::MAX),
            Err(AmountError::NotPositive)
        );
        assert!(matches!(
            Money::parse("1.001", bdt(), i64::MAX),
            Err(AmountError::TooPrecise(_))
        ));
        let jpy = Currency::parse("JPY").unwrap();
        assert!(matches!(
            Money::parse("1.5", jpy, i64::MAX),
            Err(AmountError::TooPrecise(_))
        ));
        assert_eq!(
            Money::parse("100.01", bdt(), 10000),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            Money::parse("99999999999999999999", bdt(), i64::MAX),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn currency_codes_are_strict() {
        assert!(Currency::parse("usd").is_none());
        assert!(Currency::parse("ABC").is_none());
        assert!(Currency::parse("XAU").is_none(), "no minor unit");
        assert_eq!(Currency::parse("USD").unwrap().digits(), 2);
    }

    #[test]
    fn gateway_decimals_convert_exactly_or_not_at_all() {
        let usd = Currency::parse("USD").unwrap();
        let d = Decimal::from_str("99.99").unwrap();
        assert_eq!(Money::from_decimal(d, usd).unwrap().minor, 9999);
        assert!(Money::from_decimal(Decimal::from_str("1.005").unwrap(), usd).is_none());
        assert_eq!(format_minor(-5, usd), "-0.05");
    }
}
