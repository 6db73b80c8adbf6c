//! The hourly stats rollup (`store::stat_rollup`) against the rows it counts: for every cell
//! (kind, hour, merchant, gateway, method, currency, hosted, outcome), the folded hours plus the
//! pending deltas hold exactly the count and the sum of the payments or refunds in it.
//!
//! The triggers keep it so in each writer's transaction; a trigger dropped by hand, a bulk load
//! with triggers disabled and no rebuild, or a restore of one table without the other breaks it,
//! and the overview would show numbers the rows do not. One statement, so one snapshot: a live
//! store gives no false alarms. Only the cells that differ come back, and they are streamed.

use super::read::stream;
use super::{Check, Finding};
use crate::store::{Db, Tx};

#[derive(sqlx::FromRow)]
struct Mismatch {
    kind: String,
    hour: i64,
    merchant_id: String,
    provider: String,
    method: String,
    currency: String,
    hosted: bool,
    done: bool,
    rows: i64,
    rows_minor: i64,
    rolled: i64,
    rolled_minor: i64,
}

/// The cells whose rollup disagrees with the rows; `{hour}` is the engine's epoch-hour
/// expression for `created_at`.
const MISMATCHES: &str = "SELECT kind, hour, merchant_id, provider, method, currency, hosted, done,
        CAST(sum(rows) AS BIGINT) AS rows, CAST(sum(rows_minor) AS BIGINT) AS rows_minor,
        CAST(sum(rolled) AS BIGINT) AS rolled, CAST(sum(rolled_minor) AS BIGINT) AS rolled_minor
    FROM (
        SELECT 'payment' AS kind, {hour} AS hour, merchant_id, COALESCE(provider, '') AS provider,
               COALESCE(method, '') AS method, currency, hosted,
               status IN ('completed', 'partially_refunded', 'refunded') AS done,
               1 AS rows, amount_minor AS rows_minor, 0 AS rolled, 0 AS rolled_minor
          FROM payments
        UNION ALL
        SELECT 'refund', {hour}, merchant_id, '', '', currency, false, status = 'completed',
               1, amount_minor, 0, 0
          FROM refunds
        UNION ALL
        SELECT kind, hour, merchant_id, provider, method, currency, hosted, done,
               0, 0, count, amount_minor FROM stat_hours
        UNION ALL
        SELECT kind, hour, merchant_id, provider, method, currency, hosted, done,
               0, 0, count, amount_minor FROM stat_deltas
    ) cells
    GROUP BY kind, hour, merchant_id, provider, method, currency, hosted, done
    HAVING sum(rows) <> sum(rolled) OR sum(rows_minor) <> sum(rolled_minor)
    ORDER BY hour, kind, merchant_id, provider, method, currency, hosted, done";

pub(super) async fn check_all(db: &Db, sink: &mut impl FnMut(Finding)) -> sqlx::Result<()> {
    let mut tx = super::read::snapshot(db).await?;
    let hour = match tx {
        Tx::Pg(_) => "payrail_epoch_hour(created_at)",
        Tx::Sqlite(_) => "CAST(strftime('%s', created_at) AS INTEGER) / 3600",
    };
    let sql = MISMATCHES.replace("{hour}", hour);
    stream(&mut tx, &sql, &[], |m: Mismatch| sink(finding(&m))).await?;
    tx.commit().await
}

fn finding(m: &Mismatch) -> Finding {
    let hour = chrono::DateTime::from_timestamp(m.hour * 3600, 0)
        .map(|t| t.format("%Y-%m-%dT%H:00Z").to_string())
        .unwrap_or_else(|| format!("hour {}", m.hour));
    Finding {
        check: Check::StatRollup,
        id: format!(
            "{}s {hour} {}/{}/{}/{}{}{}",
            m.kind,
            m.merchant_id,
            or_none(&m.provider),
            or_none(&m.method),
            m.currency,
            if m.hosted { "/hosted" } else { "" },
            if m.done { "/done" } else { "/open" },
        ),
        payment_id: None,
        message: format!(
            "the rollup counts {} ({} minor units), the rows {} ({})",
            m.rolled, m.rolled_minor, m.rows, m.rows_minor
        ),
    }
}

fn or_none(key: &str) -> &str {
    if key.is_empty() {
        "-"
    } else {
        key
    }
}
