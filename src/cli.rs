//! Command line: `serve` (default), `migrate`, `audit`, `sim`, `merchant create`, `provider connect`,
//! `recheck`.

use crate::config::Settings;
use crate::orchestration::accounts::ConnectRequest;
use crate::startup::{self, Application};
use anyhow::Context;
use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "payrail",
    version,
    about = "Payment orchestration: one API in front of many gateways"
)]
pub struct Cli {
    /// Configuration file (default: ./payrail.toml when present).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Apply migrations, then serve the API and run the background workers (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Check the store's money and event invariants (read only); prints each violation as
    /// `<check> <id>: <message>`, then a summary. Exit code 0: clean; 1: violations; 2: the
    /// audit could not run.
    Audit {
        /// Payments read per snapshot (memory grows with it).
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        batch_size: u32,
    },
    /// Run the gateway simulators alone.
    Sim {
        #[arg(long, default_value = "127.0.0.1:9100")]
        listen: String,
    },
    /// Merchants.
    Merchant {
        #[command(subcommand)]
        action: MerchantAction,
    },
    /// Gateway accounts.
    Provider {
        #[command(subcommand)]
        action: ProviderAction,
    },
    /// Recheck payments live with their gateways (e.g. `--status pending --older-than 15m`).
    Recheck {
        /// A payment status (default: pending and processing).
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        provider: Option<String>,
        #[arg(long)]
        merchant: Option<String>,
        /// Only payments older than this (e.g. 15m, 2h).
        #[arg(long, value_parser = humantime::parse_duration)]
        older_than: Option<std::time::Duration>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// Report what would change without changing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum MerchantAction {
    /// Create a merchant; prints its id and secret as JSON (the secret is shown once).
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        webhook_url: Option<String>,
        /// The name customers see on the hosted checkout page (default: `--name`).
        #[arg(long)]
        display_name: Option<String>,
        /// An https URL of the logo shown on the hosted checkout page.
        #[arg(long)]
        logo_url: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProviderAction {
    /// Connect (or reconnect) a merchant to a gateway; prints the account as JSON.
    Connect {
        #[arg(long)]
        merchant: String,
        #[arg(long)]
        provider: String,
        /// The credential object as JSON, e.g. '{"merchant_id":"1000","api_key":"…","api_secret":"…"}'.
        #[arg(long)]
        credentials: String,
        #[arg(long)]
        base_url: Option<String>,
        #[arg(long, default_value_t = 100)]
        priority: i32,
        #[arg(long)]
        disabled: bool,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(cli.config.as_deref()).context("loading configuration")?;
    // Held to the end of the command: dropping it flushes the log.
    let _log = crate::telemetry::init(&settings.log.format, &settings.log.level);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(settings).await?;
            if let Some(banner) = app.banner() {
                println!("{banner}");
            }
            tracing::info!(port = app.port(), public_url = %app.orchestrator.public_url, "payrail is serving");
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            if settings.is_embedded() {
                std::fs::create_dir_all(&settings.data.dir)?;
            }
            let db = crate::store::Db::connect(&settings.database_url(), 1).await?;
            db.migrate().await?;
            println!("migrations applied ({})", db.engine());
        }
        Command::Audit { batch_size } => return Ok(audit(&settings, batch_size).await),
        Command::Sim { listen } => {
            let listener = std::net::TcpListener::bind(&listen)
                .with_context(|| format!("binding {listen}"))?;
            tracing::info!(%listen, "gateway simulators are serving");
            let sims = crate::sim::Simulators::new(startup::gateway_client(&settings)?);
            crate::sim::serve(listener, sims)?.await?;
        }
        Command::Merchant {
            action:
                MerchantAction::Create {
                    name,
                    webhook_url,
                    display_name,
                    logo_url,
                },
        } => {
            let orch = startup::orchestrator(settings.clone(), public_url(&settings)).await?;
            let profile = crate::orchestration::merchant_profile::ProfileUpdate {
                display_name: display_name.map(Some),
                logo_url: logo_url.map(Some),
                signature_policy: None,
            };
            let m = orch
                .create_merchant(&name, webhook_url.as_deref(), &profile)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut out = crate::http::admin::merchant_json(&m.merchant);
            out["secret"] = m.secret.expose_secret().into();
            println!("{out}");
        }
        Command::Provider {
            action:
                ProviderAction::Connect {
                    merchant,
                    provider,
                    credentials,
                    base_url,
                    priority,
                    disabled,
                },
        } => {
            let orch = startup::orchestrator(settings.clone(), public_url(&settings)).await?;
            let request = ConnectRequest {
                credentials: serde_json::from_str(&credentials)
                    .context("--credentials must be a JSON object")?,
                base_url,
                enabled: !disabled,
                priority,
                currencies: vec![],
                methods: vec![],
            };
            let account = orch
                .connect_provider(&merchant, &provider, request)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{account}");
        }
        Command::Recheck {
            status,
            provider,
            merchant,
            older_than,
            limit,
            dry_run,
        } => {
            let orch = startup::orchestrator(settings.clone(), public_url(&settings)).await?;
            let request = crate::orchestration::ops::BulkRecheck {
                status,
                provider,
                merchant_id: merchant,
                older_than_secs: older_than.map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
                limit: Some(limit),
                dry_run,
            };
            // A progress bar on a terminal; plain output otherwise (hidden bars draw nothing).
            let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                indicatif::ProgressBar::new(0)
            } else {
                indicatif::ProgressBar::hidden()
            };
            let report = orch
                .bulk_recheck(&request, &|done, total| {
                    bar.set_length(total as u64);
                    bar.set_position(done as u64);
                })
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            bar.finish_and_clear();
            println!("{report}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `payrail audit`: 0 when clean, 1 with violations, 2 when it could not run.
async fn audit(settings: &Settings, batch_size: u32) -> ExitCode {
    let options = crate::audit::AuditOptions { batch_size };
    let result = async {
        let url = settings.database_url();
        if let Some(path) = url.strip_prefix("sqlite://") {
            // Connecting would create an empty store; an audit never writes.
            let path = path.split('?').next().unwrap_or(path);
            anyhow::ensure!(std::path::Path::new(path).exists(), "no database at {path}");
        }
        let db = crate::store::Db::connect(&url, 2).await?;
        let (latest, applied) = db
            .schema_versions()
            .await
            .context("reading the schema version (run `payrail migrate` first)")?;
        anyhow::ensure!(
            applied.is_some_and(|v| v >= latest),
            "the schema is at {applied:?}, this build audits {latest}: run `payrail migrate` first"
        );
        let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
        crate::audit::print(&db, &options, &mut std::io::stdout().lock(), progress).await
    };
    match result.await {
        Ok(summary) if summary.is_clean() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            eprintln!("payrail audit: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn public_url(settings: &Settings) -> String {
    settings
        .server
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", settings.server.listen))
        .trim_end_matches('/')
        .to_owned()
}
