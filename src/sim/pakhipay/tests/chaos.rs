//! The chaos controls: a late payment completes a closed payment with a transaction verify
//! accepts and the signed completion webhook; the oracle lists every link of an `order_id`
//! (the labels K1–K7: docs/gateways/pakhipay.md).

use actix_web::test::{init_service, TestRequest};
use actix_web::App;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::super::state::Account;
use super::support::{create_body, inbox, post, receiver, send, send_text, Received};
use super::support::{CREATE, KEY, VERIFY};
use crate::sim::{configure, Simulators};

macro_rules! app {
    ($sims:expr) => {
        init_service(App::new().configure(|c| configure(c, &$sims, ""))).await
    };
}

/// Creates a 100.00 link under `order` with webhooks to `{base}/hook`; returns its sim id.
macro_rules! create {
    ($app:expr, $order:expr, $base:expr) => {{
        let body = create_body($order, "100.00", Some(&format!("{}/hook", $base)));
        let (_, text) = send_text(&$app, post(CREATE, KEY, &body).to_request()).await;
        let v: Value = serde_json::from_str(&text).unwrap();
        let url = v["payment_url"].as_str().unwrap();
        url.rsplit('/').next().unwrap().to_owned()
    }};
}

fn control(id: &str) -> TestRequest {
    TestRequest::post().uri(&format!("/pakhipay/_sim/checkout/{id}/late_payment"))
}

fn outcome(id: &str, what: &str) -> TestRequest {
    TestRequest::post().uri(&format!("/pakhipay/checkout/{id}/{what}"))
}

fn oracle(reference: &str) -> TestRequest {
    TestRequest::get().uri(&format!("/pakhipay/_sim/orders?reference={reference}"))
}

/// Sends a `TestRequest`: (status, JSON body or null).
macro_rules! json_of {
    ($app:expr, $req:expr) => {{
        let (status, text) = send_text($app, $req.to_request()).await;
        (
            status,
            serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
        )
    }};
}

