//! Limits several instances on one Postgres must agree on (issue 19): token buckets
//! (`rate_buckets`) and gateway accounts' circuits (`gateway_circuits`).
//!
//! Postgres only, apart from the clean-up: the embedded SQLite store serves one process, which
//! keeps these in memory (the tables exist there so both schemas stay parallel). Each budget
//! check is one statement, so concurrent instances cannot both spend the last token. Times come
//! from the caller's clock like every other row's; a refill never goes backwards when an
//! instance's clock is behind the row's.

use super::accounts::AccountRow;
use super::{on_conn, Conn, ConnRef};
use chrono::{DateTime, Utc};

fn postgres_only() -> sqlx::Error {
    sqlx::Error::Configuration("shared limits live in Postgres; SQLite keeps them in memory".into())
}

/// Tokens a bucket holds after refilling from `updated_at` to `$2` at `$4` a second, up to `$3`.
const AVAILABLE: &str =
    "LEAST($3, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM ($2 - b.updated_at))::float8) * $4)";

/// Takes one token from bucket `key` (created full: `burst` tokens refilled at `per_second`).
/// `Ok(None)` when granted, `Ok(Some(seconds))` until the next token when the bucket is empty.
pub async fn take_token(
    conn: &mut Conn,
    key: &str,
    now: DateTime<Utc>,
    burst: f64,
    per_second: f64,
) -> sqlx::Result<Option<f64>> {
    let ConnRef::Pg(c) = conn.conn() else {
        return Err(postgres_only());
    };
    let sql = format!(
        "INSERT INTO rate_buckets AS b (key, tokens, granted, updated_at, full_at)
         VALUES ($1, $3 - 1, true, $2, $2 + make_interval(secs => 1 / $4))
         ON CONFLICT (key) DO UPDATE SET
           granted = {a} >= 1,
           tokens = CASE WHEN {a} >= 1 THEN {a} - 1 ELSE {a} END,
           full_at = GREATEST(b.updated_at, $2)
             + make_interval(secs => ($3 - CASE WHEN {a} >= 1 THEN {a} - 1 ELSE {a} END) / $4),
           updated_at = GREATEST(b.updated_at, $2)
         RETURNING granted, tokens",
        a = AVAILABLE
    );
    let (granted, tokens): (bool, f64) = sqlx::query_as(&sql)
        .bind(key)
        .bind(now)
        .bind(burst)
        .bind(per_second)
        .fetch_one(c)
        .await?;
    Ok((!granted).then(|| (1.0 - tokens).max(0.0) / per_second))
}

/// Opens `account_id`'s circuit until `until` (never shortening one already open for longer).
pub async fn open_circuit(
    conn: &mut Conn,
    account_id: &str,
    provider: &str,
    until: DateTime<Utc>,
    reason: &str,
) -> sqlx::Result<()> {
    let ConnRef::Pg(c) = conn.conn() else {
        return Err(postgres_only());
    };
    sqlx::query(
        "INSERT INTO gateway_circuits AS g (account_id, provider, open_until, reason)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id) DO UPDATE SET
           reason = CASE WHEN $3 > g.open_until THEN $4 ELSE g.reason END,
           open_until = GREATEST(g.open_until, $3)",
    )
    .bind(account_id)
    .bind(provider)
    .bind(until)
    .bind(reason)
    .execute(c)
    .await?;
    Ok(())
}

/// The circuits of these accounts that have a row: `(account_id, open_until)`. No row: closed.
pub async fn circuits_of(
    conn: &mut Conn,
    account_ids: &[String],
) -> sqlx::Result<Vec<(String, DateTime<Utc>)>> {
    let ConnRef::Pg(c) = conn.conn() else {
        return Err(postgres_only());
    };
    sqlx::query_as("SELECT account_id, open_until FROM gateway_circuits WHERE account_id = ANY($1)")
        .bind(account_ids)
        .fetch_all(c)
        .await
}

