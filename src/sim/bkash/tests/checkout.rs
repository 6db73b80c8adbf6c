//! The payment page: its outcomes, the redirect to the callback URL, and the oracle.

use serde_json::json;

use super::*;

#[actix_web::test]
async fn each_outcome_redirects_to_the_callback_with_the_payment_and_its_status() {
    let sim = sim();
    let app = app!(sim);
    let token = token!(app);
    let back = "https://payrail.example/checkout/return/bkash/acc_1";
    for (outcome, status) in [
        ("authorise", "success"),
        ("pay", "success"),
        ("fail", "failure"),
        ("cancel", "cancel"),
        ("expire", "failure"),
    ] {
        let id = create!(app, token, INVOICE, "10.00");
        let page = actix_web::test::TestRequest::get().uri(&format!("/bkash/checkout/{id}"));
        let resp = actix_web::test::call_service(&app, page.to_request()).await;
        let html = String::from_utf8(actix_web::test::read_body(resp).await.to_vec()).unwrap();
        assert!(html.contains("action=\"") && html.contains("/authorise\""), "{html}");
        let (code, location) = page!(app, id, outcome);
        assert_eq!(code, 303);
        let want = format!("{back}?paymentID={id}&status={status}");
        assert_eq!(location.as_deref(), Some(want.as_str()), "{outcome}");
        let (code, _) = page!(app, id, "authorise");
        assert_eq!(code, 409, "a finished payment takes no second outcome");
    }
    let id = create!(app, token, INVOICE, "10.00");
    assert_eq!(page!(app, id, "steal").0, 400);
    assert_eq!(page!(app, "TR0011NONE", "authorise").0, 404);
}

#[test]
fn the_parameters_join_an_existing_query_with_an_ampersand() {
    let joined = super::super::checkout::callback("https://shop.example/back?x=1", "TR1", "cancel");
    assert_eq!(joined, "https://shop.example/back?x=1&paymentID=TR1&status=cancel");
}

#[actix_web::test]
async fn the_oracle_counts_money_only_once_executed() {
    let sim = sim();
    let app = app!(sim);
    let token = token!(app);
    let id = create!(app, token, INVOICE, "40.00");
    page!(app, id, "authorise");
    let orders = |app| async move {
        let req = actix_web::test::TestRequest::get().uri(&format!("/bkash/_sim/orders?reference={INVOICE}"));
        send(app, req.to_request()).await.1["orders"][0].clone()
    };
    let approved = orders(&app).await;
    assert_eq!((&approved["status"], &approved["paid"]), (&json!("Initiated"), &json!("0.00")));
    execute!(app, token, id);
    let paid = orders(&app).await;
    assert_eq!(
        (&paid["status"], &paid["paid"], &paid["paid_charges"]),
        (&json!("Completed"), &json!("40.00"), &json!(1))
    );
    assert_eq!(paid["external_id"], id.as_str());
}
