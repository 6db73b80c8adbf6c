//! Shared helpers of the simulator's tests: requests signed with the vector-checked functions,
//! and a local callback receiver that records what the simulator sends.

use std::sync::{Arc, Mutex};

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

use super::super::signing;
use super::super::state::{DEFAULT_API_KEY, DEFAULT_SECRET};

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

#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub content_type: String,
    pub timestamp: String,
    pub signature: String,
    pub body: Vec<u8>,
}

pub type Inbox = Arc<Mutex<Vec<Received>>>;

async fn record(
    req: HttpRequest,
    body: web::Bytes,
    inbox: web::Data<Inbox>,
    status: web::Data<u16>,
) -> HttpResponse {
    let h = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    inbox.lock().unwrap().push(Received {
        path: req.path().to_owned(),
        content_type: h("Content-Type"),
        timestamp: h("X-Timestamp"),
        signature: h("X-HMAC-Signature"),
        body: body.to_vec(),
    });
    HttpResponse::build(StatusCode::from_u16(**status).unwrap()).finish()
}

/// A receiver on 127.0.0.1:0 answering `status` to everything: base URL, inbox, handle.
pub fn receiver(status: u16) -> (String, Inbox, ServerHandle) {
    let inbox: Inbox = Arc::default();
    let data = web::Data::new(inbox.clone());
    let status = web::Data::new(status);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(status.clone())
            .default_service(web::to(record))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (base, inbox, handle)
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
