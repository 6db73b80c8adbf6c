//! Webhooks the simulator sends (docs/gateways/pakhipay.md, "Webhook"): built when a payment
//! completes, delivered synchronously.
//!
//! Delivery is a JSON `POST` to the payment's `callback_url`, retried immediately while the
//! receiver answers non-2xx or cannot be reached, up to the account's `webhook_attempts` (K7,
//! default 3). Every try counts in `webhooks_sent`.

use rust_decimal::Decimal;

use super::signing::{signed_webhook, tampered, Fields};
use super::state::{Account, Payment, SentWebhook};
use super::PakhiPaySim;

/// Two decimals, as the webhook's `amount` string.
pub fn two_decimals(d: Decimal) -> String {
    let mut d = d.round_dp(2);
    d.rescale(2);
    d.to_string()
}

/// The completion webhook of `payment`, signed for `account`; `None` without a callback URL or
/// a transaction. (Built even when the account's webhooks are off, so `_sim/…/webhook` can
/// deliver it late.)
pub fn completion(account: &Account, payment: &Payment) -> Option<SentWebhook> {
    let url = payment.callback_url.clone()?;
    let transaction_id = payment.transaction_id.as_deref()?;
    let amount = two_decimals(payment.paid.unwrap_or(payment.amount));
    let token = format!("tok_{}", &payment.sim_id);
    let fields = Fields {
        status: payment.status.as_str(),
        transaction_id,
        amount: &amount,
        order_id: payment.order_id.as_deref(),
        token: account.include_token.then_some(token.as_str()),
    };
    let (signature, body) = signed_webhook(&account.api_key, &fields, account.signature_style);
    Some(SentWebhook {
        api_key: account.api_key.clone(),
        url,
        body: body.into_bytes(),
        signature,
    })
}

impl PakhiPaySim {
    /// Delivers one webhook (with its tries). Returns the receiver's last HTTP status, or the
    /// transport error of the last try.
    pub(super) async fn send_webhook(
        &self,
        hook: &SentWebhook,
        tamper: bool,
    ) -> Result<u16, String> {
        let attempts = {
            let st = self.lock();
            st.accounts.get(&hook.api_key).map(|a| a.webhook_attempts)
        }
        .ok_or_else(|| "account no longer exists".to_owned())?
        .max(1);
        let body = if tamper {
            let text = String::from_utf8_lossy(&hook.body);
            text.replace(&hook.signature, &tampered(&hook.signature))
                .into_bytes()
        } else {
            hook.body.clone()
        };
        let mut last = Err("not sent".to_owned());
        for _ in 0..attempts {
            self.lock().stats.webhooks_sent += 1;
            let answer = self
                .http
                .post(&hook.url)
                .timeout(self.config.webhook_timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "PakhiPay-Webhook/1.0 (simulator)")
                .body(body.clone())
                .send()
                .await;
            last = match answer {
                Ok(r) => Ok(r.status().as_u16()),
                Err(e) => {
                    tracing::warn!(url = %hook.url, error = %e, "pakhipay sim: webhook delivery failed");
                    Err(e.to_string())
                }
            };
            if matches!(last, Ok(200..=299)) {
                break;
            }
        }
        last
    }
}
