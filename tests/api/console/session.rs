//! Sign-in, the session cookie, sign-out, CSRF, the sign-in rate limit, and the console's
//! absence without an admin token.

use super::{location, post_login, set_cookie, Console};
use crate::helpers::{on_postgres, spawn_app, spawn_app_with};

/// Every console page, with a path a payment or merchant id fills.
const PAGES: &[&str] = &[
    "/console",
    "/console/payments",
    "/console/payments.csv",
    "/console/payments/pay_01KAQ3C4XW00000000A200000001",
    "/console/reviews",
    "/console/merchants",
    "/console/merchants/mer_01KAQ3C4XW00000000A200000001",
];

/// The embedded store generates a token when none is configured, so this runs on Postgres only
/// (like the admin API's: `audit/surfaces.rs`).
#[tokio::test]
async fn postgres_only_without_an_admin_token_the_console_does_not_exist() {
    if !on_postgres() {
        return;
    }
    let app = spawn_app_with(|s| s.admin.token = None).await;
    for path in PAGES.iter().chain(&["/console/login"]) {
        let res = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
    let res = post_login(&app, "anything").await;
    assert_eq!(res.status(), 404);
    assert!(set_cookie(&res).is_none());
}

#[tokio::test]
async fn without_a_session_pages_redirect_to_sign_in_and_show_nothing() {
    let app = spawn_app().await;
    for path in PAGES {
        for cookie in ["", "payrail_console=forged-or-ended"] {
            let res = app
                .client
                .get(format!("{}{path}", app.address))
                .header("Cookie", cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 303, "{path}");
            assert_eq!(location(&res), "/console/login");
            assert_eq!(res.text().await.unwrap(), "", "{path}");
        }
    }
    let form = app
        .client
        .get(format!("{}/console/login", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
    let csp = form.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-"),
        "{csp}"
    );
    assert!(!csp.contains("script"), "{csp}");
    let html = form.text().await.unwrap();
    assert!(html.contains("<label for=\"token\">"), "{html}");
    assert!(!html.contains("<script"), "{html}");
}

#[tokio::test]
async fn sign_in_sets_a_strict_http_only_cookie_and_stores_only_its_hash() {
    let app = spawn_app().await;
    let res = post_login(&app, &app.admin_token).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/console");
    let cookie = set_cookie(&res).unwrap();
    for flag in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/console",
        "Max-Age=43200",
        "Expires=",
    ] {
        assert!(cookie.contains(flag), "{flag} missing: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "http public URL: {cookie}");
    let id = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    assert!(id.len() >= 40, "{id}");
    let stored: Vec<String> = sqlx::query_scalar("SELECT id_hash FROM console_sessions")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, vec![payrail::crypto::sha256_hex(id.as_bytes())]);
}

#[tokio::test]
async fn the_cookie_is_secure_when_the_public_url_is_https() {
    let app =
        spawn_app_with(|s| s.server.public_url = Some("https://pay.example.com".into())).await;
    let res = post_login(&app, &app.admin_token).await;
    assert_eq!(res.status(), 303);
    assert!(set_cookie(&res).unwrap().contains("; Secure"));
}

#[tokio::test]
async fn a_wrong_token_starts_no_session() {
    let app = spawn_app().await;
    for token in ["", "wrong", &format!("{}x", app.admin_token)] {
        let res = post_login(&app, token).await;
        assert_eq!(res.status(), 401, "{token}");
        assert!(set_cookie(&res).is_none());
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("That token is not right."));
    }
    assert_eq!(app.count("console_sessions").await, 0);
}

#[tokio::test]
async fn sign_out_needs_the_sessions_csrf_token_and_ends_the_session() {
    let app = spawn_app().await;
    let console = Console::sign_in(&app).await;
    let other = Console::sign_in(&app).await;
    assert_ne!(
        console.csrf, other.csrf,
        "the token is bound to its session"
    );
    for fields in [
        vec![],
        vec![("csrf", "wrong")],
        vec![("csrf", other.csrf.as_str())],
    ] {
        let res = console.post_raw("/console/logout", &fields).await;
        assert_eq!(res.status(), 403, "{fields:?}");
    }
    assert_eq!(console.get("/console").await.0, 200, "still signed in");
    let res = console.post("/console/logout", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/console/login");
    assert!(set_cookie(&res).unwrap().contains("Max-Age=0"));
    assert_eq!(console.get("/console").await.0, 303, "ended");
    assert_eq!(
        other.get("/console").await.0,
        200,
        "another session lives on"
    );
    assert_eq!(app.count("console_sessions").await, 1);
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited_per_address() {
    let app = spawn_app().await;
    for _ in 0..payrail::http::console::login::PER_ADDRESS.1 {
        assert_eq!(post_login(&app, "wrong").await.status(), 401);
    }
    let res = post_login(&app, &app.admin_token).await;
    assert_eq!(res.status(), 429, "even with the right token");
    assert!(res.headers().contains_key("retry-after"));
    assert!(set_cookie(&res).is_none());
    assert_eq!(app.count("console_sessions").await, 0);
}

#[tokio::test]
async fn expired_sessions_are_refused_then_deleted_by_the_clean_up() {
    let app = spawn_app().await;
    let console = Console::sign_in(&app).await;
    let orch = crate::delivery::worker(&app).await;
    orch.clock.advance(chrono::Duration::hours(11));
    assert_eq!(orch.clean_up_expired().await.unwrap().console_sessions, 0);
    orch.clock.advance(chrono::Duration::hours(2));
    assert_eq!(orch.clean_up_expired().await.unwrap().console_sessions, 1);
    assert_eq!(console.get("/console").await.0, 303);
}
