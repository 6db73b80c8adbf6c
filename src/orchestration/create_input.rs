//! Parsing the create-payment body into a validated request, collecting every bad field.
//!
//! The body is read as a JSON object and checked field by field, so one 400 names all problems
//! (`details.fields`). Unknown fields are refused: a typo such as `ammount` must not silently
//! create a payment without the merchant noticing.

use super::create_fields::{
    body_object, expires_in_field, metadata_field, money_field, optional_string, order_id_field,
    parse_customer, text_member, url_field, Fields, Object,
};
use crate::config::Settings;
use crate::domain::money::Money;
use crate::domain::urls::UrlPolicy;
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
    let obj = body_object(body)?;
    let mut errors = Fields(Vec::new());
    for key in obj.keys() {
        if !KNOWN_FIELDS.contains(&key.as_str()) {
            errors.bad(key, "is not a known field");
        }
    }
    let money = money_field(&obj, body, settings, &mut errors);
    let order_id = order_id_field(&obj, &mut errors);
    let callback_url = url_field(&obj, "callback_url", policy, true, &mut errors);
    let return_url = url_field(&obj, "return_url", policy, false, &mut errors);
    let cancel_url = url_field(&obj, "cancel_url", policy, false, &mut errors);
    let idempotency_key = idempotency_key_field(&obj, header_key, &mut errors)?;
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
    let metadata = metadata_field(&obj, &mut errors);
    let expires_in_secs = expires_in_field(&obj, settings, &mut errors);

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

/// The key from the body or the `Idempotency-Key` header (they must agree when both are sent).
fn idempotency_key_field(
    obj: &Object,
    header_key: Option<&str>,
    errors: &mut Fields,
) -> Result<Option<String>, AppError> {
    let body_key = optional_string(obj, "idempotency_key", usize::MAX, errors);
    match resolve_idempotency_key(body_key.as_deref(), header_key) {
        Ok(k) => Ok(k),
        Err(AppError::InvalidRequest { fields, .. }) => {
            errors.0.extend(fields);
            Ok(None)
        }
        Err(other) => Err(other),
    }
}
