//! Layered settings: built-in defaults < `payrail.toml` (or `--config FILE`) < environment
//! `PAYRAIL__SECTION__KEY` (and `DATABASE_URL`). Secrets are `SecretString`, so they cannot be
//! printed by accident: `Debug` shows `[REDACTED]`.

use secrecy::SecretString;
use serde::Deserialize;
use std::path::Path;

#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub admin: AdminSettings,
    pub security: SecuritySettings,
    pub payments: PaymentSettings,
    pub idempotency: IdempotencySettings,
    pub recheck: RecheckSettings,
    pub webhooks: WebhookSettings,
    pub gateway: GatewaySettings,
    pub notify: NotifySettings,
    pub sandbox: SandboxSettings,
    pub log: LogSettings,
    pub data: DataSettings,
    pub workers: WorkerSettings,
    pub routing: RoutingSettings,
}

/// Choosing a gateway account for a payment.
#[derive(Clone, Debug, Deserialize)]
pub struct RoutingSettings {
    /// Consecutive unreachable calls that open an account's circuit.
    pub breaker_threshold: u32,
    /// How long an open circuit keeps the account out of routing, seconds.
    pub breaker_cooldown_secs: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ServerSettings {
    /// Bind address.
    pub listen: String,
    /// Base URL gateways and customers reach Payrail at; defaults to `http://{listen}`.
    pub public_url: Option<String>,
    /// HTTP worker threads; defaults to the number of cores.
    pub workers: Option<usize>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DatabaseSettings {
    /// `postgres://…` or `sqlite://…`. `DATABASE_URL` is honoured when this is unset; with
    /// neither, the embedded store `sqlite://{data.dir}/payrail.db`.
    pub url: Option<SecretString>,
    pub max_connections: u32,
    /// How long a request waits for a Postgres connection before it answers 503
    /// `service_unavailable` (a lost server is retried until then).
    pub acquire_timeout_ms: u64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct AdminSettings {
    /// Bearer token of the admin API; the admin API is disabled without one.
    pub token: Option<SecretString>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SecuritySettings {
    /// Base64 of 32 bytes: encrypts merchant secrets and gateway credentials at rest.
    pub master_key: Option<SecretString>,
    /// Accepted clock skew of `X-Timestamp`, seconds.
    pub timestamp_tolerance_secs: i64,
    /// How long the previous merchant secret stays valid after a rotation, seconds.
    pub secret_grace_secs: i64,
    /// How long an instance keeps a merchant's decrypted secrets for request authentication,
    /// seconds (0: read them from the database on every request).
    pub secret_cache_secs: u64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PaymentSettings {
    /// Largest amount accepted, in minor units of any currency.
    pub max_amount_minor: i64,
    /// Checkout window when `expires_in` is not given, seconds.
    pub default_expires_in_secs: i64,
    pub max_expires_in_secs: i64,
    /// Picks a customer may make on one hosted payment's page: each opens an order at a gateway,
    /// so a leaked page link cannot be used to flood the gateways.
    pub max_hosted_attempts: u32,
}

#[derive(Clone, Debug, Deserialize)]
pub struct IdempotencySettings {
    /// How long a key is remembered, seconds (24 h).
    pub retention_secs: i64,
    /// How long a request may hold a key before another may resume it, seconds.
    pub lock_secs: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct RecheckSettings {
    /// Token bucket per merchant for live rechecks.
    pub per_minute: u32,
    pub burst: u32,
    /// Token bucket per payment for the live recheck a customer's return triggers; past it the
    /// return still redirects, with the stored status (the reconciler follows up).
    pub returns_per_minute: u32,
    pub returns_burst: u32,
}

/// Token buckets per gateway account (per instance) for the gateway-webhook deliveries that
/// get journalled; past them the answer is 429 `rate_limited` with `Retry-After` (gateways
/// retry), nothing is stored, and the refusal is counted. Deliveries that verify and those that
/// do not have buckets of their own, so a flood of forged ones cannot hold up the gateway's.
#[derive(Clone, Debug, Deserialize)]
pub struct WebhookSettings {
    /// Verified deliveries per account.
    pub per_minute: u32,
    pub burst: u32,
    /// Deliveries that fail verification, per account.
    pub rejected_per_minute: u32,
    pub rejected_burst: u32,
}

#[derive(Clone, Debug, Deserialize)]
pub struct GatewaySettings {
    /// Whole-call timeout of a gateway request, milliseconds.
    pub timeout_ms: u64,
    pub connect_timeout_ms: u64,
    /// How long an idle kept-alive connection to a gateway may be reused. Below the 5 s
    /// keep-alive of common servers (actix-web, Node), so Payrail drops a connection before the
    /// gateway does: a request written onto a connection the server is closing fails with an
    /// outcome nobody can know, which for a create is a 502 the merchant did not deserve.
    pub pool_idle_timeout_ms: u64,
}

/// Unset means "on in the sandbox, off otherwise".
#[derive(Clone, Debug, Deserialize)]
pub struct NotifySettings {
    pub allow_private_hosts: Option<bool>,
    pub allow_http: Option<bool>,
    /// Comma-separated host names that merchant webhooks may reach even when they resolve to a
    /// loopback or private address (never metadata, link-local or other special-purpose ones;
    /// see `domain::address_class`). Compared without case or the trailing dot.
    pub allowed_hosts: String,
    /// Timeout of one webhook delivery, milliseconds.
    pub timeout_ms: u64,
}

/// Background workers (every instance runs them; they share work through the database).
#[derive(Clone, Debug, Deserialize)]
pub struct WorkerSettings {
    /// Run the loops in `serve` (tests drive `run_once` themselves).
    pub enabled: bool,
    pub delivery_interval_ms: u64,
    pub reconcile_interval_ms: u64,
    pub cleanup_interval_ms: u64,
    /// How long an open payment is kept after its window before it is expired, seconds.
    pub expiry_grace_secs: i64,
    /// How many items one run claims.
    pub batch: i64,
    /// How long the gateway-webhook journal is kept, days.
    pub journal_retention_days: i64,
    /// A pending refund whose gateway record, read this long after it was sent, does not show
    /// it never happened: it fails (the call ended long before), seconds.
    pub refund_settle_secs: i64,
    /// A refund still pending this long after it was sent (the gateway's evidence stayed unclear)
    /// goes to `needs_review` for ops, seconds.
    pub refund_review_secs: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SandboxSettings {
    /// Mount the simulators at `/sandbox/…` and keep a demo merchant. Unset means "on with the
    /// embedded SQLite store, off with Postgres".
    pub enabled: Option<bool>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DataSettings {
    /// Where the embedded store, generated keys and the sandbox's demo credentials live.
    pub dir: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct LogSettings {
    /// `json` (production) or `pretty`.
    pub format: String,
    /// A tracing filter, e.g. `info` or `payrail=debug,info`.
    pub level: String,
}

const DEFAULTS: &str = r#"
[server]
listen = "127.0.0.1:8080"

[database]
max_connections = 16
acquire_timeout_ms = 3000

[admin]

[security]
timestamp_tolerance_secs = 300
secret_grace_secs = 86400
secret_cache_secs = 5

[payments]
max_amount_minor = 100000000000
default_expires_in_secs = 1800
max_expires_in_secs = 604800
max_hosted_attempts = 10

[idempotency]
retention_secs = 86400
lock_secs = 60

[recheck]
per_minute = 60
burst = 10
returns_per_minute = 6
returns_burst = 3

[webhooks]
per_minute = 6000
burst = 1000
rejected_per_minute = 10
rejected_burst = 20

[gateway]
timeout_ms = 15000
connect_timeout_ms = 5000
pool_idle_timeout_ms = 4000

[notify]
allowed_hosts = ""
timeout_ms = 10000

[workers]
enabled = true
delivery_interval_ms = 1000
reconcile_interval_ms = 15000
cleanup_interval_ms = 60000
expiry_grace_secs = 3600
batch = 100
journal_retention_days = 30
refund_settle_secs = 600
refund_review_secs = 86400

[sandbox]

[log]
format = "json"
level = "info"

[data]
dir = "."

[routing]
breaker_threshold = 3
breaker_cooldown_secs = 30
"#;

impl Settings {
    /// The database URL in force: the configured one, else the embedded SQLite file.
    pub fn database_url(&self) -> String {
        use secrecy::ExposeSecret;
        match &self.database.url {
            Some(url) => url.expose_secret().to_owned(),
            None => format!(
                "sqlite://{}/payrail.db",
                self.data.dir.trim_end_matches('/')
            ),
        }
    }

    /// Embedded mode: the SQLite store (configured or by default).
    pub fn is_embedded(&self) -> bool {
        self.database_url().starts_with("sqlite:")
    }

    /// Sandbox mode: explicitly on, or by default with the embedded store.
    pub fn sandbox_enabled(&self) -> bool {
        self.sandbox.enabled.unwrap_or_else(|| self.is_embedded())
    }

    /// Merchant URL policy switches: explicit values win; otherwise on in the sandbox only.
    pub fn allow_http(&self) -> bool {
        self.notify
            .allow_http
            .unwrap_or_else(|| self.sandbox_enabled())
    }

    pub fn allow_private_hosts(&self) -> bool {
        self.notify
            .allow_private_hosts
            .unwrap_or_else(|| self.sandbox_enabled())
    }

    /// Loads the layers. `file` is `--config`; without it `payrail.toml` is read when present.
    pub fn load(file: Option<&Path>) -> Result<Self, config::ConfigError> {
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
        builder = match file {
            Some(path) => builder.add_source(config::File::from(path).required(true)),
            None => builder.add_source(config::File::with_name("payrail.toml").required(false)),
        };
        builder = builder.add_source(
            config::Environment::with_prefix("PAYRAIL")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        );
        let mut settings: Settings = builder.build()?.try_deserialize()?;
        if settings.database.url.is_none() {
            settings.database.url = std::env::var("DATABASE_URL").ok().map(SecretString::from);
        }
        Ok(settings)
    }

    /// Settings from the defaults alone (tests start here and override fields).
    pub fn defaults() -> Self {
        config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .build()
            .and_then(|c| c.try_deserialize())
            .expect("built-in defaults deserialize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_documented_values() {
        let s = Settings::defaults();
        assert_eq!(s.server.listen, "127.0.0.1:8080");
        assert_eq!(s.security.timestamp_tolerance_secs, 300);
        assert_eq!(s.idempotency.retention_secs, 86400);
        assert_eq!((s.webhooks.per_minute, s.webhooks.burst), (6000, 1000));
        assert_eq!(
            (s.webhooks.rejected_per_minute, s.webhooks.rejected_burst),
            (10, 20)
        );
        assert_eq!(s.notify.allow_http, None);
        assert_eq!(s.sandbox.enabled, None);
        assert_eq!(s.data.dir, ".");
        assert_eq!(s.database.acquire_timeout_ms, 3000);
        assert!(s.admin.token.is_none());
    }

    #[test]
    fn secrets_do_not_print() {
        let mut s = Settings::defaults();
        s.admin.token = Some(SecretString::from("super-secret-token"));
        assert!(!format!("{s:?}").contains("super-secret-token"));
    }
}
