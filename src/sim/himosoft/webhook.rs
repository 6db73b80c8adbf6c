//! The callback the simulator sends to `callback_url`. [INVENTED] (H5): HimoSoft documents no
//! callback at all, so this shape is the synthetic one of docs/gateways/himosoft.md, flagged as
//! such in `HimoSoftConfig::send_callbacks`:
//! POST `application/json` `{"id","status","order_id","amount","currency","external_id"}` with
//! `X-Timestamp` (seconds) and `X-HMAC-Signature` = hex(HMAC(secret, ts ‖ body)), mirroring
//! request signing; a non-2xx answer is retried (default 3 tries in all), each try freshly
//! timestamped and signed, and each counted in `webhooks_sent`.

use chrono::Utc;
use serde::Serialize;

use super::signing;
use super::state::{Payment, SentWebhook};
use super::HimoSoftSim;

#[derive(Serialize)]
struct Callback<'a> {
    id: &'a str,
    status: &'a str,
    order_id: Option<&'a str>,
    amount: String,
    currency: &'a str,
    external_id: Option<&'a str>,
}

/// Compact JSON bytes of the callback for `p` as it is now.
pub fn callback_body(p: &Payment) -> Vec<u8> {
    serde_json::to_vec(&Callback {
        id: &p.id,
        status: p.status.as_str(),
        order_id: p.order_id.as_deref(),
        amount: p.reported_amount(),
        currency: &p.currency,
        external_id: p.external_id.as_deref(),
    })
    .expect("plain struct serialises")
}

impl HimoSoftSim {
    /// Delivers one callback (retrying a non-2xx answer). Returns each try's HTTP status, or
    /// `None` for a transport error; empty when the callback was dropped (`_sim/webhooks/drop`).
    pub(super) async fn deliver(&self, hook: &SentWebhook, tamper: bool) -> Vec<Option<u16>> {
        let secret = {
            let mut st = self.lock();
            if st.drop_webhooks > 0 {
                st.drop_webhooks -= 1;
                return Vec::new();
            }
            st.account(hook.account.as_deref())
                .map(|a| a.secret.clone())
        };
        let Some(secret) = secret else {
            return Vec::new();
        };
        let mut statuses = Vec::new();
        for _ in 0..self.config.webhook_tries.max(1) {
            self.lock().stats.webhooks_sent += 1;
            let ts = Utc::now().timestamp().to_string();
            let mut sig = signing::sign(&secret, &ts, &hook.body);
            if tamper {
                sig = signing::tampered(&sig);
            }
            let answer = self
                .http
                .post(&hook.url)
                .timeout(self.config.webhook_timeout)
                .header("Content-Type", "application/json")
                .header("X-Timestamp", ts)
                .header("X-HMAC-Signature", sig)
                .body(hook.body.clone())
                .send()
                .await;
            let status = match answer {
                Ok(r) => Some(r.status().as_u16()),
                Err(e) => {
                    tracing::warn!(url = %hook.url, error = %e, "himosoft sim: callback failed");
                    None
                }
            };
            statuses.push(status);
            if status.is_some_and(|s| (200..300).contains(&s)) {
                break;
            }
        }
        statuses
    }
}
