//! Operations endpoints: liveness, readiness, metrics, the OpenAPI document.

use super::AppState;
use crate::orchestration::housekeeping::SchemaState;
use actix_web::{web, HttpResponse};
use serde_json::json;

/// The spec served at `/openapi.yaml` is the file in the repository, compiled in.
pub const OPENAPI: &str = include_str!("../../openapi.yaml");

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready when the database answers and every embedded migration is applied.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.orch.schema_state().await {
        Ok(SchemaState {
            engine,
            expected,
            applied: Some(applied),
        }) if applied >= expected => HttpResponse::Ok().json(json!({
            "status": "ready", "database": engine, "schema_version": applied,
            // Gateways are not a readiness condition, but ops see which accounts routing skips.
            "open_circuits": open_circuits(&state).await,
        })),
        Ok(SchemaState {
            engine,
            expected,
            applied,
        }) => HttpResponse::ServiceUnavailable().json(json!({
            "status": "not_ready", "database": engine, "schema_version": applied,
            "expected_schema_version": expected,
        })),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check: database unreachable");
            HttpResponse::ServiceUnavailable()
                .json(json!({ "status": "not_ready", "database": "unreachable" }))
        }
    }
}

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    // The outbox backlog is read when scraped, so it is never stale.
    if let Ok((undelivered, oldest)) = state.orch.outbox_backlog().await {
        let age = oldest
            .map(|t| (state.orch.now() - t).num_seconds().max(0))
            .unwrap_or(0);
        state.orch.metrics.set_outbox_backlog(undelivered, age);
    }
    let open = open_circuits(&state).await;
    state.orch.metrics.set_open_circuits(&open);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.orch.metrics.render())
}

/// The open circuits (shared on Postgres); none listed when they cannot be read.
async fn open_circuits(state: &AppState) -> Vec<crate::orchestration::breaker::OpenCircuit> {
    state.orch.open_circuits().await.unwrap_or_else(|err| {
        tracing::warn!(error = %err, "open circuits unreadable");
        Vec::new()
    })
}

pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/yaml")
        .body(OPENAPI)
}
