//! Merchant request authentication (docs/signing.md; the admin token: docs/api.md, "Authentication") and the admin bearer token.
//!
//! What a signature covers is decided in `domain::request_signing` (v1, the seed's recipe, and
//! v2, which binds method, target, idempotency key and body). Because v1 binds a body-signed
//! request to nothing but its timestamp, every signature accepted on a state-changing request is
//! single-use per merchant, across all endpoints, whatever idempotency key it carries
//! ([`consume_signature`]). Every failure but a stale timestamp or a replay answers the same
//! `invalid_signature`; the log says which part failed.

use super::secret_cache::{Keys, MerchantKeys};
use super::AppState;
use crate::crypto::{constant_time_eq, HmacKey};
use crate::domain::request_signing::{
    accepted_messages, parse_timestamp, SignatureVersion, SignedParts,
};
use crate::error::AppError;
use crate::store::replays::Seen;
use actix_web::http::header::HeaderName;
use actix_web::{HttpMessage, HttpRequest};
use chrono::{Duration, Utc};
use secrecy::ExposeSecret;
use std::sync::Arc;

/// A request whose signature checked out.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub merchant_id: String,
    pub signature: String,
    pub timestamp: i64,
    pub version: SignatureVersion,
}

/// The merchant id, stored on the request for the access log.
#[derive(Clone)]
pub struct MerchantTag(pub String);

const MERCHANT_ID: HeaderName = HeaderName::from_static("x-merchant-id");
const TIMESTAMP: HeaderName = HeaderName::from_static("x-timestamp");
const SIGNATURE: HeaderName = HeaderName::from_static("x-hmac-signature");
const SIGNATURE_VERSION: HeaderName = HeaderName::from_static("x-signature-version");
const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

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

fn refuse(merchant_id: &str, why: &str) -> AppError {
    tracing::info!(merchant_id, "authentication failed: {why}");
    AppError::InvalidSignature
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
        return Err(refuse("-", "a signing header is missing"));
    };
    if crate::domain::ids::MerchantId::parse(merchant_id).is_none() {
        return Err(refuse("-", "malformed merchant id"));
    }
    let Some(version) = SignatureVersion::from_header(header(req, &SIGNATURE_VERSION)) else {
        return Err(refuse(merchant_id, "unknown X-Signature-Version"));
    };
    let Some(ts) = parse_timestamp(timestamp) else {
        return Err(refuse(merchant_id, "X-Timestamp is not decimal digits"));
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
    let header_key = header(req, &IDEMPOTENCY_KEY).unwrap_or("");
    let parts = SignedParts {
        timestamp,
        method: req.method().as_str(),
        target: request_target(req),
        idempotency_key: header_key,
        body,
    };
    verify_signature(state, merchant_id, version, &parts, signature).await?;
    req.extensions_mut()
        .insert(MerchantTag(merchant_id.to_owned()));
    Ok(Authenticated {
        merchant_id: merchant_id.to_owned(),
        signature: signature.to_ascii_lowercase(),
        timestamp: ts,
        version,
    })
}

/// Whether the signature covers an idempotency key: v2 signs the header, and both versions sign
/// the body's `idempotency_key` field. Only a replayed signature asks, so a first use never
/// parses the body here.
fn signature_covers_a_key(req: &HttpRequest, auth: &Authenticated, body: &[u8]) -> bool {
    let signed_header = auth.version == SignatureVersion::V2
        && header(req, &IDEMPOTENCY_KEY).is_some_and(|k| !k.is_empty());
    signed_header || body_idempotency_key(body).is_some()
}

/// The `idempotency_key` field of a JSON body, when there is one (the rest is parsed later).
fn body_idempotency_key(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct KeyField {
        idempotency_key: Option<String>,
    }
    if body.is_empty() {
        return None;
    }
    serde_json::from_slice::<KeyField>(body)
        .ok()
        .and_then(|k| k.idempotency_key)
}

fn matches_any(keys: &MerchantKeys, messages: &[Vec<&[u8]>], signature: &str) -> bool {
    keys.secrets
        .iter()
        .any(|k| messages.iter().any(|m| k.verify_hex(m, signature)))
}

