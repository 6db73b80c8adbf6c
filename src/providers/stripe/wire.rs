//! Stripe's JSON, spelled as Stripe spells it, tolerant on input.
//!
//! Every field Payrail does not strictly need is optional and unknown fields are ignored (Stripe
//! adds fields in every API version). Amounts are JSON integers in Stripe's smallest unit
//! (`amounts`), never floats. An expandable field (`payment_intent`, `latest_charge`) is an id or,
//! when the request asked `expand[]`, the object itself ([`Expandable`]).
//! Outgoing writes are form-encoded with Stripe's bracket syntax, built in `requests`.

use serde::Deserialize;
use std::collections::BTreeMap;

/// An id, or the object when expanded.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Expandable<T> {
    Id(String),
    Object(Box<T>),
}

impl<T: HasId> Expandable<T> {
    pub fn id(&self) -> &str {
        match self {
            Expandable::Id(id) => id,
            Expandable::Object(o) => o.id(),
        }
    }

    pub fn object(&self) -> Option<&T> {
        match self {
            Expandable::Id(_) => None,
            Expandable::Object(o) => Some(o),
        }
    }
}

pub trait HasId {
    fn id(&self) -> &str;
}

pub type Metadata = BTreeMap<String, String>;

/// A Checkout Session (`object: "checkout.session"`).
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    pub id: String,
    /// `open`, `complete`, `expired`.
    pub status: Option<String>,
    /// `paid`, `unpaid`, `no_payment_required`.
    pub payment_status: Option<String>,
    pub amount_total: Option<i64>,
    pub currency: Option<String>,
    pub client_reference_id: Option<String>,
    pub url: Option<String>,
    pub payment_intent: Option<Expandable<PaymentIntent>>,
    #[serde(default)]
    pub metadata: Option<Metadata>,
}

/// A PaymentIntent (`object: "payment_intent"`).
#[derive(Debug, Clone, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    pub status: Option<String>,
    pub latest_charge: Option<Expandable<Charge>>,
}

impl HasId for PaymentIntent {
    fn id(&self) -> &str {
        &self.id
    }
}

/// A Charge (`object: "charge"`): `charge.refunded` events carry one.
#[derive(Debug, Clone, Deserialize)]
pub struct Charge {
    pub id: String,
    /// `succeeded`, `pending`, `failed`.
    pub status: Option<String>,
    pub amount: Option<i64>,
    pub amount_refunded: Option<i64>,
    pub refunded: Option<bool>,
    pub currency: Option<String>,
    pub payment_intent: Option<String>,
    #[serde(default)]
    pub metadata: Option<Metadata>,
}

impl HasId for Charge {
    fn id(&self) -> &str {
        &self.id
    }
}

/// A Refund (`object: "refund"`).
#[derive(Debug, Clone, Deserialize)]
pub struct Refund {
    pub id: String,
    /// `pending`, `requires_action`, `succeeded`, `failed`, `canceled`.
    pub status: Option<String>,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub payment_intent: Option<String>,
    #[serde(default)]
    pub metadata: Option<Metadata>,
}

/// An Event (`object: "event"`), as webhooks deliver it.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: EventData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

/// Stripe's error envelope: `{"error": {"type", "code", "decline_code", "message", "param"}}`.
#[derive(Debug, Default, Deserialize)]
pub struct ErrorEnvelope {
    #[serde(default)]
    pub error: ErrorObj,
}

#[derive(Debug, Default, Deserialize)]
pub struct ErrorObj {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub code: Option<String>,
    pub decline_code: Option<String>,
    pub message: Option<String>,
    pub param: Option<String>,
}

impl ErrorObj {
    /// `message (type/code, param)` with whatever is present.
    pub fn text(&self) -> String {
        let tags: Vec<&str> = [&self.kind, &self.code, &self.decline_code]
            .into_iter()
            .filter_map(|t| t.as_deref())
            .collect();
        let mut out = self.message.clone().unwrap_or_default();
        if !tags.is_empty() {
            out.push_str(&format!(" [{}]", tags.join("/")));
        }
        if let Some(p) = &self.param {
            out.push_str(&format!(" (param {p})"));
        }
        out.trim().to_owned()
    }
}
