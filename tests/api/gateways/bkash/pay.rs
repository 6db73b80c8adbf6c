//! Paying: the return executes, once, even when the customer comes back twice at once; a
//! failed or cancelled approval never executes; concurrent creates share one token.

use super::*;
use crate::helpers::spawn_app;

#[tokio::test]
async fn the_return_executes_the_approved_payment_and_completes_it() {
    let app = spawn_app().await;
    let m = merchant(&app, CREDENTIALS[0], json!({})).await;
    let p = create(&app, &m, "BK-1").await;
    let id = p["id"].as_str().unwrap();
    assert_eq!(
        (&p["status"], &p["provider"]),
        (&json!("pending"), &json!("bkash"))
    );
    let payment_id = p["external_id"].as_str().unwrap();
    assert!(payment_id.starts_with("TR0011"), "{p}");
    let page = format!("{}/bkash/checkout/{payment_id}", app.sim_address);
    assert_eq!(p["checkout_url"], page.as_str());

    let back = on_page(&app, &p, "authorise").await;
    let account: String = sqlx::query_scalar("SELECT id FROM provider_accounts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let door = format!(
        "{}/checkout/return/bkash/{account}?paymentID={payment_id}&status=success",
        app.address
    );
    assert_eq!(back, door, "the account-level return (B2)");
    assert_eq!(
        app.status_of(id, &m).await,
        "pending",
        "approval moves no money"
    );
    assert_eq!(at_bkash(&app, id).await["paid"], "0.00");

    let thanks = format!("https://shop.example/thanks?payment_id={id}&status=completed");
    assert_eq!(follow(&app, &back).await, thanks);
    assert_eq!(at_bkash(&app, id).await["paid"], "100.00");
    let trx = attempt(&app, id, "charge_id").await;
    assert_eq!(at_bkash(&app, id).await["charge_ids"], json!([trx]));
    let s = stats(&app).await;
    assert_eq!(
        (&s["grants"], &s["executes"], &s["executed"]),
        (&json!(1), &json!(1), &json!(1))
    );
    let (_, events) = app.get(&format!("/v1/payments/{id}/events/"), &m).await;
    let completed = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "payment.completed");
    assert_eq!(completed.unwrap()["source"], "return");

    // A recheck later asks, and executes nothing more.
    let (status, recheck) = app
        .post(&format!("/v1/payments/{id}/recheck"), "", &m)
        .await;
    assert_eq!(status, 200, "{recheck}");
    assert_eq!(
        (&recheck["status"], &recheck["provider_status"]),
        (&json!("completed"), &json!("Completed"))
    );
    assert_eq!(stats(&app).await["executes"], 1);
}

#[tokio::test]
async fn two_returns_at_once_execute_once() {
    let app = spawn_app().await;
    let m = merchant(&app, CREDENTIALS[0], json!({})).await;
    let p = create(&app, &m, "BK-2").await;
    let id = p["id"].as_str().unwrap();
    let back = on_page(&app, &p, "authorise").await;
    let (a, b) = tokio::join!(follow(&app, &back), follow(&app, &back));
    let thanks = format!("https://shop.example/thanks?payment_id={id}&status=completed");
    assert_eq!((a.as_str(), b.as_str()), (thanks.as_str(), thanks.as_str()));
    let s = stats(&app).await;
    assert_eq!(s["executed"], 1, "money moved once: {s}");
    assert!(s["executes"].as_u64().unwrap() <= 2, "{s}");
    assert_eq!(events(&app, id, "payment.completed").await, 1);
    assert_eq!(at_bkash(&app, id).await["paid_charges"], 1);
}

#[tokio::test]
async fn a_failed_or_cancelled_approval_is_never_executed() {
    let app = spawn_app().await;
    let m = merchant(&app, CREDENTIALS[0], json!({})).await;
    for (outcome, word, order) in [("fail", "failed", "BK-3"), ("cancel", "cancelled", "BK-4")] {
        let p = create(&app, &m, order).await;
        let id = p["id"].as_str().unwrap();
        let back = on_page(&app, &p, outcome).await;
        assert!(back.contains("&status="), "{back}");
        let cart = format!("https://shop.example/cart?payment_id={id}&status={word}");
        assert_eq!(follow(&app, &back).await, cart);
        assert_eq!(app.status_of(id, &m).await, word);
    }
    // A forged success return of a cancelled payment asks bKash, which says cancelled.
    let s = stats(&app).await;
    assert_eq!((&s["executes"], &s["executed"]), (&json!(0), &json!(0)));
}

#[tokio::test]
async fn a_wallet_refusal_at_execute_fails_the_payment() {
    let app = spawn_app().await;
    let m = merchant(&app, "bk_poor", json!({ "execute_refusal": "2023" })).await;
    let p = create(&app, &m, "BK-5").await;
    let id = p["id"].as_str().unwrap();
    let back = on_page(&app, &p, "authorise").await;
    let cart = format!("https://shop.example/cart?payment_id={id}&status=failed");
    assert_eq!(follow(&app, &back).await, cart);
    let (_, full) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(
        full["provider_status"], "bKash 2023: Payment execution refused",
        "{full}"
    );
    assert_eq!(stats(&app).await["executed"], 0);
}

#[tokio::test]
async fn concurrent_creates_share_one_token() {
    let app = spawn_app().await;
    let m = merchant(&app, CREDENTIALS[0], json!({})).await;
    let orders: Vec<String> = (0..6).map(|n| format!("BK-C{n}")).collect();
    let creates = orders.iter().map(|o| {
        let body = payment_body(o, json!({}));
        let m = &m;
        let app = &app;
        async move { app.post("/v1/payments", &body, m).await }
    });
    let answers = futures_util::future::join_all(creates).await;
    for (status, p) in &answers {
        assert_eq!(*status, 201, "{p}");
    }
    let s = stats(&app).await;
    assert_eq!(
        (&s["grants"], &s["refreshes"]),
        (&json!(1), &json!(0)),
        "{s}"
    );
    assert_eq!(s["calls"]["create"], 6);

    // Every token expires at once: the next call is refused, the token renewed, the call sent again.
    sim(&app, "tokens/expire", json!({})).await;
    create(&app, &m, "BK-C6").await;
    let s = stats(&app).await;
    assert_eq!(
        (&s["grants"], &s["refreshes"], &s["calls"]["create"]),
        (&json!(1), &json!(1), &json!(8))
    );
}
