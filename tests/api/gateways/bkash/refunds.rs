//! Refunds at bKash: partial ones add up against the payment's transaction, never past it.

use super::*;
use crate::helpers::spawn_app;

#[tokio::test]
async fn partial_then_full_refunds_reach_bkash_and_never_exceed_the_payment() {
    let app = spawn_app().await;
    let m = merchant(&app, CREDENTIALS[0], json!({})).await;
    let p = create(&app, &m, "BK-F1").await;
    let id = p["id"].as_str().unwrap();
    let back = on_page(&app, &p, "authorise").await;
    follow(&app, &back).await;
    assert_eq!(app.status_of(id, &m).await, "completed");

    let path = format!("/v1/payments/{id}/refunds");
    let (status, first) = app
        .post(&path, r#"{"amount":"40.00","reason":"one item"}"#, &m)
        .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        (&first["status"], &first["amount"]),
        (&json!("completed"), &json!("40.00"))
    );
    assert!(
        first["external_id"].as_str().is_some_and(|e| !e.is_empty()),
        "{first}"
    );
    assert_eq!(app.status_of(id, &m).await, "partially_refunded");
    assert_eq!(at_bkash(&app, id).await["refunded"], "40.00");

    let (status, over) = app.post(&path, r#"{"amount":"60.01"}"#, &m).await;
    assert_eq!(status, 422, "{over}");
    let (status, rest) = app.post(&path, "", &m).await;
    assert_eq!((status, &rest["amount"]), (201, &json!("60.00")), "{rest}");
    assert_eq!(rest["status"], "completed");
    assert_eq!(app.status_of(id, &m).await, "refunded");
    assert_eq!(at_bkash(&app, id).await["refunded"], "100.00");
    assert_eq!(stats(&app).await["calls"]["refund"], 2);
    assert_eq!(events(&app, id, "payment.refunded").await, 1);
}
