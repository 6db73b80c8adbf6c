//! `GET /v1/payments/{id}/verify` and nothing else: check the merchant's HMAC over timestamp ‖
//! request target (the secret comes from the environment, so there is no secret lookup), select
//! the payment's status by primary key, answer a small JSON body. No request id, metrics, access
//! log, error envelope or timestamp window: the floor Payrail's own `verify` is compared with.
//!
//! Environment: DATABASE_URL, LISTEN (host:port), BENCH_MERCHANT, BENCH_SECRET.
//!
//! With `BARE_NO_DATABASE=1` it skips the select and answers every signed request as a pending
//! payment: the machine's ceiling for any signed request through actix and this load generator,
//! with no database hop at all (`http_ceiling` in bench/run's report).

use actix_web::{get, web, App, HttpRequest, HttpResponse, HttpServer};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

struct State {
    /// `None` with `BARE_NO_DATABASE=1`.
    pool: Option<sqlx::PgPool>,
    merchant: String,
    secret: Vec<u8>,
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> &'a str {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[get("/v1/payments/{id}/verify")]
async fn verify(state: web::Data<State>, req: HttpRequest, id: web::Path<String>) -> HttpResponse {
    let mut mac = Hmac::<Sha256>::new_from_slice(&state.secret).expect("any key length");
    mac.update(header(&req, "x-timestamp").as_bytes());
    mac.update(
        req.uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .as_bytes(),
    );
    let given = hex::decode(header(&req, "x-hmac-signature")).unwrap_or_default();
    let signed = bool::from(mac.finalize().into_bytes().as_slice().ct_eq(&given));
    if !signed || header(&req, "x-merchant-id") != state.merchant {
        return HttpResponse::Unauthorized().finish();
    }
    let Some(pool) = &state.pool else {
        return pending(&id);
    };
    let row: Option<(String,)> =
        match sqlx::query_as("SELECT status FROM payments WHERE id = $1 AND merchant_id = $2")
            .bind(id.as_str())
            .bind(&state.merchant)
            .fetch_optional(pool)
            .await
        {
            Ok(row) => row,
            Err(_) => return HttpResponse::ServiceUnavailable().finish(),
        };
    match row {
        Some((status,)) => HttpResponse::Ok()
            .content_type("application/json")
            .body(format!(r#"{{"id":"{id}","status":"{status}"}}"#)),
        None => HttpResponse::NotFound().finish(),
    }
}

fn pending(id: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(format!(r#"{{"id":"{id}","status":"pending"}}"#))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let env = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set"));
    // No ping before each query (sqlx's default): one round trip per request, as Payrail makes.
    let pool = if std::env::var("BARE_NO_DATABASE").is_ok_and(|v| v == "1") {
        None
    } else {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(16)
            .test_before_acquire(false)
            .connect(&env("DATABASE_URL"))
            .await
            .expect("connecting to Postgres");
        Some(pool)
    };
    let state = web::Data::new(State {
        pool,
        merchant: env("BENCH_MERCHANT"),
        secret: env("BENCH_SECRET").into_bytes(),
    });
    let mut server = HttpServer::new(move || App::new().app_data(state.clone()).service(verify));
    // `bench/run --bare-workers N` sets WORKERS; otherwise actix's default, one per core.
    if let Ok(n) = std::env::var("WORKERS") {
        server = server.workers(n.parse().expect("WORKERS is a number"));
    }
    server.bind(env("LISTEN"))?.run().await
}
