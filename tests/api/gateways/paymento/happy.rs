//! Paymento paying paths: connecting, pay → IPN → verify → Approve, and risk_speed 0.

use super::{
    choose, connect_paymento, create, creds, full, merchant, reference, sim, token, API_KEY, SECRET,
};
use crate::helpers::spawn_app;
use serde_json::{json, Value};

#[tokio::test]
async fn connecting_registers_the_ipn_url_at_the_simulator() {
    let app = spawn_app().await;
    let m = app.create_merchant().await;
    let account = connect_paymento(&app, &m, creds()).await;
    assert_eq!(account["webhook_registration"], "ok");
    assert_eq!(account["currencies"], json!(["USD", "EUR", "GBP"]));
    assert_eq!(account["methods"], json!(["crypto"]));
    let webhook_url = account["webhook_url"].as_str().unwrap();
    assert_eq!(
        webhook_url,
        format!(
            "{}/v1/webhooks/paymento/{}/",
            app.address,
            account["id"].as_str().unwrap()
        )
    );
    assert_eq!(
        sim(&app, "settings").await[API_KEY],
        json!({ "ipn_url": webhook_url, "ipn_method": 1, "updates": 1 })
    );
}

#[tokio::test]
async fn pay_ipn_verify_completes_and_the_order_is_approved_at_paymento() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let id = p["id"].as_str().unwrap();
    let t = token(&p);
    assert_eq!(t.len(), 32);
    assert_eq!(
        p["checkout_url"],
        format!("{}/paymento/gateway?token={t}", app.sim_address)
    );
    assert_eq!(p["status"], "pending");
    let page = app
        .client
        .get(p["checkout_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("25.00 USD") && html.contains(">Initialize<"),
        "{html}"
    );
    assert!(
        html.contains(&format!("action=\"checkout/{t}/pay\"")),
        "{html}"
    );

    let location = choose(&app, &p, "pay").await;
    let reference = reference(&app, id).await;
    // Built after the IPN was answered: Payrail had already verified (7 → 8).
    assert!(location.starts_with(&format!("{}/checkout/{id}/return?t=", app.address)));
    assert!(
        location.ends_with(&format!("&token={t}&orderId={reference}&status=8")),
        "{location}"
    );
    assert_eq!(app.status_of(id, &m).await, "completed");
    assert_eq!(full(&app, &m, id).await["provider_status"], "Approve");
    assert_eq!(sim(&app, &format!("orders/{t}")).await["order_status"], 8);
    assert_eq!(app.journal().await, [(true, Some("applied".into()))]);
    let stats = sim(&app, "stats").await;
    assert_eq!(
        stats["calls"],
        json!({"create": 1, "query": 1, "refund": 0, "cancel": 0})
    );
    assert_eq!(
        stats["by_reference"][&reference],
        json!({"create": 1, "query": 1})
    );
    assert_eq!(stats["webhooks_sent"], 1);

    // The customer's browser follows the redirect through Payrail to the merchant.
    let res = app.client.get(&location).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("https://shop.example/thanks?payment_id={id}&status=completed").as_str()
    );
}

#[tokio::test]
async fn risk_speed_0_reports_processing_then_completed() {
    let app = spawn_app().await;
    let m = app.create_merchant().await;
    connect_paymento(
        &app,
        &m,
        json!({"api_key": API_KEY, "secret_key": SECRET, "risk_speed": 0}),
    )
    .await;
    let p = create(&app, &m).await;
    let id = p["id"].as_str().unwrap();
    choose(&app, &p, "pay").await;
    assert_eq!(app.status_of(id, &m).await, "completed");
    let (status, events) = app.get(&format!("/v1/payments/{id}/events"), &m).await;
    assert_eq!(status, 200, "{events}");
    let moves: Vec<(Value, Value)> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["to_status"].is_string() && e["from_status"].is_string())
        .map(|e| (e["from_status"].clone(), e["to_status"].clone()))
        .collect();
    assert_eq!(
        moves,
        [
            (json!("pending"), json!("processing")),
            (json!("processing"), json!("completed"))
        ]
    );
    assert_eq!(
        app.journal().await,
        [
            (true, Some("applied".into())),
            (true, Some("applied".into()))
        ]
    );
    assert_eq!(sim(&app, "stats").await["webhooks_sent"], 2);
}
