//! Refunds at Stripe through Payrail's API (partial, then the rest, by the PaymentIntent, each
//! under its own Idempotency-Key) and refunds made in Stripe's dashboard, which become refund
//! rows from the charge's `amount_refunded`.

use super::{merchant, paid, sim, sim_session};
use crate::helpers::spawn_app;
use serde_json::json;

#[tokio::test]
async fn a_partial_then_a_full_refund_add_up_to_the_payment_and_no_more() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = paid(&app, &m, "SR-1", "30.00").await;
    let id = p["id"].as_str().unwrap();
    let path = format!("/v1/payments/{id}/refunds");
    let (status, first) = app
        .post(&path, r#"{"amount":"10.00","reason":"one item back"}"#, &m)
        .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        (&first["amount"], &first["status"]),
        (&json!("10.00"), &json!("completed"))
    );
    let (_, now) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(
        (&now["status"], &now["refunded_amount"]),
        (&json!("partially_refunded"), &json!("10.00"))
    );

    let (status, rest) = app.post(&path, "", &m).await;
    assert_eq!(status, 201, "{rest}");
    assert_eq!(
        (&rest["amount"], &rest["status"]),
        (&json!("20.00"), &json!("completed"))
    );
    let (_, now) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(
        (&now["status"], &now["refunded_amount"]),
        (&json!("refunded"), &json!("30.00"))
    );
    let (status, e) = app.post(&path, r#"{"amount":"0.01"}"#, &m).await;
    assert_eq!(
        (status, &e["error"]),
        (422, &json!("refund_exceeds_payment"))
    );

    let charge = &sim_session(&app, p["external_id"].as_str().unwrap()).await["payment_intent"]
        ["latest_charge"];
    assert_eq!(
        (&charge["amount_refunded"], &charge["refunded"]),
        (&json!(3000), &json!(true))
    );
    assert_eq!(sim(&app, "stats", None).await["calls"]["refund"], 2);
}

#[tokio::test]
async fn a_refund_made_in_stripes_dashboard_becomes_a_refund_row() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = paid(&app, &m, "SR-2", "25.00").await;
    let id = p["id"].as_str().unwrap();
    let session_id = p["external_id"].as_str().unwrap();
    let done = sim(
        &app,
        &format!("checkout/{session_id}/refund"),
        Some(json!({ "amount": "5.00" })),
    )
    .await;
    assert_eq!(done["ok"], true);
    let (_, now) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(
        (&now["status"], &now["refunded_amount"]),
        (&json!("partially_refunded"), &json!("5.00"))
    );
    let origins: Vec<(String, i64)> = sqlx::query_as("SELECT origin, amount_minor FROM refunds")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(origins, [("gateway".to_owned(), 500)]);

    // What is left can still be refunded through Payrail, and only that.
    let path = format!("/v1/payments/{id}/refunds");
    let (status, e) = app.post(&path, r#"{"amount":"20.01"}"#, &m).await;
    assert_eq!(status, 422, "{e}");
    let (status, rest) = app.post(&path, "", &m).await;
    assert_eq!((status, &rest["amount"]), (201, &json!("20.00")), "{rest}");
    let (_, now) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(
        (&now["status"], &now["refunded_amount"]),
        (&json!("refunded"), &json!("25.00"))
    );
}
