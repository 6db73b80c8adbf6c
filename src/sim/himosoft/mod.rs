//! HimoSoft simulator: a stand-in for an upstream HimoSoft gateway. Wire contract and the labels
//! H1–H6: docs/gateways/himosoft.md; what every simulator shares: docs/sandbox.md.
//!
//! Routes, under `{prefix}/himosoft` (the rest is HimoSoft's real path, trailing slashes kept):
//! `POST /v1/payments/`, `GET /v1/payments/{id}/`, `GET|POST /v1/payments/{id}/verify/` and
//! `…/recheck/` (`api`); the checkout page `GET /checkout/{token}` (token = the id without
//! `pay_`, as in the doc's example) with `POST /checkout/{token}/{outcome}` (`checkout`); the test
//! controls under `/_sim/` (`controls`; and for chaos tests late payments and the `orders` oracle,
//! `chaos`).
//!
//! Authentication: hex HMAC-SHA256 of timestamp ‖ body (`auth`, `signing`); errors in HimoSoft's
//! `{"error","message"}` envelope (`envelope`). Callbacks are the note's synthetic, signed
//! JSON (`webhook`, H5), flagged as invented. Every [INFERRED] behaviour is a field of
//! `HimoSoftConfig` so it can be changed when real traffic shows otherwise.
//!
//! HimoSoft takes no return URL per payment ("Return"): the customer is sent to the return URL of
//! the ACCOUNT (`_sim/accounts` `return_url`), or shown a "done" page when it has none.

use std::time::Duration;

use crate::sim::common::shell::Sim;

mod api;
mod auth;
mod chaos;
mod checkout;
mod controls;
mod envelope;
mod faults;
pub mod signing;
pub mod state;
mod webhook;

#[cfg(test)]
mod tests;

/// The simulator's assumptions ("Ambiguities and decisions"), each configurable.
#[derive(Clone, Debug)]
pub struct HimoSoftConfig {
    /// H1: allowed distance between the signed timestamp and now, in seconds.
    pub timestamp_window_s: i64,
    /// H1: headers that may carry the timestamp, in order.
    pub timestamp_headers: Vec<&'static str>,
    /// H2: false = single-tenant, a request without `X-API-Key` uses the keyless account.
    pub require_api_key: bool,
    /// "Idempotency": how long an idempotency key replays its answer.
    pub idempotency_ttl: chrono::Duration,
    /// Accepted currencies (the doc shows BDT; USD for the card/crypto methods).
    pub currencies: Vec<&'static str>,
    /// H5 [INVENTED]: send the synthetic signed JSON callback at all.
    pub send_callbacks: bool,
    /// H5 [INFERRED]: tries per callback (retried on a non-2xx answer).
    pub webhook_tries: u32,
    pub webhook_timeout: Duration,
}

impl Default for HimoSoftConfig {
    fn default() -> Self {
        HimoSoftConfig {
            timestamp_window_s: 300,
            timestamp_headers: vec!["X-Timestamp", "X-HMAC-Timestamp", "Timestamp"],
            require_api_key: false,
            idempotency_ttl: chrono::Duration::hours(24),
            currencies: vec!["BDT", "USD"],
            send_callbacks: true,
            webhook_tries: 3,
            webhook_timeout: Duration::from_secs(10),
        }
    }
}

/// The simulator: its configuration, its state and the client that sends webhooks.
pub type HimoSoftSim = Sim<HimoSoftConfig, state::State>;

impl HimoSoftSim {
    /// Adds or replaces an account: by api key, or the keyless (single-tenant) one.
    pub fn add_account(&self, account: state::Account) {
        let mut st = self.lock();
        match account.api_key.clone() {
            Some(k) => {
                st.accounts.insert(k, account);
            }
            None => st.keyless = account,
        }
    }
}

simulator! {
    id: "himosoft",
    sim: HimoSoftSim,
    routes: [api::routes, checkout::routes, controls::routes, chaos::routes],
    takes_account_return_url: true,
    takes_account_webhook_url: false,
    slow_delay_ms: 1_000,
}

/// The built-in test account, as the credential object Payrail stores.
pub fn default_credentials() -> serde_json::Value {
    serde_json::json!({
        "secret": state::DEFAULT_SECRET,
        "api_key": state::DEFAULT_API_KEY,
    })
}
