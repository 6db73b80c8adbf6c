//! HimoSoft's JSON, spelled as HimoSoft spells it (snake_case; docs/gateways/himosoft.md,
//! "Endpoints").
//!
//! The outgoing create body is a struct whose field order IS the key order on the wire (the seed's
//! order: amount, currency, order_id, callback_url, idempotency_key); the signature covers the
//! exact bytes, so it is serialised compactly by `serde_json::to_vec` and never rebuilt. `amount`
//! is a decimal string ("Money format"; HimoSoft's doc: "Send a string, not a number").
//!
//! Incoming types are tolerant because the doc says it is incomplete ("What is known"): one struct
//! reads the create, retrieve, verify and recheck answers and the (undocumented, H5) callback
//! alike; every field is optional, unknown fields are ignored, and ids and amounts may arrive as
//! strings or as JSON numbers.

use serde::{Deserialize, Deserializer, Serialize};

#[derive(Serialize)]
pub struct CreateBody<'a> {
    pub amount: &'a str,
    pub currency: &'a str,
    pub order_id: &'a str,
    pub callback_url: &'a str,
    pub idempotency_key: &'a str,
}

/// A payment as any HimoSoft answer or callback describes it.
#[derive(Debug, Default, Deserialize)]
pub struct PaymentObject {
    #[serde(default, deserialize_with = "opt_text")]
    pub id: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub amount: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub checkout_url: Option<String>,
    /// Our reference, when HimoSoft echoes it (the callback; not documented on the answers).
    #[serde(default, deserialize_with = "opt_text")]
    pub order_id: Option<String>,
    /// The upstream provider's reference (Stripe `ch_…`, bKash `tr_…`).
    #[serde(default, deserialize_with = "opt_text")]
    pub external_id: Option<String>,
}

/// `{"error":"invalid_signature","message":"HMAC validation failed. Check credentials."}`
/// ("Answers and errors").
#[derive(Debug, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub error: Option<serde_json::Value>,
    #[serde(default)]
    pub message: Option<serde_json::Value>,
}

fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) => Ok(Some(s)),
        serde_json::Value::Number(n) => Ok(Some(n.to_string())),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or number, got {other}"
        ))),
    }
}
