//! Parsing the create-payment body into a validated request, collecting every bad field.
//!
//! The body is read as a JSON object and checked field by field, so one 400 names all problems
//! (`details.fields`). Unknown fields are refused: a typo such as `ammount` must not silently
//! create a payment without the merchant noticing.

use crate::config::Settings;
use crate::domain::money::{Currency, Money};
use crate::domain::text;
use crate::domain::urls::{validate_merchant_url, UrlPolicy};
use crate::error::AppError;
use crate::providers::{Customer, Method, ProviderId};
use serde_json::{Map, Value};

const KNOWN_FIELDS: &[&str] = &[
    "amount",
    "currency",
    "order_id",
    "callback_url",
    "return_url",
    "cancel_url",
    "idempotency_key",
    "provider",
    "method",
    "customer",
    "description",
    "metadata",
    "expires_in",
];

pub const MAX_KEY_LEN: usize = 255;

#[derive(Debug, Clone)]
pub struct CreateRequest {
    pub money: Money,
    pub order_id: String,
    pub callback_url: Option<String>,
    pub return_url: Option<String>,
    pub cancel_url: Option<String>,
    pub idempotency_key: Option<String>,
    pub provider: Option<ProviderId>,
    pub method: Option<Method>,
    pub customer: Customer,
    pub description: Option<String>,
    pub metadata: Option<Map<String, Value>>,
    pub expires_in_secs: i64,
}

struct Fields(Vec<(String, String)>);

impl Fields {
    fn bad(&mut self, field: &str, problem: impl Into<String>) {
        self.0.push((field.to_owned(), problem.into()));
    }
}

/// Parses the idempotency key from the body and the `Idempotency-Key` header (quoted or bare).
pub fn resolve_idempotency_key(
    body_key: Option<&str>,
    header: Option<&str>,
) -> Result<Option<String>, AppError> {
    let header = header.map(|h| h.trim().trim_matches('"').to_owned());
    let key = match (body_key, header) {
        (Some(b), Some(h)) if b != h => {
            return Err(AppError::invalid(
                "idempotency_key",
                "differs from the Idempotency-Key header",
            ));
        }
        (Some(b), _) => Some(b.to_owned()),
        (None, h) => h,
    };
    if let Some(k) = &key {
        if k.is_empty() || k.chars().count() > MAX_KEY_LEN || k.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "idempotency_key",
                "must be 1 to 255 printable characters",
            ));
        }
    }
    Ok(key)
}

/// A string member `key` of `obj`, reported as `label` (`customer.name`): at most `max`
/// characters, one line unless `free_text`.
fn text_member(
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

fn optional_string(
    obj: &Map<String, Value>,
    field: &str,
    max: usize,
    errors: &mut Fields,
) -> Option<String> {
    text_member(obj, field, field, max, false, errors)
}

fn url_field(
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

fn parse_customer(value: Option<&Value>, errors: &mut Fields) -> Customer {
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
fn is_plausible_email(e: &str) -> bool {
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

/// The `amount` member's text exactly as it appears in the body.
pub fn raw_amount(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Raw<'a> {
        #[serde(borrow)]
        amount: Option<&'a serde_json::value::RawValue>,
    }
    let raw: Raw<'_> = serde_json::from_slice(body).ok()?;
    raw.amount.map(|a| a.get().to_owned())
}

/// Parses and validates the whole body. `header_key` is the `Idempotency-Key` header.
pub fn parse_create(
    body: &[u8],
    header_key: Option<&str>,
    settings: &Settings,
    policy: &UrlPolicy,
) -> Result<CreateRequest, AppError> {
    crate::domain::strict_json::check(body)?;
    let value: Value = serde_json::from_slice(body).map_err(|e| AppError::InvalidRequest {
        message: format!("body is not valid JSON: {e}"),
        fields: vec![],
    })?;
    let Value::Object(obj) = value else {
        return Err(AppError::InvalidRequest {
            message: "body must be a JSON object".into(),
            fields: vec![],
        });
    };
    let mut errors = Fields(Vec::new());
    for key in obj.keys() {
        if !KNOWN_FIELDS.contains(&key.as_str()) {
            errors.bad(key, "is not a known field");
        }
    }

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
    let money = match (amount_text, currency) {
        (Some(text), Some(cur)) => {
            match Money::parse(&text, cur, settings.payments.max_amount_minor) {
                Ok(m) => Some(m),
                Err(e) => {
                    errors.bad("amount", e.to_string());
                    None
                }
            }
        }
        _ => None,
    };
    let order_id = match obj.get("order_id") {
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
    };
    let callback_url = url_field(&obj, "callback_url", policy, true, &mut errors);
    let return_url = url_field(&obj, "return_url", policy, false, &mut errors);
    let cancel_url = url_field(&obj, "cancel_url", policy, false, &mut errors);
    let body_key = optional_string(&obj, "idempotency_key", usize::MAX, &mut errors);
    let idempotency_key = match resolve_idempotency_key(body_key.as_deref(), header_key) {
        Ok(k) => k,
        Err(AppError::InvalidRequest { fields, .. }) => {
            errors.0.extend(fields);
            None
        }
        Err(other) => return Err(other),
    };
    let provider = optional_string(&obj, "provider", 64, &mut errors).and_then(|p| {
        ProviderId::parse(&p).or_else(|| {
            errors.bad("provider", format!("{p:?} is not a known provider"));
            None
        })
    });
    let method = optional_string(&obj, "method", 64, &mut errors).and_then(|m| {
        Method::parse(&m).or_else(|| {
            errors.bad(
                "method",
                "must be one of card, mobile_banking, crypto, paynow, wallet",
            );
            None
        })
    });
    let customer = parse_customer(obj.get("customer"), &mut errors);
    let description = text_member(&obj, "description", "description", 1000, true, &mut errors);
    let metadata = match obj.get("metadata") {
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
    };
    let expires_in_secs = match obj.get("expires_in") {
        None | Some(Value::Null) => settings.payments.default_expires_in_secs,
        Some(Value::Number(n)) => match n.as_i64() {
            Some(s) if (60..=settings.payments.max_expires_in_secs).contains(&s) => s,
            _ => {
                errors.bad(
                    "expires_in",
                    format!(
                        "must be whole seconds from 60 to {}",
                        settings.payments.max_expires_in_secs
                    ),
                );
                0
            }
        },
        Some(_) => {
            errors.bad("expires_in", "must be a number of seconds");
            0
        }
    };

    match (money, order_id) {
        (Some(money), Some(order_id)) if errors.0.is_empty() => Ok(CreateRequest {
            money,
            order_id,
            callback_url,
            return_url,
            cancel_url,
            idempotency_key,
            provider,
            method,
            customer,
            description,
            metadata,
            expires_in_secs,
        }),
        _ => {
            let names: Vec<&str> = errors.0.iter().map(|(f, _)| f.as_str()).collect();
            Err(AppError::InvalidRequest {
                message: format!("invalid fields: {}", names.join(", ")),
                fields: errors.0,
            })
        }
    }
}
