//! `POST /v1/webhooks/{provider}/{account_id}/`: the raw bytes and headers go to the use case,
//! which answers in the gateway's own terms.

use super::body::read_body;
use super::AppState;
use crate::error::AppError;
use actix_web::{web, HttpRequest, HttpResponse};

pub async fn receive(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let (provider, account_id) = path.into_inner();
    let body = read_body(&req, payload).await?;
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_ascii_lowercase(), v.to_owned()))
        })
        .collect();
    let ack = state
        .orch
        .ingest_webhook(&provider, &account_id, &headers, req.path(), &body)
        .await?;
    let status = actix_web::http::StatusCode::from_u16(ack.status)
        .unwrap_or(actix_web::http::StatusCode::OK);
    Ok(HttpResponse::build(status)
        .content_type(ack.content_type)
        .body(ack.body))
}
