//! HitPay payment-request simulator (providers.md §5, design §6).
//!
//! Routes, under `{prefix}/hitpay` (the rest is HitPay's real path):
//! `POST /v1/payment-requests`, `GET /v1/payment-requests/{id}` (with `payments[]`),
//! `DELETE /v1/payment-requests/{id}` (`{"success":true}`; a completed request cannot be deleted),
//! `POST /v1/refund` (by the payment id, T7), `GET /v1/refund/{id}`; the checkout page
//! `GET /checkout/{id}` with `POST /checkout/{id}/{outcome}`; and the test controls under `/_sim/`
//! (`controls`; and for chaos tests late payments, other charges, dashboard refunds and the
//! `orders` oracle, `chaos`).
//!
//! Authentication is `X-BUSINESS-API-KEY` (401 `{"message":"Unauthenticated."}` otherwise); errors
//! are Laravel's shapes (`errors.rs`). Writes are read as form or JSON (T4). Webhooks are v1 forms
//! signed with the account's salt unless configured otherwise (T1). Defaults that providers.md
//! marks [INFERRED] are fields of [`HitPayConfig`].

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::{web, HttpRequest};

mod api;
mod chaos;
mod checkout;
mod controls;
mod errors;
mod faults;
mod input;
mod refunds;
pub mod signing;
pub mod state;
mod views;
mod webhook;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_api;
#[cfg(test)]
mod tests_chaos;
#[cfg(test)]
mod tests_checkout;
#[cfg(test)]
mod tests_dashboard;
#[cfg(test)]
mod tests_faults;

/// Which webhook a payment request's `webhook` URL receives (T1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookFormat {
    /// The legacy form webhook with `hmac` (HitPay's advice for payment requests).
    V1,
    /// A v2 `charge` event with `Hitpay-Signature`.
    V2,
}

#[derive(Clone, Debug)]
pub struct HitPayConfig {
    pub webhook_format: WebhookFormat,
    /// T9: redeliveries after a non-2xx answer [INFERRED].
    pub webhook_retries: u32,
    /// First retry delay; doubles each time.
    pub webhook_backoff: Duration,
    /// Time limit of one delivery.
    pub webhook_timeout: Duration,
    /// T8: send the legacy `status=pending` webhook (never by default).
    pub emit_pending_webhook: bool,
}

impl Default for HitPayConfig {
    fn default() -> Self {
        HitPayConfig {
            webhook_format: WebhookFormat::V1,
            webhook_retries: 5,
            webhook_backoff: Duration::from_millis(500),
            webhook_timeout: Duration::from_secs(10),
            emit_pending_webhook: false,
        }
    }
}

/// The simulator: its configuration, its state and the client that sends webhooks.
pub struct HitPaySim {
    pub config: HitPayConfig,
    http: reqwest::Client,
    state: Mutex<state::State>,
}

impl HitPaySim {
    pub fn new(http: reqwest::Client) -> Self {
        Self::with_config(http, HitPayConfig::default())
    }

    pub fn with_config(http: reqwest::Client, config: HitPayConfig) -> Self {
        HitPaySim {
            config,
            http,
            state: Mutex::new(state::State::default()),
        }
    }

    /// Locks the state; a poisoned lock is recovered (the state stays usable for tests).
    fn lock(&self) -> MutexGuard<'_, state::State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds (or replaces, by api key) an account.
    pub fn add_account(&self, account: state::Account) {
        self.lock()
            .accounts
            .insert(account.api_key.clone(), account);
    }

    /// A copy of the call counters.
    pub fn stats(&self) -> state::Stats {
        self.lock().stats.clone()
    }

    /// Clears records, faults and stats (not accounts).
    pub fn reset(&self) {
        self.lock().reset();
    }
}

/// What one mount point knows: the simulator and the path it is mounted at.
pub(crate) struct Mount {
    pub sim: Arc<HitPaySim>,
    /// `{prefix}/hitpay`.
    pub base: String,
}

impl Mount {
    /// `<scheme>://<host><mount>/checkout/<id>` for the incoming request (the mount as actually
    /// reached, so an outer scope still gives a working URL).
    pub fn checkout_url(&self, req: &HttpRequest, id: &str) -> String {
        let info = req.connection_info();
        let path = req.path();
        let marker = format!("{}/", self.base);
        let mount = match path.find(&marker) {
            Some(i) => &path[..i + self.base.len()],
            None => &self.base,
        };
        format!(
            "{}://{}{}/checkout/{}",
            info.scheme(),
            info.host(),
            mount,
            id
        )
    }
}

/// Mounts the simulator under `{prefix}/hitpay`.
pub fn configure(cfg: &mut web::ServiceConfig, sim: &Arc<HitPaySim>, prefix: &str) {
    let base = format!("{}/hitpay", prefix.trim_end_matches('/'));
    let mount = web::Data::new(Mount {
        sim: Arc::clone(sim),
        base: base.clone(),
    });
    cfg.service(
        web::scope(&base)
            .app_data(mount)
            .configure(api::routes)
            .configure(refunds::routes)
            .configure(checkout::routes)
            .configure(controls::routes)
            .configure(chaos::routes),
    );
}

/// The built-in test account, as the credential object Payrail stores for HitPay.
pub fn default_credentials() -> Option<serde_json::Value> {
    let a = state::Account::default_account();
    Some(serde_json::json!({ "api_key": a.api_key, "salt": a.salt }))
}
