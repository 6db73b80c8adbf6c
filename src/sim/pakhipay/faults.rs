//! Fault injection for the API routes (`_sim/faults`, design §6).
//!
//! Lets tests prove the adapter survives a timed-out, failed, garbled or refused call. Faults that
//! "process" (timeout, slow, malformed) run the real handler first, so the link exists when the
//! client gives up; the others (http_500, refuse) answer without touching any record.

use std::time::Duration;

use actix_web::http::header::ContentType;
use actix_web::HttpResponse;

use super::state::{Fault, FaultMode};

/// An API answer before faults: HTTP status and JSON body.
pub type Answer = (u16, serde_json::Value);

/// Runs `work` (the handler body) under the armed fault, if any.
pub async fn respond<F>(fault: Option<Fault>, work: F) -> HttpResponse
where
    F: FnOnce() -> Answer,
{
    let Some(fault) = fault else {
        return json(work());
    };
    match fault.mode {
        FaultMode::Http500 => HttpResponse::InternalServerError()
            .content_type(ContentType::html())
            .body("<h1>Server Error (500)</h1>"),
        FaultMode::Refuse => HttpResponse::ServiceUnavailable()
            .insert_header(("Connection", "close"))
            .force_close()
            .finish(),
        FaultMode::Timeout | FaultMode::Slow => {
            let answer = work();
            actix_web::rt::time::sleep(Duration::from_millis(fault.delay_ms)).await;
            json(answer)
        }
        FaultMode::Malformed => {
            // The real answer cut in half: what a client sees when a proxy drops the connection.
            let full = work().1.to_string();
            let mut at = full.len() / 2;
            while !full.is_char_boundary(at) {
                at -= 1;
            }
            HttpResponse::Ok()
                .content_type(ContentType::json())
                .body(format!("{}<html>502 Bad Gateway</html>", &full[..at]))
        }
    }
}

pub fn json((status, body): Answer) -> HttpResponse {
    let status =
        actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::OK);
    HttpResponse::build(status)
        .content_type(ContentType::json())
        .body(body.to_string())
}
