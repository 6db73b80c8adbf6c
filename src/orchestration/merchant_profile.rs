//! What customers see of a merchant on the hosted checkout page: a display name and a logo.
//!
//! Both are merchant-controlled text that ends up in HTML, so they are checked here (length,
//! control characters, an https logo URL) and escaped again by the page template.

use super::Orchestrator;
use crate::domain::request_signing::SignaturePolicy;
use crate::domain::urls::validate_merchant_url;
use crate::error::{AppError, AppResult};
use crate::store::{self, merchants::MerchantRow};
use serde::{Deserialize, Deserializer};

/// A change to the merchant's settings (the hosted page's profile and the signing policy): an
/// absent field is kept, `null` clears a profile field.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    #[serde(default, deserialize_with = "present")]
    pub display_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub logo_url: Option<Option<String>>,
    pub signature_policy: Option<SignaturePolicy>,
}

/// Tells "absent" (the `default`, `None`) from "null" (`Some(None)`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

pub const MAX_DISPLAY_NAME: usize = 100;

impl ProfileUpdate {
    pub fn is_empty(&self) -> bool {
        self.display_name.is_none() && self.logo_url.is_none() && self.signature_policy.is_none()
    }
}

impl Orchestrator {
    /// Checks a profile change without applying it (the fields that are set).
    pub fn check_profile(&self, update: &ProfileUpdate) -> AppResult<()> {
        let mut fields = Vec::new();
        if let Some(Some(name)) = &update.display_name {
            let n = name.trim().chars().count();
            if n == 0 || n > MAX_DISPLAY_NAME || name.chars().any(char::is_control) {
                fields.push((
                    "display_name".to_owned(),
                    format!("must be 1 to {MAX_DISPLAY_NAME} printable characters"),
                ));
            }
        }
        if let Some(Some(url)) = &update.logo_url {
            if let Err(problem) = validate_merchant_url(url, &self.url_policy(), false) {
                fields.push(("logo_url".to_owned(), problem));
            }
        }
        if fields.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
        Err(AppError::InvalidRequest {
            message: format!("invalid fields: {}", names.join(", ")),
            fields,
        })
    }

    /// Applies a checked profile change inside the caller's transaction.
    pub(super) async fn write_profile(
        &self,
        conn: &mut store::Conn,
        merchant_id: &str,
        update: &ProfileUpdate,
    ) -> AppResult<MerchantRow> {
        let current = store::merchants::get(conn, merchant_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let pick = |change: &Option<Option<String>>, now: Option<String>| match change {
            Some(new) => new.as_deref().map(|s| s.trim().to_owned()),
            None => now,
        };
        let display_name = pick(&update.display_name, current.display_name);
        let logo_url = pick(&update.logo_url, current.logo_url);
        let policy = update
            .signature_policy
            .map_or(current.signature_policy, |p| p.as_str().to_owned());
        store::merchants::set_profile(
            conn,
            merchant_id,
            display_name.as_deref(),
            logo_url.as_deref(),
            &policy,
        )
        .await?
        .ok_or(AppError::NotFound)
    }

    /// `PATCH /v1/admin/merchants/{id}`: changes what the hosted page shows.
    pub async fn update_merchant_profile(
        &self,
        merchant_id: &str,
        update: &ProfileUpdate,
    ) -> AppResult<MerchantRow> {
        self.check_profile(update)?;
        let mut tx = self.db.begin().await?;
        let row = self.write_profile(&mut tx, merchant_id, update).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// `GET /v1/admin/merchants/{id}`: one merchant, as stored.
    pub async fn merchant(&self, merchant_id: &str) -> AppResult<MerchantRow> {
        let mut conn = self.db.acquire().await?;
        store::merchants::get(&mut conn, merchant_id)
            .await?
            .ok_or(AppError::NotFound)
    }
}
