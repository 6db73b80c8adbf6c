//! Shared helpers of the simulator's tests: requests with the `api-key` header, an app with the
//! simulator mounted, and a local webhook receiver that records what the simulator sends.

use std::sync::{Arc, Mutex};

use actix_web::dev::ServerHandle;
use actix_web::test::TestRequest;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

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

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Received {
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
}

pub type Inbox = Arc<Mutex<Vec<Received>>>;

struct Receiver {
    inbox: Inbox,
    status: u16,
}

async fn record(req: HttpRequest, body: web::Bytes, rx: web::Data<Receiver>) -> HttpResponse {
    let content_type = req
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    rx.inbox.lock().unwrap().push(Received {
        path: req.path().to_owned(),
        content_type,
        body: body.to_vec(),
    });
    HttpResponse::build(actix_web::http::StatusCode::from_u16(rx.status).unwrap()).body("OK")
}

/// Starts a receiver answering `status` on 127.0.0.1:0; returns its base URL, inbox and handle.
pub fn receiver(status: u16) -> (String, Inbox, ServerHandle) {
    let inbox: Inbox = Arc::default();
    let data = web::Data::new(Receiver {
        inbox: inbox.clone(),
        status,
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
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

pub fn inbox(i: &Inbox) -> Vec<Received> {
    i.lock().unwrap().clone()
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
