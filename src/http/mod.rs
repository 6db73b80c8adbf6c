//! The HTTP layer (actix-web only): the route table, thin handlers, authentication, the error
//! envelope. Handlers parse and answer; the use cases live in `orchestration`.

pub mod admin;
pub mod auth;
pub mod body;
pub mod checkout;
pub mod customer;
pub mod error;
pub mod gateway_webhooks;
pub mod middleware;
pub mod ops;
pub mod payments;
pub mod refunds;

use crate::error::AppError;
use crate::orchestration::{idempotency::StoredResponse, Orchestrator};
use actix_web::http::Method;
use actix_web::{web, HttpResponse, Route};
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
    /// Sends ops' test webhooks under the same address policy as the outbox.
    pub delivery: crate::notify::client::DeliveryClient,
    /// Merchant secrets in the clear for a few seconds (request authentication).
    pub secret_cache: Arc<auth::SecretCache>,
}

impl AppState {
    pub fn new(orch: Orchestrator) -> Self {
        let r = &orch.settings.recheck;
        let limiter = |per_minute: u32, burst: u32| {
            let per_minute = NonZeroU32::new(per_minute.max(1)).expect("max(1) is non-zero");
            let burst = NonZeroU32::new(burst.max(1)).expect("max(1) is non-zero");
            Arc::new(DefaultKeyedRateLimiter::keyed(
                Quota::per_minute(per_minute).allow_burst(burst),
            ))
        };
        Self {
            recheck_limiter: limiter(r.per_minute, r.burst),
            return_limiter: limiter(r.returns_per_minute, r.returns_burst),
            secret_cache: Arc::new(auth::SecretCache::new(
                orch.settings.security.secret_cache_secs,
            )),
            delivery: crate::workers::delivery_client(&orch),
            orch,
        }
    }
}

/// The route table: every public path and its methods. Each path is also served with a
/// trailing slash. `openapi.yaml` must list exactly these (a test compares them).
fn table() -> Vec<(&'static str, Vec<(Method, Route)>)> {
    use web::{get, patch, post, put};
    vec![
        (
            "/v1/payments",
            vec![
                (Method::POST, post().to(payments::create)),
                (Method::GET, get().to(payments::list)),
            ],
        ),
        (
            "/v1/payments/{id}",
            vec![(Method::GET, get().to(payments::retrieve))],
        ),
        (
            "/v1/payments/{id}/verify",
            vec![
                (Method::GET, get().to(payments::verify)),
                (Method::POST, post().to(payments::verify)),
            ],
        ),
        (
            "/v1/payments/{id}/recheck",
            vec![
                (Method::POST, post().to(payments::recheck)),
                (Method::GET, get().to(payments::recheck)),
            ],
        ),
        (
            "/v1/payments/{id}/cancel",
            vec![(Method::POST, post().to(payments::cancel))],
        ),
        (
            "/v1/payments/{id}/events",
            vec![(Method::GET, get().to(payments::timeline))],
        ),
        (
            "/v1/payments/{id}/refunds",
            vec![
                (Method::POST, post().to(refunds::create)),
                (Method::GET, get().to(refunds::list)),
            ],
        ),
        (
            "/v1/refunds/{id}",
            vec![(Method::GET, get().to(refunds::retrieve))],
        ),
        (
            "/v1/admin/merchants",
            vec![(Method::POST, post().to(admin::create_merchant))],
        ),
        (
            "/v1/admin/merchants/{id}",
            vec![(Method::PATCH, patch().to(admin::update_merchant))],
        ),
        (
            "/v1/admin/merchants/{id}/secrets",
            vec![(Method::POST, post().to(admin::rotate_secret))],
        ),
        (
            "/v1/admin/merchants/{id}/providers/{provider}",
            vec![(Method::PUT, put().to(admin::connect_provider))],
        ),
        (
            "/v1/admin/rechecks",
            vec![(Method::POST, post().to(admin::bulk_recheck))],
        ),
        (
            "/v1/admin/events/{id}/redeliver",
            vec![(Method::POST, post().to(admin::redeliver))],
        ),
        (
            "/v1/admin/merchants/{id}/test-webhook",
            vec![(Method::POST, post().to(admin::test_webhook))],
        ),
        (
            "/v1/admin/payments",
            vec![(Method::GET, get().to(admin::list_payments))],
        ),
        (
            "/v1/webhooks/{provider}/{account_id}",
            vec![(Method::POST, post().to(gateway_webhooks::receive))],
        ),
        (
            "/checkout/{payment_id}/return",
            vec![(Method::GET, get().to(customer::customer_return))],
        ),
        (
            "/checkout/return/{provider}/{account_id}",
            vec![(Method::GET, get().to(customer::account_return))],
        ),
        (
            "/checkout/{payment_id}",
            vec![
                (Method::GET, get().to(checkout::page)),
                (Method::POST, post().to(checkout::choose)),
            ],
        ),
        ("/healthz", vec![(Method::GET, get().to(ops::healthz))]),
        ("/readyz", vec![(Method::GET, get().to(ops::readyz))]),
        ("/metrics", vec![(Method::GET, get().to(ops::metrics))]),
        ("/openapi.yaml", vec![(Method::GET, get().to(ops::openapi))]),
    ]
}

/// (method, path) of every route, for the OpenAPI comparison.
pub fn routes() -> Vec<(String, String)> {
    table()
        .into_iter()
        .flat_map(|(path, methods)| {
            methods
                .into_iter()
                .map(move |(m, _)| (m.to_string(), path.to_owned()))
        })
        .collect()
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    for (path, methods) in table() {
        let mut resource = web::resource([path.to_owned(), format!("{path}/")]);
        for (_, route) in methods {
            resource = resource.route(route);
        }
        cfg.service(resource.default_service(web::to(method_not_allowed)));
    }
}

async fn method_not_allowed() -> Result<HttpResponse, AppError> {
    Err(AppError::MethodNotAllowed)
}

pub async fn no_route() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

pub fn json_response(status: u16, body: &serde_json::Value) -> HttpResponse {
    HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::OK),
    )
    .content_type("application/json")
    .body(body.to_string())
}

/// An answer from the idempotency layer, replayed byte for byte when it was stored before.
pub fn stored_response(answer: StoredResponse) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(answer.status)
        .unwrap_or(actix_web::http::StatusCode::OK);
    let mut builder = HttpResponse::build(status);
    builder.content_type("application/json");
    if answer.replayed {
        builder.insert_header(("Idempotent-Replayed", "true"));
    }
    builder.body(answer.body)
}
