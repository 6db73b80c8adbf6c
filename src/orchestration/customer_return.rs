//! The customer coming back from a gateway (design §1.8): record what came back, recheck live
//! (query parameters are never trusted), and send the customer on to the merchant's page.

use super::{views, Orchestrator};
use crate::domain::status::{PaymentStatus, Source};
use crate::error::AppResult;
use crate::store::{self, attempts::AttemptRow};
use serde_json::{Map, Value};

pub struct ReturnDecision {
    pub payment_id: String,
    pub status: PaymentStatus,
    /// Where to send the customer (303), when the merchant gave a URL.
    pub redirect_to: Option<String>,
}

impl Orchestrator {
    /// The attempt the customer comes back from: the one named by `a` (hosted payments have
    /// several), else the latest.
    async fn returning_attempt(
        &self,
        payment_id: &str,
        query: &[(String, String)],
    ) -> AppResult<Option<AttemptRow>> {
        let named = query
            .iter()
            .find(|(k, _)| k == "a")
            .map(|(_, v)| v.as_str());
        if let Some(id) = named {
            let mut conn = self.db.acquire().await?;
            if let Some(a) = store::attempts::get(&mut conn, id).await? {
                if a.payment_id == payment_id {
                    return Ok(Some(a));
                }
            }
        }
        self.latest_attempt(payment_id).await
    }

    /// Keeps what came back on the timeline, and ids the gateway put on the return URL (Pakhi
    /// Pay's transaction id) for the recheck; the status in the query string is never trusted.
    async fn record_return(&self, payment_id: &str, query: &[(String, String)]) -> AppResult<()> {
        let came_back: Map<String, Value> = query
            .iter()
            .filter(|(k, _)| k != "t")
            .take(20)
            .map(|(k, v)| {
                (
                    k.chars().take(64).collect(),
                    Value::String(v.chars().take(256).collect()),
                )
            })
            .collect();
        let mut conn = self.db.acquire().await?;
        self.note(
            &mut conn,
            payment_id,
            "customer.returned",
            Source::Return,
            Value::Object(came_back),
        )
        .await?;
        drop(conn);
        if let Some(attempt) = self.returning_attempt(payment_id, query).await? {
            let (_, adapter) = self.adapter(&attempt.provider)?;
            let hints = adapter.parse_return(query);
            self.remember_gateway_ids(
                &attempt.id,
                hints.external_id.as_deref(),
                hints.charge_id.as_deref(),
            )
            .await?;
        }
        Ok(())
    }

    /// `may_recheck` is asked once the token checks out: whether this return may ask the
    /// gateway (the per-payment return rate limit), so a wrong token cannot use it up.
    pub async fn customer_return(
        &self,
        payment_id: &str,
        token: &str,
        query: &[(String, String)],
        may_recheck: impl FnOnce() -> bool,
    ) -> AppResult<ReturnDecision> {
        let payment = self.payment_by_token(payment_id, token).await?;
        let status = if may_recheck() {
            self.record_return(payment_id, query).await?;
            match self.recheck(None, payment_id, Source::Return, false).await {
                Ok(r) => r.current,
                Err(err) => {
                    // The customer is not kept waiting on a gateway problem; the reconciler
                    // follows up.
                    tracing::warn!(payment_id, error = %err, "recheck on return failed; redirecting with the stored status");
                    views::status_of(&payment)
                }
            }
        } else {
            // Over the return rate limit: no gateway call, no timeline row, the stored status.
            tracing::info!(payment_id, "return over its rate limit; not rechecked");
            views::status_of(&payment)
        };
        if payment.hosted && status == PaymentStatus::Pending && self.now() < payment.expires_at {
            // Back from an attempt that did not pay: the hosted page offers the choice again.
            return Ok(ReturnDecision {
                payment_id: payment_id.to_owned(),
                status,
                redirect_to: Some(self.hosted_page_url(payment_id, &payment.return_token)),
            });
        }
        let wants_cancel = query.iter().any(|(k, v)| k == "intent" && v == "cancel");
        let unpaid_final = matches!(
            status,
            PaymentStatus::Failed | PaymentStatus::Cancelled | PaymentStatus::Expired
        );
        let base = if unpaid_final || (wants_cancel && !status.is_paid()) {
            payment.cancel_url.clone().or(payment.return_url.clone())
        } else {
            payment.return_url.clone()
        };
        let redirect_to = base.and_then(|b| url::Url::parse(&b).ok()).map(|mut u| {
            u.query_pairs_mut()
                .append_pair("payment_id", payment_id)
                .append_pair("status", status.as_str());
            u.to_string()
        });
        Ok(ReturnDecision {
            payment_id: payment_id.to_owned(),
            status,
            redirect_to,
        })
    }
}
