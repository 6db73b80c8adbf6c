//! The "Test vectors" of docs/gateways/himosoft.md (which also defines the labels H1–H6) replayed
//! against the simulator's own signing code, and authentication refusals answered in HimoSoft's
//! envelope.

use actix_web::test::{init_service, TestRequest};
use actix_web::App;
use serde_json::json;
use std::sync::Arc;

use super::signing::{sign, tampered, verify};
use super::state::DEFAULT_SECRET;
use support::{create_body, now_s, send_json, signed, PAYMENTS};
use super::{configure, HimoSoftConfig, HimoSoftSim};

// The simulator's other tests, one file per surface (as the adapters' tests are laid out).
mod api;
mod chaos;
mod checkout;
mod support;

#[test]
fn vectors_byte_for_byte() {
    let v3 = r#"{"amount":"1500.00","currency":"BDT","order_id":"TRANS_001","callback_url":"https://yoursite.com/hook","idempotency_key":"unique_8822"}"#;
    let cases: [(&str, &str, &str); 4] = [
        (
            "himo_sk_...",
            r#"{"amount": "10.00"}"#,
            "bc4726ec92ee45e147e81260d9e10755f9207fbbf41c61b5bfdf1b2318c14173",
        ),
        (
            "himo_sk_test_123",
            r#"{"amount": "10.00"}"#,
            "74150ad7663b962c4fe3497280dbfa02c9372626a6ca87ae20a71f2585d3bab8",
        ),
        (
            "himo_sk_test_123",
            v3,
            "f14e66a80a604e6d140e70407f29a391ee09f08a210c0760fb383bd994361fad",
        ),
        (
            "himo_sk_test_123",
            "",
            "c03995aa40c466f5c7057a75fb42a96621b0e7e861f1e68b3d3616ff984d3cf4",
        ),
    ];
    for (secret, body, expected) in cases {
        assert_eq!(
            sign(secret, "1714764000", body.as_bytes()),
            expected,
            "{body}"
        );
        assert!(verify(secret, "1714764000", body.as_bytes(), expected));
        assert!(verify(
            secret,
            "1714764000",
            body.as_bytes(),
            &expected.to_uppercase()
        ));
        assert!(!verify(
            secret,
            "1714764000",
            body.as_bytes(),
            &tampered(expected)
        ));
        assert!(!verify(secret, "1714764001", body.as_bytes(), expected));
    }
    assert_eq!(
        DEFAULT_SECRET, "himo_sk_test_123",
        "the built-in account uses the vectors' secret"
    );
    assert_ne!(tampered("0abc"), "0abc");
    assert_ne!(tampered("1abc"), "1abc");
}

macro_rules! app {
    ($sim:expr) => {
        init_service(App::new().configure(|c| configure(c, &$sim, ""))).await
    };
}

fn error(code: &str, message: &str) -> serde_json::Value {
    json!({ "error": code, "message": message })
}

#[actix_web::test]
async fn authentication_refusals() {
    let sim = Arc::new(HimoSoftSim::new(reqwest::Client::new()));
    let app = app!(sim);
    let body = create_body("10.00", "att_1", None, None);
    let bad_sig = error(
        "invalid_signature",
        "HMAC validation failed. Check credentials.",
    );
    let ts = now_s();
    let good = sign(DEFAULT_SECRET, &ts, body.as_bytes());
    let base = || TestRequest::post().uri(PAYMENTS).set_payload(body.clone());
    let cases = [
        (
            "no signature",
            base().insert_header(("X-Timestamp", ts.as_str())),
        ),
        (
            "no timestamp",
            base().insert_header(("X-HMAC-Signature", good.as_str())),
        ),
        (
            "wrong secret",
            base()
                .insert_header(("X-Timestamp", ts.as_str()))
                .insert_header((
                    "X-HMAC-Signature",
                    sign("himo_sk_other", &ts, body.as_bytes()).as_str(),
                )),
        ),
        (
            "tampered",
            base()
                .insert_header(("X-Timestamp", ts.as_str()))
                .insert_header(("X-HMAC-Signature", tampered(&good).as_str())),
        ),
        (
            "unknown key",
            base()
                .insert_header(("X-API-Key", "himo_pk_nobody"))
                .insert_header(("X-Timestamp", ts.as_str()))
                .insert_header(("X-HMAC-Signature", good.as_str())),
        ),
        (
            "ms timestamp",
            base()
                .insert_header(("X-Timestamp", "1714764000000"))
                .insert_header((
                    "X-HMAC-Signature",
                    sign(DEFAULT_SECRET, "1714764000000", body.as_bytes()).as_str(),
                )),
        ),
    ];
    for (what, req) in cases {
        assert_eq!(
            send_json(&app, req.to_request()).await,
            (401, bad_sig.clone()),
            "{what}"
        );
    }
    let stale = (chrono::Utc::now().timestamp() - 301).to_string();
    let req = base()
        .insert_header(("X-Timestamp", stale.as_str()))
        .insert_header((
            "X-HMAC-Signature",
            sign(DEFAULT_SECRET, &stale, body.as_bytes()).as_str(),
        ));
    assert_eq!(
        send_json(&app, req.to_request()).await,
        (
            401,
            error(
                "timestamp_expired",
                "Request timestamp is outside the allowed window."
            )
        )
    );
    // Single-tenant (H2): no key header, and the timestamp under an alias (H1).
    for alias in ["X-Timestamp", "X-HMAC-Timestamp", "Timestamp"] {
        let req = base()
            .insert_header((alias, ts.as_str()))
            .insert_header(("X-HMAC-Signature", good.as_str()));
        assert_eq!(send_json(&app, req.to_request()).await.0, 200, "{alias}");
    }
    assert_eq!(
        sim.stats().calls.create,
        10,
        "refused calls are counted too"
    );
}

#[actix_web::test]
async fn a_key_can_be_required() {
    let config = HimoSoftConfig {
        require_api_key: true,
        ..HimoSoftConfig::default()
    };
    let sim = Arc::new(HimoSoftSim::with_config(reqwest::Client::new(), config));
    let app = app!(sim);
    let body = create_body("10.00", "att_1", None, None);
    let ts = now_s();
    let req = TestRequest::post()
        .uri(PAYMENTS)
        .insert_header(("X-Timestamp", ts.as_str()))
        .insert_header((
            "X-HMAC-Signature",
            sign(DEFAULT_SECRET, &ts, body.as_bytes()).as_str(),
        ))
        .set_payload(body.clone());
    assert_eq!(send_json(&app, req.to_request()).await.0, 401);
    assert_eq!(
        send_json(&app, signed("POST", PAYMENTS, &body).to_request())
            .await
            .0,
        200
    );
}
