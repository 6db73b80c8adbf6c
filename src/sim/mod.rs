//! Gateway simulators: local, faithful fakes of the real gateways.
//!
//! The real gateways cannot be reached from the build machines, so tests and the sandbox talk to
//! these instead (docs/sandbox.md). Each simulator follows its gateway's contract, as its note in
//! docs/gateways/ describes it, byte for byte (paths, signing, envelopes, statuses, webhooks) and
//! adds test controls under `_sim/`.
//!
//! The simulators deliberately share no code with `crate::providers`: their signing code is an
//! independent implementation, so adapter and simulator cannot agree while both being wrong; both
//! are checked against the test vectors in each gateway's note.

use std::any::Any;
use std::sync::Arc;

use actix_web::{web, App, HttpServer};

#[macro_use]
mod common;

pub use common::shell::{SimDescriptor, Simulator};
/// The simulators' test webhook receiver, for the adapters' tests against a simulator too.
#[cfg(test)]
pub(crate) use common::test_receiver;

simulators! {
    paystablecoin,
    hitpay,
    paymento,
    pakhipay,
    himosoft,
    stripe,
    bkash,
}

/// Every simulator, each behind an `Arc` so the app and the tests share one state.
#[derive(Clone)]
pub struct Simulators {
    running: Vec<(&'static SimDescriptor, Arc<dyn Simulator>)>,
}

impl Simulators {
    /// `http` is the client the simulators use to send webhooks.
    pub fn new(http: reqwest::Client) -> Self {
        let running = SIMULATORS
            .iter()
            .map(|d| (*d, (d.start)(http.clone())))
            .collect();
        Simulators { running }
    }

    /// The running simulator of type `T` (a test reaches its simulator's state through this).
    ///
    /// # Panics
    /// When no listed simulator has that type.
    pub fn get<T: Simulator>(&self) -> Arc<T> {
        self.running
            .iter()
            .find_map(|(_, sim)| {
                let any: Arc<dyn Any + Send + Sync> = sim.clone();
                any.downcast::<T>().ok()
            })
            .expect("a listed simulator of this type")
    }
}

/// Each simulator's built-in account, as the credential object Payrail stores for that gateway
/// (the sandbox connects its demo merchant with these).
pub fn default_credentials() -> Vec<(&'static str, serde_json::Value)> {
    SIMULATORS
        .iter()
        .map(|d| (d.id, (d.default_credentials)()))
        .collect()
}

/// Mounts every simulator under `prefix` (`""` → `/{id}/...`, `"/sandbox"` → `/sandbox/{id}/...`).
pub fn configure(cfg: &mut web::ServiceConfig, sims: &Simulators, prefix: &str) {
    for (_, sim) in &sims.running {
        Arc::clone(sim).mount_at(cfg, prefix);
    }
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
