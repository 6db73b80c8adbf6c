//! bKash Tokenized Checkout simulator (docs/gateways/bkash.md, design §6).
//!
//! Routes, under `{prefix}/bkash`, at bKash's real paths below the version segment
//! (`/v1.2.0-beta`, which may also be left out): `POST /tokenized/checkout/token/grant`,
//! `…/token/refresh`, `…/create`, `…/execute`, `…/payment/status`,
//! `…/general/searchTransaction`, `…/payment/refund`; the payment page `GET /checkout/{paymentID}`
//! with `POST /checkout/{paymentID}/{outcome}`; and the test controls under `/_sim/` (accounts,
//! faults, stats, token expiry, reset, and the `orders` oracle).
//!
//! What makes bKash different is simulated faithfully: the customer's approval moves no money;
//! only execute does, once (a second execute is refused with the account's `already_executed`
//! code); every error is an HTTP 200 with a `statusCode`; calls need a granted `id_token` that
//! expires. bKash's IPN is not simulated: Payrail does not use it (B8). See `auth`, `api`,
//! `refunds` and `checkout` for each answer.


use crate::sim::common::shell::Sim;

mod api;
mod auth;
mod chaos;
mod checkout;
mod controls;
mod faults;
mod refunds;
pub mod state;

#[cfg(test)]
mod tests;

/// The simulator: its state (bKash sends no webhooks, so its configuration is empty).
pub type BkashSim = Sim<(), state::State>;

simulator! {
    id: "bkash",
    sim: BkashSim,
    routes: [api::routes, checkout::routes, controls::routes, chaos::routes],
    takes_account_return_url: false,
    takes_account_webhook_url: false,
}

/// The built-in account, as the credential object Payrail stores.
pub fn default_credentials() -> serde_json::Value {
    serde_json::json!({
        "app_key": state::DEFAULT_APP_KEY, "app_secret": state::DEFAULT_APP_SECRET,
        "username": state::DEFAULT_USERNAME, "password": state::DEFAULT_PASSWORD,
    })
}
