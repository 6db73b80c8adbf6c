//! Connecting a merchant to a gateway (docs/api.md, "Admin and ops API"): credentials are checked
//! by the adapter, sealed under the master key, and never returned.

use super::json_fields::Field;
use super::Orchestrator;
use crate::domain::ids::AccountId;
use crate::domain::money::Currency;
use crate::error::{AppError, AppResult};
use crate::providers::{
    Capabilities, GatewayFailure, Method, Outcome, ProviderAdapter, ProviderId,
};
use crate::store::{self, accounts::AccountRow, accounts::UpsertAccount};
use serde::Deserialize;
use serde_json::{json, Value};

/// Associated data for sealed credentials: bound to the (merchant, provider) slot, which the
/// account keeps across reconnections.
pub fn credentials_aad(merchant_id: &str, provider: &str) -> String {
    format!("provider_credentials:{merchant_id}:{provider}")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectRequest {
    pub credentials: Value,
    pub base_url: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default = "default_priority")]
    pub priority: i32,
    #[serde(default)]
    pub currencies: Vec<String>,
    #[serde(default)]
    pub methods: Vec<String>,
}

/// `priority`'s range (lowest first; 100 when absent).
pub const PRIORITY: std::ops::RangeInclusive<i64> = 0..=1_000_000;

impl ConnectRequest {
    /// What each scalar field of the admin body must be, checked before it is deserialised.
    pub const FIELDS: &'static [Field] = &[
        Field::str("base_url").or_null(),
        Field::bool("enabled"),
        Field::int("priority", PRIORITY),
    ];
}

fn yes() -> bool {
    true
}

fn default_priority() -> i32 {
    100
}

impl Orchestrator {
    /// Connects (or reconnects) `provider` for the merchant; answers the account view.
    pub async fn connect_provider(
        &self,
        merchant_id: &str,
        provider: &str,
        req: ConnectRequest,
    ) -> AppResult<Value> {
        let provider_id = ProviderId::parse(provider).ok_or(AppError::NotFound)?;
        check_priority(req.priority)?;
        let adapter = self
            .providers
            .get(provider_id)
            .ok_or_else(|| AppError::invalid("provider", "has no adapter in this build"))?;
        adapter
            .validate_credentials(&req.credentials)
            .map_err(|e| AppError::invalid("credentials", e))?;
        let base_url = base_url_of(req.base_url.as_deref(), provider_id)?;
        let caps = adapter.capabilities();
        check_offered(&req.currencies, &req.methods, caps, provider)?;
        let row = self
            .store_account(merchant_id, provider, &req, &base_url)
            .await?;
        // Where the gateway keeps the webhook URL at the store level, the adapter registers it now.
        let registration = self
            .register_webhook(provider, adapter.as_ref(), &row)
            .await?;
        Ok(self.account_view(&row, req, caps, registration))
    }

