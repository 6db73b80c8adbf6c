//! Read-only use cases: retrieve, verify (DB only), list, timeline. Nothing here calls a gateway.

use super::{list_json, views, Orchestrator};
use crate::domain::money::Currency;
use crate::domain::paid_money::refund_ceiling;
use crate::domain::status::PaymentStatus;
use crate::error::{AppError, AppResult};
use crate::store::lookups::Retrieved;
use crate::store::payments::ListedPayment;
use crate::store::{self, payments::ListFilter, payments::PaymentRow};
use base64::Engine;
use chrono::{DateTime, Utc};

const CURSOR: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Opaque keyset cursor: the (created_at, id) of the last row of the previous page.
pub fn encode_cursor(p: &PaymentRow) -> String {
    cursor_of(p.created_at.timestamp_micros(), p.id.as_bytes())
}

/// `<created_at in Unix microseconds>|<id>`, base64url without padding.
fn cursor_of(created_micros: i64, id: &[u8]) -> String {
    let mut raw = created_micros.to_string().into_bytes();
    raw.push(b'|');
    raw.extend_from_slice(id);
    CURSOR.encode(raw)
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

/// The actions a listed payment offers, given its gateway's `(query, refund)` capabilities.
fn listed_actions(
    p: &ListedPayment<'_>,
    (can_query, can_refund): (bool, bool),
) -> [Option<&'static str>; 3] {
    let facts = views::ActionFacts {
        status: PaymentStatus::parse(p.status.as_str()).unwrap_or(PaymentStatus::Pending),
        has_provider: p.provider.is_some(),
        refunded_minor: p.refunded_minor,
        refund_ceiling: refund_ceiling(p.amount_minor, p.received_minor),
    };
    views::action_list(&facts, can_query, can_refund)
}

/// One page of payments, newest first, as the JSON the list answers (docs/api.md, "Payments"):
/// `{"data":[…],"has_more":…,"next_cursor":…}`, each item the full payment view.
pub struct Page(Vec<u8>);

impl Page {
    pub fn into_json(self) -> Vec<u8> {
        self.0
    }
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

    /// The payment as retrieve answers it, as JSON (docs/api.md, "Payments"). A row from a
    /// Postgres batch is written straight from the fetched bytes, as the list writes its rows;
    /// a decoded row through serde. Both write the same bytes (`list_json`'s tests).
    pub async fn retrieve_json(&self, merchant_id: &str, payment_id: &str) -> AppResult<Vec<u8>> {
        let row = self
            .payment_lookups
            .for_merchant(merchant_id, payment_id)
            .await
            .map_err(AppError::from)?
            .ok_or(AppError::NotFound)?;
        match row {
            Retrieved::Kept(kept) => {
                let p = ListedPayment::decode(&kept.row, true)?;
                let caps = self.query_refund_caps(p.provider.map(|t| t.as_str()));
                let mut buf = Vec::with_capacity(1024);
                let currency = Currency::parse(p.currency.as_str());
                list_json::write_payment(&mut buf, &p, &listed_actions(&p, caps), currency);
                Ok(buf)
            }
            Retrieved::Decoded(row) => serde_json::to_vec(&self.with_actions(*row))
                .map_err(|e| AppError::Internal(e.into())),
        }
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
    ///
    /// Each row is rendered as it is decoded, borrowed from the fetched result
    /// (`list_json`); the gateway capabilities and the currency are looked up once per run of
    /// equal values, not once per row.
    pub async fn list(
        &self,
        merchant_id: Option<&str>,
        filter: &ListFilter,
        limit: i64,
    ) -> AppResult<Page> {
        let mut conn = self.db.acquire().await?;
        let rows = usize::try_from(limit).unwrap_or(0);
        let mut buf = Vec::with_capacity(64 + 1024 * rows.min(100));
        buf.extend_from_slice(b"{\"data\":[");
        let mut currencies = list_json::CurrencyMemo::default();
        let mut caps: Option<(Vec<u8>, (bool, bool))> = None;
        let (mut n, mut last_cursor) = (0, None);
        let has_more = store::payments::list_view(&mut conn, merchant_id, filter, limit, |p| {
            let provider = p.provider.map_or(&b""[..], |t| t.as_bytes());
            let (can_query, can_refund) = match &caps {
                Some((name, c)) if name == provider => *c,
                _ => {
                    let c = self.query_refund_caps(p.provider.map(|t| t.as_str()));
                    caps = Some((provider.to_vec(), c));
                    c
                }
            };
            if n > 0 {
                buf.push(b',');
            }
            let actions = listed_actions(p, (can_query, can_refund));
            list_json::write_payment(&mut buf, p, &actions, currencies.get_text(p.currency));
            n += 1;
            if n == rows {
                last_cursor = Some(cursor_of(p.created_at.timestamp_micros(), p.id.as_bytes()));
            }
        })
        .await?;
        buf.extend_from_slice(b"],\"has_more\":");
        buf.extend_from_slice(if has_more { b"true" } else { b"false" });
        buf.extend_from_slice(b",\"next_cursor\":");
        match last_cursor.filter(|_| has_more) {
            Some(c) => list_json::write_str(&mut buf, &c),
            None => buf.extend_from_slice(b"null"),
        }
        buf.push(b'}');
        Ok(Page(buf))
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
