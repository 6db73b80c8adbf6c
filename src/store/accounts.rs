//! Gateway accounts a merchant has connected (credentials sealed at rest).

use super::{on_conn, Conn};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: String,
    pub merchant_id: String,
    pub provider: String,
    pub credentials_enc: Vec<u8>,
    pub base_url: String,
    pub enabled: bool,
    pub priority: i32,
    pub currencies: String,
    pub methods: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub struct UpsertAccount<'a> {
    pub id: &'a str,
    pub merchant_id: &'a str,
    pub provider: &'a str,
    pub credentials_enc: &'a [u8],
    pub base_url: &'a str,
    pub enabled: bool,
    pub priority: i32,
    pub currencies: &'a str,
    pub methods: &'a str,
}

/// Connects or reconnects (one account per merchant and gateway; the id is kept on update so
/// the webhook URL registered at the gateway stays valid).
pub async fn upsert(conn: &mut Conn, a: &UpsertAccount<'_>) -> sqlx::Result<AccountRow> {
    on_conn!(conn, c => sqlx::query_as(
        "INSERT INTO provider_accounts
            (id, merchant_id, provider, credentials_enc, base_url, enabled, priority, currencies, methods,
             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (merchant_id, provider) DO UPDATE SET
            credentials_enc = EXCLUDED.credentials_enc, base_url = EXCLUDED.base_url,
            enabled = EXCLUDED.enabled, priority = EXCLUDED.priority,
            currencies = EXCLUDED.currencies, methods = EXCLUDED.methods, updated_at = EXCLUDED.updated_at
         RETURNING *",
    )
    .bind(a.id)
    .bind(a.merchant_id)
    .bind(a.provider)
    .bind(a.credentials_enc)
    .bind(a.base_url)
    .bind(a.enabled)
    .bind(a.priority)
    .bind(a.currencies)
    .bind(a.methods)
    .bind(Utc::now())
    .fetch_one(c)
    .await)
}

pub async fn get(conn: &mut Conn, id: &str) -> sqlx::Result<Option<AccountRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT * FROM provider_accounts WHERE id = $1")
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// The merchant's enabled accounts, best priority (lowest number) first.
pub async fn enabled_for_merchant(
    conn: &mut Conn,
    merchant_id: &str,
) -> sqlx::Result<Vec<AccountRow>> {
    on_conn!(conn, c => sqlx::query_as(
        "SELECT * FROM provider_accounts WHERE merchant_id = $1 AND enabled ORDER BY priority, created_at",
    )
    .bind(merchant_id)
    .fetch_all(c)
    .await)
}

/// Every account of the merchant, enabled or not, best priority first.
pub async fn for_merchant(conn: &mut Conn, merchant_id: &str) -> sqlx::Result<Vec<AccountRow>> {
    on_conn!(conn, c => sqlx::query_as(
        "SELECT * FROM provider_accounts WHERE merchant_id = $1 ORDER BY priority, created_at",
    )
    .bind(merchant_id)
    .fetch_all(c)
    .await)
}

/// How the account is routed to (credentials and base URL untouched); `None` when the merchant
/// has no such account.
pub struct AccountSettings<'a> {
    pub enabled: bool,
    pub priority: i32,
    /// JSON arrays, as `upsert` stores them.
    pub currencies: &'a str,
    pub methods: &'a str,
}

pub async fn set_settings(
    conn: &mut Conn,
    merchant_id: &str,
    id: &str,
    s: &AccountSettings<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<AccountRow>> {
    on_conn!(conn, c => sqlx::query_as(
        "UPDATE provider_accounts SET enabled = $3, priority = $4, currencies = $5, methods = $6,
            updated_at = $7
         WHERE merchant_id = $1 AND id = $2 RETURNING *",
    )
    .bind(merchant_id)
    .bind(id)
    .bind(s.enabled)
    .bind(s.priority)
    .bind(s.currencies)
    .bind(s.methods)
    .bind(now)
    .fetch_optional(c)
    .await)
}
