//! Merchants: creation and secret rotation (docs/signing.md, "Secrets"). Request authentication
//! lives in `http::auth`, which keeps decrypted secrets for a few seconds.

use super::merchant_profile::ProfileUpdate;
use super::Orchestrator;
use crate::crypto;
use crate::domain::ids::{MerchantId, SecretId};
use crate::domain::urls::validate_merchant_url;
use crate::error::{AppError, AppResult};
use crate::store;
use chrono::Duration;
use secrecy::{ExposeSecret, SecretString};

/// A merchant as created: the secret is shown once and never again.
pub struct CreatedMerchant {
    pub merchant: store::merchants::MerchantRow,
    pub secret: SecretString,
}

fn new_secret() -> SecretString {
    SecretString::from(format!("prl_sk_{}", crypto::random_token(32)))
}

pub(crate) fn secret_aad(secret_id: &str) -> String {
    format!("merchant_secret:{secret_id}")
}

impl Orchestrator {
    pub async fn create_merchant(
        &self,
        name: &str,
        webhook_url: Option<&str>,
        profile: &ProfileUpdate,
    ) -> AppResult<CreatedMerchant> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::invalid("name", "must be 1 to 200 characters"));
        }
        if let Some(problem) = crate::domain::text::single_line_problem(name) {
            return Err(AppError::invalid("name", problem));
        }
        if let Some(url) = webhook_url {
            validate_merchant_url(url, &self.url_policy(), true)
                .map_err(|e| AppError::invalid("webhook_url", e))?;
        }
        self.check_profile(profile)?;
        let id = MerchantId::generate();
        let secret = new_secret();
        let mut tx = self.db.begin().await?;
        store::merchants::insert(&mut tx, id.as_str(), name, webhook_url, self.now()).await?;
        self.store_secret(&mut tx, id.as_str(), &secret).await?;
        let row = self.write_profile(&mut tx, id.as_str(), profile).await?;
        tx.commit().await?;
        Ok(CreatedMerchant {
            merchant: row,
            secret,
        })
    }

    /// A new secret; the previous one stays valid for the grace period.
    pub async fn rotate_secret(
        &self,
        merchant_id: &str,
    ) -> AppResult<(SecretString, chrono::DateTime<chrono::Utc>)> {
        let mut tx = self.db.begin().await?;
        store::merchants::get(&mut tx, merchant_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let now = self.now();
        let grace_until = now + Duration::seconds(self.settings.security.secret_grace_secs);
        store::merchants::retire_secrets(&mut tx, merchant_id, now, grace_until).await?;
        let secret = new_secret();
        self.store_secret(&mut tx, merchant_id, &secret).await?;
        tx.commit().await?;
        Ok((secret, grace_until))
    }

    async fn store_secret(
        &self,
        conn: &mut store::Conn,
        merchant_id: &str,
        secret: &SecretString,
    ) -> AppResult<()> {
        let secret_id = SecretId::generate().to_string();
        let sealed = self
            .secrets
            .seal(secret.expose_secret().as_bytes(), &secret_aad(&secret_id));
        store::merchants::insert_secret(conn, &secret_id, merchant_id, &sealed, self.now()).await?;
        Ok(())
    }

    /// A merchant by id, if there is one.
    pub async fn find_merchant(
        &self,
        id: &str,
    ) -> AppResult<Option<store::merchants::MerchantRow>> {
        let mut conn = self.db.acquire().await?;
        Ok(store::merchants::get(&mut conn, id).await?)
    }

    /// The merchant's active secrets in the clear, newest first (for signing outgoing webhooks).
    pub async fn merchant_secrets(&self, merchant_id: &str) -> AppResult<Vec<SecretString>> {
        let mut conn = self.db.acquire().await?;
        let rows = store::merchants::active_secrets(&mut conn, merchant_id, self.now()).await?;
        rows.iter()
            .map(|row| {
                let plain = self
                    .secrets
                    .open(&row.secret_enc, &secret_aad(&row.id))
                    .map_err(|e| AppError::Internal(e.into()))?;
                let text = String::from_utf8(plain).map_err(|e| AppError::Internal(e.into()))?;
                Ok(SecretString::from(text))
            })
            .collect()
    }
}
