//! Shared helpers of the simulator's tests: requests with `Api-Key`, and a local IPN receiver
//! that records what the simulator sends and answers from a script.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use actix_web::dev::ServerHandle;
use actix_web::test::TestRequest;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use tokio::sync::watch;

use super::super::state::{DEFAULT_API_KEY, DEFAULT_SECRET_KEY};

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

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub content_type: String,
    pub signature: String,
    pub body: Vec<u8>,
}

pub struct Receiver {
    pub base: String,
    pub inbox: Arc<Mutex<Vec<Received>>>,
    /// Number of requests received so far.
    pub count: watch::Receiver<usize>,
    handle: ServerHandle,
}

struct Shared {
    inbox: Arc<Mutex<Vec<Received>>>,
    answers: Mutex<VecDeque<u16>>,
    count: watch::Sender<usize>,
}

async fn record(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let h = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let n = {
        let mut inbox = shared.inbox.lock().unwrap();
        inbox.push(Received {
            method: req.method().to_string(),
            path: req.path().to_owned(),
            content_type: h("Content-Type"),
            signature: h("X-HMAC-SHA256-Signature"),
            body: body.to_vec(),
        });
        inbox.len()
    };
    shared.count.send_replace(n);
    let status = shared.answers.lock().unwrap().pop_front().unwrap_or(200);
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}

impl Receiver {
    /// Starts on 127.0.0.1:0; answers `answers` in turn, then 200.
    pub fn start(answers: &[u16]) -> Self {
        let inbox: Arc<Mutex<Vec<Received>>> = Arc::default();
        let (tx, rx) = watch::channel(0);
        let shared = web::Data::new(Shared {
            inbox: inbox.clone(),
            answers: Mutex::new(answers.iter().copied().collect()),
            count: tx,
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .default_service(web::to(record))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Receiver {
            base,
            inbox,
            count: rx,
            handle,
        }
    }

    pub fn got(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }

    /// Waits (bounded, 5 s) for the `n`th request: an event, not a sleep.
    pub async fn until(&mut self, n: usize) -> Vec<Received> {
        let wait = self.count.wait_for(|c| *c >= n);
        tokio::time::timeout(std::time::Duration::from_secs(5), wait)
            .await
            .expect("the IPN arrived")
            .unwrap();
        self.got()
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
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
