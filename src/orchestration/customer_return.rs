//! The customer coming back from a gateway (docs/api.md, "Provider-facing endpoints"): record what
//! came back, recheck live (query parameters are never trusted), and send the customer on to the
//! merchant's page.
//!
//! Two doors: the per-payment return URL handed to the gateway (`/checkout/{id}/return?t=`), and
//! an account's own return URL for gateways that take none per payment, where
//! the gateway's payment id on the query finds the attempt.

use super::{views, Orchestrator};
use crate::domain::status::{PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::store::{self, attempts::AttemptRow};
use serde_json::{Map, Value};

pub struct ReturnDecision {
    pub payment_id: String,
    pub status: PaymentStatus,
    /// Where to send the customer (303), when the merchant gave a URL.
    pub redirect_to: Option<String>,
    /// The payment's page token (to show Payrail's page when there is nowhere to go).
    pub token: String,
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

    /// Keeps what came back on the timeline, and ids the gateway put on the return URL (a
    /// transaction id, say) for the recheck; the status in the query string is never trusted.
    async fn record_return(
        &self,
        payment_id: &str,
        attempt: Option<&AttemptRow>,
        query: &[(String, String)],
    ) -> AppResult<()> {
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
        if let Some(attempt) = attempt {
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

    /// The return budget (`budgets.rs`) is spent once the token checks out, so a wrong token
    /// cannot use it up.
    pub async fn customer_return(
        &self,
        payment_id: &str,
        token: &str,
        query: &[(String, String)],
    ) -> AppResult<ReturnDecision> {
        let payment = self.payment_by_token(payment_id, token).await?;
        let attempt = self.returning_attempt(payment_id, query).await?;
        self.send_on(payment, attempt, query).await
    }

    /// The account-level return (`/checkout/return/{provider}/{account_id}`): the gateway's
    /// payment id on the query (`parse_return`) finds the attempt; anything else is 404.
    pub async fn account_return(
        &self,
        provider: &str,
        account_id: &str,
        query: &[(String, String)],
    ) -> AppResult<ReturnDecision> {
        let mut conn = self.db.acquire().await?;
        let account = store::accounts::get(&mut conn, account_id)
            .await?
            .filter(|a| a.provider == provider)
            .ok_or(AppError::NotFound)?;
        let (_, adapter) = self.adapter(&account.provider)?;
        let external_id = adapter
            .parse_return(query)
            .external_id
            .ok_or(AppError::NotFound)?;
        let attempt = store::attempts::by_external_id(&mut conn, account_id, &external_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let payment = store::payments::get(&mut conn, &attempt.payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(conn);
        self.send_on(payment, Some(attempt), query).await
    }

    /// Rechecks (when the rate limit allows) and decides where the customer goes next.
    async fn send_on(
        &self,
        payment: store::payments::PaymentRow,
        attempt: Option<AttemptRow>,
        query: &[(String, String)],
    ) -> AppResult<ReturnDecision> {
        let payment_id = payment.id.as_str();
        let status = if self.may_recheck_on_return(payment_id).await {
            self.record_return(payment_id, attempt.as_ref(), query)
                .await?;
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
                token: payment.return_token.clone(),
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
            token: payment.return_token.clone(),
        })
    }
}
