//! `GET /v1/admin/stats` against payments made through the simulators: counts, paid counts,
//! success rates and per-currency sums for each grouping, hosted conversion, refunds, and the
//! parameters it refuses.

use crate::helpers::{spawn_app, Merchant, TestApp};
use serde_json::{json, Value};

/// Two merchants' payments: `a` has two paid USD 25.00, one failed and one open; `b` one paid
/// USD 10.50, a refunded one, and one hosted BDT 1500.00 nobody paid.
pub async fn seed(app: &TestApp) -> (Merchant, Merchant) {
    let a = app.merchant_with_psc().await;
    let b = app.create_merchant().await;
    crate::checkout::connect_gateways(app, &b).await;
    app.paid_payment(&a, "A-1").await;
    app.paid_payment(&a, "A-2").await;
    let failed = app.create_payment(&a, json!({ "order_id": "A-3" })).await;
    app.sim_checkout(&failed, "fail").await;
    let path = format!("/v1/payments/{}/recheck", failed["id"].as_str().unwrap());
    assert_eq!(app.post(&path, "", &a).await.0, 200);
    assert_eq!(
        app.status_of(failed["id"].as_str().unwrap(), &a).await,
        "failed"
    );
    app.create_payment(&a, json!({ "order_id": "A-4" })).await;
    let small = app
        .create_payment(&b, json!({ "order_id": "B-1", "amount": "10.50" }))
        .await;
    app.sim_checkout(&small, "pay").await;
    let refunded = app.paid_payment(&b, "B-2").await;
    let (status, refund) = app
        .post(
            &format!("/v1/payments/{refunded}/refunds"),
            r#"{"reason":"test"}"#,
            &b,
        )
        .await;
    assert_eq!(status, 201, "{refund}");
    let (status, _) = app
        .post(&format!("/v1/payments/{refunded}/recheck"), "", &b)
        .await;
    assert_eq!(status, 200);
    crate::checkout::create_hosted(app, &b, "B-3").await;
    (a, b)
}

pub async fn stats(app: &TestApp, query: &str) -> (u16, Value) {
    app.admin(
        reqwest::Method::GET,
        &format!("/v1/admin/stats?{query}"),
        "",
    )
    .await
}

fn group(body: &Value, key: Value) -> &Value {
    body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == key)
        .unwrap_or_else(|| panic!("no group {key} in {body}"))
}

