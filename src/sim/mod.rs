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

mod common;
pub mod himosoft;
pub mod hitpay;
pub mod pakhipay;
pub mod paymento;
pub mod paystablecoin;

/// Every simulator, each behind an `Arc` so the app and the tests share one state.
#[derive(Clone)]
pub struct Simulators {
    pub paystablecoin: Arc<paystablecoin::PscSim>,
    pub hitpay: Arc<hitpay::HitPaySim>,
    pub paymento: Arc<paymento::PaymentoSim>,
    pub pakhipay: Arc<pakhipay::PakhiPaySim>,
    pub himosoft: Arc<himosoft::HimoSoftSim>,
}

impl Simulators {
    /// `http` is the client the simulators use to send webhooks.
    pub fn new(http: reqwest::Client) -> Self {
        Simulators {
            paystablecoin: Arc::new(paystablecoin::PscSim::new(http.clone())),
            hitpay: Arc::new(hitpay::HitPaySim::new(http.clone())),
            paymento: Arc::new(paymento::PaymentoSim::new(http.clone())),
            pakhipay: Arc::new(pakhipay::PakhiPaySim::new(http.clone())),
            himosoft: Arc::new(himosoft::HimoSoftSim::new(http)),
        }
    }
}

/// Each simulator's built-in account, as the credential object Payrail stores for that gateway
/// (the sandbox connects its demo merchant with these).
pub fn default_credentials() -> Vec<(&'static str, serde_json::Value)> {
    let psc = paystablecoin::state::Account::default_account();
    let mut all = vec![(
        "paystablecoin",
        serde_json::json!({
            "merchant_id": psc.merchant_id,
            "api_key": psc.api_key,
            "api_secret": psc.api_secret,
        }),
    )];
    let others = [
        ("hitpay", hitpay::default_credentials()),
        ("paymento", paymento::default_credentials()),
        ("pakhipay", pakhipay::default_credentials()),
        ("himosoft", himosoft::default_credentials()),
    ];
    all.extend(others.into_iter().filter_map(|(p, c)| c.map(|c| (p, c))));
    all
}

/// Mounts every simulator under `prefix` (`""` → `/paystablecoin/...`, `"/sandbox"` →
/// `/sandbox/paystablecoin/...`).
pub fn configure(cfg: &mut web::ServiceConfig, sims: &Simulators, prefix: &str) {
    paystablecoin::configure(cfg, &sims.paystablecoin, prefix);
    hitpay::configure(cfg, &sims.hitpay, prefix);
    paymento::configure(cfg, &sims.paymento, prefix);
    pakhipay::configure(cfg, &sims.pakhipay, prefix);
    himosoft::configure(cfg, &sims.himosoft, prefix);
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
