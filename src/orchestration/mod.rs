//! The use cases: the only code that changes a payment.
//!
//! HTTP handlers, the gateway-webhook receiver and the background workers are thin callers of
//! [`Orchestrator`]. Every status change goes through [`transition::apply_change`] under the
//! per-payment row lock, which writes the timeline entry and the merchant's outbox event in the
//! same transaction.
//!
//! The database handle is private to this module (and the store it calls): a caller outside
//! cannot reach past the use cases (E0616, private field):
//!
//! ```compile_fail,E0616
//! async fn peek(orch: &payrail::orchestration::Orchestrator) {
//!     let _conn = orch.db.acquire().await;
//! }
//! ```

pub mod account_settings;
pub mod accounts;
mod attempt_gateway;
pub mod breaker;
pub mod budgets;
pub mod cancel;
pub mod charges;
pub mod circuits;
pub mod confirm;
pub mod console_actions;
pub mod console_merchants;
pub mod console_overview;
pub mod console_queries;
pub mod console_sessions;
mod create_fields;
pub mod create_input;
pub mod create_outcome;
pub mod create_payment;
pub mod customer_return;
pub mod deliveries;
pub mod hosted;
pub mod hosted_page;
pub mod housekeeping;
pub mod idempotency;
pub mod json_fields;
pub mod list_json;
pub mod merchant_profile;
pub mod merchants;
pub mod ops;
pub mod queries;
pub mod recheck;
pub mod reconcile;
pub mod refund_cap;
pub mod refund_evidence;
pub mod refund_recheck;
pub mod refund_state;
pub mod refunds;
mod report_plan;
mod report_target;
pub mod reports;
pub mod request_auth;
pub mod review;
pub mod routing;
pub mod stats;
pub mod transition;
pub mod views;
pub mod webhook_journal;
pub mod webhooks;

use crate::config::Settings;
use crate::crypto::SecretBox;
use crate::domain::urls::UrlPolicy;
use crate::error::{AppError, AppResult};
use crate::metrics::Metrics;
use crate::providers::{
    AccountContext, FailureKind, GatewayFailure, ProviderAdapter, ProviderId, QueryRequest,
    Registry,
};
use crate::store::{self, accounts::AccountRow, lookups, Db};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The merchant-facing error for a gateway call that failed: `NotSent` is 502; an unknown
/// outcome is 504 when the gateway timed out, else 502. Refused credentials say so: a retry
/// cannot help until an operator fixes the account. The failure's reason is kept for logs.
pub fn gateway_error(unknown: bool, failure: GatewayFailure) -> AppError {
    match failure.kind {
        FailureKind::Timeout if unknown => AppError::ProviderTimeout(failure.reason),
        FailureKind::CredentialsRefused => AppError::ProviderCredentialsRefused(failure.reason),
        _ => AppError::ProviderUnavailable(failure.reason),
    }
}

/// Everything the use cases need, cheap to clone (all shared). The database handle is private:
/// the use cases here and the store they call are the only code that reads or writes it.
#[derive(Clone)]
pub struct Orchestrator {
    db: Db,
    pub settings: Arc<Settings>,
    pub secrets: SecretBox,
    pub providers: Registry,
    pub metrics: Metrics,
    /// Base URL gateways and customers reach this deployment at, without a trailing slash.
    pub public_url: String,
    pub clock: crate::clock::Clock,
    /// Circuit breakers per gateway account: this instance's failure counts, and the state
    /// itself on SQLite (on Postgres it is shared: `circuits.rs`).
    pub breakers: Arc<breaker::Breakers>,
    /// The live-recheck budgets (in memory on SQLite, shared rows on Postgres).
    budgets: Arc<budgets::Budgets>,
    /// Verify's status reads, coalesced across concurrent requests on Postgres.
    pub status_lookups: lookups::StatusLookups,
    /// Retrieve's whole-row reads, coalesced the same way.
    pub payment_lookups: lookups::PaymentLookups,
}

/// The shared parts [`Orchestrator::new`] takes besides the database (settings and keys).
pub struct Parts {
    pub settings: Settings,
    pub secrets: SecretBox,
    pub providers: Registry,
    pub metrics: Metrics,
    pub public_url: String,
    pub breakers: breaker::Breakers,
}

