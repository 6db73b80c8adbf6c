//! A payment's life end to end with PayStableCoin: create, pay at the gateway, webhook,
//! verify, recheck, timeline; and the unhappy endings.

use crate::helpers::spawn_app;
use serde_json::json;

#[tokio::test]
async fn create_pay_webhook_completes_and_verify_and_recheck_agree() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let created = app
        .create_payment(&m, json!({ "callback_url": "https://shop.example/hook" }))
        .await;
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("pay_"));
    assert_eq!(created["status"], "pending");
    assert_eq!(created["amount"], "25.00");
    assert_eq!(created["provider"], "paystablecoin");
    assert!(created["external_id"].as_str().unwrap().starts_with("ORD_"));
    assert!(created["checkout_url"]
        .as_str()
        .unwrap()
        .starts_with(&app.sim_address));

    // The customer pays; the simulator sends its signed webhook before redirecting.
    let paid = app.sim_checkout(&created, "pay").await;
    assert_eq!(paid.status(), 303);
    let location = paid.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{}/checkout/{id}/return?t=", app.address)),
        "{location}"
    );

    assert_eq!(app.status_of(id, &m).await, "completed");
    let (status, recheck) = app
        .post(&format!("/v1/payments/{id}/recheck/"), "", &m)
        .await;
    assert_eq!(status, 200, "{recheck}");
    assert_eq!(recheck["status"], "completed");
    assert_eq!(recheck["previous_status"], "completed");
    assert_eq!(recheck["changed"], false);
    assert_eq!(recheck["reconciled"], true);
    assert_eq!(recheck["provider_status"], "SUCCEEDED");

    let (_, full) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(full["status"], "completed");
    assert!(full["completed_at"].is_string());
    assert_eq!(full["available_actions"], json!(["recheck", "refund"]));

    let (_, events) = app.get(&format!("/v1/payments/{id}/events/"), &m).await;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["payment.created", "attempt.created", "payment.completed"]
    );
    let completed = &events[2];
    assert_eq!(completed["from_status"], "pending");
    assert_eq!(completed["source"], "provider_webhook");

    // The merchant's webhook is waiting in the outbox, written with the change.
    let (kind, target): (String, Option<String>) =
        sqlx::query_as("SELECT type, target_url FROM outbox_events WHERE payment_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(kind, "payment.completed");
    assert_eq!(target.as_deref(), Some("https://shop.example/hook"));
}

#[tokio::test]
async fn the_customer_return_rechecks_and_redirects_to_the_merchant() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let created = app
        .create_payment(&m, json!({ "cancel_url": "https://shop.example/cart" }))
        .await;
    let id = created["id"].as_str().unwrap();
    let paid = app.sim_checkout(&created, "process").await;
    let return_url = paid.headers()["location"].to_str().unwrap().to_owned();
    let back = app.client.get(&return_url).send().await.unwrap();
    assert_eq!(back.status(), 303);
    let to = back.headers()["location"].to_str().unwrap();
    assert_eq!(
        to,
        format!("https://shop.example/thanks?payment_id={id}&status=processing")
    );

    // A wrong token reveals nothing.
    let forged = return_url.replace("?t=", "?t=x");
    assert_eq!(app.client.get(&forged).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn a_cancelled_checkout_is_learned_by_recheck_and_sends_the_customer_to_cancel_url() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let created = app
        .create_payment(&m, json!({ "cancel_url": "https://shop.example/cart" }))
        .await;
    let id = created["id"].as_str().unwrap();
    // PayStableCoin sends no webhook for CLOSED: only a query learns it.
    let res = app.sim_checkout(&created, "cancel").await;
    assert_eq!(app.status_of(id, &m).await, "pending");
    let back = app
        .client
        .get(res.headers()["location"].to_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        back.headers()["location"].to_str().unwrap(),
        format!("https://shop.example/cart?payment_id={id}&status=cancelled")
    );
    assert_eq!(app.status_of(id, &m).await, "cancelled");
}

#[tokio::test]
async fn an_underpayment_goes_to_review_never_completed() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let created = app.create_payment(&m, json!({})).await;
    let id = created["id"].as_str().unwrap();
    app.sim_checkout(&created, "underpay").await;
    assert_eq!(app.status_of(id, &m).await, "needs_review");
    let (_, full) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert!(
        full["status_detail"]
            .as_str()
            .unwrap()
            .starts_with("underpaid"),
        "{full}"
    );
}

