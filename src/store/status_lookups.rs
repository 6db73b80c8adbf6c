//! Verify's status lookups, coalesced: concurrent lookups share one Postgres query.
//!
//! Verify is the hottest read (a merchant calls it on every customer return), and all it does
//! is one primary-key select. Its cost is not the index lookup but everything around it: the
//! round trip's syscalls and wake-ups on both sides and Postgres's per-statement work. So a
//! lookup that arrives while another one's query is out waits for it to come back and then goes
//! out together with every lookup that queued meanwhile, as one `WHERE id = ANY($1)`.
//!
//! - **No added wait when idle.** Up to [`MAX_IN_FLIGHT`] batch queries run at once; a lookup
//!   that finds a free slot goes out at once, as a batch of one.
//! - **Fresh as a query of its own.** A lookup only joins a batch whose query has not been sent,
//!   so its answer reads a snapshot taken after the request arrived: a merchant who saw a
//!   webhook and then verifies reads that state or a later one.
//! - **Tenancy.** The batch selects by id only; each waiter takes the row only if it is its own
//!   merchant's, so another merchant's payment reads as absent, as in the single query.
//! - **Cancellation.** The batch query runs in its own task, so a request dropped mid-flight
//!   (the client hung up) strands no one. If that task is gone without answering (the runtime
//!   is shutting down), the waiter falls back to a query of its own.
//! - **Planned once.** The batch query runs on connections of its own ([`MAX_IN_FLIGHT`] of
//!   them, `application_name` `payrail-lookups`) with `plan_cache_mode = force_generic_plan`.
//!   Postgres otherwise re-plans `= ANY($1)` at every execution: its generic plan assumes ten
//!   ids, so it looks dearer than a custom plan for the five or so a batch carries. The plan is
//!   the same primary-key index scan either way, but planning cost more than executing (78
//!   against 58 µs per batch in `pg_stat_statements`, issue 7).
//!
//! SQLite (the embedded store) answers each lookup with its own query: it runs in process, so
//! there is no round trip to save.

use super::payments::{self, PaymentStatusRow};
use super::Db;
pub use crate::metrics::LookupCounters;
use sqlx::PgPool;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::oneshot;

/// Batch queries out at once. With one per lookup nothing would batch; with a single one, one
/// slow query would hold every verify behind it. On the 2-core benchmark machine 1, 2 and 4
/// gave the same rate within its noise, with slightly more instructions per verify the more
/// there were (104, 109, 111 k).
pub const MAX_IN_FLIGHT: usize = 2;

/// The most ids one query carries; the rest wait for the next.
pub const MAX_BATCH: usize = 64;

/// How the batch connections show in `pg_stat_activity`.
pub const BATCH_APPLICATION_NAME: &str = "payrail-lookups";

/// A lookup's failure: the batch query's error, shared by every lookup in the batch.
pub type LookupError = Arc<sqlx::Error>;

type Answer = Result<Option<PaymentStatusRow>, LookupError>;

struct Waiter {
    merchant_id: String,
    id: String,
    reply: oneshot::Sender<Answer>,
}

#[derive(Default)]
struct Queue {
    pending: Vec<Waiter>,
    in_flight: usize,
}

/// The coalescing front of [`payments::status_for_merchant`]; clones share one queue.
#[derive(Clone)]
pub struct StatusLookups {
    db: Db,
    /// The batch queries' own connections (Postgres only).
    batch_pool: Option<PgPool>,
    queue: Arc<Mutex<Queue>>,
    counters: LookupCounters,
}

#[derive(sqlx::FromRow)]
struct BatchRow {
    id: String,
    merchant_id: String,
    status: String,
    external_id: Option<String>,
}

impl StatusLookups {
    pub fn new(db: Db, counters: LookupCounters) -> Self {
        let batch_pool = match &db {
            Db::Pg(pool) => Some(batch_pool(pool)),
            Db::Sqlite(_) => None,
        };
        StatusLookups {
            db,
            batch_pool,
            queue: Arc::default(),
            counters,
        }
    }

