//! The merchant pages: the list and profile (escaped), an account's routing, secret rotation
//! (shown once; the old secret works during the grace period) and the test webhook. Every
//! action needs the CSRF token and the confirmation box.

use super::{location, Console};
use crate::helpers::{spawn_app, Merchant, TestApp};
use crate::receiver::Receiver;
use serde_json::json;

async fn merchant_with_hook(app: &TestApp, hook: &str) -> Merchant {
    let (status, body) = app
        .admin(
            reqwest::Method::POST,
            "/v1/admin/merchants",
            &json!({ "name": "<b>Tea & Co</b>", "webhook_url": hook }).to_string(),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let m = Merchant {
        id: body["id"].as_str().unwrap().into(),
        secret: body["secret"].as_str().unwrap().into(),
    };
    app.connect_psc(&m).await;
    m
}

/// (id, enabled 0/1, priority, currencies) of the merchant's PayStableCoin account.
async fn psc_account(app: &TestApp, m: &Merchant) -> (String, i64, i64, String) {
    sqlx::query_as(
        "SELECT id, CAST(CASE WHEN enabled THEN 1 ELSE 0 END AS BIGINT), CAST(priority AS BIGINT), currencies \
         FROM provider_accounts WHERE merchant_id = $1",
    )
    .bind(&m.id)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn merchants_are_listed_and_shown_escaped_and_routing_changes_need_csrf_and_confirm() {
    let app = spawn_app().await;
    let receiver = Receiver::start(0, "127.0.0.1");
    let m = merchant_with_hook(&app, &receiver.url).await;
    let console = Console::sign_in(&app).await;
    let (status, list) = console.get("/console/merchants").await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!("href=\"/console/merchants/{}\"", m.id)));
    assert!(
        list.contains("Tea ") && !list.contains("<b>Tea"),
        "escaped: {list}"
    );
    let page = format!("/console/merchants/{}", m.id);
    let (status, html) = console.get(&page).await;
    assert_eq!(status, 200);
    assert!(html.contains("paystablecoin") && !html.contains("<b>Tea"));
    assert_eq!(console.get("/console/merchants/mer_nope").await.0, 404);

    let (account, enabled, _, _) = psc_account(&app, &m).await;
    let action = format!("/console/merchants/{}/accounts/{account}", m.id);
    let off = [
        ("priority", "7"),
        ("currencies", "USD"),
        ("methods", ""),
        ("confirm", "on"),
    ];
    assert_eq!(console.post_raw(&action, &off).await.status(), 403);
    assert_eq!(console.post(&action, &off[..3]).await.status(), 400);
    assert_eq!(psc_account(&app, &m).await.1, enabled, "nothing changed");
    let res = console.post(&action, &off).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{page}?done=routing"));
    assert_eq!(
        psc_account(&app, &m).await,
        (account.clone(), 0, 7, "[\"USD\"]".into())
    );
    let (status, body) = app
        .post("/v1/payments", &json!({ "amount": "1.00", "currency": "USD", "order_id": "X", "provider": "paystablecoin", "return_url": "https://shop.example/" }).to_string(), &m)
        .await;
    assert_ne!(status, 201, "a disabled account is not routed to: {body}");
    let bad = [
        ("enabled", "on"),
        ("priority", "1"),
        ("currencies", "XYZ"),
        ("confirm", "on"),
    ];
    let res = console.post(&action, &bad).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("currencies"));
    let on = [
        ("enabled", "on"),
        ("priority", "3"),
        ("currencies", ""),
        ("methods", ""),
        ("confirm", "on"),
    ];
    assert_eq!(console.post(&action, &on).await.status(), 303);
    assert_eq!(psc_account(&app, &m).await, (account, 1, 3, "[]".into()));

    let hook = format!("/console/merchants/{}/test-webhook", m.id);
    assert_eq!(
        console.post_raw(&hook, &[("confirm", "on")]).await.status(),
        403
    );
    let res = console.post(&hook, &[("confirm", "on")]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("answered 200"));
    let test = receiver.received().pop().expect("the test event");
    assert_eq!(test.json()["type"], "test");
    assert!(test.verify(&m.secret));
}

#[tokio::test]
async fn a_rotated_secret_is_shown_once_signs_requests_and_the_old_one_works_in_grace() {
    let app = spawn_app().await;
    let old = app.merchant_with_psc().await;
    let console = Console::sign_in(&app).await;
    let rotate = format!("/console/merchants/{}/rotate", old.id);
    assert_eq!(
        console
            .post_raw(&rotate, &[("confirm", "on")])
            .await
            .status(),
        403
    );
    assert_eq!(console.post(&rotate, &[]).await.status(), 400);
    assert_eq!(app.count("merchant_secrets").await, 1, "not rotated");
    let res = console.post(&rotate, &[("confirm", "on")]).await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    let at = page.find("id=\"new-secret\">").expect("the new secret") + "id=\"new-secret\">".len();
    let secret = page[at..].split('<').next().unwrap().to_owned();
    assert!(secret.len() >= 32 && secret != old.secret, "{secret}");
    let new = Merchant {
        id: old.id.clone(),
        secret: secret.clone(),
    };
    assert_eq!(
        app.get("/v1/payments", &new).await.0,
        200,
        "the new secret signs"
    );
    assert_eq!(
        app.get("/v1/payments", &old).await.0,
        200,
        "the old one, in grace"
    );
    let (_, again) = console.get(&format!("/console/merchants/{}", old.id)).await;
    assert!(!again.contains(&secret), "shown once only");
    assert!(again.contains("previous, valid until"));
}
