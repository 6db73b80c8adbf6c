//! Shared helpers of the simulator's tests: requests signed with the vector-checked functions,
//! and the callback receiver of every simulator's tests (`sim::common::test_receiver`), which
//! records what the simulator sends.

use actix_web::test::TestRequest;

use super::super::signing;
use super::super::state::{DEFAULT_API_KEY, DEFAULT_SECRET};
pub use crate::sim::common::test_receiver::{got, receiver, Received};

pub const PAYMENTS: &str = "/himosoft/v1/payments/";

pub fn now_s() -> String {
    chrono::Utc::now().timestamp().to_string()
}

/// A request signed like a HimoSoft merchant: `X-API-Key`, `X-Timestamp`, `X-HMAC-Signature`.
pub fn signed(method: &str, uri: &str, body: &str) -> TestRequest {
    let ts = now_s();
    let req = match method {
        "POST" => TestRequest::post(),
        _ => TestRequest::get(),
    };
    let req = req
        .uri(uri)
        .insert_header(("X-API-Key", DEFAULT_API_KEY))
        .insert_header(("X-Timestamp", ts.as_str()))
        .insert_header((
            "X-HMAC-Signature",
            signing::sign(DEFAULT_SECRET, &ts, body.as_bytes()),
        ));
    if body.is_empty() {
        req
    } else {
        req.insert_header(("Content-Type", "application/json"))
            .set_payload(body.to_owned())
    }
}

pub fn create_body(
    amount: &str,
    order_id: &str,
    callback: Option<&str>,
    key: Option<&str>,
) -> String {
    let mut v = serde_json::json!({ "amount": amount, "currency": "BDT", "order_id": order_id });
    if let Some(cb) = callback {
        v["callback_url"] = cb.into();
    }
    if let Some(k) = key {
        v["idempotency_key"] = k.into();
    }
    v.to_string()
}

/// Sends a request to an `init_service` app; returns the HTTP status and the raw body.
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
