//! PayStableCoin (PSC) Hosted Payments simulator. Wire contract and the labels S1–S10:
//! docs/gateways/paystablecoin.md; what every simulator shares: docs/sandbox.md.
//!
//! Routes, under `{prefix}/paystablecoin` (the rest is PSC's real path, which is what gets signed):
//! `POST /api/v1/merchants/{merchantId}/orders`, `GET …/orders/{merchantOrderId}`,
//! `POST …/refunds`, `GET …/refunds?merchantRefundOrderId=…`; the checkout page
//! `GET /checkout/{acquiringOrderId}` with `POST /checkout/{acquiringOrderId}/{outcome}`; and the
//! test controls under `/_sim/` (accounts, faults, stats, webhook re-send, reset; and for chaos
//! tests late payments, portal refunds and the `orders` oracle, see `chaos`).
//!
//! Every API answer is HTTP 200 `{"code","message","data"}` ("Answers and errors"). PSC's own 50xxx
//! codes were not visible in its docs, so the simulator uses these ([INFERRED], "Simulator"):
//!
//! | code | when |
//! |---|---|
//! | `50001` | `X-Signature` missing or wrong |
//! | `50002` | `X-Timestamp` missing, not an integer, or more than ±300 000 ms from now |
//! | `50003` | `X-Api-Key` missing or unknown, or not the key of the path's `merchantId` |
//!
//! Checks run in that table's reverse order: key, then timestamp, then signature.

use crate::sim::common::shell::Sim;

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
mod tests;

/// Defaults marked [INFERRED] in the note, kept configurable (docs/gateways/README.md,
/// "Conventions").
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
pub type PscSim = Sim<PscConfig, state::State>;

impl PscSim {
    /// Adds (or replaces, by api key) an account.
    pub fn add_account(&self, account: state::Account) {
        self.lock()
            .accounts
            .insert(account.api_key.clone(), account);
    }
}

simulator! {
    id: "paystablecoin",
    sim: PscSim,
    routes: [api::routes, refunds::routes, checkout::routes, controls::routes, chaos::routes],
    takes_account_return_url: false,
    takes_account_webhook_url: false,
}

/// The built-in test account, as the credential object Payrail stores for PayStableCoin.
pub fn default_credentials() -> serde_json::Value {
    let a = state::Account::default_account();
    serde_json::json!({
        "merchant_id": a.merchant_id,
        "api_key": a.api_key,
        "api_secret": a.api_secret,
    })
}
