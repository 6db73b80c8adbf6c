//! Primary-key reads of one payment, coalesced: concurrent lookups share one Postgres query.
//!
//! Verify and retrieve are the hottest reads (a merchant calls them on every customer return),
//! and each is one primary-key select. Their cost is not the index lookup but everything around
//! it: the round trip's syscalls and wake-ups on both sides and Postgres's per-statement work.
//! So a lookup that arrives while another one's query is out waits for it to come back and then
//! goes out together with every lookup of its kind that queued meanwhile, as one
//! `WHERE id = ANY($1)`. One mechanism serves every kind ([`LookupKind`]): verify's three
//! columns ([`Status`]) and retrieve's view of the payment ([`Payment`], kept as fetched), each
//! with its own queue.
//!
//! - **No added wait when idle.** Up to [`MAX_IN_FLIGHT`] batch queries of a kind run at once; a
//!   lookup that finds a free slot goes out at once, as a batch of one.
//! - **Fresh as a query of its own.** A lookup only joins a batch whose query has not been sent,
//!   so its answer reads a snapshot taken after the request arrived: a merchant who saw a
//!   webhook and then verifies reads that state or a later one.
//! - **Tenancy.** The batch selects by id only; each waiter takes the row only if it is its own
//!   merchant's, so another merchant's payment reads as absent, as in the single query.
//! - **Cancellation.** The batch query runs in its own task, so a request dropped mid-flight
//!   (the client hung up) strands no one. If that task is gone without answering (the runtime
//!   is shutting down), the waiter falls back to a query of its own.
//! - **Planned once.** The batch queries run on connections of their own
//!   (`application_name` `payrail-lookups`) with `plan_cache_mode = force_generic_plan`.
//!   Postgres otherwise re-plans `= ANY($1)` at every execution: its generic plan assumes ten
//!   ids, so it looks dearer than a custom plan for the five or so a batch carries. The plan is
//!   the same primary-key index scan either way, but planning cost more than executing (78
//!   against 58 µs per batch in `pg_stat_statements`, bench/README.md item 19).
//! - **A slow batch holds up only its own lookups.** Postgres reads a batch's rows one after
//!   another, so a batch whose pages are not in memory waits for each disk read in turn. A batch
//!   still out after [`SLOW_BATCH`] gives its slot up (see `send.rs`): lookups queued behind it
//!   go out on a further connection instead of waiting for it.
//!
//! SQLite (the embedded store) answers each lookup with its own query: it runs in process, so
//! there is no round trip to save.

mod kinds;
mod send;

pub use self::kinds::{KeptRow, LookupKind, Payment, Retrieved, Status};
use super::Db;
pub use crate::metrics::LookupCounters;
use sqlx::PgPool;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::oneshot;

/// Batch queries of one kind out at once. With one per lookup nothing would batch; with a single
/// one, one slow query would hold every lookup behind it. On the 2-core benchmark machine 1, 2
/// and 4 gave the same verify rate within its noise, with slightly more instructions per verify
/// the more there were (104, 109, 111 k).
pub const MAX_IN_FLIGHT: usize = 2;

/// The most ids one query carries; the rest wait for the next.
pub const MAX_BATCH: usize = 64;

/// How long a batch may be out before the lookups queued behind it stop waiting for it. A batch
/// takes well under a millisecond when its rows are in memory; one that reads from disk takes a
/// disk read per row it misses.
pub const SLOW_BATCH: Duration = Duration::from_millis(5);

/// The batch connections, shared by every kind: each kind's [`MAX_IN_FLIGHT`], plus as many
/// again for the batches that gave their slot up (more of those wait for a connection).
pub const BATCH_CONNECTIONS: u32 = 8;

/// How the batch connections show in `pg_stat_activity`.
pub const BATCH_APPLICATION_NAME: &str = "payrail-lookups";

/// A lookup's failure: the batch query's error, shared by every lookup in the batch.
pub type LookupError = Arc<sqlx::Error>;

