//! PayStableCoin (PSC) Hosted Payments simulator (providers.md §3, design §6).
//!
//! Routes, under `{prefix}/paystablecoin` (the rest is PSC's real path, which is what gets signed):
//! `POST /api/v1/merchants/{merchantId}/orders`, `GET …/orders/{merchantOrderId}`,
//! `POST …/refunds`, `GET …/refunds?merchantRefundOrderId=…`; the checkout page
//! `GET /checkout/{acquiringOrderId}` with `POST /checkout/{acquiringOrderId}/{outcome}`; and the
//! test controls under `/_sim/` (accounts, faults, stats, webhook re-send, reset; and for chaos
//! tests late payments, portal refunds and the `orders` oracle, see `chaos`).
//!
//! Every API answer is HTTP 200 `{"code","message","data"}` (§3.3). PSC's own 50xxx codes were not
//! visible in its docs, so the simulator uses these (providers.md §3.11 says "50xxx [INFERRED]"):
//!
//! | code | when |
//! |---|---|
//! | `50001` | `X-Signature` missing or wrong |
//! | `50002` | `X-Timestamp` missing, not an integer, or more than ±300 000 ms from now |
//! | `50003` | `X-Api-Key` missing or unknown, or not the key of the path's `merchantId` |
//!
//! Checks run in that table's reverse order: key, then timestamp, then signature.

use std::sync::{Arc, Mutex, MutexGuard};

use actix_web::{web, HttpRequest};

mod api;
mod auth;
mod chaos;
mod checkout;
mod controls;
mod envelope;
mod faults;
mod refunds;
pub mod signing;
pub mod state;
mod validate;
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
mod tests_refunds;

/// Defaults marked [INFERRED] in providers.md, kept configurable (§0 conventions).
#[derive(Clone, Debug)]
pub struct PscConfig {
    /// Allowed distance between `X-Timestamp` and now.
    pub timestamp_window_ms: i64,
    /// S5: enforce the 16–64 character rule on `merchantOrderId`.
    pub enforce_order_id_length: bool,
    /// S4: also accept a `merchantOrderId` as the refund's `acquiringOrderId`.
    pub refund_accepts_merchant_order_id: bool,
    /// Time limit of one webhook delivery.
    pub webhook_timeout: std::time::Duration,
}

impl Default for PscConfig {
    fn default() -> Self {
        PscConfig {
            timestamp_window_ms: 300_000,
            enforce_order_id_length: true,
            refund_accepts_merchant_order_id: false,
            webhook_timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// The simulator: its configuration, its state and the client that sends webhooks.
pub struct PscSim {
    pub config: PscConfig,
    http: reqwest::Client,
    state: Mutex<state::State>,
}

impl PscSim {
    pub fn new(http: reqwest::Client) -> Self {
        Self::with_config(http, PscConfig::default())
    }

    pub fn with_config(http: reqwest::Client, config: PscConfig) -> Self {
        PscSim {
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

    /// Clears orders, refunds, faults and stats (not accounts).
    pub fn reset(&self) {
        self.lock().reset();
    }
}

/// What one mount point knows: the simulator and the path it is mounted at.
pub(crate) struct Mount {
    pub sim: Arc<PscSim>,
    /// `{prefix}/paystablecoin`.
    pub base: String,
}

impl Mount {
    /// Splits the request path into (mount path as actually reached, PSC's real path). Uses the
    /// configured base, found anywhere in the path, so an outer scope does not break signing.
    pub fn split_path<'a>(&self, req: &'a HttpRequest) -> (&'a str, &'a str) {
        let path = req.path();
        let marker = format!("{}/", self.base);
        match path.find(&marker) {
            Some(i) => path.split_at(i + self.base.len()),
            None => ("", path),
        }
    }

    /// `<scheme>://<host><mount>/checkout/<acquiringOrderId>` for the incoming request.
    pub fn checkout_url(&self, req: &HttpRequest, acquiring_order_id: &str) -> String {
        let info = req.connection_info();
        let (mount, _) = self.split_path(req);
        let mount = if mount.is_empty() { &self.base } else { mount };
        format!(
            "{}://{}{}/checkout/{}",
            info.scheme(),
            info.host(),
            mount,
            acquiring_order_id
        )
    }
}

/// Mounts the PSC simulator at `{prefix}/paystablecoin`.
pub fn configure(cfg: &mut web::ServiceConfig, sim: &Arc<PscSim>, prefix: &str) {
    let base = format!("{}/paystablecoin", prefix.trim_end_matches('/'));
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