    /// Seals the credentials under the master key, bound to the (merchant, provider) slot, and
    /// writes the account (a reconnection keeps the slot's account id).
    async fn store_account(
        &self,
        merchant_id: &str,
        provider: &str,
        req: &ConnectRequest,
        base_url: &str,
    ) -> AppResult<AccountRow> {
        let mut conn = self.db.acquire().await?;
        store::merchants::get(&mut conn, merchant_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let plain =
            serde_json::to_vec(&req.credentials).map_err(|e| AppError::Internal(e.into()))?;
        let sealed = self
            .secrets
            .seal(&plain, &credentials_aad(merchant_id, provider));
        let row = store::accounts::upsert(
            &mut conn,
            &UpsertAccount {
                id: AccountId::generate().as_str(),
                merchant_id,
                provider,
                credentials_enc: &sealed,
                base_url,
                enabled: req.enabled,
                priority: req.priority,
                currencies: &serde_json::to_string(&req.currencies).expect("strings serialize"),
                methods: &serde_json::to_string(&req.methods).expect("strings serialize"),
            },
        )
        .await?;
        Ok(row)
    }

    /// Asks the gateway to send this account's webhooks to Payrail (a no-op for gateways that
    /// take the URL per payment). A failure does not undo the connection: the view says so.
    async fn register_webhook(
        &self,
        provider: &str,
        adapter: &dyn ProviderAdapter,
        row: &AccountRow,
    ) -> AppResult<String> {
        let ctx = self.account_context(row)?;
        let registration = match self
            .metrics
            .gateway_call(provider, "register_webhook", adapter.on_connect(&ctx))
            .await
        {
            Outcome::Succeeded(()) | Outcome::Pending(()) => "ok".to_owned(),
            Outcome::Declined(r)
            | Outcome::NotSent(GatewayFailure { reason: r, .. })
            | Outcome::Unknown(GatewayFailure { reason: r, .. }) => {
                tracing::warn!(account_id = %row.id, reason = %r, "could not register the webhook URL at the gateway");
                format!("failed: {r}")
            }
        };
        Ok(registration)
    }

    /// The account as the admin API answers it: never its credentials, and the currencies and
    /// methods the gateway offers when the request named none.
    fn account_view(
        &self,
        row: &AccountRow,
        req: ConnectRequest,
        caps: &Capabilities,
        registration: String,
    ) -> Value {
        json!({
            "id": row.id,
            "merchant_id": row.merchant_id,
            "provider": row.provider,
            "base_url": row.base_url,
            "enabled": row.enabled,
            "priority": row.priority,
            "currencies": if req.currencies.is_empty() { caps.currencies.iter().map(|c| c.to_string()).collect() } else { req.currencies },
            "methods": if req.methods.is_empty() { caps.methods.iter().map(|m| m.as_str().to_string()).collect() } else { req.methods },
            "webhook_url": self.webhook_url(&row.provider, &row.id),
            "webhook_registration": registration,
            "return_url": self.account_return_url(&row.provider, &row.id),
            "created_at": super::views::ts(row.created_at),
            "updated_at": super::views::ts(row.updated_at),
        })
    }
}

/// `priority` is stored as an `i32`, but the admin contract allows only [`PRIORITY`].
pub(super) fn check_priority(priority: i32) -> AppResult<()> {
    if !PRIORITY.contains(&i64::from(priority)) {
        return Err(AppError::invalid(
            "priority",
            format!(
                "must be a whole number from {} to {}",
                PRIORITY.start(),
                PRIORITY.end()
            ),
        ));
    }
    Ok(())
}

/// The gateway's API root: the request's absolute http(s) URL without a trailing slash, or the
/// gateway's default.
fn base_url_of(requested: Option<&str>, provider_id: ProviderId) -> AppResult<String> {
    match requested {
        Some(url) => {
            let parsed = url::Url::parse(url)
                .map_err(|_| AppError::invalid("base_url", "must be an absolute URL"))?;
            if !matches!(parsed.scheme(), "https" | "http") {
                return Err(AppError::invalid("base_url", "must be an http(s) URL"));
            }
            Ok(url.trim_end_matches('/').to_owned())
        }
        None => Ok(provider_id.descriptor().default_base_url.to_owned()),
    }
}

/// An account may only narrow what its gateway offers: every currency and method it names must
/// be one the gateway takes.
pub(super) fn check_offered(
    currencies: &[String],
    methods: &[String],
    caps: &Capabilities,
    provider: &str,
) -> AppResult<()> {
    for c in currencies {
        if Currency::parse(c).is_none() || !caps.currencies.contains(&c.as_str()) {
            return Err(AppError::invalid(
                "currencies",
                format!("{c} is not a currency {provider} accepts"),
            ));
        }
    }
    for m in methods {
        match Method::parse(m) {
            Some(m) if caps.methods.contains(&m) => {}
            _ => {
                return Err(AppError::invalid(
                    "methods",
                    format!("{m} is not a method {provider} offers"),
                ))
            }
        }
    }
    Ok(())
}
