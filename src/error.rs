//! The one error type of the use cases, with its stable code and HTTP status (design §1.2).
//!
//! Each variant is something a merchant or ops can act on; `Internal` is the only one whose text
//! is hidden: the client gets `internal_error` and the log keeps the cause under the request id.

use serde_json::{json, Value};

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
    /// 504: the gateway did not answer in time; the outcome is being reconciled.
    #[error("the gateway did not answer in time; retry with the same idempotency key")]
    ProviderTimeout(String),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        AppError::Internal(err.into())
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

    pub fn status(&self) -> u16 {
        match self {
            AppError::InvalidRequest { .. } => 400,
            AppError::InvalidSignature
            | AppError::TimestampOutOfRange
            | AppError::ReplayedRequest
            | AppError::Unauthorized => 401,
            AppError::NotFound => 404,
            AppError::MethodNotAllowed => 405,
            AppError::IdempotencyKeyInUse { .. } | AppError::InvalidState(_) => 409,
            AppError::PayloadTooLarge(_) => 413,
            AppError::IdempotencyKeyReused
            | AppError::NoProviderAvailable(_)
            | AppError::ProviderRejected { .. }
            | AppError::RefundNotSupported
            | AppError::RefundExceedsPayment => 422,
            AppError::RateLimited { .. } => 429,
            AppError::ProviderUnavailable(_) => 502,
            AppError::ProviderTimeout(_) => 504,
            AppError::Internal(_) => 500,
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
            AppError::IdempotencyKeyReused => "idempotency_key_reused",
            AppError::NoProviderAvailable(_) => "no_provider_available",
            AppError::ProviderRejected { .. } => "provider_rejected",
            AppError::RefundNotSupported => "refund_not_supported",
            AppError::RefundExceedsPayment => "refund_exceeds_payment",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::ProviderUnavailable(_) => "provider_unavailable",
            AppError::ProviderTimeout(_) => "provider_timeout",
            AppError::Internal(_) => "internal_error",
        }
    }

    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::IdempotencyKeyInUse { retry_after_secs }
            | AppError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The `details` object, when the error has any.
    pub fn details(&self) -> Option<Value> {
        match self {
            AppError::InvalidRequest { fields, .. } if !fields.is_empty() => {
                let map: serde_json::Map<String, Value> = fields
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                Some(json!({ "fields": map }))
            }
            AppError::ProviderRejected { provider_message } => {
                Some(json!({ "provider_message": provider_message }))
            }
            AppError::IdempotencyKeyInUse { retry_after_secs }
            | AppError::RateLimited { retry_after_secs } => {
                Some(json!({ "retry_after": retry_after_secs }))
            }
            _ => None,
        }
    }

    /// The envelope `{"error", "message", "details"?, "request_id"?}`.
    pub fn envelope(&self, request_id: Option<&str>) -> Value {
        let mut body = json!({ "error": self.code(), "message": self.to_string() });
        if let Some(details) = self.details() {
            body["details"] = details;
        }
        if let Some(id) = request_id {
            body["request_id"] = Value::String(id.to_owned());
        }
        body
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