    /// The pool the batch queries use, on Postgres.
    pub fn batch_pool(&self) -> Option<&PgPool> {
        self.batch_pool.as_ref()
    }

    /// A merchant's own payment's status; another merchant's id reads as absent.
    pub async fn status_for_merchant(&self, merchant_id: &str, id: &str) -> Answer {
        let Some(pool) = &self.batch_pool else {
            return self.own_query(merchant_id, id).await;
        };
        let (reply, answer) = oneshot::channel();
        let starts_a_batch = {
            let mut queue = lock(&self.queue);
            queue.pending.push(Waiter {
                merchant_id: merchant_id.to_owned(),
                id: id.to_owned(),
                reply,
            });
            let free = queue.in_flight < MAX_IN_FLIGHT;
            if free {
                queue.in_flight += 1;
            }
            free
        };
        if starts_a_batch {
            let slot = Slot {
                queue: self.queue.clone(),
                held: true,
            };
            tokio::spawn(send_batches(pool.clone(), slot, self.counters.clone()));
        }
        match answer.await {
            Ok(answer) => answer,
            Err(_) => self.own_query(merchant_id, id).await,
        }
    }

    async fn own_query(&self, merchant_id: &str, id: &str) -> Answer {
        let mut conn = self.db.acquire().await?;
        Ok(payments::status_for_merchant(&mut conn, merchant_id, id).await?)
    }
}

/// [`MAX_IN_FLIGHT`] connections to the main pool's server, opened when first needed, that
/// plan the batch query once (see the module docs).
fn batch_pool(main: &PgPool) -> PgPool {
    let options = (*main.connect_options())
        .clone()
        .application_name(BATCH_APPLICATION_NAME);
    super::pg_pool_options(MAX_IN_FLIGHT as u32, main.options().get_acquire_timeout())
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::query("SET plan_cache_mode = force_generic_plan")
                    .execute(conn)
                    .await?;
                Ok(())
            })
        })
        .connect_lazy_with(options)
}

fn lock(queue: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    // Nothing panics while holding the lock; if something ever did, the queue is still whole.
    queue.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Sends batches until the queue is empty, then gives the slot back under the same lock that
/// saw the queue empty, so no lookup is left queued without a task to send it.
async fn send_batches(pool: PgPool, mut slot: Slot, counters: LookupCounters) {
    loop {
        let batch: Vec<Waiter> = {
            let mut queue = lock(&slot.queue);
            if queue.pending.is_empty() {
                queue.in_flight -= 1;
                slot.held = false;
                return;
            }
            let take = queue.pending.len().min(MAX_BATCH);
            queue.pending.drain(..take).collect()
        };
        counters.queries.inc();
        counters.lookups.inc_by(batch.len() as u64);
        let ids: Vec<&str> = batch.iter().map(|w| w.id.as_str()).collect();
        let rows = sqlx::query_as::<_, BatchRow>(
            "SELECT id, merchant_id, status, external_id FROM payments WHERE id = ANY($1)",
        )
        .bind(&ids)
        .fetch_all(&pool)
        .await
        .map_err(Arc::new);
        for waiter in batch {
            let answer = match &rows {
                Ok(rows) => Ok(rows
                    .iter()
                    .find(|r| r.id == waiter.id && r.merchant_id == waiter.merchant_id)
                    .map(|r| PaymentStatusRow {
                        id: r.id.clone(),
                        status: r.status.clone(),
                        external_id: r.external_id.clone(),
                    })),
                Err(e) => Err(e.clone()),
            };
            // A waiter whose request was dropped no longer listens; nothing to do for it.
            let _ = waiter.reply.send(answer);
        }
    }
}

/// An in-flight slot, taken before the task is spawned. If the task ends some other way than
/// through an empty queue (a panic, or a runtime dropping it at shutdown, even before its first
/// poll), dropping the slot gives it back and releases everyone still queued: their answers
/// fail to arrive, so each falls back to a query of its own.
struct Slot {
    queue: Arc<Mutex<Queue>>,
    held: bool,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if self.held {
            let mut queue = lock(&self.queue);
            queue.in_flight -= 1;
            queue.pending.clear();
        }
    }
}
