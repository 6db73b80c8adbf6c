//! One simulated world: Payrail (its public URL behind the chaos proxy), the seven simulators, a
//! worker orchestrator on its own clock, one merchant connected to every gateway, and what the
//! merchant knows. Between seeds the store is emptied and the simulators reset, so each seed
//! runs as if alone (which is what makes a seed replayable on its own).

use super::model::{AttemptModel, Gw, PaymentModel, Step};
use super::proxy::{Captured, Proxy};
use crate::helpers::{spawn_app_with, Merchant, TestApp};
use payrail::orchestration::Orchestrator;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{json, Value};

/// How long Payrail waits for a gateway in the simulation, and how long a timed-out call takes
/// at the simulator (it answers after Payrail gave up).
pub const GATEWAY_TIMEOUT_MS: u64 = 400;
pub const TIMEOUT_DELAY_MS: u64 = 1_200;

/// What lives across seeds: the app, the proxy, a template worker, and the audit's own
/// connection to the store (the audit only reads; the use cases keep their handle private).
pub struct Stage {
    pub app: TestApp,
    pub proxy: Proxy,
    worker: Orchestrator,
    auditor: payrail::store::Db,
}

impl Stage {
    pub async fn start() -> Stage {
        let proxy = Proxy::start(crate::helpers::loopback_client());
        let public = proxy.address.clone();
        let app = spawn_app_with(|s| {
            s.server.public_url = Some(public);
            s.gateway.timeout_ms = GATEWAY_TIMEOUT_MS;
            s.gateway.connect_timeout_ms = GATEWAY_TIMEOUT_MS;
            s.recheck.per_minute = 1_000_000;
            s.recheck.burst = 1_000_000;
            s.recheck.returns_per_minute = 1_000_000;
            s.recheck.returns_burst = 1_000_000;
            s.routing.breaker_threshold = 1_000_000;
        })
        .await;
        proxy.set_payrail(&app.address);
        let worker = crate::delivery::worker(&app).await;
        let auditor = payrail::store::Db::connect(&app.db_url, 2).await.unwrap();
        Stage {
            app,
            proxy,
            worker,
            auditor,
        }
    }
}

/// How the merchant's accounts are ranked for routing (lowest priority first; on a tie, the
/// first connected).
#[derive(Clone, Copy)]
pub enum Ranking {
    /// Each seed ranks them its own way, so hosted picks and routed creates reach every gateway
    /// that offers them across seeds (with equal priorities hosted BDT never went to bKash).
    /// Four values, so ties happen too.
    Seeded,
    /// All equal, so the first connected wins: what a scripted regression was written against.
    Connected,
}

/// One seed's run.
pub struct World<'a> {
    pub app: &'a TestApp,
    pub proxy: &'a Proxy,
    pub worker: Orchestrator,
    pub auditor: &'a payrail::store::Db,
    pub merchant: Merchant,
    pub rng: StdRng,
    pub seed: u64,
    pub steps: Vec<Step>,
    /// The steps as text, kept where a panic cannot take them (the failure report prints them).
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    pub payments: Vec<PaymentModel>,
    pub held: Vec<Captured>,
    /// Dropped webhooks nothing else could tell Payrail (the gateway would retry them).
    pub unrecoverable: Vec<Captured>,
    /// For a scripted run (a regression test): the fates of the webhooks, in order.
    pub script: Option<std::collections::VecDeque<super::model::Fate>>,
    requests: u64,
}

