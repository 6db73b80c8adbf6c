//! Shared helpers of the simulator's tests: request signing with the vector-checked functions,
//! and the webhook receiver of every simulator's tests (`sim::common::test_receiver`), answering
//! 200.

use actix_web::dev::ServerHandle;
use actix_web::test::TestRequest;

use super::super::signing;
use crate::sim::common::test_receiver;
pub use crate::sim::common::test_receiver::{got, wait_for, Inbox, Received};

pub const KEY: &str = "PSTG6ELOB2YXKO4ZHRQ6NKTSBY";
pub const SECRET: &str = "MpkvVlXvYTZVPPJ0LReNA-g_yC7V7foe4UAj7tgWJSM";
pub const ORDERS: &str = "/api/v1/merchants/1000/orders";
pub const REFUNDS: &str = "/api/v1/merchants/1000/refunds";

pub fn now_ms() -> String {
    chrono::Utc::now().timestamp_millis().to_string()
}

/// A signed request: `real_path` is what gets signed, `mount` is prepended to the URI.
pub fn signed(
    method: &str,
    mount: &str,
    real_path: &str,
    query: &str,
    body: &str,
    ts: &str,
) -> TestRequest {
    let to_sign = signing::request_string_to_sign(ts, method, real_path, query, body.as_bytes());
    let uri = if query.is_empty() {
        format!("{mount}{real_path}")
    } else {
        format!("{mount}{real_path}?{query}")
    };
    let req = match method {
        "POST" => TestRequest::post(),
        _ => TestRequest::get(),
    };
    req.uri(&uri)
        .insert_header(("X-Api-Key", KEY))
        .insert_header(("X-Timestamp", ts))
        .insert_header(("X-Signature", signing::sign(SECRET, to_sign.as_bytes())))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_owned())
}

/// A create-order body with a valid expiry, and the given id and callback.
pub fn create_body(merchant_order_id: &str, value: &str, callback: Option<&str>) -> String {
    let expires = (chrono::Utc::now() + chrono::Duration::minutes(30))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let mut v = serde_json::json!({
        "merchantOrderId": merchant_order_id,
        "orderAmount": {"value": value, "currency": "USD"},
        "expiresAt": expires,
        "returnUrl": "https://shop.example/return",
    });
    if let Some(cb) = callback {
        v["callbackUrl"] = cb.into();
    }
    v.to_string()
}

/// A receiver on 127.0.0.1:0 answering 200: its base URL, inbox and handle.
pub fn receiver() -> (String, Inbox, ServerHandle) {
    test_receiver::receiver(200)
}

/// Sends a request (`TestRequest::to_request()`) to an `init_service` app; returns the HTTP
/// status and the raw body.
pub async fn send<S, R, B, E>(app: &S, req: R) -> (u16, Vec<u8>)
where
    S: actix_web::dev::Service<R, Response = actix_web::dev::ServiceResponse<B>, Error = E>,
    B: actix_web::body::MessageBody,
    E: std::fmt::Debug,
{
    let resp = actix_web::test::call_service(app, req).await;
    let status = resp.status().as_u16();
    let body = actix_web::test::read_body(resp).await;
    (status, body.to_vec())
}

/// Like `send`, parsing the body as JSON.
pub async fn send_json<S, R, B, E>(app: &S, req: R) -> (u16, serde_json::Value)
where
    S: actix_web::dev::Service<R, Response = actix_web::dev::ServiceResponse<B>, Error = E>,
    B: actix_web::body::MessageBody,
    E: std::fmt::Debug,
{
    let (status, body) = send(app, req).await;
    let v = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    (status, v)
}
