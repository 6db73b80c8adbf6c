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

use std::sync::{Arc, Mutex, MutexGuard};

use actix_web::{web, HttpRequest};

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
pub struct PakhiPaySim {
    pub config: PakhiPayConfig,
    http: reqwest::Client,
    state: Mutex<state::State>,
}

impl PakhiPaySim {
    pub fn new(http: reqwest::Client) -> Self {
        PakhiPaySim {
            config: PakhiPayConfig::default(),
            http,
            state: Mutex::new(state::State::default()),
        }
    }

    /// Locks the state; a poisoned lock is recovered (the state stays usable for tests).
    fn lock(&self) -> MutexGuard<'_, state::State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds (or replaces, by API key) an account.
    pub fn add_account(&self, account: state::Account) {
        self.lock()
            .accounts
            .insert(account.api_key.clone(), account);
    }

    /// A copy of the call counters.
    pub fn stats(&self) -> state::Stats {
        self.lock().stats.clone()
    }

    /// Clears payments, faults and stats (not accounts).
    pub fn reset(&self) {
        self.lock().reset();
    }
}

/// What one mount point knows: the simulator and the path it is mounted at.
pub(crate) struct Mount {
    pub sim: Arc<PakhiPaySim>,
    /// `{prefix}/pakhipay`.
    pub base: String,
}

impl Mount {
    /// `<scheme>://<host><mount>/checkout/<sim_id>` for the incoming request; the mount is found
    /// in the path actually reached, so an outer scope still yields a working link.
    pub fn checkout_url(&self, req: &HttpRequest, sim_id: &str) -> String {
        let info = req.connection_info();
        let path = req.path();
        let marker = format!("{}/", self.base);
        let mount = match path.find(&marker) {
            Some(i) => &path[..i + self.base.len()],
            None => self.base.as_str(),
        };
        format!(
            "{}://{}{}/checkout/{}",
            info.scheme(),
            info.host(),
            mount,
            sim_id
        )
    }
}

/// Mounts the Pakhi Pay simulator at `{prefix}/pakhipay`.
pub fn configure(cfg: &mut web::ServiceConfig, sim: &Arc<PakhiPaySim>, prefix: &str) {
    let base = format!("{}/pakhipay", prefix.trim_end_matches('/'));
    let mount = web::Data::new(Mount {
        sim: Arc::clone(sim),
        base: base.clone(),
    });
    cfg.service(
        web::scope(&base)
            .app_data(mount)
            .configure(api::routes)
            .configure(checkout::routes)
            .configure(controls::routes)
            .configure(chaos::routes),
    );
}

/// The built-in test account, as the credential object Payrail stores: `{"api_key"}` with the
/// key of providers.md §4.6.
pub fn default_credentials() -> Option<serde_json::Value> {
    Some(serde_json::json!({ "api_key": state::DEFAULT_API_KEY }))
}
