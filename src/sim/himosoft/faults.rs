//! HimoSoft's side of fault injection (`_sim/faults`, docs/sandbox.md; the machinery is shared, in
//! `common::faults`); faults apply to API calls, never to callbacks.
//!
//! Its answers are exact bytes (`envelope::Answer`), so `malformed` cuts them at exactly half;
//! faults that process run the handler first, so the payment exists (and its idempotency entry
//! is cached) when the client gives up.

use actix_web::HttpResponse;

use super::envelope::Answer;
use super::state::Fault;
use crate::sim::common::faults::{self, ServerError};

const SERVER_ERROR: ServerError = ServerError {
    content_type: "application/json",
    body: r#"{"error":"server_error","message":"Internal server error."}"#,
};

impl faults::Answer for Answer {
    const CUT_ON_CHAR_BOUNDARY: bool = false;

    fn into_response(self) -> HttpResponse {
        Answer::into_response(self)
    }

    fn into_body(self) -> Vec<u8> {
        self.body
    }
}

/// Runs `work` (the handler body) under the armed fault, if any.
pub async fn respond<F>(fault: Option<Fault>, work: F) -> HttpResponse
where
    F: FnOnce() -> Answer,
{
    faults::respond(fault, &SERVER_ERROR, work).await
}
