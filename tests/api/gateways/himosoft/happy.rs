//! HimoSoft paying paths: pay, callback, recheck, return; failures, expiry, review, forged and
//! duplicated callbacks.

use super::*;
use crate::helpers::spawn_app;

#[tokio::test]
async fn pay_callback_recheck_completes_and_the_customer_returns_through_payrail() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let want = json!(["pending", "himosoft", "1500.00"]);
    assert_eq!(pick(&p, &["status", "provider", "amount"]), want);
    let external = p["external_id"].as_str().unwrap().to_owned();
    assert_eq!(format!("pay_{}", token(&p)), external);
    let page_url = p["checkout_url"].as_str().unwrap();
    let sim_checkout = format!("{}/himosoft/checkout/", app.sim_address);
    assert!(page_url.starts_with(&sim_checkout), "{page_url}");
    let page = app.client.get(page_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("1500.00 BDT"));

    let back = return_to_payrail(&app, &p).await;
    let paid = checkout(&app, &p, "pay").await;
    assert_eq!(paid.status(), 303);
    let location = paid.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("{back}?id={external}&status=completed"));
    // The callback arrived before the redirect and was confirmed by one recheck.
    assert_eq!(app.status_of(id(&p), &m).await, "completed");
    assert_eq!(journal(&app).await, ["verified:applied"]);
    let r = reference(&app, &p).await;
    let s = stats(&app).await;
    assert_eq!(s["by_reference"][&r], json!({ "create": 1, "query": 1 }));
    assert_eq!(s["webhooks_sent"], 1);
    let v = full(&app, &p, &m).await;
    let want = json!(["completed", null]);
    assert_eq!(pick(&v, &["provider_status", "status_detail"]), want);

    // The customer follows the redirect: Payrail rechecks and sends them to the merchant.
    assert_eq!(follow(&app, &location).await, thanks(&p, "completed"));
    let v = recheck(&app, &p, &m).await;
    let want = json!(["completed", false, true]);
    assert_eq!(pick(&v, &["status", "changed", "reconciled"]), want);
    let want = json!({ "create": 1, "query": 3 });
    assert_eq!(stats(&app).await["by_reference"][&r], want);
}

#[tokio::test]
async fn fail_cancel_and_expire() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    // HimoSoft `expired` before the payment's own window ends is a cancellation for Payrail.
    let cases = [
        ("fail", "failed", "failed"),
        ("cancel", "cancelled", "cancelled"),
        ("expire", "expired", "cancelled"),
    ];
    for (outcome, word, status) in cases {
        let p = create(&app, &m).await;
        let res = checkout(&app, &p, outcome).await;
        assert_eq!(res.status(), 200, "{outcome}: no return URL, a done page");
        assert_eq!(app.status_of(id(&p), &m).await, status, "{outcome}");
        let v = full(&app, &p, &m).await;
        assert_eq!(v["provider_status"], word, "{outcome}");
    }
    assert_eq!(journal(&app).await, ["verified:applied"; 3]);
}

#[tokio::test]
async fn an_underpayment_needs_review() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    checkout(&app, &p, "underpay").await;
    assert_eq!(app.status_of(id(&p), &m).await, "needs_review");
    let v = full(&app, &p, &m).await;
    let detail = "amount_mismatch: expected 1500.00, gateway reported 750.00";
    let want = json!([detail, "completed"]);
    assert_eq!(pick(&v, &["status_detail", "provider_status"]), want);
}

#[tokio::test]
async fn a_forged_callback_never_completes_a_payment_and_a_wrong_signature_is_rejected() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let r = reference(&app, &p).await;
    let hook = webhook_url(&app).await;
    // Unsigned, claiming completed: accepted as a hint, rechecked, still pending.
    let forged = json!({ "id": p["external_id"], "status": "completed", "order_id": r,
                         "amount": "1500.00", "currency": "BDT" })
    .to_string();
    let res = app.client.post(&hook).body(forged.clone()).send();
    let res = res.await.unwrap();
    assert_eq!(res.status(), 200);
    let received = json!({ "status": "received" });
    assert_eq!(res.json::<Value>().await.unwrap(), received);
    assert_eq!(app.status_of(id(&p), &m).await, "pending");
    assert_eq!(stats(&app).await["by_reference"][&r]["query"], 1);
    // Signed with the wrong secret: 401 in HimoSoft's envelope, never applied.
    let ts = crate::helpers::now_ts();
    let wrong = crate::helpers::sign("himo_sk_wrong", &ts, forged.as_bytes());
    let req = app.client.post(&hook).header("X-Timestamp", &ts);
    let req = req.header("X-HMAC-Signature", wrong);
    let res = req.body(forged).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let envelope = json!({ "error": "invalid_signature", "message": "HMAC validation failed. Check credentials." });
    assert_eq!(res.json::<Value>().await.unwrap(), envelope);
    // The simulator's own callback, re-sent with a broken signature (retried 3 times).
    assert_eq!(checkout(&app, &p, "process").await.status(), 200);
    let path = format!("checkout/{}/webhook", token(&p));
    let sent = sim(&app, &path, json!({ "copies": 1, "tamper": true })).await;
    assert_eq!(sent["statuses"], json!([[401, 401, 401]]));
    assert_eq!(app.status_of(id(&p), &m).await, "pending");
    let (ok, no) = ("verified:applied", "rejected:rejected");
    assert_eq!(journal(&app).await, [ok, no, ok, no, no, no]);
    // The forged hint used up nothing: the genuine payment still completes.
    checkout(&app, &p, "pay").await;
    assert_eq!(app.status_of(id(&p), &m).await, "completed");
}

#[tokio::test]
async fn a_duplicated_callback_is_applied_once() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    checkout(&app, &p, "pay").await;
    let path = format!("checkout/{}/webhook", p["external_id"].as_str().unwrap());
    sim(&app, &path, json!({ "copies": 3 })).await;
    let d = "verified:duplicate";
    assert_eq!(journal(&app).await, ["verified:applied", d, d, d]);
    let sql = "SELECT count(*) FROM payment_events WHERE type = 'payment.completed'";
    let completions: i64 = sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap();
    assert_eq!(completions, 1);
    assert_eq!(app.status_of(id(&p), &m).await, "completed");
}

#[tokio::test]
async fn a_lost_callback_is_settled_by_the_return_or_by_a_recheck() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    // Settled by the customer's return.
    let p = create(&app, &m).await;
    let back = return_to_payrail(&app, &p).await;
    sim(&app, "webhooks/drop", json!({ "count": 1 })).await;
    let res = checkout(&app, &p, "pay").await;
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&back), "{location}");
    assert_eq!(app.status_of(id(&p), &m).await, "pending", "callback lost");
    assert_eq!(stats(&app).await["webhooks_sent"], 0);
    assert_eq!(follow(&app, &location).await, thanks(&p, "completed"));
    assert_eq!(app.status_of(id(&p), &m).await, "completed");
    // Settled by the merchant's recheck.
    let q = create(&app, &m).await;
    sim(&app, "webhooks/drop", json!({ "count": 1 })).await;
    checkout(&app, &q, "pay").await;
    assert_eq!(app.status_of(id(&q), &m).await, "pending");
    let v = recheck(&app, &q, &m).await;
    let want = json!(["completed", "pending", true]);
    assert_eq!(pick(&v, &["status", "previous_status", "changed"]), want);
    assert!(journal(&app).await.is_empty());
}
