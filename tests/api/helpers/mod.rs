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

mod calls;
mod db_faults;
mod journal;

pub use db_faults::UpdateFault;

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
    spawn_instance_with_clock(settings).await.0
}

/// [`spawn_instance`], with the instance's clock (to move it forward instead of sleeping).
pub async fn spawn_instance_with_clock(settings: Settings) -> (String, payrail::clock::Clock) {
    let app = Application::build(settings)
        .await
        .expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    (address, app.clock())
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

    /// `n` more instances on the same database, with their clocks.
    pub async fn instances(&self, n: usize) -> Vec<(String, payrail::clock::Clock)> {
        let mut all = Vec::new();
        for _ in 0..n {
            all.push(spawn_instance_with_clock(self.settings.clone()).await);
        }
        all
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
