//! One integration binary: every test starts Payrail on a fresh Postgres database and the
//! gateway simulators on real ports, and talks to them over HTTP.

mod auth;
mod bad_input;
mod gw_hitpay;
mod helpers;
mod idempotency;
mod isolation;
mod lifecycle;
mod ops;
mod sandbox;
mod webhooks;
