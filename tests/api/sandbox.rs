//! Zero-configuration start: the embedded store, generated keys, the in-process sandbox and its
//! demo merchant, kept across restarts; and none of it in production mode.

use crate::helpers::{fresh_dir, sign, Merchant};
use payrail::config::Settings;
use payrail::startup::Application;
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;

/// Only what a newcomer would have: no configuration at all, in an empty directory.
fn zero_config(dir: &std::path::Path) -> Settings {
    let mut s = Settings::defaults();
    s.server.listen = "127.0.0.1:0".into();
    s.server.workers = Some(2);
    s.data.dir = dir.display().to_string();
    s
}

fn read_env(path: &std::path::Path) -> std::collections::HashMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect()
}

#[tokio::test]
async fn a_bare_start_gives_a_working_sandbox_that_survives_a_restart() {
    let dir = fresh_dir();
    let app = Application::build(zero_config(&dir)).await.unwrap();
    let banner = app.banner().expect("sandbox mode prints a banner");
    let base = format!("http://127.0.0.1:{}", app.port());

    // Keys were generated and kept where only the owner can read them.
    let secrets = dir.join("payrail-secrets.toml");
    assert_eq!(
        std::fs::metadata(&secrets).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(dir.join("payrail.db").exists());
    let env = read_env(&dir.join("payrail-sandbox.env"));
    let m = Merchant {
        id: env["PAYRAIL_MERCHANT_ID"].clone(),
        secret: env["PAYRAIL_MERCHANT_SECRET"].clone(),
    };
    assert_eq!(env["PAYRAIL_URL"], base);
    for shown in [&m.id, &m.secret, &env["PAYRAIL_ADMIN_TOKEN"], &base] {
        assert!(banner.contains(shown.as_str()), "banner shows {shown}");
    }

    // Create, pay at the in-process sandbox, verify: the README's example.
    let client = crate::helpers::loopback_client();
    let body = json!({ "amount": "25.00", "currency": "USD", "order_id": "Q-1", "provider": "paystablecoin" }).to_string();
    let ts = crate::helpers::now_ts();
    let res = client
        .post(format!("{base}/v1/payments/"))
        .header("X-Merchant-Id", &m.id)
        .header("X-Timestamp", &ts)
        .header("X-HMAC-Signature", sign(&m.secret, &ts, body.as_bytes()))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let payment: Value = res.json().await.unwrap();
    let checkout = payment["checkout_url"].as_str().unwrap();
    assert!(
        checkout.starts_with(&format!("{base}/sandbox/paystablecoin/checkout/")),
        "{checkout}"
    );
    let page = client.get(checkout).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("25.00"));
    assert_eq!(
        client
            .post(format!("{checkout}/pay"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    let verify = |base: String, m: &Merchant, id: String| {
        let client = client.clone();
        let (id_, secret) = (m.id.clone(), m.secret.clone());
        async move {
            let path = format!("/v1/payments/{id}/verify/");
            let ts = crate::helpers::now_ts();
            let res = client
                .get(format!("{base}{path}"))
                .header("X-Merchant-Id", id_)
                .header("X-Timestamp", &ts)
                .header("X-HMAC-Signature", sign(&secret, &ts, path.as_bytes()))
                .send()
                .await
                .unwrap();
            res.json::<Value>().await.unwrap()
        }
    };
    let id = payment["id"].as_str().unwrap().to_owned();
    assert_eq!(
        verify(base.clone(), &m, id.clone()).await["status"],
        "completed"
    );

    // A restart on the same directory keeps the merchant, its secret, the keys and the data.
    let again = Application::build(zero_config(&dir)).await.unwrap();
    let base2 = format!("http://127.0.0.1:{}", again.port());
    assert!(again.banner().unwrap().contains(&m.id));
    let env2 = read_env(&dir.join("payrail-sandbox.env"));
    assert_eq!(
        (
            &env2["PAYRAIL_MERCHANT_ID"],
            &env2["PAYRAIL_MERCHANT_SECRET"]
        ),
        (&m.id, &m.secret)
    );
    assert_eq!(env2["PAYRAIL_ADMIN_TOKEN"], env["PAYRAIL_ADMIN_TOKEN"]);
    assert_eq!(verify(base2, &m, id).await["status"], "completed");
}

#[tokio::test]
async fn production_mode_mounts_no_sandbox_and_generates_nothing() {
    let dir = fresh_dir();
    let mut settings = zero_config(&dir);
    settings.sandbox.enabled = Some(false);
    settings.security.master_key = Some(payrail::crypto::SecretBox::generate_key().into());
    settings.admin.token = Some("configured-token".to_owned().into());
    let app = Application::build(settings).await.unwrap();
    assert!(app.banner().is_none());
    let base = format!("http://127.0.0.1:{}", app.port());
    let res = reqwest::get(format!("{base}/sandbox/paystablecoin/_sim/stats"))
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(!dir.join("payrail-secrets.toml").exists());
    assert!(!dir.join("payrail-sandbox.env").exists());
}

#[tokio::test]
async fn postgres_without_a_master_key_refuses_to_start() {
    let mut settings = zero_config(&fresh_dir());
    settings.database.url = Some("postgres://nobody@127.0.0.1:1/none".to_owned().into());
    let err = Application::build(settings)
        .await
        .err()
        .expect("no start without keys");
    assert!(format!("{err:#}").contains("no master key"), "{err:#}");
}