/// K1 (1) checked here: the body without its `,"signature":"…"` member, HMAC-SHA256 with the
/// key, lowercase hex, is the signature. Returns the signed fields.
fn signed_fields(hook: &Received) -> Value {
    let body = hook.text();
    let at = body.find(r#","signature":""#).expect("signature is last");
    let unsigned = format!("{}}}", &body[..at]);
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
    mac.update(unsigned.as_bytes());
    assert_eq!(
        &body[at + 14..body.len() - 2],
        hex::encode(mac.finalize().into_bytes()),
        "{body}"
    );
    serde_json::from_str(&unsigned).unwrap()
}

fn verify(transaction_id: &str) -> TestRequest {
    let body = format!(r#"{{"transaction_id":"{transaction_id}","amount":100.00}}"#);
    post(VERIFY, KEY, &body)
}

#[actix_web::test]
async fn a_late_payment_completes_a_closed_payment_as_pay_would() {
    let (base, received, handle) = receiver(200);
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let id = create!(app, "att_late_1", base);
    assert_eq!(send(&app, outcome(&id, "fail").to_request()).await.0, 303);
    assert!(inbox(&received).is_empty(), "failures send no webhook");
    let failed_tx = sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().payments[&id].transaction_id.clone();

    let (status, v) = json_of!(&app, control(&id));
    assert_eq!(status, 200, "{v}");
    let tx = v["charge_id"].as_str().unwrap().to_owned();
    assert_eq!(
        v,
        json!({"ok": true, "status": "completed", "charge_id": tx})
    );
    assert_eq!(
        Some(&tx),
        failed_tx.as_ref(),
        "pay keeps a transaction already issued"
    );
    let got = inbox(&received);
    assert_eq!(got.len(), 1, "awaited before the answer");
    assert_eq!(got[0].path, "/hook");
    assert_eq!(
        signed_fields(&got[0]),
        json!({"status": "completed", "transaction_id": tx, "amount": "100.00", "order_id": "att_late_1"})
    );
    let (_, text) = send_text(&app, verify(&tx).to_request()).await;
    assert_eq!(text, r#"{"status":1,"message":"completed"}"#);

    let (status, _) = json_of!(&app, control(&id));
    assert_eq!(status, 409, "already paid");
    assert_eq!(inbox(&received).len(), 1);
    assert_eq!(json_of!(&app, control("pp_nope")).0, 404);

    // A cancelled payment has no transaction: one is issued, as pay issues it.
    let id = create!(app, "att_late_2", base);
    send(&app, outcome(&id, "cancel").to_request()).await;
    let (_, v) = json_of!(&app, control(&id));
    let tx = v["charge_id"].as_str().unwrap().to_owned();
    assert!(tx.starts_with("TRX") && tx.len() == 15, "{tx}");
    let (_, text) = send_text(&app, verify(&tx).to_request()).await;
    assert_eq!(text, r#"{"status":1,"message":"completed"}"#);
    assert_eq!(signed_fields(&inbox(&received)[1])["transaction_id"], tx);

    // An account with its webhooks lost keeps the webhook for the re-send control.
    sims.get::<crate::sim::pakhipay::PakhiPaySim>().add_account(Account {
        send_webhooks: false,
        ..Account::new(KEY)
    });
    let id = create!(app, "att_late_3", base);
    send(&app, outcome(&id, "expire").to_request()).await;
    assert_eq!(json_of!(&app, control(&id)).0, 200);
    assert_eq!(inbox(&received).len(), 2, "lost");
    let resend = TestRequest::post().uri(&format!("/pakhipay/_sim/checkout/{id}/webhook"));
    assert_eq!(send(&app, resend.to_request()).await.0, 200);
    assert_eq!(
        signed_fields(&inbox(&received)[2])["order_id"],
        "att_late_3"
    );

    let stats = serde_json::to_value(sims.get::<crate::sim::pakhipay::PakhiPaySim>().stats()).unwrap();
    assert_eq!(
        stats["calls"],
        json!({"create": 3, "query": 2, "refund": 0, "cancel": 0}),
        "controls are not API calls"
    );
    handle.stop(false).await;
}

#[actix_web::test]
async fn the_oracle_lists_every_link_of_an_order_id_and_reset_clears_them() {
    let (base, _received, handle) = receiver(200);
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let first = create!(app, "att_oracle", base);
    let second = create!(app, "att_oracle", base);
    send(&app, outcome(&second, "underpay").to_request()).await;
    let tx = sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().payments[&second]
        .transaction_id
        .clone()
        .unwrap();
    let (status, o) = json_of!(&app, oracle("att_oracle"));
    assert_eq!(status, 200);
    assert_eq!(
        o,
        json!({"orders": [
            {"id": first, "external_id": null, "reference": "att_oracle", "status": "pending",
             "amount": "100.00", "currency": "BDT", "paid": "0.00", "paid_charges": 0,
             "charge_ids": [], "refunded": "0.00", "underpaid": false},
            {"id": second, "external_id": null, "reference": "att_oracle", "status": "completed",
             "amount": "100.00", "currency": "BDT", "paid": "50.00", "paid_charges": 1,
             "charge_ids": [tx], "refunded": "0.00", "underpaid": true},
        ]})
    );
    assert_eq!(
        json_of!(&app, oracle("att_none")),
        (200, json!({"orders": []}))
    );
    let bare = TestRequest::get().uri("/pakhipay/_sim/orders?ref=att_oracle");
    assert_eq!(send(&app, bare.to_request()).await.0, 400);
    let reset = TestRequest::post().uri("/pakhipay/_sim/reset");
    assert_eq!(send(&app, reset.to_request()).await.0, 200);
    assert_eq!(
        json_of!(&app, oracle("att_oracle")).1,
        json!({"orders": []})
    );
    handle.stop(false).await;
}
