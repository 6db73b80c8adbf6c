//! Operations endpoints, request ids, metrics, and the OpenAPI file matching the routes.

use crate::helpers::spawn_app;
use std::collections::BTreeSet;

/// (method, path) pairs under `paths:` in openapi.yaml, read by indentation.
fn spec_routes() -> BTreeSet<(String, String)> {
    let spec =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap();
    let mut in_paths = false;
    let mut current = None;
    let mut routes = BTreeSet::new();
    for line in spec.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            in_paths = line.trim_end() == "paths:";
            continue;
        }
        if !in_paths {
            continue;
        }
        if let Some(path) = line.strip_prefix("  /").and_then(|l| l.strip_suffix(':')) {
            current = Some(format!("/{path}"));
        } else if let Some(method) = line.strip_prefix("    ").and_then(|l| l.strip_suffix(':')) {
            if ["get", "post", "put", "delete", "patch"].contains(&method) {
                routes.insert((
                    method.to_uppercase(),
                    current.clone().expect("method under a path"),
                ));
            }
        }
    }
    routes
}

#[test]
fn openapi_lists_exactly_the_routes_the_server_has() {
    let served: BTreeSet<(String, String)> = payrail::http::routes().into_iter().collect();
    let spec = spec_routes();
    let missing: Vec<_> = served.difference(&spec).collect();
    let extra: Vec<_> = spec.difference(&served).collect();
    assert!(
        missing.is_empty(),
        "routes missing from openapi.yaml: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "openapi.yaml documents routes that do not exist: {extra:?}"
    );
}

#[tokio::test]
async fn health_readiness_metrics_spec_and_request_ids() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz/", "/openapi.yaml"] {
        let res = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
    }
    let spec = app.text_of("/openapi.yaml").await;
    assert_eq!(
        spec,
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap()
    );

    let echoed = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("X-Request-Id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "abc-123");
    let fresh = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("X-Request-Id", "bad id\twith tab")
        .send()
        .await
        .unwrap();
    assert!(fresh.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .starts_with("req_"));
    assert!(fresh.headers()["server-timing"]
        .to_str()
        .unwrap()
        .contains("gateway;dur="));

    let m = app.merchant_with_psc().await;
    app.create_payment(&m, serde_json::json!({})).await;
    let metrics = app.text_of("/metrics").await;
    assert!(
        metrics.contains(
            r#"payrail_http_requests_total{method="POST",route="/v1/payments",status="201"} 1"#
        ),
        "{metrics}"
    );
    assert!(metrics.contains(r#"payrail_gateway_calls_total{operation="create",outcome="pending",provider="paystablecoin"} 1"#), "{metrics}");
}
