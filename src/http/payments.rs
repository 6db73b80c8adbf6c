//! `/v1/payments…`: thin handlers that authenticate, parse, call the use case and answer.

use super::auth::{authenticate, consume_signature, Authenticated};
use super::body::read_body;
use super::json_body::parse_json;
use super::{json_bytes_response, json_response, keyed, AppState};
use crate::domain::ids::PaymentId;
use crate::domain::status::{PaymentStatus, Source};
use crate::error::AppError;
use crate::orchestration::create_input::{parse_create, resolve_idempotency_key};
use crate::orchestration::idempotency::KeyScope;
use crate::orchestration::queries::decode_cursor;
use crate::providers::ProviderId;
use crate::store::payments::ListFilter;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};

type Result<T> = std::result::Result<T, AppError>;

pub(super) fn payment_id(raw: &str) -> Result<String> {
    PaymentId::parse(raw)
        .map(|id| id.to_string())
        .ok_or(AppError::NotFound)
}

/// Reads the body and checks the signature: the first step of every merchant request. A
/// state-changing request spends its signature here, before anything else can happen; a read
/// takes no body.
pub(super) async fn authenticated(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(bytes::Bytes, Authenticated)> {
    let body = read_body(req, payload).await?;
    let auth = authenticate(state, req, &body).await?;
    super::content_type::require_json(req, &body)?;
    let method = req.method();
    if method == actix_web::http::Method::GET || method == actix_web::http::Method::HEAD {
        refuse_body(&body, "a GET request")?;
    } else {
        consume_signature(state, req, &auth, &body).await?;
    }
    Ok((body, auth))
}

fn refuse_body(body: &[u8], what: &str) -> Result<()> {
    if body.is_empty() {
        Ok(())
    } else {
        Err(AppError::InvalidRequest {
            message: format!("{what} takes no body; send it empty"),
            fields: vec![],
        })
    }
}

/// The idempotency scope of a state-changing POST that carries a key.
pub(super) fn key_scope(
    req: &HttpRequest,
    auth: &Authenticated,
    body: &[u8],
    key: Option<&str>,
) -> Option<KeyScope> {
    key.map(|k| KeyScope::new(&auth.merchant_id, k, "POST", req.path(), body))
}

pub(super) fn idempotency_header(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
}

pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let (body, auth) = authenticated(&state, &req, payload).await?;
    let create = parse_create(
        &body,
        idempotency_header(&req),
        &state.orch.settings,
        &state.orch.url_policy(),
    )?;
    let scope = key_scope(&req, &auth, &body, create.idempotency_key.as_deref());
    let merchant = auth.merchant_id.clone();
    let answer = state
        .orch
        .keyed(scope, keyed::PAYMENT_CREATED, |key| {
            // The create stores its answer with the gateway's outcome (one write, not two).
            let key = key.map(|k| k.answering_created_with(keyed::PAYMENT_CREATED.view));
            state.orch.create_payment(&merchant, create, key)
        })
        .await?;
    Ok(keyed::response(answer))
}

pub async fn retrieve(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let (_, auth) = authenticated(&state, &req, payload).await?;
    let id = payment_id(&path)?;
    let json = state.orch.retrieve_json(&auth.merchant_id, &id).await?;
    Ok(json_bytes_response(200, json))
}

/// DB only, never rate-limited (GET or POST, always without a body: a POST's signature then
/// covers the target, and is single-use like every state-changing request's).
pub async fn verify(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let (body, auth) = authenticated(&state, &req, payload).await?;
    refuse_body(&body, "verify")?;
    let id = payment_id(&path)?;
    Ok(json_response(
        200,
        &state.orch.verify(&auth.merchant_id, &id).await?,
    ))
}

/// `?dry_run=true|false`, the only parameter; a problem names the parameter.
fn parse_dry_run(query: &str) -> Result<bool> {
    let mut dry_run = None;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if key != "dry_run" {
            return Err(AppError::invalid(
                &key,
                "is not a known parameter (only dry_run)",
            ));
        }
        if dry_run.is_some() {
            return Err(AppError::invalid("dry_run", "appears more than once"));
        }
        dry_run = Some(match value.as_ref() {
            "true" => true,
            "false" => false,
            _ => return Err(AppError::invalid("dry_run", "must be true or false")),
        });
    }
    Ok(dry_run.unwrap_or(false))
}

