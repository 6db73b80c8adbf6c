//! The merchant's and the admin's payment list: newest first, keyset-paginated, with only the
//! filters given in the SQL.
//!
//! Two reads share the SQL: [`list`] returns whole rows (the console and ops tools), and
//! [`list_view`] reads only the columns the API's payment view renders and hands each row to the
//! caller borrowed from the fetched result, so a page costs no owned `String` per field (issue
//! 20: the list page spent most of its time decoding and copying columns it then threw away).

pub use super::list_values::{StoredTime, Text, FOUR_DIGIT_YEARS};
use super::payments::PaymentRow;
use super::{on_conn, Conn};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::{ColumnIndex, Decode, Row, Type};

#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    /// The console's exact-id search (a payment id).
    pub id: Option<String>,
    pub external_id: Option<String>,
    pub method: Option<String>,
    pub status: Option<String>,
    pub provider: Option<String>,
    pub order_id: Option<String>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    /// Keyset cursor: rows strictly older than this (created_at, id).
    pub after: Option<(DateTime<Utc>, String)>,
}

/// `SELECT <columns> FROM payments WHERE <the filters given> ORDER BY … LIMIT limit + 1`, built
/// with only the filters given, so the planner sees plain predicates and uses the index that
/// starts with them. A macro because the builder's type is the engine's own (`on_conn!`).
macro_rules! filtered {
    ($columns:expr, $merchant_id:expr, $f:expr, $limit:expr) => {{
        let f: &ListFilter = $f;
        // The whole text at once: pushing the column list into the builder's empty String
        // reallocated it several times per page.
        let mut sql = String::with_capacity(512);
        sql.push_str("SELECT ");
        sql.push_str($columns);
        sql.push_str(" FROM payments WHERE true");
        let mut q = sqlx::QueryBuilder::new(sql);
        if let Some(m) = $merchant_id {
            q.push(" AND merchant_id = ").push_bind(m);
        }
        if let Some(v) = &f.id {
            q.push(" AND id = ").push_bind(v);
        }
        if let Some(v) = &f.external_id {
            // Through the attempt that holds the gateway's id (`attempts_by_external`): no index
            // on payments names `external_id`, so the create's outcome update stays HOT
            // (migration 20261206000301). A payment's id is always one of its attempts'.
            q.push(" AND external_id = ").push_bind(v);
            q.push(" AND id IN (SELECT payment_id FROM attempts WHERE external_id = ")
                .push_bind(v)
                .push(")");
        }
        if let Some(v) = &f.method {
            q.push(" AND method = ").push_bind(v);
        }
        if let Some(v) = &f.status {
            q.push(" AND status = ").push_bind(v);
        }
        if let Some(v) = &f.provider {
            q.push(" AND provider = ").push_bind(v);
        }
        if let Some(v) = &f.order_id {
            q.push(" AND order_id = ").push_bind(v);
        }
        if let Some(v) = f.created_after {
            q.push(" AND created_at >= ").push_bind(v);
        }
        if let Some(v) = f.created_before {
            q.push(" AND created_at < ").push_bind(v);
        }
        if let Some((ts, id)) = &f.after {
            q.push(" AND (created_at, id) < (")
                .push_bind(*ts)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        q.push(" ORDER BY created_at DESC, id DESC LIMIT ");
        let limit: i64 = $limit + 1;
        if generic_plan_safe(f) {
            // Our own integer, written as digits: see `generic_plan_safe`.
            q.push(limit);
        } else {
            q.push_bind(limit);
        }
        q
    }};
}

/// Whether Postgres may plan this page once and reuse the plan (issue 20).
///
/// With `LIMIT $n` a generic plan assumes a tenth of the table is wanted, so it never looks
/// cheaper than a custom plan and the page was planned at every request (30 to 50 µs of
/// planning for 10 to 20 µs of execution, EXPLAIN ANALYZE at 1M payments). With the limit
/// written into the SQL, Postgres switches to its generic plan after five executions. That is
/// safe only where every filter is an equality the merchant's indexes lead with: the generic
/// plan guesses each merchant's share of the table, and for a cursor or a time range it may then
/// prefer scanning `payments_by_created` and filtering by merchant, which for a merchant with
/// few payments reads the other merchants' rows in between (110 ms at 1M payments in the
/// forced-generic EXPLAIN). Those pages keep the bound limit and a plan per request.
fn generic_plan_safe(f: &ListFilter) -> bool {
    f.after.is_none() && f.created_after.is_none() && f.created_before.is_none()
}

/// Newest first; fetches `limit + 1` so the caller knows whether there is more.
pub async fn list(
    conn: &mut Conn,
    merchant_id: Option<&str>,
    f: &ListFilter,
    limit: i64,
) -> sqlx::Result<Vec<PaymentRow>> {
    on_conn!(conn, c => {
        let mut q = filtered!("*", merchant_id, f, limit);
        q.build_query_as().fetch_all(c).await
    })
}

/// Declares [`ListedPayment`] and its SQL column list from one field list, so the columns are
/// selected in exactly the order they are decoded.
macro_rules! listed_payment {
    ($($field:ident: $ty:ty),* $(,)?) => {
        /// One listed payment: the columns the payment view renders (docs/api.md, "Payments"),
        /// borrowed from the fetched row.
        #[derive(Debug)]
        pub struct ListedPayment<'r> {
            $(pub $field: $ty,)*
        }

        const VIEW_COLUMNS: &str = concat!($(stringify!($field), ","),*);

        /// Retrieve's batch (`store::lookups`): the view's columns, then the merchant's id, of
        /// the payments with the ids given.
        pub const VIEW_BY_IDS: &str = concat!(
            "SELECT ", $(stringify!($field), ",",)* "merchant_id FROM payments WHERE id = ANY($1)"
        );

        impl<'r> ListedPayment<'r> {
            /// Decodes the view's columns, in order from the first; `checked` compares each
            /// column's type first.
            pub fn decode<R>(row: &'r R, checked: bool) -> sqlx::Result<Self>
            where
                R: Row,
                usize: ColumnIndex<R>,
                $($ty: Decode<'r, R::Database> + Type<R::Database>,)*
            {
                let mut i = 0usize;
                // Fields are evaluated in the order written, the order of VIEW_COLUMNS.
                Ok(ListedPayment {
                    $($field: {
                        i += 1;
                        col(row, i - 1, checked)?
                    },)*
                })
            }
        }
    };
}

listed_payment! {
    id: Text<'r>,
    status: Text<'r>,
    amount_minor: i64,
    currency: Text<'r>,
    refunded_minor: i64,
    order_id: Text<'r>,
    provider: Option<Text<'r>>,
    method: Option<Text<'r>>,
    external_id: Option<Text<'r>>,
    checkout_url: Option<Text<'r>>,
    callback_url: Option<Text<'r>>,
    return_url: Option<Text<'r>>,
    cancel_url: Option<Text<'r>>,
    customer: Option<Text<'r>>,
    description: Option<Text<'r>>,
    metadata: Option<Text<'r>>,
    status_detail: Option<Text<'r>>,
    provider_status: Option<Text<'r>>,
    created_at: StoredTime,
    updated_at: StoredTime,
    completed_at: Option<StoredTime>,
    expires_at: StoredTime,
    // Not shown; what arrived bounds the refund action.
    received_minor: Option<i64>,
}

/// Decodes column `i`. `checked` compares the column's type with `T` first, as sqlx's `try_get`
/// does; unchecked decoding still fails on malformed bytes, it only skips that comparison.
fn col<'r, R, T>(row: &'r R, i: usize, checked: bool) -> sqlx::Result<T>
where
    R: Row,
    usize: ColumnIndex<R>,
    T: Decode<'r, R::Database> + Type<R::Database>,
{
    if checked {
        row.try_get(i)
    } else {
        row.try_get_unchecked(i)
    }
}

/// The same page as [`list`], but only the view's columns, each row lent to `each` in order
/// (at most `limit` rows). Returns whether there are more rows after them.
///
/// Rows are taken from the result stream one at a time and dropped once rendered, rather than
/// collected into a `Vec` first (which grew four times per page).
///
/// Postgres describes a result's column types once for all its rows, so they are compared for
/// the first row only; SQLite types each value on its own, so every row is checked there.
pub async fn list_view(
    conn: &mut Conn,
    merchant_id: Option<&str>,
    f: &ListFilter,
    limit: i64,
    mut each: impl FnMut(&ListedPayment<'_>) + Send,
) -> sqlx::Result<bool> {
    let keep = usize::try_from(limit).unwrap_or(0);
    let check_every_row = matches!(conn.conn(), super::ConnRef::Sqlite(_));
    on_conn!(conn, c => {
        let mut q = filtered!(VIEW_COLUMNS.trim_end_matches(','), merchant_id, f, limit);
        let mut rows = q.build().fetch(c);
        let mut n = 0usize;
        // Read to the end (the extra row included), so the connection goes back idle.
        while let Some(row) = rows.try_next().await? {
            if n < keep {
                each(&ListedPayment::decode(&row, check_every_row || n == 0)?);
            }
            n += 1;
        }
        Ok(n > keep)
    })
}

/// Payments in `status`, oldest first (the console's review queue), at most `limit`.
pub async fn oldest_with_status(
    conn: &mut Conn,
    status: &str,
    limit: i64,
) -> sqlx::Result<Vec<PaymentRow>> {
    on_conn!(conn, c => sqlx::query_as(
        "SELECT * FROM payments WHERE status = $1 ORDER BY created_at, id LIMIT $2",
    )
    .bind(status)
    .bind(limit)
    .fetch_all(c)
    .await)
}
