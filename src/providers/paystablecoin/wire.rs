//! PSC's JSON, spelled as PSC spells it (camelCase; wire contract: docs/gateways/paystablecoin.md).
//!
//! Outgoing bodies are structs whose field order IS the key order on the wire: the signature covers
//! the exact bytes, so they are serialised compactly by `serde_json::to_vec` and never rebuilt.
//! Incoming types are tolerant because most of PSC's response schema was not visible (S6):
//! unknown fields are ignored, every field is optional, the message may be `message` or `msg`,
//! and `code` / amount values may arrive as strings or as JSON numbers.

use serde::{Deserialize, Deserializer, Serialize};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrderBody<'a> {
    pub merchant_order_id: &'a str,
    pub order_amount: AmountOut<'a>,
    pub expires_at: String,
    pub return_url: &'a str,
    pub callback_url: &'a str,
}

#[derive(Serialize)]
pub struct AmountOut<'a> {
    pub value: String,
    pub currency: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRefundBody<'a> {
    pub merchant_refund_order_id: &'a str,
    pub acquiring_order_id: &'a str,
    pub refund_reason: &'a str,
}

/// `{"code": "00000", "message": "...", "data": {...}}` ("Answers and errors").
#[derive(Debug, Deserialize)]
pub struct Envelope {
    #[serde(deserialize_with = "text_or_code")]
    pub code: String,
    #[serde(default)]
    pub message: Option<serde_json::Value>,
    #[serde(default)]
    pub msg: Option<serde_json::Value>,
    #[serde(default)]
    pub data: Option<serde_json::Value>,
}

impl Envelope {
    /// The gateway's message, whichever key carried it, or "" when none did.
    pub fn text(&self) -> &str {
        [&self.message, &self.msg]
            .into_iter()
            .flatten()
            .find_map(|v| v.as_str())
            .unwrap_or("")
    }
}

/// An order as the create/query answers and the payment webhook describe it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderData {
    pub merchant_order_id: Option<String>,
    pub acquiring_order_id: Option<String>,
    pub checkout_url: Option<String>,
    pub status: Option<String>,
    pub order_amount: Option<WireAmount>,
    pub crypto_payment_amount: Option<WireAmount>,
    pub crypto_paid_amount: Option<WireAmount>,
}

/// A refund as the refund answers and the (inferred, S8) refund webhook describe it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundData {
    pub merchant_refund_order_id: Option<String>,
    /// PSC's own refund id; the field name is [INFERRED] and may never appear.
    pub refund_order_id: Option<String>,
    pub status: Option<String>,
    /// The order refunded (S8): finds the payment of a refund made in PSC's dashboard.
    pub acquiring_order_id: Option<String>,
    /// The amount refunded, when stated (S8: absent means the whole order).
    pub refund_amount: Option<WireAmount>,
}

/// `{value, currency}`; `value` kept as text and parsed strictly by the report builder.
#[derive(Debug, Deserialize)]
pub struct WireAmount {
    #[serde(deserialize_with = "text_or_number")]
    pub value: String,
    pub currency: String,
}

fn text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or number, got {other}"
        ))),
    }
}

/// Codes are 5-digit strings; a numeric code lost its leading zeros, so it is padded back.
fn text_or_code<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => match n.as_u64() {
            Some(n) => Ok(format!("{n:05}")),
            None => Err(serde::de::Error::custom("code is not a whole number")),
        },
        other => Err(serde::de::Error::custom(format!(
            "code must be a string, got {other}"
        ))),
    }
}
