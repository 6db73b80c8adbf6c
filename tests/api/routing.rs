//! Routing across gateways (docs/checkout.md, "Routing"): a gateway that cannot be reached falls
//! through to the next account by priority, and its circuit opens; an unknown outcome never falls
//! through.

use crate::helpers::{spawn_app, Merchant, TestApp, PSC_API_KEY, PSC_MERCHANT, PSC_SECRET};
use serde_json::{json, Value};

/// PayStableCoin first (priority 10) at `psc_base`, Paymento second (priority 20); both crypto.
pub async fn two_crypto_gateways(app: &TestApp, psc_base: String) -> Merchant {
    let m = app.create_merchant().await;
    let psc =
        json!({ "merchant_id": PSC_MERCHANT, "api_key": PSC_API_KEY, "api_secret": PSC_SECRET });
    app.connect(
        &m,
        "paystablecoin",
        json!({ "credentials": psc, "base_url": psc_base, "priority": 10 }),
    )
    .await;
    let paymento =
        json!({ "api_key": "pmt_sim_api_key_0001", "secret_key": "paymento_test_secret" });
    app.connect(&m, "paymento", json!({ "credentials": paymento, "base_url": format!("{}/paymento", app.sim_address), "priority": 20 })).await;
    m
}

pub async fn create_crypto(app: &TestApp, m: &Merchant, order: &str) -> (u16, Value) {
    let body =
        json!({ "amount": "12.00", "currency": "USD", "order_id": order, "method": "crypto" })
            .to_string();
    app.post("/v1/payments", &body, m).await
}

pub async fn timeline_kinds(app: &TestApp, m: &Merchant, id: &str) -> Vec<String> {
    let (_, events) = app.get(&format!("/v1/payments/{id}/events"), m).await;
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_unreachable_first_gateway_falls_through_and_its_circuit_opens() {
    let app = spawn_app().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let m = two_crypto_gateways(&app, format!("http://{closed}/paystablecoin")).await;
    for i in 0..3 {
        let (status, p) = create_crypto(&app, &m, &format!("F-{i}")).await;
        assert_eq!(status, 201, "{p}");
        assert_eq!(p["provider"], "paymento");
        let kinds = timeline_kinds(&app, &m, p["id"].as_str().unwrap()).await;
        assert_eq!(
            kinds,
            ["payment.created", "attempt.not_sent", "attempt.created"]
        );
    }
    // Three refusals in a row: the circuit is open and routing skips PayStableCoin.
    let (status, p) = create_crypto(&app, &m, "F-3").await;
    assert_eq!(status, 201);
    assert_eq!(
        timeline_kinds(&app, &m, p["id"].as_str().unwrap()).await,
        ["payment.created", "attempt.created"]
    );
    assert_eq!(app.count("attempts").await, 7);

    let ready: Value = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ready["open_circuits"][0]["provider"], "paystablecoin",
        "{ready}"
    );
    let metrics = app.text_of("/metrics").await;
    assert!(
        metrics.contains("payrail_gateway_circuit_open{account_id=")
            && metrics.contains(r#"provider="paystablecoin"} 1"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_unknown_outcome_never_falls_through() {
    let app = spawn_app().await;
    let m = two_crypto_gateways(&app, format!("{}/paystablecoin", app.sim_address)).await;
    app.sim_fault(json!({ "mode": "http_500", "count": 1 }))
        .await;
    let (status, err) = create_crypto(&app, &m, "U-1").await;
    assert_eq!(
        (status, err["error"].as_str()),
        (502, Some("provider_unavailable"))
    );
    assert_eq!(
        app.count("attempts").await,
        1,
        "no second gateway was asked"
    );
    assert_eq!(app.sim_stats_of("paymento").await["calls"]["create"], 0);
    // With PayStableCoin healthy again, the next payment goes to it (priority 10).
    let (status, p) = create_crypto(&app, &m, "U-2").await;
    assert_eq!(
        (status, p["provider"].as_str()),
        (201, Some("paystablecoin"))
    );
}
