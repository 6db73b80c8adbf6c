//! Webhooks the simulator sends: Stripe events, signed with `Stripe-Signature`, to the account's
//! endpoint (`webhook_url`, set with `_sim/accounts`; none set, none sent).
//!
//! Events: `checkout.session.completed` (paid, or unpaid for a delayed method),
//! `checkout.session.async_payment_succeeded` / `…_failed`, `checkout.session.expired`,
//! `charge.refunded` and `refund.created`. Each is signed fresh on every delivery, at that
//! delivery's time. A delivery answered other than 2xx is retried in the background
//! (`StripeConfig::webhook_retries`, doubling backoff). What the checkout page and the `_sim`
//! controls cause is delivered before they answer (a test that follows knows it arrived); what an
//! API call causes (expire, refund) is delivered after the call answered, as Stripe does.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::signing::{header, tampered};
use super::state::SentWebhook;
use super::views;
use super::StripeSim;

impl StripeSim {
    /// The event `kind` about `object` for the account `secret_key`.
    pub(super) fn event(&self, secret_key: &str, kind: &str, object: Value) -> SentWebhook {
        SentWebhook {
            secret_key: secret_key.to_owned(),
            body: views::event(kind, object, chrono::Utc::now().timestamp()),
        }
    }

    /// One delivery, counted in `webhooks_sent`, signed `age_secs` in the past (0: now).
    /// Returns the receiver's HTTP status, or why there is none.
    pub(super) async fn send_webhook(
        &self,
        hook: &SentWebhook,
        tamper: bool,
        age_secs: i64,
    ) -> Result<u16, String> {
        let account = {
            let mut st = self.lock();
            st.stats.webhooks_sent += 1;
            st.accounts.get(&hook.secret_key).cloned()
        };
        let account = account.ok_or("account no longer exists")?;
        let url = account.webhook_url.ok_or("the account has no webhook endpoint")?;
        let t = chrono::Utc::now().timestamp() - age_secs;
        let previous = account.previous_webhook_secret.as_deref();
        let mut signature = header(&account.webhook_secret, previous, t, hook.body.as_bytes());
        if tamper {
            signature = tampered(&signature);
        }
        let sent = self
            .http
            .post(&url)
            .timeout(self.config.webhook_timeout)
            .header("Content-Type", "application/json; charset=utf-8")
            .header("Stripe-Signature", signature)
            .header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
            .body(hook.body.clone())
            .send()
            .await;
        match sent {
            Ok(r) => Ok(r.status().as_u16()),
            Err(e) => {
                tracing::warn!(url = %url, error = %e, "stripe sim: webhook delivery failed");
                Err(e.to_string())
            }
        }
    }

    /// Delivers `hooks` in order, each awaited; a lost one (`_sim/webhooks`) is neither sent nor
    /// retried, a held one waits for `_sim/webhooks/release`, and retries after a non-2xx answer
    /// run in the background.
    pub(super) async fn deliver(self: &Arc<Self>, hooks: Vec<SentWebhook>) {
        for hook in hooks {
            {
                let mut st = self.lock();
                if st.drop_webhooks > 0 {
                    st.drop_webhooks -= 1;
                    continue;
                }
                if st.hold_webhooks > 0 {
                    st.hold_webhooks -= 1;
                    st.held_webhooks.push(hook);
                    continue;
                }
            }
            self.send_or_retry(hook).await;
        }
    }

    /// Sends the held webhooks, oldest first; answers how many.
    pub(super) async fn release_held(self: &Arc<Self>) -> usize {
        let held = std::mem::take(&mut self.lock().held_webhooks);
        let n = held.len();
        for hook in held {
            self.send_or_retry(hook).await;
        }
        n
    }

    async fn send_or_retry(self: &Arc<Self>, hook: SentWebhook) {
        let first = self.send_webhook(&hook, false, 0).await;
        if matches!(first, Ok(s) if (200..300).contains(&s)) || self.config.webhook_retries == 0 {
            return;
        }
        self.retry_later(hook);
    }

    /// Delivers `hooks` after the current call has answered.
    pub(super) fn deliver_later(self: &Arc<Self>, hooks: Vec<SentWebhook>) {
        let sim = self.clone();
        actix_web::rt::spawn(async move { sim.deliver(hooks).await });
    }

    fn retry_later(self: &Arc<Self>, hook: SentWebhook) {
        let sim = self.clone();
        actix_web::rt::spawn(async move {
            let mut delay = sim.config.webhook_backoff;
            for _ in 0..sim.config.webhook_retries {
                actix_web::rt::time::sleep(delay).await;
                let sent = sim.send_webhook(&hook, false, 0).await;
                if matches!(sent, Ok(s) if (200..300).contains(&s)) {
                    return;
                }
                delay = (delay * 2).min(Duration::from_secs(60));
            }
            tracing::warn!("stripe sim: webhook given up");
        });
    }
}
