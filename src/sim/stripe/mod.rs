//! Stripe Checkout simulator. Wire contract and the labels R1–R16: docs/gateways/stripe.md;
//! what every simulator shares: docs/sandbox.md.
//!
//! Routes, under `{prefix}/stripe` (the rest is Stripe's real path): `POST /v1/checkout/sessions`,
//! `GET /v1/checkout/sessions/{id}` (with `expand[]`), `POST /v1/checkout/sessions/{id}/expire`,
//! `GET /v1/payment_intents/{id}` (`api`); `POST /v1/refunds`, `GET /v1/refunds/{id}`
//! (`refunds`); the hosted page `GET /checkout/{id}` with `POST /checkout/{id}/{outcome}`
//! (`checkout`); and the test controls under `/_sim/` (`controls`; late payments, dashboard
//! refunds and the `orders` oracle, `chaos`).
//!
//! Authentication is `Authorization: Bearer sk_…` or a restricted `rk_…` (401 otherwise; 403 for
//! a resource the restricted key was denied); bodies are form-encoded with Stripe's bracket keys
//! (`input`); errors are Stripe's envelope (`errors`); every POST honours `Idempotency-Key`
//! (`idempotency`). Webhooks go to the account's endpoint, signed with `Stripe-Signature`
//! (`webhook`, `signing`).

use std::time::Duration;

use crate::sim::common::shell::Sim;

mod api;
mod chaos;
mod checkout;
mod controls;
mod create;
mod errors;
mod faults;
mod idempotency;
mod input;
mod money;
mod refunds;
pub mod signing;
pub mod state;
mod views;
mod webhook;

#[cfg(test)]
mod tests;

#[derive(Clone, Debug)]
pub struct StripeConfig {
    /// Redeliveries after a non-2xx answer (Stripe retries for days; a few are enough here).
    pub webhook_retries: u32,
    /// First retry delay; doubles each time.
    pub webhook_backoff: Duration,
    /// Time limit of one delivery.
    pub webhook_timeout: Duration,
}

impl Default for StripeConfig {
    fn default() -> Self {
        StripeConfig {
            webhook_retries: 5,
            webhook_backoff: Duration::from_millis(500),
            webhook_timeout: Duration::from_secs(10),
        }
    }
}

/// The simulator: its configuration, its state and the client that sends webhooks.
pub type StripeSim = Sim<StripeConfig, state::State>;

impl StripeSim {
    /// Adds (or replaces, by secret key) an account.
    pub fn add_account(&self, account: state::Account) {
        self.lock()
            .accounts
            .insert(account.secret_key.clone(), account);
    }
}

simulator! {
    id: "stripe",
    sim: StripeSim,
    routes: [api::routes, refunds::routes, checkout::routes, controls::routes, chaos::routes],
    takes_account_return_url: false,
    takes_account_webhook_url: true,
}

/// The built-in test account, as the credential object Payrail stores for Stripe.
pub fn default_credentials() -> serde_json::Value {
    let a = state::Account::default_account();
    serde_json::json!({ "secret_key": a.secret_key, "webhook_secret": a.webhook_secret })
}
