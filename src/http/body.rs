//! Reading a request body with a hard size limit, answering 413 in the envelope.
//!
//! Handlers that verify signatures need the exact bytes received, so bodies are read raw here and
//! parsed by the use case; nothing re-serialises them.

use crate::error::AppError;
use actix_web::{web, HttpRequest};
use bytes::BytesMut;
use futures_util::StreamExt;

/// Request bodies over 64 KiB are refused (docs/api.md, "Basics"; `limits` holds every cap).
pub const MAX_BODY: usize = crate::limits::MAX_REQUEST_BODY;

pub async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
) -> Result<bytes::Bytes, AppError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_BODY) {
        return Err(AppError::PayloadTooLarge(MAX_BODY));
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::InvalidRequest {
            message: format!("could not read the body: {e}"),
            fields: vec![],
        })?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err(AppError::PayloadTooLarge(MAX_BODY));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
