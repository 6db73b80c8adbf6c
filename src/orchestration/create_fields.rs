//! The create body's members, one reader each: every problem is recorded in [`Fields`] (so one
//! 400 names them all) and the member reads as `None` (or a default) instead.

use super::create_input::raw_amount;
use crate::config::Settings;
use crate::domain::money::{Currency, Money};
use crate::domain::text;
use crate::domain::urls::{validate_merchant_url, UrlPolicy};
use crate::error::AppError;
use crate::providers::Customer;
use serde_json::{Map, Value};

/// A JSON object, as the body and its nested members are read.
pub(super) type Object = Map<String, Value>;

pub(super) struct Fields(pub(super) Vec<(String, String)>);

impl Fields {
    pub(super) fn bad(&mut self, field: &str, problem: impl Into<String>) {
        self.0.push((field.to_owned(), problem.into()));
    }
}

/// A string member `key` of `obj`, reported as `label` (`customer.name`): at most `max`
/// characters, one line unless `free_text`.
pub(super) fn text_member(
    obj: &Map<String, Value>,
    key: &str,
    label: &str,
    max: usize,
    free_text: bool,
    errors: &mut Fields,
) -> Option<String> {
    let s = match obj.get(key) {
        None | Some(Value::Null) => return None,
        Some(Value::String(s)) => s,
        Some(_) => {
            errors.bad(label, "must be a string");
            return None;
        }
    };
    let problem = if free_text {
        text::free_text_problem(s)
    } else {
        text::single_line_problem(s)
    };
    if let Some(problem) = problem {
        errors.bad(label, problem);
        None
    } else if s.chars().count() > max {
        errors.bad(label, format!("must be at most {max} characters"));
        None
    } else {
        Some(s.clone())
    }
}

pub(super) fn optional_string(
    obj: &Map<String, Value>,
    field: &str,
    max: usize,
    errors: &mut Fields,
) -> Option<String> {
    text_member(obj, field, field, max, false, errors)
}

pub(super) fn url_field(
    obj: &Map<String, Value>,
    field: &str,
    policy: &UrlPolicy,
    server_to_server: bool,
    errors: &mut Fields,
) -> Option<String> {
    let raw = optional_string(obj, field, 2048, errors)?;
    match validate_merchant_url(&raw, policy, server_to_server) {
        Ok(_) => Some(raw),
        Err(problem) => {
            errors.bad(field, problem);
            None
        }
    }
}

pub(super) fn parse_customer(value: Option<&Value>, errors: &mut Fields) -> Customer {
    let obj = match value {
        None | Some(Value::Null) => return Customer::default(),
        Some(Value::Object(o)) => o,
        Some(_) => {
            errors.bad("customer", "must be an object");
            return Customer::default();
        }
    };
    for key in obj.keys() {
        if !matches!(key.as_str(), "name" | "email" | "phone") {
            errors.bad(&format!("customer.{key}"), "is not a known field");
        }
    }
    let name = text_member(obj, "name", "customer.name", 200, false, errors);
    let email = text_member(obj, "email", "customer.email", 254, false, errors);
    let phone = text_member(obj, "phone", "customer.phone", 32, false, errors);
    if let Some(e) = &email {
        if !is_plausible_email(e) {
            errors.bad("customer.email", "must be an email address");
        }
    }
    if let Some(p) = &phone {
        if !p
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'))
        {
            errors.bad(
                "customer.phone",
                "must contain only digits, spaces and + - ( )",
            );
        }
    }
    Customer { name, email, phone }
}

/// local@domain.tld with no spaces: syntax only, deliverability is the gateway's business.
pub(super) fn is_plausible_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
}

/// The body as a JSON object, after the strict checks (duplicate keys, NUL).
pub(super) fn body_object(body: &[u8]) -> Result<Object, AppError> {
    crate::domain::strict_json::check(body)?;
    let value: Value = serde_json::from_slice(body).map_err(|e| AppError::InvalidRequest {
        message: format!("body is not valid JSON: {e}"),
        fields: vec![],
    })?;
    match value {
        Value::Object(obj) => Ok(obj),
        _ => Err(AppError::InvalidRequest {
            message: "body must be a JSON object".into(),
            fields: vec![],
        }),
    }
}

/// `amount` in `currency`, checked against the currency's exponent and the configured maximum.
pub(super) fn money_field(
    obj: &Object,
    body: &[u8],
    settings: &Settings,
    errors: &mut Fields,
) -> Option<Money> {
    let currency = match obj.get("currency") {
        Some(Value::String(code)) => Currency::parse(code).or_else(|| {
            errors.bad(
                "currency",
                "must be an upper-case ISO 4217 code with a minor unit",
            );
            None
        }),
        None | Some(Value::Null) => {
            errors.bad("currency", "is required");
            None
        }
        Some(_) => {
            errors.bad("currency", "must be a string");
            None
        }
    };
    let amount_text = match obj.get("amount") {
        Some(Value::String(s)) => Some(s.clone()),
        // The number exactly as written, not through a float: 10.0000000000000001 stays too precise.
        Some(Value::Number(_)) => raw_amount(body),
        None | Some(Value::Null) => {
            errors.bad("amount", "is required");
            None
        }
        Some(_) => {
            errors.bad("amount", "must be a decimal string such as \"1500.00\"");
            None
        }
    };
    let (text, cur) = (amount_text?, currency?);
    Money::parse(&text, cur, settings.payments.max_amount_minor)
        .map_err(|e| errors.bad("amount", e.to_string()))
        .ok()
}

pub(super) fn order_id_field(obj: &Object, errors: &mut Fields) -> Option<String> {
    match obj.get("order_id") {
        Some(Value::String(s)) if text::single_line_problem(s).is_some() => {
            errors.bad("order_id", "must not contain control characters");
            None
        }
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 255 => {
            Some(s.clone())
        }
        Some(Value::String(_)) => {
            errors.bad("order_id", "must be 1 to 255 characters");
            None
        }
        None | Some(Value::Null) => {
            errors.bad("order_id", "is required");
            None
        }
        Some(_) => {
            errors.bad("order_id", "must be a string");
            None
        }
    }
}

pub(super) fn metadata_field(obj: &Object, errors: &mut Fields) -> Option<Object> {
    match obj.get("metadata") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m))
            if m.len() <= 50 && serde_json::to_vec(m).map(|v| v.len()).unwrap_or(0) <= 8192 =>
        {
            Some(m.clone())
        }
        Some(Value::Object(_)) => {
            errors.bad("metadata", "must have at most 50 keys and 8 KiB");
            None
        }
        Some(_) => {
            errors.bad("metadata", "must be an object");
            None
        }
    }
}

pub(super) fn expires_in_field(obj: &Object, settings: &Settings, errors: &mut Fields) -> i64 {
    let max = settings.payments.max_expires_in_secs;
    match obj.get("expires_in") {
        None | Some(Value::Null) => settings.payments.default_expires_in_secs,
        Some(Value::Number(n)) => match n.as_i64() {
            Some(s) if (60..=max).contains(&s) => s,
            _ => {
                errors.bad(
                    "expires_in",
                    format!("must be whole seconds from 60 to {max}"),
                );
                0
            }
        },
        Some(_) => {
            errors.bad("expires_in", "must be a number of seconds");
            0
        }
    }
}
