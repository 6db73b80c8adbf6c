//! Refund tests: the S4/S8 rules (docs/gateways/paystablecoin.md) and codes, the
//! PROCESSING→SUCCEEDED completion, the signed query string, and the refund webhook sent to
//! `notifyUrl`.

use actix_web::test::{init_service, TestRequest};
use actix_web::App;
use serde_json::{json, Value};

use super::super::signing::{sign, webhook_string_b};
use super::support::{create_body, now_ms, receiver, send, send_json, signed, wait_for};
use super::support::{ORDERS, REFUNDS, SECRET};
use crate::sim::{configure, Simulators};

const OID: &str = "ORDER_TEST_00000001";

macro_rules! app {
    ($sims:expr) => {
        init_service(App::new().configure(|c| configure(c, &$sims, ""))).await
    };
}

fn post(path: &str, body: &str) -> TestRequest {
    signed("POST", "/paystablecoin", path, "", body, &now_ms())
}

fn get(path: &str, query: &str) -> TestRequest {
    signed("GET", "/paystablecoin", path, query, "", &now_ms())
}

fn code(v: &Value) -> &str {
    v["code"].as_str().unwrap_or("<none>")
}

fn outcome(acq: &str, what: &str) -> TestRequest {
    TestRequest::post().uri(&format!("/paystablecoin/checkout/{acq}/{what}"))
}

fn create(id: &str, value: &str, callback: &str) -> TestRequest {
    post(ORDERS, &create_body(id, value, Some(callback)))
}

#[actix_web::test]
async fn refund_flow_and_codes() {
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let (_, v) = send_json(
        &app,
        post(ORDERS, &create_body(OID, "20.00", None)).to_request(),
    )
    .await;
    let acq = v["data"]["acquiringOrderId"].as_str().unwrap().to_owned();
    let refund = |id: &str, acq: &str| {
        json!({"merchantRefundOrderId": id, "acquiringOrderId": acq, "refundReason": "Customer request full refund"})
            .to_string()
    };

    let (_, v) = send_json(&app, post(REFUNDS, &refund("REFUND_A", &acq)).to_request()).await;
    assert_eq!(code(&v), "20007", "INIT order cannot be refunded");

    let pay = TestRequest::post().uri(&format!("/paystablecoin/checkout/{acq}/pay"));
    assert_eq!(send(&app, pay.to_request()).await.0, 303);

    let (_, v) = send_json(&app, post(REFUNDS, &refund("REFUND_B", OID)).to_request()).await;
    assert_eq!(
        code(&v),
        "40001",
        "merchantOrderId is not the platform id (S4)"
    );

    let (_, v) = send_json(&app, post(REFUNDS, &refund("REFUND_C", &acq)).to_request()).await;
    assert_eq!(code(&v), "00000", "{v}");
    assert_eq!(
        v["data"],
        json!({"merchantRefundOrderId": "REFUND_C", "acquiringOrderId": acq, "status": "PROCESSING",
               "refundAmount": {"value": "20.00", "currency": "USD"}})
    );

    let (_, v) = send_json(
        &app,
        get(REFUNDS, "merchantRefundOrderId=REFUND_C").to_request(),
    )
    .await;
    assert_eq!(code(&v), "00000", "{v}");
    assert_eq!(v["data"]["status"], "SUCCEEDED");

    let (_, v) = send_json(
        &app,
        get(REFUNDS, "merchantRefundOrderId=REFUND_X").to_request(),
    )
    .await;
    assert_eq!(code(&v), "40001");

    // The query string is signed: changing it after signing is refused.
    let tampered = get(REFUNDS, "merchantRefundOrderId=REFUND_C")
        .uri("/paystablecoin/api/v1/merchants/1000/refunds?merchantRefundOrderId=REFUND_X");
    let (_, v) = send_json(&app, tampered.to_request()).await;
    assert_eq!(code(&v), "50001");

    let (_, v) = send_json(&app, post(REFUNDS, &refund("REFUND_D", &acq)).to_request()).await;
    assert_eq!(code(&v), "20007", "already fully refunded");

    let (_, s) = send_json(
        &app,
        TestRequest::get()
            .uri("/paystablecoin/_sim/stats")
            .to_request(),
    )
    .await;
    assert_eq!(s["calls"]["refund"], 4);
    assert_eq!(
        s["by_reference"]["REFUND_C"],
        json!({"create": 1, "query": 1})
    );
    assert_eq!(
        s["by_reference"]["REFUND_X"],
        json!({"create": 0, "query": 2})
    );
}

#[actix_web::test]
async fn partial_refund_sends_refund_webhook_to_notify_url() {
    let (base, received, handle) = receiver();
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let (_, v) = send_json(
        &app,
        create("ORDER_REFUND_HOOK_1", "30.00", &format!("{base}/pay")).to_request(),
    )
    .await;
    let acq = v["data"]["acquiringOrderId"].as_str().unwrap().to_owned();
    send(&app, outcome(&acq, "pay").to_request()).await;

    let refund = json!({"merchantRefundOrderId": "REFUND_HOOK_1", "acquiringOrderId": acq,
        "refundReason": "partial", "refundAmount": "12.50", "notifyUrl": format!("{base}/refund/notify")})
    .to_string();
    let req = signed(
        "POST",
        "/paystablecoin",
        "/api/v1/merchants/1000/refunds",
        "",
        &refund,
        &now_ms(),
    );
    let (_, v) = send_json(&app, req.to_request()).await;
    assert_eq!(v["code"], "00000", "{v}");
    assert_eq!(v["data"]["status"], "PROCESSING");
    assert_eq!(
        v["data"]["refundAmount"],
        json!({"value": "12.50", "currency": "USD"})
    );

    let got = wait_for(&received, 2).await;
    assert_eq!(got.len(), 2);
    let hook = &got[1];
    assert_eq!(hook.path, "/refund/notify");
    let expected = format!(
        r#"{{"merchantRefundOrderId":"REFUND_HOOK_1","acquiringOrderId":"{acq}","status":"SUCCEEDED","refundAmount":"12.50"}}"#
    );
    assert_eq!(hook.text(), expected);
    let msg = webhook_string_b(hook.header("x-timestamp"), "/refund/notify", &hook.body);
    assert_eq!(hook.header("x-signature"), sign(SECRET, &msg));

    // 17.50 remain: asking for more is out of range.
    let more = refund
        .replace("REFUND_HOOK_1", "REFUND_HOOK_2")
        .replace("12.50", "17.51");
    let req = signed(
        "POST",
        "/paystablecoin",
        "/api/v1/merchants/1000/refunds",
        "",
        &more,
        &now_ms(),
    );
    let (_, v) = send_json(&app, req.to_request()).await;
    assert_eq!(v["code"], "10008");
    handle.stop(false).await;
}
