//! The one error type of the use cases, with its stable code (docs/api.md, "Errors"). How it
//! becomes an HTTP answer (status, envelope, `Retry-After`) is `http::error`'s business.
//!
//! Each variant is something a merchant or ops can act on; `Internal` and `ServiceUnavailable`
//! hide their cause: the client gets the code and the log keeps the cause under the request id.
//! A database that cannot be reached is `ServiceUnavailable` (503 with `Retry-After`), however
//! the error got here: straight from sqlx or wrapped in an `anyhow` chain.

use std::sync::Arc;

/// `Retry-After` of a 503: long enough for a pool to reconnect after a failover.
pub const SERVICE_UNAVAILABLE_RETRY_SECS: u64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: malformed JSON, wrong types, bad values. `fields` names each bad field.
    #[error("{message}")]
    InvalidRequest {
        message: String,
        fields: Vec<(String, String)>,
    },
    /// 401: unknown merchant, missing header or wrong signature (no hint which).
    #[error("HMAC validation failed. Check credentials.")]
    InvalidSignature,
    #[error("X-Timestamp is outside the accepted window")]
    TimestampOutOfRange,
    /// 401: a state-changing request's signature, used before.
    #[error("this signature was already used: a signed state-changing request is single-use. Sign it again with a new X-Timestamp; for a retry to be answered from the first request's record, put idempotency_key in the signed body or use signature v2")]
    ReplayedRequest,
    /// 401 on the admin API.
    #[error("a valid admin bearer token is required")]
    Unauthorized,
    #[error("not found")]
    NotFound,
    #[error("this method is not allowed on this path")]
    MethodNotAllowed,
    /// 409, with `Retry-After`.
    #[error("a request with this idempotency key is still in progress")]
    IdempotencyKeyInUse { retry_after_secs: u64 },
    #[error("{0}")]
    InvalidState(String),
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 415: a body that is not declared `Content-Type: application/json`.
    #[error("a request body must be sent with Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("this idempotency key was used with a different request")]
    IdempotencyKeyReused,
    #[error("{0}")]
    NoProviderAvailable(String),
    #[error("the gateway refused the request")]
    ProviderRejected { provider_message: String },
    #[error("this payment's gateway has no refund API")]
    RefundNotSupported,
    #[error("the refund is larger than what is left of the payment")]
    RefundExceedsPayment,
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    /// 502: the gateway could not be reached or answered badly; nothing is lost.
    #[error("the gateway is unavailable; retry with the same idempotency key")]
    ProviderUnavailable(String),
    /// 502 too (`provider_unavailable`): the gateway refused the account's credentials before
    /// doing anything; nothing is lost, but a retry fails the same way until they are fixed.
    #[error("the gateway refused this account's credentials; an operator must update them (a retry with the same idempotency key then resumes)")]
    ProviderCredentialsRefused(String),
    /// 504: the gateway did not answer in time; the outcome is being reconciled.
    #[error("the gateway did not answer in time; retry with the same idempotency key")]
    ProviderTimeout(String),
    /// 503, with `Retry-After`: the database is unreachable; nothing was done.
    #[error("the service is temporarily unavailable; retry later")]
    ServiceUnavailable(anyhow::Error),
    #[error("internal error")]
    Internal(anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        if crate::store::outage::is_outage(&err) {
            AppError::ServiceUnavailable(err.into())
        } else {
            AppError::Internal(err.into())
        }
    }
}

/// The shared answer of a coalesced status lookup.
impl From<Arc<sqlx::Error>> for AppError {
    fn from(err: Arc<sqlx::Error>) -> Self {
        let outage = crate::store::outage::is_outage(&err);
        let cause = anyhow::Error::new(err);
        if outage {
            AppError::ServiceUnavailable(cause)
        } else {
            AppError::Internal(cause)
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        let outage = err.chain().any(|e| {
            e.downcast_ref::<sqlx::Error>()
                .is_some_and(crate::store::outage::is_outage)
        });
        if outage {
            AppError::ServiceUnavailable(err)
        } else {
            AppError::Internal(err)
        }
    }
}

impl AppError {
    pub fn invalid(field: &str, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        AppError::InvalidRequest {
            message: format!("{field} {problem}"),
            fields: vec![(field.to_owned(), problem)],
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::InvalidRequest { .. } => "invalid_request",
            AppError::InvalidSignature => "invalid_signature",
            AppError::TimestampOutOfRange => "timestamp_out_of_range",
            AppError::ReplayedRequest => "replayed_request",
            AppError::Unauthorized => "unauthorized",
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::IdempotencyKeyInUse { .. } => "idempotency_key_in_use",
            AppError::InvalidState(_) => "invalid_state",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::IdempotencyKeyReused => "idempotency_key_reused",
            AppError::NoProviderAvailable(_) => "no_provider_available",
            AppError::ProviderRejected { .. } => "provider_rejected",
            AppError::RefundNotSupported => "refund_not_supported",
            AppError::RefundExceedsPayment => "refund_exceeds_payment",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::ProviderUnavailable(_) | AppError::ProviderCredentialsRefused(_) => {
                "provider_unavailable"
            }
            AppError::ProviderTimeout(_) => "provider_timeout",
            AppError::ServiceUnavailable(_) => "service_unavailable",
            AppError::Internal(_) => "internal_error",
        }
    }

    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::IdempotencyKeyInUse { retry_after_secs }
            | AppError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            AppError::ServiceUnavailable(_) => Some(SERVICE_UNAVAILABLE_RETRY_SECS),
            _ => None,
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// A body refused by the strict JSON pass is a 400 naming the field (none for malformed JSON).
impl From<crate::domain::strict_json::Problem> for AppError {
    fn from(p: crate::domain::strict_json::Problem) -> Self {
        if p.field.is_empty() {
            AppError::InvalidRequest {
                message: p.message,
                fields: vec![],
            }
        } else {
            AppError::invalid(&p.field, p.message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_503_with_retry_after_however_it_is_wrapped() {
        let direct = AppError::from(sqlx::Error::PoolTimedOut);
        assert_eq!(
            (direct.status(), direct.code()),
            (503, "service_unavailable")
        );
        assert_eq!(
            direct.retry_after_secs(),
            Some(SERVICE_UNAVAILABLE_RETRY_SECS)
        );
        assert_eq!(direct.envelope(None)["details"]["retry_after"], 5);
        let wrapped = AppError::from(
            anyhow::Error::from(sqlx::Error::PoolClosed).context("loading the merchant"),
        );
        assert_eq!(wrapped.status(), 503);
        let shared = AppError::from(Arc::new(sqlx::Error::WorkerCrashed));
        assert_eq!(shared.status(), 503);
    }

    #[test]
    fn other_database_errors_stay_internal() {
        assert_eq!(AppError::from(sqlx::Error::RowNotFound).status(), 500);
        let wrapped = AppError::from(anyhow::Error::from(sqlx::Error::RowNotFound));
        assert_eq!(wrapped.code(), "internal_error");
        assert_eq!(AppError::from(anyhow::anyhow!("boom")).status(), 500);
    }
}
