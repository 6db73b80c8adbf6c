//! The hosted page's outcomes, the events they send (signed per the note, checked here) and where
//! the customer goes; late payments and the oracle.

use actix_web::test::TestRequest;
use serde_json::json;

use super::super::state::Account;
use super::support::{app, call, control, created, get, got, outcome, receiver, sim_with_endpoint};
use super::support::{StripeHook, SK, WHSEC};

#[actix_web::test]
async fn pay_completes_signs_the_event_and_returns_with_the_session_id() {
    let (url, inbox, handle) = receiver();
    let app = app!(sim_with_endpoint(&url));
    let id = created!(&app, "att_p", "2500", "sgd");
    let (status, page, _) = call!(&app, TestRequest::get().uri(&format!("/stripe/checkout/{id}")));
    assert_eq!((status, page), (200, json!(null)), "an HTML page");
    let (status, _, to) = call!(&app, outcome(&id, "pay"));
    assert_eq!(status, 303);
    assert_eq!(to.unwrap(), format!("https://shop.example/back?t=1&session_id={id}"));
    let hooks = got(&inbox);
    assert_eq!(hooks.len(), 1);
    let hook = &hooks[0];
    assert_eq!(hook.kind(), "checkout.session.completed");
    assert!(hook.signed_with(WHSEC), "{:?}", hook.headers);
    assert!(!hook.signed_with("whsec_other"));
    let object = &hook.json()["data"]["object"];
    assert_eq!((&object["payment_status"], &object["client_reference_id"]), (&json!("paid"), &json!("att_p")));
    assert!(object["payment_intent"].as_str().unwrap().starts_with("pi_"));
    assert!(hook.json()["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(call!(&app, outcome(&id, "pay")).0, 409, "paid once");
    handle.stop(false).await;
}

#[actix_web::test]
async fn a_delayed_method_completes_unpaid_then_settles_either_way() {
    let (url, inbox, handle) = receiver();
    let app = app!(sim_with_endpoint(&url));
    let paid = created!(&app, "att_d1", "2500", "sgd");
    let failed = created!(&app, "att_d2", "2500", "sgd");
    for id in [&paid, &failed] {
        assert_eq!(call!(&app, outcome(id, "process")).0, 303);
    }
    assert_eq!(call!(&app, outcome(&paid, "async_succeed")).0, 200);
    assert_eq!(call!(&app, outcome(&failed, "async_fail")).0, 200);
    let kinds: Vec<(String, serde_json::Value)> = got(&inbox)
        .iter()
        .map(|h| (h.kind(), h.json()["data"]["object"]["payment_status"].clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("checkout.session.completed".into(), json!("unpaid")),
            ("checkout.session.completed".into(), json!("unpaid")),
            ("checkout.session.async_payment_succeeded".into(), json!("paid")),
            ("checkout.session.async_payment_failed".into(), json!("unpaid")),
        ]
    );
    let (_, s, _) = call!(&app, get(&format!("/v1/checkout/sessions/{failed}?expand%5B%5D=payment_intent")));
    assert_eq!(s["payment_intent"]["status"], "requires_payment_method");
    handle.stop(false).await;
}

#[actix_web::test]
async fn a_decline_keeps_the_session_open_cancel_leaves_it_open_and_expire_closes_it() {
    let (url, inbox, handle) = receiver();
    let app = app!(sim_with_endpoint(&url));
    let id = created!(&app, "att_f", "2500", "sgd");
    assert_eq!(call!(&app, outcome(&id, "fail")).0, 200);
    let (_, s, _) = call!(&app, get(&format!("/v1/checkout/sessions/{id}?expand%5B%5D=payment_intent")));
    assert_eq!((&s["status"], &s["payment_intent"]["last_payment_error"]["code"]), (&json!("open"), &json!("card_declined")));
    let (status, _, to) = call!(&app, outcome(&id, "cancel"));
    assert_eq!((status, to.as_deref()), (303, Some("https://shop.example/cart")));
    assert!(got(&inbox).is_empty(), "neither sends an event Payrail reads");
    let (status, _, to) = call!(&app, outcome(&id, "expire"));
    assert_eq!((status, to.as_deref()), (303, Some("https://shop.example/cart")));
    assert_eq!(got(&inbox)[0].kind(), "checkout.session.expired");
    handle.stop(false).await;
}

#[actix_web::test]
async fn a_rolled_secret_signs_twice_and_resends_can_be_stale_tampered_or_lost() {
    let (url, inbox, handle) = receiver();
    let sim = sim_with_endpoint(&url);
    sim.add_account(Account {
        webhook_url: Some(url.clone()),
        previous_webhook_secret: Some("whsec_previous".into()),
        ..Account::default_account()
    });
    let app = app!(sim);
    let id = created!(&app, "att_r", "2500", "sgd");
    call!(&app, control("webhooks", r#"{"drop": 1}"#));
    call!(&app, outcome(&id, "pay"));
    assert!(got(&inbox).is_empty(), "lost");
    let (_, sent, _) = call!(&app, control(&format!("checkout/{id}/webhook"), r#"{"copies": 1, "age_secs": 600}"#));
    assert_eq!(sent["statuses"], json!([200]));
    call!(&app, control(&format!("checkout/{id}/webhook"), r#"{"tamper": true}"#));
    let hooks = got(&inbox);
    let header = hooks[0].header("stripe-signature");
    assert_eq!(header.matches("v1=").count(), 2, "{header}");
    assert!(hooks[0].signed_with("whsec_previous") && hooks[0].signed_with(WHSEC));
    let t: i64 = header.split(',').next().unwrap()[2..].parse().unwrap();
    assert!(t <= chrono::Utc::now().timestamp() - 600, "signed in the past");
    assert!(!hooks[1].signed_with(WHSEC) || !hooks[1].signed_with("whsec_previous"), "tampered");
    handle.stop(false).await;
}

#[actix_web::test]
async fn a_late_payment_pays_an_expired_session_and_the_oracle_tells_it() {
    let (url, _inbox, handle) = receiver();
    let app = app!(sim_with_endpoint(&url));
    let id = created!(&app, "att_l", "1500", "jpy");
    call!(&app, outcome(&id, "expire"));
    let (status, v, _) = call!(&app, control(&format!("checkout/{id}/late_payment"), ""));
    assert_eq!((status, &v["status"]), (200, &json!("complete")), "{v}");
    let pi = v["charge_id"].as_str().unwrap().to_owned();
    assert_eq!(call!(&app, control(&format!("checkout/{id}/late_payment"), "")).0, 409);
    let (_, o, _) = call!(&app, TestRequest::get().uri("/stripe/_sim/orders?reference=att_l"));
    assert_eq!(
        o["orders"][0],
        json!({"id": id, "external_id": id, "reference": "att_l", "status": "complete", "amount": "1500.00",
               "currency": "JPY", "paid": "1500.00", "paid_charges": 1, "charge_ids": [pi], "refunded": "0.00", "underpaid": false})
    );
    let _ = SK;
    handle.stop(false).await;
}
