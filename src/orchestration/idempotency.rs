//! Idempotency keys (docs/api.md, "Idempotency"), held in the database so they hold across
//! instances.
//!
//! One mechanism for every keyed call (create, cancel, refund): [`Orchestrator::keyed`]. It
//! decides what a request with a key may do: run (fresh, or resuming a payment or refund whose
//! gateway outcome is unknown), replay the stored answer, or be refused (a different request
//! with the same key, or the first one still running). Answers the merchant can act on are
//! stored; a failure frees the key when its request created nothing, else leaves it resumable.
//!
//! The answer is stored as http/ rendered it ([`Recorded`]: opaque bytes and their status), so
//! a replay is byte for byte; orchestration returns typed results and never picks a status or
//! builds a body itself. A use case that must store its answer atomically with its own writes
//! (a declined create) does so through the [`Key`] it is given.

use super::Orchestrator;
use crate::crypto::sha256_hex;
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::payments::PaymentRow;
use chrono::Duration;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// One key of one merchant, and the request it was used with.
#[derive(Debug, Clone)]
pub struct KeyScope {
    pub merchant_id: String,
    pub key: String,
    pub fingerprint: String,
}

impl KeyScope {
    /// Fingerprint = method, path (trailing slash ignored) and SHA-256 of the raw body.
    pub fn new(merchant_id: &str, key: &str, method: &str, path: &str, body: &[u8]) -> Self {
        let path = path.trim_end_matches('/');
        let fingerprint = sha256_hex(format!("{method}\n{path}\n{}", sha256_hex(body)).as_bytes());
        Self {
            merchant_id: merchant_id.to_owned(),
            key: key.to_owned(),
            fingerprint,
        }
    }
}

#[derive(Debug)]
enum Begin {
    /// This request holds the key; `payment_id` (`refund_id`) is set when an earlier try created
    /// the payment (the refund).
    Run {
        payment_id: Option<String>,
        refund_id: Option<String>,
    },
    /// The stored answer, byte for byte.
    Replay(Recorded),
}

/// An answer as http/ rendered it for the wire: stored as is and replayed byte for byte.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub status: u16,
    pub body: Vec<u8>,
}

/// How http/ renders a keyed call's typed result, and a definitive refusal.
pub struct Render<V> {
    pub view: fn(&V) -> AppResult<Recorded>,
    pub refusal: fn(&AppError) -> Recorded,
}

/// A keyed call's answer: what to send, and whether it is a replay of a stored one.
#[derive(Debug)]
pub struct Answer {
    pub recorded: Recorded,
    pub replayed: bool,
}

/// The key a use case runs under: what an earlier try created, and a way to store a refusal
/// inside the use case's own transaction.
#[derive(Clone)]
pub struct Key {
    pub scope: KeyScope,
    /// The payment an earlier try with this key created (a create resumes it).
    pub resumed_payment: Option<String>,
    /// The refund an earlier try with this key created (a refund answers where it stands).
    pub resumed_refund: Option<String>,
    refusal: fn(&AppError) -> Recorded,
    /// How http/ answers a created payment, when the call is a create: the use case may then
    /// store the answer in its own last write ([`Key::answering_created_with`]).
    created_view: Option<CreatedView>,
    recorded: Arc<Mutex<Option<Recorded>>>,
}

/// http/'s rendering of a created payment ([`Render::view`] of a create).
pub type CreatedView = fn(&PaymentRow) -> AppResult<Recorded>;

impl Key {
    /// Stores `err` as the key's answer inside `conn` (the caller's transaction), so the
    /// refusal and what caused it commit together; [`Orchestrator::keyed`] then answers it.
    pub async fn record_refusal(&self, conn: &mut store::Conn, err: &AppError) -> AppResult<()> {
        let answer = (self.refusal)(err);
        let (m, k) = (&self.scope.merchant_id, &self.scope.key);
        store::idempotency::finish(conn, m, k, answer.status, &answer.body).await?;
        *self.recorded.lock().unwrap_or_else(|p| p.into_inner()) = Some(answer);
        Ok(())
    }

    /// The key of a create, which may store its answer (rendered by `view`) in the create's
    /// last write instead of a statement of its own after it.
    pub fn answering_created_with(mut self, view: CreatedView) -> Self {
        self.created_view = Some(view);
        self
    }

    /// http/'s rendering of the created payment, when this is a create's key.
    pub fn created_view(&self) -> Option<CreatedView> {
        self.created_view
    }

    /// The answer the use case stored with its own writes (committed): keyed answers it as is.
    pub fn stored(&self, answer: Recorded) {
        *self.recorded.lock().unwrap_or_else(|p| p.into_inner()) = Some(answer);
    }

    fn take_recorded(&self) -> Option<Recorded> {
        self.recorded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }
}

/// Errors that are a definitive answer to the request, stored like a success.
fn is_storable(err: &AppError) -> bool {
    matches!(
        err,
        AppError::InvalidState(_)
            | AppError::ProviderRejected { .. }
            | AppError::RefundNotSupported
            | AppError::RefundExceedsPayment
    )
}

