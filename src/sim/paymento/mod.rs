//! Paymento simulator. Wire contract and the labels P1–P10: docs/gateways/paymento.md (its
//! simulator: "Simulator"); what every simulator shares: docs/sandbox.md.
//!
//! Routes, under `{prefix}/paymento` (the rest is Paymento's real path):
//! `POST /v1/payment/request` (create → token), `POST /v1/payment/verify` (approves 7 → 8),
//! `POST|GET /v1/payment/settings` (the store-level IPN URL); the hosted page at
//! `GET /gateway?token=…` (Paymento's own URL shape) and `GET /checkout/{token}` (every
//! simulator's), with `POST /checkout/{token}/{outcome}`; and the test controls under `/_sim/`
//! (accounts, faults, stats, settings, orders, IPN re-send, reset; and for chaos tests late
//! payments and the `orders?reference=` oracle, see `chaos`).
//!
//! Answers are `{"success","message","body"}` ("Answers and errors"). What the docs leave open,
//! decided here [INFERRED] and kept in one place (`envelope`): a missing `Api-Key` is HTTP 400 with
//! `API_KEY_MISSING`, a wrong one HTTP 401 "Invalid API key"; validation errors are HTTP 400 with
//! the plugin-observed messages; verify answers HTTP 200 with `success:false` for an unknown token
//! ("Invalid Token", no body) and for an order that is not approved (with its body, P7).
//!
//! `returnUrl` must be https, as at the real gateway, except on a loopback host (127.0.0.1,
//! localhost, ::1): tests and the sandbox run Payrail over plain http on loopback.

use std::time::Duration;

use crate::sim::common::shell::Sim;

mod api;
mod chaos;
mod checkout;
mod controls;
mod envelope;
mod faults;
mod ipn;
mod json;
pub mod signing;
pub mod state;

#[cfg(test)]
mod tests;

/// Defaults marked [INFERRED] in the note, kept configurable (docs/gateways/README.md,
/// "Conventions").
#[derive(Clone, Debug)]
pub struct PaymentoConfig {
    /// Accepted `fiatCurrency` values (anything else is "Invalid fiat currency").
    pub currencies: Vec<String>,
    /// Allow an http `returnUrl` on a loopback host.
    pub allow_loopback_http: bool,
    /// Time limit of one IPN delivery.
    pub ipn_timeout: Duration,
    /// P9: after a failed IPN delivery, retry after each of these delays until one gets a 2xx.
    pub ipn_retry_delays: Vec<Duration>,
}

impl Default for PaymentoConfig {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        PaymentoConfig {
            currencies: ["USD", "EUR", "GBP"].map(String::from).to_vec(),
            allow_loopback_http: true,
            ipn_timeout: Duration::from_secs(10),
            ipn_retry_delays: vec![
                minutes(1),
                minutes(5),
                minutes(15),
                minutes(60),
                minutes(360),
            ],
        }
    }
}

/// The simulator: its configuration, its state and the client that sends webhooks.
pub type PaymentoSim = Sim<PaymentoConfig, state::State>;

impl PaymentoSim {
    /// Adds an account, or replaces its secret (its IPN settings stay).
    pub fn add_account(&self, api_key: &str, secret_key: &str) {
        let mut st = self.lock();
        st.accounts
            .entry(api_key.to_owned())
            .and_modify(|a| a.secret_key = secret_key.to_owned())
            .or_insert_with(|| state::Account::new(api_key, secret_key));
    }
}

simulator! {
    id: "paymento",
    sim: PaymentoSim,
    routes: [api::routes, checkout::routes, controls::routes, chaos::routes],
    takes_account_return_url: false,
    takes_account_webhook_url: false,
}

/// The built-in test account, as the credential object Payrail stores (`risk_speed` left to the
/// adapter's default).
pub fn default_credentials() -> serde_json::Value {
    serde_json::json!({
        "api_key": state::DEFAULT_API_KEY,
        "secret_key": state::DEFAULT_SECRET_KEY,
    })
}
