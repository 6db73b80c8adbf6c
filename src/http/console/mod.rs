//! The ops console at `/console` (issue 18, docs/console.md): server-rendered pages for ops,
//! in the hosted checkout's style: askama templates (every value escaped), no JavaScript, one
//! inline stylesheet allowed by its hash, a strict Content-Security-Policy, forms that work
//! without script. Every page needs a session (`session.rs`); every state-changing form carries
//! the session's CSRF token. Handlers call use cases in `orchestration/` only.
//!
//! The map: `session.rs` (cookie, CSRF, the gate), `login.rs` (sign-in with its rate limits,
//! sign-out), `page.rs` (rendering, security headers, the error page), `fmt.rs` (how values are
//! written), `payments.rs` (the search and its CSV export, `csv.rs`), `payment.rs` (one payment's
//! file), `actions.rs` (what ops do to it, each confirmed), `reviews.rs` (the review queue), `overview.rs` (the overview, with
//! `chart.rs`'s SVG bars), `merchants.rs` and `merchant_actions.rs` (merchants, their profile,
//! accounts, secret rotation, test webhooks).

pub mod actions;
pub mod chart;
pub mod csv;
pub mod fmt;
pub mod login;
pub mod merchant_actions;
pub mod merchants;
pub mod overview;
pub mod page;
pub mod payment;
pub mod payments;
pub mod reviews;
pub mod session;

use actix_web::web;

/// Mounts the console. Its pages are HTML for people, not part of the API contract
/// (`openapi.yaml`), so they sit outside the route table.
pub fn configure(cfg: &mut web::ServiceConfig) {
    use web::{get, post, resource};
    cfg.service(
        web::scope("/console")
            .service(
                resource("/login")
                    .route(get().to(login::form))
                    .route(post().to(login::sign_in)),
            )
            .service(resource("/logout").route(post().to(login::sign_out)))
            .service(resource("/payments").route(get().to(payments::list)))
            .service(resource("/payments.csv").route(get().to(payments::export)))
            .service(resource("/payments/{id}").route(get().to(payment::show)))
            .service(resource("/payments/{id}/recheck").route(post().to(actions::recheck)))
            .service(resource("/payments/{id}/cancel").route(post().to(actions::cancel)))
            .service(resource("/payments/{id}/refund").route(post().to(actions::refund)))
            .service(resource("/payments/{id}/redeliver").route(post().to(actions::redeliver)))
            .service(resource("/payments/{id}/resolve").route(post().to(actions::resolve)))
            .service(
                resource("/payments/{id}/refunds/{refund}/resolve")
                    .route(post().to(actions::resolve_refund)),
            )
            .service(resource("/merchants").route(get().to(merchants::list)))
            .service(resource("/merchants/{id}").route(get().to(merchants::show)))
            .service(
                resource("/merchants/{id}/accounts/{account}")
                    .route(post().to(merchant_actions::set_routing)),
            )
            .service(
                resource("/merchants/{id}/profile").route(post().to(merchant_actions::set_profile)),
            )
            .service(resource("/merchants/{id}/rotate").route(post().to(merchant_actions::rotate)))
            .service(
                resource("/merchants/{id}/test-webhook")
                    .route(post().to(merchant_actions::test_webhook)),
            )
            .service(resource("/audit").route(post().to(overview::audit)))
            .service(resource("/reviews").route(get().to(reviews::list)))
            .service(resource("").route(get().to(overview::show)))
            .service(resource("/").route(get().to(overview::show)))
            .default_service(web::to(page::not_found)),
    );
}
