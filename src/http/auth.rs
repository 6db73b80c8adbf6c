//! Merchant request authentication (design §1.1) and the admin bearer token.
//!
//! The signed message is the `X-Timestamp` string followed by the raw body bytes; a request with
//! no body signs the request target (path and query as sent) instead, so a signature for one
//! payment's GET cannot be reused for another's. Every failure but a stale timestamp answers the
//! same `invalid_signature`; the log says which part failed.

use super::AppState;
use crate::crypto::{self, constant_time_eq};
use crate::error::AppError;
use actix_web::http::header::HeaderName;
use actix_web::{HttpMessage, HttpRequest};
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretSlice};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

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

const MERCHANT_ID: HeaderName = HeaderName::from_static("x-merchant-id");
const TIMESTAMP: HeaderName = HeaderName::from_static("x-timestamp");
const SIGNATURE: HeaderName = HeaderName::from_static("x-hmac-signature");

/// Looked up by a prepared name: a `&str` name is parsed again on every lookup.
fn header<'a>(req: &'a HttpRequest, name: &HeaderName) -> Option<&'a str> {
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
        header(req, &MERCHANT_ID),
        header(req, &TIMESTAMP),
        header(req, &SIGNATURE),
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
    verify_signature(
        state,
        merchant_id,
        &[timestamp.as_bytes(), signed],
        signature,
    )
    .await?;
    req.extensions_mut()
        .insert(MerchantTag(merchant_id.to_owned()));
    Ok(Authenticated {
        merchant_id: merchant_id.to_owned(),
        signature: signature.to_ascii_lowercase(),
        timestamp: ts,
    })
}

/// A merchant's active secrets in the clear, newest first.
type Keys = Arc<Vec<SecretSlice<u8>>>;

struct Cached {
    keys: Keys,
    loaded: Instant,
    /// The earliest end of a grace period among the keys: the entry is never used past it.
    valid_until: Option<DateTime<Utc>>,
}

/// Decrypted merchant secrets kept for a few seconds (`security.secret_cache_secs`), so a signed
/// request costs neither a database round trip nor an AES-GCM open (issue 7: this was half the
/// database work of `verify`). A signature that none of the cached keys match is checked again
/// against the database, so a secret made by a rotation works at once; a rotated-out secret
/// stops at its grace end exactly. Only a secret whose grace is cut short by a second rotation
/// may still pass on another instance for up to the cache time (this instance forgets at once).
pub struct SecretCache {
    ttl: std::time::Duration,
    entries: Mutex<HashMap<String, Cached>>,
}

/// Bounds memory against many merchants: past this the cache starts over.
const MAX_CACHED_MERCHANTS: usize = 10_000;

impl SecretCache {
    pub fn new(ttl_secs: u64) -> Self {
        Self {
            ttl: std::time::Duration::from_secs(ttl_secs),
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, merchant_id: &str, now: DateTime<Utc>) -> Option<Keys> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let hit = entries.get(merchant_id)?;
        (hit.loaded.elapsed() < self.ttl && hit.valid_until.is_none_or(|t| now < t))
            .then(|| hit.keys.clone())
    }

    fn put(&self, merchant_id: &str, keys: Keys, valid_until: Option<DateTime<Utc>>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_CACHED_MERCHANTS {
            entries.clear();
        }
        let loaded = Instant::now();
        entries.insert(
            merchant_id.to_owned(),
            Cached {
                keys,
                loaded,
                valid_until,
            },
        );
    }

    /// After a rotation on this instance.
    pub fn forget(&self, merchant_id: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(merchant_id);
    }
}

fn matches(keys: &[SecretSlice<u8>], message: &[&[u8]], signature: &str) -> bool {
    keys.iter()
        .any(|k| crypto::verify_hex(k.expose_secret(), message, signature))
}

/// Checks `signature` (hex HMAC of `message`, constant-time) against every active secret of the
/// merchant. Unknown merchant and wrong signature are the same answer.
async fn verify_signature(
    state: &AppState,
    merchant_id: &str,
    message: &[&[u8]],
    signature: &str,
) -> Result<(), AppError> {
    let now = state.orch.now();
    if let Some(keys) = state.secret_cache.get(merchant_id, now) {
        if matches(&keys, message, signature) {
            return Ok(());
        }
    }
    let rows = {
        let mut conn = state.orch.db.acquire().await?;
        crate::store::merchants::active_secrets(&mut conn, merchant_id, now).await?
    };
    if rows.is_empty() {
        tracing::info!(
            merchant_id,
            "authentication failed: unknown merchant or no active secret"
        );
        return Err(AppError::InvalidSignature);
    }
    let mut keys = Vec::with_capacity(rows.len());
    for row in &rows {
        let aad = crate::orchestration::merchants::secret_aad(&row.id);
        let plain = state
            .orch
            .secrets
            .open(&row.secret_enc, &aad)
            .map_err(|e| AppError::Internal(e.into()))?;
        keys.push(SecretSlice::from(plain));
    }
    let valid_until = rows.iter().filter_map(|r| r.expires_at).min();
    let ok = matches(&keys, message, signature);
    state
        .secret_cache
        .put(merchant_id, Arc::new(keys), valid_until);
    if ok {
        Ok(())
    } else {
        tracing::info!(
            merchant_id,
            "authentication failed: signature does not match"
        );
        Err(AppError::InvalidSignature)
    }
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
    let given = header(req, &actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if constant_time_eq(given.trim().as_bytes(), expected.expose_secret().as_bytes()) {
        Ok(())
    } else {
        Err(AppError::Unauthorized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> Keys {
        Arc::new(vec![SecretSlice::from(secret.as_bytes().to_vec())])
    }

    #[test]
    fn cached_secrets_end_with_their_grace_period_and_on_forget() {
        let cache = SecretCache::new(60);
        let now = Utc::now();
        cache.put("mer_a", keys("s1"), Some(now + Duration::seconds(10)));
        assert!(cache.get("mer_a", now).is_some());
        assert!(cache.get("mer_a", now + Duration::seconds(10)).is_none());
        cache.put("mer_b", keys("s2"), None);
        let hit = cache.get("mer_b", now).unwrap();
        assert!(matches(
            &hit,
            &[b"1", b"/x"],
            &crypto::hmac_hex(b"s2", &[b"1", b"/x"])
        ));
        assert!(!matches(
            &hit,
            &[b"1", b"/x"],
            &crypto::hmac_hex(b"s1", &[b"1", b"/x"])
        ));
        cache.forget("mer_b");
        assert!(cache.get("mer_b", now).is_none());
    }

    #[test]
    fn a_zero_cache_time_keeps_nothing() {
        let cache = SecretCache::new(0);
        cache.put("mer_a", keys("s1"), None);
        assert!(cache.get("mer_a", Utc::now()).is_none());
    }
}
