//! Paymento's JSON, spelled as Paymento spells it (wire contract and the labels P1–P10:
//! docs/gateways/paymento.md).
//!
//! Outgoing bodies are structs in the swagger's names (P4, P5): `fiatAmount` (a string,
//! "Money format"), `fiatCurrency`, `returnUrl`, `orderId`, `riskSpeed`; `{"token"}`;
//! `{"IPN_Url","IPN_Method"}`.
//!
//! Incoming JSON is read through [`CiObject`]: the server is ASP.NET, whose REST answers are
//! camelCase, whose IPN is PascalCase, and whose settings answer even has a key with a trailing
//! space (`"IPN_Url "`), so keys are trimmed and compared case-insensitively (P5). Values
//! stay raw JSON text so amounts become `Decimal` from their exact digits, never through a float.

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::str::FromStr;

/// `POST /v1/payment/request` (swagger `PaymentRequest`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequestBody<'a> {
    pub fiat_amount: String,
    pub fiat_currency: &'a str,
    pub return_url: &'a str,
    pub order_id: &'a str,
    pub risk_speed: u8,
}

/// `POST /v1/payment/verify`.
#[derive(Serialize)]
pub struct VerifyBody<'a> {
    pub token: &'a str,
}

/// `POST /v1/payment/settings`, as both official plugins send it (P5).
#[derive(Serialize)]
pub struct SettingsBody<'a> {
    #[serde(rename = "IPN_Url")]
    pub ipn_url: &'a str,
    #[serde(rename = "IPN_Method")]
    pub ipn_method: u8,
}

/// A JSON object with trimmed, lower-cased keys and raw values.
#[derive(Debug)]
pub struct CiObject {
    fields: Vec<(String, Box<RawValue>)>,
}

impl CiObject {
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let map: HashMap<String, Box<RawValue>> =
            serde_json::from_slice(bytes).map_err(|e| format!("not a JSON object: {e}"))?;
        Ok(Self {
            fields: map
                .into_iter()
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v))
                .collect(),
        })
    }

    /// The raw value under `key` (lower-case), `None` when absent or `null`.
    pub fn raw(&self, key: &str) -> Option<&RawValue> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
            .filter(|v| v.get().trim() != "null")
    }

    /// A string, or a number kept as its text (ids arrive either way).
    pub fn text(&self, key: &str) -> Result<Option<String>, String> {
        let Some(raw) = self.raw(key) else {
            return Ok(None);
        };
        match serde_json::from_str::<serde_json::Value>(raw.get()) {
            Ok(serde_json::Value::String(s)) => Ok(Some(s)),
            Ok(serde_json::Value::Number(_)) => Ok(Some(raw.get().trim().to_owned())),
            _ => Err(format!("{key} is neither a string nor a number")),
        }
    }

    /// `true`/`false`, also as the strings `"true"`/`"false"`; anything else is `None`.
    pub fn flag(&self, key: &str) -> Option<bool> {
        match serde_json::from_str::<serde_json::Value>(self.raw(key)?.get()).ok()? {
            serde_json::Value::Bool(b) => Some(b),
            serde_json::Value::String(s) => s.trim().to_ascii_lowercase().parse().ok(),
            _ => None,
        }
    }

    pub fn object(&self, key: &str) -> Result<Option<CiObject>, String> {
        match self.raw(key) {
            None => Ok(None),
            Some(raw) => CiObject::parse(raw.get().as_bytes())
                .map(Some)
                .map_err(|_| format!("{key} is not an object")),
        }
    }

    /// A decimal from a JSON number's own digits, or from a string.
    pub fn decimal(&self, key: &str) -> Result<Option<Decimal>, String> {
        let Some(text) = self.text(key)? else {
            return Ok(None);
        };
        parse_decimal(&text)
            .map(Some)
            .ok_or_else(|| format!("{key} {text:?} is not a non-negative number"))
    }

    /// An `OrderStatus` as int, numeric string or enum name (P3).
    pub fn status(&self, key: &str) -> Result<Option<WireStatus>, String> {
        Ok(self.text(key)?.map(|t| WireStatus::read(&t)))
    }
}

