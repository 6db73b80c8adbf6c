//! What is looked up: each kind's row, its batch query and its single query (SQLite, and the
//! fallback when a batch task is gone).

use crate::store::payments::{self, PaymentRow, PaymentStatusRow};
use crate::store::Conn;
use sqlx::postgres::PgRow;
use std::future::Future;

/// One kind of coalesced lookup by payment id.
pub trait LookupKind: Send + Sync + 'static {
    /// The row both queries return; it carries the merchant, so a batch can tell whose it is.
    type Row: for<'r> sqlx::FromRow<'r, PgRow> + Clone + Send + Unpin + 'static;

    /// The batch query: `… FROM payments WHERE id = ANY($1)`, by id only.
    const BATCH_QUERY: &'static str;

    fn id(row: &Self::Row) -> &str;

    fn merchant_id(row: &Self::Row) -> &str;

    /// One lookup on its own: the merchant's own row or `None`.
    fn own_query<'a>(
        conn: &'a mut Conn,
        merchant_id: &'a str,
        id: &'a str,
    ) -> impl Future<Output = sqlx::Result<Option<Self::Row>>> + Send + 'a;
}

/// Verify's: three columns (and the merchant), not the whole row.
pub struct Status;

impl LookupKind for Status {
    type Row = PaymentStatusRow;

    const BATCH_QUERY: &'static str =
        "SELECT id, merchant_id, status, external_id FROM payments WHERE id = ANY($1)";

    fn id(row: &PaymentStatusRow) -> &str {
        &row.id
    }

    fn merchant_id(row: &PaymentStatusRow) -> &str {
        &row.merchant_id
    }

    fn own_query<'a>(
        conn: &'a mut Conn,
        merchant_id: &'a str,
        id: &'a str,
    ) -> impl Future<Output = sqlx::Result<Option<PaymentStatusRow>>> + Send + 'a {
        payments::status_for_merchant(conn, merchant_id, id)
    }
}

/// Retrieve's: the whole row, as `SELECT *` reads it.
pub struct Payment;

impl LookupKind for Payment {
    type Row = PaymentRow;

    const BATCH_QUERY: &'static str = "SELECT * FROM payments WHERE id = ANY($1)";

    fn id(row: &PaymentRow) -> &str {
        &row.id
    }

    fn merchant_id(row: &PaymentRow) -> &str {
        &row.merchant_id
    }

    fn own_query<'a>(
        conn: &'a mut Conn,
        merchant_id: &'a str,
        id: &'a str,
    ) -> impl Future<Output = sqlx::Result<Option<PaymentRow>>> + Send + 'a {
        payments::get_for_merchant(conn, merchant_id, id)
    }
}
