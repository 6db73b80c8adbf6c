//! Test harness: a fresh database per test, the simulators and Payrail on real ports.
//!
//! The store is SQLite (a fresh file per test) unless `PAYRAIL_TEST_DATABASE_URL` points at a
//! Postgres server the tests may create databases on (`scripts/test` runs the suite both ways).
//! Tests read the database through sqlx's `Any` driver, so the same checks run on both engines.
//! Requests are signed with the seed's recipe written out here, independently of Payrail's code.
//!
//! Every test audits its store when it ends (`TestApp`'s `Drop` runs `payrail::audit`): a flow
//! that leaves money, events or references inconsistent fails the test that made it, even when
//! its own assertions pass. A test that corrupts the store on purpose restores it, or says so
//! with [`TestApp::expect_audit_violations`].

use hmac::{Hmac, Mac};
use payrail::config::Settings;
use payrail::startup::Application;
use secrecy::SecretString;
use serde_json::{json, Value};
use sha2::Sha256;
use sqlx::{AnyPool, Connection, Executor, PgConnection};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

pub const PSC_MERCHANT: &str = "1000";
pub const PSC_API_KEY: &str = "PSTG6ELOB2YXKO4ZHRQ6NKTSBY";
pub const PSC_SECRET: &str = "MpkvVlXvYTZVPPJ0LReNA-g_yC7V7foe4UAj7tgWJSM";

pub struct TestApp {
    pub address: String,
    pub sim_address: String,
    pub admin_token: String,
    pub client: reqwest::Client,
    /// The app's database, for checks (Postgres or SQLite through the `Any` driver).
    pub pool: AnyPool,
    pub settings: Settings,
    /// This test's directory (SQLite file, sandbox files): removed when the test ends.
    pub dir: PathBuf,
    /// The app's database URL (the teardown audit connects to it; so does `payrail audit`).
    pub db_url: String,
    /// Set by a test that leaves violations on purpose: the teardown audit is skipped.
    audit_violations_expected: AtomicBool,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let audit =
            !std::thread::panicking() && !self.audit_violations_expected.load(Ordering::Relaxed);
        let found = audit.then(|| teardown_audit(&self.db_url));
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(Err(problem)) = found {
            panic!("{problem}");
        }
    }
}

/// The findings the teardown audit lists at most.
const TEARDOWN_FINDINGS: usize = 20;

/// Audits the test's store on a thread of its own with its own runtime: `Drop` is synchronous
/// and the test's (current-thread) runtime is busy dropping us.
fn teardown_audit(db_url: &str) -> Result<(), String> {
    let url = db_url.to_owned();
    let report = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the teardown audit");
        runtime.block_on(async {
            let db = payrail::store::Db::connect(&url, 1).await?;
            let report = payrail::audit::report(&db, &Default::default(), TEARDOWN_FINDINGS).await;
            match &db {
                payrail::store::Db::Pg(p) => p.close().await,
                payrail::store::Db::Sqlite(p) => p.close().await,
            }
            report
        })
    })
    .join()
    .map_err(|_| "the teardown audit panicked".to_owned())?
    .map_err(|e| format!("the teardown audit could not run: {e}"))?;
    if report.clean {
        return Ok(());
    }
    let lines: Vec<String> = report.findings.iter().map(|f| format!("  {f}")).collect();
    Err(format!(
        "the store fails the audit on teardown ({} violations{}):\n{}",
        report.violations,
        if report.truncated {
            ", first shown"
        } else {
            ""
        },
        lines.join("\n")
    ))
}

pub struct Merchant {
    pub id: String,
    pub secret: String,
}