/// Live recheck (POST or GET), rate-limited per merchant; `?dry_run=true` changes nothing.
pub async fn recheck(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let (_, auth) = authenticated(&state, &req, payload).await?;
    let dry_run = parse_dry_run(req.query_string())?;
    let id = payment_id(&path)?;
    state.orch.take_recheck_budget(&auth.merchant_id).await?;
    let result = state
        .orch
        .recheck(Some(&auth.merchant_id), &id, Source::Recheck, dry_run)
        .await?;
    Ok(json_response(200, &result.to_json(state.orch.now())))
}

/// The cancel body is optional; when present it may carry only the idempotency key.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelBody {
    idempotency_key: Option<String>,
}

pub async fn cancel(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let (body, auth) = authenticated(&state, &req, payload).await?;
    let id = payment_id(&path)?;
    let body_key = if body.is_empty() {
        None
    } else {
        parse_json::<CancelBody>(&body)?.idempotency_key
    };
    let key = resolve_idempotency_key(body_key.as_deref(), idempotency_header(&req))?;
    let scope = key_scope(&req, &auth, &body, key.as_deref());
    let merchant = auth.merchant_id.clone();
    let answer = state
        .orch
        .keyed(scope, keyed::PAYMENT_CANCELLED, |_| {
            state.orch.cancel(&merchant, &id)
        })
        .await?;
    Ok(keyed::response(answer))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
    provider: Option<String>,
    order_id: Option<String>,
    created_after: Option<String>,
    created_before: Option<String>,
    limit: Option<String>,
    starting_after: Option<String>,
    /// Admin list only.
    merchant_id: Option<String>,
}

fn parse_time(field: &str, raw: &Option<String>) -> Result<Option<DateTime<Utc>>> {
    raw.as_deref()
        .map(|s| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    AppError::invalid(
                        field,
                        "must be an RFC 3339 time such as 2026-11-21T10:00:00Z",
                    )
                })
        })
        .transpose()
}

/// Parses list filters; shared by the merchant list and the admin list.
pub fn parse_list_query(
    req: &HttpRequest,
    admin: bool,
) -> Result<(ListFilter, i64, Option<String>)> {
    let q = web::Query::<ListQuery>::from_query(req.query_string()).map_err(|e| {
        AppError::InvalidRequest {
            message: format!("invalid query: {e}"),
            fields: vec![],
        }
    })?;
    if q.merchant_id.is_some() && !admin {
        return Err(AppError::invalid("merchant_id", "is not a known field"));
    }
    if let Some(s) = &q.status {
        PaymentStatus::parse(s)
            .ok_or_else(|| AppError::invalid("status", "is not a payment status"))?;
    }
    if let Some(p) = &q.provider {
        ProviderId::parse(p)
            .ok_or_else(|| AppError::invalid("provider", "is not a known provider"))?;
    }
    let limit = match &q.limit {
        None => 20,
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return Err(AppError::invalid(
                    "limit",
                    "must be a whole number from 1 to 100",
                ))
            }
        },
    };
    let after = match &q.starting_after {
        None => None,
        Some(c) => Some(decode_cursor(c).ok_or_else(|| {
            AppError::invalid("starting_after", "is not a cursor from a previous page")
        })?),
    };
    let filter = ListFilter {
        status: q.status.clone(),
        provider: q.provider.clone(),
        order_id: q.order_id.clone(),
        created_after: parse_time("created_after", &q.created_after)?,
        created_before: parse_time("created_before", &q.created_before)?,
        after,
        ..Default::default()
    };
    Ok((filter, limit, q.merchant_id.clone()))
}

pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let (_, auth) = authenticated(&state, &req, payload).await?;
    let (filter, limit, _) = parse_list_query(&req, false)?;
    Ok(json_bytes_response(
        200,
        state
            .orch
            .list(Some(&auth.merchant_id), &filter, limit)
            .await?
            .into_json(),
    ))
}

pub async fn timeline(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let (_, auth) = authenticated(&state, &req, payload).await?;
    let id = payment_id(&path)?;
    Ok(json_response(
        200,
        &state.orch.timeline(&auth.merchant_id, &id).await?,
    ))
}
