//! The audit's reads: one batch of payments and every row related to them, in one read-only
//! snapshot, in memory proportional to the batch.
//!
//! Related rows are read by the payment-id range the batch covers (see the module docs of
//! `audit`), streamed, and sorted into per-payment buckets; a row whose payment is not in the
//! batch is an orphan and becomes a finding at once instead of being kept. Timeline notes are
//! read only for that orphan check: no invariant concerns them.

use super::{Check, Checked, Finding};
use crate::store::{on_conn, Conn, Db, Tx};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use std::collections::HashMap;

#[derive(Debug, sqlx::FromRow)]
pub(super) struct PaymentFacts {
    pub id: String,
    pub merchant_id: String,
    pub status: String,
    pub amount_minor: i64,
    pub currency: String,
    pub refunded_minor: i64,
    pub event_sequence: i32,
    pub completed_at: Option<DateTime<Utc>>,
    pub paid_attempt_id: Option<String>,
    /// What the gateway took, where Payrail recorded it.
    pub received_minor: Option<i64>,
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct RefundFacts {
    pub id: String,
    pub payment_id: String,
    pub merchant_id: String,
    pub attempt_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: String,
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct AttemptFacts {
    pub id: String,
    pub payment_id: String,
    pub state: String,
    pub external_id: Option<String>,
    pub charge_id: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct OutboxFacts {
    pub id: String,
    pub payment_id: String,
    pub merchant_id: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub sequence: i32,
    /// The payload of `refund.*` events only (it names the refund); `None` for the others.
    pub refund_payload: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct TimelineFacts {
    pub id: String,
    pub payment_id: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub sequence: Option<i32>,
}

impl TimelineFacts {
    /// Entries some invariant is about: merchant events, status changes, the creation entry.
    fn matters(&self) -> bool {
        self.sequence.is_some() || self.from_status.is_some() || self.kind == "payment.created"
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct DuplicateFacts {
    pub attempt_id: String,
    pub charge_id: String,
    pub payment_id: String,
    pub settled_at: Option<DateTime<Utc>>,
}

/// One payment and everything that points at it.
pub(super) struct PaymentView<'a> {
    pub payment: &'a PaymentFacts,
    pub refunds: &'a [RefundFacts],
    pub attempts: &'a [AttemptFacts],
    pub outbox: &'a [OutboxFacts],
    /// Only the entries that matter (see [`TimelineFacts::matters`]).
    pub timeline: &'a [TimelineFacts],
    pub duplicates: &'a [DuplicateFacts],
}

impl PaymentView<'_> {
    pub fn attempt(&self, id: &str) -> Option<&AttemptFacts> {
        self.attempts.iter().find(|a| a.id == id)
    }
}

pub(super) struct Batch {
    payments: Vec<PaymentFacts>,
    refunds: Vec<Vec<RefundFacts>>,
    attempts: Vec<Vec<AttemptFacts>>,
    outbox: Vec<Vec<OutboxFacts>>,
    timeline: Vec<Vec<TimelineFacts>>,
    duplicates: Vec<Vec<DuplicateFacts>>,
    /// The batch was full: more payments may follow its last id.
    full: bool,
}

impl Batch {
    pub fn payments(&self) -> impl Iterator<Item = PaymentView<'_>> {
        self.payments
            .iter()
            .enumerate()
            .map(|(i, payment)| PaymentView {
                payment,
                refunds: &self.refunds[i],
                attempts: &self.attempts[i],
                outbox: &self.outbox[i],
                timeline: &self.timeline[i],
                duplicates: &self.duplicates[i],
            })
    }

    /// The keyset cursor of the next batch; `None` when this one was the last.
    pub fn next_after(&self) -> Option<String> {
        self.full
            .then(|| self.payments.last().map(|p| p.id.clone()))
            .flatten()
    }
}

/// A read-only snapshot: a batch's rows agree with each other even while payments change.
pub(super) async fn snapshot(db: &Db) -> sqlx::Result<Tx> {
    Ok(match db {
        Db::Pg(p) => Tx::Pg(
            p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?,
        ),
        // Deferred: the first read takes a WAL snapshot and no lock that would stop writers.
        Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN DEFERRED").await?),
    })
}

pub(super) async fn count_payments(db: &Db) -> sqlx::Result<u64> {
    let n: i64 = match db {
        Db::Pg(p) => {
            sqlx::query_scalar("SELECT count(*) FROM payments")
                .fetch_one(p)
                .await?
        }
        Db::Sqlite(p) => {
            sqlx::query_scalar("SELECT count(*) FROM payments")
                .fetch_one(p)
                .await?
        }
    };
    Ok(n.max(0) as u64)
}

const PAYMENT_COLUMNS: &str = "id, merchant_id, status, amount_minor, currency, refunded_minor, \
     event_sequence, completed_at, paid_attempt_id, received_minor";

/// The payments after `after` (all from the first when `None`), `size` of them, and their rows.
pub(super) async fn batch(
    db: &Db,
    after: Option<&str>,
    size: u32,
    checked: &mut Checked,
    sink: &mut impl FnMut(Finding),
) -> sqlx::Result<Batch> {
    let mut tx = snapshot(db).await?;
    let conn: &mut Conn = &mut tx;
    let sql = match after {
        Some(_) => {
            format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE id > $1 ORDER BY id LIMIT $2")
        }
        None => format!("SELECT {PAYMENT_COLUMNS} FROM payments ORDER BY id LIMIT $1"),
    };
    let payments: Vec<PaymentFacts> = on_conn!(conn, c => {
        let mut q = sqlx::query_as(&sql);
        if let Some(a) = after {
            q = q.bind(a);
        }
        q.bind(i64::from(size)).fetch_all(c).await
    })?;
    checked.payments += payments.len() as u64;
    let full = payments.len() == size as usize;
    // The batch owns (after, last]; the last batch owns everything after `after`.
    let upper = if full {
        payments.last().map(|p| p.id.clone())
    } else {
        None
    };
    let (range, binds) = range(after, upper.as_deref());
    let index: HashMap<String, usize> = payments
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.clone(), i))
        .collect();
    let n = payments.len();
    let mut out = Batch {
        payments,
        refunds: empty(n),
        attempts: empty(n),
        outbox: empty(n),
        timeline: empty(n),
        duplicates: empty(n),
        full,
    };

    let sql = format!("SELECT id, payment_id, merchant_id, attempt_id, amount_minor, currency, status FROM refunds WHERE {range}");
    stream(conn, &sql, &binds, |r: RefundFacts| {
        checked.refunds += 1;
        match index.get(&r.payment_id) {
            Some(&i) => out.refunds[i].push(r),
            None => sink(orphan(Check::RefundRefs, r.id, r.payment_id, "refund")),
        }
    })
    .await?;

    let sql =
        format!("SELECT id, payment_id, state, external_id, charge_id FROM attempts WHERE {range}");
    stream(conn, &sql, &binds, |a: AttemptFacts| {
        checked.attempts += 1;
        match index.get(&a.payment_id) {
            Some(&i) => out.attempts[i].push(a),
            None => sink(orphan(Check::AttemptRefs, a.id, a.payment_id, "attempt")),
        }
    })
    .await?;

    let sql = format!(
        "SELECT id, payment_id, merchant_id, type, sequence,
                CASE WHEN type LIKE 'refund.%' THEN payload END AS refund_payload
         FROM outbox_events WHERE {range}"
    );
    stream(conn, &sql, &binds, |e: OutboxFacts| {
        checked.events += 1;
        match index.get(&e.payment_id) {
            Some(&i) => out.outbox[i].push(e),
            None => sink(orphan(
                Check::EventRefs,
                e.id,
                e.payment_id,
                "merchant event",
            )),
        }
    })
    .await?;

    let sql = format!(
        "SELECT id, payment_id, type, from_status, to_status, sequence FROM payment_events WHERE {range}"
    );
    stream(conn, &sql, &binds, |t: TimelineFacts| {
        match index.get(&t.payment_id) {
            Some(&i) if t.matters() => out.timeline[i].push(t),
            Some(_) => {}
            None => sink(orphan(
                Check::EventRefs,
                t.id,
                t.payment_id,
                "timeline entry",
            )),
        }
    })
    .await?;

    let sql = format!(
        "SELECT attempt_id, charge_id, payment_id, settled_at FROM duplicate_charges WHERE {range}"
    );
    stream(conn, &sql, &binds, |d: DuplicateFacts| {
        match index.get(&d.payment_id) {
            Some(&i) => out.duplicates[i].push(d),
            None => {
                let what = format!("duplicate charge {} of attempt", d.charge_id);
                sink(orphan(
                    Check::AttemptRefs,
                    d.attempt_id,
                    d.payment_id,
                    &what,
                ))
            }
        }
    })
    .await?;
    tx.commit().await?;
    Ok(out)
}

fn empty<T>(n: usize) -> Vec<Vec<T>> {
    (0..n).map(|_| Vec::new()).collect()
}

fn orphan(check: Check, id: String, payment_id: String, what: &str) -> Finding {
    Finding {
        check,
        message: format!("{what} of payment {payment_id}, which does not exist"),
        id,
        payment_id: Some(payment_id),
    }
}

/// `payment_id > lo AND payment_id <= hi`, each bound only when given, and its bind values.
fn range<'a>(lo: Option<&'a str>, hi: Option<&'a str>) -> (String, Vec<&'a str>) {
    let mut conditions = Vec::new();
    let mut binds = Vec::new();
    if let Some(lo) = lo {
        binds.push(lo);
        conditions.push(format!("payment_id > ${}", binds.len()));
    }
    if let Some(hi) = hi {
        binds.push(hi);
        conditions.push(format!("payment_id <= ${}", binds.len()));
    }
    if conditions.is_empty() {
        return ("true".into(), binds);
    }
    (conditions.join(" AND "), binds)
}

/// Runs `sql` with text `binds` and hands each row to `each` as it arrives.
pub(super) async fn stream<R>(
    conn: &mut Conn,
    sql: &str,
    binds: &[&str],
    mut each: impl FnMut(R),
) -> sqlx::Result<()>
where
    R: Send + Unpin + for<'r> sqlx::FromRow<'r, PgRow> + for<'r> sqlx::FromRow<'r, SqliteRow>,
{
    on_conn!(conn, c => {
        let mut q = sqlx::query_as::<_, R>(sql);
        for b in binds {
            q = q.bind(*b);
        }
        let mut rows = q.fetch(c);
        while let Some(row) = rows.try_next().await? {
            each(row);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::range;

    #[test]
    fn ranges_bind_only_the_bounds_they_have() {
        assert_eq!(range(None, None), ("true".into(), vec![]));
        assert_eq!(
            range(Some("a"), None),
            ("payment_id > $1".into(), vec!["a"])
        );
        assert_eq!(
            range(None, Some("b")),
            ("payment_id <= $1".into(), vec!["b"])
        );
        assert_eq!(
            range(Some("a"), Some("b")),
            (
                "payment_id > $1 AND payment_id <= $2".into(),
                vec!["a", "b"]
            )
        );
    }
}