/// The seed's recipe: lowercase hex HMAC-SHA256(secret, timestamp ‖ message).
pub fn sign(secret: &str, timestamp: &str, message: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

pub fn now_ts() -> String {
    chrono::Utc::now().timestamp().to_string()
}

/// True when the suite runs on Postgres.
pub fn on_postgres() -> bool {
    std::env::var("PAYRAIL_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

/// A directory of this test's own (the SQLite file and the sandbox's files live there).
pub fn fresh_dir() -> PathBuf {
    let name = format!(
        "payrail-test-{}",
        ulid::Ulid::new().to_string().to_lowercase()
    );
    let dir = std::env::temp_dir().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn fresh_database(dir: &Path) -> String {
    if !on_postgres() {
        return format!("sqlite://{}/payrail.db", dir.display());
    }
    let base = std::env::var("PAYRAIL_TEST_DATABASE_URL").unwrap();
    let name = format!(
        "payrail_test_{}",
        ulid::Ulid::new().to_string().to_lowercase()
    );
    let mut conn = PgConnection::connect(&base)
        .await
        .expect("connect to the test Postgres");
    conn.execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
        .await
        .expect("create test database");
    let mut url = url::Url::parse(&base).unwrap();
    url.set_path(&name);
    url.to_string()
}

async fn start_simulators() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let sims = payrail::sim::Simulators::new(loopback_client());
    let server = payrail::sim::serve(listener, sims).unwrap();
    tokio::spawn(server);
    format!("http://127.0.0.1:{port}")
}

/// Settings for tests: loopback allowed, short gateway timeout, generated keys, and no sandbox
/// (the simulators run on their own port, like a remote gateway).
pub fn test_settings(db_url: &str, admin_token: &str, dir: &Path) -> Settings {
    let mut s = Settings::defaults();
    s.server.listen = "127.0.0.1:0".into();
    s.server.workers = Some(2);
    s.data.dir = dir.display().to_string();
    s.sandbox.enabled = Some(false);
    s.database.url = Some(SecretString::from(db_url.to_owned()));
    s.database.max_connections = 10;
    s.admin.token = Some(SecretString::from(admin_token.to_owned()));
    s.security.master_key = Some(SecretString::from(
        payrail::crypto::SecretBox::generate_key(),
    ));
    s.notify.allow_http = Some(true);
    s.notify.allow_private_hosts = Some(true);
    s.gateway.timeout_ms = 1500;
    s.gateway.connect_timeout_ms = 1000;
    s
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = fresh_dir();
    let db_url = fresh_database(&dir).await;
    let admin_token = payrail::crypto::random_token(24);
    let mut settings = test_settings(&db_url, &admin_token, &dir);
    adjust(&mut settings);
    let sim_address = start_simulators().await;
    let address = spawn_instance(settings.clone()).await;
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(&db_url).await.unwrap();
    let client = loopback_client();
    TestApp {
        address,
        sim_address,
        admin_token,
        client,
        pool,
        settings,
        dir,
        db_url,
        audit_violations_expected: AtomicBool::new(false),
    }
}

/// Builds and starts one Payrail instance; returns its base URL.
pub async fn spawn_instance(settings: Settings) -> String {
    let app = Application::build(settings)
        .await
        .expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    address
}

impl TestApp {
    /// This test leaves the store failing the audit on purpose: skip the teardown audit.
    pub fn expect_audit_violations(&self) {
        self.audit_violations_expected
            .store(true, Ordering::Relaxed);
    }

    /// Another Payrail process-equivalent on the same database (its own pool, server, limiter).
    pub async fn second_instance(&self) -> String {
        spawn_instance(self.settings.clone()).await
    }

    pub async fn create_merchant(&self) -> Merchant {
        let res = self
            .client
            .post(format!("{}/v1/admin/merchants", self.address))
            .bearer_auth(&self.admin_token)
            .json(&json!({ "name": "Test Shop" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.unwrap();
        Merchant {
            id: body["id"].as_str().unwrap().into(),
            secret: body["secret"].as_str().unwrap().into(),
        }
    }

    /// Connects the merchant to a gateway (`PUT …/providers/{provider}`); returns the account.
    pub async fn connect(&self, m: &Merchant, provider: &str, body: Value) -> Value {
        let res = self
            .client
            .put(format!(
                "{}/v1/admin/merchants/{}/providers/{provider}",
                self.address, m.id
            ))
            .bearer_auth(&self.admin_token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        res.json().await.unwrap()
    }

    /// Connects the merchant to the PayStableCoin simulator; returns the account JSON.
    pub async fn connect_psc(&self, m: &Merchant) -> Value {
        let res = self
            .client
            .put(format!("{}/v1/admin/merchants/{}/providers/paystablecoin", self.address, m.id))
            .bearer_auth(&self.admin_token)
            .json(&json!({
                "credentials": { "merchant_id": PSC_MERCHANT, "api_key": PSC_API_KEY, "api_secret": PSC_SECRET },
                "base_url": format!("{}/paystablecoin", self.sim_address),
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        res.json().await.unwrap()
    }

    pub async fn merchant_with_psc(&self) -> Merchant {
        let m = self.create_merchant().await;
        self.connect_psc(&m).await;
        m
    }

    /// A signed request with a body (timestamp ‖ body).
    pub fn signed(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &str,
        m: &Merchant,
    ) -> reqwest::RequestBuilder {
        self.signed_at(&self.address, method, path, body, m, &now_ts())
    }

    pub fn signed_at(
        &self,
        base: &str,
        method: reqwest::Method,
        path: &str,
        body: &str,
        m: &Merchant,
        ts: &str,
    ) -> reqwest::RequestBuilder {
        let message: &[u8] = if body.is_empty() {
            path.as_bytes()
        } else {
            body.as_bytes()
        };
        let mut req = self
            .client
            .request(method, format!("{base}{path}"))
            .header("X-Merchant-Id", &m.id)
            .header("X-Timestamp", ts)
            .header("X-HMAC-Signature", sign(&m.secret, ts, message));
        if !body.is_empty() {
            req = req
                .header("Content-Type", "application/json")
                .body(body.to_owned());
        }
        req
    }

    pub async fn get(&self, path: &str, m: &Merchant) -> (u16, Value) {
        let res = self
            .signed(reqwest::Method::GET, path, "", m)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: &str, m: &Merchant) -> (u16, Value) {
        let res = self
            .signed(reqwest::Method::POST, path, body, m)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Creates a USD payment pinned to PayStableCoin and returns its JSON.
    pub async fn create_payment(&self, m: &Merchant, extra: Value) -> Value {
        let mut body = json!({
            "amount": "25.00", "currency": "USD", "order_id": "ORDER-1",
            "provider": "paystablecoin",
            "return_url": "https://shop.example/thanks",
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, json) = self.post("/v1/payments", &body.to_string(), m).await;
        assert_eq!(status, 201, "{json}");
        json
    }

    /// A PayStableCoin payment paid in full; `order` keeps two creates apart (a signature is
    /// single-use, and two identical keyless creates in one second would share one).
    pub async fn paid_payment(&self, m: &Merchant, order: &str) -> String {
        let p = self.create_payment(m, json!({ "order_id": order })).await;
        self.sim_checkout(&p, "pay").await;
        let id = p["id"].as_str().unwrap().to_owned();
        assert_eq!(self.status_of(&id, m).await, "completed");
        id
    }

    /// The simulator's order id is the last segment of the checkout URL.
    pub fn sim_order_id(payment: &Value) -> String {
        payment["checkout_url"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned()
    }

    /// Chooses an outcome on the simulator's checkout page, like the customer's browser.
    pub async fn sim_checkout(&self, payment: &Value, outcome: &str) -> reqwest::Response {
        let order = Self::sim_order_id(payment);
        self.client
            .post(format!(
                "{}/paystablecoin/checkout/{order}/{outcome}",
                self.sim_address
            ))
            .send()
            .await
            .unwrap()
    }

    pub async fn sim_stats_of(&self, provider: &str) -> Value {
        let url = format!("{}/{provider}/_sim/stats", self.sim_address);
        self.client
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The body of an unauthenticated GET of one of the app's own paths (`/metrics`, …).
    pub async fn text_of(&self, path: &str) -> String {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn sim_stats(&self) -> Value {
        self.client
            .get(format!("{}/paystablecoin/_sim/stats", self.sim_address))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn sim_fault(&self, fault: Value) {
        let res = self
            .client
            .post(format!("{}/paystablecoin/_sim/faults", self.sim_address))
            .json(&fault)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }

    /// An admin call with a JSON body (bearer token); the status and the answer (`Null` if none).
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: &str) -> (u16, Value) {
        let res = self
            .client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(&self.admin_token)
            .header("Content-Type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("an answer, not a dropped connection");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    pub async fn status_of(&self, payment_id: &str, m: &Merchant) -> String {
        let (status, body) = self
            .get(&format!("/v1/payments/{payment_id}/verify/"), m)
            .await;
        assert_eq!(status, 200, "{body}");
        body["status"].as_str().unwrap().to_owned()
    }
}

/// The tests' HTTP client: no redirects followed, and idle connections dropped before actix's 5 s
/// keep-alive closes them under a request.
pub fn loopback_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(payrail::notify::client::IDLE_CONNECTION_REUSE)
        .build()
        .unwrap()
}
