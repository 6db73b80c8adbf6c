//! `/v1/admin/payments/{id}/resolve` and `/v1/admin/refunds/{id}/resolve`: ops settle a review
//! case (a payment in `needs_review`, a refund the gateway never confirmed or later reversed).

use super::auth::require_admin;
// Every admin body is JSON (or empty): 415 otherwise.
use super::content_type::read_json_body as read_body;
use super::{json_response, AppState};
use crate::domain::ids::{PaymentId, RefundId};
use crate::domain::refund_status::RefundStatus;
use crate::error::AppError;
use crate::orchestration::refunds::refund_view;
use crate::orchestration::review::Settlement;
use crate::orchestration::views;
use actix_web::{web, HttpRequest, HttpResponse};

type Result<T> = std::result::Result<T, AppError>;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Resolve<T> {
    settle_as: T,
    note: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum RefundSettlement {
    Completed,
    Failed,
    /// A completed refund the gateway gave back to the merchant (its payment in review).
    Reversed,
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Resolve<T>> {
    let parsed: Resolve<T> = super::json_body::parse_json(body)?;
    if let Some(problem) = parsed
        .note
        .as_deref()
        .and_then(|n| crate::domain::text::free_text_within(n, 500))
    {
        return Err(AppError::invalid("note", problem));
    }
    Ok(parsed)
}

pub async fn resolve_payment(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse> {
    require_admin(&state, &req)?;
    let id = PaymentId::parse(&path).ok_or(AppError::NotFound)?;
    let body = read_body(&req, payload).await?;
    let r: Resolve<Settlement> = parse(&body)?;
    let p = state
        .orch
        .resolve_payment(id.as_str(), r.settle_as, r.note)
        .await?;
    let actions = state.orch.actions_for(&p);
    Ok(json_response(200, &views::payment_full(&p, &actions)))
}

pub async fn resolve_refund(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse> {
    require_admin(&state, &req)?;
    let id = RefundId::parse(&path).ok_or(AppError::NotFound)?;
    let body = read_body(&req, payload).await?;
    let r: Resolve<RefundSettlement> = parse(&body)?;
    let to = match r.settle_as {
        RefundSettlement::Completed => RefundStatus::Completed,
        RefundSettlement::Failed => RefundStatus::Failed,
        RefundSettlement::Reversed => RefundStatus::Reversed,
    };
    let refund = state.orch.resolve_refund(id.as_str(), to, r.note).await?;
    Ok(json_response(200, &refund_view(&refund)))
}
