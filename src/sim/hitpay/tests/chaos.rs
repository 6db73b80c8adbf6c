//! The chaos controls other than refunds: a late payment on a closed request, another charge of
//! the same request, repeated payments, and the oracle (with HitPay's lack of de-duplication).

use std::sync::Arc;

use serde_json::{json, Value};

use super::support::{app, call, control, created, get, got, oracle, outcome, receiver};
use super::support::{v1_valid, HitPayHook, Received, KEY, SALT};
use super::super::HitPaySim;

fn sim() -> Arc<HitPaySim> {
    Arc::new(HitPaySim::new(reqwest::Client::new()))
}

/// (status, payment id) of each payment of a request, as GET shows them.
fn payments(request: &Value) -> Vec<(String, String)> {
    let list = request["payments"].as_array().unwrap();
    list.iter()
        .map(|p| {
            let text = |k: &str| p[k].as_str().unwrap().to_owned();
            (text("status"), text("id"))
        })
        .collect()
}

fn v1(hook: &Received, status: &str, payment_id: &str) {
    assert_eq!(
        hook.header("content-type"),
        "application/x-www-form-urlencoded"
    );
    assert!(v1_valid(hook, SALT), "{:?}", hook.fields());
    assert_eq!(
        (hook.field("status"), hook.field("payment_id")),
        (status.to_owned(), payment_id.to_owned())
    );
    assert_eq!(hook.field("amount"), "25.00");
}

#[actix_web::test]
async fn a_late_payment_completes_a_closed_request_as_pay_would() {
    let (base, inbox, handle) = receiver();
    let sim = sim();
    let app = app!(sim);
    let id = created!(&app, base, "att_late", "");
    assert_eq!(call!(&app, outcome(&id, "fail")).0, 200, "no redirect_url");
    assert_eq!(
        call!(&app, outcome(&id, "pay")).0,
        409,
        "closed on the page"
    );

    let (status, v) = call!(&app, control(&id, "late_payment", ""));
    assert_eq!(status, 200, "{v}");
    let paid = v["charge_id"].as_str().unwrap().to_owned();
    assert_eq!(
        v,
        json!({"ok": true, "status": "completed", "charge_id": paid})
    );
    let hooks = got(&inbox);
    assert_eq!(
        hooks.len(),
        2,
        "the failure's webhook, then the payment's, awaited"
    );
    assert_eq!(hooks[1].path, "/hook");
    v1(&hooks[1], "completed", &paid);
    assert_eq!(hooks[1].field("reference_number"), "att_late");
    let (_, request) = call!(&app, get(&format!("/v1/payment-requests/{id}")));
    assert_eq!(request["status"], "completed");
    let list = payments(&request);
    assert_eq!(
        (list[0].0.as_str(), &list[1]),
        ("failed", &("succeeded".to_owned(), paid.clone()))
    );

    let (status, _) = call!(&app, control(&id, "late_payment", ""));
    assert_eq!(status, 409, "already paid");
    assert_eq!(got(&inbox).len(), 2, "and nothing sent");
    assert_eq!(call!(&app, control("nope", "late_payment", "")).0, 404);
    let resend = control(&id, "webhook", "");
    assert_eq!(call!(&app, resend).0, 200);
    assert_eq!(got(&inbox)[2].fields()[..7], hooks[1].fields()[..7]);

    // Expired and canceled requests too; a pending payment (from `process`) is the one settled.
    for closing in ["expire", "cancel"] {
        let id = created!(&app, base, "att_late_2", "");
        call!(&app, outcome(&id, closing));
        let (status, v) = call!(&app, control(&id, "late_payment", ""));
        assert_eq!(
            (status, &v["status"]),
            (200, &json!("completed")),
            "{closing}"
        );
    }
    let id = created!(&app, base, "att_late_3", "");
    call!(&app, outcome(&id, "process"));
    let (_, waiting) = call!(&app, get(&format!("/v1/payment-requests/{id}")));
    let (_, v) = call!(&app, control(&id, "late_payment", ""));
    assert_eq!(v["charge_id"], waiting["payments"][0]["id"]);

    let stats = serde_json::to_value(sim.stats()).unwrap();
    assert_eq!(
        stats["calls"],
        json!({"create": 4, "query": 2, "refund": 0, "cancel": 0}),
        "controls are not API calls"
    );
    handle.stop(false).await;
}

