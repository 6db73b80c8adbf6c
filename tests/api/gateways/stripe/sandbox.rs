//! Stripe in the zero-configuration sandbox: the demo merchant is connected to the Stripe
//! simulator with its webhook endpoint set to Payrail, and Payrail's hosted page offers card in a
//! currency only Stripe takes (JPY), so a customer pays there and the event completes it.

use crate::helpers::{fresh_dir, loopback_client, now_ts, sign, Merchant};
use payrail::config::Settings;
use payrail::startup::Application;
use serde_json::{json, Value};

async fn signed(
    base: &str,
    m: &Merchant,
    method: reqwest::Method,
    path: &str,
    body: &str,
) -> Value {
    let ts = now_ts();
    let message = if body.is_empty() { path } else { body };
    loopback_client()
        .request(method, format!("{base}{path}"))
        .header("X-Merchant-Id", &m.id)
        .header("X-Timestamp", &ts)
        .header("X-HMAC-Signature", sign(&m.secret, &ts, message.as_bytes()))
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_sandbox_demo_merchant_pays_jpy_by_card_at_stripe_from_the_hosted_page() {
    let dir = fresh_dir();
    let mut settings = Settings::defaults();
    settings.server.listen = "127.0.0.1:0".into();
    settings.server.workers = Some(2);
    settings.data.dir = dir.display().to_string();
    let app = Application::build(settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let env = std::fs::read_to_string(dir.join("payrail-sandbox.env")).unwrap();
    let get = |k: &str| {
        env.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap()
            .to_owned()
    };
    let m = Merchant {
        id: get("PAYRAIL_MERCHANT_ID"),
        secret: get("PAYRAIL_MERCHANT_SECRET"),
    };
    let body = json!({ "amount": "1500", "currency": "JPY", "order_id": "JP-1",
                       "return_url": "https://shop.example/thanks" })
    .to_string();
    let p = signed(&base, &m, reqwest::Method::POST, "/v1/payments/", &body).await;
    let id = p["id"].as_str().unwrap();
    let page_url = p["checkout_url"].as_str().unwrap();
    let client = loopback_client();
    let page = client
        .get(page_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("value=\"card\""), "{page}");
    let token = url::Url::parse(page_url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "t")
        .unwrap()
        .1
        .into_owned();
    let res = client
        .post(format!("{base}/checkout/{id}"))
        .form(&[("t", token.as_str()), ("method", "card")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let at_stripe = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        at_stripe.starts_with(&format!("{base}/sandbox/stripe/checkout/cs_")),
        "{at_stripe}"
    );
    let paid = client
        .post(format!("{at_stripe}/pay"))
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 303);
    // Not following the return: the event alone, sent to the endpoint the sandbox set, paid it.
    let now = signed(
        &base,
        &m,
        reqwest::Method::GET,
        &format!("/v1/payments/{id}"),
        "",
    )
    .await;
    assert_eq!(
        (&now["status"], &now["provider"]),
        (&json!("completed"), &json!("stripe")),
        "{now}"
    );
    assert_eq!(now["provider_status"], "checkout.session.completed");
    let _ = std::fs::remove_dir_all(&dir);
}
