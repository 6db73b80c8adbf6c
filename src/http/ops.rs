//! Operations endpoints: liveness, readiness, metrics, the OpenAPI document.

use super::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;

/// The spec served at `/openapi.yaml` is the file in the repository, compiled in.
pub const OPENAPI: &str = include_str!("../../openapi.yaml");

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready when the database answers and every embedded migration is applied.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let expected = crate::store::MIGRATOR
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    let applied: Result<Option<i64>, _> =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&state.orch.pool)
            .await;
    match applied {
        Ok(Some(v)) if v >= expected => HttpResponse::Ok().json(json!({ "status": "ready", "database": "ok", "schema_version": v })),
        Ok(v) => HttpResponse::ServiceUnavailable().json(json!({ "status": "not_ready", "database": "ok", "schema_version": v, "expected_schema_version": expected })),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check: database unreachable");
            HttpResponse::ServiceUnavailable().json(json!({ "status": "not_ready", "database": "unreachable" }))
        }
    }
}

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.orch.metrics.render())
}

pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/yaml")
        .body(OPENAPI)
}
