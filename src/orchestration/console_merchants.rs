//! What the console's merchant pages read: the list, and one merchant's file (profile, every
//! gateway account, the secrets in use: how many and until when, never their values). Changes
//! go through the existing use cases: `account_settings.rs`, `merchants.rs::rotate_secret`,
//! `ops.rs::test_webhook`, `merchant_profile.rs::update_merchant_profile` (the admin API's
//! `PATCH /v1/admin/merchants/{id}`: the same checks, so the same refusals).

use super::console_actions::OPERATOR;
use super::merchant_profile::ProfileUpdate;
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

    /// A profile change from the console: the admin API's use case, then a log line naming
    /// the operator (merchants have no timeline to write to).
    pub async fn edit_profile_from_console(
        &self,
        merchant_id: &str,
        update: &ProfileUpdate,
    ) -> AppResult<MerchantRow> {
        let row = self.update_merchant_profile(merchant_id, update).await?;
        tracing::info!(
            merchant_id,
            operator = OPERATOR,
            action = "console.profile",
            signature_policy = %row.signature_policy,
            display_name_set = row.display_name.is_some(),
            logo_url_set = row.logo_url.is_some(),
            "merchant profile changed"
        );
        Ok(row)
    }
}
