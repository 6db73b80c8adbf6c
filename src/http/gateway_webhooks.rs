//! `POST /v1/webhooks/{provider}/{account_id}/`: the raw bytes and headers go to the use case,
//! which answers in the gateway's own terms. The per-account rate limit of journalled
//! deliveries is this instance's ([`super::WebhookLimiters`]); a body over the size limit is
//! refused (413) before anything is stored, and counted like the other deliveries not kept.

use super::body::read_body;
use super::AppState;
use crate::error::AppError;
use crate::orchestration::webhooks::ReceivedWebhook;
use crate::providers::ProviderId;
use actix_web::{web, HttpRequest, HttpResponse};

pub async fn receive(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let (provider, account_id) = path.into_inner();
    let body = match read_body(&req, payload).await {
        Ok(body) => body,
        Err(err) => {
            let label = ProviderId::parse(&provider).map_or("unknown", ProviderId::as_str);
            let reason = match err {
                AppError::PayloadTooLarge(_) => "too_large",
                _ => "unreadable",
            };
            state.orch.metrics.observe_webhook_dropped(label, reason);
            return Err(err);
        }
    };
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_ascii_lowercase(), v.to_owned()))
        })
        .collect();
    let received = ReceivedWebhook {
        provider: &provider,
        account_id: &account_id,
        headers: &headers,
        path: req.path(),
        body: &body,
    };
    let limiters = &state.webhook_limiters;
    let ack = state
        .orch
        .ingest_webhook(&received, |account, verified| {
            limiters.admit(account, verified)
        })
        .await?;
    let status = actix_web::http::StatusCode::from_u16(ack.status)
        .unwrap_or(actix_web::http::StatusCode::OK);
    Ok(HttpResponse::build(status)
        .content_type(ack.content_type)
        .body(ack.body))
}
