//! The chaos controls: a late payment on a closed order, portal refunds (full only, bounded, with
//! the signed refund webhook to `callbackUrl`), the API refund bounded after one, the oracle, and
//! that none of them counts as an API call (the labels S1–S10: docs/gateways/paystablecoin.md).

use actix_web::test::{init_service, TestRequest};
use actix_web::App;
use serde_json::{json, Value};

use super::super::signing::{sign, webhook_string_b};
use super::support::{create_body, got, now_ms, receiver, send, send_json, signed, Received};
use super::support::{ORDERS, REFUNDS, SECRET};
use crate::sim::{configure, Simulators};

macro_rules! app {
    ($sims:expr) => {
        init_service(App::new().configure(|c| configure(c, &$sims, ""))).await
    };
}

/// Creates an order with a callback to `{base}/hook` and returns its `acquiringOrderId`.
macro_rules! order {
    ($app:expr, $id:expr, $value:expr, $base:expr) => {{
        let body = create_body($id, $value, Some(&format!("{}/hook", $base)));
        let req = signed("POST", "/paystablecoin", ORDERS, "", &body, &now_ms());
        let (_, v) = send_json(&$app, req.to_request()).await;
        v["data"]["acquiringOrderId"].as_str().unwrap().to_owned()
    }};
}

fn control(acq: &str, what: &str, body: &str) -> TestRequest {
    TestRequest::post()
        .uri(&format!("/paystablecoin/_sim/checkout/{acq}/{what}"))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_owned())
}

fn outcome(acq: &str, what: &str) -> TestRequest {
    TestRequest::post().uri(&format!("/paystablecoin/checkout/{acq}/{what}"))
}

fn oracle(reference: &str) -> TestRequest {
    TestRequest::get().uri(&format!("/paystablecoin/_sim/orders?reference={reference}"))
}

fn api_refund(id: &str, acq: &str, amount: Option<&str>) -> TestRequest {
    let mut body = json!({"merchantRefundOrderId": id, "acquiringOrderId": acq});
    if let Some(a) = amount {
        body["refundAmount"] = a.into();
    }
    signed(
        "POST",
        "/paystablecoin",
        REFUNDS,
        "",
        &body.to_string(),
        &now_ms(),
    )
}

/// Checks the webhook's variant (B) signature independently, over the callback's path.
fn signed_right(hook: &Received) -> bool {
    let msg = webhook_string_b(hook.header("x-timestamp"), "/hook", &hook.body);
    hook.path == "/hook" && hook.header("x-signature") == sign(SECRET, &msg)
}

fn body_of(hook: &Received) -> Value {
    hook.json()
}

#[actix_web::test]
async fn a_late_payment_pays_a_closed_order_in_full_with_the_succeeded_webhook() {
    let (base, inbox, handle) = receiver();
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let acq = order!(app, "ORDER_LATE_PAYMENT_1", "40.00", base);
    assert_eq!(
        send(&app, outcome(&acq, "expire").to_request()).await.0,
        303
    );
    assert!(got(&inbox).is_empty(), "CLOSED sends no webhook (S9)");
    assert_eq!(send(&app, outcome(&acq, "pay").to_request()).await.0, 409);

    let (status, v) = send_json(&app, control(&acq, "late_payment", "").to_request()).await;
    let pay_id = acq.replacen("ORD_", "PAY_", 1);
    assert_eq!(
        (status, v),
        (
            200,
            json!({"ok": true, "status": "SUCCEEDED", "charge_id": pay_id})
        )
    );
    let hooks = got(&inbox);
    assert_eq!(hooks.len(), 1, "awaited before the answer");
    assert!(signed_right(&hooks[0]));
    let body = body_of(&hooks[0]);
    assert_eq!(
        (&body["status"], &body["cryptoPaidAmount"]["value"]),
        (&json!("SUCCEEDED"), &json!("40.00"))
    );
    assert!(body["paidTime"].is_string());

    // The API sees it paid; a second late payment changes nothing.
    let query = format!("{ORDERS}/ORDER_LATE_PAYMENT_1");
    let req = signed("GET", "/paystablecoin", &query, "", "", &now_ms());
    let (_, q) = send_json(&app, req.to_request()).await;
    assert_eq!(q["data"]["status"], "SUCCEEDED");
    let (status, _) = send_json(&app, control(&acq, "late_payment", "").to_request()).await;
    assert_eq!(status, 409);
    assert_eq!(got(&inbox).len(), 1);
    let missing = control("ORD_NOPE", "late_payment", "");
    assert_eq!(send(&app, missing.to_request()).await.0, 404);

    // Remembered as the last webhook: the re-send control sends the same bytes.
    let resend = TestRequest::post().uri(&format!("/paystablecoin/_sim/checkout/{acq}/webhook"));
    assert_eq!(send(&app, resend.to_request()).await.0, 200);
    assert_eq!(got(&inbox)[1].body, hooks[0].body);

    // On an open order it is `pay`.
    let open = order!(app, "ORDER_LATE_PAYMENT_2", "5.00", base);
    let (status, v) = send_json(&app, control(&open, "late_payment", "").to_request()).await;
    assert_eq!((status, &v["status"]), (200, &json!("SUCCEEDED")));
    assert_eq!(body_of(&got(&inbox)[2])["acquiringOrderId"], open.as_str());

    let (_, stats) = send_json(
        &app,
        TestRequest::get()
            .uri("/paystablecoin/_sim/stats")
            .to_request(),
    )
    .await;
    assert_eq!(
        (&stats["calls"], &stats["webhooks_sent"]),
        (
            &json!({"create": 2, "query": 1, "refund": 0, "cancel": 0}),
            &json!(3)
        ),
        "controls are not API calls"
    );
    handle.stop(false).await;
}

