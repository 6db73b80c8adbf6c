//! What is looked up: each kind's row, its batch query and its single query (SQLite, and the
//! fallback when a batch task is gone).

use crate::store::payments::VIEW_BY_IDS;
use crate::store::payments::{self, PaymentRow, PaymentStatusRow};
use crate::store::Conn;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, Row};
use std::future::Future;
use std::sync::Arc;

/// One kind of coalesced lookup by payment id.
pub trait LookupKind: Send + Sync + 'static {
    /// The row both queries return; it carries the merchant, so a batch can tell whose it is.
    type Row: Clone + Send + 'static;

    /// The batch query: `… FROM payments WHERE id = ANY($1)`, by id only.
    const BATCH_QUERY: &'static str;

    /// One row of the batch query's result.
    fn from_pg(row: PgRow) -> sqlx::Result<Self::Row>;

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

    fn from_pg(row: PgRow) -> sqlx::Result<PaymentStatusRow> {
        PaymentStatusRow::from_row(&row)
    }

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

/// Retrieve's: the payment view's columns (`store::payment_list::ListedPayment`).
pub struct Payment;

/// Retrieve's row. From a Postgres batch it is the fetched row itself, undecoded, so the answer
/// is written straight from it as the list page writes its rows (`orchestration::list_json`):
/// decoding it into owned fields and serialising those through serde cost a third of a
/// retrieve's instructions (issue 20). From a query of its own (SQLite, or the fallback when a
/// batch task is gone) it is the decoded row.
#[derive(Clone, Debug)]
pub enum Retrieved {
    Kept(Arc<KeptRow>),
    Decoded(Box<PaymentRow>),
}

/// A batch's row with the two columns the batch matches on read out of it.
#[derive(Debug)]
pub struct KeptRow {
    pub id: String,
    pub merchant_id: String,
    /// [`VIEW_BY_IDS`]'s columns: the view's, in order from the first, then `merchant_id`.
    pub row: PgRow,
}

impl LookupKind for Payment {
    type Row = Retrieved;

    const BATCH_QUERY: &'static str = VIEW_BY_IDS;

    fn from_pg(row: PgRow) -> sqlx::Result<Retrieved> {
        let kept = KeptRow {
            id: row.try_get("id")?,
            merchant_id: row.try_get("merchant_id")?,
            row,
        };
        Ok(Retrieved::Kept(Arc::new(kept)))
    }

    fn id(row: &Retrieved) -> &str {
        match row {
            Retrieved::Kept(k) => &k.id,
            Retrieved::Decoded(p) => &p.id,
        }
    }

    fn merchant_id(row: &Retrieved) -> &str {
        match row {
            Retrieved::Kept(k) => &k.merchant_id,
            Retrieved::Decoded(p) => &p.merchant_id,
        }
    }

    async fn own_query<'a>(
        conn: &'a mut Conn,
        merchant_id: &'a str,
        id: &'a str,
    ) -> sqlx::Result<Option<Retrieved>> {
        let row = payments::get_for_merchant(conn, merchant_id, id).await?;
        Ok(row.map(|p| Retrieved::Decoded(Box::new(p))))
    }
}
