//! The hosted checkout in a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver`, installed by `scripts/test` and `.ci/run`) driven over WebDriver by the
//! `fantoccini` crate. The merchant's return page is served by this test on loopback.
//!
//! Screenshots of each step land in `out/browser/` (git-ignored; CI keeps them as artifacts).
//! Chromium enforces the page's Content-Security-Policy, so these journeys also prove that the
//! policy lets the pick's 303 reach the gateway and the page render with its stylesheet.

use crate::checkout::{create_hosted_to, shop};
use crate::helpers::{spawn_app, TestApp};
use actix_web::{web, App, HttpResponse, HttpServer};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A chromedriver process on a free loopback port (killed when dropped).
pub(crate) struct Driver {
    process: std::process::Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

pub(crate) async fn start_driver() -> Driver {
    let exe = std::env::var("PAYRAIL_CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.into());
    assert!(
        std::path::Path::new(&exe).exists(),
        "{exe} is missing: install Debian's chromium and chromium-driver (scripts/test does)"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let process = std::process::Command::new(&exe)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    // Readiness: chromedriver accepts connections once it is listening.
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Driver {
        process,
        url: format!("http://127.0.0.1:{port}"),
    }
}

/// A headless Chromium session with its profile in the test's directory (removed with it).
pub(crate) async fn browser(driver: &Driver, app: &TestApp) -> Client {
    let profile = app.dir.join("chromium-profile");
    let binary = std::env::var("PAYRAIL_CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
    let options = json!({
        "binary": binary,
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--window-size=420,900",
            format!("--user-data-dir={}", profile.display()),
        ],
    });
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

/// The merchant's site: `/thanks` and `/cart` show the query Payrail appended.
async fn merchant_site() -> String {
    async fn landing(req: actix_web::HttpRequest) -> HttpResponse {
        let query = url::form_urlencoded::parse(req.query_string().as_bytes())
            .map(|(k, v)| {
                format!(
                    "<p id=\"{}\">{}</p>",
                    html_escape::encode_double_quoted_attribute(&k),
                    html_escape::encode_text(&v)
                )
            })
            .collect::<String>();
        HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(format!(
                "<!doctype html><title>Shop</title><h1 id=\"landed\">{}</h1>{query}",
                req.path()
            ))
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(|| App::new().default_service(web::to(landing)))
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
    tokio::spawn(server);
    format!("http://127.0.0.1:{port}")
}

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("out/browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) async fn snap(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    let db = if crate::helpers::on_postgres() {
        "pg"
    } else {
        "sqlite"
    };
    std::fs::write(screenshots().join(format!("{name}-{db}.png")), png).unwrap();
}

/// Presses the button whose text is `text` (the hosted page's method, a simulator's outcome) and
/// waits until the browser has left the page: the click may return before the navigation it
/// starts has committed, and a busy machine shows it.
async fn press(c: &Client, text: &str) {
    let before = c.current_url().await.unwrap();
    let xpath =
        format!("//button[.//span[normalize-space()='{text}'] or normalize-space()='{text}']");
    c.find(Locator::XPath(&xpath))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..600 {
        if c.current_url().await.unwrap() != before {
            // Commands wait for the new document to load before they run.
            c.find(Locator::Css("body")).await.unwrap();
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("pressing {text:?} did not leave {before}");
}

/// Waits until the browser is at the merchant's site; returns the query Payrail appended.
async fn landed(c: &Client, path: &str) -> (String, String) {
    let h1 = c.wait().for_element(Locator::Id("landed")).await.unwrap();
    assert_eq!(h1.text().await.unwrap(), path);
    let text = |id: &'static str| async move {
        c.find(Locator::Id(id)).await.unwrap().text().await.unwrap()
    };
    (text("payment_id").await, text("status").await)
}

async fn checkout_page(app: &TestApp, c: &Client, order: &str, site: &str) -> String {
    let m = shop(app, json!({ "display_name": "Tea House" })).await;
    let p = create_hosted_to(app, &m, order, site).await;
    c.goto(p["checkout_url"].as_str().unwrap()).await.unwrap();
    let heading = c.find(Locator::Css("h1")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "Choose how to pay");
    p["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn pay_by_mobile_banking_in_chromium() {
    let app = spawn_app().await;
    let site = merchant_site().await;
    let driver = start_driver().await;
    let c = browser(&driver, &app).await;
    let id = checkout_page(&app, &c, "WEB-1", &site).await;
    snap(&c, "1-choose").await;

    press(&c, "Mobile banking").await;
    let at = c.current_url().await.unwrap();
    assert!(
        at.as_str()
            .starts_with(&format!("{}/pakhipay/checkout/", app.sim_address)),
        "{at}"
    );
    snap(&c, "2-pakhipay").await;
    press(&c, "pay").await;

    assert_eq!(landed(&c, "/thanks").await, (id, "completed".into()));
    snap(&c, "3-merchant-thanks").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn cancel_then_pay_by_card_in_chromium() {
    let app = spawn_app().await;
    let site = merchant_site().await;
    let driver = start_driver().await;
    let c = browser(&driver, &app).await;
    let id = checkout_page(&app, &c, "WEB-2", &site).await;
    let checkout_url = c.current_url().await.unwrap();

    press(&c, "Mobile banking").await;
    press(&c, "cancel").await;
    // Back on Payrail's page, the choice still open and the customer told why.
    c.wait().for_url(&checkout_url).await.unwrap();
    let notice = c.find(Locator::Css("[role=alert]")).await.unwrap();
    assert!(notice.text().await.unwrap().contains("Pakhi Pay"));
    snap(&c, "4-back-after-cancel").await;

    press(&c, "Card").await;
    let at = c.current_url().await.unwrap();
    assert!(
        at.as_str()
            .starts_with(&format!("{}/hitpay/", app.sim_address)),
        "{at}"
    );
    snap(&c, "5-hitpay").await;
    press(&c, "pay").await;

    assert_eq!(
        landed(&c, "/thanks").await,
        (id.clone(), "completed".into())
    );
    // The hosted page now shows the final state.
    c.goto(checkout_url.as_str()).await.unwrap();
    let heading = c.find(Locator::Css("h1")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "Payment received");
    snap(&c, "6-paid").await;
    c.close().await.unwrap();
}
