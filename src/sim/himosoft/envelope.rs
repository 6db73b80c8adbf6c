//! HimoSoft's error envelope (docs/gateways/himosoft.md, "Answers and errors"):
//! `{"error","message"}` with 400/401/404.
//!
//! Only `invalid_signature` is documented; the other codes are the ones the note's "Simulator"
//! chose ([INFERRED]): `invalid_request` (400), `not_found` (404), `timestamp_expired`
//! (401). Answers are carried as exact bytes (`Answer`) so an idempotent replay is byte-identical.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub error: &'static str,
    pub message: &'static str,
}

pub const INVALID_REQUEST: ApiError = ApiError {
    status: 400,
    error: "invalid_request",
    message: "Missing parameters or malformed payload.",
};
pub const INVALID_SIGNATURE: ApiError = ApiError {
    status: 401,
    error: "invalid_signature",
    message: "HMAC validation failed. Check credentials.",
};
pub const TIMESTAMP_EXPIRED: ApiError = ApiError {
    status: 401,
    error: "timestamp_expired",
    message: "Request timestamp is outside the allowed window.",
};
pub const NOT_FOUND: ApiError = ApiError {
    status: 404,
    error: "not_found",
    message: "Transaction not found.",
};

/// One API answer: HTTP status and the exact JSON bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn ok(body: Vec<u8>) -> Self {
        Answer { status: 200, body }
    }

    pub fn into_response(self) -> HttpResponse {
        HttpResponse::build(StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK))
            .content_type("application/json")
            .body(self.body)
    }
}

impl From<ApiError> for Answer {
    fn from(e: ApiError) -> Self {
        let body = serde_json::json!({ "error": e.error, "message": e.message });
        Answer {
            status: e.status,
            body: body.to_string().into_bytes(),
        }
    }
}

/// The answer of a handler body either way.
pub fn of(result: Result<Answer, ApiError>) -> Answer {
    result.unwrap_or_else(Answer::from)
}
