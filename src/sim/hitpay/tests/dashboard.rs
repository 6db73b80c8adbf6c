//! Dashboard refunds (`_sim/checkout/{id}/refund`): recorded as `POST /v1/refund` records them,
//! told as a v2 `charge` `updated` event (headers and the "Webhook v2" signature of
//! docs/gateways/hitpay.md checked here), refused when there is nothing or not that much to refund,
//! and bounding the API's refunds afterwards.

use std::sync::Arc;

use actix_web::test::TestRequest;
use serde_json::{json, Value};

use super::super::state::Account;
use super::support::{app, call, control, created, get, got, oracle, outcome, receiver};
use super::support::{hmac_hex, Received, KEY, SALT};
use super::super::HitPaySim;

fn sim() -> Arc<HitPaySim> {
    Arc::new(HitPaySim::new(reqwest::Client::new()))
}

fn api_refund(payment_id: &str, amount: &str) -> TestRequest {
    TestRequest::post()
        .uri("/hitpay/v1/refund")
        .insert_header(("X-BUSINESS-API-KEY", KEY))
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .set_payload(format!("payment_id={payment_id}&amount={amount}"))
}

/// The v2 event's headers, and its signature over the raw body with `salt`.
fn assert_v2_updated(hook: &Received, salt: &str) {
    assert_eq!(hook.path, "/hook");
    assert_eq!(hook.header("content-type"), "application/json");
    assert_eq!(hook.header("hitpay-event-object"), "charge");
    assert_eq!(hook.header("hitpay-event-type"), "updated");
    assert_eq!(hook.header("user-agent"), "HitPay v2.0");
    assert_eq!(hook.header("hitpay-signature"), hmac_hex(salt, &hook.body));
}

#[test]
fn the_independent_v2_check_reproduces_the_vector() {
    let body = r#"{"id":"98f18bb9-42a3-4cd2-a263-b6ed7d49a1cc","status":"succeeded","currency":"sgd","amount":1.11}"#;
    assert_eq!(
        hmac_hex(SALT, body.as_bytes()),
        "b4e850a15cb0d7f87921403f85341603acebfef6f1b56a9de9ce151afc92ec86"
    );
}

