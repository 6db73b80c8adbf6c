//! Shared helpers of the simulator's tests: requests with the `api-key` header, an app with the
//! simulator mounted, and the webhook receiver of every simulator's tests
//! (`sim::common::test_receiver`), which records what the simulator sends.

use actix_web::test::TestRequest;

pub use crate::sim::common::test_receiver::{got as inbox, receiver, Received};

pub const KEY: &str = "pk_test_api_key_123";
pub const CREATE: &str = "/pakhipay/api/request/payment/create/";
pub const VERIFY: &str = "/pakhipay/api/request/payment/verify/";

/// A JSON POST with `api-key: key` (none when `key` is empty).
pub fn post(uri: &str, key: &str, body: &str) -> TestRequest {
    let mut req = TestRequest::post()
        .uri(uri)
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_owned());
    if !key.is_empty() {
        req = req.insert_header(("api-key", key));
    }
    req
}

/// The documented create body with our order id, the amount token and a callback.
pub fn create_body(order_id: &str, amount: &str, callback: Option<&str>) -> String {
    let callback = callback.map_or(String::new(), |c| format!(r#","callback_url":"{c}""#));
    format!(
        r#"{{"cus_name":"John Doe","cus_email":"john@example.com","amount":{amount},"success_url":"https://shop.example/success?ref=1","cancel_url":"https://shop.example/cancel","order_id":"{order_id}"{callback}}}"#
    )
}

/// Sends a request to an `init_service` app; returns the status, the headers and the raw body.
pub async fn send<S, R, B, E>(app: &S, req: R) -> (u16, actix_web::http::header::HeaderMap, Vec<u8>)
where
    S: actix_web::dev::Service<R, Response = actix_web::dev::ServiceResponse<B>, Error = E>,
    B: actix_web::body::MessageBody,
    E: std::fmt::Debug,
{
    let resp = actix_web::test::call_service(app, req).await;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = actix_web::test::read_body(resp).await;
    (status, headers, body.to_vec())
}

/// Like `send`, returning the status and the body as text.
pub async fn send_text<S, R, B, E>(app: &S, req: R) -> (u16, String)
where
    S: actix_web::dev::Service<R, Response = actix_web::dev::ServiceResponse<B>, Error = E>,
    B: actix_web::body::MessageBody,
    E: std::fmt::Debug,
{
    let (status, _, body) = send(app, req).await;
    (status, String::from_utf8(body).unwrap())
}
