//! The route table (every public path and its methods) and how it is mounted in actix.
//!
//! Mounting matters for speed: actix tries resources in order and runs a regex for every dynamic
//! pattern, and a resource with two patterns (a path and its trailing-slash twin) is matched by
//! regex even when both are static. Routing was a tenth of `verify`'s CPU (issue 7). So each
//! pattern gets its own resource (static ones are compared as strings), and paths sharing a
//! dynamic prefix such as `/v1/payments/{id}` sit in one scope: its regex runs once and the
//! rest (`/verify`, `/refunds`, …) are string comparisons.

use super::{admin, checkout, customer, gateway_webhooks, ops, payments, refunds, reviews, stats};
use crate::error::AppError;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::{web, HttpResponse, ResponseError, Route};
use std::sync::OnceLock;

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
            vec![
                (Method::GET, get().to(admin::get_merchant)),
                (Method::PATCH, patch().to(admin::update_merchant)),
            ],
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
            "/v1/admin/payments/{id}/resolve",
            vec![(Method::POST, post().to(reviews::resolve_payment))],
        ),
        (
            "/v1/admin/refunds/{id}/resolve",
            vec![(Method::POST, post().to(reviews::resolve_refund))],
        ),
        (
            "/v1/admin/audit",
            vec![(Method::GET, get().to(admin::audit))],
        ),
        ("/v1/admin/stats", vec![(Method::GET, get().to(stats::get))]),
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

/// Mounts the table: paths under a shared dynamic prefix in one scope, the rest as resources.
/// Every path is also served with a trailing slash (from a second copy of the table: a `Route`
/// is not `Clone`). Mounts keep the table's order, a scope standing where its first path does:
/// actix tries them one by one, so the merchant API's payment paths, first in the table, are
/// found after a few comparisons instead of after every other resource's pattern, regexes
/// included. The order cannot change which route answers: no path outside a scope's prefix can
/// match it ([`scope_prefix`]), and the resources' patterns do not overlap.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let all = paths();
    let mut mounts: Vec<Mount> = Vec::new();
    for ((path, methods), (_, twin)) in table().into_iter().zip(table()) {
        let scope = scope_prefix(path, &all);
        let rest = &path[scope.map_or(0, str::len)..];
        let pair = [resource(rest, methods), resource(&format!("{rest}/"), twin)];
        match mounts
            .iter_mut()
            .find(|m| m.scope.is_some() && m.scope == scope)
        {
            Some(mount) => mount.resources.extend(pair),
            None => mounts.push(Mount {
                scope,
                resources: pair.into(),
            }),
        }
    }
    for Mount { scope, resources } in mounts {
        let Some(prefix) = scope else {
            resources.into_iter().for_each(|r| {
                cfg.service(r);
            });
            continue;
        };
        let scope = resources
            .into_iter()
            .fold(web::scope(prefix), |scope, r| scope.service(r));
        cfg.service(scope.default_service(web::to(super::no_route)));
    }
    super::console::configure(cfg);
}

/// One step of [`configure`]: a path and its trailing-slash twin (no scope), or a scope and
/// every such pair under its prefix.
struct Mount {
    scope: Option<&'static str>,
    resources: Vec<actix_web::Resource>,
}

/// A resource with its routes; any other method answers 405 with `Allow` listing the path's.
fn resource(pattern: &str, methods: Vec<(Method, Route)>) -> actix_web::Resource {
    let allow = allow_header(methods.iter().map(|(m, _)| m));
    let mut resource = web::resource(pattern);
    for (_, route) in methods {
        resource = resource.route(route);
    }
    resource.default_service(web::to(move || method_not_allowed(allow.clone())))
}

/// `Allow`'s value (RFC 9110 §10.2.1): the methods, comma-separated, in table order.
fn allow_header<'a>(methods: impl Iterator<Item = &'a Method>) -> HeaderValue {
    let list: Vec<&str> = methods.map(Method::as_str).collect();
    HeaderValue::from_str(&list.join(", ")).expect("method names are valid header text")
}

fn paths() -> Vec<&'static str> {
    table().into_iter().map(|(p, _)| p).collect()
}