/// A merchant's enabled accounts, best priority first (as `accounts::enabled_for_merchant`),
/// each with its circuit's `open_until` when it has one: routing's two reads in one round trip.
pub async fn enabled_with_circuits(
    conn: &mut Conn,
    merchant_id: &str,
) -> sqlx::Result<Vec<(AccountRow, Option<DateTime<Utc>>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        account: AccountRow,
        circuit_open_until: Option<DateTime<Utc>>,
    }
    let ConnRef::Pg(c) = conn.conn() else {
        return Err(postgres_only());
    };
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.*, c.open_until AS circuit_open_until
         FROM provider_accounts a LEFT JOIN gateway_circuits c ON c.account_id = a.id
         WHERE a.merchant_id = $1 AND a.enabled ORDER BY a.priority, a.created_at",
    )
    .bind(merchant_id)
    .fetch_all(c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.account, r.circuit_open_until))
        .collect())
}

/// Half-open: claims the probe call of each of these accounts whose circuit is past its
/// `open_until`, by moving it to `probe_until` (so a failed probe leaves it open). Answers the
/// accounts claimed: only one instance wins each.
pub async fn claim_probes(
    conn: &mut Conn,
    account_ids: &[String],
    now: DateTime<Utc>,
    probe_until: DateTime<Utc>,
) -> sqlx::Result<Vec<String>> {
    let ConnRef::Pg(c) = conn.conn() else {
        return Err(postgres_only());
    };
    sqlx::query_scalar(
        "UPDATE gateway_circuits SET open_until = $3
         WHERE account_id = ANY($1) AND open_until <= $2 RETURNING account_id",
    )
    .bind(account_ids)
    .bind(now)
    .bind(probe_until)
    .fetch_all(c)
    .await
}

/// Closes a circuit after its probe succeeded, unless it was opened again for longer since (a
/// throttle from another instance).
pub async fn close_circuit(
    conn: &mut Conn,
    account_id: &str,
    probe_until: DateTime<Utc>,
) -> sqlx::Result<()> {
    let ConnRef::Pg(c) = conn.conn() else {
        return Err(postgres_only());
    };
    sqlx::query("DELETE FROM gateway_circuits WHERE account_id = $1 AND open_until <= $2")
        .bind(account_id)
        .bind(probe_until)
        .execute(c)
        .await?;
    Ok(())
}

/// Until when `account_id`'s circuit is open because the gateway throttled (`rate_limited`).
pub async fn throttled_until(
    conn: &mut Conn,
    account_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    let ConnRef::Pg(c) = conn.conn() else {
        return Err(postgres_only());
    };
    sqlx::query_scalar(
        "SELECT open_until FROM gateway_circuits
         WHERE account_id = $1 AND reason = 'rate_limited' AND open_until > $2",
    )
    .bind(account_id)
    .bind(now)
    .fetch_optional(c)
    .await
}

/// Circuits open now: `(account_id, provider, open_until)`, by account id.
pub async fn open_circuits(
    conn: &mut Conn,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(String, String, DateTime<Utc>)>> {
    let ConnRef::Pg(c) = conn.conn() else {
        return Err(postgres_only());
    };
    sqlx::query_as(
        "SELECT account_id, provider, open_until FROM gateway_circuits
         WHERE open_until > $1 ORDER BY account_id",
    )
    .bind(now)
    .fetch_all(c)
    .await
}

/// Deletes full buckets (a missing row is a full bucket) and circuits past `stale_before` (no
/// probe claimed them since: nobody routed there, and the next call may simply try). Answers
/// the rows deleted.
pub async fn delete_expired(
    conn: &mut Conn,
    now: DateTime<Utc>,
    stale_before: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let buckets = on_conn!(conn, c => sqlx::query("DELETE FROM rate_buckets WHERE full_at <= $1")
        .bind(now)
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
    let circuits = on_conn!(conn, c => sqlx::query(
        "DELETE FROM gateway_circuits WHERE open_until <= $1")
        .bind(stale_before)
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
    Ok(buckets + circuits)
}
