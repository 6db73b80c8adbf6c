//! Paymento's side of fault injection (`_sim/faults`, docs/sandbox.md; the machinery is shared, in
//! `common::faults`): its `http_500` envelope, and how an `envelope::Answer` is sent.

use actix_web::http::header::ContentType;
use actix_web::HttpResponse;

use super::envelope::Answer;
use super::state::Fault;
use crate::sim::common::faults::{self, ServerError};

const SERVER_ERROR: ServerError = ServerError {
    content_type: "application/json",
    body: r#"{"success":false,"message":"Internal server error","body":null}"#,
};

impl faults::Answer for Answer {
    fn into_response(self) -> HttpResponse {
        render(self)
    }

    fn into_body(self) -> Vec<u8> {
        self.1.into_bytes()
    }
}

/// Runs `work` (the handler body) under the armed fault, if any.
pub async fn respond<F>(fault: Option<Fault>, work: F) -> HttpResponse
where
    F: FnOnce() -> Answer,
{
    faults::respond(fault, &SERVER_ERROR, work).await
}

pub fn render((status, body): Answer) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(ContentType::json())
        .body(body)
}
