//! The console's session cookie, its CSRF token and the gate every page passes.
//!
//! The cookie holds an opaque random id (the store keeps its hash only: see
//! `orchestration/console_sessions.rs`); it is `HttpOnly`, `SameSite=Strict`, scoped to
//! `/console`, `Secure` when the public URL is https, and expires with the session. The CSRF
//! token is an HMAC of the session id, so it is bound to the session, needs no storage, and
//! means nothing once the session has ended.

use super::page::ConsoleError;
use crate::crypto;
use crate::error::AppError;
use crate::http::AppState;
use actix_web::HttpRequest;
use chrono::{DateTime, Utc};

pub const COOKIE: &str = "payrail_console";

/// A signed-in browser: its session id and the CSRF token its forms carry.
pub struct Session {
    pub id: String,
    pub csrf: String,
}

pub fn csrf_of(session_id: &str) -> String {
    crypto::hmac_hex(session_id.as_bytes(), &[b"payrail console csrf v1"])
}

/// The console exists only when an admin token is configured (like the admin API): 404 else.
pub fn require_enabled(state: &AppState) -> Result<(), ConsoleError> {
    match state.orch.settings.admin.token {
        Some(_) => Ok(()),
        None => Err(AppError::NotFound.into()),
    }
}

fn cookie_value(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(actix_web::http::header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// The gate: the request's live session, or 404 (no console) or 303 to the sign-in page.
pub async fn require(state: &AppState, req: &HttpRequest) -> Result<Session, ConsoleError> {
    require_enabled(state)?;
    let id = cookie_value(req).ok_or(ConsoleError::SignIn)?;
    if !state.orch.console_session_live(&id).await? {
        return Err(ConsoleError::SignIn);
    }
    Ok(Session {
        csrf: csrf_of(&id),
        id,
    })
}

/// A posted form's fields, once its CSRF token matches the session's (403 otherwise).
pub fn checked_form(session: &Session, body: &[u8]) -> Result<Form, ConsoleError> {
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| ConsoleError::Forbidden)?;
    let form = Form(fields);
    let given = form.get("csrf").unwrap_or_default();
    if crypto::constant_time_eq(given.as_bytes(), session.csrf.as_bytes()) {
        Ok(form)
    } else {
        Err(ConsoleError::Forbidden)
    }
}

/// Reads a posted form of a signed-in browser and checks its CSRF token.
pub async fn posted(
    state: &AppState,
    req: &HttpRequest,
    payload: actix_web::web::Payload,
) -> Result<(Session, Form), ConsoleError> {
    let session = require(state, req).await?;
    let body = crate::http::body::read_body(req, payload).await?;
    let form = checked_form(&session, &body)?;
    Ok((session, form))
}

/// A decoded `application/x-www-form-urlencoded` body.
pub struct Form(Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8]) -> Self {
        Form(serde_urlencoded::from_bytes(body).unwrap_or_default())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A field's trimmed value, `None` when absent or blank.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// A checkbox: present and `on`/`yes`/`true`.
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), Some("on" | "yes" | "true"))
    }
}

/// `Set-Cookie` starting a session.
pub fn set_cookie(state: &AppState, id: &str, expires_at: DateTime<Utc>) -> String {
    let max_age = crate::orchestration::console_sessions::SESSION_HOURS * 3600;
    format!(
        "{COOKIE}={id}; Path=/console; Max-Age={max_age}; Expires={}; HttpOnly; SameSite=Strict{}",
        expires_at.format("%a, %d %b %Y %H:%M:%S GMT"),
        secure_flag(state)
    )
}

/// `Set-Cookie` clearing the session's cookie.
pub fn clear_cookie(state: &AppState) -> String {
    format!(
        "{COOKIE}=; Path=/console; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict{}",
        secure_flag(state)
    )
}

fn secure_flag(state: &AppState) -> &'static str {
    if state.orch.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_is_bound_to_the_session() {
        assert_eq!(csrf_of("a"), csrf_of("a"));
        assert_ne!(csrf_of("a"), csrf_of("b"));
        assert_ne!(csrf_of("a"), crypto::sha256_hex(b"a"));
    }

    #[test]
    fn form_reads_fields_and_checkboxes() {
        let f = Form::parse(b"a=+x+&b=&confirm=on");
        assert_eq!(f.text("a"), Some("x"));
        assert_eq!(f.text("b"), None);
        assert!(f.checked("confirm"));
        assert!(!f.checked("other"));
    }
}
