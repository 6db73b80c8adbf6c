//! What authenticating a merchant's request reads and writes: the merchant's signing keys,
//! opened, and the replay guard that spends each signature once. `http::auth` decides whether a
//! request is authentic (and caches the keys for a few seconds); these are its only trips to
//! the database, so the handle stays with the use cases.

use super::merchants::secret_aad;
use super::Orchestrator;
use crate::domain::request_signing::SignaturePolicy;
use crate::error::{AppError, AppResult};
use crate::store::{self, replays::Seen};
use chrono::{DateTime, Utc};
use secrecy::SecretSlice;

/// A merchant's active secrets in the clear, its signature policy, and when the first of the
/// secrets expires (a cache must not keep them past that).
pub struct SigningKeys {
    pub secrets: Vec<SecretSlice<u8>>,
    pub policy: SignaturePolicy,
    pub valid_until: Option<DateTime<Utc>>,
}

impl Orchestrator {
    /// The merchant's signing keys; `None` for an unknown merchant or one with no active secret.
    pub async fn signing_keys(&self, merchant_id: &str) -> AppResult<Option<SigningKeys>> {
        let rows = {
            let mut conn = self.db.acquire().await?;
            store::merchants::active_secrets(&mut conn, merchant_id, self.now()).await?
        };
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let policy = SignaturePolicy::from_stored(&first.signature_policy);
        let mut secrets = Vec::with_capacity(rows.len());
        for row in &rows {
            let plain = self
                .secrets
                .open(&row.secret_enc, &secret_aad(&row.id))
                .map_err(|e| AppError::Internal(e.into()))?;
            secrets.push(SecretSlice::from(plain));
        }
        let valid_until = rows.iter().filter_map(|r| r.expires_at).min();
        Ok(Some(SigningKeys {
            secrets,
            policy,
            valid_until,
        }))
    }

    /// Records a signature as spent until `until`, or says where it was spent before. The
    /// database holds it, so every instance sees it.
    pub async fn spend_signature(
        &self,
        merchant_id: &str,
        signature: &str,
        method: &str,
        path: &str,
        until: DateTime<Utc>,
    ) -> AppResult<Seen> {
        let mut conn = self.db.acquire().await?;
        Ok(
            store::replays::remember(&mut conn, merchant_id, signature, method, path, until)
                .await?,
        )
    }
}
