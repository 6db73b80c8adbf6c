//! Pakhi Pay simulator. Wire contract and the labels K1–K7: docs/gateways/pakhipay.md; what every
//! simulator shares: docs/sandbox.md.
//!
//! Routes, under `{prefix}/pakhipay` (the rest is Pakhi Pay's real path, trailing slash kept):
//! `POST /api/request/payment/create/`, `POST /api/request/payment/verify/`; the checkout page
//! `GET /checkout/{sim_id}` with `POST /checkout/{sim_id}/{outcome}`; and the test controls under
//! `/_sim/` (accounts, faults, stats, webhook re-send, reset; and for chaos tests late payments
//! and the `orders` oracle, see `chaos`).
//!
//! Answers (HTTP codes are undocumented, "Answers and errors": the simulator answers 200 and
//! branches on `status`, except for authentication):
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
//! Webhooks are only sent for completed payments ("Webhook"); see `checkout` for every outcome.

use crate::sim::common::shell::Sim;

mod api;
mod chaos;
mod checkout;
mod controls;
mod faults;
pub mod signing;
pub mod state;
mod webhook;

#[cfg(test)]
mod tests;

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

simulator! {
    id: "pakhipay",
    sim: PakhiPaySim,
    routes: [api::routes, checkout::routes, controls::routes, chaos::routes],
    takes_account_return_url: false,
    takes_account_webhook_url: false,
}

/// The built-in test account, as the credential object Payrail stores: `{"api_key"}` with the
/// key of the note's "Test vectors".
pub fn default_credentials() -> serde_json::Value {
    serde_json::json!({ "api_key": state::DEFAULT_API_KEY })
}
