//! Keyed calls on the wire: the status and bytes each keyed result (create, cancel, refund)
//! and each definitive refusal is answered with, and the answer as sent.
//!
//! Orchestration's [`keyed`](crate::orchestration::Orchestrator::keyed) stores what these
//! render as opaque bytes and replays them byte for byte, so the status codes and envelopes
//! are decided here only, for the first answer and every replay alike.

use super::to_json;
use crate::error::{AppError, AppResult};
use crate::orchestration::cancel::Cancelled;
use crate::orchestration::idempotency::{Answer, Recorded, Render};
use crate::orchestration::{refunds::refund_view, views};
use crate::store::{payments::PaymentRow, refunds::RefundRow};
use actix_web::HttpResponse;

/// A created payment: 201 with its creation view.
pub const PAYMENT_CREATED: Render<PaymentRow> = Render {
    view: |p| json(201, &views::payment_created(p)),
    refusal,
};

/// A cancelled payment: 200 with its full view.
pub const PAYMENT_CANCELLED: Render<Cancelled> = Render {
    view: |c| json(200, &c.view()),
    refusal,
};

/// A created refund: 201 with the refund.
pub const REFUND_CREATED: Render<RefundRow> = Render {
    view: |r| json(201, &refund_view(r)),
    refusal,
};

fn json(status: u16, view: &impl serde::Serialize) -> AppResult<Recorded> {
    Ok(Recorded {
        status,
        body: to_json(view)?,
    })
}

/// A definitive refusal as the error envelope, with the request id of the request it answered.
fn refusal(err: &AppError) -> Recorded {
    let request_id = crate::telemetry::current_request_id();
    Recorded {
        status: err.status(),
        body: err.envelope(request_id.as_deref()).to_string().into_bytes(),
    }
}

/// The answer as sent; a replay says so in `Idempotent-Replayed`.
pub fn response(answer: Answer) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(answer.recorded.status)
        .unwrap_or(actix_web::http::StatusCode::OK);
    let mut builder = HttpResponse::build(status);
    builder.content_type("application/json");
    if answer.replayed {
        builder.insert_header(("Idempotent-Replayed", "true"));
    }
    builder.body(answer.recorded.body)
}
