//! Fault injection for the API routes (`_sim/faults`, design §6).
//!
//! Lets tests prove the adapter survives a timed-out, failed, garbled or refused call. Faults that
//! "process" run the real handler first (so the order exists when the client gives up); the others
//! answer without touching any record.

use std::time::Duration;

use actix_web::http::header::ContentType;
use actix_web::HttpResponse;
use serde_json::Value;

use super::state::{Fault, FaultMode};

/// Runs `work` (the handler body, producing the envelope) under the armed fault, if any.
pub async fn respond<F>(fault: Option<Fault>, work: F) -> HttpResponse
where
    F: FnOnce() -> Value,
{
    let Some(fault) = fault else {
        return json_200(work());
    };
    match fault.mode {
        FaultMode::Http500 => HttpResponse::InternalServerError()
            .content_type(ContentType::json())
            .body(r#"{"code":"99999","message":"System error"}"#),
        FaultMode::Refuse => HttpResponse::ServiceUnavailable()
            .insert_header(("Connection", "close"))
            .force_close()
            .finish(),
        FaultMode::Timeout | FaultMode::Slow => {
            let answer = work();
            actix_web::rt::time::sleep(Duration::from_millis(fault.delay_ms)).await;
            json_200(answer)
        }
        FaultMode::Malformed => {
            // The real answer cut in half: what a client sees when a proxy drops the connection.
            let full = work().to_string();
            let mut at = full.len() / 2;
            while !full.is_char_boundary(at) {
                at -= 1;
            }
            let cut = &full[..at];
            HttpResponse::Ok()
                .content_type(ContentType::json())
                .body(format!("{cut}<html>502 Bad Gateway</html>"))
        }
    }
}

pub fn json_200(body: Value) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body.to_string())
}
