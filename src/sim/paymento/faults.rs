//! Fault injection for the API routes (`_sim/faults`, design §6).
//!
//! Faults that "process" (timeout, slow, malformed) run the real handler first, so the order
//! exists when the client gives up; http_500 and refuse answer without touching any record.

use std::time::Duration;

use actix_web::http::header::ContentType;
use actix_web::HttpResponse;

use super::envelope::Answer;
use super::state::{Fault, FaultMode};

/// Runs `work` (the handler body) under the armed fault, if any.
pub async fn respond<F>(fault: Option<Fault>, work: F) -> HttpResponse
where
    F: FnOnce() -> Answer,
{
    let Some(fault) = fault else {
        return render(work());
    };
    match fault.mode {
        FaultMode::Http500 => HttpResponse::InternalServerError()
            .content_type(ContentType::json())
            .body(r#"{"success":false,"message":"Internal server error","body":null}"#),
        FaultMode::Refuse => HttpResponse::ServiceUnavailable()
            .insert_header(("Connection", "close"))
            .force_close()
            .finish(),
        FaultMode::Timeout | FaultMode::Slow => {
            let answer = work();
            actix_web::rt::time::sleep(Duration::from_millis(fault.delay_ms)).await;
            render(answer)
        }
        FaultMode::Malformed => {
            // The real answer cut in half, as when a proxy drops the connection mid-body.
            let full = work().1;
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

pub fn render((status, body): Answer) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(ContentType::json())
        .body(body)
}