/// One lookup's answer: the merchant's own row, or `None`.
pub type Answer<R> = Result<Option<R>, LookupError>;

/// Verify's lookups.
pub type StatusLookups = Lookups<Status>;

/// Retrieve's lookups.
pub type PaymentLookups = Lookups<Payment>;

struct Waiter<K: LookupKind> {
    merchant_id: String,
    id: String,
    reply: oneshot::Sender<Answer<K::Row>>,
}

struct Queue<K: LookupKind> {
    pending: Vec<Waiter<K>>,
    in_flight: usize,
}

/// The coalescing front of one kind's single-row query; clones share one queue.
pub struct Lookups<K: LookupKind> {
    db: Db,
    /// The batch queries' own connections (Postgres only).
    batch_pool: Option<PgPool>,
    queue: Arc<Mutex<Queue<K>>>,
    counters: LookupCounters,
}

impl<K: LookupKind> Clone for Lookups<K> {
    fn clone(&self) -> Self {
        Lookups {
            db: self.db.clone(),
            batch_pool: self.batch_pool.clone(),
            queue: self.queue.clone(),
            counters: self.counters.clone(),
        }
    }
}

impl<K: LookupKind> Lookups<K> {
    /// `batch_pool` is [`batch_pool`]'s for `db` (`None` on SQLite); kinds may share it.
    pub fn new(db: Db, batch_pool: Option<PgPool>, counters: LookupCounters) -> Self {
        let queue = Queue {
            pending: Vec::new(),
            in_flight: 0,
        };
        Lookups {
            db,
            batch_pool,
            queue: Arc::new(Mutex::new(queue)),
            counters,
        }
    }

    /// The pool the batch queries use, on Postgres.
    pub fn batch_pool(&self) -> Option<&PgPool> {
        self.batch_pool.as_ref()
    }

    /// A merchant's own payment; another merchant's id reads as absent.
    pub async fn for_merchant(&self, merchant_id: &str, id: &str) -> Answer<K::Row> {
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
            send::spawn(pool.clone(), slot, self.counters.clone());
        }
        match answer.await {
            Ok(answer) => answer,
            Err(_) => self.own_query(merchant_id, id).await,
        }
    }

    async fn own_query(&self, merchant_id: &str, id: &str) -> Answer<K::Row> {
        let mut conn = self.db.acquire().await?;
        Ok(K::own_query(&mut conn, merchant_id, id).await?)
    }
}

/// The batch connections to `db`'s server ([`BATCH_CONNECTIONS`] at most, opened when first
/// needed), which plan the batch queries once (see the module docs); `None` on SQLite.
pub fn batch_pool(db: &Db) -> Option<PgPool> {
    let Db::Pg(main) = db else {
        return None;
    };
    let options = (*main.connect_options())
        .clone()
        .application_name(BATCH_APPLICATION_NAME);
    let pool = super::pg_pool_options(BATCH_CONNECTIONS, main.options().get_acquire_timeout())
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::query("SET plan_cache_mode = force_generic_plan")
                    .execute(conn)
                    .await?;
                Ok(())
            })
        })
        .connect_lazy_with(options);
    Some(pool)
}

fn lock<K: LookupKind>(queue: &Mutex<Queue<K>>) -> MutexGuard<'_, Queue<K>> {
    // Nothing panics while holding the lock; if something ever did, the queue is still whole.
    queue.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An in-flight slot, taken before the task is spawned. If the task ends some other way than
/// through an empty queue (a panic, or a runtime dropping it at shutdown, even before its first
/// poll), dropping the slot gives it back and releases everyone still queued: their answers
/// fail to arrive, so each falls back to a query of its own.
struct Slot<K: LookupKind> {
    queue: Arc<Mutex<Queue<K>>>,
    held: bool,
}

impl<K: LookupKind> Drop for Slot<K> {
    fn drop(&mut self) {
        if self.held {
            let mut queue = lock(&self.queue);
            queue.in_flight -= 1;
            queue.pending.clear();
        }
    }
}
