//! Refunds: by the API (partial, then the rest, never more) and in the dashboard (no metadata,
//! told as `charge.refunded` then `refund.created`).

use serde_json::json;

use super::support::{app, call, control, created, get, got, outcome, post, receiver, sim_with_endpoint};
// API refunds send their events after answering, as Stripe does: wait_for them.
use super::support::{wait_for, StripeHook};

#[actix_web::test]
async fn api_refunds_add_up_to_the_charge_and_never_past_it() {
    let (url, inbox, handle) = receiver();
    let app = app!(sim_with_endpoint(&url));
    let id = created!(&app, "att_rf", "2500", "sgd");
    call!(&app, outcome(&id, "pay"));
    let (_, s, _) = call!(&app, get(&format!("/v1/checkout/sessions/{id}")));
    let pi = s["payment_intent"].as_str().unwrap().to_owned();
    let refund = |amount: &str| format!("payment_intent={pi}&amount={amount}&metadata%5Bpayrail_refund%5D=rfd_x");
    let (status, r, _) = call!(&app, post("/v1/refunds", &refund("1000"), None));
    assert_eq!(status, 200, "{r}");
    assert!(r["id"].as_str().unwrap().starts_with("re_"));
    assert_eq!((&r["object"], &r["status"], &r["payment_intent"]), (&json!("refund"), &json!("succeeded"), &json!(pi)));
    let (status, e, _) = call!(&app, post("/v1/refunds", &refund("1600"), None));
    assert_eq!((status, &e["error"]["code"]), (400, &json!("amount_too_large")));
    assert_eq!(call!(&app, post("/v1/refunds", &format!("payment_intent={pi}"), None)).0, 200, "the rest");
    let (status, e, _) = call!(&app, post("/v1/refunds", &refund("1"), None));
    assert_eq!((status, &e["error"]["code"]), (400, &json!("charge_already_refunded")));
    let (status, read, _) = call!(&app, get(&format!("/v1/refunds/{}", r["id"].as_str().unwrap())));
    assert_eq!((status, &read["metadata"]["payrail_refund"]), (200, &json!("rfd_x")));
    let hooks = wait_for(&inbox, 5).await;
    // Each refund's events go out after its answer, so two refunds' may interleave.
    let mut kinds: Vec<String> = hooks[1..].iter().map(|h| h.kind()).collect();
    kinds.sort();
    assert_eq!(kinds, ["charge.refunded", "charge.refunded", "refund.created", "refund.created"]);
    let totals: Vec<serde_json::Value> = hooks
        .iter()
        .filter(|h| h.kind() == "charge.refunded")
        .map(|h| h.json()["data"]["object"]["amount_refunded"].clone())
        .collect();
    assert!(totals.contains(&json!(2500)) && totals.contains(&json!(1000)), "{totals:?}");
    handle.stop(false).await;
}

#[actix_web::test]
async fn a_dashboard_refund_carries_no_metadata_and_bounds_the_api() {
    let (url, inbox, handle) = receiver();
    let app = app!(sim_with_endpoint(&url));
    let id = created!(&app, "att_db", "1500", "jpy");
    assert_eq!(call!(&app, control(&format!("checkout/{id}/refund"), "")).0, 409, "nothing paid");
    call!(&app, outcome(&id, "pay"));
    assert_eq!(call!(&app, control(&format!("checkout/{id}/refund"), r#"{"amount": "1501"}"#)).0, 422);
    let (status, v, _) = call!(&app, control(&format!("checkout/{id}/refund"), r#"{"amount": "500"}"#));
    assert_eq!(status, 200, "{v}");
    let hooks = got(&inbox);
    let kinds: Vec<String> = hooks.iter().map(|h| h.kind()).collect();
    assert_eq!(kinds, ["checkout.session.completed", "charge.refunded", "refund.created"]);
    let charge = &hooks[1].json()["data"]["object"];
    assert_eq!((&charge["amount_refunded"], &charge["currency"]), (&json!(500), &json!("jpy")));
    assert_eq!(charge["metadata"]["payrail_reference"], "att_db", "inherited from the intent");
    assert_eq!(hooks[2].json()["data"]["object"]["metadata"], json!({}));
    let pi = v["payment_intent"].as_str().unwrap();
    let (status, e, _) = call!(&app, post("/v1/refunds", &format!("payment_intent={pi}&amount=1001"), None));
    assert_eq!((status, &e["error"]["code"]), (400, &json!("amount_too_large")));
    handle.stop(false).await;
}
