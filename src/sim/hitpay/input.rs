//! Request bodies as HitPay's Laravel app reads them (the labels T1–T10: docs/gateways/hitpay.md):
//! form-urlencoded or JSON (T4: both are accepted), with `name[]` arrays, and Laravel's "an empty
//! string is null" rule.
//!
//! Also the field checks shared by the API routes, each answering with the Laravel validation
//! message HitPay uses ("Answers and errors") where one is documented.

use std::collections::HashMap;
use std::str::FromStr;

use actix_web::HttpRequest;
use rust_decimal::Decimal;

use super::errors::ApiError;

#[derive(Debug, Default)]
pub struct Input {
    scalars: HashMap<String, String>,
    arrays: HashMap<String, Vec<String>>,
}

fn text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Input {
    /// Reads the body by its `Content-Type`; an unreadable body is an empty input (Laravel then
    /// reports the missing required fields).
    pub fn parse(req: &HttpRequest, body: &[u8]) -> Self {
        let ct = req
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if ct.contains("json") || (!ct.contains("form") && body.first() == Some(&b'{')) {
            Self::from_json(body)
        } else {
            Self::from_form(body)
        }
    }

    pub fn from_form(body: &[u8]) -> Self {
        let mut input = Input::default();
        for (k, v) in url::form_urlencoded::parse(body) {
            match k.strip_suffix("[]") {
                Some(name) => input
                    .arrays
                    .entry(name.to_owned())
                    .or_default()
                    .push(v.into()),
                None => {
                    input.scalars.insert(k.into(), v.into());
                }
            }
        }
        input
    }

    pub fn from_json(body: &[u8]) -> Self {
        let mut input = Input::default();
        let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) else {
            return input;
        };
        for (k, v) in map {
            match &v {
                serde_json::Value::Array(items) => {
                    input
                        .arrays
                        .insert(k, items.iter().filter_map(text).collect());
                }
                other => {
                    if let Some(t) = text(other) {
                        input.scalars.insert(k, t);
                    }
                }
            }
        }
        input
    }

    /// A field's value; empty means absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.scalars
            .get(name)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    pub fn list(&self, name: &str) -> &[String] {
        self.arrays.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn required(&self, name: &'static str, label: &str) -> Result<&str, ApiError> {
        self.get(name)
            .ok_or_else(|| ApiError::invalid(name, format!("The {label} field is required.")))
    }

    /// An optional text of at most `max` characters.
    pub fn text_max(
        &self,
        name: &'static str,
        label: &str,
        max: usize,
    ) -> Result<Option<String>, ApiError> {
        match self.get(name) {
            Some(v) if v.chars().count() > max => Err(ApiError::invalid(
                name,
                format!("The {label} may not be greater than {max} characters."),
            )),
            v => Ok(v.map(str::to_owned)),
        }
    }

    /// An optional boolean, false when absent: `true`/`false` as HitPay documents them, or
    /// Laravel's `1`/`0` (a JSON `true`, `1` arrives as that text).
    pub fn boolean(&self, name: &'static str, label: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None | Some("false" | "0") => Ok(false),
            Some("true" | "1") => Ok(true),
            Some(_) => Err(ApiError::invalid(
                name,
                format!("The {label} field must be true or false."),
            )),
        }
    }

    /// An optional absolute http(s) URL of at most `max` characters.
    pub fn url(
        &self,
        name: &'static str,
        label: &str,
        max: usize,
    ) -> Result<Option<String>, ApiError> {
        let Some(v) = self.text_max(name, label, max)? else {
            return Ok(None);
        };
        match url::Url::parse(&v) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
                Ok(Some(v))
            }
            _ => Err(ApiError::invalid(
                name,
                format!("The {label} format is invalid."),
            )),
        }
    }
}

/// A money amount as Laravel's `numeric` plus HitPay's range: plain decimal text, at most two
/// decimals, within `min..=max`.
pub fn amount(
    field: &'static str,
    raw: &str,
    min: Decimal,
    max: Decimal,
    range_message: &str,
) -> Result<Decimal, ApiError> {
    let (int, frac) = raw.split_once('.').unwrap_or((raw, "0"));
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let value = match Decimal::from_str(raw) {
        Ok(d) if plain(int) && plain(frac) => d,
        _ => {
            return Err(ApiError::invalid(
                field,
                format!("The {field} must be a number."),
            ))
        }
    };
    if value < min || value > max {
        return Err(ApiError::invalid(field, range_message.to_owned()));
    }
    if value.normalize().scale() > 2 {
        return Err(ApiError::invalid(
            field,
            format!("The {field} must have 0-2 decimal places."),
        ));
    }
    Ok(value)
}
