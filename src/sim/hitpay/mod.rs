//! HitPay payment-request simulator. Wire contract and the labels T1–T10: docs/gateways/hitpay.md;
//! what every simulator shares: docs/sandbox.md.
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
//! signed with the account's salt unless configured otherwise (T1). Defaults that the note
//! marks [INFERRED] are fields of [`HitPayConfig`].

use std::time::Duration;

use crate::sim::common::shell::Sim;

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
mod tests;

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
pub type HitPaySim = Sim<HitPayConfig, state::State>;

impl HitPaySim {
    /// Adds (or replaces, by api key) an account.
    pub fn add_account(&self, account: state::Account) {
        self.lock()
            .accounts
            .insert(account.api_key.clone(), account);
    }
}

simulator! {
    id: "hitpay",
    sim: HitPaySim,
    routes: [api::routes, refunds::routes, checkout::routes, controls::routes, chaos::routes],
    takes_account_return_url: false,
    takes_account_webhook_url: false,
}

/// The built-in test account, as the credential object Payrail stores for HitPay.
pub fn default_credentials() -> serde_json::Value {
    let a = state::Account::default_account();
    serde_json::json!({ "api_key": a.api_key, "salt": a.salt })
}
