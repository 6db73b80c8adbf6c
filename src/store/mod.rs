//! Persistence: Postgres in production, SQLite as the embedded default, behind one set of small
//! named queries (one file per table or aggregate).
//!
//! A query is written once where both engines agree (they do for almost everything, `$N`
//! placeholders included); [`on_conn!`] expands it for each engine, so each copy is type-checked
//! against its own driver. Where they differ (row locks, batch deletes) each engine gets its own
//! SQL. Functions take `&mut Conn` so the caller owns the transaction: a state change, its
//! timeline entry and its outbox row commit together or not at all.
//!
//! Locking: on Postgres the per-payment lock is `SELECT … FOR UPDATE`. SQLite has one writer, so
//! every transaction begins `IMMEDIATE` (takes the write lock at once); that serialises changes
//! as strictly, and a busy timeout makes concurrent writers wait instead of failing.

pub mod accounts;
pub mod attempts;
pub mod console_sessions;
pub mod create_rows;
pub mod duplicate_charges;
pub mod idempotency;
mod list_values;
pub mod lookups;
pub mod merchants;
pub mod outage;
pub mod outbox;
mod payment_list;
pub mod payments;
pub mod refunds;
pub mod replays;
pub mod shared_limits;
pub mod stat_rollup;
pub mod stats;
pub mod timeline;
pub mod webhooks;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// A pooled Postgres connection idle for longer than this is pinged before it is handed out.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(10);

/// How long a request waits for a Postgres connection unless configured
/// (`database.acquire_timeout_ms`). Past it the request answers 503 `service_unavailable`.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// SQLite's pool waits longer: its connections queue behind one local writer (and its busy
/// timeout), there is no server to lose.
const SQLITE_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

static PG_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// A connection of either engine, borrowed for one query.
pub enum ConnRef<'a> {
    Pg(&'a mut PgConnection),
    Sqlite(&'a mut SqliteConnection),
}

/// Anything a query can run on: a pooled connection or an open transaction.
pub trait DbAccess: Send {
    fn conn(&mut self) -> ConnRef<'_>;
}

/// What store functions take.
pub type Conn = dyn DbAccess;

/// Runs `$body` with `$c` bound to the engine's own connection type, once per engine.
#[macro_export]
macro_rules! on_conn {
    ($access:expr, $c:ident => $body:expr) => {
        match $access.conn() {
            $crate::store::ConnRef::Pg($c) => $body,
            $crate::store::ConnRef::Sqlite($c) => $body,
        }
    };
}
pub use on_conn;

#[derive(Clone, Debug)]
pub enum Db {
    Pg(PgPool),
    Sqlite(SqlitePool),
}

pub enum Tx {
    Pg(Transaction<'static, Postgres>),
    Sqlite(Transaction<'static, Sqlite>),
}

pub enum PooledConn {
    Pg(PoolConnection<Postgres>),
    Sqlite(PoolConnection<Sqlite>),
}

impl DbAccess for Tx {
    fn conn(&mut self) -> ConnRef<'_> {
        match self {
            Tx::Pg(t) => ConnRef::Pg(t),
            Tx::Sqlite(t) => ConnRef::Sqlite(t),
        }
    }
}

impl DbAccess for PooledConn {
    fn conn(&mut self) -> ConnRef<'_> {
        match self {
            PooledConn::Pg(c) => ConnRef::Pg(c),
            PooledConn::Sqlite(c) => ConnRef::Sqlite(c),
        }
    }
}

impl Tx {
    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Pg(t) => t.commit().await,
            Tx::Sqlite(t) => t.commit().await,
        }
    }
}

/// Pool settings for every Postgres pool Payrail opens.
///
/// sqlx pings every connection it hands out by default: one extra round trip per acquire,
/// which was a third of `verify`'s database traffic (issue 7). A connection in steady use is
/// checked by its own queries (a failed one is dropped); only one that sat idle for a while is
/// pinged first.
///
/// `acquire_timeout` bounds how long a request waits for a connection: when the server is gone
/// sqlx keeps retrying until then, and the request should answer 503 soon, not hang.
pub(crate) fn pg_pool_options(max_connections: u32, acquire_timeout: Duration) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(acquire_timeout)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > PING_IF_IDLE_FOR {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

impl Db {
    /// Connects by URL scheme: `postgres://…` / `postgresql://…` or `sqlite://…`.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        Self::connect_with(url, max_connections, DEFAULT_ACQUIRE_TIMEOUT).await
    }

    /// [`Db::connect`] with the Postgres pool's acquire timeout (SQLite keeps its own).
    pub async fn connect_with(
        url: &str,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> Result<Self, sqlx::Error> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections.max(1))
                .acquire_timeout(SQLITE_ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await?;
            return Ok(Db::Sqlite(pool));
        }
        let options = PgConnectOptions::from_str(url)?.application_name("payrail");
        let pool = pg_pool_options(max_connections, acquire_timeout)
            .connect_with(options)
            .await?;
        Ok(Db::Pg(pool))
    }

    pub fn engine(&self) -> &'static str {
        match self {
            Db::Pg(_) => "postgres",
            Db::Sqlite(_) => "sqlite",
        }
    }

    /// Applies the engine's embedded migrations (`migrations/postgres`, `migrations/sqlite`).
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Db::Pg(p) => PG_MIGRATOR.run(p).await,
            Db::Sqlite(p) => SQLITE_MIGRATOR.run(p).await,
        }
    }

    /// The newest migration this build ships, and the newest applied one.
    pub async fn schema_versions(&self) -> sqlx::Result<(i64, Option<i64>)> {
        let sql = "SELECT max(version) FROM _sqlx_migrations WHERE success";
        Ok(match self {
            Db::Pg(p) => (
                latest(&PG_MIGRATOR),
                sqlx::query_scalar(sql).fetch_one(p).await?,
            ),
            Db::Sqlite(p) => (
                latest(&SQLITE_MIGRATOR),
                sqlx::query_scalar(sql).fetch_one(p).await?,
            ),
        })
    }

    /// A transaction; on SQLite it takes the write lock at once (`BEGIN IMMEDIATE`).
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        Ok(match self {
            Db::Pg(p) => Tx::Pg(p.begin().await?),
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
        })
    }

    pub async fn acquire(&self) -> sqlx::Result<PooledConn> {
        Ok(match self {
            Db::Pg(p) => PooledConn::Pg(p.acquire().await?),
            Db::Sqlite(p) => PooledConn::Sqlite(p.acquire().await?),
        })
    }
}

fn latest(migrator: &sqlx::migrate::Migrator) -> i64 {
    migrator.iter().map(|m| m.version).max().unwrap_or(0)
}
