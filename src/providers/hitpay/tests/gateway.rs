//! A scripted stand-in gateway: actix-web on 127.0.0.1:0 that records every request and answers
//! from a queue (HTTP 500 once the queue is empty).

use actix_web::{dev::ServerHandle, http::StatusCode, web, App, HttpRequest, HttpResponse};
use std::collections::VecDeque;
use std::sync::Mutex;

#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
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
        headers: req
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
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
    pub base: String,
    script: web::Data<Script>,
    handle: ServerHandle,
}

impl Gateway {
    pub async fn start(answers: &[(u16, &str)]) -> Self {
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
            base: format!("http://{addr}/hitpay"),
            script,
            handle,
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.script.seen.lock().unwrap().clone()
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}
