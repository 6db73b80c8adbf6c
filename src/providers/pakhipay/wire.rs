//! Pakhi Pay's JSON, spelled as Pakhi Pay spells it (snake_case), tolerant on input (wire contract
//! and the labels K1–K7: docs/gateways/pakhipay.md).
//!
//! Outgoing bodies are structs whose field order is the documented order; `amount` is a JSON
//! number with exactly two decimals ("Money format"), written as a raw token because a float would
//! lose the trailing zeros (and Decimal must never pass through a float).
//! Incoming: the `{status, message, payment_url}` envelope, where `status` may arrive as `1` or
//! `"1"` (PHP servers are loose about it) and unknown members are ignored; the webhook ("Webhook"),
//! where `amount` is a string but may be a number (K4), `transaction_id` may be a number, and the
//! legacy `token` member is ignored (K5).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

#[derive(Serialize)]
pub struct CreateBody<'a> {
    pub cus_name: &'a str,
    pub cus_email: &'a str,
    pub amount: Box<RawValue>,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    pub order_id: &'a str,
    pub callback_url: &'a str,
}

#[derive(Serialize)]
pub struct VerifyBody<'a> {
    pub transaction_id: &'a str,
    pub amount: Box<RawValue>,
}

/// `{"status":1,"payment_url":…}`, `{"status":1,"message":"completed"}`, `{"status":0,"message":…}`.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    #[serde(default, deserialize_with = "loose_int")]
    pub status: Option<i64>,
    #[serde(default, deserialize_with = "loose_text")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "loose_text")]
    pub payment_url: Option<String>,
}

/// The webhook body ("Webhook"); `signature` is checked by `webhook`, not here.
#[derive(Debug, Deserialize)]
pub struct WebhookBody {
    #[serde(default, deserialize_with = "loose_text")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "loose_text")]
    pub transaction_id: Option<String>,
    #[serde(default, deserialize_with = "loose_text")]
    pub amount: Option<String>,
    #[serde(default, deserialize_with = "loose_text")]
    pub order_id: Option<String>,
}

/// A string, or a number kept as its text; `null` is absent.
fn loose_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) => Ok(Some(s)),
        serde_json::Value::Number(n) => Ok(Some(n.to_string())),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or number, got {other}"
        ))),
    }
}

/// `1`, `"1"`, `true` → 1; `0`, `"0"`, `false` → 0; `null` is absent.
fn loose_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Bool(b) => Ok(Some(i64::from(b))),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("status is not a whole number")),
        serde_json::Value::String(s) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("status {s:?} is not a number"))),
        other => Err(serde::de::Error::custom(format!(
            "status must be a number, got {other}"
        ))),
    }
}
