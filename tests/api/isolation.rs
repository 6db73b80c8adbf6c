//! One merchant never sees another's payments: every read and action answers 404.

use crate::helpers::spawn_app;
use serde_json::json;

#[tokio::test]
async fn another_merchants_payment_is_not_found_everywhere() {
    let app = spawn_app().await;
    let owner = app.merchant_with_psc().await;
    let other = app.merchant_with_psc().await;
    let p = app.create_payment(&owner, json!({})).await;
    let id = p["id"].as_str().unwrap();
    for path in [
        format!("/v1/payments/{id}"),
        format!("/v1/payments/{id}/verify"),
        format!("/v1/payments/{id}/events"),
    ] {
        let (status, body) = app.get(&path, &other).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["error"], "not_found");
    }
    for path in [
        format!("/v1/payments/{id}/verify/"),
        format!("/v1/payments/{id}/recheck/"),
        format!("/v1/payments/{id}/cancel/"),
    ] {
        let (status, body) = app.post(&path, "", &other).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (_, list) = app.get("/v1/payments", &other).await;
    assert_eq!(list["data"], json!([]));
    assert_eq!(
        app.status_of(id, &owner).await,
        "pending",
        "untouched by the other merchant"
    );
}
