//! `/v1/payments/{id}/refunds` and `/v1/refunds/{id}`.

use super::json_body::parse_json;
use super::payments::{authenticated, idempotency_header, key_scope, payment_id};
use super::{json_response, keyed, AppState};
use crate::domain::ids::RefundId;
use crate::error::AppError;
use crate::orchestration::create_input::{raw_amount, resolve_idempotency_key};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

type Result<T> = std::result::Result<T, AppError>;

/// The body: every field optional (no amount = everything left); nothing else allowed.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RefundBody {
    amount: Option<Value>,
    reason: Option<String>,
    idempotency_key: Option<String>,
}

pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let (body, auth) = authenticated(&state, &req, payload).await?;
    let id = payment_id(&path)?;
    let parsed: RefundBody = if body.is_empty() {
        RefundBody {
            amount: None,
            reason: None,
            idempotency_key: None,
        }
    } else {
        parse_json(&body)?
    };
    let amount = match &parsed.amount {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(_)) => raw_amount(&body),
        Some(_) => {
            return Err(AppError::invalid(
                "amount",
                "must be a decimal string such as \"5.00\"",
            ))
        }
    };
    if let Some(problem) = parsed
        .reason
        .as_deref()
        .and_then(|r| crate::domain::text::free_text_within(r, 500))
    {
        return Err(AppError::invalid("reason", problem));
    }
    let key = resolve_idempotency_key(parsed.idempotency_key.as_deref(), idempotency_header(&req))?;
    let scope = key_scope(&req, &auth, &body, key.as_deref());
    let merchant = auth.merchant_id.clone();
    let answer = state
        .orch
        .keyed(scope, keyed::REFUND_CREATED, |key| {
            let request = crate::orchestration::refunds::RefundAsk {
                amount: amount.as_deref(),
                reason: parsed.reason.clone(),
                key,
            };
            state.orch.create_refund(&merchant, &id, request)
        })
        .await?;
    Ok(keyed::response(answer))
}

pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let (_, auth) = authenticated(&state, &req, payload).await?;
    let id = payment_id(&path)?;
    Ok(json_response(
        200,
        &state.orch.refunds_of(&auth.merchant_id, &id).await?,
    ))
}

pub async fn retrieve(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let (_, auth) = authenticated(&state, &req, payload).await?;
    let id = RefundId::parse(&path).ok_or(AppError::NotFound)?;
    Ok(json_response(
        200,
        &state.orch.refund(&auth.merchant_id, id.as_str()).await?,
    ))
}
