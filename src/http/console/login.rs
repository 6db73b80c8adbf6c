//! Signing in to the console with the admin token, and out.
//!
//! Sign-in attempts are rate-limited per instance, like the API's rechecks (`governor` token
//! buckets): per client address (the TCP peer, so behind a proxy every client shares one
//! bucket) at [`PER_ADDRESS`], and across all clients at [`GLOBAL`], whether the token is right
//! or not. A refused attempt answers 429 with `Retry-After` and checks nothing. The token is
//! compared in constant time (both sides hashed first, so not even its length leaks).

use super::page::{html_with, see_other, Chrome, Page};
use super::session::{self, Form};
use crate::crypto;
use crate::http::{body::read_body, retry_after_secs, AppState};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use askama::Template;
use governor::{DefaultKeyedRateLimiter, Quota};
use secrecy::ExposeSecret;
use std::num::NonZeroU32;

/// Attempts per minute, and burst, from one client address.
pub const PER_ADDRESS: (u32, u32) = (5, 5);
/// Attempts per minute, and burst, from everyone together.
pub const GLOBAL: (u32, u32) = (30, 10);

/// The sign-in buckets (per instance).
pub struct LoginLimits {
    per_address: DefaultKeyedRateLimiter<String>,
    global: DefaultKeyedRateLimiter<String>,
}

fn bucket((per_minute, burst): (u32, u32)) -> DefaultKeyedRateLimiter<String> {
    let per_minute = NonZeroU32::new(per_minute).expect("non-zero constant");
    let burst = NonZeroU32::new(burst).expect("non-zero constant");
    DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst))
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_address: bucket(PER_ADDRESS),
            global: bucket(GLOBAL),
        }
    }
}

impl LoginLimits {
    /// `Err(seconds to wait)` when this address, or everyone, has tried too often.
    pub fn admit(&self, address: &str) -> Result<(), u64> {
        self.per_address
            .check_key(&address.to_owned())
            .and_then(|_| self.global.check_key(&String::new()))
            .map_err(|wait| retry_after_secs(&wait))
    }
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginTemplate {
    chrome: Chrome,
    problem: Option<&'static str>,
}

fn login_page(status: StatusCode, problem: Option<&'static str>) -> Page {
    html_with(
        status,
        &LoginTemplate {
            chrome: Chrome::new("Sign in", "", None),
            problem,
        },
    )
}

/// `GET /console/login`.
pub async fn form(state: web::Data<AppState>) -> Page {
    session::require_enabled(&state)?;
    login_page(StatusCode::OK, None)
}

/// `POST /console/login` (form: `token`): starts a session and goes to the overview.
pub async fn sign_in(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> Page {
    session::require_enabled(&state)?;
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    if let Err(wait) = state.console_logins.admit(&address) {
        let mut page = login_page(
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many sign-in attempts. Wait a minute and try again."),
        )?;
        page.headers_mut().insert(
            actix_web::http::header::RETRY_AFTER,
            wait.to_string().parse().expect("digits are a header value"),
        );
        return Ok(page);
    }
    let body = read_body(&req, payload).await?;
    let given = Form::parse(&body)
        .get("token")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let expected = state.orch.settings.admin.token.as_ref();
    let right = expected.is_some_and(|t| {
        crypto::constant_time_eq(
            crypto::sha256_hex(given.as_bytes()).as_bytes(),
            crypto::sha256_hex(t.expose_secret().as_bytes()).as_bytes(),
        )
    });
    if !right {
        tracing::warn!(address = %address, "console sign-in with a wrong token");
        return login_page(StatusCode::UNAUTHORIZED, Some("That token is not right."));
    }
    let opened = state.orch.open_console_session().await?;
    tracing::info!(address = %address, "console sign-in");
    let mut response = see_other("/console");
    response.headers_mut().insert(
        actix_web::http::header::SET_COOKIE,
        session::set_cookie(&state, &opened.id, opened.expires_at)
            .parse()
            .map_err(|e: actix_web::http::header::InvalidHeaderValue| {
                crate::error::AppError::Internal(e.into())
            })?,
    );
    Ok(response)
}

/// `POST /console/logout` (form: `csrf`): ends the session everywhere.
pub async fn sign_out(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> Page {
    let (session, _) = session::posted(&state, &req, payload).await?;
    state.orch.close_console_session(&session.id).await?;
    let mut response = see_other("/console/login");
    response.headers_mut().insert(
        actix_web::http::header::SET_COOKIE,
        session::clear_cookie(&state).parse().map_err(
            |e: actix_web::http::header::InvalidHeaderValue| {
                crate::error::AppError::Internal(e.into())
            },
        )?,
    );
    Ok(response)
}
