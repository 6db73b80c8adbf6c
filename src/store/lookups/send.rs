//! The task that holds an in-flight slot: it sends batches until its kind's queue is empty, and
//! hands each row only to the lookups by the row's own merchant.

use super::{lock, LookupCounters, LookupError, LookupKind, Slot, Waiter, MAX_BATCH, SLOW_BATCH};
use sqlx::PgPool;
use std::sync::Arc;

/// Starts the task for a slot already counted in `in_flight`.
pub(super) fn spawn<K: LookupKind>(pool: PgPool, slot: Slot<K>, counters: LookupCounters) {
    tokio::spawn(send_batches(pool, slot, counters));
}

/// Sends batches until the queue is empty, then gives the slot back under the same lock that
/// saw the queue empty, so no lookup is left queued without a task to send it. A batch drains
/// the queue only once its connection is in hand, so lookups that arrive while it waits for one
/// still go in it.
async fn send_batches<K: LookupKind>(pool: PgPool, mut slot: Slot<K>, counters: LookupCounters) {
    while slot.held {
        if !has_work(&mut slot) {
            return;
        }
        let conn = pool.acquire().await;
        let Some(batch) = take_batch(&mut slot) else {
            return;
        };
        counters.queries.inc();
        counters.lookups.inc_by(batch.len() as u64);
        let rows = match conn {
            Ok(mut conn) => {
                let ids: Vec<&str> = batch.iter().map(|w| w.id.as_str()).collect();
                let query = sqlx::query(K::BATCH_QUERY).bind(&ids).fetch_all(&mut *conn);
                let mut query = std::pin::pin!(query);
                let rows = match tokio::time::timeout(SLOW_BATCH, query.as_mut()).await {
                    Ok(rows) => rows,
                    Err(_) => {
                        step_aside(&mut slot, &pool, &counters);
                        query.await
                    }
                };
                rows.and_then(|rows| rows.into_iter().map(K::from_pg).collect())
            }
            Err(e) => Err(e),
        };
        hand_out(batch, rows.map_err(Arc::new));
    }
}

/// Whether the queue has lookups; if not, the slot is given back.
fn has_work<K: LookupKind>(slot: &mut Slot<K>) -> bool {
    let mut queue = lock(&slot.queue);
    if queue.pending.is_empty() {
        queue.in_flight -= 1;
        slot.held = false;
        return false;
    }
    true
}

/// The next batch, oldest lookups first; `None` (and the slot given back) if another slot's task
/// took them all meanwhile.
fn take_batch<K: LookupKind>(slot: &mut Slot<K>) -> Option<Vec<Waiter<K>>> {
    let mut queue = lock(&slot.queue);
    if queue.pending.is_empty() {
        queue.in_flight -= 1;
        slot.held = false;
        return None;
    }
    let take = queue.pending.len().min(MAX_BATCH);
    Some(queue.pending.drain(..take).collect())
}

/// A batch out for longer than [`SLOW_BATCH`] (its rows are being read from disk, one after
/// another) gives its slot to a new task for the lookups queued behind it, and ends once its
/// own lookups are answered. With nothing queued the slot is simply free again.
fn step_aside<K: LookupKind>(slot: &mut Slot<K>, pool: &PgPool, counters: &LookupCounters) {
    counters.slow_batches.inc();
    let mut queue = lock(&slot.queue);
    slot.held = false;
    if queue.pending.is_empty() {
        queue.in_flight -= 1;
        return;
    }
    drop(queue);
    let heir = Slot {
        queue: slot.queue.clone(),
        held: true,
    };
    spawn(pool.clone(), heir, counters.clone());
}

/// Answers each waiter: the row with its id if its own merchant's, else `None`. A row is moved
/// to the last waiter that asked for it, cloned for any other.
fn hand_out<K: LookupKind>(mut batch: Vec<Waiter<K>>, rows: Result<Vec<K::Row>, LookupError>) {
    let mut rows: Vec<Option<K::Row>> = match rows {
        Ok(rows) => rows.into_iter().map(Some).collect(),
        Err(e) => {
            for waiter in batch {
                let _ = waiter.reply.send(Err(e.clone()));
            }
            return;
        }
    };
    while let Some(waiter) = batch.pop() {
        let found = rows
            .iter_mut()
            .find(|r| r.as_ref().is_some_and(|r| K::id(r) == waiter.id));
        let answer = match found {
            Some(row)
                if row
                    .as_ref()
                    .is_some_and(|r| K::merchant_id(r) == waiter.merchant_id) =>
            {
                if batch.iter().any(|w| w.id == waiter.id) {
                    row.clone()
                } else {
                    row.take()
                }
            }
            _ => None,
        };
        // A waiter whose request was dropped no longer listens; nothing to do for it.
        let _ = waiter.reply.send(Ok(answer));
    }
}
