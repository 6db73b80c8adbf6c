//! Payrail: one payments API in front of many gateways.
//!
//! The map, outside in: `cli` and `startup` assemble the service; `http` receives requests and
//! answers them; `orchestration` holds every use case and is the only code that changes a
//! payment; `providers` speak each gateway's wire format; `store` persists in Postgres or SQLite; `domain`
//! holds the pure rules they all share; `audit` only reads the store, to check its invariants.

/// The invariant audit of the store (`payrail audit`, `GET /v1/admin/audit`): money, events,
/// references, the stats rollup.
pub mod audit;
/// Command line: serve, migrate, audit, sim, merchant, provider, recheck.
pub mod cli;
/// The time use cases and workers see (tests move it forward).
pub mod clock;
/// Layered settings (defaults < payrail.toml < PAYRAIL__SECTION__KEY).
pub mod config;
/// Secrets at rest (AES-256-GCM) and HMAC helpers with constant-time checks.
pub mod crypto;
/// Pure types and rules: ids, money, the transition tables, URL and address policy, what a
/// request signature covers, strict JSON and text checks.
pub mod domain;
/// Zero-configuration start: the embedded store's generated keys and the sandbox demo merchant.
pub mod embedded;
/// The use-case error type with its stable codes.
pub mod error;
/// actix-web routes, handlers, authentication, middleware.
pub mod http;
/// Size caps on what peers send or answer (request bodies, the journal, answers read).
pub mod limits;
/// Prometheus metrics.
pub mod metrics;
/// Merchant webhooks: signatures, the address policy, the delivery client, the retry schedule.
pub mod notify;
/// The use cases: create, recheck, cancel, webhooks, returns; every state change.
pub mod orchestration;
/// Gateway adapters: one folder per gateway, speaking only its wire format.
pub mod providers;
/// Faithful gateway simulators for tests and the sandbox (`payrail sim`).
pub mod sim;
/// Application::build: pool, migrations, server on a bound listener.
pub mod startup;
/// Persistence (Postgres or embedded SQLite), one file per table; the caller owns the transaction.
pub mod store;
/// Logging set-up (JSON lines or pretty) and the per-request scope (request id, gateway time).
pub mod telemetry;
/// Background timers; each tick is one orchestration use case (tests call them directly).
pub mod workers;
