//! API tests through `actix_web::test`: authentication codes, validation codes, duplicates,
//! queries, refunds, call counters and faults.

use actix_web::test::{init_service, TestRequest};
use actix_web::App;
use serde_json::{json, Value};

use super::support::{create_body, now_ms, send, send_json, signed, ORDERS};
use crate::sim::{configure, Simulators};

const OID: &str = "ORDER_TEST_00000001";

macro_rules! app {
    ($sims:expr, $prefix:expr) => {
        init_service(App::new().configure(|c| configure(c, &$sims, $prefix))).await
    };
}

fn post(mount: &str, path: &str, body: &str) -> TestRequest {
    signed("POST", mount, path, "", body, &now_ms())
}

fn get(mount: &str, path: &str, query: &str) -> TestRequest {
    signed("GET", mount, path, query, "", &now_ms())
}

fn code(v: &Value) -> &str {
    v["code"].as_str().unwrap_or("<none>")
}

#[actix_web::test]
async fn signed_create_is_accepted_with_documented_shape() {
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims, "");
    let body = create_body(OID, "99.99", None);
    let (status, v) = send_json(&app, post("/paystablecoin", ORDERS, &body).to_request()).await;
    assert_eq!(status, 200);
    assert_eq!(code(&v), "00000", "{v}");
    assert_eq!(v["message"], "Success");
    let d = &v["data"];
    let acq = d["acquiringOrderId"].as_str().unwrap();
    let day = chrono::Utc::now().format("%Y%m%d").to_string();
    assert_eq!(acq.len(), "ORD_20240101_1234567890ABCDEF".len());
    assert!(acq.starts_with(&format!("ORD_{day}_")), "{acq}");
    assert!(acq[13..]
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)));
    assert_eq!(d["paymentOrderId"], format!("PAY_{}", &acq[4..]));
    assert_eq!(d["merchantOrderId"], OID);
    assert_eq!(d["status"], "INIT");
    assert_eq!(
        d["orderAmount"],
        json!({"value": "99.99", "currency": "USD"})
    );
    assert_eq!(
        d["checkoutUrl"],
        format!("http://localhost:8080/paystablecoin/checkout/{acq}")
    );
}

#[actix_web::test]
async fn auth_failures_answer_50xxx_with_http_200() {
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims, "");
    let body = create_body(OID, "10.00", None);

    let wrong_sig = post("/paystablecoin", ORDERS, &body).insert_header((
        "X-Signature",
        "vUSuIRgZZR2nVziV4LRglUL3CN4vjSNRL4f/vir08hM=",
    ));
    let (status, v) = send_json(&app, wrong_sig.to_request()).await;
    assert_eq!((status, code(&v)), (200, "50001"));
    assert_eq!(v["data"], Value::Null);

    // The body changed after signing: the hash no longer matches.
    let changed =
        post("/paystablecoin", ORDERS, &body).set_payload(create_body(OID, "10.01", None));
    let (_, v) = send_json(&app, changed.to_request()).await;
    assert_eq!(code(&v), "50001");

    let stale_ts = (chrono::Utc::now().timestamp_millis() - 300_001).to_string();
    let stale = signed("POST", "/paystablecoin", ORDERS, "", &body, &stale_ts);
    let (_, v) = send_json(&app, stale.to_request()).await;
    assert_eq!(code(&v), "50002");

    let seconds = signed(
        "POST",
        "/paystablecoin",
        ORDERS,
        "",
        &body,
        &chrono::Utc::now().timestamp().to_string(),
    );
    let (_, v) = send_json(&app, seconds.to_request()).await;
    assert_eq!(code(&v), "50002");

    let no_key = TestRequest::post()
        .uri("/paystablecoin/api/v1/merchants/1000/orders")
        .insert_header(("X-Timestamp", now_ms()))
        .set_payload(body.clone());
    let (_, v) = send_json(&app, no_key.to_request()).await;
    assert_eq!(code(&v), "50003");

    // The default key does not belong to merchant 1002.
    let other = post("/paystablecoin", "/api/v1/merchants/1002/orders", &body);
    let (_, v) = send_json(&app, other.to_request()).await;
    assert_eq!(code(&v), "50003");

    // Nothing was created by the refused calls.
    let (_, v) = send_json(
        &app,
        get("/paystablecoin", &format!("{ORDERS}/{OID}"), "").to_request(),
    )
    .await;
    assert_eq!(code(&v), "40001");
}

#[actix_web::test]
async fn validation_codes() {
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims, "");
    let cases: Vec<(String, &str)> = vec![
        (create_body("SHORT_ID_15CHAR", "1.00", None), "10003"),
        (create_body(&"A".repeat(65), "1.00", None), "10003"),
        (create_body("ORDER_WITH_SPACE 01", "1.00", None), "10003"),
        (create_body(OID, "0", None), "10004"),
        (create_body(OID, "-1.00", None), "10004"),
        (create_body(OID, "1.001", None), "10009"),
        (create_body(OID, "1e3", None), "10003"),
        (create_body(OID, "1.00", Some("not a url")), "10003"),
        (
            create_body(OID, "1.00", None).replace("USD", "EUR"),
            "10006",
        ),
        (
            create_body(OID, "1.00", None).replace("https://shop.example/return", ""),
            "10002",
        ),
        (
            json!({"merchantOrderId": OID, "orderAmount": {"value": "1.00", "currency": "USD"},
                   "expiresAt": "2020-01-01T00:00:00Z", "returnUrl": "https://a.example/r"})
            .to_string(),
            "10005",
        ),
        ("{not json".to_owned(), "10001"),
    ];
    for (body, want) in cases {
        let (status, v) = send_json(&app, post("/paystablecoin", ORDERS, &body).to_request()).await;
        assert_eq!((status, code(&v)), (200, want), "{body}");
    }
    // A 16-character id is the shortest allowed.
    let body = create_body("ID_SIXTEEN_CHARS", "1.00", None);
    let (_, v) = send_json(&app, post("/paystablecoin", ORDERS, &body).to_request()).await;
    assert_eq!(code(&v), "00000");
}

