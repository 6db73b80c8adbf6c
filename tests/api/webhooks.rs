//! Gateway webhooks (docs/gateways/README.md, "Incoming gateway webhooks"): journal, verify,
//! dedupe, never backwards.

use crate::helpers::{spawn_app, TestApp, PSC_SECRET};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

async fn resend(app: &TestApp, payment: &Value, copies: u32, tamper: bool) {
    let order = TestApp::sim_order_id(payment);
    let res = app
        .client
        .post(format!(
            "{}/paystablecoin/_sim/checkout/{order}/webhook",
            app.sim_address
        ))
        .json(&json!({ "copies": copies, "tamper": tamper }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

/// PayStableCoin variant B, signed here from the documented recipe.
pub fn psc_sign(ts: &str, path: &str, body: &str) -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body.as_bytes()));
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(PSC_SECRET.as_bytes()).unwrap();
    mac.update(format!("{ts}\nPOST\n{path}\n{hash}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn duplicates_are_acknowledged_and_applied_once() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    app.sim_checkout(&p, "pay").await;
    resend(&app, &p, 3, false).await;
    app.assert_applied_once(3).await;
    assert_eq!(app.count("outbox_events").await, 1);
}

#[tokio::test]
async fn a_forged_webhook_is_journalled_refused_and_never_applied() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    app.sim_checkout(&p, "process").await;
    assert_eq!(
        app.status_of(p["id"].as_str().unwrap(), &m).await,
        "processing"
    );
    // Re-send the PROCESSING webhook with a broken signature, then forge a SUCCEEDED one.
    resend(&app, &p, 1, true).await;
    let account = app.account_id().await;
    let reference: String = sqlx::query_scalar("SELECT reference FROM attempts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let path = format!("/v1/webhooks/paystablecoin/{account}/");
    let forged = json!({ "acquiringOrderId": p["external_id"], "merchantOrderId": reference, "status": "SUCCEEDED",
                         "orderAmount": { "value": "25.00", "currency": "USD" } }).to_string();
    let ts = chrono::Utc::now().timestamp_millis().to_string();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"not-the-secret").unwrap();
    mac.update(format!("{ts}\n{forged}").as_bytes());
    let res = app
        .client
        .post(format!("{}{path}", app.address))
        .header("X-Timestamp", &ts)
        .header(
            "X-Signature",
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()),
        )
        .body(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let rows = app.journal().await;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1], (false, Some("rejected".into())));
    assert_eq!(rows[2], (false, Some("rejected".into())));
    assert_eq!(
        app.status_of(p["id"].as_str().unwrap(), &m).await,
        "processing"
    );
}

#[tokio::test]
async fn late_news_never_moves_a_completed_payment_backwards() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    app.sim_checkout(&p, "pay").await;
    let id = p["id"].as_str().unwrap();
    assert_eq!(app.status_of(id, &m).await, "completed");
    // A genuine, correctly signed PROCESSING webhook that arrives late.
    let account = app.account_id().await;
    let reference: String = sqlx::query_scalar("SELECT reference FROM attempts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let path = format!("/v1/webhooks/paystablecoin/{account}/");
    let late = json!({ "acquiringOrderId": p["external_id"], "merchantOrderId": reference, "status": "PROCESSING",
                       "orderAmount": { "value": "25.00", "currency": "USD" } }).to_string();
    let ts = chrono::Utc::now().timestamp_millis().to_string();
    let res = app
        .client
        .post(format!("{}{path}", app.address))
        .header("X-Timestamp", &ts)
        .header("X-Signature", psc_sign(&ts, &path, &late))
        .body(late)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "code": "00000" })
    );
    assert_eq!(app.status_of(id, &m).await, "completed");
    assert_eq!(
        app.journal().await.last().unwrap(),
        &(true, Some("applied".into()))
    );
}

#[tokio::test]
async fn webhooks_for_unknown_providers_or_accounts_are_not_found() {
    let app = spawn_app().await;
    app.merchant_with_psc().await;
    let account = app.account_id().await;
    for path in [
        format!("/v1/webhooks/nosuchpay/{account}/"),
        "/v1/webhooks/paystablecoin/acc_01JD0000000000000000000000/".to_owned(),
        format!("/v1/webhooks/hitpay/{account}"),
    ] {
        let res = app
            .client
            .post(format!("{}{path}", app.address))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn the_webhook_journal_is_kept_for_its_retention_then_cleaned_up() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    app.sim_checkout(&p, "pay").await;
    assert_eq!(app.count("webhook_journal").await, 1);
    let orch = crate::delivery::worker(&app).await;
    orch.clock.advance(chrono::Duration::days(29));
    assert_eq!(orch.clean_up_expired().await.unwrap().webhook_records, 0);
    orch.clock.advance(chrono::Duration::days(2));
    // The journal entry and its dedupe key.
    assert_eq!(orch.clean_up_expired().await.unwrap().webhook_records, 2);
    assert_eq!(app.count("webhook_journal").await, 0);
}
