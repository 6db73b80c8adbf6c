//! The page itself: what it shows, how it escapes, its security headers, its token, and its
//! final states; and the merchant profile it shows.

use super::{attempts, create_hosted, page_html, pick, shop, token_of};
use crate::delivery::worker;
use crate::helpers::spawn_app;
use base64::Engine;
use chrono::Duration;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

#[tokio::test]
async fn the_page_lists_the_eligible_methods_escaped_under_a_strict_policy() {
    let app = spawn_app().await;
    let profile = json!({ "display_name": "<b>Tea & \"Co\"</b>", "logo_url": "https://cdn.shop.example/logo.png" });
    let m = shop(&app, profile).await;
    let p = create_hosted(&app, &m, "<script>alert(1)</script>").await;
    let res = app
        .client
        .get(p["checkout_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let header = |name: &str| res.headers()[name].to_str().unwrap().to_owned();
    let csp = header("content-security-policy");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("cache-control"), "no-store");
    assert_eq!(header("x-frame-options"), "DENY");
    let html = res.text().await.unwrap();

    // Merchant text is escaped, never markup.
    assert!(html.contains("&#60;b&#62;Tea &#38; &#34;Co&#34;"), "{html}");
    assert!(!html.contains("<b>Tea"));
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(!html.contains("<script"), "no script at all on the page");
    assert!(html.contains(r#"<img src="https://cdn.shop.example/logo.png""#));
    assert!(html.contains("1500.00 BDT"));
    // Card and mobile banking are offered (in that order); crypto is not (USD only).
    let card = html.find(">Card<").expect("card offered");
    let mobile = html
        .find(">Mobile banking<")
        .expect("mobile banking offered");
    assert!(card < mobile);
    assert!(html.contains("via Pakhi Pay") && html.contains("via HitPay"));
    assert!(!html.contains(">Crypto<"));
    assert!(html.contains(r#"<html lang="en">"#) && html.contains("<legend>"));
    assert!(html.contains(r#"name="viewport""#));

    // The policy: nothing but this page's own stylesheet (by hash), the logo's origin, and
    // forms to Payrail or the eligible gateways.
    let style = &html[html.find("<style>").unwrap() + 7..html.find("</style>").unwrap()];
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(style));
    assert!(csp.starts_with("default-src 'none'; "), "{csp}");
    assert!(
        csp.contains(&format!("style-src 'sha256-{hash}';")),
        "{csp}"
    );
    assert!(csp.contains("img-src https://cdn.shop.example;"), "{csp}");
    assert!(
        csp.contains(&format!("form-action 'self' {};", app.sim_address)),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("base-uri 'none'"));
}

#[tokio::test]
async fn the_token_guards_the_page_and_the_pick() {
    let app = spawn_app().await;
    let m = shop(&app, json!({})).await;
    let p = create_hosted(&app, &m, "TOK-1").await;
    let id = p["id"].as_str().unwrap();
    for url in [
        format!("{}/checkout/{id}?t=wrong", app.address),
        format!("{}/checkout/{id}", app.address),
        format!(
            "{}/checkout/pay_01JD0000000000000000000000?t={}",
            app.address,
            token_of(&p)
        ),
        format!("{}/checkout/not-an-id?t={}", app.address, token_of(&p)),
    ] {
        let res = app.client.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 404, "{url}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "not_found");
    }
    let res = app
        .client
        .post(format!("{}/checkout/{id}", app.address))
        .form(&[("t", "wrong"), ("method", "card")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // An unknown method is the page again with a note; nothing is opened.
    let res = pick(&app, &p, "cheque").await;
    assert_eq!(res.status(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Please choose one of the payment methods"));
    assert!(attempts(&app, id).await.is_empty());
}

#[tokio::test]
async fn an_expired_payment_shows_its_final_state_and_takes_no_pick() {
    let app = spawn_app().await;
    let m = shop(&app, json!({})).await;
    let p = create_hosted(&app, &m, "EXP-1").await;
    let id = p["id"].as_str().unwrap();
    // Nobody picked: the reconciler expires it once the window and grace have passed.
    let orch = worker(&app).await;
    orch.clock.advance(Duration::hours(5));
    orch.reconcile_due().await.unwrap();
    assert_eq!(app.status_of(id, &m).await, "expired");

    let (status, html) = page_html(&app, p["checkout_url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert!(html.contains("Payment expired"), "{html}");
    let back = format!("https://shop.example/cart?payment_id={id}&#38;status=expired");
    assert!(html.contains(&back), "{html}");
    assert!(!html.contains("<button"));
    let res = pick(&app, &p, "card").await;
    assert!(res.text().await.unwrap().contains("Payment expired"));
    assert!(attempts(&app, id).await.is_empty());
}

#[tokio::test]
async fn a_hosted_payment_needs_a_gateway_that_takes_its_currency() {
    let app = spawn_app().await;
    let m = shop(&app, json!({})).await;
    let body = json!({ "amount": "10.00", "currency": "EUR", "order_id": "EUR-1" });
    let (status, err) = app.post("/v1/payments", &body.to_string(), &m).await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["error"], "no_provider_available");
    assert_eq!(app.count("payments").await, 0);
}

#[tokio::test]
async fn the_merchant_profile_is_checked_and_can_be_changed() {
    let app = spawn_app().await;
    let admin = |method: reqwest::Method, path: String| {
        app.client
            .request(method, format!("{}{path}", app.address))
            .bearer_auth(&app.admin_token)
    };
    for bad in [
        json!({ "name": "Shop", "logo_url": "javascript:alert(1)" }),
        json!({ "name": "Shop", "display_name": "" }),
        json!({ "name": "Shop", "display_name": "x".repeat(101) }),
        json!({ "name": "Shop", "display_name": "a\u{7}b" }),
    ] {
        let res = admin(reqwest::Method::POST, "/v1/admin/merchants".into())
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{bad}");
    }
    assert_eq!(app.count("merchants").await, 0, "bad input changes nothing");

    let m = shop(&app, json!({ "display_name": "Tea House" })).await;
    let path = format!("/v1/admin/merchants/{}", m.id);
    let res = admin(reqwest::Method::PATCH, path.clone())
        .json(&json!({ "logo_url": "https://cdn.example/t.png" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (&body["display_name"], &body["logo_url"]),
        (&json!("Tea House"), &json!("https://cdn.example/t.png"))
    );
    assert!(body.get("secret").is_none());
    let res = admin(reqwest::Method::PATCH, path.clone())
        .json(&json!({ "display_name": null }))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["display_name"], Value::Null);
    let p = create_hosted(&app, &m, "PROF-1").await;
    let (_, html) = page_html(&app, p["checkout_url"].as_str().unwrap()).await;
    assert!(html.contains("Tea House Ltd"), "the name stands in: {html}");

    let res = admin(reqwest::Method::PATCH, path.clone())
        .json(&json!({ "logo_url": "ftp://x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = admin(reqwest::Method::PATCH, path)
        .json(&json!({ "colour": "red" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = admin(
        reqwest::Method::PATCH,
        "/v1/admin/merchants/mer_01JD0000000000000000000000".into(),
    )
    .json(&json!({ "display_name": "X" }))
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_page_link_cannot_open_more_than_the_configured_attempts() {
    let app = crate::helpers::spawn_app_with(|s| s.payments.max_hosted_attempts = 2).await;
    let m = shop(&app, json!({})).await;
    let p = create_hosted(&app, &m, "MAX-1").await;
    let id = p["id"].as_str().unwrap();
    for _ in 0..2 {
        assert_eq!(pick(&app, &p, "card").await.status(), 303);
    }
    let res = pick(&app, &p, "mobile_banking").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("too many attempts"));
    assert_eq!(attempts(&app, id).await.len(), 2);
    assert_eq!(app.sim_stats_of("pakhipay").await["calls"]["create"], 0);
}