#[tokio::test]
async fn merchant_cancel_of_an_unpaid_payment_and_refusal_of_a_paid_one() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let open = app.create_payment(&m, json!({ "order_id": "A" })).await;
    let (status, body) = app
        .post(
            &format!("/v1/payments/{}/cancel", open["id"].as_str().unwrap()),
            "",
            &m,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");

    let paid = app.create_payment(&m, json!({ "order_id": "B" })).await;
    app.sim_checkout(&paid, "pay").await;
    let (status, body) = app
        .post(
            &format!("/v1/payments/{}/cancel", paid["id"].as_str().unwrap()),
            "",
            &m,
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "invalid_state");
    assert_eq!(
        app.status_of(paid["id"].as_str().unwrap(), &m).await,
        "completed"
    );
}

#[tokio::test]
async fn list_is_newest_first_with_keyset_pages_and_filters() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            app.create_payment(&m, json!({ "order_id": format!("O-{i}") }))
                .await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let (_, page1) = app.get("/v1/payments/?limit=2", &m).await;
    assert_eq!(page1["has_more"], true);
    let got: Vec<&str> = page1["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [ids[4].as_str(), ids[3].as_str()]);
    let cursor = page1["next_cursor"].as_str().unwrap();
    let (_, page2) = app
        .get(&format!("/v1/payments?limit=2&starting_after={cursor}"), &m)
        .await;
    let got: Vec<&str> = page2["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [ids[2].as_str(), ids[1].as_str()]);
    let (_, by_order) = app.get("/v1/payments?order_id=O-3", &m).await;
    assert_eq!(by_order["data"].as_array().unwrap().len(), 1);
    assert_eq!(by_order["data"][0]["id"], ids[3].as_str());
    assert_eq!(by_order["has_more"], false);
    let (_, none) = app.get("/v1/payments?status=completed", &m).await;
    assert_eq!(none["data"], json!([]));
}

#[tokio::test]
async fn recheck_dry_run_reports_without_applying_and_rechecks_are_rate_limited() {
    let app = crate::helpers::spawn_app_with(|s| {
        s.recheck.per_minute = 1;
        s.recheck.burst = 2;
    })
    .await;
    let m = app.merchant_with_psc().await;
    let created = app.create_payment(&m, json!({})).await;
    let id = created["id"].as_str().unwrap();
    app.sim_checkout(&created, "cancel").await;
    let (status, dry) = app
        .get(&format!("/v1/payments/{id}/recheck?dry_run=true"), &m)
        .await;
    assert_eq!(status, 200, "{dry}");
    assert_eq!(dry["status"], "cancelled");
    assert_eq!(dry["previous_status"], "pending");
    assert_eq!(dry["changed"], true);
    assert_eq!(dry["reconciled"], false);
    assert_eq!(
        app.status_of(id, &m).await,
        "pending",
        "a dry run changes nothing"
    );
    let (status, real) = app
        .post(&format!("/v1/payments/{id}/recheck"), "", &m)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            real["status"].as_str(),
            real["changed"].as_bool(),
            real["reconciled"].as_bool()
        ),
        (Some("cancelled"), Some(true), Some(true))
    );
    let res = app
        .signed(
            reqwest::Method::GET,
            &format!("/v1/payments/{id}/recheck"),
            "",
            &m,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(
        res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["error"],
        "rate_limited"
    );
    // Verify is never rate-limited.
    for _ in 0..5 {
        assert_eq!(app.status_of(id, &m).await, "cancelled");
    }
}

#[tokio::test]
async fn returns_past_their_rate_limit_redirect_without_asking_the_gateway() {
    let app = crate::helpers::spawn_app_with(|s| {
        s.recheck.returns_per_minute = 1;
        s.recheck.returns_burst = 2;
    })
    .await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    let id = p["id"].as_str().unwrap();
    let paid = app.sim_checkout(&p, "pay").await;
    let back = paid.headers()["location"].to_str().unwrap().to_owned();
    let queries = || async { app.sim_stats().await["calls"]["query"].as_i64().unwrap() };

    // Wrong tokens are refused before the limit is consulted: they cannot use it up.
    let forged = format!("{}/checkout/{id}/return?t=wrong", app.address);
    for _ in 0..3 {
        assert_eq!(app.client.get(&forged).send().await.unwrap().status(), 404);
    }
    let before = queries().await;
    let thanks = format!("https://shop.example/thanks?payment_id={id}&status=completed");
    for _ in 0..4 {
        let res = app.client.get(&back).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], thanks.as_str());
    }
    assert_eq!(
        queries().await - before,
        2,
        "only the burst asked the gateway"
    );
}
