//! Delivers merchant webhooks from the outbox: claim due events with a lease, send each without
//! holding a row lock, record the attempt in the payment's timeline, then mark it delivered,
//! reschedule it (`notify::retry`) or stop. Safe with any number of instances.

use crate::domain::ids::TimelineId;
use crate::notify::client::DeliveryClient;
use crate::notify::retry::{next_step, Next};
use crate::notify::signing::sign_event;
use crate::orchestration::Orchestrator;
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

/// One pass: everything due now, up to the batch size, sent concurrently.
pub async fn run_once(
    orch: &Orchestrator,
    client: &DeliveryClient,
) -> anyhow::Result<DeliveryReport> {
    let now = orch.now();
    let claimed = {
        let mut conn = orch.db.acquire().await?;
        store::outbox::claim_due(
            &mut conn,
            now,
            now + Duration::seconds(LEASE_SECS),
            orch.settings.workers.batch,
        )
        .await?
    };
    let outcomes =
        futures_util::future::join_all(claimed.iter().map(|event| deliver(orch, client, event)))
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

async fn deliver(
    orch: &Orchestrator,
    client: &DeliveryClient,
    event: &OutboxRow,
) -> anyhow::Result<Next> {
    let Some(url) = event.target_url.as_deref() else {
        record(
            orch,
            event,
            None,
            Some("no callback_url and no merchant webhook_url"),
            0,
            "",
            &Next::GiveUp("no target"),
        )
        .await?;
        return Ok(Next::GiveUp("no target"));
    };
    let secrets = orch
        .merchant_secrets(&event.merchant_id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let sent_at = orch.now();
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
    let latency_ms = u64::try_from(delivery.latency.as_millis()).unwrap_or(u64::MAX);
    record(
        orch,
        event,
        delivery.result.status,
        delivery.error.as_deref(),
        latency_ms,
        &delivery.excerpt,
        &next,
    )
    .await?;
    orch.metrics.observe_delivery(match &next {
        Next::Delivered => "delivered",
        Next::RetryIn(_) => "retry",
        Next::GiveUp(_) => "stopped",
    });
    Ok(next)
}

/// The attempt goes to the timeline and the event is settled, in one transaction.
async fn record(
    orch: &Orchestrator,
    event: &OutboxRow,
    status: Option<u16>,
    error: Option<&str>,
    latency_ms: u64,
    excerpt: &str,
    next: &Next,
) -> anyhow::Result<()> {
    let now = orch.now();
    let status_i = status.map(i32::from);
    let outcome = match next {
        Next::Delivered => "delivered".to_owned(),
        Next::RetryIn(d) => format!("retry in {}s", d.as_secs()),
        Next::GiveUp(why) => format!("stopped: {why}"),
    };
    let detail = json!({
        "event_id": event.id, "event_type": event.kind, "sequence": event.sequence, "attempt": event.attempts,
        "url": event.target_url, "status": status, "latency_ms": latency_ms, "error": error,
        "answer": excerpt, "outcome": outcome,
    })
    .to_string();
    let mut tx = orch.db.begin().await?;
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
            store::outbox::mark_delivered(&mut tx, &event.id, now, status_i.unwrap_or(200)).await?
        }
        Next::RetryIn(d) => {
            let at = now + Duration::from_std(*d).unwrap_or(Duration::hours(24));
            store::outbox::reschedule(&mut tx, &event.id, at, status_i, error).await?
        }
        Next::GiveUp(why) => {
            store::outbox::stop(&mut tx, &event.id, now, status_i, error.unwrap_or(why)).await?
        }
    }
    tx.commit().await?;
    Ok(())
}
