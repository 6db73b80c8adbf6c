//! Fault injection for the API routes (`_sim/faults`, design §6); never for callbacks.
//!
//! Faults that "process" (timeout, slow, malformed) run the real handler first, so the payment
//! exists (and its idempotency entry is cached) when the client gives up; the others answer
//! without touching any record.

use std::time::Duration;

use actix_web::HttpResponse;

use super::envelope::Answer;
use super::state::{Fault, FaultMode};

/// Runs `work` (the handler body) under the armed fault, if any.
pub async fn respond<F>(fault: Option<Fault>, work: F) -> HttpResponse
where
    F: FnOnce() -> Answer,
{
    let Some(fault) = fault else {
        return work().into_response();
    };
    match fault.mode {
        FaultMode::Http500 => HttpResponse::InternalServerError()
            .content_type("application/json")
            .body(r#"{"error":"server_error","message":"Internal server error."}"#),
        FaultMode::Refuse => HttpResponse::ServiceUnavailable()
            .insert_header(("Connection", "close"))
            .force_close()
            .finish(),
        FaultMode::Timeout | FaultMode::Slow => {
            let answer = work();
            actix_web::rt::time::sleep(Duration::from_millis(fault.delay_ms)).await;
            answer.into_response()
        }
        FaultMode::Malformed => {
            // The real answer cut in half, then an HTML error page: what a broken proxy returns.
            let full = work().body;
            let cut = &full[..full.len() / 2];
            let mut body = cut.to_vec();
            body.extend_from_slice(b"<html>502 Bad Gateway</html>");
            HttpResponse::Ok()
                .content_type("application/json")
                .body(body)
        }
    }
}
