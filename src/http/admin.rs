//! `/v1/admin/…`: merchants, secrets, gateway accounts, the cross-merchant list, the audit.

use super::auth::require_admin;
// Every admin body is JSON (or empty): 415 otherwise.
use super::content_type::read_json_body as read_body;
use super::json_body::parse_json;
use super::payments::parse_list_query;
use super::{json_bytes_response, json_response, AppState};
use crate::domain::ids::MerchantId;
use crate::domain::request_signing::SignaturePolicy;
use crate::error::AppError;
use crate::orchestration::accounts::ConnectRequest;
use crate::orchestration::merchant_profile::ProfileUpdate;
use crate::orchestration::ops::BulkRecheck;
use crate::store::merchants::MerchantRow;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;
use serde_json::json;

type Result<T> = std::result::Result<T, AppError>;

fn merchant_id(raw: &str) -> Result<String> {
    MerchantId::parse(raw)
        .map(|m| m.to_string())
        .ok_or(AppError::NotFound)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateMerchant {
    name: String,
    webhook_url: Option<String>,
    display_name: Option<String>,
    logo_url: Option<String>,
    signature_policy: Option<SignaturePolicy>,
}

/// A merchant as the admin API and the CLI show it (never its secrets).
pub fn merchant_json(m: &MerchantRow) -> serde_json::Value {
    json!({
        "id": m.id,
        "name": m.name,
        "webhook_url": m.webhook_url,
        "display_name": m.display_name,
        "logo_url": m.logo_url,
        "signature_policy": m.signature_policy,
    })
}

pub async fn create_merchant(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse> {
    require_admin(&state, &req)?;
    let body: CreateMerchant = parse_json(&read_body(&req, payload).await?)?;
    let profile = ProfileUpdate {
        display_name: body.display_name.map(Some),
        logo_url: body.logo_url.map(Some),
        signature_policy: body.signature_policy,
    };
    let m = state
        .orch
        .create_merchant(&body.name, body.webhook_url.as_deref(), &profile)
        .await?;
    let mut out = merchant_json(&m.merchant);
    out["secret"] = m.secret.expose_secret().into();
    Ok(json_response(201, &out))
}

/// `PATCH /v1/admin/merchants/{id}`: the hosted page's display name and logo, and the signing
/// policy.
pub async fn update_merchant(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse> {
    require_admin(&state, &req)?;
    let id = merchant_id(&path)?;
    let update: ProfileUpdate = parse_json(&read_body(&req, payload).await?)?;
    let m = state.orch.update_merchant_profile(&id, &update).await?;
    if update.signature_policy.is_some() {
        state.secret_cache.forget(&id);
    }
    Ok(json_response(200, &merchant_json(&m)))
}

/// `GET /v1/admin/merchants/{id}`: the merchant as `PATCH` answers it (never a secret), so a
/// change made elsewhere (the console) can be read back.
pub async fn get_merchant(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    require_admin(&state, &req)?;
    let id = merchant_id(&path)?;
    let m = state.orch.merchant(&id).await?;
    Ok(json_response(200, &merchant_json(&m)))
}

pub async fn rotate_secret(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    require_admin(&state, &req)?;
    let id = merchant_id(&path)?;
    let (secret, previous_valid_until) = state.orch.rotate_secret(&id).await?;
    state.secret_cache.forget(&id);
    Ok(json_response(
        201,
        &json!({
            "merchant_id": id,
            "secret": secret.expose_secret(),
            "previous_secret_valid_until": crate::orchestration::views::ts(previous_valid_until),
        }),
    ))
}

pub async fn connect_provider(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> Result<HttpResponse> {
    require_admin(&state, &req)?;
    let (merchant, provider) = path.into_inner();
    let id = merchant_id(&merchant)?;
    let body = read_body(&req, payload).await?;
    crate::orchestration::json_fields::check(&body, ConnectRequest::FIELDS)?;
    let body: ConnectRequest = parse_json(&body)?;
    Ok(json_response(
        200,
        &state.orch.connect_provider(&id, &provider, body).await?,
    ))
}

pub async fn list_payments(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse> {
    require_admin(&state, &req)?;
    let (filter, limit, merchant) = parse_list_query(&req, true)?;
    Ok(json_bytes_response(
        200,
        state
            .orch
            .list(merchant.as_deref(), &filter, limit)
            .await?
            .into_json(),
    ))
}

pub async fn bulk_recheck(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse> {
    require_admin(&state, &req)?;
    let body = read_body(&req, payload).await?;
    let request: BulkRecheck = if body.is_empty() {
        Default::default()
    } else {
        crate::orchestration::json_fields::check(&body, BulkRecheck::FIELDS)?;
        parse_json(&body)?
    };
    Ok(json_response(
        200,
        &state.orch.bulk_recheck(&request, &|_, _| {}).await?,
    ))
}

pub async fn redeliver(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    require_admin(&state, &req)?;
    Ok(json_response(202, &state.orch.redeliver(&path).await?))
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TestWebhook {
    url: Option<String>,
}

pub async fn test_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse> {
    require_admin(&state, &req)?;
    let id = merchant_id(&path)?;
    let body = read_body(&req, payload).await?;
    let request: TestWebhook = if body.is_empty() {
        TestWebhook::default()
    } else {
        parse_json(&body)?
    };
    Ok(json_response(
        200,
        &state
            .orch
            .test_webhook(&id, request.url.as_deref(), &state.delivery)
            .await?,
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    limit: Option<String>,
}

/// Findings an audit answer holds unless `limit` says otherwise, and at most.
const AUDIT_LIMIT: (usize, usize) = (100, 1000);

/// `GET /v1/admin/audit`: the store's invariant audit (the same as `payrail audit`), with the
/// first `limit` findings and the total count.
pub async fn audit(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse> {
    require_admin(&state, &req)?;
    let invalid_limit = || {
        AppError::invalid(
            "limit",
            format!("must be a whole number from 1 to {}", AUDIT_LIMIT.1),
        )
    };
    let q = web::Query::<AuditQuery>::from_query(req.query_string()).map_err(|e| {
        AppError::InvalidRequest {
            message: format!("invalid query: {e}"),
            fields: vec![],
        }
    })?;
    let limit = match &q.limit {
        None => AUDIT_LIMIT.0,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=AUDIT_LIMIT.1).contains(&n) => n,
            _ => return Err(invalid_limit()),
        },
    };
    let report = state.orch.audit_report(limit).await?;
    Ok(json_response(200, &report))
}
