//! HitPay's JSON, spelled as HitPay spells it (snake_case), tolerant on input (wire contract and
//! the labels T1–T10: docs/gateways/hitpay.md).
//!
//! Every field is optional and unknown fields are ignored: the OpenAPI lists many fields Payrail
//! does not need, and HitPay adds more over time. Amounts arrive as strings in REST objects
//! (`"10.00"`) and as numbers in refunds and v2 charges (`1.11`) (T5): both are kept as text and
//! parsed strictly into a `Decimal` by the report builder, never through a float.
//! Outgoing writes are form-urlencoded (T4), built in `requests`, so there is no outgoing type here.

use serde::{Deserialize, Deserializer};

/// A payment request (create answer, GET answer, v2 `payment_request` event body).
#[derive(Debug, Default, Deserialize)]
pub struct PaymentRequestObj {
    pub id: Option<String>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "opt_text_or_number")]
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub reference_number: Option<String>,
    pub url: Option<String>,
    #[serde(default)]
    pub payments: Option<Vec<PaymentObj>>,
}

/// One payment (charge) inside `payments[]`: its `id` is what refunds take (T7).
#[derive(Debug, Default, Deserialize)]
pub struct PaymentObj {
    pub id: Option<String>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "opt_text_or_number")]
    pub amount: Option<String>,
    #[serde(default, deserialize_with = "opt_text_or_number")]
    pub refunded_amount: Option<String>,
    pub currency: Option<String>,
}

/// A v2 `charge` event body ("Webhook v2"). `payment_request_id` / `reference_number` appear on
/// charges made through a payment request [INFERRED from the charge object]; either finds the
/// attempt.
#[derive(Debug, Default, Deserialize)]
pub struct ChargeObj {
    pub id: Option<String>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "opt_text_or_number")]
    pub amount: Option<String>,
    /// How much of the charge is refunded (a number, like `amount`).
    #[serde(default, deserialize_with = "opt_text_or_number")]
    pub refunded_amount: Option<String>,
    pub currency: Option<String>,
    pub payment_request_id: Option<String>,
    pub reference_number: Option<String>,
}

/// A refund (`POST /v1/refund`, `GET /v1/refund/{id}`).
#[derive(Debug, Default, Deserialize)]
pub struct RefundObj {
    pub id: Option<String>,
    pub payment_id: Option<String>,
    pub status: Option<String>,
}

/// `DELETE /v1/payment-requests/{id}` → `{"success": true}`.
#[derive(Debug, Default, Deserialize)]
pub struct DeleteAnswer {
    pub success: Option<bool>,
}

/// Laravel's error body: `{"message": "...", "errors": {"field": ["..."]}}`.
#[derive(Debug, Default, Deserialize)]
pub struct ErrorBody {
    pub message: Option<String>,
    pub errors: Option<serde_json::Map<String, serde_json::Value>>,
}

impl ErrorBody {
    /// `message`, plus the first field error when it says something the message does not.
    pub fn text(&self) -> String {
        let message = self.message.clone().unwrap_or_default();
        let first = self
            .errors
            .as_ref()
            .and_then(|e| e.values().next())
            .and_then(|v| match v {
                serde_json::Value::Array(items) => items.first().and_then(|i| i.as_str()),
                serde_json::Value::String(s) => Some(s.as_str()),
                _ => None,
            })
            .filter(|f| !message.contains(*f));
        match first {
            Some(f) if message.is_empty() => f.to_string(),
            Some(f) => format!("{message} ({f})"),
            None => message,
        }
    }
}

fn opt_text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) => Ok(Some(s)),
        serde_json::Value::Number(n) => Ok(Some(n.to_string())),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or number, got {other}"
        ))),
    }
}