impl<'a> World<'a> {
    pub async fn new(
        stage: &'a Stage,
        seed: u64,
        ranking: Ranking,
        log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    ) -> World<'a> {
        let app = &stage.app;
        empty_store(app).await;
        for gw in Gw::ALL {
            let res = app
                .client
                .post(format!("{}/{}/_sim/reset", app.sim_address, gw.id()))
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success());
        }
        stage.proxy.take();
        let merchant = app.create_merchant().await;
        let mut rng = StdRng::seed_from_u64(seed);
        let mut ranks = Vec::new();
        for (provider, credentials) in payrail::sim::default_credentials() {
            let priority = match ranking {
                Ranking::Seeded => 10 * rng.gen_range(1..=4),
                Ranking::Connected => 100,
            };
            ranks.push(format!("{provider} {priority}"));
            let account = app
                .connect(
                    &merchant,
                    provider,
                    json!({
                        "credentials": credentials,
                        "base_url": format!("{}/{provider}", app.sim_address),
                        "priority": priority,
                    }),
                )
                .await;
            account_urls(app, provider, &credentials, &account).await;
        }
        log.lock()
            .unwrap()
            .push(format!("    accounts by priority: {}", ranks.join(", ")));
        let mut worker = stage.worker.clone();
        worker.clock = Default::default();
        World {
            app,
            proxy: &stage.proxy,
            worker,
            auditor: &stage.auditor,
            merchant,
            rng,
            seed,
            steps: Vec::new(),
            log,
            payments: Vec::new(),
            held: Vec::new(),
            unrecoverable: Vec::new(),
            script: None,
            requests: 0,
        }
    }

    /// Notes a step in the run's list (and its printable log).
    pub fn record(&mut self, step: Step) {
        let n = self.steps.len();
        self.log.lock().unwrap().push(format!("{n:3} {step}"));
        self.steps.push(step);
    }

    /// A signed merchant request; each gets its own timestamp (a few seconds apart, within the
    /// window) so two identical requests are two signatures, as a real merchant's retries are.
    pub async fn call(&mut self, method: Method, path: &str, body: &str) -> (u16, Value) {
        self.requests += 1;
        let ts = (chrono::Utc::now().timestamp() - (self.requests % 200) as i64).to_string();
        let res = self
            .app
            .signed_at(&self.app.address, method, path, body, &self.merchant, &ts)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        assert!(
            status < 500 || (502..=504).contains(&status),
            "{path} answered {status}: {text}"
        );
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Arms a fault for the next API call at a gateway.
    pub async fn arm(&self, gw: Gw, mode: &str, count: u32) {
        let res = self
            .app
            .client
            .post(format!("{}/{}/_sim/faults", self.app.sim_address, gw.id()))
            .json(&json!({ "mode": mode, "count": count, "delay_ms": TIMEOUT_DELAY_MS }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }

    /// A simulator control; its answer's status.
    pub async fn control(&self, gw: Gw, path: &str, body: Value) -> u16 {
        self.app
            .client
            .post(format!("{}/{}/_sim/{path}", self.app.sim_address, gw.id()))
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// The attempts of payment `p` as Payrail's store holds them, oldest first.
    pub async fn attempts(&self, p: usize) -> Vec<AttemptModel> {
        let Some(id) = &self.payments[p].id else {
            return vec![];
        };
        let rows: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT provider, reference, external_id, checkout_url FROM attempts WHERE payment_id = $1 ORDER BY created_at, id",
        )
        .bind(id)
        .fetch_all(&self.app.pool)
        .await
        .unwrap();
        rows.into_iter()
            .filter_map(|(provider, reference, external_id, checkout_url)| {
                Some(AttemptModel {
                    gw: Gw::parse(&provider)?,
                    reference,
                    external_id,
                    checkout_url,
                })
            })
            .collect()
    }

    /// Payrail's id for a payment whose create never answered, found as the merchant would
    /// (listing by order id).
    pub async fn find(&mut self, p: usize) {
        if self.payments[p].id.is_some() {
            return;
        }
        let order = self.payments[p].order_id.clone();
        let (status, list) = self
            .call(Method::GET, &format!("/v1/payments?order_id={order}"), "")
            .await;
        assert_eq!(status, 200, "{list}");
        if let Some(found) = list["data"].as_array().and_then(|d| d.first()) {
            self.payments[p].id = found["id"].as_str().map(str::to_owned);
            if matches!(self.payments[p].kind, super::model::Kind::Hosted(_)) {
                self.payments[p].page_url = found["checkout_url"].as_str().map(str::to_owned);
            }
        }
    }
}

/// Deletes every row (in an order the foreign keys accept), keeping the schema.
async fn empty_store(app: &TestApp) {
    let statements = [
        "UPDATE payments SET paid_attempt_id = NULL",
        "DELETE FROM duplicate_charges",
        "DELETE FROM refunds",
        "DELETE FROM payment_events",
        "DELETE FROM outbox_events",
        "DELETE FROM attempts",
        "DELETE FROM idempotency_keys",
        "DELETE FROM payments",
        "DELETE FROM request_replays",
        "DELETE FROM webhook_journal",
        "DELETE FROM webhook_dedupe",
        "DELETE FROM provider_accounts",
        "DELETE FROM merchant_secrets",
        "DELETE FROM merchants",
    ];
    for sql in statements {
        sqlx::query(sql).execute(&app.pool).await.unwrap();
    }
}

/// Some gateways send webhooks to one endpoint per account (Stripe), or return the customer to
/// one URL per account (HimoSoft), which a merchant sets in its dashboard. The run sets them to
/// Payrail's URLs for this run's account, through the proxy, as the sandbox does for its demo
/// account (`embedded.rs`). Without them Stripe's simulator sends no webhook and HimoSoft's
/// never sends the customer back.
async fn account_urls(app: &TestApp, provider: &str, credentials: &Value, account: &Value) {
    let Some(sim) = payrail::sim::SIMULATORS.iter().find(|s| s.id == provider) else {
        return;
    };
    let mut body = credentials.clone();
    let fields = [
        ("return_url", sim.takes_account_return_url),
        ("webhook_url", sim.takes_account_webhook_url),
    ];
    let mut any = false;
    for (field, takes) in fields {
        if takes {
            body[field] = account[field].clone();
            any = true;
        }
    }
    if !any {
        return;
    }
    let res = app
        .client
        .post(format!("{}/{provider}/_sim/accounts", app.sim_address))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}
