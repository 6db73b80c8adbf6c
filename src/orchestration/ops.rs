//! Ops tools: bulk rechecks (API and CLI), event redelivery, test webhooks.

use super::json_fields::Field;
use super::Orchestrator;
use crate::domain::ids::EventId;
use crate::domain::status::{PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::notify::signing::sign_event;
use crate::providers::ProviderId;
use crate::store::{self, payments::ListFilter};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{json, Value};
use std::ops::RangeInclusive;

/// The largest `older_than_secs` accepted: ten years. No open payment is older, and
/// `now - older_than_secs` stays a time chrono and both stores can hold.
pub const MAX_OLDER_THAN_SECS: i64 = 10 * 365 * 86_400;
/// `limit`'s range; 100 when absent.
pub const RECHECK_LIMIT: RangeInclusive<i64> = 1..=1000;

/// `POST /v1/admin/rechecks` and `payrail recheck`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkRecheck {
    /// Default: every open payment (`pending` and `processing`).
    pub status: Option<String>,
    pub provider: Option<String>,
    pub merchant_id: Option<String>,
    /// Only payments created at least this long ago.
    pub older_than_secs: Option<i64>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<i64>,
    #[serde(default)]
    pub dry_run: bool,
}

impl BulkRecheck {
    /// What each field of the admin body must be, checked before it is deserialised.
    pub const FIELDS: &'static [Field] = &[
        Field::str("status").or_null(),
        Field::str("provider").or_null(),
        Field::str("merchant_id").or_null(),
        Field::int("older_than_secs", 0..=MAX_OLDER_THAN_SECS).or_null(),
        Field::int("limit", RECHECK_LIMIT).or_null(),
        Field::bool("dry_run"),
    ];

    /// Payments created before this (`now - older_than_secs`), range-checked: the CLI builds
    /// requests without the admin body's checks.
    fn created_before(&self, now: DateTime<Utc>) -> AppResult<Option<DateTime<Utc>>> {
        let Some(secs) = self.older_than_secs else {
            return Ok(None);
        };
        let bad = || {
            AppError::invalid(
                "older_than_secs",
                format!("must be a whole number from 0 to {MAX_OLDER_THAN_SECS}"),
            )
        };
        if !(0..=MAX_OLDER_THAN_SECS).contains(&secs) {
            return Err(bad());
        }
        let span = chrono::Duration::try_seconds(secs).ok_or_else(bad)?;
        now.checked_sub_signed(span).map(Some).ok_or_else(bad)
    }
}

/// Rechecks at once, at most: gateways rate-limit, and ops traffic must not starve merchants.
const CONCURRENCY: usize = 4;

impl Orchestrator {
    /// Rechecks every matching payment with bounded concurrency. `progress` is told after each.
    pub async fn bulk_recheck(
        &self,
        req: &BulkRecheck,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> AppResult<Value> {
        let statuses: Vec<String> = match &req.status {
            Some(s) => vec![PaymentStatus::parse(s)
                .ok_or_else(|| AppError::invalid("status", "is not a payment status"))?
                .to_string()],
            None => vec!["pending".into(), "processing".into()],
        };
        if let Some(p) = &req.provider {
            ProviderId::parse(p)
                .ok_or_else(|| AppError::invalid("provider", "is not a known provider"))?;
        }
        let limit = req.limit.unwrap_or(100);
        if !RECHECK_LIMIT.contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                format!(
                    "must be a whole number from {} to {}",
                    RECHECK_LIMIT.start(),
                    RECHECK_LIMIT.end()
                ),
            ));
        }
        let created_before = req.created_before(self.now())?;
        let mut ids = Vec::new();
        for status in statuses {
            let filter = ListFilter {
                status: Some(status),
                provider: req.provider.clone(),
                created_before,
                ..Default::default()
            };
            let mut conn = self.db.acquire().await?;
            let rows = store::payments::list(&mut conn, req.merchant_id.as_deref(), &filter, limit)
                .await?;
            ids.extend(rows.into_iter().map(|p| p.id));
        }
        ids.truncate(limit as usize);
        let total = ids.len();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let results: Vec<Value> = futures_util::stream::iter(ids)
            .map(|id| {
                let done = &done;
                async move {
                    let answer = self.recheck_one_for_ops(&id, req.dry_run).await;
                    progress(
                        done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1,
                        total,
                    );
                    answer
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let changed = results.iter().filter(|r| r["changed"] == true).count();
        let failed = results.iter().filter(|r| r.get("error").is_some()).count();
        Ok(
            json!({ "checked": results.len(), "changed": changed, "failed": failed, "dry_run": req.dry_run, "results": results }),
        )
    }

    /// Schedules an outbox event for delivery again, now.
    /// One payment of a bulk recheck, as its line of the report. The evidence is the gateway's
    /// answer, so it counts as a recheck whoever asked.
    async fn recheck_one_for_ops(&self, id: &str, dry_run: bool) -> Value {
        match self.recheck(None, id, Source::Recheck, dry_run).await {
            Ok(r) => json!({
                "id": id,
                "status": r.current,
                "previous_status": r.previous,
                "changed": r.changed,
                "provider_status": r.provider_status,
            }),
            Err(err) => json!({ "id": id, "error": err.code(), "message": err.to_string() }),
        }
    }

    pub async fn redeliver(&self, event_id: &str) -> AppResult<Value> {
        EventId::parse(event_id).ok_or(AppError::NotFound)?;
        let mut conn = self.db.acquire().await?;
        if !store::outbox::redeliver(&mut conn, event_id, self.now()).await? {
            return Err(AppError::NotFound);
        }
        Ok(json!({ "id": event_id, "status": "scheduled" }))
    }

    /// Sends a signed `test` event to the merchant's webhook URL (or `url`) right away and
    /// reports what came back. Nothing is stored.
    pub async fn test_webhook(
        &self,
        merchant_id: &str,
        url: Option<&str>,
        client: &crate::notify::client::DeliveryClient,
    ) -> AppResult<Value> {
        let mut conn = self.db.acquire().await?;
        let merchant = store::merchants::get(&mut conn, merchant_id)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(conn);
        let target = match url.map(str::to_owned).or(merchant.webhook_url) {
            Some(t) => t,
            None => {
                return Err(AppError::invalid(
                    "url",
                    "is required: the merchant has no webhook_url",
                ))
            }
        };
        crate::domain::urls::validate_merchant_url(&target, &self.url_policy(), true)
            .map_err(|e| AppError::invalid("url", e))?;
        let id = EventId::generate();
        let now = self.now();
        let body = json!({ "id": id, "type": "test", "created_at": super::views::ts(now), "sequence": 0, "data": { "merchant_id": merchant_id } }).to_string();
        let secrets = self.merchant_secrets(merchant_id).await?;
        let headers = sign_event(id.as_str(), now.timestamp(), body.as_bytes(), &secrets);
        let d = client
            .send(&target, &headers.pairs(), body.as_bytes())
            .await;
        Ok(json!({
            "event_id": id, "url": target, "status": d.result.status, "delivered": d.result.status.is_some_and(|s| (200..300).contains(&s)),
            "latency_ms": d.latency.as_millis() as u64, "error": d.error, "answer": d.excerpt,
        }))
    }
}
