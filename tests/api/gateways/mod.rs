//! One folder per gateway: each gateway's end-to-end tests against its simulator over HTTP.
//!
//! PayStableCoin is the default gateway of the test app (`TestApp::connect_psc`), so the
//! gateway-neutral suites (lifecycle, webhooks, refunds, reconciler, …) exercise it; its own
//! quirks are tested there and in `src/providers/paystablecoin/tests`.

mod bkash;
mod himosoft;
mod hitpay;
mod pakhipay;
mod paymento;
mod stripe;
