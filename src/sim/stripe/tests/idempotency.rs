//! `Idempotency-Key`: the same key and parameters replay the same object (a create or refund
//! retried after a lost answer makes nothing new); other parameters are `idempotency_error`;
//! a validation error is not saved.

use std::sync::Arc;

use serde_json::json;

use super::super::StripeSim;
use super::support::{app, call, create_form, created, outcome, post};

#[actix_web::test]
async fn a_create_retried_with_its_key_is_the_same_session() {
    let app = app!(Arc::new(StripeSim::new(reqwest::Client::new())));
    let form = create_form("att_i", "2500", "sgd", "");
    let (_, first, _) = call!(&app, post("/v1/checkout/sessions", &form, Some("att_i")));
    let (status, again, _) = call!(&app, post("/v1/checkout/sessions", &form, Some("att_i")));
    assert_eq!((status, &again["id"]), (200, &first["id"]));
    // The same parameters in another order are the same request.
    let mut pairs: Vec<&str> = form.split('&').collect();
    pairs.reverse();
    let (_, reordered, _) = call!(&app, post("/v1/checkout/sessions", &pairs.join("&"), Some("att_i")));
    assert_eq!(reordered["id"], first["id"]);
    let other = create_form("att_i", "2600", "sgd", "");
    let (status, e, _) = call!(&app, post("/v1/checkout/sessions", &other, Some("att_i")));
    assert_eq!((status, &e["error"]["type"]), (400, &json!("idempotency_error")));
    let (_, stats, _) = call!(&app, actix_web::test::TestRequest::get().uri("/stripe/_sim/stats"));
    assert_eq!(stats["calls"]["create"], 4, "every call counts, one session exists");
}

#[actix_web::test]
async fn a_refused_create_is_not_saved_and_a_refund_replays() {
    let app = app!(Arc::new(StripeSim::new(reqwest::Client::new())));
    let bad = create_form("att_j", "25.5", "sgd", "");
    assert_eq!(call!(&app, post("/v1/checkout/sessions", &bad, Some("k1"))).0, 400);
    let good = create_form("att_j", "2550", "sgd", "");
    assert_eq!(call!(&app, post("/v1/checkout/sessions", &good, Some("k1"))).0, 200);

    let id = created!(&app, "att_k", "2500", "sgd");
    call!(&app, outcome(&id, "pay"));
    let pi = {
        let path = format!("/v1/checkout/sessions/{id}");
        let (_, s, _) = call!(&app, super::support::get(&path));
        s["payment_intent"].as_str().unwrap().to_owned()
    };
    let form = format!("payment_intent={pi}&amount=1000&metadata%5Bpayrail_refund%5D=rfd_1");
    let (_, first, _) = call!(&app, post("/v1/refunds", &form, Some("rfd_1")));
    let (_, again, _) = call!(&app, post("/v1/refunds", &form, Some("rfd_1")));
    assert_eq!(again["id"], first["id"]);
    let (_, s, _) = call!(&app, super::support::get(&format!("/v1/payment_intents/{pi}?expand%5B%5D=latest_charge")));
    assert_eq!(s["latest_charge"]["amount_refunded"], 1000, "refunded once");
    let (status, e, _) = call!(&app, post("/v1/checkout/sessions", &good, Some("rfd_1")));
    assert_eq!((status, &e["error"]["type"]), (400, &json!("idempotency_error")), "another endpoint");
}
