//! Idempotency keys (design §1.4), held in the database so they hold across instances.
//!
//! `begin` decides what a request with a key may do: run (fresh or resuming a payment whose
//! gateway outcome is unknown), replay the stored answer, or be refused (different request, or
//! the first one still running). Answers the merchant can act on are stored; unknown outcomes
//! release the key so the next retry continues the same payment.

use super::Orchestrator;
use crate::crypto::sha256_hex;
use crate::error::{AppError, AppResult};
use crate::store;
use chrono::Duration;
use std::future::Future;

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
pub enum Begin {
    /// This request holds the key; `payment_id` (`refund_id`) is set when an earlier try created
    /// the payment (the refund).
    Run {
        payment_id: Option<String>,
        refund_id: Option<String>,
    },
    /// The stored answer, byte for byte.
    Replay(StoredResponse),
}

/// An answer as stored and replayed.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub status: u16,
    pub body: Vec<u8>,
    pub replayed: bool,
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

impl Orchestrator {
    pub async fn begin_idempotent(&self, scope: &KeyScope) -> AppResult<Begin> {
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
            return Ok(Begin::Replay(StoredResponse {
                status: row
                    .response_status
                    .and_then(|s| u16::try_from(s).ok())
                    .unwrap_or(200),
                body: row.response_body.unwrap_or_default(),
                replayed: true,
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

    /// Stores the final answer inside the caller's transaction.
    pub async fn finish_idempotent(
        &self,
        conn: &mut store::Conn,
        scope: &KeyScope,
        status: u16,
        body: &[u8],
    ) -> AppResult<()> {
        store::idempotency::finish(conn, &scope.merchant_id, &scope.key, status, body).await?;
        Ok(())
    }

    /// The outcome is unknown: the next retry with this key resumes at once.
    pub async fn release_idempotent(&self, scope: &KeyScope) -> AppResult<()> {
        let mut conn = self.db.acquire().await?;
        store::idempotency::release(&mut conn, &scope.merchant_id, &scope.key).await?;
        Ok(())
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
    pub async fn forget_idempotent(&self, scope: &KeyScope) -> AppResult<()> {
        let mut conn = self.db.acquire().await?;
        store::idempotency::forget(&mut conn, &scope.merchant_id, &scope.key).await?;
        Ok(())
    }

    /// Runs `work` at most once per key for requests that change one thing (cancel, refund).
    /// `work` is given the refund an earlier try with this key created, if any.
    pub async fn run_idempotent<Fut>(
        &self,
        scope: Option<&KeyScope>,
        work: impl FnOnce(Option<String>) -> Fut,
    ) -> AppResult<StoredResponse>
    where
        Fut: Future<Output = AppResult<(u16, Vec<u8>)>>,
    {
        let Some(scope) = scope else {
            let (status, body) = work(None).await?;
            return Ok(StoredResponse {
                status,
                body,
                replayed: false,
            });
        };
        let resumed_refund = match self.begin_idempotent(scope).await? {
            Begin::Replay(stored) => return Ok(stored),
            Begin::Run { refund_id, .. } => refund_id,
        };
        let (status, body) = match work(resumed_refund).await {
            Ok(answer) => answer,
            Err(err) if is_storable(&err) => {
                let body = err
                    .envelope(crate::telemetry::current_request_id().as_deref())
                    .to_string()
                    .into_bytes();
                (err.status(), body)
            }
            Err(err) => {
                if matches!(
                    err,
                    AppError::ProviderUnavailable(_)
                        | AppError::ProviderTimeout(_)
                        | AppError::ServiceUnavailable(_)
                        | AppError::Internal(_)
                ) {
                    self.free_or_release(scope).await?;
                } else {
                    self.forget_idempotent(scope).await?;
                }
                return Err(err);
            }
        };
        let mut conn = self.db.acquire().await?;
        self.finish_idempotent(&mut conn, scope, status, &body)
            .await?;
        Ok(StoredResponse {
            status,
            body,
            replayed: false,
        })
    }
}
