//! The idempotency records' references: the payment a record created, and the payment or refund
//! its stored answer names, exist and belong to the record's merchant.
//!
//! Records have no index by payment, so they are walked on their own, in primary-key order
//! `(merchant_id, key)`, a batch per snapshot; each batch's payments and refunds are looked up
//! by primary key (`IN` lists). A finding's id is `merchant_id/key`.

use super::read::snapshot;
use super::{Check, Checked, Finding};
use crate::store::{on_conn, Conn, Db};
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct KeyFacts {
    merchant_id: String,
    key: String,
    payment_id: Option<String>,
    /// The merchant of `payment_id`, `None` when no such payment exists.
    payment_merchant: Option<String>,
    /// The refund a keyed refund request created, and its merchant (`None`: no such refund).
    refund_id: Option<String>,
    refund_merchant: Option<String>,
    /// The stored answer of a `done` record with a 2xx status; `None` for the others.
    success_body: Option<Vec<u8>>,
}

const COLUMNS: &str = "SELECT k.merchant_id, k.key, k.payment_id, p.merchant_id AS payment_merchant,
        k.refund_id, r.merchant_id AS refund_merchant,
        CASE WHEN k.state = 'done' AND k.response_status BETWEEN 200 AND 299 THEN k.response_body END AS success_body
     FROM idempotency_keys k LEFT JOIN payments p ON p.id = k.payment_id
     LEFT JOIN refunds r ON r.id = k.refund_id";

pub(super) async fn check_all(
    db: &Db,
    batch_size: u32,
    checked: &mut Checked,
    sink: &mut impl FnMut(Finding),
) -> sqlx::Result<()> {
    let mut after: Option<(String, String)> = None;
    loop {
        let mut tx = snapshot(db).await?;
        let conn: &mut Conn = &mut tx;
        let sql = match after {
            Some(_) => format!("{COLUMNS} WHERE (k.merchant_id, k.key) > ($1, $2) ORDER BY k.merchant_id, k.key LIMIT $3"),
            None => format!("{COLUMNS} ORDER BY k.merchant_id, k.key LIMIT $1"),
        };
        let keys: Vec<KeyFacts> = on_conn!(conn, c => {
            let mut q = sqlx::query_as(&sql);
            if let Some((m, k)) = &after {
                q = q.bind(m).bind(k);
            }
            q.bind(i64::from(batch_size)).fetch_all(c).await
        })?;
        checked.idempotency_keys += keys.len() as u64;
        let named: Vec<(usize, String)> = keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| Some((i, named_id(k.success_body.as_deref()?)?)))
            .collect();
        let ids = |prefix: &str| -> Vec<String> {
            named
                .iter()
                .filter(|(_, id)| id.starts_with(prefix))
                .map(|(_, id)| id.clone())
                .collect()
        };
        let payments = owners(conn, "payments", &ids("pay_")).await?;
        let refunds = owners(conn, "refunds", &ids("rfd_")).await?;
        tx.commit().await?;

        for k in &keys {
            check_reference(k, "payment_id", &k.payment_id, &k.payment_merchant, sink);
            check_reference(k, "refund_id", &k.refund_id, &k.refund_merchant, sink);
        }
        for (i, id) in &named {
            let k = &keys[*i];
            let (what, owners) = if id.starts_with("pay_") {
                ("payment", &payments)
            } else {
                ("refund", &refunds)
            };
            let mut report = |message: String| {
                sink(Finding {
                    check: Check::IdempotencyRefs,
                    id: format!("{}/{}", k.merchant_id, k.key),
                    payment_id: k
                        .payment_id
                        .clone()
                        .or_else(|| id.starts_with("pay_").then(|| id.clone())),
                    message,
                })
            };
            match owners.get(id) {
                None => report(format!(
                    "the stored answer names {what} {id}, which does not exist"
                )),
                Some(m) if *m != k.merchant_id => report(format!(
                    "the stored answer names {what} {id} of merchant {m}"
                )),
                Some(_) => {}
            }
            if let (Some(p), true) = (&k.payment_id, what == "payment") {
                if p != id {
                    report(format!(
                        "the stored answer names payment {id} but the record's payment_id is {p}"
                    ));
                }
            }
        }

        match keys.last() {
            Some(last) if keys.len() == batch_size as usize => {
                after = Some((last.merchant_id.clone(), last.key.clone()))
            }
            _ => return Ok(()),
        }
    }
}

/// A record's `payment_id` or `refund_id` names a row of the record's merchant.
fn check_reference(
    k: &KeyFacts,
    column: &str,
    id: &Option<String>,
    owner: &Option<String>,
    sink: &mut impl FnMut(Finding),
) {
    let Some(id) = id else {
        return;
    };
    let message = match owner {
        None => format!("{column} {id} does not exist"),
        Some(m) if *m != k.merchant_id => format!("{column} {id} belongs to merchant {m}"),
        Some(_) => return,
    };
    sink(Finding {
        check: Check::IdempotencyRefs,
        id: format!("{}/{}", k.merchant_id, k.key),
        payment_id: k.payment_id.clone(),
        message,
    });
}

/// The `pay_…` or `rfd_…` id a stored JSON answer is about (its top-level `"id"`).
fn named_id(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Named {
        id: String,
    }
    let id = serde_json::from_slice::<Named>(body).ok()?.id;
    (id.starts_with("pay_") || id.starts_with("rfd_")).then_some(id)
}

/// `id → merchant_id` of the rows of `table` among `ids` (by primary key).
async fn owners(
    conn: &mut Conn,
    table: &str,
    ids: &[String],
) -> sqlx::Result<HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, String)> = on_conn!(conn, c => {
        let mut q = sqlx::QueryBuilder::new(format!("SELECT id, merchant_id FROM {table} WHERE id IN ("));
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id);
        }
        list.push_unseparated(")");
        q.build_query_as().fetch_all(c).await
    })?;
    Ok(rows.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::named_id;

    #[test]
    fn stored_answers_name_payments_and_refunds_only() {
        assert_eq!(
            named_id(br#"{"id":"pay_1","status":"pending"}"#).as_deref(),
            Some("pay_1")
        );
        assert_eq!(named_id(br#"{"id":"rfd_1"}"#).as_deref(), Some("rfd_1"));
        assert_eq!(named_id(br#"{"id":"mer_1"}"#), None);
        assert_eq!(named_id(br#"{"error":"invalid_request"}"#), None);
        assert_eq!(named_id(b"not json"), None);
    }
}
