//! Stripe's error answers: `{"error": {"type", "code", "message", "param"}}` with Stripe's status
//! codes (400 invalid request, 401 bad key, 403 a restricted key without the permission, 404 no
//! such object, 400 `idempotency_error`).

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{json, Value};

/// A status and a JSON body text, before faults are applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn ok(body: &Value) -> Self {
        Answer {
            status: 200,
            body: body.to_string(),
        }
    }

    pub fn into_response(self) -> HttpResponse {
        HttpResponse::build(StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK))
            .content_type("application/json")
            .insert_header(("Request-Id", super::state::new_id("req_")))
            .body(self.body)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// No or unknown `Authorization: Bearer` key.
    Unauthorized,
    /// `resource_missing`: no such object (of this account).
    Missing { object: &'static str, id: String },
    /// `invalid_request_error` about `param`.
    Invalid {
        param: Option<&'static str>,
        code: Option<&'static str>,
        message: String,
    },
    /// The key came with other parameters (or another endpoint) than its first use.
    Idempotency(String),
    /// A restricted key without the permission for `resource`.
    Permission { resource: &'static str },
}

impl ApiError {
    pub fn invalid(param: &'static str, message: impl Into<String>) -> Self {
        ApiError::Invalid {
            param: Some(param),
            code: None,
            message: message.into(),
        }
    }

    pub fn answer(&self) -> Answer {
        let (status, error) = match self {
            ApiError::Permission { resource } => (
                403,
                json!({ "type": "invalid_request_error", "message": format!(
                    "The provided key does not have the required permissions for this endpoint. Having the '{resource}' permission would allow this request to continue."
                ) }),
            ),
            ApiError::Unauthorized => (
                401,
                json!({ "type": "invalid_request_error", "message": "Invalid API Key provided." }),
            ),
            ApiError::Missing { object, id } => (
                404,
                json!({ "type": "invalid_request_error", "code": "resource_missing", "param": "id",
                        "message": format!("No such {object}: '{id}'") }),
            ),
            ApiError::Invalid { param, code, message } => (
                400,
                json!({ "type": "invalid_request_error", "code": code, "param": param, "message": message }),
            ),
            ApiError::Idempotency(key) => (
                400,
                json!({ "type": "idempotency_error", "message": format!(
                    "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."
                ) }),
            ),
        };
        Answer {
            status,
            body: json!({ "error": error }).to_string(),
        }
    }
}

/// One answer from either outcome.
pub fn of(result: Result<Answer, ApiError>) -> Answer {
    result.unwrap_or_else(|e| e.answer())
}