/// A `{…}` segment, which takes any non-empty segment (actix's default).
fn is_param(segment: &str) -> bool {
    segment.starts_with('{')
}

/// The table pattern a path falls under, compared segment by segment, ignoring a trailing
/// slash: the metrics' route label. `HttpRequest::match_pattern` finds the same answer by
/// running actix's regex router a second time (issue 7); it remains the fallback for paths
/// outside the table (simulators, 404s).
pub fn pattern_of(path: &str) -> Option<&'static str> {
    static PATTERNS: OnceLock<Vec<(&'static str, Vec<&'static str>)>> = OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        paths()
            .into_iter()
            .map(|p| (p, p.split('/').collect()))
            .collect()
    });
    let path = match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ => path,
    };
    let count = path.split('/').count();
    patterns
        .iter()
        .find(|(_, segments)| {
            segments.len() == count
                && segments.iter().zip(path.split('/')).all(|(want, got)| {
                    if is_param(want) {
                        !got.is_empty()
                    } else {
                        *want == got
                    }
                })
        })
        .map(|(p, _)| *p)
}

/// The prefix up to and including `path`'s first `{…}` segment, when a scope may own it: no
/// path outside that prefix could be matched by it, since a scope never hands a request back.
/// (`/checkout/{payment_id}` may not: it would swallow `/checkout/return/…`.)
fn scope_prefix(path: &'static str, all: &[&'static str]) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    let k = segments.iter().position(|s| is_param(s))?;
    let prefix = &path[..segments[..=k].iter().map(|s| s.len() + 1).sum::<usize>() - 1];
    let swallows_another = all.iter().any(|other| {
        let theirs: Vec<&str> = other.split('/').collect();
        let inside = other == &prefix || other.starts_with(&format!("{prefix}/"));
        !inside
            && theirs.len() > k
            && segments[..k]
                .iter()
                .zip(&theirs)
                .all(|(a, b)| a == b || is_param(a) || is_param(b))
    });
    (!swallows_another).then_some(prefix)
}

async fn method_not_allowed(allow: HeaderValue) -> HttpResponse {
    let mut response = AppError::MethodNotAllowed.error_response();
    response.headers_mut().insert(header::ALLOW, allow);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_their_route_table_pattern() {
        let id = "pay_01KAQ3C4XW00000000A200000001";
        assert_eq!(pattern_of("/v1/payments"), Some("/v1/payments"));
        assert_eq!(pattern_of("/v1/payments/"), Some("/v1/payments"));
        assert_eq!(
            pattern_of(&format!("/v1/payments/{id}/verify/")),
            Some("/v1/payments/{id}/verify")
        );
        assert_eq!(
            pattern_of(&format!("/v1/payments/{id}")),
            Some("/v1/payments/{id}")
        );
        assert_eq!(pattern_of("/healthz"), Some("/healthz"));
        assert_eq!(pattern_of("/v1/payments//verify"), None);
        assert_eq!(pattern_of("/v1/payments//"), None);
        assert_eq!(pattern_of("/sandbox/hitpay/v1/payment-requests"), None);
        assert_eq!(pattern_of("/"), None);
    }

    #[test]
    fn allow_lists_the_methods_in_table_order() {
        let methods = [Method::POST, Method::GET];
        assert_eq!(allow_header(methods.iter()), "POST, GET");
        assert_eq!(allow_header([Method::PUT].iter()), "PUT");
    }

    #[test]
    fn scopes_own_only_prefixes_no_other_path_falls_under() {
        let all = paths();
        assert_eq!(
            scope_prefix("/v1/payments/{id}/verify", &all),
            Some("/v1/payments/{id}")
        );
        assert_eq!(
            scope_prefix("/v1/payments/{id}", &all),
            Some("/v1/payments/{id}")
        );
        assert_eq!(scope_prefix("/v1/payments", &all), None);
        assert_eq!(scope_prefix("/checkout/{payment_id}", &all), None);
        assert_eq!(
            scope_prefix("/checkout/return/{provider}/{account_id}", &all),
            None
        );
        assert_eq!(
            scope_prefix("/v1/admin/merchants/{id}/providers/{provider}", &all),
            Some("/v1/admin/merchants/{id}")
        );
    }
}
