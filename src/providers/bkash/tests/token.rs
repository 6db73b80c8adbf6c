//! The shared token: one grant for concurrent calls, a refresh when it is due, a renewal when a
//! call is refused with it, and the credentials never in a log line.

use super::super::credentials::Credentials;
use super::super::{Bkash, ID};
use super::*;
use crate::providers::test_gateway::Gateway;
use crate::providers::{Outcome, ProviderAdapter};

fn paths(gw: &Gateway) -> Vec<String> {
    gw.seen()
        .into_iter()
        .map(|s| s.path.trim_start_matches("/bkash/tokenized/checkout/").to_owned())
        .collect()
}

#[actix_web::test]
async fn concurrent_creates_share_one_grant() {
    let grant = granted("tok-1", 3600);
    let mut script = vec![(200, grant.as_str())];
    script.extend([(200, CREATED); 8]);
    let gw = Gateway::start(ID, &script).await;
    let adapter = Bkash::new(reqwest::Client::new());
    let account = account(&gw.base);
    let request = checkout_request();
    let creates = (0..8).map(|_| adapter.create_checkout(&account, &request));
    let outcomes = futures_util::future::join_all(creates).await;
    assert!(outcomes.iter().all(|o| o.label() == "pending"), "{outcomes:?}");
    let seen = paths(&gw);
    assert_eq!(seen.iter().filter(|p| *p == "token/grant").count(), 1);
    assert_eq!(seen.iter().filter(|p| *p == "create").count(), 8);
    assert!(gw.seen()[1..].iter().all(|s| s.header("authorization") == "tok-1"));
    gw.stop().await;
}

#[actix_web::test]
async fn a_token_due_for_renewal_is_refreshed_then_granted_anew_if_refresh_fails() {
    // Tokens that live less than the renewal margin are due at once: every call renews.
    let (first, second, third) = (granted("tok-1", 30), granted("tok-2", 30), granted("tok-3", 30));
    let script = [
        (200, first.as_str()),
        (200, CREATED),
        (200, second.as_str()),
        (200, CREATED),
        (200, r#"{"statusCode":"2001","statusMessage":"Invalid App Key"}"#),
        (200, third.as_str()),
        (200, CREATED),
    ];
    let gw = Gateway::start(ID, &script).await;
    let adapter = Bkash::new(reqwest::Client::new());
    let account = account(&gw.base);
    for _ in 0..3 {
        let out = adapter.create_checkout(&account, &checkout_request()).await;
        assert_eq!(out.label(), "pending", "{out:?}");
    }
    let want = [
        "token/grant",
        "create",
        "token/refresh",
        "create",
        "token/refresh",
        "token/grant",
        "create",
    ];
    assert_eq!(paths(&gw), want);
    let seen = gw.seen();
    assert_eq!(
        seen[2].body_text(),
        format!(
            r#"{{"app_key":"{APP_KEY}","app_secret":"{APP_SECRET}","refresh_token":"refresh-tok-1"}}"#
        )
    );
    assert_eq!(seen[3].header("authorization"), "tok-2");
    assert_eq!(seen[6].header("authorization"), "tok-3");
    gw.stop().await;
}

#[actix_web::test]
async fn a_call_refused_at_the_door_renews_the_token_and_is_sent_once_more() {
    let (first, second) = (granted("tok-1", 3600), granted("tok-2", 3600));
    let expired = r#"{"message":"The incoming token has expired"}"#;
    let script = [
        (200, first.as_str()),
        (401, expired),
        (200, second.as_str()),
        (200, CREATED),
    ];
    let gw = Gateway::start(ID, &script).await;
    let adapter = Bkash::new(reqwest::Client::new());
    let out = adapter
        .create_checkout(&account(&gw.base), &checkout_request())
        .await;
    assert_eq!(out.label(), "pending", "{out:?}");
    assert_eq!(
        paths(&gw),
        ["token/grant", "create", "token/refresh", "create"]
    );
    gw.stop().await;
    // Refused twice: not sent, and said so.
    let script = [
        (200, first.as_str()),
        (401, expired),
        (200, second.as_str()),
        (401, expired),
    ];
    let gw = Gateway::start(ID, &script).await;
    let out = adapter
        .create_checkout(&account(&gw.base), &checkout_request())
        .await;
    assert!(
        matches!(&out, Outcome::NotSent(f) if f.reason.contains("The incoming token has expired")),
        "{out:?}"
    );
    gw.stop().await;
}

#[actix_web::test]
async fn a_refused_grant_means_the_call_was_not_sent() {
    let refused = r#"{"statusCode":"2001","statusMessage":"Invalid App Key"}"#;
    let gw = Gateway::start(ID, &[(200, refused)]).await;
    let adapter = Bkash::new(reqwest::Client::new());
    let out = adapter
        .create_checkout(&account(&gw.base), &checkout_request())
        .await;
    assert!(
        matches!(&out, Outcome::NotSent(f) if f.reason == "no bKash token: bKash 2001: Invalid App Key"),
        "{out:?}"
    );
    assert_eq!(paths(&gw), ["token/grant"]);
    gw.stop().await;
}

#[test]
fn credentials_are_checked_and_never_shown() {
    let good = account("http://unused").credentials;
    let creds = Credentials::parse(&good).unwrap();
    let shown = format!("{creds:?}");
    for secret in [APP_KEY, APP_SECRET, USERNAME, PASSWORD] {
        assert!(!shown.contains(secret), "{shown}");
    }
    let cases = [
        (serde_json::json!("text"), "credentials must be a JSON object"),
        (serde_json::json!({}), "app_key is missing"),
        (
            serde_json::json!({"app_key": "k", "app_secret": " ", "username": "u", "password": "p"}),
            "app_secret must not be empty",
        ),
        (
            serde_json::json!({"app_key": "k", "app_secret": "s", "username": 7, "password": "p"}),
            "username must be a string",
        ),
        (
            serde_json::json!({"app_key": "k", "app_secret": "s", "username": "u", "password": "p\n"}),
            "password must be printable ASCII",
        ),
    ];
    for (value, want) in cases {
        assert_eq!(Credentials::parse(&value).unwrap_err(), want);
    }
    let moved = Credentials::parse(&good).unwrap();
    assert_ne!(creds.token_key("http://a"), moved.token_key("http://b"));
}
