//! Webhooks the simulator sends (docs/gateways/hitpay.md, "Webhook v1" and "Webhook v2"; T1, T3,
//! T9).
//!
//! By default a payment request's `webhook` gets the v1 form: exactly the 7 documented fields in
//! the documented order (`payment_id`, `payment_request_id`, `reference_number`, `phone`,
//! `amount` "599.00", `currency` "SGD", `status`) plus `hmac` (API-key salt). With
//! `WebhookFormat::V2` it gets a v2 `charge` event instead: JSON with `Hitpay-Signature` (the
//! event salt, else the salt), `Hitpay-Event-Type`, `Hitpay-Event-Object: charge` and
//! `User-Agent: HitPay v2.0`. A refund made in HitPay's dashboard is always told as a v2 `charge`
//! `updated` event (v1 has no refund webhook), the charge showing its `refunded_amount`.
//!
//! A delivery is signed fresh each time. The first one is awaited by the caller (so a test that
//! follows the redirect knows it arrived); if it is not answered 2xx, the retries (T9, default 5,
//! doubling backoff) run in the background.

use std::time::Duration;

use chrono::Utc;
use rust_decimal::Decimal;

use super::signing::{sign_hex, tampered, v1_body, v1_hmac};
use super::state::{HookBody, Payment, PaymentRequest, SentWebhook};
use super::views::{local_ts, money, number};
use super::{HitPaySim, WebhookFormat};

/// The v1 fields for `payment` of `request` with the legacy `status` word.
pub fn v1_fields(
    request: &PaymentRequest,
    payment: &Payment,
    status: &str,
) -> Vec<(String, String)> {
    [
        ("payment_id", payment.id.clone()),
        ("payment_request_id", request.id.clone()),
        (
            "reference_number",
            request.reference_number.clone().unwrap_or_default(),
        ),
        ("phone", request.phone.clone().unwrap_or_default()),
        ("amount", money(payment.amount)),
        ("currency", request.currency.to_ascii_uppercase()),
        ("status", status.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The v2 `charge` body: the vector's four fields first, then the request's ids and the
/// payment's total refunded so far (a JSON number, like `amount`).
pub fn v2_charge_body(request: &PaymentRequest, payment: &Payment) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Charge<'a> {
        id: &'a str,
        status: &'a str,
        currency: String,
        amount: Box<serde_json::value::RawValue>,
        payment_request_id: &'a str,
        reference_number: Option<&'a str>,
        refunded_amount: Box<serde_json::value::RawValue>,
        created_at: String,
    }
    serde_json::to_vec(&Charge {
        id: &payment.id,
        status: payment.status.as_str(),
        currency: request.currency.to_ascii_lowercase(),
        amount: number(payment.amount),
        payment_request_id: &request.id,
        reference_number: request.reference_number.as_deref(),
        refunded_amount: number(payment.refunded),
        created_at: local_ts(payment.created),
    })
    .expect("plain struct serialises")
}

/// What an underpayment pays: half the amount, rounded down to cents (at least 0.01).
pub fn underpaid(amount: Decimal) -> Decimal {
    let half =
        (amount / Decimal::TWO).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero);
    half.max(Decimal::new(1, 2))
}

/// The v2 `charge` `updated` event of a refunded `payment` (a refund made in HitPay's
/// dashboard), whatever the configured format: v1 has no refund webhook. `None` when the request
/// has no webhook URL.
pub fn refund_hook(request: &PaymentRequest, payment: &Payment) -> Option<SentWebhook> {
    Some(SentWebhook {
        api_key: request.api_key.clone(),
        url: request.webhook.clone()?,
        body: HookBody::V2 {
            object: "charge",
            event_type: "updated",
            body: v2_charge_body(request, payment),
        },
    })
}

impl HitPaySim {
    /// The webhook for `payment` of `request` in the configured format, when the request has a
    /// webhook URL.
    pub(super) fn webhook_for(
        &self,
        request: &PaymentRequest,
        payment: &Payment,
        status: &str,
    ) -> Option<SentWebhook> {
        let url = request.webhook.clone()?;
        let body = match self.config.webhook_format {
            WebhookFormat::V1 => HookBody::V1(v1_fields(request, payment, status)),
            WebhookFormat::V2 => HookBody::V2 {
                object: "charge",
                event_type: "created",
                body: v2_charge_body(request, payment),
            },
        };
        Some(SentWebhook {
            api_key: request.api_key.clone(),
            url,
            body,
        })
    }

    /// One delivery, counted in `webhooks_sent`. Returns the receiver's HTTP status, or why
    /// there is none.
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
        let request = self
            .http
            .post(&hook.url)
            .timeout(self.config.webhook_timeout);
        let request = match &hook.body {
            HookBody::V1(fields) => {
                let mut hmac = v1_hmac(&account.salt, fields);
                if tamper {
                    hmac = tampered(&hmac);
                }
                request
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(v1_body(fields, &hmac))
            }
            HookBody::V2 {
                object,
                event_type,
                body,
            } => {
                let salt = account.event_salt.as_deref().unwrap_or(&account.salt);
                let mut sig = sign_hex(salt, body);
                if tamper {
                    sig = tampered(&sig);
                }
                request
                    .header("Content-Type", "application/json")
                    .header("Hitpay-Signature", sig)
                    .header("Hitpay-Event-Type", *event_type)
                    .header("Hitpay-Event-Object", *object)
                    .header("User-Agent", "HitPay v2.0")
                    .body(body.clone())
            }
        };
        match request.send().await {
            Ok(r) => Ok(r.status().as_u16()),
            Err(e) => {
                tracing::warn!(url = %hook.url, error = %e, "hitpay sim: webhook delivery failed");
                Err(e.to_string())
            }
        }
    }

    /// The first delivery, awaited; retries on a non-2xx answer continue in the background.
    /// A webhook armed to be lost (`_sim/webhooks`) is neither sent nor retried.
    pub(super) async fn deliver(self: &std::sync::Arc<Self>, hook: SentWebhook) {
        {
            let mut st = self.lock();
            if st.drop_webhooks > 0 {
                st.drop_webhooks -= 1;
                return;
            }
        }
        let first = self.send_webhook(&hook, false).await;
        if matches!(first, Ok(s) if (200..300).contains(&s)) || self.config.webhook_retries == 0 {
            return;
        }
        let sim = self.clone();
        actix_web::rt::spawn(async move {
            let mut delay = sim.config.webhook_backoff;
            for _ in 0..sim.config.webhook_retries {
                actix_web::rt::time::sleep(delay).await;
                if matches!(sim.send_webhook(&hook, false).await, Ok(s) if (200..300).contains(&s))
                {
                    return;
                }
                delay = (delay * 2).min(Duration::from_secs(60));
            }
            tracing::warn!(url = %hook.url, at = %Utc::now(), "hitpay sim: webhook given up");
        });
    }
}
