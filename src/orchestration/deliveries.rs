//! Delivers merchant webhooks from the outbox: claim due events with a lease, send each without
//! holding a row lock, record the attempt in the payment's timeline, then mark it delivered,
//! reschedule it (`notify::retry`) or stop. Safe with any number of instances. The delivery
//! worker only calls [`Orchestrator::deliver_due`] on a timer: the timeline entry and the outbox
//! row's fate are written here, in one transaction, like every other write about a payment.

use super::Orchestrator;
use crate::domain::ids::TimelineId;
use crate::error::AppResult;
use crate::notify::client::DeliveryClient;
use crate::notify::retry::{next_step, Next};
use crate::notify::signing::sign_event;
use crate::store::{self, outbox::OutboxRow, timeline::NewEntry};
use chrono::Duration;
use rand::Rng;
use serde_json::json;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub delivered: u32,
    pub retried: u32,
    pub stopped: u32,
}

/// A claimed event is someone's for this long; longer than any send (10 s timeout).
const LEASE_SECS: i64 = 60;

impl Orchestrator {
    /// One pass: everything due now, up to the batch size, sent concurrently.
    pub async fn deliver_due(&self, client: &DeliveryClient) -> AppResult<DeliveryReport> {
        let now = self.now();
        let claimed = {
            let mut conn = self.db.acquire().await?;
            store::outbox::claim_due(
                &mut conn,
                now,
                now + Duration::seconds(LEASE_SECS),
                self.settings.workers.batch,
            )
            .await?
        };
        let outcomes =
            futures_util::future::join_all(claimed.iter().map(|event| self.deliver(client, event)))
                .await;
        let mut report = DeliveryReport::default();
        for outcome in outcomes {
            match outcome? {
                Next::Delivered => report.delivered += 1,
                Next::RetryIn(_) => report.retried += 1,
                Next::GiveUp(_) => report.stopped += 1,
            }
        }
        Ok(report)
    }

    /// Signs and sends one event, then records what happened.
    async fn deliver(&self, client: &DeliveryClient, event: &OutboxRow) -> AppResult<Next> {
        let Some(url) = event.target_url.as_deref() else {
            let why = "no callback_url and no merchant webhook_url";
            let next = Next::GiveUp("no target");
            self.record_delivery(event, &Sent::nothing(why), &next)
                .await?;
            return Ok(next);
        };
        let secrets = self.merchant_secrets(&event.merchant_id).await?;
        let sent_at = self.now();
        let headers = sign_event(
            &event.id,
            sent_at.timestamp(),
            event.payload.as_bytes(),
            &secrets,
        );
        let delivery = client
            .send(url, &headers.pairs(), event.payload.as_bytes())
            .await;
        let attempts = u32::try_from(event.attempts).unwrap_or(u32::MAX);
        let next = next_step(attempts, &delivery.result, rand::thread_rng().gen::<f64>());
        let sent = Sent {
            status: delivery.result.status,
            error: delivery.error.as_deref(),
            latency_ms: u64::try_from(delivery.latency.as_millis()).unwrap_or(u64::MAX),
            excerpt: &delivery.excerpt,
        };
        self.record_delivery(event, &sent, &next).await?;
        self.metrics.observe_delivery(match &next {
            Next::Delivered => "delivered",
            Next::RetryIn(_) => "retry",
            Next::GiveUp(_) => "stopped",
        });
        Ok(next)
    }

    /// The attempt goes to the timeline and the event is settled, in one transaction.
    async fn record_delivery(
        &self,
        event: &OutboxRow,
        sent: &Sent<'_>,
        next: &Next,
    ) -> AppResult<()> {
        let now = self.now();
        let status_i = sent.status.map(i32::from);
        let detail = attempt_detail(event, sent, next);
        let mut tx = self.db.begin().await?;
        store::timeline::insert(
            &mut tx,
            &NewEntry {
                id: TimelineId::generate().as_str(),
                payment_id: &event.payment_id,
                kind: "webhook.attempt",
                from_status: None,
                to_status: None,
                source: "outbox",
                detail: Some(&detail),
                at: now,
                sequence: None,
            },
        )
        .await?;
        match next {
            Next::Delivered => {
                store::outbox::mark_delivered(&mut tx, &event.id, now, status_i.unwrap_or(200))
                    .await?
            }
            Next::RetryIn(d) => {
                let at = now + Duration::from_std(*d).unwrap_or(Duration::hours(24));
                store::outbox::reschedule(&mut tx, &event.id, at, status_i, sent.error).await?
            }
            Next::GiveUp(why) => {
                let error = sent.error.unwrap_or(why);
                store::outbox::stop(&mut tx, &event.id, now, status_i, error).await?
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// What one send got back (nothing, when there was nowhere to send).
struct Sent<'a> {
    status: Option<u16>,
    error: Option<&'a str>,
    latency_ms: u64,
    excerpt: &'a str,
}

impl<'a> Sent<'a> {
    fn nothing(why: &'a str) -> Self {
        Self {
            status: None,
            error: Some(why),
            latency_ms: 0,
            excerpt: "",
        }
    }
}

/// The timeline entry's detail for one delivery attempt.
fn attempt_detail(event: &OutboxRow, sent: &Sent<'_>, next: &Next) -> String {
    let outcome = match next {
        Next::Delivered => "delivered".to_owned(),
        Next::RetryIn(d) => format!("retry in {}s", d.as_secs()),
        Next::GiveUp(why) => format!("stopped: {why}"),
    };
    json!({
        "event_id": event.id, "event_type": event.kind, "sequence": event.sequence, "attempt": event.attempts,
        "url": event.target_url, "status": sent.status, "latency_ms": sent.latency_ms, "error": sent.error,
        "answer": sent.excerpt, "outcome": outcome,
    })
    .to_string()
}
