//! A panic in a handler answers 500 `internal_error` in the envelope, never a dropped connection.
//!
//! Without this, a panic unwinds out of the connection's task: the client sees the connection
//! close with no answer and the log has only the panic hook's line (issue 15: an overflowing
//! `older_than_secs` did exactly that). actix-web has no built-in guard, so this middleware polls
//! the rest of the chain under `catch_unwind` and logs the panic's message under the request id.
//!
//! It answers through actix's error path ([`Panicked`], which renders the envelope): a
//! `ServiceResponse` needs the `HttpRequest`, and a clone of it may not be held while the router
//! still has to write the path's parameters into it. It sits inside
//! [`super::middleware::observe`], which gives the request id and still writes the access-log
//! line and metrics for it.
//!
//! Unwinding past a handler is sound here: the handler's state is dropped with its future, and
//! what survives (the app state) is immutable or behind locks that recover from poisoning.

use crate::error::AppError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, ResponseError};
use futures_util::FutureExt;
use std::any::Any;
use std::panic::AssertUnwindSafe;

/// The panic's message, when it is the usual `&str` or `String`.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "(not a string)"
    }
}

/// A request whose handler panicked; renders the `internal_error` envelope.
#[derive(Debug)]
pub struct Panicked {
    request_id: Option<String>,
    /// The route table's pattern, for the access log and metrics.
    pub route: Option<&'static str>,
}

impl std::fmt::Display for Panicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a handler panicked")
    }
}

impl ResponseError for Panicked {
    fn status_code(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn error_response(&self) -> HttpResponse {
        // Built here, not by `AppError`'s renderer: this may run outside the request's scope
        // (the request id is carried instead) and the cause is logged already.
        let envelope =
            AppError::Internal(anyhow::anyhow!("panic")).envelope(self.request_id.as_deref());
        let mut response = HttpResponse::InternalServerError();
        response.insert_header((CONTENT_TYPE, HeaderValue::from_static("application/json")));
        if let Some(id) = self
            .request_id
            .as_deref()
            .and_then(|id| HeaderValue::from_str(id).ok())
        {
            response.insert_header(("x-request-id", id));
        }
        response.body(envelope.to_string())
    }
}

pub async fn catch_panics(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    // Cheap to keep: a standard method is a tag and the URI shares the request's buffer.
    let method = req.method().clone();
    let uri = req.uri().clone();
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(result) => result,
        Err(payload) => {
            let request_id = crate::telemetry::current_request_id();
            tracing::error!(
                request_id = request_id.as_deref().unwrap_or("-"),
                method = method.as_str(),
                path = uri.path(),
                panic = panic_message(payload.as_ref()),
                "a handler panicked"
            );
            Err(Panicked {
                request_id,
                route: super::route_table::pattern_of(uri.path()),
            }
            .into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::middleware::from_fn;
    use actix_web::{web, App, HttpServer};

    async fn panics() -> HttpResponse {
        panic!("the handler broke in process {}", std::process::id());
    }

    async fn answers() -> HttpResponse {
        HttpResponse::Ok().body("fine")
    }

    /// A real server (the h1 dispatcher turns the guard's error into the answer) with the same
    /// middleware order as Payrail's.
    fn serve() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let server = HttpServer::new(|| {
            App::new()
                .wrap(from_fn(catch_panics))
                .wrap(from_fn(super::super::middleware::observe))
                .route("/v1/payments/{id}", web::get().to(panics))
                .route("/fine", web::get().to(answers))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);
        address
    }

    #[actix_web::test]
    async fn a_panicking_handler_answers_the_internal_error_envelope_with_a_request_id() {
        let address = serve();
        let client = reqwest::Client::new();
        let res = client
            .get(format!("{address}/v1/payments/pay_x"))
            .header("x-request-id", "req-panic-1")
            .send()
            .await
            .expect("an answer, not a dropped connection");
        assert_eq!(res.status(), 500);
        assert_eq!(res.headers()["x-request-id"], "req-panic-1");
        assert_eq!(res.headers()["content-type"], "application/json");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], "internal_error", "{body}");
        assert_eq!(
            body["message"], "internal error",
            "the panic's text is not shown"
        );
        assert_eq!(body["request_id"], "req-panic-1");

        // The worker goes on serving, on a new connection as on the same one.
        for _ in 0..2 {
            let res = client.get(format!("{address}/fine")).send().await.unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(res.text().await.unwrap(), "fine");
        }
    }

    #[test]
    fn the_panic_message_is_read_from_both_payload_kinds() {
        assert_eq!(panic_message(&"static text"), "static text");
        assert_eq!(panic_message(&String::from("formatted")), "formatted");
        assert_eq!(panic_message(&42_u8), "(not a string)");
    }

    #[test]
    fn the_route_label_of_a_panic_is_the_table_pattern() {
        let p = Panicked {
            request_id: None,
            route: super::super::route_table::pattern_of("/v1/payments/pay_x"),
        };
        assert_eq!(p.route, Some("/v1/payments/{id}"));
        assert_eq!(p.error_response().status(), 500);
    }
}
