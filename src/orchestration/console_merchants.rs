//! What the console's merchant pages read: the list, and one merchant's file (profile, every
//! gateway account, the secrets in use: how many and until when, never their values). Changes
//! go through the existing use cases: `account_settings.rs`, `merchants.rs::rotate_secret`,
//! `ops.rs::test_webhook`.

use super::Orchestrator;
use crate::error::{AppError, AppResult};
use crate::store::{self, accounts::AccountRow, merchants::MerchantRow};
use chrono::{DateTime, Utc};

/// The list shows at most this many merchants, newest first.
pub const MERCHANT_LIST_LIMIT: i64 = 500;

pub struct MerchantFile {
    pub merchant: MerchantRow,
    pub accounts: Vec<AccountRow>,
    /// Each valid secret's end of grace, newest first (`None`: the current secret).
    pub secrets: Vec<Option<DateTime<Utc>>>,
}

impl Orchestrator {
    pub async fn list_merchants(&self) -> AppResult<Vec<MerchantRow>> {
        let mut conn = self.db.acquire().await?;
        Ok(store::merchants::list(&mut conn, MERCHANT_LIST_LIMIT).await?)
    }

    pub async fn merchant_file(&self, merchant_id: &str) -> AppResult<MerchantFile> {
        let mut conn = self.db.acquire().await?;
        let merchant = store::merchants::get(&mut conn, merchant_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let secrets = store::merchants::active_secrets(&mut conn, merchant_id, self.now())
            .await?
            .into_iter()
            .map(|s| s.expires_at)
            .collect();
        Ok(MerchantFile {
            accounts: store::accounts::for_merchant(&mut conn, merchant_id).await?,
            merchant,
            secrets,
        })
    }
}
