//! The network between the gateways and Payrail, under the simulation's control.
//!
//! Payrail's public URL points here, so every gateway webhook, customer return and hosted page
//! passes through. Webhooks (`/v1/webhooks/…`) are answered 200 at once (so the simulators never
//! retry on their own clock) and kept; the simulation then delivers each one when and as often as
//! its seed says, garbled or not at all. Everything else is passed to Payrail unchanged.

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use std::sync::{Arc, Mutex};

/// A gateway webhook as it left the gateway.
#[derive(Clone, Debug)]
pub struct Captured {
    /// `/v1/webhooks/{provider}/{account}/` with any query.
    pub target: String,
    pub provider: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Default)]
struct Shared {
    /// Where Payrail listens (set once it is built).
    payrail: Mutex<String>,
    captured: Mutex<Vec<Captured>>,
}

#[derive(Clone)]
pub struct Proxy {
    pub address: String,
    shared: Arc<Shared>,
    client: reqwest::Client,
}

/// Headers a hop sets itself.
fn hop_by_hop(name: &str) -> bool {
    matches!(
        name,
        "host" | "content-length" | "connection" | "transfer-encoding" | "keep-alive"
    )
}

impl Proxy {
    pub fn start(client: reqwest::Client) -> Proxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let proxy = Proxy {
            address,
            shared: Arc::new(Shared::default()),
            client,
        };
        let state = web::Data::new(proxy.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(web::PayloadConfig::new(1 << 20))
                .default_service(web::to(handle))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        proxy
    }

    pub fn set_payrail(&self, address: &str) {
        *self.shared.payrail.lock().unwrap() = address.to_owned();
    }

    fn payrail(&self) -> String {
        self.shared.payrail.lock().unwrap().clone()
    }

    /// The webhooks captured since the last call, in arrival order.
    pub fn take(&self) -> Vec<Captured> {
        std::mem::take(&mut *self.shared.captured.lock().unwrap())
    }

    /// Hands a webhook to Payrail (`body` may differ from the captured one: a garbled copy).
    /// Returns Payrail's status.
    pub async fn deliver(&self, hook: &Captured, body: &[u8]) -> u16 {
        let mut req = self
            .client
            .post(format!("{}{}", self.payrail(), hook.target))
            .body(body.to_vec());
        for (k, v) in &hook.headers {
            req = req.header(k, v);
        }
        req.send().await.unwrap().status().as_u16()
    }
}

async fn handle(req: HttpRequest, body: web::Bytes, proxy: web::Data<Proxy>) -> HttpResponse {
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| req.path().to_owned());
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter(|(k, _)| !hop_by_hop(k.as_str()))
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    if let Some(rest) = req.path().strip_prefix("/v1/webhooks/") {
        let provider = rest.split('/').next().unwrap_or_default().to_owned();
        proxy.shared.captured.lock().unwrap().push(Captured {
            target,
            provider,
            headers,
            body: body.to_vec(),
        });
        return HttpResponse::Ok().body("OK");
    }
    let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes()).unwrap();
    let mut forward = proxy
        .client
        .request(method, format!("{}{}", proxy.payrail(), target))
        .body(body.to_vec());
    for (k, v) in &headers {
        forward = forward.header(k, v);
    }
    let answer = match forward.send().await {
        Ok(a) => a,
        Err(e) => return HttpResponse::BadGateway().body(e.to_string()),
    };
    let mut out = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(answer.status().as_u16()).unwrap(),
    );
    for (k, v) in answer.headers() {
        if !hop_by_hop(k.as_str()) {
            out.insert_header((k.as_str(), v.as_bytes()));
        }
    }
    out.body(answer.bytes().await.unwrap_or_default())
}
