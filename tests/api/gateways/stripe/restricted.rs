//! A restricted key (`rk_…`, R1): with the permissions docs/gateways/stripe.md lists, payments and
//! refunds work as with a secret key; without one, the call Stripe refuses (403) changes nothing.

use super::{connect_stripe_key, paid};
use crate::helpers::{spawn_app, Merchant, TestApp};
use serde_json::{json, Value};

const RESTRICTED_KEY: &str = "rk_test_payrail_sim_restricted";

async fn merchant_with(app: &TestApp, denied: &[&str]) -> Merchant {
    let m = app.create_merchant().await;
    connect_stripe_key(app, &m, RESTRICTED_KEY, denied).await;
    m
}

/// The charge's `amount_refunded` at Stripe, read with Stripe's API and the restricted key.
async fn refunded_at_stripe(app: &TestApp, p: &Value) -> i64 {
    let session: Value = app
        .client
        .get(format!(
            "{}/stripe/v1/checkout/sessions/{}?expand[]=payment_intent.latest_charge",
            app.sim_address,
            p["external_id"].as_str().unwrap()
        ))
        .bearer_auth(RESTRICTED_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    session["payment_intent"]["latest_charge"]["amount_refunded"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_restricted_key_with_the_listed_permissions_pays_and_refunds() {
    let app = spawn_app().await;
    let m = merchant_with(&app, &[]).await;
    let p = paid(&app, &m, "RK-1", "30.00").await;
    let id = p["id"].as_str().unwrap();
    let (status, refund) = app.refund(&m, id, json!({ "amount": "10.00" })).await;
    assert_eq!(status, 201, "{refund}");
    assert_eq!(refund["status"], "completed");
    let (_, now) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(now["refunded_amount"], "10.00");
    assert_eq!(refunded_at_stripe(&app, &p).await, 1000);
}

#[tokio::test]
async fn a_refund_a_restricted_key_may_not_make_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let m = merchant_with(&app, &["refunds"]).await;
    let p = paid(&app, &m, "RK-2", "30.00").await;
    let id = p["id"].as_str().unwrap();
    let (status, refund) = app.refund(&m, id, json!({ "amount": "10.00" })).await;
    assert_eq!(
        (status, &refund["error"]),
        (502, &json!("provider_unavailable")),
        "{refund}"
    );
    assert!(
        refund["message"]
            .as_str()
            .unwrap()
            .starts_with("the gateway refused this account's credentials"),
        "{refund}"
    );
    let (_, now) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(
        (&now["status"], &now["refunded_amount"]),
        (&json!("completed"), &json!("0.00"))
    );
    assert_eq!(refunded_at_stripe(&app, &p).await, 0);
    // The refund was never made, and says why where ops look.
    let (status, why): (String, Option<String>) =
        sqlx::query_as("SELECT status, last_error FROM refunds WHERE payment_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(status, "failed");
    assert!(why.unwrap_or_default().contains("permission"));
}
