//! HimoSoft simulator (placeholder until it is written; mounts nothing).

use actix_web::web;
use std::sync::Arc;

pub struct HimoSoftSim;

impl HimoSoftSim {
    pub fn new(_http: reqwest::Client) -> Self {
        Self
    }
}

/// Mounts the simulator under `{prefix}/himosoft`.
pub fn configure(_cfg: &mut web::ServiceConfig, _sim: &Arc<HimoSoftSim>, _prefix: &str) {}

/// The built-in test account, as the credential object Payrail stores (None: not written yet).
pub fn default_credentials() -> Option<serde_json::Value> {
    None
}
