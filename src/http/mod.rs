//! The HTTP layer (actix-web only): the route table, thin handlers, authentication, the error
//! envelope. Handlers parse and answer; the use cases live in `orchestration`.

pub mod admin;
pub mod auth;
pub mod body;
pub mod checkout;
pub mod console;
pub mod content_type;
pub mod customer;
pub mod error;
pub mod gateway_webhooks;
pub mod json_body;
pub mod keyed;
pub mod middleware;
pub mod ops;
pub mod panic_guard;
pub mod payments;
pub mod refunds;
pub mod request_guard;
pub mod reviews;
mod route_table;
pub mod secret_cache;

pub use route_table::{configure, routes};

use crate::error::AppError;
use crate::error::AppResult;
use crate::orchestration::Orchestrator;
use actix_web::HttpResponse;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;
use std::sync::Arc;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub orch: Orchestrator,
    /// Live rechecks per merchant (token bucket, per instance).
    pub recheck_limiter: Arc<DefaultKeyedRateLimiter<String>>,
    /// Live rechecks per payment triggered by customer returns (per instance).
    pub return_limiter: Arc<DefaultKeyedRateLimiter<String>>,
    /// Journalled gateway webhooks per account, verified and rejected apart (per instance).
    pub webhook_limiters: Arc<WebhookLimiters>,
    /// Sends ops' test webhooks under the same address policy as the outbox.
    pub delivery: crate::notify::client::DeliveryClient,
    /// Merchant secrets in the clear for a few seconds (request authentication).
    pub secret_cache: Arc<secret_cache::SecretCache>,
    /// Ops-console sign-in attempts, per client address and overall (per instance).
    pub console_logins: Arc<console::login::LoginLimits>,
}

impl AppState {
    pub fn new(orch: Orchestrator) -> Self {
        let r = &orch.settings.recheck;
        let w = &orch.settings.webhooks;
        Self {
            recheck_limiter: Arc::new(limiter(r.per_minute, r.burst)),
            return_limiter: Arc::new(limiter(r.returns_per_minute, r.returns_burst)),
            webhook_limiters: Arc::new(WebhookLimiters {
                verified: limiter(w.per_minute, w.burst),
                rejected: limiter(w.rejected_per_minute, w.rejected_burst),
            }),
            secret_cache: Arc::new(secret_cache::SecretCache::new(
                orch.settings.security.secret_cache_secs,
            )),
            delivery: crate::workers::delivery_client(&orch),
            console_logins: Arc::default(),
            orch,
        }
    }
}

/// A keyed token bucket of `per_minute` with `burst` (each at least 1).
fn limiter(per_minute: u32, burst: u32) -> DefaultKeyedRateLimiter<String> {
    let per_minute = NonZeroU32::new(per_minute.max(1)).expect("max(1) is non-zero");
    let burst = NonZeroU32::new(burst.max(1)).expect("max(1) is non-zero");
    DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst))
}

/// Seconds until a refused key may try again, rounded up (for `Retry-After`).
pub fn retry_after_secs(wait: &governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
    use governor::clock::{Clock, DefaultClock};
    wait.wait_time_from(DefaultClock::default().now()).as_secs() + 1
}

/// The gateway-webhook buckets, keyed by account id (only known accounts get a key).
pub struct WebhookLimiters {
    verified: DefaultKeyedRateLimiter<String>,
    rejected: DefaultKeyedRateLimiter<String>,
}

impl WebhookLimiters {
    /// `Err(seconds to wait)` when the account's bucket for this kind of delivery is empty.
    pub fn admit(&self, account_id: &str, verified: bool) -> Result<(), u64> {
        let limiter = if verified {
            &self.verified
        } else {
            &self.rejected
        };
        limiter
            .check_key(&account_id.to_owned())
            .map_err(|wait| retry_after_secs(&wait))
    }
}

pub async fn no_route() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// A response body as JSON bytes. The views hold only strings, numbers and JSON text checked
/// on the way in, so this fails only on a bug, and then answers 500 rather than panic.
pub fn to_json(value: &impl serde::Serialize) -> AppResult<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| AppError::Internal(e.into()))
}

/// A JSON answer, serialised straight into the response body.
pub fn json_response(status: u16, body: &impl serde::Serialize) -> HttpResponse {
    use actix_web::ResponseError;
    match to_json(body) {
        Ok(bytes) => HttpResponse::build(
            actix_web::http::StatusCode::from_u16(status)
                .unwrap_or(actix_web::http::StatusCode::OK),
        )
        .content_type("application/json")
        .body(bytes),
        Err(e) => e.error_response(),
    }
}
