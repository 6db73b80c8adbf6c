//! The payment list is written by hand (`orchestration::list_json`, issue 20), the retrieve
//! answer through serde (`views::payment_full`): a page must be, byte for byte, the retrieve
//! answers of its payments inside `{"data":[…],"has_more":…,"next_cursor":…}`.

use crate::helpers::{on_postgres, spawn_app, Merchant, TestApp};
use base64::Engine;
use serde_json::{json, Value};

async fn raw_get(app: &TestApp, path: &str, m: &Merchant) -> String {
    let res = app
        .signed(reqwest::Method::GET, path, "", m)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "{path}");
    res.text().await.unwrap()
}

/// Payments with every kind of field the view renders: set, absent, escaped, non-ASCII, stored
/// JSON that parses and that does not, each status's actions.
async fn varied_payments(app: &TestApp, m: &Merchant) -> Vec<String> {
    let mut ids = vec![app.paid_payment(m, "paid-1").await];
    let full = app
        .create_payment(
            m,
            json!({
                "order_id": "O-\"quoted\"-ü",
                "callback_url": "https://shop.example/hook?a=1&b=2",
                "cancel_url": "https://shop.example/cancel",
                "customer": { "name": "Zoë \"Z\" Ng", "email": "z@example.com" },
                "description": "two \"quoted\" words, a back\\slash and ✓",
                "metadata": { "cart": [1, 2.50, null], "note": "é\u{2028}" },
            }),
        )
        .await;
    ids.push(full["id"].as_str().unwrap().to_owned());
    let cancelled = app
        .create_payment(m, json!({ "order_id": "cancelled-1" }))
        .await;
    app.sim_checkout(&cancelled, "cancel").await;
    ids.push(cancelled["id"].as_str().unwrap().to_owned());
    let odd = app.create_payment(m, json!({ "order_id": "odd-1" })).await;
    let odd_id = odd["id"].as_str().unwrap().to_owned();
    // What only a direct write could store: text that is not JSON, control characters; a
    // currency without minor units; times in the first and the last four-digit years (the list
    // writes Postgres's times itself, `list_json::write_time`).
    // Bound as text: Postgres casts it, SQLite stores times as this RFC 3339 text.
    let cast = if on_postgres() { "::timestamptz" } else { "" };
    sqlx::query(&format!(
        "UPDATE payments SET metadata = $1, customer = $2, description = $3, status_detail = $4, \
         currency = 'JPY', completed_at = $5{cast}, expires_at = $6{cast} WHERE id = $7",
    ))
    .bind("{not json")
    .bind(" { \"name\" : \"spaced\" } ")
    .bind("line\nbreak\ttab\u{1}end")
    .bind("said \\no\\")
    .bind("0044-03-15T12:34:56.5+00:00")
    .bind("9999-12-31T23:59:59.999999+00:00")
    .bind(&odd_id)
    .execute(&app.pool)
    .await
    .unwrap();
    ids.push(odd_id);
    ids.push(
        app.create_payment(m, json!({ "order_id": "plain-1" }))
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    ids.reverse(); // newest first, as the list orders them
    ids
}

#[tokio::test]
async fn every_list_page_is_the_retrieve_answers_of_its_payments_byte_for_byte() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let ids = varied_payments(&app, &m).await;
    let mut retrieved = Vec::new();
    for id in &ids {
        retrieved.push(raw_get(&app, &format!("/v1/payments/{id}"), &m).await);
    }

    // One page of everything, then pages of two through the cursors.
    let whole = raw_get(&app, "/v1/payments?limit=20", &m).await;
    assert_eq!(
        whole,
        format!(
            r#"{{"data":[{}],"has_more":false,"next_cursor":null}}"#,
            retrieved.join(",")
        )
    );
    let mut path = "/v1/payments?limit=2".to_owned();
    let mut seen = 0;
    loop {
        let page = raw_get(&app, &path, &m).await;
        let parsed: Value = serde_json::from_str(&page).unwrap();
        let n = parsed["data"].as_array().unwrap().len();
        let items = retrieved[seen..seen + n].join(",");
        seen += n;
        let has_more = seen < ids.len();
        let cursor = parsed["next_cursor"].as_str().map(str::to_owned);
        let cursor_json = cursor
            .as_ref()
            .map_or("null".to_owned(), |c| format!("\"{c}\""));
        assert_eq!(
            page,
            format!(r#"{{"data":[{items}],"has_more":{has_more},"next_cursor":{cursor_json}}}"#)
        );
        let Some(cursor) = cursor else { break };
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&cursor)
            .unwrap();
        let decoded = String::from_utf8(decoded).unwrap();
        assert!(
            decoded.ends_with(&format!("|{}", ids[seen - 1])),
            "{decoded}"
        );
        path = format!("/v1/payments?limit=2&starting_after={cursor}");
    }
    assert_eq!(seen, ids.len());

    // The admin list renders the same items.
    let (status, admin) = app
        .admin(
            reqwest::Method::GET,
            &format!("/v1/admin/payments?merchant_id={}&limit=20", m.id),
            "",
        )
        .await;
    assert_eq!(status, 200, "{admin}");
    assert_eq!(admin, serde_json::from_str::<Value>(&whole).unwrap());
}
