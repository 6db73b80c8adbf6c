//! Token grant and refresh, and the check every payment call passes.

use serde_json::json;

use super::*;

#[actix_web::test]
async fn a_grant_issues_a_token_that_payment_calls_need() {
    let sim = sim();
    let app = app!(sim);
    let (status, granted) = send(&app, grant_request().to_request()).await;
    assert_eq!(status, 200);
    assert_eq!(
        (&granted["statusCode"], &granted["expires_in"], &granted["token_type"]),
        (&json!("0000"), &json!(3600), &json!("Bearer"))
    );
    let token = granted["id_token"].as_str().unwrap();
    let body = create_body(INVOICE, "100.00");
    let (status, created) = send(&app, call("/create", token, &body).to_request()).await;
    assert_eq!((status, &created["statusCode"]), (200, &json!("0000")));
    for bad in ["", "not-a-token"] {
        let (status, answer) = send(&app, call("/create", bad, &body).to_request()).await;
        assert_eq!((status, answer), (401, json!({"message": "Unauthorized"})));
    }
    let wrong_key = call("/create", token, &body).insert_header(("X-APP-Key", "other"));
    let (status, answer) = send(&app, wrong_key.to_request()).await;
    assert_eq!((status, &answer["statusCode"]), (200, &json!("2001")));
    assert_eq!(sim.stats().grants, 1);
}

#[actix_web::test]
async fn wrong_credentials_are_refused_at_the_grant() {
    let sim = sim();
    let app = app!(sim);
    let wrong_password = grant_request().insert_header(("password", "nope"));
    let (status, answer) = send(&app, wrong_password.to_request()).await;
    assert_eq!((status, answer), (401, json!({"message": "Unauthorized"})));
    let wrong_secret = json_post(
        "/token/grant",
        &json!({ "app_key": DEFAULT_APP_KEY, "app_secret": "nope" }),
    )
    .insert_header(("username", DEFAULT_USERNAME))
    .insert_header(("password", DEFAULT_PASSWORD));
    let (status, answer) = send(&app, wrong_secret.to_request()).await;
    assert_eq!(
        (status, answer),
        (200, json!({"statusCode": "2001", "statusMessage": "Invalid App Key"}))
    );
    assert!(sim.lock().tokens.is_empty());
}

#[actix_web::test]
async fn an_expired_token_is_refused_and_a_refresh_renews_it() {
    let sim = sim();
    let app = app!(sim);
    let (_, granted) = send(&app, grant_request().to_request()).await;
    let token = granted["id_token"].as_str().unwrap().to_owned();
    let refresh = granted["refresh_token"].as_str().unwrap().to_owned();
    let expire = actix_web::test::TestRequest::post().uri("/bkash/_sim/tokens/expire");
    assert_eq!(send(&app, expire.to_request()).await.0, 200);
    let status_body = json!({ "paymentID": "TR0011NONE" });
    let (status, answer) = send(&app, call("/payment/status", &token, &status_body).to_request()).await;
    assert_eq!(
        (status, answer),
        (401, json!({"message": "The incoming token has expired"}))
    );
    let body = json!({ "app_key": DEFAULT_APP_KEY, "app_secret": DEFAULT_APP_SECRET, "refresh_token": refresh });
    let renew = json_post("/token/refresh", &body)
        .insert_header(("username", DEFAULT_USERNAME))
        .insert_header(("password", DEFAULT_PASSWORD));
    let (status, renewed) = send(&app, renew.to_request()).await;
    assert_eq!((status, &renewed["refresh_token"]), (200, &json!(refresh)));
    let fresh = renewed["id_token"].as_str().unwrap();
    assert_ne!(fresh, token);
    let (_, answer) = send(&app, call("/payment/status", fresh, &status_body).to_request()).await;
    assert_eq!(answer["statusCode"], "2002", "authenticated, then an unknown payment");
    let stats = sim.stats();
    assert_eq!((stats.grants, stats.refreshes), (1, 1));
    // Without the version segment too (the sandbox's base URL is the bare mount).
    let bare = actix_web::test::TestRequest::post()
        .uri("/bkash/tokenized/checkout/payment/status")
        .insert_header(("Authorization", fresh))
        .insert_header(("X-APP-Key", DEFAULT_APP_KEY))
        .set_payload(status_body.to_string());
    assert_eq!(send(&app, bare.to_request()).await.1["statusCode"], "2002");
}