#[actix_web::test]
async fn duplicate_then_query_resumes_with_checkout_url_under_prefix() {
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims, "/sandbox");
    let mount = "/sandbox/paystablecoin";
    let body = create_body(OID, "5.50", None);
    let (_, first) = send_json(&app, post(mount, ORDERS, &body).to_request()).await;
    assert_eq!(code(&first), "00000");
    let url = first["data"]["checkoutUrl"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with("http://localhost:8080/sandbox/paystablecoin/checkout/ORD_"),
        "{url}"
    );

    let (_, dup) = send_json(&app, post(mount, ORDERS, &body).to_request()).await;
    assert_eq!(code(&dup), "20001");
    assert_eq!(dup["data"], Value::Null);

    let (_, q) = send_json(
        &app,
        get(mount, &format!("{ORDERS}/{OID}"), "").to_request(),
    )
    .await;
    assert_eq!(code(&q), "00000");
    let d = &q["data"];
    assert_eq!(d["checkoutUrl"], url.as_str());
    assert_eq!(d["acquiringOrderId"], first["data"]["acquiringOrderId"]);
    assert_eq!(d["status"], "INIT");
    assert_eq!(
        d["cryptoPaymentAmount"],
        json!({"value": "5.50", "currency": "USDT"})
    );
    assert_eq!(
        d["cryptoPaidAmount"],
        json!({"value": "0.00", "currency": "USDT"})
    );
    assert_eq!(d["paidTime"], Value::Null);
}

#[actix_web::test]
async fn stats_count_every_call_and_http_500_fails_exactly_one() {
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims, "");
    let fault = TestRequest::post()
        .uri("/paystablecoin/_sim/faults")
        .set_json(json!({"mode": "http_500", "count": 1}));
    let (status, _) = send(&app, fault.to_request()).await;
    assert_eq!(status, 200);

    let body = create_body(OID, "1.00", None);
    let (status, raw) = send(&app, post("/paystablecoin", ORDERS, &body).to_request()).await;
    assert_eq!(status, 500);
    assert_eq!(raw, br#"{"code":"99999","message":"System error"}"#);
    // Not processed: the order does not exist, so the retry creates it.
    let (status, v) = send_json(&app, post("/paystablecoin", ORDERS, &body).to_request()).await;
    assert_eq!((status, code(&v)), (200, "00000"));
    let (_, v) = send_json(&app, post("/paystablecoin", ORDERS, &body).to_request()).await;
    assert_eq!(code(&v), "20001");
    let (_, v) = send_json(
        &app,
        get("/paystablecoin", &format!("{ORDERS}/{OID}"), "").to_request(),
    )
    .await;
    assert_eq!(code(&v), "00000");

    let stats = TestRequest::get().uri("/paystablecoin/_sim/stats");
    let (_, s) = send_json(&app, stats.to_request()).await;
    assert_eq!(
        s,
        json!({
            "calls": {"create": 3, "query": 1, "refund": 0, "cancel": 0},
            "by_reference": {OID: {"create": 3, "query": 1}},
            "webhooks_sent": 0
        })
    );

    let reset = TestRequest::post().uri("/paystablecoin/_sim/reset");
    assert_eq!(send(&app, reset.to_request()).await.0, 200);
    let (_, s) = send_json(
        &app,
        TestRequest::get()
            .uri("/paystablecoin/_sim/stats")
            .to_request(),
    )
    .await;
    assert_eq!(s["calls"]["create"], 0);
    assert_eq!(s["by_reference"], json!({}));
}

#[actix_web::test]
async fn malformed_and_refuse_faults() {
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims, "");
    let arm = |mode: &str| {
        TestRequest::post()
            .uri("/paystablecoin/_sim/faults")
            .set_json(json!({"mode": mode, "count": 1}))
            .to_request()
    };
    send(&app, arm("malformed")).await;
    let body = create_body(OID, "1.00", None);
    let (status, raw) = send(&app, post("/paystablecoin", ORDERS, &body).to_request()).await;
    assert_eq!(status, 200);
    assert!(serde_json::from_slice::<Value>(&raw).is_err());
    // Malformed still processed the call.
    let (_, v) = send_json(&app, post("/paystablecoin", ORDERS, &body).to_request()).await;
    assert_eq!(code(&v), "20001");

    send(&app, arm("refuse")).await;
    let q = get("/paystablecoin", &format!("{ORDERS}/{OID}"), "");
    let (status, raw) = send(&app, q.to_request()).await;
    assert_eq!((status, raw.len()), (503, 0));

    let bad = TestRequest::post()
        .uri("/paystablecoin/_sim/faults")
        .set_json(json!({"mode": "explode"}));
    assert_eq!(send(&app, bad.to_request()).await.0, 400);
}
