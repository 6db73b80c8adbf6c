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
pub mod stats;

pub use route_table::{configure, routes};

use crate::error::AppError;
use crate::error::AppResult;
use crate::orchestration::Orchestrator;
use actix_web::HttpResponse;
use governor::DefaultKeyedRateLimiter;
use std::sync::Arc;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub orch: Orchestrator,
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
        let w = &orch.settings.webhooks;
        Self {
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

/// A keyed token bucket of `per_minute` with `burst` (each at least 1), in this instance.
fn limiter(per_minute: u32, burst: u32) -> DefaultKeyedRateLimiter<String> {
    crate::orchestration::budgets::Budget::new(per_minute, burst).limiter()
}

pub use crate::orchestration::budgets::retry_after_secs;

/// The gateway-webhook buckets, keyed by account id (only known accounts get a key). These stay
/// per instance (docs/operations.md, "Limits shared by every instance").
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
        Ok(bytes) => json_bytes_response(status, bytes),
        Err(e) => e.error_response(),
    }
}

/// An answer whose JSON is already written (the payment list, `orchestration::list_json`).
pub fn json_bytes_response(status: u16, json: Vec<u8>) -> HttpResponse {
    HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::OK),
    )
    .content_type("application/json")
    .body(json)
}
