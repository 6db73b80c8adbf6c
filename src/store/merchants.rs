//! Merchants and their (encrypted) API secrets.

use super::Conn;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MerchantRow {
    pub id: String,
    pub name: String,
    pub webhook_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, sqlx::FromRow)]
pub struct SecretRow {
    pub id: String,
    pub secret_enc: Vec<u8>,
}

pub async fn insert(
    conn: &mut Conn,
    id: &str,
    name: &str,
    webhook_url: Option<&str>,
) -> sqlx::Result<MerchantRow> {
    sqlx::query_as("INSERT INTO merchants (id, name, webhook_url) VALUES ($1, $2, $3) RETURNING *")
        .bind(id)
        .bind(name)
        .bind(webhook_url)
        .fetch_one(conn)
        .await
}

pub async fn get(conn: &mut Conn, id: &str) -> sqlx::Result<Option<MerchantRow>> {
    sqlx::query_as("SELECT * FROM merchants WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn insert_secret(
    conn: &mut Conn,
    id: &str,
    merchant_id: &str,
    secret_enc: &[u8],
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO merchant_secrets (id, merchant_id, secret_enc) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(merchant_id)
        .bind(secret_enc)
        .execute(conn)
        .await?;
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
    sqlx::query(
        "UPDATE merchant_secrets SET expires_at = $2 WHERE merchant_id = $1 AND expires_at > $2",
    )
    .bind(merchant_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE merchant_secrets SET expires_at = $2 WHERE merchant_id = $1 AND expires_at IS NULL",
    )
    .bind(merchant_id)
    .bind(grace_until)
    .execute(conn)
    .await?;
    Ok(())
}

/// Secrets valid at `now`, newest first.
pub async fn active_secrets(
    conn: &mut Conn,
    merchant_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<SecretRow>> {
    sqlx::query_as(
        "SELECT id, secret_enc FROM merchant_secrets
         WHERE merchant_id = $1 AND (expires_at IS NULL OR expires_at > $2)
         ORDER BY created_at DESC, id DESC",
    )
    .bind(merchant_id)
    .bind(now)
    .fetch_all(conn)
    .await
}
