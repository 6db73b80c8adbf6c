//! Refunds: partial and full against the transaction, the refusals, and the status form.

use serde_json::json;

use super::*;

#[actix_web::test]
async fn partial_refunds_until_nothing_is_left() {
    let sim = sim();
    let app = app!(sim);
    let token = token!(app);
    let id = create!(app, token, INVOICE, "100.00");
    page!(app, id, "authorise");
    let trx = execute!(app, token, id).1["trxID"].as_str().unwrap().to_owned();
    let refund = |amount: &str, trx: &str| {
        let body = json!({
            "paymentID": id, "amount": amount, "trxID": trx, "sku": "payrail", "reason": "Customer request",
        });
        call("/payment/refund", &token, &body).to_request()
    };
    let (_, first) = send(&app, refund("40.00", &trx)).await;
    assert_eq!(
        (&first["statusCode"], &first["transactionStatus"], &first["amount"], &first["originalTrxID"]),
        (&json!("0000"), &json!("Completed"), &json!("40.00"), &json!(trx))
    );
    assert_ne!(first["refundTrxID"], first["originalTrxID"]);
    assert_eq!(send(&app, refund("60.01", &trx)).await.1["statusCode"], "2026");
    assert_eq!(send(&app, refund("10.00", "WRONG")).await.1["statusCode"], "2028");
    assert_eq!(send(&app, refund("0", &trx)).await.1["statusCode"], "2006");
    let (_, rest) = send(&app, refund("60.00", &trx)).await;
    assert_eq!(rest["statusCode"], "0000");
    assert_eq!(send(&app, refund("1.00", &trx)).await.1["statusCode"], "2034");

    let ask = json!({ "paymentID": id, "trxID": trx });
    let (_, latest) = send(&app, call("/payment/refund", &token, &ask).to_request()).await;
    assert_eq!((&latest["amount"], &latest["refundTrxID"]), (&json!("60.00"), &rest["refundTrxID"]));
    let calls = serde_json::to_value(sim.stats()).unwrap()["calls"].clone();
    assert_eq!((&calls["refund"], &calls["query"]), (&json!(6), &json!(1)));
}

#[actix_web::test]
async fn an_unexecuted_payment_has_nothing_to_refund() {
    let sim = sim();
    let app = app!(sim);
    let token = token!(app);
    let id = create!(app, token, INVOICE, "100.00");
    page!(app, id, "authorise");
    let body = json!({ "paymentID": id, "amount": "10.00", "trxID": "ANY", "sku": "s", "reason": "r" });
    let (_, answer) = send(&app, call("/payment/refund", &token, &body).to_request()).await;
    assert_eq!(answer["statusCode"], "2028");
}
