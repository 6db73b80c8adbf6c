//! How an [`AppError`] becomes an HTTP answer: the envelope, the status, `Retry-After`.
//! A 5xx is logged with its cause under the request id and never shows it (a database outage
//! as a warning: it is the infrastructure's, and the answer already tells the client to retry).

use crate::error::AppError;
use crate::telemetry::current_request_id;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

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
