//! Prometheus metrics: HTTP requests by route and status, gateway calls by provider and outcome,
//! gateway webhooks by provider and verification result, and the deliveries that were answered
//! without being journalled (unknown account, over the rate limit, too large) by reason.

use crate::providers::Outcome;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry, TextEncoder,
};
use std::future::Future;
use std::time::Instant;

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_latency: HistogramVec,
    gateway_calls: IntCounterVec,
    gateway_latency: HistogramVec,
    webhooks: IntCounterVec,
    webhooks_dropped: IntCounterVec,
    deliveries: IntCounterVec,
    reconciler: IntCounterVec,
    outbox_depth: prometheus::IntGauge,
    outbox_oldest_age: prometheus::IntGauge,
    circuits: prometheus::IntGaugeVec,
    status_lookups: LookupCounters,
    payment_lookups: LookupCounters,
}

/// One kind of coalesced lookup (`store::lookups`): verify's `status_…` and retrieve's
/// `payment_…`. Lookups / queries is how many lookups one Postgres query carried on average;
/// slow batches are the queries that gave their slot up (`lookups::SLOW_BATCH`).
#[derive(Clone)]
pub struct LookupCounters {
    pub lookups: IntCounter,
    pub queries: IntCounter,
    pub slow_batches: IntCounter,
}

impl LookupCounters {
    /// `payrail_{kind}_lookups_total`, `…_lookup_queries_total` and
    /// `…_lookup_slow_batches_total`, registered in `registry`.
    fn register(registry: &Registry, kind: &str, what: &str) -> Self {
        let counter = |name: String, help: String| {
            let c = IntCounter::new(name, help).expect("valid metric");
            registry
                .register(Box::new(c.clone()))
                .expect("registered once");
            c
        };
        LookupCounters {
            lookups: counter(
                format!("{kind}_lookups_total"),
                format!("{what} lookups sent to Postgres in batches"),
            ),
            queries: counter(
                format!("{kind}_lookup_queries_total"),
                format!("Postgres queries that carried the {kind} lookups"),
            ),
            slow_batches: counter(
                format!("{kind}_lookup_slow_batches_total"),
                format!("{kind} lookup queries out so long that the lookups behind them went on"),
            ),
        }
    }
}

