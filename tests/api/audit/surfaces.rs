//! The ways into the audit besides the library: the `payrail audit` binary and the admin API.

use super::exec;
use crate::helpers::{on_postgres, spawn_app, spawn_app_with, TestApp};
use serde_json::{json, Value};

/// `payrail audit` against the test's database: (exit code, stdout, stderr).
pub(super) async fn cli(app: &TestApp) -> (i32, String, String) {
    let (url, dir) = (app.db_url.clone(), app.dir.clone());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_payrail"))
            .arg("audit")
            .current_dir(dir)
            .env("PAYRAIL__DATABASE__URL", url)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

#[tokio::test]
async fn the_cli_exits_0_when_clean_and_1_with_each_finding_on_its_line() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let id = app.paid_payment(&m, "ORDER-1").await;
    let (code, stdout, stderr) = cli(&app).await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        ["audit: clean (payments 1, refunds 0, events 1, attempts 1, idempotency keys 0)"]
    );
    assert!(
        !stderr.contains("audited"),
        "no progress on a pipe: {stderr}"
    );

    exec(
        &app,
        &format!("UPDATE payments SET status = 'refunded' WHERE id = '{id}'"),
    )
    .await;
    let (code, stdout, _) = cli(&app).await;
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines.contains(
            &format!(
                "status_money {id}: status refunded with refunded_minor 0 of 2500 the gateway took"
            )
            .as_str()
        ),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("status_chain {id}: "))),
        "{stdout}"
    );
    assert!(
        lines[2].starts_with("audit: 2 violations (payments 1,"),
        "{stdout}"
    );
    exec(
        &app,
        &format!("UPDATE payments SET status = 'completed' WHERE id = '{id}'"),
    )
    .await;

    // A store that is not there is an error (2), not a clean audit, and is not created.
    let missing = app.dir.join("missing.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_payrail"))
        .arg("audit")
        .env(
            "PAYRAIL__DATABASE__URL",
            format!("sqlite://{}", missing.display()),
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!missing.exists());
}

pub(super) async fn admin_audit_as(
    app: &TestApp,
    query: &str,
    token: Option<&str>,
) -> (u16, Value) {
    let mut req = app
        .client
        .get(format!("{}/v1/admin/audit{query}", app.address));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

pub(super) async fn admin_audit(app: &TestApp, query: &str) -> Value {
    let (status, body) = admin_audit_as(app, query, Some(&app.admin_token)).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn the_admin_audit_needs_the_token_checks_its_limit_and_truncates() {
    let app = spawn_app().await;
    assert_eq!(admin_audit_as(&app, "", None).await.0, 401);
    assert_eq!(admin_audit_as(&app, "", Some("wrong")).await.0, 401);
    for bad in [
        "?limit=0",
        "?limit=1001",
        "?limit=ten",
        "?limit=-1",
        "?limit=",
        "?lmit=5",
    ] {
        let (status, body) = admin_audit_as(&app, bad, Some(&app.admin_token)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{bad}: {body}"
        );
    }
    let (_, body) = admin_audit_as(&app, "?limit=0", Some(&app.admin_token)).await;
    assert!(body["details"]["fields"]["limit"].is_string(), "{body}");

    let m = app.merchant_with_psc().await;
    let id = app.paid_payment(&m, "ORDER-1").await;
    exec(
        &app,
        &format!("UPDATE payments SET status = 'refunded' WHERE id = '{id}'"),
    )
    .await;
    let body = admin_audit(&app, "?limit=1").await;
    assert_eq!(body["clean"], false);
    assert_eq!(body["violations"], 2);
    assert_eq!(body["truncated"], true);
    let findings = body["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{body}");
    assert_eq!(findings[0]["id"], id.as_str());
    assert_eq!(findings[0]["payment_id"], id.as_str());
    assert!(["status_money", "status_chain"].contains(&findings[0]["check"].as_str().unwrap()));
    let body = admin_audit(&app, "?limit=2").await;
    assert_eq!(
        (
            body["findings"].as_array().unwrap().len(),
            &body["truncated"]
        ),
        (2, &json!(false))
    );
    exec(
        &app,
        &format!("UPDATE payments SET status = 'completed' WHERE id = '{id}'"),
    )
    .await;
}

/// Without an admin token the admin API does not exist (404). The embedded store generates a
/// token when none is configured, so this holds on Postgres only.
#[tokio::test]
async fn postgres_only_the_admin_audit_is_absent_without_an_admin_token() {
    if !on_postgres() {
        return;
    }
    let app = spawn_app_with(|s| s.admin.token = None).await;
    assert_eq!(admin_audit_as(&app, "", Some("anything")).await.0, 404);
}
