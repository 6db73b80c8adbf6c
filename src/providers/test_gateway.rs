//! A scripted stand-in gateway shared by every adapter's HTTP unit tests.
//!
//! Each adapter used to carry its own near-identical copy of this server in
//! `{provider}/tests/gateway.rs`; they differed only in the URL prefix, in whether the body was
//! kept as bytes or text and in small helpers. One copy here keeps the adapters' tests testing the
//! adapters, and a fix to the stand-in reaches all of them at once.
//!
//! [`Gateway::start`] runs actix-web on `127.0.0.1:0` under `/{provider}` (the simulator's layout,
//! so `base` can be an account's `base_url`). It records every request it receives ([`Seen`]:
//! method, path, query string, headers, body) and answers from the scripted queue of
//! `(status, JSON body)`, then with HTTP 500 and an empty body once the queue is empty.
//! Provider-specific checks (signatures, say) stay in the adapter's own tests.

use super::ProviderId;
use actix_web::{dev::ServerHandle, http::StatusCode, web, App, HttpRequest, HttpResponse};
use std::collections::VecDeque;
use std::sync::Mutex;

/// One request as the gateway received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// The full path, `/{provider}` prefix included.
    pub path: String,
    /// The raw query string (empty when there is none).
    pub query: String,
    /// Header names are lowercase.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    /// The first value of header `name` (lowercase), or `""` when it was not sent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The body as UTF-8 text (panics if it is not).
    pub fn body_text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
}

#[derive(Default)]
struct Script {
    answers: Mutex<VecDeque<(u16, String)>>,
    seen: Mutex<Vec<Seen>>,
}

async fn answer(req: HttpRequest, body: web::Bytes, script: web::Data<Script>) -> HttpResponse {
    script.seen.lock().unwrap().push(Seen {
        method: req.method().to_string(),
        path: req.path().to_string(),
        query: req.query_string().to_string(),
        headers: req
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
        body: body.to_vec(),
    });
    let (status, text) = script
        .answers
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or((500, String::new()));
    HttpResponse::build(StatusCode::from_u16(status).unwrap())
        .content_type("application/json")
        .body(text)
}

pub struct Gateway {
    /// `http://127.0.0.1:{port}/{provider}`.
    pub base: String,
    script: web::Data<Script>,
    handle: ServerHandle,
}

impl Gateway {
    /// Starts a gateway for `provider` that answers with `answers` in order (`(status, body)`).
    pub async fn start(provider: ProviderId, answers: &[(u16, &str)]) -> Self {
        let script = web::Data::new(Script {
            answers: Mutex::new(answers.iter().map(|(s, b)| (*s, b.to_string())).collect()),
            seen: Mutex::default(),
        });
        let data = script.clone();
        let server = actix_web::HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(answer))
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .unwrap();
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self {
            base: format!("http://{addr}/{provider}"),
            script,
            handle,
        }
    }

    /// Every request received so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.script.seen.lock().unwrap().clone()
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

/// A base URL for `provider` on which nothing listens (for "could not connect" cases).
pub fn closed_base(provider: ProviderId) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/{provider}")
}
