//! Merchant request authentication (design §1.1) and the admin bearer token.
//!
//! The signed message is the `X-Timestamp` string followed by the raw body bytes; a request with
//! no body signs the request target (path and query as sent) instead, so a signature for one
//! payment's GET cannot be reused for another's. Every failure but a stale timestamp answers the
//! same `invalid_signature`; the log says which part failed.

use super::AppState;
use crate::crypto::constant_time_eq;
use crate::error::AppError;
use actix_web::{HttpMessage, HttpRequest};
use chrono::{Duration, Utc};
use secrecy::ExposeSecret;

/// A request whose signature checked out.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub merchant_id: String,
    pub signature: String,
    pub timestamp: i64,
}

/// The merchant id, stored on the request for the access log.
#[derive(Clone)]
pub struct MerchantTag(pub String);

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// The path and query exactly as sent.
pub fn request_target(req: &HttpRequest) -> &str {
    req.uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/")
}

pub async fn authenticate(
    state: &AppState,
    req: &HttpRequest,
    body: &[u8],
) -> Result<Authenticated, AppError> {
    let (Some(merchant_id), Some(timestamp), Some(signature)) = (
        header(req, "x-merchant-id"),
        header(req, "x-timestamp"),
        header(req, "x-hmac-signature"),
    ) else {
        tracing::info!("authentication failed: a signing header is missing");
        return Err(AppError::InvalidSignature);
    };
    if crate::domain::ids::MerchantId::parse(merchant_id).is_none() {
        tracing::info!("authentication failed: malformed merchant id");
        return Err(AppError::InvalidSignature);
    }
    let Ok(ts) = timestamp.parse::<i64>() else {
        tracing::info!(
            merchant_id,
            "authentication failed: X-Timestamp is not a number"
        );
        return Err(AppError::InvalidSignature);
    };
    let tolerance = state.orch.settings.security.timestamp_tolerance_secs;
    if (Utc::now().timestamp() - ts).abs() > tolerance {
        tracing::info!(
            merchant_id,
            ts,
            "authentication failed: timestamp out of range"
        );
        return Err(AppError::TimestampOutOfRange);
    }
    let signed: &[u8] = if body.is_empty() {
        request_target(req).as_bytes()
    } else {
        body
    };
    state
        .orch
        .verify_merchant_signature(merchant_id, &[timestamp.as_bytes(), signed], signature)
        .await?;
    req.extensions_mut()
        .insert(MerchantTag(merchant_id.to_owned()));
    Ok(Authenticated {
        merchant_id: merchant_id.to_owned(),
        signature: signature.to_ascii_lowercase(),
        timestamp: ts,
    })
}

/// Refuses an exact replay of a signed state-changing request that carries no idempotency key.
/// Remembered in the database until the timestamp leaves the window, so it holds across instances.
pub async fn refuse_replay(state: &AppState, auth: &Authenticated) -> Result<(), AppError> {
    let tolerance = state.orch.settings.security.timestamp_tolerance_secs;
    let until = chrono::DateTime::from_timestamp(auth.timestamp, 0).unwrap_or_else(Utc::now)
        + Duration::seconds(tolerance + 1);
    let mut conn = state.orch.db.acquire().await?;
    if crate::store::replays::remember(&mut conn, &auth.merchant_id, &auth.signature, until).await?
    {
        Ok(())
    } else {
        tracing::info!(merchant_id = %auth.merchant_id, "replayed signed request refused");
        Err(AppError::ReplayedRequest)
    }
}

/// Admin API guard: `Authorization: Bearer <token>`; the admin API does not exist without a token.
pub fn require_admin(state: &AppState, req: &HttpRequest) -> Result<(), AppError> {
    let Some(expected) = &state.orch.settings.admin.token else {
        return Err(AppError::NotFound);
    };
    let given = header(req, "authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if constant_time_eq(given.trim().as_bytes(), expected.expose_secret().as_bytes()) {
        Ok(())
    } else {
        Err(AppError::Unauthorized)
    }
}
