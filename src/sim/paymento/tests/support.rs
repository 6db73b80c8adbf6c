//! Shared helpers of the simulator's tests: requests with `Api-Key`, and the IPN receiver of every
//! simulator's tests (`sim::common::test_receiver`), which records what the simulator sends and
//! answers from a script.

use actix_web::test::TestRequest;

use super::super::state::{DEFAULT_API_KEY, DEFAULT_SECRET_KEY};
pub use crate::sim::common::test_receiver::{Received, Receiver};

pub const KEY: &str = DEFAULT_API_KEY;
pub const SECRET: &str = DEFAULT_SECRET_KEY;

/// `POST /paymento{path}` with the default `Api-Key` and a JSON body.
pub fn post(path: &str, body: &str) -> TestRequest {
    TestRequest::post()
        .uri(&format!("/paymento{path}"))
        .insert_header(("Api-Key", KEY))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_owned())
}

/// A create body for 25.00 USD returning to `return_url`.
pub fn create_body(order_id: &str, risk_speed: u8, return_url: &str) -> String {
    serde_json::json!({
        "fiatAmount": "25.00", "fiatCurrency": "USD", "returnUrl": return_url,
        "orderId": order_id, "riskSpeed": risk_speed,
    })
    .to_string()
}

/// Sends a request to an `init_service` app; returns the HTTP status and the raw body.
pub async fn send<S, R, B, E>(app: &S, req: R) -> (u16, String)
where
    S: actix_web::dev::Service<R, Response = actix_web::dev::ServiceResponse<B>, Error = E>,
    B: actix_web::body::MessageBody,
    E: std::fmt::Debug,
{
    let resp = actix_web::test::call_service(app, req).await;
    let status = resp.status().as_u16();
    let body = actix_web::test::read_body(resp).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Like `send`, parsing the body as JSON.
pub async fn send_json<S, R, B, E>(app: &S, req: R) -> (u16, serde_json::Value)
where
    S: actix_web::dev::Service<R, Response = actix_web::dev::ServiceResponse<B>, Error = E>,
    B: actix_web::body::MessageBody,
    E: std::fmt::Debug,
{
    let (status, body) = send(app, req).await;
    let v = serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    (status, v)
}
