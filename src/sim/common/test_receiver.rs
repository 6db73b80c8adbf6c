//! The local webhook receiver of the simulators' unit tests: a tiny HTTP server on 127.0.0.1:0
//! that records every request a simulator sends (its webhooks, callbacks, IPNs) and answers a
//! chosen status.
//!
//! Every simulator's tests need one, and each used to carry its own copy, differing only in which
//! headers it kept and what it answered; kept once, the copies cannot drift apart. It keeps every
//! header (names lower-cased), so a test reads whichever its gateway signs with; what is
//! particular to one gateway (a signature check, a form's fields) stays in that simulator's
//! `tests/support.rs`. The simulators look only at the status a receiver answers, never at its
//! body, so the answer has none.
//!
//! Test-only (`#[cfg(test)]` in the parent module).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use tokio::sync::watch;

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// Every header, its name lower-cased (a value that is not text is kept as "").
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Received {
    /// The header `name` (lower-case), or "" when it was not sent.
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    /// The body as text (it must be UTF-8).
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }

    /// The body parsed as JSON (it must be).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// What a receiver got so far, in order of arrival.
pub type Inbox = Arc<Mutex<Vec<Received>>>;

/// A running receiver: its base URL (`http://127.0.0.1:port`, no trailing slash) and inbox.
pub struct Receiver {
    pub base: String,
    pub inbox: Inbox,
    /// How many requests arrived so far (for waiting on an event rather than sleeping).
    count: watch::Receiver<usize>,
    handle: ServerHandle,
}

struct Shared {
    inbox: Inbox,
    answers: Mutex<VecDeque<u16>>,
    then: u16,
    count: watch::Sender<usize>,
}

async fn record(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let n = {
        let mut inbox = shared.inbox.lock().unwrap();
        inbox.push(Received {
            method: req.method().to_string(),
            path: req.path().to_owned(),
            headers,
            body: body.to_vec(),
        });
        inbox.len()
    };
    shared.count.send_replace(n);
    let status = shared.answers.lock().unwrap().pop_front();
    HttpResponse::build(StatusCode::from_u16(status.unwrap_or(shared.then)).unwrap()).finish()
}

impl Receiver {
    /// Starts on 127.0.0.1:0; answers `answers` in turn, then 200.
    pub fn start(answers: &[u16]) -> Self {
        Self::scripted(answers, 200)
    }

    /// Starts on 127.0.0.1:0; answers `answers` in turn, then `then` to everything.
    pub fn scripted(answers: &[u16], then: u16) -> Self {
        let inbox: Inbox = Arc::default();
        let (tx, rx) = watch::channel(0);
        let shared = web::Data::new(Shared {
            inbox: inbox.clone(),
            answers: Mutex::new(answers.iter().copied().collect()),
            then,
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
        got(&self.inbox)
    }

    /// Waits (bounded, 5 s) for the `n`th request, panicking if it does not come: an event, not
    /// a sleep.
    pub async fn until(&mut self, n: usize) -> Vec<Received> {
        let wait = self.count.wait_for(|c| *c >= n);
        tokio::time::timeout(Duration::from_secs(5), wait)
            .await
            .expect("the request arrived")
            .unwrap();
        self.got()
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

/// A receiver answering `status` to everything: its base URL, inbox and handle.
pub fn receiver(status: u16) -> (String, Inbox, ServerHandle) {
    let r = Receiver::scripted(&[], status);
    (r.base, r.inbox, r.handle)
}

/// A copy of what the inbox holds now.
pub fn got(inbox: &Inbox) -> Vec<Received> {
    inbox.lock().unwrap().clone()
}

/// Waits (bounded, 5 s) until the inbox holds `n` requests, for deliveries that are spawned;
/// returns what it holds then, whether or not `n` arrived.
pub async fn wait_for(inbox: &Inbox, n: usize) -> Vec<Received> {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let got = got(inbox);
        if got.len() >= n || std::time::Instant::now() > deadline {
            return got;
        }
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
}