#[actix_web::test]
async fn a_portal_refund_is_full_only_recorded_signed_and_bounds_the_api() {
    let (base, inbox, handle) = receiver();
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let acq = order!(app, "ORDER_PORTAL_REFUND_1", "30.00", base);
    let (status, _) = send_json(&app, control(&acq, "refund", "").to_request()).await;
    assert_eq!(status, 409, "nothing paid yet");
    send(&app, outcome(&acq, "pay").to_request()).await;

    for (body, code) in [
        (r#"{"amount": "10.00"}"#, 422),
        (r#"{"amount": "30.01"}"#, 422),
        (r#"{"amount": "abc"}"#, 400),
        (r#"{"amount": "-1"}"#, 400),
        (r#"{"amount": "1.005"}"#, 400),
        ("{", 400),
    ] {
        let (status, _) = send_json(&app, control(&acq, "refund", body).to_request()).await;
        assert_eq!(status, code, "{body}");
    }
    assert_eq!(got(&inbox).len(), 1, "refused refunds send nothing");

    let (status, v) = send_json(
        &app,
        control(&acq, "refund", r#"{"amount": "30.00"}"#).to_request(),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let refund_id = v["refund_id"].as_str().unwrap().to_owned();
    assert_eq!(
        v,
        json!({"ok": true, "refund_id": refund_id, "refunded": "30.00"})
    );
    let hex = refund_id.strip_prefix("PSC_DASHBOARD_").unwrap();
    assert!(
        hex.len() == 16
            && hex
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase())
    );

    let hooks = got(&inbox);
    assert_eq!(hooks.len(), 2);
    assert!(
        signed_right(&hooks[1]),
        "to callbackUrl, signed like payments"
    );
    assert_eq!(
        hooks[1].text(),
        format!(
            r#"{{"merchantRefundOrderId":"{refund_id}","acquiringOrderId":"{acq}","status":"SUCCEEDED","refundAmount":{{"value":"30.00","currency":"USD"}}}}"#
        )
    );

    // The refund query finds it; nothing is left for the API or the portal.
    let query = format!("merchantRefundOrderId={refund_id}");
    let req = signed("GET", "/paystablecoin", REFUNDS, &query, "", &now_ms());
    let (_, q) = send_json(&app, req.to_request()).await;
    assert_eq!(q["code"], "00000", "{q}");
    assert_eq!(
        q["data"],
        json!({"merchantRefundOrderId": refund_id, "acquiringOrderId": acq, "status": "SUCCEEDED",
               "refundAmount": {"value": "30.00", "currency": "USD"}})
    );
    let (_, r) = send_json(&app, api_refund("REFUND_AFTER_1", &acq, None).to_request()).await;
    assert_eq!(r["code"], "20007", "{r}");
    let (status, _) = send_json(&app, control(&acq, "refund", "").to_request()).await;
    assert_eq!(status, 409);
    assert_eq!(
        send(&app, control("ORD_NOPE", "refund", "").to_request())
            .await
            .0,
        404
    );

    // The last webhook is now the refund's.
    let resend = TestRequest::post().uri(&format!("/paystablecoin/_sim/checkout/{acq}/webhook"));
    send(&app, resend.to_request()).await;
    assert_eq!(got(&inbox)[2].body, hooks[1].body);

    let (_, o) = send_json(&app, oracle("ORDER_PORTAL_REFUND_1").to_request()).await;
    assert_eq!(
        o,
        json!({"orders": [{"id": acq, "external_id": acq, "reference": "ORDER_PORTAL_REFUND_1",
            "status": "SUCCEEDED", "amount": "30.00", "currency": "USD", "paid": "30.00",
            "paid_charges": 1, "charge_ids": [acq.replacen("ORD_", "PAY_", 1)],
            "refunded": "30.00", "underpaid": false}]})
    );
    let (_, stats) = send_json(
        &app,
        TestRequest::get()
            .uri("/paystablecoin/_sim/stats")
            .to_request(),
    )
    .await;
    assert_eq!(stats["calls"]["refund"], 1, "only the API refund counts");
    assert_eq!(stats["calls"]["query"], 1);
    handle.stop(false).await;
}

#[actix_web::test]
async fn after_a_partial_api_refund_the_portal_refunds_the_rest_and_the_api_nothing_more() {
    let (base, _inbox, handle) = receiver();
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let acq = order!(app, "ORDER_PORTAL_REFUND_2", "30.00", base);
    send(&app, outcome(&acq, "pay").to_request()).await;
    let (_, r) = send_json(
        &app,
        api_refund("REFUND_PART_1", &acq, Some("12.50")).to_request(),
    )
    .await;
    assert_eq!(r["code"], "00000");
    let full = control(&acq, "refund", r#"{"amount": "30.00"}"#);
    assert_eq!(send_json(&app, full.to_request()).await.0, 422);
    let (status, v) = send_json(
        &app,
        control(&acq, "refund", r#"{"amount": 17.5}"#).to_request(),
    )
    .await;
    assert_eq!((status, &v["refunded"]), (200, &json!("30.00")));
    let (_, r) = send_json(
        &app,
        api_refund("REFUND_PART_2", &acq, Some("0.01")).to_request(),
    )
    .await;
    assert_eq!(r["code"], "20007");
    handle.stop(false).await;
}

#[actix_web::test]
async fn an_underpaid_order_is_refunded_no_more_than_arrived_and_the_oracle_says_underpaid() {
    let (base, _inbox, handle) = receiver();
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let acq = order!(app, "ORDER_UNDERPAID_001", "10.00", base);
    send(&app, outcome(&acq, "underpay").to_request()).await;
    let (_, r) = send_json(&app, api_refund("REFUND_UNDER_1", &acq, None).to_request()).await;
    assert_eq!(r["code"], "00000");
    assert_eq!(r["data"]["refundAmount"]["value"], "5.00", "what arrived");
    let (_, o) = send_json(&app, oracle("ORDER_UNDERPAID_001").to_request()).await;
    let o = &o["orders"][0];
    assert_eq!(
        (&o["paid"], &o["refunded"], &o["underpaid"]),
        (&json!("5.00"), &json!("5.00"), &json!(true))
    );

    let acq = order!(app, "ORDER_UNDERPAID_002", "10.00", base);
    send(&app, outcome(&acq, "underpay").to_request()).await;
    let (_, r) = send_json(
        &app,
        api_refund("REFUND_UNDER_2", &acq, Some("5.01")).to_request(),
    )
    .await;
    assert_eq!(r["code"], "10008", "more than arrived");
    handle.stop(false).await;
}

#[actix_web::test]
async fn the_oracle_answers_by_reference_and_reset_clears_it() {
    let (base, _inbox, handle) = receiver();
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let acq = order!(app, "ORDER_ORACLE_00001", "7.00", base);
    let (status, o) = send_json(&app, oracle("ORDER_ORACLE_00001").to_request()).await;
    assert_eq!(status, 200);
    assert_eq!(
        o["orders"],
        json!([{"id": acq, "external_id": acq, "reference": "ORDER_ORACLE_00001",
            "status": "INIT", "amount": "7.00", "currency": "USD", "paid": "0.00",
            "paid_charges": 0, "charge_ids": [], "refunded": "0.00", "underpaid": false}])
    );
    send(&app, outcome(&acq, "process").to_request()).await;
    let (_, o) = send_json(&app, oracle("ORDER_ORACLE_00001").to_request()).await;
    assert_eq!(
        (&o["orders"][0]["status"], &o["orders"][0]["paid"]),
        (&json!("PROCESSING"), &json!("0.00")),
        "a detected transaction is not money taken yet"
    );
    let (_, none) = send_json(&app, oracle("ORDER_UNKNOWN_0001").to_request()).await;
    assert_eq!(none, json!({"orders": []}));
    let bare = TestRequest::get().uri("/paystablecoin/_sim/orders");
    assert_eq!(send(&app, bare.to_request()).await.0, 400);

    let reset = TestRequest::post().uri("/paystablecoin/_sim/reset");
    assert_eq!(send(&app, reset.to_request()).await.0, 200);
    let (_, o) = send_json(&app, oracle("ORDER_ORACLE_00001").to_request()).await;
    assert_eq!(o, json!({"orders": []}));
    handle.stop(false).await;
}
