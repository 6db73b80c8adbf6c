//! Stripe's side of fault injection (`_sim/faults`; the machinery is shared, in
//! `common::faults`): Stripe's `api_error` body for `http_500`, and its answers as
//! `errors::Answer` renders them.

use actix_web::HttpResponse;

use super::errors::Answer;
use super::state::Fault;
use crate::sim::common::faults::{self, ServerError};

const SERVER_ERROR: ServerError = ServerError {
    content_type: "application/json",
    body: r#"{"error":{"type":"api_error","message":"An unknown error occurred"}}"#,
};

impl faults::Answer for Answer {
    fn into_response(self) -> HttpResponse {
        Answer::into_response(self)
    }

    fn into_body(self) -> Vec<u8> {
        self.body.into_bytes()
    }
}

/// Runs `work` (the handler body) under the armed fault, if any.
pub async fn respond<F>(fault: Option<Fault>, work: F) -> HttpResponse
where
    F: FnOnce() -> Answer,
{
    faults::respond(fault, &SERVER_ERROR, work).await
}