const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("payrail".into()), None).expect("valid prefix");
        let http_requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route and status"),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let http_latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency")
                .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let gateway_calls = IntCounterVec::new(
            Opts::new(
                "gateway_calls_total",
                "Gateway API calls by provider, operation and outcome",
            ),
            &["provider", "operation", "outcome"],
        )
        .expect("valid metric");
        let gateway_latency = HistogramVec::new(
            HistogramOpts::new("gateway_call_duration_seconds", "Gateway API call latency")
                .buckets(LATENCY_BUCKETS.to_vec()),
            &["provider", "operation", "outcome"],
        )
        .expect("valid metric");
        let webhooks = IntCounterVec::new(
            Opts::new(
                "gateway_webhooks_total",
                "Gateway webhooks received by provider and result",
            ),
            &["provider", "result"],
        )
        .expect("valid metric");
        let webhooks_dropped = IntCounterVec::new(
            Opts::new(
                "gateway_webhooks_dropped_total",
                "Gateway webhook deliveries answered but not journalled, by provider and reason",
            ),
            &["provider", "reason"],
        )
        .expect("valid metric");
        let circuits = prometheus::IntGaugeVec::new(
            Opts::new(
                "gateway_circuit_open",
                "1 while a gateway account's circuit breaker is open",
            ),
            &["provider", "account_id"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(circuits.clone()))
            .expect("registered once");
        let deliveries = IntCounterVec::new(
            Opts::new(
                "webhook_deliveries_total",
                "Merchant webhook delivery attempts by outcome",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let reconciler = IntCounterVec::new(
            Opts::new(
                "reconciler_payments_total",
                "Payments the reconciler checked, and changed",
            ),
            &["result"],
        )
        .expect("valid metric");
        let outbox_depth =
            prometheus::IntGauge::new("outbox_undelivered", "Merchant events not yet delivered")
                .expect("valid metric");
        let outbox_oldest_age = prometheus::IntGauge::new(
            "outbox_oldest_undelivered_age_seconds",
            "Age of the oldest undelivered merchant event",
        )
        .expect("valid metric");
        let status_lookups = LookupCounters::register(&registry, "status", "Verify status");
        let payment_lookups = LookupCounters::register(&registry, "payment", "Retrieve payment");
        registry
            .register(Box::new(outbox_depth.clone()))
            .expect("registered once");
        registry
            .register(Box::new(outbox_oldest_age.clone()))
            .expect("registered once");
        for c in [
            &http_requests,
            &gateway_calls,
            &webhooks,
            &webhooks_dropped,
            &deliveries,
            &reconciler,
        ] {
            registry
                .register(Box::new(c.clone()))
                .expect("registered once");
        }
        for h in [&http_latency, &gateway_latency] {
            registry
                .register(Box::new(h.clone()))
                .expect("registered once");
        }
        Self {
            registry,
            http_requests,
            http_latency,
            gateway_calls,
            gateway_latency,
            webhooks,
            webhooks_dropped,
            deliveries,
            reconciler,
            outbox_depth,
            outbox_oldest_age,
            circuits,
            status_lookups,
            payment_lookups,
        }
    }

    pub fn status_lookup_counters(&self) -> LookupCounters {
        self.status_lookups.clone()
    }

    pub fn payment_lookup_counters(&self) -> LookupCounters {
        self.payment_lookups.clone()
    }

    pub fn observe_http(&self, method: &str, route: &str, status: &str, seconds: f64) {
        let labels = [method, route, status];
        self.http_requests.with_label_values(&labels).inc();
        self.http_latency
            .with_label_values(&labels)
            .observe(seconds);
    }

    pub fn observe_webhook(&self, provider: &str, result: &str) {
        self.webhooks.with_label_values(&[provider, result]).inc();
    }

    /// A delivery not journalled. `provider` is a known provider id or `unknown`, and `reason`
    /// one of a few fixed words, so a hostile sender cannot grow the label set.
    pub fn observe_webhook_dropped(&self, provider: &str, reason: &str) {
        self.webhooks_dropped
            .with_label_values(&[provider, reason])
            .inc();
    }

    pub fn observe_delivery(&self, outcome: &str) {
        self.deliveries.with_label_values(&[outcome]).inc();
    }

    pub fn observe_reconcile(&self, checked: u32, changed: u32) {
        self.reconciler
            .with_label_values(&["checked"])
            .inc_by(u64::from(checked));
        self.reconciler
            .with_label_values(&["changed"])
            .inc_by(u64::from(changed));
    }

    /// The open circuits, refreshed when `/metrics` is read (closed ones drop out).
    pub fn set_open_circuits(&self, open: &[crate::orchestration::breaker::OpenCircuit]) {
        self.circuits.reset();
        for c in open {
            self.circuits
                .with_label_values(&[&c.provider, &c.account_id])
                .set(1);
        }
    }

    /// The outbox backlog, refreshed when `/metrics` is read.
    pub fn set_outbox_backlog(&self, undelivered: i64, oldest_age_secs: i64) {
        self.outbox_depth.set(undelivered);
        self.outbox_oldest_age.set(oldest_age_secs);
    }

    /// Runs one gateway call, counting it and timing it (also into the request's Server-Timing).
    pub async fn gateway_call<T>(
        &self,
        provider: &str,
        operation: &str,
        call: impl Future<Output = Outcome<T>>,
    ) -> Outcome<T> {
        let started = Instant::now();
        let outcome = call.await;
        let elapsed = started.elapsed();
        crate::telemetry::add_gateway_time(elapsed);
        let labels = [provider, operation, outcome.label()];
        self.gateway_calls.with_label_values(&labels).inc();
        self.gateway_latency
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());
        outcome
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .expect("text encoding to a Vec cannot fail");
        String::from_utf8(buf).expect("prometheus text is UTF-8")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
