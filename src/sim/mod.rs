//! Gateway simulators: local, faithful fakes of the real gateways.
//!
//! The real gateways cannot be reached from the build machines, so tests and the sandbox talk to
//! these instead (design §6). Each simulator follows its gateway's contract in `providers.md` byte
//! for byte (paths, signing, envelopes, statuses, webhooks) and adds test controls under `_sim/`.
//!
//! The simulators deliberately share no code with `crate::providers`: their signing code is an
//! independent implementation, so adapter and simulator cannot agree while both being wrong; both
//! are checked against the published vectors.

use std::sync::Arc;

use actix_web::{web, App, HttpServer};

pub mod paystablecoin;

/// Every simulator, each behind an `Arc` so the app and the tests share one state.
#[derive(Clone)]
pub struct Simulators {
    pub paystablecoin: Arc<paystablecoin::PscSim>,
}

impl Simulators {
    /// `http` is the client the simulators use to send webhooks.
    pub fn new(http: reqwest::Client) -> Self {
        Simulators {
            paystablecoin: Arc::new(paystablecoin::PscSim::new(http)),
        }
    }
}

/// Each simulator's built-in account, as the credential object Payrail stores for that gateway
/// (the sandbox connects its demo merchant with these).
pub fn default_credentials() -> Vec<(&'static str, serde_json::Value)> {
    let psc = paystablecoin::state::Account::default_account();
    vec![(
        "paystablecoin",
        serde_json::json!({
            "merchant_id": psc.merchant_id,
            "api_key": psc.api_key,
            "api_secret": psc.api_secret,
        }),
    )]
}

/// Mounts every simulator under `prefix` (`""` → `/paystablecoin/...`, `"/sandbox"` →
/// `/sandbox/paystablecoin/...`).
pub fn configure(cfg: &mut web::ServiceConfig, sims: &Simulators, prefix: &str) {
    paystablecoin::configure(cfg, &sims.paystablecoin, prefix);
}

/// Runs the simulators alone on a bound listener (`payrail sim --listen ...`, and tests).
pub fn serve(
    listener: std::net::TcpListener,
    sims: Simulators,
) -> std::io::Result<actix_web::dev::Server> {
    let server = HttpServer::new(move || {
        let sims = sims.clone();
        App::new().configure(move |cfg| configure(cfg, &sims, ""))
    })
    .workers(2)
    .listen(listener)?
    .run();
    Ok(server)
}
