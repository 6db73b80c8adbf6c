//! Pakhi Pay simulator (providers.md §4, design §6).
//!
//! Routes, under `{prefix}/pakhipay` (the rest is Pakhi Pay's real path, trailing slash kept):
//! `POST /api/request/payment/create/`, `POST /api/request/payment/verify/`; the checkout page
//! `GET /checkout/{sim_id}` with `POST /checkout/{sim_id}/{outcome}`; and the test controls under
//! `/_sim/` (accounts, faults, stats, webhook re-send, reset; and for chaos tests late payments
//! and the `orders` oracle, see `chaos`).
//!
//! Answers (HTTP codes are undocumented, §4.2: the simulator answers 200 and branches on
//! `status`, except for authentication):
//!
//! | case | HTTP | body |
//! |---|---|---|
//! | link created | 200 | `{"status":1,"payment_url":"…/checkout/{sim_id}"}` |
//! | invalid create or verify request | 200 | `{"status":0,"message":"<field> is required"}` / `"… is invalid"` |
//! | verify: paid, pending, failed, … | 200 | `{"status":1,"message":"completed"}` (the status word, K3) |
//! | verify: unknown transaction, or another brand's | 200 | `{"status":0,"message":"Invalid transaction"}` |
//! | verify: amount ≠ the amount paid (or asked, if unpaid) | 200 | `{"status":0,"message":"Amount mismatch"}` |
//! | `api-key` missing or unknown [INFERRED] | 401 | `{"status":0,"message":"Invalid API key"}` |
//!
//! Repeating an `order_id` creates another link: Pakhi Pay documents no de-duplication.
//! Webhooks are only sent for completed payments (§4.3); see `checkout` for every outcome.

use std::sync::Arc;

use actix_web::web;

use crate::sim::common::faults::ArmedFault;
use crate::sim::common::shell::{self, Sim, SimDescriptor, SimState, Simulator};

mod api;
mod chaos;
mod checkout;
mod controls;
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

/// Simulator-wide settings.
#[derive(Clone, Debug)]
pub struct PakhiPayConfig {
    /// Time limit of one webhook delivery try.
    pub webhook_timeout: std::time::Duration,
}

impl Default for PakhiPayConfig {
    fn default() -> Self {
        PakhiPayConfig {
            webhook_timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// The simulator: its configuration, its state and the client that sends webhooks.
pub type PakhiPaySim = Sim<PakhiPayConfig, state::State>;

impl PakhiPaySim {
    /// Adds (or replaces, by API key) an account.
    pub fn add_account(&self, account: state::Account) {
        self.lock()
            .accounts
            .insert(account.api_key.clone(), account);
    }
}

impl SimState for state::State {
    type Stats = state::Stats;

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

/// What one mount point knows: the simulator and the path it is mounted at (`{prefix}/pakhipay`).
pub(crate) type Mount = shell::Mount<PakhiPaySim>;

/// Mounts the simulator under `{prefix}/pakhipay`.
pub fn configure(cfg: &mut web::ServiceConfig, sim: &Arc<PakhiPaySim>, prefix: &str) {
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

impl Simulator for PakhiPaySim {
    fn mount_at(self: Arc<Self>, cfg: &mut web::ServiceConfig, prefix: &str) {
        configure(cfg, &self, prefix);
    }
}

/// This simulator, as the list in `sim/mod.rs` holds it.
pub static SIMULATOR: SimDescriptor = SimDescriptor {
    id: "pakhipay",
    start: |http| Arc::new(PakhiPaySim::new(http)),
    default_credentials,
    takes_account_return_url: false,
    takes_account_webhook_url: false,
};

/// The built-in test account, as the credential object Payrail stores: `{"api_key"}` with the
/// key of providers.md §4.6.
pub fn default_credentials() -> serde_json::Value {
    serde_json::json!({ "api_key": state::DEFAULT_API_KEY })
}
