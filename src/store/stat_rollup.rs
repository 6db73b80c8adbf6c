//! The hourly rollup behind the console's overview and `GET /v1/admin/stats` (migration
//! `20261206000201_stat_rollup`, docs/console.md, "Stats at scale").
//!
//! Triggers on `payments` and `refunds` append signed deltas to `stat_deltas` in the writer's
//! transaction; [`fold_deltas`] moves them into `stat_hours`; [`window_cells`] reads a window
//! as whole hours from both tables plus the partial hours at its two ends straight from the
//! rows (through `payments_by_created` / `refunds_by_created`). One statement, one snapshot:
//! a fold that commits mid-read is seen entirely or not at all, so every read is exact.

use super::{on_conn, Conn, ConnRef};
use chrono::{DateTime, TimeZone, Utc};

/// One cell of a window: rows of one kind and combination, summed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Cell {
    /// `payment` or `refund`.
    pub kind: String,
    pub merchant_id: String,
    /// `''` while not known (a hosted payment before the customer's pick; refunds).
    pub provider: String,
    pub method: String,
    pub currency: String,
    pub hosted: bool,
    /// A payment was paid (`PaymentStatus::is_paid`); a refund completed.
    pub done: bool,
    pub count: i64,
    pub amount_minor: i64,
}

/// `[from, to)` cut into the whole hours inside it and the partial hours at its ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// Whole hours `[first, end)`, counted from the Unix epoch; empty when `first >= end`.
    pub hours: (i64, i64),
    /// The partial hours before and after them, read from the rows.
    pub head: (DateTime<Utc>, DateTime<Utc>),
    pub tail: (DateTime<Utc>, DateTime<Utc>),
}

const HOUR_SECS: i64 = 3600;

