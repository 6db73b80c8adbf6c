//! How an [`AppError`] becomes an HTTP answer: the envelope, the status, `Retry-After`.
//! A 5xx is logged with its cause under the request id and never shows it (a database outage
//! as a warning: it is the infrastructure's, and the answer already tells the client to retry).

use crate::error::AppError;
use crate::telemetry::current_request_id;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde_json::{json, Value};

impl AppError {
    /// The HTTP status each error answers with (docs/api.md, "Errors").
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
            AppError::UnsupportedMediaType => 415,
            AppError::IdempotencyKeyReused
            | AppError::NoProviderAvailable(_)
            | AppError::ProviderRejected { .. }
            | AppError::RefundNotSupported
            | AppError::RefundExceedsPayment => 422,
            AppError::RateLimited { .. } => 429,
            AppError::ProviderUnavailable(_) | AppError::ProviderCredentialsRefused(_) => 502,
            AppError::ProviderTimeout(_) => 504,
            AppError::ServiceUnavailable(_) => 503,
            AppError::Internal(_) => 500,
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
            AppError::IdempotencyKeyInUse { .. }
            | AppError::RateLimited { .. }
            | AppError::ServiceUnavailable(_) => self
                .retry_after_secs()
                .map(|secs| json!({ "retry_after": secs })),
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

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let request_id = current_request_id();
        match self {
            AppError::Internal(cause) => {
                tracing::error!(request_id = request_id.as_deref().unwrap_or("-"), error = ?cause, "internal error");
            }
            AppError::ServiceUnavailable(cause) => {
                tracing::warn!(request_id = request_id.as_deref().unwrap_or("-"), error = ?cause, "database unavailable");
            }
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        if let Some(secs) = self.retry_after_secs() {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        response
            .content_type("application/json")
            .body(self.envelope(request_id.as_deref()).to_string())
    }
}
