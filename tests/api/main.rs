//! One integration binary: every test starts Payrail on a fresh database (SQLite, or Postgres
//! with PAYRAIL_TEST_DATABASE_URL) and the gateway simulators on real ports, and talks to them
//! over HTTP.

mod audit;
mod auth;
mod bad_input;
mod bounded_answers;
mod bounded_webhooks;
mod browser;
mod callback_targets;
mod chaos;
mod checkout;
mod console;
mod crash;
mod create_rows;
mod delivery;
mod docs;
mod gateways;
mod hardening;
mod helpers;
mod idempotency;
mod isolation;
mod lifecycle;
mod list_page;
mod money;
mod ops;
mod payment_lookups;
mod receiver;
mod reconciler;
mod refunds;
mod routing;
mod sandbox;
mod scale;
mod shared_limits;
mod signing;
mod status_lookups;
mod strict_input;
mod webhooks;
