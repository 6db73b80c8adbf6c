//! A real merchant webhook receiver for tests: records every request, answers 500 to the first
//! `fail_first` calls, and checks both signatures with code written here from the recipes
//! (the seed's HMAC; Standard Webhooks from its spec), not Payrail's.

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub answered: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// Both signatures hold for `secret`.
    pub fn verify(&self, secret: &str) -> bool {
        let ts = self.header("x-timestamp").unwrap_or_default();
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(ts.as_bytes());
        mac.update(&self.body);
        let hex_ok = self.header("x-hmac-signature")
            == Some(hex::encode(mac.finalize().into_bytes()).as_str());
        // Standard Webhooks: v1,base64(HMAC(key, "{id}.{timestamp}.{body}")), any listed entry.
        let id = self.header("webhook-id").unwrap_or_default();
        let wts = self.header("webhook-timestamp").unwrap_or_default();
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{id}.{wts}.").as_bytes());
        mac.update(&self.body);
        let expected = format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        );
        let std_ok = self
            .header("webhook-signature")
            .is_some_and(|s| s.split(' ').any(|e| e == expected));
        hex_ok && std_ok
    }
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    seen: Arc<Mutex<Vec<Received>>>,
}

struct Shared {
    seen: Arc<Mutex<Vec<Received>>>,
    fail_first: usize,
}

async fn record(shared: web::Data<Shared>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let mut seen = shared.seen.lock().unwrap();
    let status = if seen.len() < shared.fail_first {
        500
    } else {
        200
    };
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    seen.push(Received {
        headers,
        body: body.to_vec(),
        answered: status,
    });
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
        .body(if status == 200 { "ok" } else { "down" })
}

impl Receiver {
    /// Starts on 127.0.0.1; `host` is how its URL names it (`127.0.0.1` or `localhost`).
    pub fn start(fail_first: usize, host: &str) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let shared = web::Data::new(Shared {
            seen: seen.clone(),
            fail_first,
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .default_service(web::to(record))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self {
            url: format!("http://{host}:{port}/hook"),
            seen,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }
}
