//! The simulator's tests, one file per part: tokens, the payment calls, the page, refunds.
//! Helpers here send requests as a bKash client does (the version segment in the path, the bare
//! `id_token` as `Authorization`, `X-APP-Key`).

mod api;
mod checkout;
mod refunds;
mod tokens;

use std::sync::Arc;

use actix_web::test::{call_service, read_body, TestRequest};
use serde_json::{json, Value};

use super::state::{DEFAULT_APP_KEY, DEFAULT_APP_SECRET, DEFAULT_PASSWORD, DEFAULT_USERNAME};
use super::BkashSim;

pub const BASE: &str = "/bkash/v1.2.0-beta/tokenized/checkout";
pub const INVOICE: &str = "att_01JD3ZK2Q4X8V9N6B5M7C1T0RA";

pub fn sim() -> Arc<BkashSim> {
    Arc::new(BkashSim::new(reqwest::Client::new()))
}

/// An app with `$sim` mounted at `/bkash`.
macro_rules! app {
    ($sim:expr) => {
        actix_web::test::init_service(
            actix_web::App::new().configure(|c| super::super::configure(c, &$sim, "")),
        )
        .await
    };
}
pub(crate) use app;

/// Sends a request (`TestRequest::to_request`); answers the status and the body as JSON
/// (`Null` when it is not JSON).
pub async fn send<S, R, B, E>(app: &S, req: R) -> (u16, Value)
where
    S: actix_web::dev::Service<R, Response = actix_web::dev::ServiceResponse<B>, Error = E>,
    B: actix_web::body::MessageBody,
    E: std::fmt::Debug,
{
    let resp = call_service(app, req).await;
    let status = resp.status().as_u16();
    let body = read_body(resp).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

pub fn json_post(path: &str, body: &Value) -> TestRequest {
    TestRequest::post()
        .uri(&format!("{BASE}{path}"))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_string())
}

/// The grant of the built-in account.
pub fn grant_request() -> TestRequest {
    json_post(
        "/token/grant",
        &json!({ "app_key": DEFAULT_APP_KEY, "app_secret": DEFAULT_APP_SECRET }),
    )
    .insert_header(("username", DEFAULT_USERNAME))
    .insert_header(("password", DEFAULT_PASSWORD))
}

/// A payment call with `token`.
pub fn call(path: &str, token: &str, body: &Value) -> TestRequest {
    json_post(path, body)
        .insert_header(("Authorization", token))
        .insert_header(("X-APP-Key", DEFAULT_APP_KEY))
}

pub fn create_body(invoice: &str, amount: &str) -> Value {
    json!({
        "mode": "0011", "payerReference": "01770618575",
        "callbackURL": "https://payrail.example/checkout/return/bkash/acc_1",
        "amount": amount, "currency": "BDT", "intent": "sale",
        "merchantInvoiceNumber": invoice,
    })
}

/// A granted token of the built-in account.
macro_rules! token {
    ($app:expr) => {{
        let (_, granted) = send(&$app, grant_request().to_request()).await;
        granted["id_token"].as_str().unwrap().to_owned()
    }};
}
pub(crate) use token;

/// Creates a payment of `$amount` under `$invoice`; answers its `paymentID`.
macro_rules! create {
    ($app:expr, $token:expr, $invoice:expr, $amount:expr) => {{
        let body = create_body($invoice, $amount);
        let (status, created) = send(&$app, call("/create", &$token, &body).to_request()).await;
        assert_eq!((status, &created["statusCode"]), (200, &serde_json::json!("0000")));
        created["paymentID"].as_str().unwrap().to_owned()
    }};
}
pub(crate) use create;

/// The customer's `$outcome` on the page; answers the status and where the browser goes.
macro_rules! page {
    ($app:expr, $payment_id:expr, $outcome:expr) => {{
        let uri = format!("/bkash/checkout/{}/{}", $payment_id, $outcome);
        let req = actix_web::test::TestRequest::post().uri(&uri).to_request();
        let resp = actix_web::test::call_service(&$app, req).await;
        let location = resp
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        (resp.status().as_u16(), location)
    }};
}
pub(crate) use page;

/// Executes `$payment_id`; answers the status code and the answer.
macro_rules! execute {
    ($app:expr, $token:expr, $payment_id:expr) => {{
        let body = serde_json::json!({ "paymentID": $payment_id });
        send(&$app, call("/execute", &$token, &body).to_request()).await
    }};
}
pub(crate) use execute;