/// `OrderStatus` as it arrived: a number (from an int or a numeric string) or a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireStatus {
    Code(i64),
    Name(String),
}

impl WireStatus {
    pub fn read(text: &str) -> Self {
        let t = text.trim();
        match t.parse::<i64>() {
            Ok(n) => WireStatus::Code(n),
            Err(_) => WireStatus::Name(t.to_owned()),
        }
    }

    pub fn verbatim(&self) -> String {
        match self {
            WireStatus::Code(n) => n.to_string(),
            WireStatus::Name(s) => s.clone(),
        }
    }
}

/// Plain (`25`, `25.0`) or scientific (`2.5E1`) notation; negatives refused.
fn parse_decimal(text: &str) -> Option<Decimal> {
    let t = text.trim();
    let value = if t.contains(['e', 'E']) {
        Decimal::from_scientific(t).ok()?
    } else {
        Decimal::from_str(t).ok()?
    };
    (value >= Decimal::ZERO).then_some(value)
}

/// `{"success", "message", "body"}` (swagger `*GeneralResponse`), plus the old `{"error"}`.
#[derive(Debug)]
pub struct Envelope {
    pub success: bool,
    pub message: Option<String>,
    pub error: Option<String>,
    pub body: Option<Box<RawValue>>,
}

impl Envelope {
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let obj = CiObject::parse(bytes)?;
        let text = |k: &str| obj.text(k).ok().flatten().filter(|s| !s.trim().is_empty());
        Ok(Self {
            success: obj.flag("success").unwrap_or(false),
            message: text("message"),
            error: text("error"),
            body: obj.raw("body").map(|r| r.to_owned()),
        })
    }

    /// `message`, then `error`, then nothing (the caller falls back to the raw body).
    pub fn reason(&self) -> Option<&str> {
        self.message.as_deref().or(self.error.as_deref())
    }
}

/// The verify answer's `body` ("Endpoints"), only the fields Payrail uses.
#[derive(Debug, Default, PartialEq)]
pub struct VerifyAnswer {
    pub token: Option<String>,
    pub order_id: Option<String>,
    pub order_status: Option<WireStatus>,
    /// `settlement.requestedFiatAmount`: the fiat amount of the order (no top-level amount).
    pub requested_fiat_amount: Option<Decimal>,
    /// `settlement.receivedCryptoAmount`: coins that reached the merchant's address (Paymento is
    /// non-custodial, so they stay there whatever the order's status).
    pub received_crypto_amount: Option<Decimal>,
}

impl VerifyAnswer {
    pub fn parse(body: &RawValue) -> Result<Self, String> {
        let obj = CiObject::parse(body.get().as_bytes())
            .map_err(|_| "verify body is not an object".to_string())?;
        let (requested_fiat_amount, received_crypto_amount) = match obj.object("settlement")? {
            Some(s) => (
                s.decimal("requestedfiatamount")?,
                s.decimal("receivedcryptoamount")?,
            ),
            None => (None, None),
        };
        Ok(Self {
            token: obj.text("token")?.map(|t| t.trim().to_owned()),
            order_id: obj.text("orderid")?,
            order_status: obj.status("orderstatus")?,
            requested_fiat_amount,
            received_crypto_amount,
        })
    }
}

/// The IPN body ("Webhook (IPN)"):
/// `{"Token","PaymentId","OrderId","OrderStatus","AdditionalData"}`.
#[derive(Debug, PartialEq)]
pub struct Ipn {
    pub token: Option<String>,
    pub payment_id: Option<String>,
    pub order_id: Option<String>,
    pub order_status: Option<WireStatus>,
}

impl Ipn {
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        let obj = CiObject::parse(body)?;
        Ok(Self {
            token: obj.text("token")?.map(|t| t.trim().to_owned()),
            payment_id: obj.text("paymentid")?,
            order_id: obj.text("orderid")?,
            order_status: obj.status("orderstatus")?,
        })
    }
}
