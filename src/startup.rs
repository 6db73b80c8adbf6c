//! Building the application: pool, migrations, adapters, the HTTP server on a bound listener.
//! Tests call `Application::build` with port 0 and read `port()`.

use crate::config::Settings;
use crate::crypto::SecretBox;
use crate::http::{self, AppState};
use crate::metrics::Metrics;
use crate::orchestration::Orchestrator;
use crate::providers::Registry;
use crate::{store, workers};
use actix_web::{dev::Server, middleware::from_fn, web, App, HttpServer};
use anyhow::Context;
use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

pub struct Application {
    port: u16,
    server: Server,
    pub orchestrator: Orchestrator,
}

/// The HTTP client every adapter shares: timeouts bound every gateway call; no proxy from the
/// environment (gateway traffic goes where the account's base URL says).
pub fn gateway_client(settings: &Settings) -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_millis(settings.gateway.timeout_ms))
        .connect_timeout(Duration::from_millis(settings.gateway.connect_timeout_ms))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("payrail/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the gateway HTTP client")
}

/// Connects to the database, applies migrations and assembles the use cases (also used by the
/// CLI subcommands that act without serving).
pub async fn orchestrator(settings: Settings, public_url: String) -> anyhow::Result<Orchestrator> {
    let url = settings.database.url.as_ref().context(
        "no database configured: set PAYRAIL__DATABASE__URL or DATABASE_URL to a postgres:// URL",
    )?;
    let pool = store::connect(url.expose_secret(), settings.database.max_connections)
        .await
        .context("connecting to the database")?;
    store::migrate(&pool).await.context("applying migrations")?;
    let master_key =
        settings.security.master_key.as_ref().context(
            "no master key: set PAYRAIL__SECURITY__MASTER_KEY to base64 of 32 random bytes",
        )?;
    let secrets = SecretBox::from_base64(master_key.expose_secret())?;
    Ok(Orchestrator {
        pool,
        providers: Registry::new(gateway_client(&settings)?),
        settings: Arc::new(settings),
        secrets,
        metrics: Metrics::new(),
        public_url,
    })
}

impl Application {
    /// Connects, migrates, binds `server.listen` and builds the server (not yet running).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.server.listen)
            .with_context(|| format!("binding {}", settings.server.listen))?;
        let port = listener.local_addr()?.port();
        let public_url = match &settings.server.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", listener.local_addr()?),
        };
        let orchestrator = orchestrator(settings, public_url).await?;
        let server = run(listener, AppState::new(orchestrator.clone()))?;
        Ok(Self {
            port,
            server,
            orchestrator,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until stopped, with the background workers running beside the server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let jobs = workers::spawn_all(self.orchestrator.clone());
        let result = self.server.await;
        for job in jobs {
            job.abort();
        }
        result
    }

    /// The server future alone (tests drive workers themselves).
    pub fn into_server(self) -> Server {
        self.server
    }
}

pub fn run(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    let workers = state.orch.settings.server.workers;
    let metrics = web::Data::new(state.orch.metrics.clone());
    let state = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(metrics.clone())
            .wrap(from_fn(http::middleware::observe))
            .configure(http::configure)
            .default_service(web::to(http::no_route))
    })
    .listen(listener)?;
    if let Some(n) = workers {
        server = server.workers(n);
    }
    Ok(server.run())
}
