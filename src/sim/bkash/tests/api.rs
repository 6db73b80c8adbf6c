//! Create, execute, the payment's status and search: answers, validation codes, execute exactly
//! once, the counters and faults.

use serde_json::json;

use super::*;

#[actix_web::test]
async fn create_answers_the_payment_and_its_page() {
    let sim = sim();
    let app = app!(sim);
    let token = token!(app);
    let body = create_body(INVOICE, "100.00");
    let (_, created) = send(&app, call("/create", &token, &body).to_request()).await;
    let id = created["paymentID"].as_str().unwrap();
    assert!(id.starts_with("TR0011"), "{created}");
    assert_eq!(
        created["bkashURL"],
        format!("http://localhost:8080/bkash/checkout/{id}")
    );
    let back = format!("https://payrail.example/checkout/return/bkash/acc_1?paymentID={id}");
    assert_eq!(created["successCallbackURL"], format!("{back}&status=success"));
    assert_eq!(created["cancelledCallbackURL"], format!("{back}&status=cancel"));
    for (field, want) in [
        ("transactionStatus", "Initiated"),
        ("amount", "100.00"),
        ("currency", "BDT"),
        ("intent", "sale"),
        ("merchantInvoiceNumber", INVOICE),
    ] {
        assert_eq!(created[field], want, "{field}");
    }
}

#[actix_web::test]
async fn invalid_creates_are_refused_with_their_codes() {
    let sim = sim();
    let app = app!(sim);
    let token = token!(app);
    let cases = [
        ("mode", json!("0001"), "2063"),
        ("amount", json!("10.001"), "2006"),
        ("amount", json!("-5"), "2006"),
        ("currency", json!("USD"), "2007"),
        ("intent", json!("authorization"), "2008"),
        ("callbackURL", json!("ftp://x"), "2049"),
        ("merchantInvoiceNumber", json!(""), "2065"),
        ("payerReference", serde_json::Value::Null, "2065"),
    ];
    for (field, value, code) in cases {
        let mut body = create_body(INVOICE, "100.00");
        body[field] = value;
        let (status, answer) = send(&app, call("/create", &token, &body).to_request()).await;
        assert_eq!((status, &answer["statusCode"]), (200, &json!(code)), "{field}");
    }
    assert!(sim.lock().payments.is_empty());
    assert_eq!(sim.stats().common.calls.create, 8);
}

#[actix_web::test]
async fn only_execute_moves_money_and_only_once() {
    let sim = sim();
    let app = app!(sim);
    let token = token!(app);
    let id = create!(app, token, INVOICE, "250.50");
    let status_body = json!({ "paymentID": id });
    let status = |answer: &serde_json::Value| {
        (
            answer["transactionStatus"].as_str().unwrap().to_owned(),
            answer["userVerificationStatus"].as_str().unwrap().to_owned(),
        )
    };
    let (_, before) = execute!(app, token, id);
    assert_eq!(before["statusCode"], "2060", "not approved yet");
    page!(app, id, "authorise");
    let (_, approved) = send(&app, call("/payment/status", &token, &status_body).to_request()).await;
    assert_eq!(status(&approved), ("Initiated".into(), "Complete".into()));
    assert_eq!(approved["trxID"], serde_json::Value::Null, "no money yet");

    let (_, executed) = execute!(app, token, id);
    assert_eq!(
        (&executed["statusCode"], &executed["transactionStatus"]),
        (&json!("0000"), &json!("Completed"))
    );
    let trx = executed["trxID"].as_str().unwrap().to_owned();
    let (_, again) = execute!(app, token, id);
    assert_eq!(again["statusCode"], "2117");
    let (_, done) = send(&app, call("/payment/status", &token, &status_body).to_request()).await;
    assert_eq!(status(&done), ("Completed".into(), "Complete".into()));
    assert_eq!(done["trxID"], trx.as_str());
    assert_eq!(done["amount"], "250.50");

    let (_, found) = send(&app, call("/general/searchTransaction", &token, &json!({"trxID": trx})).to_request()).await;
    assert_eq!(
        (&found["transactionStatus"], &found["amount"]),
        (&json!("Completed"), &json!("250.50"))
    );
    let (_, missing) = send(&app, call("/general/searchTransaction", &token, &json!({"trxID": "NOPE"})).to_request()).await;
    assert_eq!(missing["statusCode"], "2033");
    let stats = sim.stats();
    assert_eq!((stats.executes, stats.executed), (3, 1));
    let counted = serde_json::to_value(&stats).unwrap();
    assert_eq!(counted["by_reference"][INVOICE], json!({"create": 1, "query": 3}));
}

#[actix_web::test]
async fn failed_or_refused_payments_cannot_be_executed() {
    let sim = sim();
    let app = app!(sim);
    let token = token!(app);
    let id = create!(app, token, INVOICE, "10.00");
    page!(app, id, "fail");
    assert_eq!(execute!(app, token, id).1["statusCode"], "2056");
    let (_, unknown) = execute!(app, token, "TR0011UNKNOWN");
    assert_eq!(unknown["statusCode"], "2002");

    let refusing = json!({
        "app_key": "k2", "app_secret": "s2", "username": "u2", "password": "p2",
        "execute_refusal": "2023", "already_executed": "2062",
    });
    let add = actix_web::test::TestRequest::post()
        .uri("/bkash/_sim/accounts")
        .set_json(&refusing);
    assert_eq!(send(&app, add.to_request()).await.0, 200);
    let grant = json_post("/token/grant", &json!({"app_key": "k2", "app_secret": "s2"}))
        .insert_header(("username", "u2"))
        .insert_header(("password", "p2"));
    let (_, granted) = send(&app, grant.to_request()).await;
    let other = granted["id_token"].as_str().unwrap().to_owned();
    let body = create_body(INVOICE, "10.00");
    let (_, created) = send(
        &app,
        call("/create", &other, &body)
            .insert_header(("X-APP-Key", "k2"))
            .to_request(),
    )
    .await;
    let id = created["paymentID"].as_str().unwrap();
    page!(app, id, "authorise");
    let exec = call("/execute", &other, &json!({ "paymentID": id })).insert_header(("X-APP-Key", "k2"));
    assert_eq!(send(&app, exec.to_request()).await.1["statusCode"], "2023");
    assert_eq!(sim.lock().payments[id].state, super::super::state::PayState::Failed);
    // Another account's payment is unknown to this one.
    assert_eq!(execute!(app, token, id).1["statusCode"], "2002");
}

#[actix_web::test]
async fn faults_hit_payment_calls_not_token_calls() {
    let sim = sim();
    let app = app!(sim);
    let arm = actix_web::test::TestRequest::post()
        .uri("/bkash/_sim/faults")
        .set_json(json!({"mode": "http_500", "count": 1}));
    assert_eq!(send(&app, arm.to_request()).await.0, 200);
    let token = token!(app);
    let body = create_body(INVOICE, "10.00");
    let (status, answer) = send(&app, call("/create", &token, &body).to_request()).await;
    assert_eq!((status, answer), (500, json!({"message": "Internal server error"})));
    let id = create!(app, token, INVOICE, "10.00");
    assert_eq!(sim.lock().payments.len(), 1, "{id}: the faulted create made nothing");
    let reset = actix_web::test::TestRequest::post().uri("/bkash/_sim/reset");
    assert_eq!(send(&app, reset.to_request()).await.0, 200);
    assert!(sim.lock().payments.is_empty());
    assert_eq!(sim.stats().grants, 0);
}
