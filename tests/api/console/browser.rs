//! The console in headless Chromium (the driver and screenshots of `tests/api/browser.rs`):
//! sign in, search, open a payment, recheck it, settle a review case, a post stripped of its
//! CSRF token refused, sign out. Chromium enforces the pages' Content-Security-Policy, so this
//! also shows the pages work with no script. Screenshots, phone width (420 px) unless named
//! `-desktop`, land in `out/browser/console-*`.

use crate::browser::{browser, snap, start_driver};
use crate::helpers::spawn_app;
use fantoccini::{Client, Locator};
use serde_json::json;

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Submits the form, after ticking its confirmation box if it has one, and waits until the
/// browser has left the page (every console form leads elsewhere).
async fn submit(c: &Client, form_css: &str) {
    let before = c.current_url().await.unwrap();
    let form = c.find(Locator::Css(form_css)).await.unwrap();
    if let Ok(confirm) = form.find(Locator::Css("input[name=confirm]")).await {
        confirm.click().await.unwrap();
    }
    form.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..600 {
        if c.current_url().await.unwrap() != before {
            c.find(Locator::Css("body")).await.unwrap();
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("submitting {form_css} did not leave {before}");
}

#[tokio::test]
async fn an_operator_works_the_console_in_chromium() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let open = app
        .create_payment(&m, json!({ "order_id": "WEB-OPEN" }))
        .await;
    let review = app
        .create_payment(&m, json!({ "order_id": "WEB-REVIEW" }))
        .await;
    app.sim_checkout(&review, "underpay").await;
    let (open_id, review_id) = (open["id"].as_str().unwrap(), review["id"].as_str().unwrap());
    let driver = start_driver().await;
    let c = browser(&driver, &app).await;

    c.goto(&format!("{}/console/payments", app.address))
        .await
        .unwrap();
    assert!(c
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/console/login"));
    snap(&c, "console-1-login").await;
    c.find(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(&app.admin_token)
        .await
        .unwrap();
    submit(&c, "form[action='/console/login']").await;
    assert_eq!(text_of(&c, "h1").await, "Overview");

    c.goto(&format!("{}/console/payments", app.address))
        .await
        .unwrap();
    c.find(Locator::Id("q-order"))
        .await
        .unwrap()
        .send_keys("WEB-OPEN")
        .await
        .unwrap();
    submit(&c, "form[role=search]").await;
    snap(&c, "console-2-search").await;
    c.find(Locator::Css(&format!(
        "a[href='/console/payments/{open_id}']"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    assert_eq!(text_of(&c, "#payment-status").await, "pending");
    submit(&c, "form[action$='/recheck']").await;
    assert_eq!(text_of(&c, "p.ok").await, "Rechecked with the gateway.");
    snap(&c, "console-3-payment").await;
    c.set_window_size(1280, 1000).await.unwrap();
    snap(&c, "console-3-payment-desktop").await;

    c.goto(&format!("{}/console/reviews", app.address))
        .await
        .unwrap();
    snap(&c, "console-4-reviews-desktop").await;
    c.set_window_size(420, 900).await.unwrap();
    c.goto(&format!("{}/console/payments/{review_id}", app.address))
        .await
        .unwrap();
    c.find(Locator::Id("settle-note"))
        .await
        .unwrap()
        .send_keys("rest never came")
        .await
        .unwrap();
    c.find(Locator::Css("#settle-as option[value=failed]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    submit(&c, "form[action$='/resolve']").await;
    assert_eq!(text_of(&c, "#payment-status").await, "failed");
    snap(&c, "console-5-settled").await;

    // The driver (not the page: it runs no script) strips the token from the cancel form.
    c.goto(&format!("{}/console/payments/{open_id}", app.address))
        .await
        .unwrap();
    c.execute(
        "document.querySelector(\"form[action$='/cancel'] input[name=csrf]\").remove()",
        vec![],
    )
    .await
    .unwrap();
    submit(&c, "form[action$='/cancel']").await;
    assert_eq!(text_of(&c, "h1").await, "Error 403");
    snap(&c, "console-6-csrf-refused").await;
    assert_eq!(app.status_of(open_id, &m).await, "pending");

    c.goto(&format!("{}/console", app.address)).await.unwrap();
    submit(&c, "form.logout").await;
    assert!(c
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/console/login"));
    c.goto(&format!("{}/console/payments", app.address))
        .await
        .unwrap();
    assert!(c
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/console/login"));
    c.close().await.unwrap();
}

/// Signs the browser in through the form.
async fn sign_in(c: &Client, app: &crate::helpers::TestApp) {
    c.goto(&format!("{}/console/login", app.address))
        .await
        .unwrap();
    c.find(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(&app.admin_token)
        .await
        .unwrap();
    submit(c, "form[action='/console/login']").await;
}

#[tokio::test]
async fn the_overview_and_a_merchant_page_work_in_chromium() {
    let app = spawn_app().await;
    let (a, _) = super::stats::seed(&app).await;
    let driver = start_driver().await;
    let c = browser(&driver, &app).await;
    sign_in(&c, &app).await;
    assert_eq!(text_of(&c, "h1").await, "Overview");
    let chart = c.find(Locator::Css("svg.chart title")).await.unwrap();
    assert!(chart.html(true).await.unwrap().contains("gateway"));
    snap(&c, "console-7-overview").await;
    submit(&c, "form[action='/console/audit']").await;
    assert_eq!(text_of(&c, "p.ok").await, "Clean: no invariant is broken.");
    c.set_window_size(1280, 1000).await.unwrap();
    snap(&c, "console-7-overview-desktop").await;

    c.goto(&format!("{}/console/merchants", app.address))
        .await
        .unwrap();
    c.find(Locator::Css(&format!(
        "a[href='/console/merchants/{}']",
        a.id
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    snap(&c, "console-8-merchant-desktop").await;
    c.set_window_size(420, 900).await.unwrap();
    submit(&c, "form[action$='/rotate']").await;
    let secret = text_of(&c, "#new-secret").await;
    assert!(secret.len() >= 32, "{secret}");
    snap(&c, "console-8-merchant-rotated").await;
    c.close().await.unwrap();
}