/// Checks `signature` (hex HMAC, constant-time) over every form the merchant's policy accepts,
/// with every active secret. Unknown merchant and wrong signature are the same answer.
async fn verify_signature(
    state: &AppState,
    merchant_id: &str,
    version: SignatureVersion,
    parts: &SignedParts<'_>,
    signature: &str,
) -> Result<(), AppError> {
    let now = state.orch.now();
    if let Some(keys) = state.secret_cache.get(merchant_id, now) {
        if matches_any(
            &keys,
            &accepted_messages(version, keys.policy, parts),
            signature,
        ) {
            return Ok(());
        }
    }
    let keys = load_keys(state, merchant_id).await?;
    let messages = accepted_messages(version, keys.policy, parts);
    if messages.is_empty() {
        return Err(refuse(merchant_id, "the merchant requires signature v2"));
    }
    if matches_any(&keys, &messages, signature) {
        Ok(())
    } else {
        Err(refuse(merchant_id, "signature does not match"))
    }
}

/// The merchant's active secrets and policy from the database, cached for the next request.
async fn load_keys(state: &AppState, merchant_id: &str) -> Result<Keys, AppError> {
    let Some(found) = state.orch.signing_keys(merchant_id).await? else {
        return Err(refuse(merchant_id, "unknown merchant or no active secret"));
    };
    let keys = Arc::new(MerchantKeys {
        secrets: found
            .secrets
            .iter()
            .map(|s| HmacKey::new(s.expose_secret()))
            .collect(),
        policy: found.policy,
    });
    state
        .secret_cache
        .put(merchant_id, keys.clone(), found.valid_until);
    Ok(keys)
}

/// Spends the signature of a state-changing request: every one is single-use per merchant, on
/// every endpoint, whatever idempotency key it carries. A second use goes on (to be answered from
/// the idempotency record) only when it is the same method and path and the signature covers an
/// idempotency key; otherwise it is `replayed_request`. Remembered in the database until the
/// timestamp leaves the window, so it holds across instances.
pub async fn consume_signature(
    state: &AppState,
    req: &HttpRequest,
    auth: &Authenticated,
    body: &[u8],
) -> Result<(), AppError> {
    let tolerance = state.orch.settings.security.timestamp_tolerance_secs;
    let until = chrono::DateTime::from_timestamp(auth.timestamp, 0).unwrap_or_else(Utc::now)
        + Duration::seconds(tolerance + 1);
    let method = req.method().as_str();
    let path = req.path().trim_end_matches('/');
    let seen = state
        .orch
        .spend_signature(&auth.merchant_id, &auth.signature, method, path, until)
        .await?;
    let same_keyed_request = |m: &Option<String>, p: &Option<String>| {
        m.as_deref() == Some(method)
            && p.as_deref() == Some(path)
            && signature_covers_a_key(req, auth, body)
    };
    match seen {
        Seen::First => Ok(()),
        Seen::Before { method: m, path: p } if same_keyed_request(&m, &p) => Ok(()),
        Seen::Before { .. } => {
            tracing::info!(merchant_id = %auth.merchant_id, method, path, "replayed signed request refused");
            Err(AppError::ReplayedRequest)
        }
    }
}

/// Admin API guard: `Authorization: Bearer <token>` (the scheme in any case); the admin API does
/// not exist without a token.
pub fn require_admin(state: &AppState, req: &HttpRequest) -> Result<(), AppError> {
    let Some(expected) = &state.orch.settings.admin.token else {
        return Err(AppError::NotFound);
    };
    let given = header(req, &actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, token)| token);
    if constant_time_eq(given.trim().as_bytes(), expected.expose_secret().as_bytes()) {
        Ok(())
    } else {
        Err(AppError::Unauthorized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto;
    use crate::domain::request_signing::SignaturePolicy;

    #[test]
    fn any_active_secret_over_any_accepted_form_matches() {
        let keys = MerchantKeys {
            secrets: vec![HmacKey::new(b"new"), HmacKey::new(b"old")],
            policy: SignaturePolicy::Compatible,
        };
        let forms: Vec<Vec<&[u8]>> = vec![vec![b"1", b"/x"], vec![b"1"]];
        for (secret, form) in [(&b"old"[..], &forms[1]), (b"new", &forms[0])] {
            assert!(matches_any(&keys, &forms, &crypto::hmac_hex(secret, form)));
        }
        assert!(!matches_any(
            &keys,
            &forms,
            &crypto::hmac_hex(b"other", &forms[0])
        ));
    }

    #[test]
    fn the_idempotency_key_is_read_from_a_json_body_only() {
        assert_eq!(
            body_idempotency_key(br#"{"amount":"1.00","idempotency_key":"k"}"#),
            Some("k".into())
        );
        assert_eq!(body_idempotency_key(b"{}"), None);
        assert_eq!(body_idempotency_key(b"not json"), None);
        assert_eq!(body_idempotency_key(br#"{"idempotency_key":5}"#), None);
    }
}