#[actix_web::test]
async fn a_partial_then_full_dashboard_refund_is_recorded_signed_and_bounds_the_api() {
    let (base, inbox, handle) = receiver();
    let sim = sim();
    let app = app!(sim);
    let id = created!(&app, base, "att_dash", "");
    assert_eq!(
        call!(&app, control(&id, "refund", "")).0,
        409,
        "nothing paid"
    );
    call!(&app, outcome(&id, "pay"));
    let (_, request) = call!(&app, get(&format!("/v1/payment-requests/{id}")));
    let pid = request["payments"][0]["id"].as_str().unwrap().to_owned();

    for (body, code) in [
        (r#"{"amount": "25.01"}"#, 422),
        (r#"{"amount": "0"}"#, 400),
        (r#"{"amount": "1e2"}"#, 400),
        (r#"{"amount": true}"#, 400),
    ] {
        assert_eq!(call!(&app, control(&id, "refund", body)).0, code, "{body}");
    }
    let (status, v) = call!(&app, control(&id, "refund", r#"{"amount": "10.00"}"#));
    assert_eq!(status, 200, "{v}");
    let refund_id = v["refund_id"].as_str().unwrap().to_owned();
    assert_eq!(
        v,
        json!({"ok": true, "refund_id": refund_id, "refunded": "10.00", "payment_id": pid})
    );
    let hooks = got(&inbox);
    assert_eq!(
        hooks.len(),
        2,
        "the payment's v1, then the refund's v2, awaited"
    );
    assert_v2_updated(&hooks[1], SALT);
    let text = String::from_utf8(hooks[1].body.clone()).unwrap();
    assert!(
        text.contains(r#""amount":25,"#) && text.contains(r#""refunded_amount":10,"#),
        "JSON numbers: {text}"
    );
    let body = hooks[1].json();
    let fields = [
        "id",
        "status",
        "currency",
        "payment_request_id",
        "reference_number",
    ];
    assert_eq!(
        fields.map(|f| body[f].clone()),
        [
            json!(pid),
            json!("partially_refunded"),
            json!("sgd"),
            json!(id),
            json!("att_dash")
        ]
    );

    // Recorded like an API refund.
    let (status, r) = call!(&app, get(&format!("/v1/refund/{refund_id}")));
    assert_eq!(status, 200);
    assert_eq!(
        (&r["payment_id"], &r["amount_refunded"], &r["status"]),
        (&json!(pid), &json!(10), &json!("succeeded"))
    );
    let (_, request) = call!(&app, get(&format!("/v1/payment-requests/{id}")));
    let p = &request["payments"][0];
    assert_eq!(
        (&p["status"], &p["refunded_amount"]),
        (&json!("partially_refunded"), &json!("10.00"))
    );

    // The API refunds no more than is left.
    let (status, v) = call!(&app, api_refund(&pid, "15.01"));
    let message = "The amount may not be greater than 15.00.";
    assert_eq!(
        (status, v),
        (
            422,
            json!({"message": message, "errors": {"amount": [message]}})
        )
    );
    assert_eq!(call!(&app, api_refund(&pid, "5.00")).0, 200);

    // No amount: all that is left.
    let (_, v) = call!(&app, control(&id, "refund", ""));
    assert_eq!(v["refunded"], "25.00");
    let last = &got(&inbox)[2];
    assert_v2_updated(last, SALT);
    assert_eq!(
        (&last.json()["status"], &last.json()["refunded_amount"]),
        (&json!("refunded"), &json!(25))
    );
    assert_eq!(
        call!(&app, control(&id, "refund", "")).0,
        409,
        "all refunded"
    );
    assert_eq!(
        call!(&app, api_refund(&pid, "0.01")).0,
        400,
        "refunded payment"
    );
    assert_eq!(call!(&app, control("nope", "refund", "")).0, 404);

    // The v2 event is the last webhook: re-sent with its headers and signature.
    assert_eq!(call!(&app, control(&id, "webhook", "")).0, 200);
    let again = &got(&inbox)[3];
    assert_v2_updated(again, SALT);
    assert_eq!(again.body, last.body);

    let (_, o) = call!(&app, oracle("att_dash"));
    assert_eq!(
        (&o["orders"][0]["paid"], &o["orders"][0]["refunded"]),
        (&json!("25.00"), &json!("25.00"))
    );
    let stats = serde_json::to_value(sim.stats()).unwrap();
    assert_eq!(
        stats["calls"],
        json!({"create": 1, "query": 3, "refund": 3, "cancel": 0}),
        "only the API's refunds and reads count"
    );
    handle.stop(false).await;
}

#[actix_web::test]
async fn the_event_salt_signs_the_refund_event_and_later_payments_are_refundable_too() {
    let (base, inbox, handle) = receiver();
    let sim = sim();
    sim.add_account(Account {
        api_key: "key_events".into(),
        salt: "salt_v1".into(),
        event_salt: Some("salt_events".into()),
    });
    let app = app!(sim);
    let hook = format!("{base}/hook");
    let create = TestRequest::post()
        .uri("/hitpay/v1/payment-requests")
        .insert_header(("X-BUSINESS-API-KEY", "key_events"))
        .set_json(json!({"amount": "8.00", "currency": "SGD", "webhook": hook,
                         "allow_repeated_payments": true}));
    let (_, v) = call!(&app, create);
    let id = v["id"].as_str().unwrap().to_owned();
    call!(&app, outcome(&id, "pay"));
    call!(&app, outcome(&id, "pay"));
    let (_, first) = call!(&app, control(&id, "refund", ""));
    let (_, second) = call!(&app, control(&id, "refund", r#"{"amount": 2.5}"#));
    assert_ne!(
        first["payment_id"], second["payment_id"],
        "the next with money left"
    );
    assert_eq!(second["refunded"], "10.50", "the request's total");
    let hooks = got(&inbox);
    assert_eq!(hooks.len(), 4);
    assert_v2_updated(&hooks[2], "salt_events");
    assert_v2_updated(&hooks[3], "salt_events");
    let body: Value = hooks[3].json();
    assert_eq!(
        (&body["amount"], &body["refunded_amount"]),
        (&json!(8), &json!(2.5))
    );

    // Without a webhook URL the refund is still made.
    let quiet = TestRequest::post()
        .uri("/hitpay/v1/payment-requests")
        .insert_header(("X-BUSINESS-API-KEY", KEY))
        .set_json(json!({"amount": "3.00", "currency": "SGD", "reference_number": "att_quiet"}));
    let (_, v) = call!(&app, quiet);
    let quiet_id = v["id"].as_str().unwrap().to_owned();
    call!(&app, outcome(&quiet_id, "pay"));
    let (status, v) = call!(&app, control(&quiet_id, "refund", ""));
    assert_eq!((status, &v["refunded"]), (200, &json!("3.00")));
    assert_eq!(got(&inbox).len(), 4);
    handle.stop(false).await;
}