#[actix_web::test]
async fn another_charge_is_reported_without_changing_the_request() {
    let (base, inbox, handle) = receiver();
    let sim = sim();
    let app = app!(sim);
    let id = created!(&app, base, "att_charge", "");
    call!(&app, outcome(&id, "pay"));
    let (status, v) = call!(&app, control(&id, "charge", r#"{"status": "failed"}"#));
    assert_eq!(status, 200, "{v}");
    let failed = v["payment_id"].as_str().unwrap().to_owned();
    assert_eq!(
        v,
        json!({"ok": true, "payment_id": failed, "status": "failed"})
    );
    v1(&got(&inbox)[1], "failed", &failed);
    let (_, request) = call!(&app, get(&format!("/v1/payment-requests/{id}")));
    assert_eq!(request["status"], "completed");
    let list = payments(&request);
    assert_eq!(list.len(), 2);
    assert_eq!(list[1], ("failed".to_owned(), failed));

    // A succeeded charge on a canceled request is money taken; the request stays canceled.
    let other = created!(&app, base, "att_charge_2", "");
    call!(&app, outcome(&other, "cancel"));
    let (_, v) = call!(
        &app,
        control(&other, "charge", r#"{"status": "succeeded"}"#)
    );
    let charge = v["payment_id"].as_str().unwrap().to_owned();
    v1(&got(&inbox)[2], "completed", &charge);
    let (_, o) = call!(&app, oracle("att_charge_2"));
    assert_eq!(
        o["orders"][0],
        json!({"id": other, "external_id": other, "reference": "att_charge_2",
            "status": "canceled", "amount": "25.00", "currency": "SGD", "paid": "25.00",
            "paid_charges": 1, "charge_ids": [charge], "refunded": "0.00", "underpaid": false})
    );

    for bad in ["", r#"{"status": "refunded"}"#, r#"{"status": 1}"#, "{"] {
        assert_eq!(call!(&app, control(&id, "charge", bad)).0, 400, "{bad}");
    }
    let missing = control("nope", "charge", r#"{"status": "failed"}"#);
    assert_eq!(call!(&app, missing).0, 404);
    assert_eq!(got(&inbox).len(), 3);
    assert_eq!(sim.stats().calls.create, 2);
    handle.stop(false).await;
}

#[actix_web::test]
async fn repeated_payments_are_stored_echoed_and_each_pay_adds_a_payment() {
    let (base, inbox, handle) = receiver();
    let sim = sim();
    let app = app!(sim);
    let create_json = |flag: Value| {
        actix_web::test::TestRequest::post()
            .uri("/hitpay/v1/payment-requests")
            .insert_header(("X-BUSINESS-API-KEY", KEY))
            .set_json(
                json!({"amount": "25.00", "currency": "SGD", "allow_repeated_payments": flag}),
            )
    };
    for (flag, echoed) in [
        (json!(true), true),
        (json!("1"), true),
        (json!(0), false),
        (json!("false"), false),
    ] {
        let (status, v) = call!(&app, create_json(flag.clone()));
        assert_eq!(
            (status, &v["allow_repeated_payments"]),
            (200, &json!(echoed)),
            "{flag}"
        );
    }
    let message = "The allow repeated payments field must be true or false.";
    for flag in [json!("yes"), json!(2)] {
        assert_eq!(
            call!(&app, create_json(flag)),
            (
                422,
                json!({"message": message, "errors": {"allow_repeated_payments": [message]}})
            )
        );
    }
    let plain = created!(&app, base, "att_once", "");
    let (_, v) = call!(&app, get(&format!("/v1/payment-requests/{plain}")));
    assert_eq!(v["allow_repeated_payments"], false);

    let id = created!(&app, base, "att_again", "&allow_repeated_payments=true");
    assert_eq!(call!(&app, outcome(&id, "pay")).0, 200, "no redirect_url");
    let page = actix_web::test::call_service(
        &app,
        actix_web::test::TestRequest::get()
            .uri(&format!("/hitpay/checkout/{id}"))
            .to_request(),
    )
    .await;
    let html = String::from_utf8(actix_web::test::read_body(page).await.to_vec()).unwrap();
    assert!(html.contains(&format!("action=\"{id}/pay\"")) && !html.contains("/fail\""));
    assert_eq!(call!(&app, outcome(&id, "pay")).0, 200, "no redirect_url");
    assert_eq!(call!(&app, outcome(&id, "fail")).0, 409, "only pay repeats");

    let (_, request) = call!(&app, get(&format!("/v1/payment-requests/{id}")));
    assert_eq!(request["status"], "completed");
    let list = payments(&request);
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|(s, _)| s == "succeeded") && list[0].1 != list[1].1);
    let hooks = got(&inbox);
    assert_eq!(hooks.len(), 2);
    v1(&hooks[0], "completed", &list[0].1);
    v1(&hooks[1], "completed", &list[1].1);
    let (_, o) = call!(&app, oracle("att_again"));
    assert_eq!(
        (&o["orders"][0]["paid"], &o["orders"][0]["paid_charges"]),
        (&json!("50.00"), &json!(2))
    );
    handle.stop(false).await;
}

#[actix_web::test]
async fn the_oracle_lists_every_request_of_a_reference_and_reset_clears_them() {
    let (base, _inbox, handle) = receiver();
    let sim = sim();
    let app = app!(sim);
    let first = created!(&app, base, "att_twice", "");
    let second = created!(&app, base, "att_twice", "");
    call!(&app, outcome(&second, "underpay"));
    let (_, request) = call!(&app, get(&format!("/v1/payment-requests/{second}")));
    let charge = request["payments"][0]["id"].clone();
    let (status, o) = call!(&app, oracle("att_twice"));
    assert_eq!(status, 200);
    assert_eq!(
        o,
        json!({"orders": [
            {"id": first, "external_id": first, "reference": "att_twice", "status": "pending",
             "amount": "25.00", "currency": "SGD", "paid": "0.00", "paid_charges": 0,
             "charge_ids": [], "refunded": "0.00", "underpaid": false},
            {"id": second, "external_id": second, "reference": "att_twice", "status": "completed",
             "amount": "25.00", "currency": "SGD", "paid": "12.50", "paid_charges": 1,
             "charge_ids": [charge], "refunded": "0.00", "underpaid": true},
        ]})
    );
    assert_eq!(
        call!(&app, oracle("att_none")),
        (200, json!({"orders": []}))
    );
    let bare = actix_web::test::TestRequest::get().uri("/hitpay/_sim/orders?reference=");
    assert_eq!(call!(&app, bare).0, 400);
    let reset = actix_web::test::TestRequest::post().uri("/hitpay/_sim/reset");
    assert_eq!(call!(&app, reset).0, 200);
    assert_eq!(call!(&app, oracle("att_twice")).1, json!({"orders": []}));
    handle.stop(false).await;
}
