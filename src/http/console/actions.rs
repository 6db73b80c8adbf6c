//! The console's actions on a payment: `POST /console/payments/{id}/{recheck|cancel|refund|
//! redeliver|resolve}`, and on one of its refunds: `…/refunds/{refund}/resolve`. Each form
//! carries the session's CSRF token (403 without it) and a ticked `confirm` box (400 without it:
//! nothing is done), then calls its use case in `orchestration/console_actions.rs` and sends the
//! browser back to the payment (303).

use super::page::{see_other, ConsoleError, Page};
use super::session::{self, Form};
use crate::domain::ids::{PaymentId, RefundId};
use crate::domain::refund_status::RefundStatus;
use crate::error::AppError;
use crate::http::AppState;
use crate::orchestration::review::Settlement;
use actix_web::{web, HttpRequest};

/// The most a note or reason may hold (as the admin API's review note).
const NOTE_MAX: usize = 500;

async fn confirmed(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
    path: &str,
) -> Result<(PaymentId, Form), ConsoleError> {
    let (_, form) = session::posted(state, req, payload).await?;
    let id = PaymentId::parse(path).ok_or(AppError::NotFound)?;
    if !form.checked("confirm") {
        return Err(AppError::invalid("confirm", "must be ticked to go ahead").into());
    }
    Ok((id, form))
}

fn back(id: &PaymentId, done: &str) -> Page {
    Ok(see_other(&format!(
        "/console/payments/{}?done={done}",
        id.as_str()
    )))
}

fn free_text(form: &Form, field: &str) -> Result<Option<String>, ConsoleError> {
    let Some(text) = form.text(field) else {
        return Ok(None);
    };
    if let Some(problem) = crate::domain::text::free_text_within(text, NOTE_MAX) {
        return Err(AppError::invalid(field, problem).into());
    }
    Ok(Some(text.to_owned()))
}

/// The `note` every settlement of a review case carries: ops say why.
fn settlement_note(form: &Form) -> Result<String, ConsoleError> {
    free_text(form, "note")?.ok_or_else(|| AppError::invalid("note", "is required: say why").into())
}

pub async fn recheck(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Page {
    let (id, _) = confirmed(&state, &req, payload, &path).await?;
    state.orch.console_recheck(id.as_str()).await?;
    back(&id, "recheck")
}

pub async fn cancel(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Page {
    let (id, _) = confirmed(&state, &req, payload, &path).await?;
    state.orch.console_cancel(id.as_str()).await?;
    back(&id, "cancel")
}

/// Form: `amount` (major units; blank for everything left), `reason`.
pub async fn refund(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Page {
    let (id, form) = confirmed(&state, &req, payload, &path).await?;
    let reason = free_text(&form, "reason")?;
    state
        .orch
        .console_refund(id.as_str(), form.text("amount"), reason)
        .await?;
    back(&id, "refund")
}

/// Form: `event_id`.
pub async fn redeliver(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Page {
    let (id, form) = confirmed(&state, &req, payload, &path).await?;
    let event = form.text("event_id").unwrap_or_default();
    state.orch.console_redeliver(id.as_str(), event).await?;
    back(&id, "redeliver")
}

/// Form: `settle_as` (`paid`, `failed`, `cancelled`) and a `note` (required).
pub async fn resolve(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Page {
    let (id, form) = confirmed(&state, &req, payload, &path).await?;
    let settlement = match form.text("settle_as") {
        Some("paid") => Settlement::Paid,
        Some("failed") => Settlement::Failed,
        Some("cancelled") => Settlement::Cancelled,
        _ => {
            return Err(AppError::invalid("settle_as", "must be paid, failed or cancelled").into())
        }
    };
    let note = settlement_note(&form)?;
    state
        .orch
        .console_resolve(id.as_str(), settlement, note)
        .await?;
    back(&id, "resolve")
}

/// Form: `settle_as` (`completed` or `failed` for a refund in review; `reversed` for a completed
/// refund the gateway gave back to the merchant) and a `note` (required).
pub async fn resolve_refund(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> Page {
    let (payment, refund) = path.into_inner();
    let (id, form) = confirmed(&state, &req, payload, &payment).await?;
    let refund = RefundId::parse(&refund).ok_or(AppError::NotFound)?;
    let to = match form.text("settle_as") {
        Some("completed") => RefundStatus::Completed,
        Some("failed") => RefundStatus::Failed,
        Some("reversed") => RefundStatus::Reversed,
        _ => {
            let problem = "must be completed, failed or reversed";
            return Err(AppError::invalid("settle_as", problem).into());
        }
    };
    let note = settlement_note(&form)?;
    state
        .orch
        .console_resolve_refund(id.as_str(), refund.as_str(), to, note)
        .await?;
    back(&id, "resolve_refund")
}
