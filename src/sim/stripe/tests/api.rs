//! The API as Stripe answers it: objects and id prefixes, Bearer auth, validation in Stripe's
//! error envelope, expansion, expire, the PaymentIntent read, and a faulted call.

use std::sync::Arc;

use actix_web::test::TestRequest;
use serde_json::json;

use super::super::StripeSim;
use super::support::{app, call, control, create_form, created, get, outcome, post};

fn sim() -> Arc<StripeSim> {
    Arc::new(StripeSim::new(reqwest::Client::new()))
}

#[actix_web::test]
async fn a_session_is_created_open_without_an_intent_and_read_back() {
    let app = app!(sim());
    let (status, s, _) = call!(&app, post("/v1/checkout/sessions", &create_form("att_1", "2500", "sgd", ""), None));
    assert_eq!(status, 200, "{s}");
    let id = s["id"].as_str().unwrap();
    assert!(id.starts_with("cs_test_"), "{id}");
    assert_eq!(
        (&s["object"], &s["status"], &s["payment_status"], &s["amount_total"], &s["currency"]),
        (&json!("checkout.session"), &json!("open"), &json!("unpaid"), &json!(2500), &json!("sgd"))
    );
    assert_eq!((&s["client_reference_id"], &s["payment_intent"]), (&json!("att_1"), &json!(null)));
    assert!(s["url"].as_str().unwrap().ends_with(&format!("/stripe/checkout/{id}")));
    let (status, read, _) = call!(&app, get(&format!("/v1/checkout/sessions/{id}")));
    assert_eq!((status, &read["id"]), (200, &json!(id)));
}

#[actix_web::test]
async fn a_missing_or_unknown_key_is_401_and_another_accounts_session_is_404() {
    let app = app!(sim());
    let id = created!(&app, "att_2", "100", "usd");
    let bare = TestRequest::get().uri(&format!("/stripe/v1/checkout/sessions/{id}"));
    let (status, e, _) = call!(&app, bare);
    assert_eq!((status, &e["error"]["type"]), (401, &json!("invalid_request_error")));
    let wrong = get(&format!("/v1/checkout/sessions/{id}"))
        .insert_header(("Authorization", "Bearer sk_test_other"));
    assert_eq!(call!(&app, wrong).0, 401);
    let (status, e, _) = call!(&app, get("/v1/checkout/sessions/cs_test_nope"));
    assert_eq!((status, &e["error"]["code"]), (404, &json!("resource_missing")));
}

#[actix_web::test]
async fn invalid_requests_name_the_parameter() {
    let app = app!(sim());
    let now = chrono::Utc::now().timestamp();
    let cases = [
        (create_form("a", "2500", "sgd", "").replace("mode=payment", "mode=setup"), "mode"),
        (create_form("a", "25.00", "sgd", ""), "line_items[0][price_data][unit_amount]"),
        (create_form("a", "150", "isk", ""), "line_items"),
        (create_form("a", "5125", "kwd", ""), "line_items"),
        (create_form("a", "100", "xau", ""), "line_items"),
        (create_form("a", "100", "usd", &format!("&expires_at={}", now + 600)), "expires_at"),
        (create_form("a", "100", "usd", &format!("&expires_at={}", now + 90_000)), "expires_at"),
        (create_form("a", "100", "usd", "").replace("success_url=https", "success_url=ftp"), "success_url"),
    ];
    for (form, param) in cases {
        let (status, e, _) = call!(&app, post("/v1/checkout/sessions", &form, None));
        assert_eq!((status, e["error"]["param"].as_str()), (400, Some(param)), "{form}: {e}");
    }
    let (status, s, _) = call!(&app, post("/v1/checkout/sessions", &create_form("a", "1500", "jpy", ""), None));
    assert_eq!((status, &s["amount_total"]), (200, &json!(1500)), "¥1500 is 1500");
    let (status, _, _) = call!(&app, post("/v1/checkout/sessions", &create_form("a", "500", "isk", ""), None));
    assert_eq!(status, 200, "5 ISK is 500");
}

#[actix_web::test]
async fn a_paid_session_expands_its_intent_and_charge_and_the_intent_reads_alone() {
    let app = app!(sim());
    let id = created!(&app, "att_3", "2500", "sgd");
    call!(&app, outcome(&id, "pay"));
    let path = format!("/v1/checkout/sessions/{id}?expand%5B%5D=payment_intent.latest_charge");
    let (_, s, _) = call!(&app, get(&path));
    let pi = &s["payment_intent"];
    assert_eq!((&s["status"], &s["payment_status"], &s["url"]), (&json!("complete"), &json!("paid"), &json!(null)));
    assert_eq!((&pi["object"], &pi["status"]), (&json!("payment_intent"), &json!("succeeded")));
    assert_eq!(pi["metadata"], json!({ "payrail_reference": "att_3" }));
    let charge = &pi["latest_charge"];
    assert!(charge["id"].as_str().unwrap().starts_with("ch_"));
    assert_eq!((&charge["amount_refunded"], &charge["metadata"]), (&json!(0), &pi["metadata"]));
    let pi_id = pi["id"].as_str().unwrap();
    let (_, plain, _) = call!(&app, get(&format!("/v1/checkout/sessions/{id}")));
    assert_eq!(plain["payment_intent"], json!(pi_id), "an id unless expanded");
    let (status, alone, _) = call!(&app, get(&format!("/v1/payment_intents/{pi_id}")));
    assert_eq!((status, &alone["latest_charge"]), (200, &charge["id"]));
}

#[actix_web::test]
async fn expire_closes_an_open_session_once() {
    let app = app!(sim());
    let id = created!(&app, "att_4", "2500", "sgd");
    let expire = format!("/v1/checkout/sessions/{id}/expire");
    let (status, s, _) = call!(&app, post(&expire, "", None));
    assert_eq!((status, &s["status"], &s["url"]), (200, &json!("expired"), &json!(null)));
    let (status, e, _) = call!(&app, post(&expire, "", None));
    assert_eq!((status, &e["error"]["type"]), (400, &json!("invalid_request_error")));
    assert_eq!(call!(&app, outcome(&id, "pay")).0, 409, "an expired session takes no payment");
}

#[actix_web::test]
async fn a_faulted_call_answers_stripes_api_error_and_is_counted() {
    let app = app!(sim());
    call!(&app, control("faults", r#"{"mode":"http_500"}"#));
    let (status, e, _) = call!(&app, post("/v1/checkout/sessions", &create_form("att_5", "100", "usd", ""), None));
    assert_eq!((status, &e["error"]["type"]), (500, &json!("api_error")));
    let (_, stats, _) = call!(&app, TestRequest::get().uri("/stripe/_sim/stats"));
    assert_eq!((&stats["calls"]["create"], &stats["by_reference"]["att_5"]["create"]), (&json!(1), &json!(1)));
}
