//! bKash's JSON, spelled as bKash spells it (camelCase, and snake_case for the token calls),
//! tolerant on input.
//!
//! Outgoing bodies are structs whose field order is the documented order; amounts are decimal
//! strings with exactly two decimals (`"100.00"`), never floats. Incoming, every answer is read
//! into one [`Answer`] whose members are all optional: bKash answers every operation, and every
//! error, with HTTP 200 and a `statusCode`/`statusMessage` pair (older deployments spell it
//! `errorCode`/`errorMessage`), and an API-gateway refusal carries only `message`. Codes and
//! amounts may come as strings or numbers; both are kept as their text. Unknown members are
//! ignored.

use serde::{Deserialize, Deserializer, Serialize};

#[derive(Serialize)]
pub struct GrantBody<'a> {
    pub app_key: &'a str,
    pub app_secret: &'a str,
}

#[derive(Serialize)]
pub struct RefreshBody<'a> {
    pub app_key: &'a str,
    pub app_secret: &'a str,
    pub refresh_token: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody<'a> {
    pub mode: &'a str,
    pub payer_reference: &'a str,
    #[serde(rename = "callbackURL")]
    pub callback_url: &'a str,
    pub amount: String,
    pub currency: &'a str,
    pub intent: &'a str,
    pub merchant_invoice_number: &'a str,
}

/// Execute and the payment's status both take the payment id alone.
#[derive(Serialize)]
pub struct PaymentBody<'a> {
    #[serde(rename = "paymentID")]
    pub payment_id: &'a str,
}

#[derive(Serialize)]
pub struct RefundBody<'a> {
    #[serde(rename = "paymentID")]
    pub payment_id: &'a str,
    pub amount: String,
    #[serde(rename = "trxID")]
    pub trx_id: &'a str,
    pub sku: &'a str,
    pub reason: &'a str,
}

/// Every member any answer may carry.
#[derive(Debug, Default, Deserialize)]
pub struct Answer {
    #[serde(default, rename = "statusCode", deserialize_with = "loose")]
    pub status_code: Option<String>,
    #[serde(default, rename = "statusMessage", deserialize_with = "loose")]
    pub status_message: Option<String>,
    #[serde(default, rename = "errorCode", deserialize_with = "loose")]
    pub error_code: Option<String>,
    #[serde(default, rename = "errorMessage", deserialize_with = "loose")]
    pub error_message: Option<String>,
    /// An API-gateway refusal (an expired or unknown token).
    #[serde(default, deserialize_with = "loose")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "loose")]
    pub id_token: Option<String>,
    #[serde(default, deserialize_with = "loose")]
    pub refresh_token: Option<String>,
    #[serde(default, deserialize_with = "loose")]
    pub expires_in: Option<String>,
    #[serde(default, rename = "paymentID", deserialize_with = "loose")]
    pub payment_id: Option<String>,
    #[serde(default, rename = "bkashURL", deserialize_with = "loose")]
    pub bkash_url: Option<String>,
    #[serde(default, rename = "transactionStatus", deserialize_with = "loose")]
    pub transaction_status: Option<String>,
    #[serde(default, rename = "userVerificationStatus", deserialize_with = "loose")]
    pub user_verification_status: Option<String>,
    #[serde(default, rename = "verificationStatus", deserialize_with = "loose")]
    pub verification_status: Option<String>,
    #[serde(default, rename = "trxID", deserialize_with = "loose")]
    pub trx_id: Option<String>,
    #[serde(default, deserialize_with = "loose")]
    pub amount: Option<String>,
    #[serde(default, deserialize_with = "loose")]
    pub currency: Option<String>,
    #[serde(default, rename = "merchantInvoiceNumber", deserialize_with = "loose")]
    pub merchant_invoice_number: Option<String>,
    /// The payment's status answer names the invoice `merchantInvoice`.
    #[serde(default, rename = "merchantInvoice", deserialize_with = "loose")]
    pub merchant_invoice: Option<String>,
    #[serde(default, rename = "originalTrxID", deserialize_with = "loose")]
    pub original_trx_id: Option<String>,
    #[serde(default, rename = "refundTrxID", deserialize_with = "loose")]
    pub refund_trx_id: Option<String>,
}

impl Answer {
    /// The code of the answer: `statusCode`, else the older `errorCode`.
    pub fn code(&self) -> Option<&str> {
        self.status_code
            .as_deref()
            .or(self.error_code.as_deref())
            .map(str::trim)
            .filter(|c| !c.is_empty())
    }

    /// The words that go with the code, if any.
    pub fn words(&self) -> Option<&str> {
        [&self.status_message, &self.error_message, &self.message]
            .into_iter()
            .find_map(|m| m.as_deref().filter(|m| !m.trim().is_empty()))
    }

    /// Whether the customer finished verification (wallet, OTP, PIN) for an unexecuted payment.
    pub fn customer_verified(&self) -> bool {
        self.user_verification_status
            .as_deref()
            .or(self.verification_status.as_deref())
            .is_some_and(|v| v.eq_ignore_ascii_case("Complete"))
    }

    /// Our reference as bKash echoes it.
    pub fn invoice(&self) -> Option<&str> {
        self.merchant_invoice_number
            .as_deref()
            .or(self.merchant_invoice.as_deref())
            .filter(|i| !i.is_empty())
    }
}

/// A string, or a number or boolean kept as its text; `null` is absent.
fn loose<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}