/// Errors after which the request may have created something (or the gateway may have it).
fn may_have_created(err: &AppError) -> bool {
    matches!(
        err,
        AppError::ProviderUnavailable(_)
            | AppError::ProviderCredentialsRefused(_)
            | AppError::ProviderTimeout(_)
            | AppError::ServiceUnavailable(_)
            | AppError::Internal(_)
    )
}

impl Orchestrator {
    /// Runs `work` at most once per key: the one entry point of create, cancel and refund.
    /// Without a key `work` simply runs. With one, an identical retry gets the stored answer,
    /// a different request with the same key is refused, and `work` is given the [`Key`] (with
    /// what an earlier try created). Its result is rendered by `render` and stored; a refusal
    /// is stored too; any other failure frees the key, or leaves it resumable when the request
    /// may have created something.
    pub async fn keyed<V, Fut>(
        &self,
        scope: Option<KeyScope>,
        render: Render<V>,
        work: impl FnOnce(Option<Key>) -> Fut,
    ) -> AppResult<Answer>
    where
        Fut: Future<Output = AppResult<V>>,
    {
        let fresh = |recorded| Answer {
            recorded,
            replayed: false,
        };
        let Some(scope) = scope else {
            let value = work(None).await?;
            return Ok(fresh((render.view)(&value)?));
        };
        let key = match self.begin_idempotent(&scope).await? {
            Begin::Replay(recorded) => {
                return Ok(Answer {
                    recorded,
                    replayed: true,
                })
            }
            Begin::Run {
                payment_id,
                refund_id,
            } => Key {
                scope,
                resumed_payment: payment_id,
                resumed_refund: refund_id,
                refusal: render.refusal,
                created_view: None,
                recorded: Arc::default(),
            },
        };
        let result = work(Some(key.clone())).await;
        if let Some(recorded) = key.take_recorded() {
            // Stored by the use case in its own transaction.
            return Ok(fresh(recorded));
        }
        let recorded = match result.and_then(|value| (render.view)(&value)) {
            Ok(recorded) => recorded,
            Err(err) if is_storable(&err) => (render.refusal)(&err),
            Err(err) => {
                if may_have_created(&err) {
                    self.free_or_release(&key.scope).await?;
                } else {
                    self.forget_idempotent(&key.scope).await?;
                }
                return Err(err);
            }
        };
        let mut conn = self.db.acquire().await?;
        let (m, k) = (&key.scope.merchant_id, &key.scope.key);
        store::idempotency::finish(&mut conn, m, k, recorded.status, &recorded.body).await?;
        Ok(fresh(recorded))
    }

    async fn begin_idempotent(&self, scope: &KeyScope) -> AppResult<Begin> {
        let now = self.now();
        let lock = Duration::seconds(self.settings.idempotency.lock_secs);
        let expires = now + Duration::seconds(self.settings.idempotency.retention_secs);
        let mut conn = self.db.acquire().await?;
        let (m, k, f) = (&scope.merchant_id, &scope.key, &scope.fingerprint);
        if store::idempotency::try_begin(&mut conn, m, k, f, now, now + lock, expires).await? {
            return Ok(Begin::Run {
                payment_id: None,
                refund_id: None,
            });
        }
        let row = store::idempotency::get(&mut conn, m, k)
            .await?
            .ok_or_else(|| {
                // Deleted by the clean-up job between our two statements: a client retry is correct.
                AppError::IdempotencyKeyInUse {
                    retry_after_secs: 1,
                }
            })?;
        if row.fingerprint != *f {
            return Err(AppError::IdempotencyKeyReused);
        }
        if row.state == store::idempotency::DONE {
            return Ok(Begin::Replay(Recorded {
                status: row
                    .response_status
                    .and_then(|s| u16::try_from(s).ok())
                    .unwrap_or(200),
                body: row.response_body.unwrap_or_default(),
            }));
        }
        if store::idempotency::try_resume(&mut conn, m, k, f, now, now + lock).await? {
            return Ok(Begin::Run {
                payment_id: row.payment_id,
                refund_id: row.refund_id,
            });
        }
        let retry_after_secs = row
            .locked_until
            .map(|t| {
                (t - now)
                    .num_seconds()
                    .clamp(1, self.settings.idempotency.lock_secs) as u64
            })
            .unwrap_or(1);
        Err(AppError::IdempotencyKeyInUse { retry_after_secs })
    }

    /// After a failure whose outcome may be unknown: the key is freed when its request created
    /// nothing (so a corrected retry is new), else left resumable.
    async fn free_or_release(&self, scope: &KeyScope) -> AppResult<()> {
        let mut conn = self.db.acquire().await?;
        let (m, k) = (&scope.merchant_id, &scope.key);
        if !store::idempotency::forget_if_untouched(&mut conn, m, k).await? {
            store::idempotency::release(&mut conn, m, k).await?;
        }
        Ok(())
    }

    /// Frees a key whose request ended before anything happened.
    async fn forget_idempotent(&self, scope: &KeyScope) -> AppResult<()> {
        let mut conn = self.db.acquire().await?;
        store::idempotency::forget(&mut conn, &scope.merchant_id, &scope.key).await?;
        Ok(())
    }
}