impl Orchestrator {
    /// Assembles the use cases over a connected, migrated database.
    pub fn new(db: Db, parts: Parts) -> Self {
        let batch_pool = lookups::batch_pool(&db);
        let status_lookups = lookups::StatusLookups::new(
            db.clone(),
            batch_pool.clone(),
            parts.metrics.status_lookup_counters(),
        );
        let payment_lookups = lookups::PaymentLookups::new(
            db.clone(),
            batch_pool,
            parts.metrics.payment_lookup_counters(),
        );
        let budgets = Arc::new(budgets::Budgets::new(&parts.settings.recheck));
        Self {
            db,
            settings: Arc::new(parts.settings),
            secrets: parts.secrets,
            providers: parts.providers,
            metrics: parts.metrics,
            public_url: parts.public_url,
            clock: Default::default(),
            breakers: Arc::new(parts.breakers),
            budgets,
            status_lookups,
            payment_lookups,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn url_policy(&self) -> UrlPolicy {
        UrlPolicy {
            allow_http: self.settings.allow_http(),
            allow_private_hosts: self.settings.allow_private_hosts(),
            allowed_hosts: crate::notify::address::AddressPolicy::from_list(
                false,
                &self.settings.notify.allowed_hosts,
            )
            .allowed_hosts,
        }
    }

    pub fn adapter(&self, provider: &str) -> AppResult<(ProviderId, Arc<dyn ProviderAdapter>)> {
        let id = ProviderId::parse(provider).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("stored provider {provider:?} is unknown"))
        })?;
        let adapter = self
            .providers
            .get(id)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no adapter for {provider}")))?;
        Ok((id, adapter))
    }

    /// The URL a gateway posts this account's webhooks to.
    pub fn webhook_url(&self, provider: &str, account_id: &str) -> String {
        format!("{}/v1/webhooks/{provider}/{account_id}/", self.public_url)
    }

    /// Where a gateway sends the customer back: Payrail's return interceptor.
    pub fn return_url(&self, payment_id: &str, token: &str) -> String {
        format!("{}/checkout/{payment_id}/return?t={token}", self.public_url)
    }

    /// An account's own return URL, for gateways that take none per payment: the
    /// gateway appends its payment id, which finds the attempt.
    pub fn account_return_url(&self, provider: &str, account_id: &str) -> String {
        format!(
            "{}/checkout/return/{provider}/{account_id}",
            self.public_url
        )
    }

    /// Payrail's hosted checkout page of a payment (its `checkout_url` when hosted).
    pub fn hosted_page_url(&self, payment_id: &str, token: &str) -> String {
        format!("{}/checkout/{payment_id}?t={token}", self.public_url)
    }

    /// Opens an account's credentials for one gateway call.
    pub fn account_context(&self, account: &AccountRow) -> AppResult<AccountContext> {
        let plain = self
            .secrets
            .open(
                &account.credentials_enc,
                &accounts::credentials_aad(&account.merchant_id, &account.provider),
            )
            .map_err(|e| AppError::Internal(e.into()))?;
        let credentials =
            serde_json::from_slice(&plain).map_err(|e| AppError::Internal(e.into()))?;
        Ok(AccountContext {
            account_id: account.id.clone(),
            credentials,
            base_url: account.base_url.clone(),
            webhook_url: self.webhook_url(&account.provider, &account.id),
        })
    }

    /// What an adapter needs to ask the gateway about `attempt` of payment `p`.
    pub fn query_request(
        &self,
        p: &store::payments::PaymentRow,
        attempt: &store::attempts::AttemptRow,
    ) -> AppResult<QueryRequest> {
        let currency = crate::domain::money::Currency::parse(&p.currency).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("stored currency {} is unknown", p.currency))
        })?;
        Ok(QueryRequest {
            reference: attempt.reference.clone(),
            external_id: attempt.external_id.clone(),
            charge_id: attempt.charge_id.clone(),
            amount: rust_decimal::Decimal::new(p.amount_minor, currency.digits()),
            currency: p.currency.clone(),
        })
    }

    pub async fn load_account(&self, account_id: &str) -> AppResult<AccountRow> {
        let mut conn = self.db.acquire().await?;
        store::accounts::get(&mut conn, account_id)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("account {account_id} vanished")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_unknown_outcome_that_timed_out_answers_504() {
        let timeout = || GatewayFailure::new(FailureKind::Timeout, "no answer");
        assert!(matches!(
            gateway_error(true, timeout()),
            AppError::ProviderTimeout(m) if m == "no answer"
        ));
        assert!(matches!(
            gateway_error(false, timeout()),
            AppError::ProviderUnavailable(_)
        ));
        // The text is the gateway's to write: it never decides the status.
        let quoted = GatewayFailure::refused("upstream timed out (HTTP 502 from HitPay)");
        assert!(matches!(
            gateway_error(true, quoted),
            AppError::ProviderUnavailable(m) if m.contains("timed out")
        ));
    }

    #[test]
    fn credentials_refused_at_the_door_say_so_whatever_the_outcome() {
        for status in [401, 403] {
            let refused = GatewayFailure::status(status, format!("HTTP {status}"));
            for unknown in [false, true] {
                let err = gateway_error(unknown, refused.clone());
                assert!(matches!(err, AppError::ProviderCredentialsRefused(_)));
                assert_eq!((err.code(), err.status()), ("provider_unavailable", 502));
            }
        }
        for (status, kind) in [(429, FailureKind::RateLimited), (404, FailureKind::Refused)] {
            assert_eq!(GatewayFailure::status(status, "x").kind, kind);
        }
    }
}
