//! Postgres persistence: one file per table or aggregate, each a set of small named queries.
//!
//! Functions take `&mut PgConnection` so the caller owns the transaction: a state change, its
//! timeline entry and its outbox row commit together or not at all. Nothing here decides a rule.

pub mod accounts;
pub mod attempts;
pub mod idempotency;
pub mod merchants;
pub mod payments;
pub mod replays;
pub mod timeline;
pub mod webhooks;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::str::FromStr;
use std::time::Duration;

pub use sqlx::PgConnection as Conn;

/// The embedded migrations (`migrations/`), run on start-up and by `payrail migrate`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?.application_name("payrail");
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
}

pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// True when the error is a unique-constraint violation (a lost race, not a failure).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.code().as_deref() == Some("23505"))
}
