//! Merchants and their (encrypted) API secrets.

use super::{on_conn, Conn};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MerchantRow {
    pub id: String,
    pub name: String,
    pub webhook_url: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Shown to customers on the hosted checkout page (else `name`).
    pub display_name: Option<String>,
    pub logo_url: Option<String>,
    /// Which signed forms its requests may use (`domain::request_signing::SignaturePolicy`).
    pub signature_policy: String,
}

#[derive(Clone, sqlx::FromRow)]
pub struct SecretRow {
    pub id: String,
    pub secret_enc: Vec<u8>,
    /// End of a rotated-out secret's grace period; `None` for the current secret.
    pub expires_at: Option<DateTime<Utc>>,
    /// The merchant's signing policy, read with its secrets for request authentication.
    pub signature_policy: String,
}

pub async fn insert(
    conn: &mut Conn,
    id: &str,
    name: &str,
    webhook_url: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<MerchantRow> {
    on_conn!(conn, c => sqlx::query_as("INSERT INTO merchants (id, name, webhook_url, created_at) VALUES ($1, $2, $3, $4) RETURNING *")
        .bind(id)
        .bind(name)
        .bind(webhook_url)
        .bind(now)
        .fetch_one(c)
        .await)
}

pub async fn get(conn: &mut Conn, id: &str) -> sqlx::Result<Option<MerchantRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT * FROM merchants WHERE id = $1")
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// What the hosted checkout page shows of the merchant (`None` clears a field) and its signing
/// policy.
pub async fn set_profile(
    conn: &mut Conn,
    id: &str,
    display_name: Option<&str>,
    logo_url: Option<&str>,
    signature_policy: &str,
) -> sqlx::Result<Option<MerchantRow>> {
    on_conn!(conn, c => sqlx::query_as("UPDATE merchants SET display_name = $2, logo_url = $3, signature_policy = $4 WHERE id = $1 RETURNING *")
        .bind(id)
        .bind(display_name)
        .bind(logo_url)
        .bind(signature_policy)
        .fetch_optional(c)
        .await)
}

pub async fn insert_secret(
    conn: &mut Conn,
    id: &str,
    merchant_id: &str,
    secret_enc: &[u8],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query("INSERT INTO merchant_secrets (id, merchant_id, secret_enc, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(merchant_id)
        .bind(secret_enc)
        .bind(now)
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Starts a rotation: the current secret stays valid until `grace_until`; one already in its
/// grace period ends now, so at most two secrets are ever active.
pub async fn retire_secrets(
    conn: &mut Conn,
    merchant_id: &str,
    now: DateTime<Utc>,
    grace_until: DateTime<Utc>,
) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE merchant_secrets SET expires_at = $2 WHERE merchant_id = $1 AND expires_at > $2",
    )
    .bind(merchant_id)
    .bind(now)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    on_conn!(conn, c => sqlx::query(
        "UPDATE merchant_secrets SET expires_at = $2 WHERE merchant_id = $1 AND expires_at IS NULL",
    )
    .bind(merchant_id)
    .bind(grace_until)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Secrets valid at `now`, newest first.
pub async fn active_secrets(
    conn: &mut Conn,
    merchant_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<SecretRow>> {
    on_conn!(conn, c => sqlx::query_as(
        "SELECT s.id, s.secret_enc, s.expires_at, m.signature_policy
         FROM merchant_secrets s JOIN merchants m ON m.id = s.merchant_id
         WHERE s.merchant_id = $1 AND (s.expires_at IS NULL OR s.expires_at > $2)
         ORDER BY s.created_at DESC, s.id DESC",
    )
    .bind(merchant_id)
    .bind(now)
    .fetch_all(c)
    .await)
}

/// Merchants, newest first, at most `limit` (the console's list).
pub async fn list(conn: &mut Conn, limit: i64) -> sqlx::Result<Vec<MerchantRow>> {
    on_conn!(conn, c => sqlx::query_as(
        "SELECT * FROM merchants ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(c)
    .await)
}
