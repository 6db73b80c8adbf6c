//! PSC's answer envelope and the 5-digit codes the simulator uses (docs/gateways/paystablecoin.md,
//! "Answers and errors").
//!
//! One place for the codes so the API handlers, the auth check and the tests use the same
//! strings. Messages are the texts of PSC's error table; `message` is the key name (S6).

use serde_json::{json, Value};

/// A non-success business answer: still HTTP 200, only `code` tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: &'static str,
    pub message: &'static str,
}

const fn err(code: &'static str, message: &'static str) -> ApiError {
    ApiError { code, message }
}

pub const SUCCESS: &str = "00000";
pub const INVALID_ARGUMENT: ApiError = err("10001", "Invalid argument");
pub const MISSING_PARAMETER: ApiError = err("10002", "Missing required parameter");
pub const INVALID_FORMAT: ApiError = err("10003", "Invalid parameter format");
pub const AMOUNT_NOT_POSITIVE: ApiError = err("10004", "Order amount must be greater than 0");
pub const EXPIRES_IN_PAST: ApiError = err(
    "10005",
    "Expiration time cannot be earlier than current time",
);
pub const CURRENCY_NOT_SUPPORTED: ApiError = err("10006", "Currency not supported");
pub const AMOUNT_OUT_OF_RANGE: ApiError = err("10008", "Amount is not within the allowed range");
pub const AMOUNT_PRECISION: ApiError =
    err("10009", "Amount precision is not within reasonable range");
pub const ORDER_EXISTS: ApiError = err("20001", "Order already exists");
pub const INVALID_STATUS: ApiError = err("20007", "Invalid order status for this operation");
pub const NOT_FOUND: ApiError = err("40001", "Resource not found");
pub const BAD_SIGNATURE: ApiError = err("50001", "Invalid signature");
pub const BAD_TIMESTAMP: ApiError = err("50002", "Request timestamp expired or invalid");
pub const BAD_API_KEY: ApiError = err("50003", "Invalid API key or merchant");

/// `{"code":"00000","message":"Success","data":…}`.
pub fn success(data: Value) -> Value {
    json!({"code": SUCCESS, "message": "Success", "data": data})
}

/// `{"code":…,"message":…,"data":null}`.
pub fn failure(e: &ApiError) -> Value {
    json!({"code": e.code, "message": e.message, "data": null})
}

/// The envelope for either outcome.
pub fn of(result: Result<Value, ApiError>) -> Value {
    match result {
        Ok(data) => success(data),
        Err(e) => failure(&e),
    }
}
