//! Read-only use cases: retrieve, verify (DB only), list, timeline. Nothing here calls a gateway.

use super::{views, Orchestrator};
use crate::error::{AppError, AppResult};
use crate::store::{self, payments::ListFilter, payments::PaymentRow};
use base64::Engine;
use chrono::{DateTime, Utc};

const CURSOR: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Opaque keyset cursor: the (created_at, id) of the last row of the previous page.
pub fn encode_cursor(p: &PaymentRow) -> String {
    CURSOR.encode(format!("{}|{}", p.created_at.timestamp_micros(), p.id))
}

/// 9999-12-31T23:59:59.999999Z, the last time RFC 3339 can write.
const MAX_CURSOR_MICROS: i64 = 253_402_300_799_999_999;

pub fn decode_cursor(raw: &str) -> Option<(DateTime<Utc>, String)> {
    let text = String::from_utf8(CURSOR.decode(raw).ok()?).ok()?;
    let (micros, id) = text.split_once('|')?;
    // Years 1970 to 9999: a forged cursor must not reach the store as a time it cannot hold.
    let micros: i64 = micros.parse().ok()?;
    if !(0..=MAX_CURSOR_MICROS).contains(&micros) {
        return None;
    }
    let ts = DateTime::from_timestamp_micros(micros)?;
    crate::domain::ids::PaymentId::parse(id)?;
    Some((ts, id.to_owned()))
}

/// One page of payments, newest first.
#[derive(serde::Serialize)]
pub struct Page {
    data: Vec<views::OwnedPayment>,
    has_more: bool,
    next_cursor: Option<String>,
}

/// A payment's timeline entries, oldest first.
pub struct Timeline(Vec<store::timeline::TimelineRow>);

impl serde::Serialize for Timeline {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(views::timeline_entry))
    }
}

impl Orchestrator {
    pub async fn payment(&self, merchant_id: &str, payment_id: &str) -> AppResult<PaymentRow> {
        let mut conn = self.db.acquire().await?;
        store::payments::get_for_merchant(&mut conn, merchant_id, payment_id)
            .await?
            .ok_or(AppError::NotFound)
    }

    pub async fn retrieve(
        &self,
        merchant_id: &str,
        payment_id: &str,
    ) -> AppResult<views::OwnedPayment> {
        let row = self
            .payment_lookups
            .for_merchant(merchant_id, payment_id)
            .await
            .map_err(AppError::from)?
            .ok_or(AppError::NotFound)?;
        Ok(self.with_actions(row))
    }

    fn with_actions(&self, row: PaymentRow) -> views::OwnedPayment {
        views::OwnedPayment {
            actions: self.actions_for(&row),
            row,
        }
    }

    pub async fn verify(&self, merchant_id: &str, payment_id: &str) -> AppResult<views::Verified> {
        let p = self
            .status_lookups
            .for_merchant(merchant_id, payment_id)
            .await
            .map_err(AppError::from)?
            .ok_or(AppError::NotFound)?;
        Ok(views::verify(p, self.now()))
    }

    /// One page, newest first. `merchant_id` is `None` only for the admin list.
    pub async fn list(
        &self,
        merchant_id: Option<&str>,
        filter: &ListFilter,
        limit: i64,
    ) -> AppResult<Page> {
        let mut conn = self.db.acquire().await?;
        let mut rows = store::payments::list(&mut conn, merchant_id, filter, limit).await?;
        let has_more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if has_more {
            rows.last().map(encode_cursor)
        } else {
            None
        };
        let data = rows.into_iter().map(|p| self.with_actions(p)).collect();
        Ok(Page {
            data,
            has_more,
            next_cursor,
        })
    }

    pub async fn timeline(&self, merchant_id: &str, payment_id: &str) -> AppResult<Timeline> {
        self.payment(merchant_id, payment_id).await?;
        let mut conn = self.db.acquire().await?;
        Ok(Timeline(
            store::timeline::for_payment(&mut conn, payment_id).await?,
        ))
    }

    pub async fn latest_attempt(
        &self,
        payment_id: &str,
    ) -> AppResult<Option<store::attempts::AttemptRow>> {
        let mut conn = self.db.acquire().await?;
        Ok(store::attempts::latest_for_payment(&mut conn, payment_id).await?)
    }

    /// The attempt that speaks for the payment: the one whose money settled it, else the
    /// latest (a hosted payment may have several).
    pub(super) async fn settling_attempt(
        &self,
        conn: &mut store::Conn,
        p: &store::payments::PaymentRow,
    ) -> AppResult<Option<store::attempts::AttemptRow>> {
        if let Some(id) = &p.paid_attempt_id {
            if let Some(paid) = store::attempts::get(conn, id).await? {
                return Ok(Some(paid));
            }
        }
        Ok(store::attempts::latest_for_payment(conn, &p.id).await?)
    }
}
