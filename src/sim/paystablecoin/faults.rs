//! PSC's side of fault injection (`_sim/faults`, docs/sandbox.md; the machinery is shared, in
//! `common::faults`): its `http_500` body, and its answers, which are envelopes sent with HTTP 200.

use actix_web::http::header::ContentType;
use actix_web::HttpResponse;
use serde_json::Value;

use super::state::Fault;
use crate::sim::common::faults::{self, Answer, ServerError};

const SERVER_ERROR: ServerError = ServerError {
    content_type: "application/json",
    body: r#"{"code":"99999","message":"System error"}"#,
};

impl Answer for Value {
    fn into_response(self) -> HttpResponse {
        HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(self.to_string())
    }

    fn into_body(self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

/// Runs `work` (the handler body, producing the envelope) under the armed fault, if any.
pub async fn respond<F>(fault: Option<Fault>, work: F) -> HttpResponse
where
    F: FnOnce() -> Value,
{
    faults::respond(fault, &SERVER_ERROR, work).await
}
