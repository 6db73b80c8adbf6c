//! Webhooks the simulator sends: payment (docs/gateways/paystablecoin.md, "Webhook") and refund
//! (S8) bodies, their signature, delivery.
//!
//! The payment body is a derived struct so the field order and the compact bytes match the
//! "Test vectors" exactly; the signature is variant (B) unless the account asks for (A) (S1).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::signing;
use super::state::{Account, Order, Refund, SentWebhook, WebhookVariant};
use super::PscSim;

/// UTC ISO-8601 with seconds and `Z`, as in the vector (`2025-01-22T14:00:00Z`).
pub fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A USDT amount with exactly two decimals.
pub fn usdt(d: Decimal) -> String {
    let mut d = d.round_dp(2);
    d.rescale(2);
    d.to_string()
}

/// What an underpayment pays: half the due amount, rounded down to cents.
pub fn underpaid(due: Decimal) -> Decimal {
    (due / Decimal::TWO).round_dp_with_strategy(2, RoundingStrategy::ToZero)
}

#[derive(Serialize)]
pub struct Money {
    pub value: String,
    pub currency: String,
}

/// The hosted payment webhook body, fields in the documented order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentWebhook<'a> {
    pub acquiring_order_id: &'a str,
    pub payment_order_id: &'a str,
    pub merchant_order_id: &'a str,
    pub status: &'a str,
    pub order_amount: Money,
    pub crypto_payment_amount: Money,
    pub crypto_paid_amount: Money,
    pub created_time: String,
    pub paid_time: Option<String>,
}

impl<'a> From<&'a Order> for PaymentWebhook<'a> {
    fn from(o: &'a Order) -> Self {
        let usdt_money = |d| Money {
            value: usdt(d),
            currency: "USDT".into(),
        };
        PaymentWebhook {
            acquiring_order_id: &o.acquiring_order_id,
            payment_order_id: &o.payment_order_id,
            merchant_order_id: &o.merchant_order_id,
            status: o.status.as_str(),
            order_amount: Money {
                value: o.amount_value.clone(),
                currency: o.currency.clone(),
            },
            crypto_payment_amount: usdt_money(o.crypto_payment),
            crypto_paid_amount: usdt_money(o.crypto_paid),
            created_time: iso(o.created),
            paid_time: o.paid.map(iso),
        }
    }
}

/// Compact JSON bytes of the payment webhook for `order`.
pub fn payment_body(order: &Order) -> Vec<u8> {
    serde_json::to_vec(&PaymentWebhook::from(order)).expect("plain struct serialises")
}

/// The refund webhook body (S8); `refundAmount` only when the merchant sent one.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundWebhook<'a> {
    pub merchant_refund_order_id: &'a str,
    pub acquiring_order_id: &'a str,
    pub status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_amount: Option<&'a serde_json::Value>,
}

pub fn refund_body(refund: &Refund) -> Vec<u8> {
    serde_json::to_vec(&RefundWebhook {
        merchant_refund_order_id: &refund.merchant_refund_order_id,
        acquiring_order_id: &refund.acquiring_order_id,
        status: refund.status,
        refund_amount: refund.requested.as_ref(),
    })
    .expect("plain struct serialises")
}

/// `X-Signature` for a webhook to `url` (variant B signs the URL's path, without its query).
pub fn signature(account: &Account, url: &str, body: &[u8], timestamp: &str) -> String {
    let msg = match account.webhook_variant {
        WebhookVariant::Body => signing::webhook_string_a(timestamp, body),
        WebhookVariant::Path => {
            let path = reqwest::Url::parse(url)
                .map(|u| u.path().to_owned())
                .unwrap_or_else(|_| "/".to_owned());
            signing::webhook_string_b(timestamp, &path, body)
        }
    };
    signing::sign(&account.api_secret, &msg)
}

/// The same signature with one bit flipped: well-formed Base64, wrong value.
pub fn tampered(signature: &str) -> String {
    let mut raw = STANDARD.decode(signature).unwrap_or_else(|_| vec![0; 32]);
    if let Some(b) = raw.first_mut() {
        *b ^= 0x01;
    }
    STANDARD.encode(raw)
}

impl PscSim {
    /// Sends one webhook (fresh timestamp and signature), counting it in `webhooks_sent`.
    /// Returns the receiver's HTTP status, or the transport error.
    pub(super) async fn send_webhook(
        &self,
        hook: &SentWebhook,
        tamper: bool,
    ) -> Result<u16, String> {
        let account = {
            let mut st = self.lock();
            st.stats.webhooks_sent += 1;
            st.accounts.get(&hook.api_key).cloned()
        };
        let account = account.ok_or_else(|| "account no longer exists".to_owned())?;
        let ts = Utc::now().timestamp_millis().to_string();
        let mut sig = signature(&account, &hook.url, &hook.body, &ts);
        if tamper {
            sig = tampered(&sig);
        }
        let answer = self
            .http
            .post(&hook.url)
            .timeout(self.config.webhook_timeout)
            .header("Content-Type", "application/json")
            .header("X-Timestamp", ts)
            .header("X-Signature", sig)
            .body(hook.body.clone())
            .send()
            .await;
        match answer {
            Ok(r) => Ok(r.status().as_u16()),
            Err(e) => {
                tracing::warn!(url = %hook.url, error = %e, "psc sim: webhook delivery failed");
                Err(e.to_string())
            }
        }
    }
}
