//! The payment search, its pagination and its CSV export.

use super::Console;
use crate::helpers::spawn_app;
use serde_json::json;

#[tokio::test]
async fn search_filters_by_every_field_and_escapes_what_it_shows() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let other = app.merchant_with_psc().await;
    let paid = app.paid_payment(&m, "ORD-PAID").await;
    let open = app
        .create_payment(&m, json!({ "order_id": "<b>ORD-OPEN</b>" }))
        .await;
    let theirs = app
        .create_payment(&other, json!({ "order_id": "ORD-THEIRS" }))
        .await;
    let console = Console::sign_in(&app).await;
    let (open_id, theirs_id) = (open["id"].as_str().unwrap(), theirs["id"].as_str().unwrap());
    let open_external = open["external_id"].as_str().expect("the gateway's id");
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let cases: Vec<(String, Vec<&str>)> = vec![
        (String::new(), vec![&paid, open_id, theirs_id]),
        (format!("id={paid}"), vec![&paid]),
        ("order_id=ORD-PAID".into(), vec![&paid]),
        (format!("external_id={open_external}"), vec![open_id]),
        ("external_id=no-such-order".into(), vec![]),
        (format!("merchant={}", other.id), vec![theirs_id]),
        ("status=completed".into(), vec![&paid]),
        (
            "status=pending&gateway=paystablecoin".into(),
            vec![open_id, theirs_id],
        ),
        ("gateway=hitpay".into(), vec![]),
        ("method=card".into(), vec![]),
        (
            format!("from={today}&to={today}"),
            vec![&paid, open_id, theirs_id],
        ),
        ("to=2020-01-01".into(), vec![]),
    ];
    for (query, want) in &cases {
        let (status, page) = console.get(&format!("/console/payments?{query}")).await;
        assert_eq!(status, 200, "{query}: {page}");
        for id in [paid.as_str(), open_id, theirs_id] {
            let link = format!("href=\"/console/payments/{id}\"");
            assert_eq!(page.contains(&link), want.contains(&id), "{query}: {id}");
        }
    }
    let (_, page) = console.get("/console/payments").await;
    assert!(page.contains("ORD-OPEN"));
    assert!(!page.contains("<b>ORD-OPEN"), "escaped");
    let (status, page) = console.get("/console/payments?status=bogus").await;
    assert_eq!(status, 400);
    assert!(page.contains("status is not valid"), "{page}");
}

#[tokio::test]
async fn pages_follow_the_keyset_cursor() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    for i in 0..(payrail::http::console::payments::PAGE_SIZE + 3) {
        app.create_payment(&m, json!({ "order_id": format!("P-{i}") }))
            .await;
    }
    let console = Console::sign_in(&app).await;
    let (_, first) = console.get("/console/payments?gateway=paystablecoin").await;
    let count = |page: &str| page.matches("href=\"/console/payments/pay_").count();
    assert_eq!(
        count(&first) as i64,
        payrail::http::console::payments::PAGE_SIZE
    );
    let at = first.find("rel=\"next\"").expect("a next page");
    let href = first[..at]
        .rsplit("href=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let href = html_escape::decode_html_entities(href).into_owned();
    assert!(href.contains("gateway=paystablecoin"), "{href}");
    let (status, second) = console.get(&href).await;
    assert_eq!(status, 200);
    assert_eq!(count(&second), 3);
    assert!(!second.contains("rel=\"next\""));
}

#[tokio::test]
async fn csv_export_holds_the_search_with_formulas_defused() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app
        .create_payment(&m, json!({ "order_id": "=HYPERLINK(\"x\")" }))
        .await;
    app.create_payment(&m, json!({ "order_id": "@SUM" })).await;
    app.paid_payment(&m, "PLAIN").await;
    let console = Console::sign_in(&app).await;
    let res = app
        .client
        .get(format!(
            "{}/console/payments.csv?status=pending",
            app.address
        ))
        .header("Cookie", &console.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("\"id\",\"merchant_id\",\"order_id\""));
    assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
    assert!(csv.contains("\"'@SUM\""), "{csv}");
    assert!(csv.contains(p["id"].as_str().unwrap()));
    assert!(!csv.contains("PLAIN"), "the search's filter applies");
}