#[tokio::test]
async fn stats_count_and_sum_what_was_paid_per_group_and_currency() {
    let app = spawn_app().await;
    let (a, b) = seed(&app).await;
    let (status, body) = stats(&app, "group_by=merchant").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["group_by"], "merchant");
    let ga = group(&body, json!(a.id));
    assert_eq!(
        (ga["count"].as_i64(), ga["completed"].as_i64()),
        (Some(4), Some(2))
    );
    assert_eq!(ga["success_rate"], json!(0.5));
    assert_eq!(
        ga["amounts"],
        json!([{ "currency": "USD", "amount": "100.00", "completed_amount": "50.00" }])
    );
    let gb = group(&body, json!(b.id));
    assert_eq!(
        (gb["count"].as_i64(), gb["completed"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(
        gb["amounts"],
        json!([
            { "currency": "BDT", "amount": "1500.00", "completed_amount": "0.00" },
            { "currency": "USD", "amount": "35.50", "completed_amount": "35.50" },
        ])
    );
    assert_eq!(
        body["hosted_checkout"],
        json!({ "created": 1, "completed": 0, "conversion_rate": 0.0 })
    );
    assert_eq!(
        body["refunds"],
        json!([{ "currency": "USD", "count": 1, "amount": "25.00" }])
    );

    let (_, by_provider) = stats(&app, "").await;
    assert_eq!(by_provider["group_by"], "provider");
    let psc = group(&by_provider, json!("paystablecoin"));
    assert_eq!(
        (psc["count"].as_i64(), psc["completed"].as_i64()),
        (Some(6), Some(4))
    );
    assert_eq!(
        group(&by_provider, Value::Null)["count"],
        1,
        "the hosted one, not picked"
    );
    let (_, by_currency) = stats(&app, "group_by=currency").await;
    assert_eq!(group(&by_currency, json!("USD"))["count"], 6);
    assert_eq!(group(&by_currency, json!("BDT"))["completed"], 0);
    let (_, by_method) = stats(&app, "group_by=method").await;
    let total: i64 = by_method["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["count"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 7);

    let (_, old) = stats(&app, "from=2020-01-01T00:00:00Z&to=2020-12-31T00:00:00Z").await;
    assert_eq!(old["groups"], json!([]));
    assert_eq!(old["hosted_checkout"]["conversion_rate"], Value::Null);
}

/// `from`/`to` query parameters for a window around `[start, now]`.
fn window(from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>) -> String {
    let f = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    format!("from={}&to={}&group_by=merchant", f(from), f(to))
}

/// The rollup answers whole hours, the rows the partial ones at a window's ends: a window of
/// whole hours only, one cut mid-hour at both ends, and the default (the seed in its last,
/// partial hour) read the same numbers, with the deltas pending and once folded.
#[tokio::test]
async fn stats_read_the_same_from_the_rollup_as_from_the_rows() {
    use chrono::{Duration, DurationRound, Utc};
    let app = spawn_app().await;
    let start = Utc::now().duration_trunc(Duration::hours(1)).unwrap();
    seed(&app).await;
    let end = Utc::now().duration_trunc(Duration::hours(1)).unwrap() + Duration::hours(1);
    let windows = [
        "group_by=merchant".to_owned(),
        window(start - Duration::hours(2), end + Duration::hours(1)),
        window(
            start - Duration::minutes(90),
            end + Duration::minutes(30) + Duration::seconds(7),
        ),
    ];
    let numbers = |body: &Value| json!([body["groups"], body["hosted_checkout"], body["refunds"]]);
    let (_, expected) = stats(&app, &windows[0]).await;
    assert_eq!(
        expected["groups"].as_array().unwrap().len(),
        2,
        "{expected}"
    );
    for folded in [false, true] {
        if folded {
            let orch = crate::delivery::worker(&app).await;
            assert!(orch.fold_stat_deltas().await.unwrap() >= 7);
            assert_eq!(orch.fold_stat_deltas().await.unwrap(), 0);
        }
        for query in &windows {
            let (status, body) = stats(&app, query).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(
                numbers(&body),
                numbers(&expected),
                "{query}, folded: {folded}"
            );
        }
    }
    let (_, before) = stats(&app, &window(start - Duration::hours(3), start)).await;
    assert_eq!(before["groups"], json!([]), "nothing before the seed");
}

#[tokio::test]
async fn stats_refuse_bad_parameters_naming_them_and_need_the_admin_token() {
    let app = spawn_app().await;
    for (query, field) in [
        ("from=yesterday", "from"),
        ("to=2026-02-30T00:00:00Z", "to"),
        ("group_by=status", "group_by"),
        ("limit=5", "limit"),
        ("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
        ("from=2024-01-01T00:00:00Z&to=2025-06-01T00:00:00Z", "from"),
    ] {
        let (status, body) = stats(&app, query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"], "invalid_request", "{query}");
        assert!(
            body["details"]["fields"][field].is_string(),
            "{query}: {body}"
        );
    }
    let res = app
        .client
        .get(format!("{}/v1/admin/stats", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = app
        .client
        .get(format!("{}/v1/admin/stats", app.address))
        .bearer_auth("not-the-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

/// The embedded store always generates an admin token, so this runs on Postgres only.
#[tokio::test]
async fn postgres_only_without_an_admin_token_there_are_no_stats() {
    if !crate::helpers::on_postgres() {
        return;
    }
    let app = crate::helpers::spawn_app_with(|s| s.admin.token = None).await;
    let res = app
        .client
        .get(format!("{}/v1/admin/stats", app.address))
        .bearer_auth("anything")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}