fn hour_start(hour: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(hour * HOUR_SECS, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl Split {
    pub fn of(from: DateTime<Utc>, to: DateTime<Utc>) -> Split {
        let on_boundary =
            from.timestamp().rem_euclid(HOUR_SECS) == 0 && from.timestamp_subsec_nanos() == 0;
        let first = from.timestamp().div_euclid(HOUR_SECS) + i64::from(!on_boundary);
        let end = to.timestamp().div_euclid(HOUR_SECS);
        if first >= end {
            return Split {
                hours: (0, 0),
                head: (from, to),
                tail: (to, to),
            };
        }
        Split {
            hours: (first, end),
            head: (from, hour_start(first)),
            tail: (hour_start(end), to),
        }
    }
}

/// Every cell of `[from, to)` that holds rows, summed over its hours.
pub async fn window_cells(
    conn: &mut Conn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<Cell>> {
    const CELL: &str = "kind, merchant_id, provider, method, currency, hosted, done";
    const PAYMENT: &str = "SELECT 'payment', merchant_id, COALESCE(provider, ''), \
        COALESCE(method, ''), currency, hosted, \
        status IN ('completed', 'partially_refunded', 'refunded'), 1, amount_minor FROM payments";
    const REFUND: &str = "SELECT 'refund', merchant_id, '', '', currency, false, \
        status = 'completed', 1, amount_minor FROM refunds";
    let sql = format!(
        "SELECT {CELL}, CAST(sum(count) AS BIGINT) AS count, \
                CAST(sum(amount_minor) AS BIGINT) AS amount_minor FROM ( \
           SELECT {CELL}, count, amount_minor FROM stat_hours WHERE hour >= $1 AND hour < $2 \
           UNION ALL SELECT {CELL}, count, amount_minor FROM stat_deltas \
             WHERE hour >= $1 AND hour < $2 \
           UNION ALL {PAYMENT} WHERE created_at >= $3 AND created_at < $4 \
           UNION ALL {PAYMENT} WHERE created_at >= $5 AND created_at < $6 \
           UNION ALL {REFUND} WHERE created_at >= $3 AND created_at < $4 \
           UNION ALL {REFUND} WHERE created_at >= $5 AND created_at < $6 \
         ) cells GROUP BY {CELL} HAVING sum(count) <> 0 ORDER BY {CELL}"
    );
    let s = Split::of(from, to);
    on_conn!(conn, c => sqlx::query_as(&sql)
        .bind(s.hours.0)
        .bind(s.hours.1)
        .bind(s.head.0)
        .bind(s.head.1)
        .bind(s.tail.0)
        .bind(s.tail.1)
        .fetch_all(c)
        .await)
}

/// Moves up to `batch` deltas into `stat_hours` in one transaction (the caller's), and says
/// how many it moved. Safe with any number of instances folding at once: a delta deleted by
/// one is not there for the other, and the upserts take their rows in key order.
pub async fn fold_deltas(conn: &mut Conn, batch: i64) -> sqlx::Result<u64> {
    const KEY: &str = "hour, kind, merchant_id, provider, method, currency, hosted, done";
    const ADD: &str =
        "ON CONFLICT (hour, kind, merchant_id, provider, method, currency, hosted, done) \
        DO UPDATE SET count = stat_hours.count + excluded.count, \
                      amount_minor = stat_hours.amount_minor + excluded.amount_minor";
    match conn.conn() {
        ConnRef::Pg(c) => {
            let sql = format!(
                "WITH moved AS ( \
                   DELETE FROM stat_deltas \
                   WHERE ctid = ANY(ARRAY(SELECT ctid FROM stat_deltas LIMIT $1)) \
                   RETURNING * \
                 ), added AS ( \
                   INSERT INTO stat_hours ({KEY}, count, amount_minor) \
                   SELECT {KEY}, sum(count), sum(amount_minor) FROM moved \
                   GROUP BY {KEY} ORDER BY {KEY} {ADD} \
                 ) SELECT count(*) FROM moved"
            );
            let n: i64 = sqlx::query_scalar(&sql).bind(batch).fetch_one(c).await?;
            Ok(n as u64)
        }
        ConnRef::Sqlite(c) => {
            let last: Option<i64> = sqlx::query_scalar(
                "SELECT max(rowid) FROM (SELECT rowid FROM stat_deltas ORDER BY rowid LIMIT $1)",
            )
            .bind(batch)
            .fetch_one(&mut *c)
            .await?;
            let Some(last) = last else { return Ok(0) };
            let add = format!(
                "INSERT INTO stat_hours ({KEY}, count, amount_minor) \
                 SELECT {KEY}, sum(count), sum(amount_minor) FROM stat_deltas WHERE rowid <= $1 \
                 GROUP BY {KEY} {ADD}"
            );
            sqlx::query(&add).bind(last).execute(&mut *c).await?;
            let moved = sqlx::query("DELETE FROM stat_deltas WHERE rowid <= $1")
                .bind(last)
                .execute(&mut *c)
                .await?;
            Ok(moved.rows_affected())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_window_is_whole_hours_between_two_partial_ones() {
        let s = Split::of(at("2026-12-06T08:20:00Z"), at("2026-12-06T11:05:30Z"));
        assert_eq!(hour_start(s.hours.0), at("2026-12-06T09:00:00Z"));
        assert_eq!(hour_start(s.hours.1), at("2026-12-06T11:00:00Z"));
        assert_eq!(
            s.head,
            (at("2026-12-06T08:20:00Z"), at("2026-12-06T09:00:00Z"))
        );
        assert_eq!(
            s.tail,
            (at("2026-12-06T11:00:00Z"), at("2026-12-06T11:05:30Z"))
        );
    }

    #[test]
    fn an_hour_boundary_is_whole_and_a_fraction_past_it_is_not() {
        let s = Split::of(at("2026-12-06T08:00:00Z"), at("2026-12-06T10:00:00Z"));
        assert_eq!(s.hours.1 - s.hours.0, 2);
        assert_eq!(s.head.0, s.head.1);
        assert_eq!(s.tail.0, s.tail.1);
        let s = Split::of(at("2026-12-06T08:00:00.5Z"), at("2026-12-06T10:00:00Z"));
        assert_eq!(hour_start(s.hours.0), at("2026-12-06T09:00:00Z"));
        assert_eq!(
            s.head,
            (at("2026-12-06T08:00:00.5Z"), at("2026-12-06T09:00:00Z"))
        );
    }

    #[test]
    fn a_window_without_a_whole_hour_is_read_from_the_rows() {
        for (from, to) in [
            ("2026-12-06T08:20:00Z", "2026-12-06T08:50:00Z"),
            ("2026-12-06T08:20:00Z", "2026-12-06T09:50:00Z"),
        ] {
            let s = Split::of(at(from), at(to));
            assert!(s.hours.0 >= s.hours.1, "{from}..{to}");
            assert_eq!(s.head, (at(from), at(to)));
            assert_eq!(s.tail.0, s.tail.1);
        }
    }
}
