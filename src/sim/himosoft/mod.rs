//! HimoSoft simulator (providers.md §1, design §6): a stand-in for an upstream HimoSoft gateway.
//!
//! Routes, under `{prefix}/himosoft` (the rest is HimoSoft's real path, trailing slashes kept):
//! `POST /v1/payments/`, `GET /v1/payments/{id}/`, `GET|POST /v1/payments/{id}/verify/` and
//! `…/recheck/` (`api`); the checkout page `GET /checkout/{token}` (token = the id without
//! `pay_`, as in the doc's example) with `POST /checkout/{token}/{outcome}` (`checkout`); the test
//! controls under `/_sim/` (`controls`; and for chaos tests late payments and the `orders` oracle,
//! `chaos`).
//!
//! Authentication: hex HMAC-SHA256 of timestamp ‖ body (`auth`, `signing`); errors in HimoSoft's
//! `{"error","message"}` envelope (`envelope`). Callbacks are providers.md's synthetic, signed
//! JSON (`webhook`), flagged as invented. Every [INFERRED] behaviour is a field of
//! `HimoSoftConfig` so it can be changed when real traffic shows otherwise.
//!
//! HimoSoft takes no return URL per payment (§1.8): the customer is sent to the return URL of
//! the ACCOUNT (`_sim/accounts` `return_url`), or shown a "done" page when it has none.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;

use crate::sim::common::faults::ArmedFault;
use crate::sim::common::shell::{self, Sim, SimDescriptor, SimState, Simulator};

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
mod test_support;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_api;
#[cfg(test)]
mod tests_chaos;
#[cfg(test)]
mod tests_checkout;

/// The simulator's assumptions (providers.md §1.11), each configurable.
#[derive(Clone, Debug)]
pub struct HimoSoftConfig {
    /// H1: allowed distance between the signed timestamp and now, in seconds.
    pub timestamp_window_s: i64,
    /// H1: headers that may carry the timestamp, in order.
    pub timestamp_headers: Vec<&'static str>,
    /// H2: false = single-tenant, a request without `X-API-Key` uses the keyless account.
    pub require_api_key: bool,
    /// §1.6: how long an idempotency key replays its answer.
    pub idempotency_ttl: chrono::Duration,
    /// Accepted currencies (the doc shows BDT; USD for the card/crypto methods).
    pub currencies: Vec<&'static str>,
    /// H5 [INVENTED]: send the synthetic signed JSON callback at all.
    pub send_callbacks: bool,
    /// §1.9 [INFERRED]: tries per callback (retried on a non-2xx answer).
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

impl SimState for state::State {
    type Stats = state::Stats;

    const SLOW_DELAY_MS: u64 = 1_000;

    fn stats(&self) -> &state::Stats {
        &self.stats
    }

    fn fault(&mut self) -> &mut ArmedFault {
        &mut self.fault
    }

    fn reset(&mut self) {
        state::State::reset(self);
    }
}

/// What one mount point knows: the simulator and the path it is mounted at (`{prefix}/himosoft`).
pub(crate) type Mount = shell::Mount<HimoSoftSim>;

/// Mounts the simulator under `{prefix}/himosoft`.
pub fn configure(cfg: &mut web::ServiceConfig, sim: &Arc<HimoSoftSim>, prefix: &str) {
    shell::mount(
        cfg,
        sim,
        prefix,
        SIMULATOR.id,
        &[
            api::routes,
            checkout::routes,
            controls::routes,
            chaos::routes,
        ],
    );
}

impl Simulator for HimoSoftSim {
    fn mount_at(self: Arc<Self>, cfg: &mut web::ServiceConfig, prefix: &str) {
        configure(cfg, &self, prefix);
    }
}

/// This simulator, as the list in `sim/mod.rs` holds it.
pub static SIMULATOR: SimDescriptor = SimDescriptor {
    id: "himosoft",
    start: |http| Arc::new(HimoSoftSim::new(http)),
    default_credentials,
    takes_account_return_url: true,
    takes_account_webhook_url: false,
};

/// The built-in test account, as the credential object Payrail stores.
pub fn default_credentials() -> serde_json::Value {
    serde_json::json!({
        "secret": state::DEFAULT_SECRET,
        "api_key": state::DEFAULT_API_KEY,
    })
}
