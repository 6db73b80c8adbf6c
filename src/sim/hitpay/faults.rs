//! Fault injection for the API routes (`_sim/faults`, design §6).
//!
//! Lets tests prove the adapter survives a timed-out, failed, garbled or refused call. Faults that
//! "process" (timeout, slow, malformed) run the real handler first, so the record exists when the
//! client gives up; `http_500` and `refuse` answer without touching any record.

use std::time::Duration;

use actix_web::HttpResponse;

use super::errors::Answer;
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
            .body(r#"{"message":"Server Error"}"#),
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
            // The real answer cut in half, as when a proxy drops the connection mid-body.
            let full = work().body;
            let mut at = full.len() / 2;
            while !full.is_char_boundary(at) {
                at -= 1;
            }
            HttpResponse::Ok()
                .content_type("application/json")
                .body(format!("{}<html>502 Bad Gateway</html>", &full[..at]))
        }
    }
}
