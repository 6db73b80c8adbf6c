//! Paymento's answer envelope `{"success","message","body"}` (docs/gateways/paymento.md,
//! "Answers and errors") and the simulator's error answers, in one place so handlers, auth and
//! tests use the same statuses and texts.
//!
//! Answers are rendered to JSON text here from typed bodies (never through `serde_json::Value`),
//! so amounts go out as JSON numbers with their exact decimal digits.

use actix_web::http::StatusCode;
use serde::Serialize;

/// A non-success answer: HTTP status and `message`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub message: &'static str,
}

const fn err(status: u16, message: &'static str) -> ApiError {
    ApiError { status, message }
}

pub const API_KEY_MISSING: ApiError = err(400, "API_KEY_MISSING");
pub const INVALID_API_KEY: ApiError = err(401, "Invalid API key");
pub const INVALID_REQUEST: ApiError = err(400, "Invalid request");
pub const INVALID_AMOUNT: ApiError = err(400, "Invalid fiat amount");
pub const INVALID_CURRENCY: ApiError = err(400, "Invalid fiat currency");
pub const RETURN_URL_REQUIRED: ApiError = err(400, "ReturnUrl is required");
pub const INVALID_RETURN_URL: ApiError = err(400, "Invalid return URL");
pub const HTTPS_ONLY: ApiError = err(400, "Only HTTPS URLs are allowed. Provided scheme: http");
pub const INVALID_RISK_SPEED: ApiError = err(400, "Invalid risk speed");
pub const INVALID_IPN_URL: ApiError = err(400, "Invalid IPN URL");
pub const INVALID_IPN_METHOD: ApiError = err(400, "Invalid IPN method");
/// Verify of an unknown token, or of another merchant's ("Endpoints"): HTTP 200, `success:false`.
pub const INVALID_TOKEN: ApiError = err(200, "Invalid Token");

/// An answer: HTTP status and the JSON text.
pub type Answer = (StatusCode, String);

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    success: bool,
    message: &'a str,
    body: T,
}

pub fn answer<T: Serialize>(status: StatusCode, success: bool, message: &str, body: T) -> Answer {
    let text = serde_json::to_string(&Envelope {
        success,
        message,
        body,
    })
    .expect("plain structs serialise");
    (status, text)
}

pub fn ok<T: Serialize>(body: T) -> Answer {
    answer(StatusCode::OK, true, "", body)
}

pub fn failure(e: ApiError) -> Answer {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    answer(status, false, e.message, Option::<()>::None)
}

pub fn of(result: Result<Answer, ApiError>) -> Answer {
    result.unwrap_or_else(failure)
}
