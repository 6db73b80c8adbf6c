//! The ops console's sessions (docs/console.md): a browser signed in with the admin token holds
//! an opaque random id; the store keeps only its SHA-256 and when it ends, so sessions survive
//! a restart, are shared by every instance and end everywhere when their row is deleted
//! (sign-out, or the clean-up pass once expired: `housekeeping.rs`).

use super::Orchestrator;
use crate::crypto;
use crate::error::AppResult;
use crate::store;
use chrono::{DateTime, Utc};

/// How long a console session lasts from sign-in.
pub const SESSION_HOURS: i64 = 12;

/// A session just opened: the id for the cookie (never stored) and when it ends.
pub struct OpenedSession {
    pub id: String,
    pub expires_at: DateTime<Utc>,
}

fn id_hash(id: &str) -> String {
    crypto::sha256_hex(id.as_bytes())
}

impl Orchestrator {
    /// Opens a session (the caller has checked the admin token).
    pub async fn open_console_session(&self) -> AppResult<OpenedSession> {
        let id = crypto::random_token(32);
        let now = self.now();
        let expires_at = now + chrono::Duration::hours(SESSION_HOURS);
        let mut conn = self.db.acquire().await?;
        store::console_sessions::insert(&mut conn, &id_hash(&id), now, expires_at).await?;
        Ok(OpenedSession { id, expires_at })
    }

    /// True when `id` names a session that has not ended.
    pub async fn console_session_live(&self, id: &str) -> AppResult<bool> {
        let mut conn = self.db.acquire().await?;
        let until =
            store::console_sessions::live_until(&mut conn, &id_hash(id), self.now()).await?;
        Ok(until.is_some())
    }

    /// Ends the session (sign-out); ending one already gone is not an error.
    pub async fn close_console_session(&self, id: &str) -> AppResult<()> {
        let mut conn = self.db.acquire().await?;
        store::console_sessions::delete(&mut conn, &id_hash(id)).await?;
        Ok(())
    }
}
