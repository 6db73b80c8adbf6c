//! The chaos controls: a late payment completes a closed payment with the signed callback (and
//! obeys the drop control); the oracle finds payments by `order_id` or `idempotency_key`.

use std::sync::Arc;

use actix_web::test::{init_service, TestRequest};
use actix_web::App;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::super::state::DEFAULT_SECRET;
use super::support::PAYMENTS;
use super::support::{create_body, receiver, send, send_json, signed, got, Received};
use super::super::{configure, HimoSoftSim};

macro_rules! app {
    ($sim:expr) => {
        init_service(App::new().configure(|c| configure(c, &$sim, ""))).await
    };
}

/// Creates a 1500.00 BDT payment; returns its `pay_…` id.
macro_rules! create {
    ($app:expr, $order:expr, $key:expr, $base:expr) => {{
        let hook = format!("{}/hook/", $base);
        let body = create_body("1500.00", $order, Some(&hook), $key);
        let (_, v) = send_json(&$app, signed("POST", PAYMENTS, &body).to_request()).await;
        v["id"].as_str().unwrap().to_owned()
    }};
}

fn control(id: &str) -> TestRequest {
    TestRequest::post().uri(&format!("/himosoft/_sim/checkout/{id}/late_payment"))
}

fn outcome(token: &str, what: &str) -> TestRequest {
    TestRequest::post().uri(&format!("/himosoft/checkout/{token}/{what}"))
}

fn oracle(reference: &str) -> TestRequest {
    TestRequest::get().uri(&format!("/himosoft/_sim/orders?reference={reference}"))
}

/// The synthetic callback scheme (docs/gateways/himosoft.md, "Callback") checked here: hex
/// HMAC-SHA256 of `X-Timestamp ‖ body`.
fn signed_body(hook: &Received) -> Value {
    let mut mac = Hmac::<Sha256>::new_from_slice(DEFAULT_SECRET.as_bytes()).unwrap();
    mac.update(hook.header("x-timestamp").as_bytes());
    mac.update(&hook.body);
    assert_eq!(hook.header("x-hmac-signature"), hex::encode(mac.finalize().into_bytes()));
    hook.json()
}

#[actix_web::test]
async fn a_late_payment_completes_a_closed_payment_with_the_signed_callback() {
    let (base, inbox, handle) = receiver(200);
    let sim = Arc::new(HimoSoftSim::new(reqwest::Client::new()));
    let app = app!(sim);
    let id = create!(app, "att_late_1", None, base);
    let token = id[4..].to_owned();
    send(&app, outcome(&token, "expire").to_request()).await;
    assert_eq!(send(&app, outcome(&token, "pay").to_request()).await.0, 409);

    let (status, v) = send_json(&app, control(&token).to_request()).await;
    assert_eq!(status, 200, "{v}");
    let charge = v["charge_id"].as_str().unwrap().to_owned();
    assert!(charge.starts_with("ch_sim_"), "{charge}");
    assert_eq!(
        v,
        json!({"ok": true, "status": "completed", "charge_id": charge})
    );
    let hooks = got(&inbox);
    assert_eq!(
        hooks.len(),
        2,
        "the expiry's callback, then the payment's, awaited"
    );
    assert_eq!(
        signed_body(&hooks[1]),
        json!({"id": id, "status": "completed", "order_id": "att_late_1", "amount": "1500.00",
               "currency": "BDT", "external_id": charge})
    );
    let recheck = signed("GET", &format!("{PAYMENTS}{id}/recheck/"), "");
    let (_, r) = send_json(&app, recheck.to_request()).await;
    assert_eq!(
        (&r["status"], &r["external_id"]),
        (&json!("completed"), &json!(charge))
    );

    assert_eq!(send(&app, control(&token).to_request()).await.0, 409);
    assert_eq!(
        send(&app, control(&id).to_request()).await.0,
        409,
        "by id too"
    );
    assert_eq!(got(&inbox).len(), 2);
    assert_eq!(send(&app, control("nope").to_request()).await.0, 404);
    let resend = TestRequest::post().uri(&format!("/himosoft/_sim/checkout/{token}/webhook"));
    assert_eq!(send(&app, resend.to_request()).await.0, 200);
    assert_eq!(got(&inbox)[2].body, hooks[1].body);

    // A dropped callback is dropped here too; the payment still completes.
    let drop = TestRequest::post()
        .uri("/himosoft/_sim/webhooks/drop")
        .set_json(json!({"count": 1}));
    send(&app, drop.to_request()).await;
    let other = create!(app, "att_late_2", None, base);
    let (_, v) = send_json(&app, control(&other).to_request()).await;
    assert_eq!(v["status"], "completed", "an open payment: as pay");
    assert_eq!(got(&inbox).len(), 3);

    let stats = serde_json::to_value(sim.stats()).unwrap();
    assert_eq!(
        stats["calls"],
        json!({"create": 2, "query": 1, "refund": 0, "cancel": 0}),
        "controls are not API calls"
    );
    handle.stop(false).await;
}

#[actix_web::test]
async fn the_oracle_finds_payments_by_order_id_or_idempotency_key() {
    let (base, _inbox, handle) = receiver(200);
    let sim = Arc::new(HimoSoftSim::new(reqwest::Client::new()));
    let app = app!(sim);
    let first = create!(app, "att_o", Some("att_o"), base);
    let again = create!(app, "att_o", Some("att_o"), base);
    assert_eq!(first, again, "the cached answer");
    let second = create!(app, "att_o", None, base);
    let keyed = create!(app, "their_order", Some("att_k"), base);
    send(&app, outcome(&second[4..], "underpay").to_request()).await;
    let charge = sim.lock().payments[&second].external_id.clone().unwrap();

    let (status, o) = send_json(&app, oracle("att_o").to_request()).await;
    assert_eq!(status, 200);
    assert_eq!(
        o,
        json!({"orders": [
            {"id": &first[4..], "external_id": first, "reference": "att_o", "status": "pending",
             "amount": "1500.00", "currency": "BDT", "paid": "0.00", "paid_charges": 0,
             "charge_ids": [], "refunded": "0.00", "underpaid": false},
            {"id": &second[4..], "external_id": second, "reference": "att_o",
             "status": "completed", "amount": "1500.00", "currency": "BDT", "paid": "750.00",
             "paid_charges": 1, "charge_ids": [charge], "refunded": "0.00", "underpaid": true},
        ]})
    );
    let (_, k) = send_json(&app, oracle("att_k").to_request()).await;
    assert_eq!(k["orders"][0]["external_id"], keyed.as_str());
    let (_, none) = send_json(&app, oracle("att_none").to_request()).await;
    assert_eq!(none, json!({"orders": []}));
    let bare = TestRequest::get().uri("/himosoft/_sim/orders");
    assert_eq!(send(&app, bare.to_request()).await.0, 400);
    let reset = TestRequest::post().uri("/himosoft/_sim/reset");
    assert_eq!(send(&app, reset.to_request()).await.0, 200);
    let (_, o) = send_json(&app, oracle("att_o").to_request()).await;
    assert_eq!(o, json!({"orders": []}));
    handle.stop(false).await;
}
