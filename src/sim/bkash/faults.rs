//! bKash's side of fault injection (`_sim/faults`, design §6; the machinery is shared, in
//! `common::faults`): its `http_500` (the API gateway's JSON error) and its answers.
//!
//! Faults apply to the payment calls (create, execute, status, search, refund), not to the
//! token calls: a test that arms one fault for "the next create" must not lose it to a grant.

use actix_web::http::header::ContentType;
use actix_web::HttpResponse;

use super::state::Fault;
use crate::sim::common::faults::{self, ServerError};

/// An API answer before faults: HTTP status and JSON body.
pub type Answer = (u16, serde_json::Value);

const SERVER_ERROR: ServerError = ServerError {
    content_type: "application/json",
    body: r#"{"message": "Internal server error"}"#,
};

/// An [`Answer`] as the shared fault machinery renders it (a tuple of its own would clash with
/// another simulator's rendering of the same tuple).
struct Reply(Answer);

impl faults::Answer for Reply {
    fn into_response(self) -> HttpResponse {
        json(self.0)
    }

    fn into_body(self) -> Vec<u8> {
        self.0 .1.to_string().into_bytes()
    }
}

/// Runs `work` (the handler body) under the armed fault, if any.
pub async fn respond<F>(fault: Option<Fault>, work: F) -> HttpResponse
where
    F: FnOnce() -> Answer,
{
    faults::respond(fault, &SERVER_ERROR, || Reply(work())).await
}

pub fn json((status, body): Answer) -> HttpResponse {
    let status =
        actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::OK);
    HttpResponse::build(status)
        .content_type(ContentType::json())
        .body(body.to_string())
}

/// bKash's error envelope: HTTP 200 with a `statusCode` other than `0000`.
pub fn code(code: &str, message: &str) -> Answer {
    (
        200,
        serde_json::json!({ "statusCode": code, "statusMessage": message }),
    )
}

/// The API gateway's refusal of a missing, unknown or expired token [INFERRED].
pub fn unauthorized(message: &str) -> Answer {
    (401, serde_json::json!({ "message": message }))
}
