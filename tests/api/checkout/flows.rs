//! The customer's journeys through the hosted page: cancel at one gateway and pay at another,
//! a failed attempt that leaves the choice open, and a customer who pays twice.

use super::{at_gateway, attempts, create_hosted, follow, location, page_html, pick, shop};
use crate::helpers::spawn_app;
use serde_json::json;

#[tokio::test]
async fn cancel_at_pakhi_pay_then_pay_by_card_at_hitpay() {
    let app = spawn_app().await;
    let m = shop(&app, json!({})).await;
    let p = create_hosted(&app, &m, "TEA-1").await;
    let id = p["id"].as_str().unwrap();
    let checkout_url = p["checkout_url"].as_str().unwrap();
    assert!(
        checkout_url.starts_with(&format!("{}/checkout/{id}?t=", app.address)),
        "{p}"
    );
    assert_eq!(
        (&p["status"], &p["provider"]),
        (&json!("pending"), &json!(null))
    );
    assert_eq!(
        app.count("attempts").await,
        0,
        "no gateway is asked before a pick"
    );

    // Mobile banking: an attempt at Pakhi Pay, and the browser goes to its page.
    let res = pick(&app, &p, "mobile_banking").await;
    let pakhi_page = location(&res);
    assert!(pakhi_page.starts_with(&format!("{}/pakhipay/checkout/", app.sim_address)));
    // The customer cancels there; Payrail's return sends them back to the choice.
    let back = at_gateway(&app, &pakhi_page, "cancel").await;
    assert!(back.starts_with(&format!("{}/checkout/{id}/return?", app.address)));
    assert_eq!(follow(&app, &back).await, checkout_url);
    let (status, html) = page_html(&app, checkout_url).await;
    assert_eq!(status, 200);
    assert!(html.contains("Pakhi Pay has not been completed"), "{html}");
    assert_eq!(app.status_of(id, &m).await, "pending");

    // Card: a second attempt, at HitPay, paid.
    let hitpay_page = location(&pick(&app, &p, "card").await);
    assert!(hitpay_page.starts_with(&format!("{}/hitpay/", app.sim_address)));
    let back = at_gateway(&app, &hitpay_page, "pay").await;
    let merchant_page = follow(&app, &back).await;
    assert_eq!(
        merchant_page,
        format!("https://shop.example/thanks?payment_id={id}&status=completed")
    );
    let (_, paid) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(
        (&paid["status"], &paid["provider"]),
        (&json!("completed"), &json!("hitpay"))
    );
    assert_eq!(
        paid["checkout_url"], checkout_url,
        "the hosted page stays the checkout"
    );
    let tries = attempts(&app, id).await;
    assert_eq!(tries.len(), 2);
    assert_eq!(tries[0].0, "pakhipay");
    assert_eq!(tries[1], ("hitpay".to_owned(), "open".to_owned()));

    // Paid: the page shows it, and another pick opens nothing.
    let (_, html) = page_html(&app, checkout_url).await;
    assert!(html.contains("Payment received"), "{html}");
    assert!(!html.contains("<button"), "no choice is offered once paid");
    let res = pick(&app, &p, "mobile_banking").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Payment received"));
    assert_eq!(attempts(&app, id).await.len(), 2);
}

#[tokio::test]
async fn a_failed_card_attempt_closes_only_itself() {
    let app = spawn_app().await;
    let m = shop(&app, json!({})).await;
    let p = create_hosted(&app, &m, "TEA-2").await;
    let id = p["id"].as_str().unwrap();
    let hitpay_page = location(&pick(&app, &p, "card").await);
    let back = at_gateway(&app, &hitpay_page, "fail").await;
    // HitPay's signed webhook said `failed`: the attempt is closed, the payment is not.
    assert_eq!(
        attempts(&app, id).await,
        [("hitpay".to_owned(), "closed".to_owned())]
    );
    assert_eq!(app.status_of(id, &m).await, "pending");
    assert_eq!(
        follow(&app, &back).await,
        p["checkout_url"].as_str().unwrap()
    );
    let (_, html) = page_html(&app, p["checkout_url"].as_str().unwrap()).await;
    assert!(html.contains("HitPay was not completed"), "{html}");
    let (_, events) = app.get(&format!("/v1/payments/{id}/events"), &m).await;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"attempt.closed"), "{kinds:?}");
    assert!(!kinds.contains(&"payment.failed"), "{kinds:?}");

    // The choice is still open: Pakhi Pay takes it and pays.
    let pakhi_page = location(&pick(&app, &p, "mobile_banking").await);
    at_gateway(&app, &pakhi_page, "pay").await;
    assert_eq!(app.status_of(id, &m).await, "completed");
}

#[tokio::test]
async fn a_customer_who_pays_at_two_gateways_puts_the_payment_in_review() {
    let app = spawn_app().await;
    let m = shop(&app, json!({})).await;
    let p = create_hosted(&app, &m, "TEA-3").await;
    let id = p["id"].as_str().unwrap();
    // A card attempt left open in one tab, then mobile banking paid in another.
    let hitpay_page = location(&pick(&app, &p, "card").await);
    let pakhi_page = location(&pick(&app, &p, "mobile_banking").await);
    at_gateway(&app, &pakhi_page, "pay").await;
    let (_, paid) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(
        (&paid["status"], &paid["provider"]),
        (&json!("completed"), &json!("pakhipay"))
    );

    // Now the first tab pays too: the money arrived twice.
    at_gateway(&app, &hitpay_page, "pay").await;
    let (_, review) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(review["status"], "needs_review", "{review}");
    let detail = review["status_detail"].as_str().unwrap();
    assert!(
        detail.starts_with("duplicate_payment: attempt att_"),
        "{detail}"
    );
    assert!(detail.contains("at hitpay"), "{detail}");
    assert_eq!(
        review["provider"], "pakhipay",
        "the first paid attempt still settles it"
    );
    let outbox: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox_events WHERE payment_id = $1 AND type = 'payment.needs_review'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(outbox, 1, "the merchant is told");
    assert_eq!(
        attempts(&app, id).await[0],
        ("hitpay".to_owned(), "double_paid".to_owned())
    );
    // Flagged once: a later recheck adds nothing.
    let (status, _) = app
        .post(&format!("/v1/payments/{id}/recheck"), "", &m)
        .await;
    assert_eq!(status, 200);
    let (_, events) = app.get(&format!("/v1/payments/{id}/events"), &m).await;
    let flagged = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "attempt.double_payment")
        .count();
    assert_eq!(flagged, 1);
}

#[tokio::test]
async fn an_explicit_provider_still_gets_the_gateways_own_checkout_url() {
    let app = spawn_app().await;
    let m = shop(&app, json!({})).await;
    let body = json!({
        "amount": "1500.00", "currency": "BDT", "order_id": "TEA-4", "provider": "pakhipay",
        "customer": { "name": "Rahim Uddin", "email": "rahim@example.com" },
    });
    let (status, p) = app.post("/v1/payments", &body.to_string(), &m).await;
    assert_eq!(status, 201, "{p}");
    let url = p["checkout_url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/pakhipay/checkout/", app.sim_address)),
        "{p}"
    );
    // A method alone routes directly too.
    let body =
        json!({ "amount": "1500.00", "currency": "BDT", "order_id": "TEA-5", "method": "card" });
    let (status, p) = app.post("/v1/payments", &body.to_string(), &m).await;
    assert_eq!(status, 201, "{p}");
    assert_eq!(p["provider"], "hitpay");
    assert!(p["checkout_url"]
        .as_str()
        .unwrap()
        .starts_with(&app.sim_address));
}
