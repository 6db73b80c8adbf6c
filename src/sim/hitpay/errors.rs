//! HitPay's error answers (docs/gateways/hitpay.md, "Answers and errors"): Laravel's JSON shapes
//! and status codes.
//!
//! * 401 `{"message":"Unauthenticated."}` — missing or unknown `X-BUSINESS-API-KEY` [INFERRED body];
//! * 404 `{"message":"No query results for model [App\\Business\\PaymentRequest] <id>"}` (and
//!   `Charge` / `Refund` for the refund routes);
//! * 422 `{"message": "...", "errors": {"field": ["..."]}}` — validation;
//! * 400 `{"message": "..."}` — a request HitPay understood but will not do (deleting a completed
//!   payment request, refunding an unpaid payment) [INFERRED: HitPay documents no code for these].

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
            .body(self.body)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    Unauthenticated,
    NotFound {
        model: &'static str,
        id: String,
    },
    Invalid {
        field: &'static str,
        message: String,
    },
    BadRequest(String),
}

impl ApiError {
    pub fn invalid(field: &'static str, message: String) -> Self {
        ApiError::Invalid { field, message }
    }

    pub fn not_found(model: &'static str, id: &str) -> Self {
        ApiError::NotFound {
            model,
            id: id.to_owned(),
        }
    }

    pub fn answer(&self) -> Answer {
        let (status, body) = match self {
            ApiError::Unauthenticated => (401, json!({ "message": "Unauthenticated." })),
            ApiError::NotFound { model, id } => (
                404,
                json!({ "message": format!("No query results for model [App\\Business\\{model}] {id}") }),
            ),
            ApiError::Invalid { field, message } => (
                422,
                json!({ "message": message, "errors": { *field: [message] } }),
            ),
            ApiError::BadRequest(message) => (400, json!({ "message": message })),
        };
        Answer {
            status,
            body: body.to_string(),
        }
    }
}

/// One answer from either outcome.
pub fn of(result: Result<Answer, ApiError>) -> Answer {
    result.unwrap_or_else(|e| e.answer())
}
