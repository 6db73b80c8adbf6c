//! Building the application: pool, migrations, adapters, the HTTP server on a bound listener.
//! Tests call `Application::build` with port 0 and read `port()`; the server is already serving.

use crate::config::Settings;
use crate::crypto::SecretBox;
use crate::http::{self, AppState};
use crate::metrics::Metrics;
use crate::orchestration::{Orchestrator, Parts};
use crate::providers::Registry;
use crate::sim::Simulators;
use crate::store::Db;
use crate::{embedded, workers};
use actix_web::{dev::Server, middleware::from_fn, web, App, HttpServer};
use anyhow::Context;
use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::time::Duration;

pub struct Application {
    port: u16,
    serving: tokio::task::JoinHandle<std::io::Result<()>>,
    handle: actix_web::dev::ServerHandle,
    pub orchestrator: Orchestrator,
    demo: Option<embedded::DemoMerchant>,
}

/// The HTTP client every adapter shares: timeouts bound every gateway call; no proxy from the
/// environment (gateway traffic goes where the account's base URL says).
pub fn gateway_client(settings: &Settings) -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_millis(settings.gateway.timeout_ms))
        .connect_timeout(Duration::from_millis(settings.gateway.connect_timeout_ms))
        .pool_idle_timeout(Duration::from_millis(settings.gateway.pool_idle_timeout_ms))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("payrail/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the gateway HTTP client")
}

/// Connects to the database, applies migrations and assembles the use cases (also used by the
/// CLI subcommands that act without serving). Embedded mode fills in generated keys first.
pub async fn orchestrator(
    mut settings: Settings,
    public_url: String,
) -> anyhow::Result<Orchestrator> {
    embedded::ensure_local_secrets(&mut settings)?;
    let url = settings.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data.dir)
            .with_context(|| format!("creating {}", settings.data.dir))?;
    }
    let master_key =
        settings.security.master_key.as_ref().context(
            "no master key: set PAYRAIL__SECURITY__MASTER_KEY to base64 of 32 random bytes",
        )?;
    let secrets = SecretBox::from_base64(master_key.expose_secret())?;
    let db = Db::connect_with(
        &url,
        settings.database.max_connections,
        Duration::from_millis(settings.database.acquire_timeout_ms.max(1)),
    )
    .await
    .context("connecting to the database")?;
    db.migrate().await.context("applying migrations")?;
    let breakers = crate::orchestration::breaker::Breakers::new(
        settings.routing.breaker_threshold,
        chrono::Duration::seconds(settings.routing.breaker_cooldown_secs),
    );
    let parts = Parts {
        providers: Registry::new(gateway_client(&settings)?),
        settings,
        secrets,
        metrics: Metrics::new(),
        public_url,
        breakers,
    };
    Ok(Orchestrator::new(db, parts))
}

impl Application {
    /// Connects, migrates, binds `server.listen` and starts serving (the server runs on the
    /// current runtime from here on; workers start with `run_until_stopped`). In sandbox mode the
    /// simulators are mounted at `/sandbox/…` and the demo merchant is ready: it is prepared
    /// after the server is up, because connecting it may call the in-process simulators.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.server.listen)
            .with_context(|| format!("binding {}", settings.server.listen))?;
        let port = listener.local_addr()?.port();
        let public_url = match &settings.server.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", listener.local_addr()?),
        };
        let orchestrator = orchestrator(settings, public_url).await?;
        let sandbox = orchestrator.settings.sandbox_enabled();
        let sims = sandbox.then(|| Simulators::new(sim_client()));
        let server = run(listener, AppState::new(orchestrator.clone()), sims)?;
        let handle = server.handle();
        let serving = tokio::spawn(server);
        let demo = if sandbox {
            match embedded::prepare_sandbox(&orchestrator).await {
                Ok(demo) => Some(demo),
                Err(err) => {
                    handle.stop(false).await;
                    return Err(err);
                }
            }
        } else {
            None
        };
        Ok(Self {
            port,
            serving,
            handle,
            orchestrator,
            demo,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The instance's clock (tests move it forward to drive budgets and cool-downs).
    pub fn clock(&self) -> crate::clock::Clock {
        self.orchestrator.clock.clone()
    }

    /// The sandbox banner (URL, demo merchant, admin token, a curl line), in sandbox mode.
    pub fn banner(&self) -> Option<String> {
        self.demo
            .as_ref()
            .map(|d| embedded::banner(&self.orchestrator, d))
    }

    /// Serves until stopped, with the background workers running beside the server.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let jobs = workers::spawn_all(self.orchestrator.clone());
        let result = self.serving.await;
        for job in jobs {
            job.abort();
        }
        Ok(result??)
    }

    /// Stops serving (tests that restart an instance).
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }
}

/// The in-process simulators post webhooks to this very server, over loopback (idle connections
/// dropped before actix's 5 s keep-alive closes them).
fn sim_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .pool_idle_timeout(crate::notify::client::IDLE_CONNECTION_REUSE)
        .build()
        .unwrap_or_default()
}

pub fn run(
    listener: TcpListener,
    state: AppState,
    sims: Option<Simulators>,
) -> std::io::Result<Server> {
    let workers = state.orch.settings.server.workers;
    let metrics = web::Data::new(state.orch.metrics.clone());
    let state = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        let sims = sims.clone();
        App::new()
            .app_data(state.clone())
            .app_data(metrics.clone())
            .wrap(from_fn(http::request_guard::refuse_control_characters))
            // The last `wrap` is outermost: a caught panic's answer still gets its request id.
            .wrap(from_fn(http::panic_guard::catch_panics))
            .wrap(from_fn(http::middleware::observe))
            .configure(http::configure)
            .configure(move |cfg| {
                if let Some(sims) = &sims {
                    crate::sim::configure(cfg, sims, "/sandbox");
                }
            })
            .default_service(web::to(http::no_route))
    })
    .listen(listener)?;
    if let Some(n) = workers {
        server = server.workers(n);
    }
    Ok(server.run())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};

    /// A gateway that answers one request per connection and closes the connection, silently,
    /// when a second request arrives on it: what a server closing an idle connection looks like
    /// to a client that wrote onto it at the wrong moment.
    fn one_request_per_connection_gateway() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    // Read the first request's head (the test sends GETs, no body).
                    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                        line.clear();
                    }
                    let mut stream = stream;
                    let _ = stream.write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok",
                    );
                    // A second request on this connection: hang up without answering.
                    line.clear();
                    let _ = reader.read_line(&mut line);
                });
            }
        });
        format!("http://{address}/")
    }

    #[tokio::test]
    async fn an_idle_gateway_connection_is_not_reused_past_the_pool_idle_timeout() {
        let mut settings = Settings::defaults();
        settings.gateway.pool_idle_timeout_ms = 100;
        let client = gateway_client(&settings).unwrap();
        let url = one_request_per_connection_gateway();
        for _ in 0..2 {
            let answer = crate::providers::http_call::send(client.get(&url)).await;
            assert_eq!(answer.map(|a| a.status), Ok(200));
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
    }
}
