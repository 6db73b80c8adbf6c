//! Changing how a connected gateway account is routed to (enabled, priority, currencies,
//! methods) without re-entering its credentials: the console's merchant page. Checked like a
//! connection (`accounts.rs`): the priority's range, and only currencies and methods the
//! gateway offers.

use super::accounts::{check_offered, check_priority};
use super::Orchestrator;
use crate::error::{AppError, AppResult};
use crate::providers::ProviderId;
use crate::store::{self, accounts::AccountRow};

/// What the console's account form sets. Empty lists mean "whatever the gateway offers", as in
/// a connection.
#[derive(Debug, Clone)]
pub struct RoutingSettings {
    pub enabled: bool,
    pub priority: i32,
    pub currencies: Vec<String>,
    pub methods: Vec<String>,
}

impl Orchestrator {
    /// Sets the account's routing; 404 when the merchant has no such account.
    pub async fn set_account_routing(
        &self,
        merchant_id: &str,
        account_id: &str,
        s: &RoutingSettings,
    ) -> AppResult<AccountRow> {
        check_priority(s.priority)?;
        let mut conn = self.db.acquire().await?;
        let row = store::accounts::get(&mut conn, account_id)
            .await?
            .filter(|a| a.merchant_id == merchant_id)
            .ok_or(AppError::NotFound)?;
        let adapter = ProviderId::parse(&row.provider)
            .and_then(|p| self.providers.get(p))
            .ok_or_else(|| AppError::invalid("provider", "has no adapter in this build"))?;
        check_offered(
            &s.currencies,
            &s.methods,
            adapter.capabilities(),
            &row.provider,
        )?;
        let json = |v: &Vec<String>| serde_json::to_string(v).expect("strings serialize");
        let settings = store::accounts::AccountSettings {
            enabled: s.enabled,
            priority: s.priority,
            currencies: &json(&s.currencies),
            methods: &json(&s.methods),
        };
        store::accounts::set_settings(&mut conn, merchant_id, account_id, &settings, self.now())
            .await?
            .ok_or(AppError::NotFound)
    }
}
