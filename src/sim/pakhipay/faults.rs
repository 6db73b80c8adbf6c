//! Pakhi Pay's side of fault injection (`_sim/faults`, docs/sandbox.md; the machinery is shared, in
//! `common::faults`): its `http_500` (an HTML page, as Django sends), and its answers.

use actix_web::http::header::ContentType;
use actix_web::HttpResponse;

use super::state::Fault;
use crate::sim::common::faults::{self, ServerError};

/// An API answer before faults: HTTP status and JSON body.
pub type Answer = (u16, serde_json::Value);

const SERVER_ERROR: ServerError = ServerError {
    content_type: "text/html; charset=utf-8",
    body: "<h1>Server Error (500)</h1>",
};

impl faults::Answer for Answer {
    fn into_response(self) -> HttpResponse {
        json(self)
    }

    fn into_body(self) -> Vec<u8> {
        self.1.to_string().into_bytes()
    }
}

/// Runs `work` (the handler body) under the armed fault, if any.
pub async fn respond<F>(fault: Option<Fault>, work: F) -> HttpResponse
where
    F: FnOnce() -> Answer,
{
    faults::respond(fault, &SERVER_ERROR, work).await
}

pub fn json((status, body): Answer) -> HttpResponse {
    let status =
        actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::OK);
    HttpResponse::build(status)
        .content_type(ContentType::json())
        .body(body.to_string())
}
