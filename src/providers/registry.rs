//! The one list of gateways, and which adapter serves which provider id.
//!
//! The list is the `gateways!` call in `providers/mod.rs`: one name a line, each the folder of a
//! gateway that exports `GATEWAY` (its [`GatewayDescriptor`]) and `ID`. The macro declares the
//! folders' modules and [`GATEWAYS`](super::GATEWAYS) in that order, so a gateway cannot be
//! declared without being listed, nor listed without a folder. Nothing else names a gateway.

use super::{ProviderAdapter, ProviderId};
use std::collections::HashMap;
use std::sync::Arc;

/// Declares each gateway folder as a module and lists their descriptors in `GATEWAYS`.
macro_rules! gateways {
    ($($gateway:ident),+ $(,)?) => {
        $(pub mod $gateway;)+

        /// Every gateway, in a stable order (the docs tables, [`Registry::available`]).
        pub static GATEWAYS: &[&GatewayDescriptor] = &[$(&$gateway::GATEWAY),+];
    };
}

#[derive(Clone)]
pub struct Registry {
    adapters: HashMap<ProviderId, Arc<dyn ProviderAdapter>>,
}

impl Registry {
    /// All adapters, sharing one HTTP client (its timeouts apply to every gateway call).
    pub fn new(client: reqwest::Client) -> Self {
        let adapters = ProviderId::all()
            .map(|id| (id, (id.descriptor().adapter)(client.clone())))
            .collect();
        Self { adapters }
    }

    pub fn get(&self, id: ProviderId) -> Option<Arc<dyn ProviderAdapter>> {
        self.adapters.get(&id).cloned()
    }

    /// Provider ids that have an adapter, in a stable order.
    pub fn available(&self) -> Vec<ProviderId> {
        ProviderId::all()
            .filter(|p| self.adapters.contains_key(p))
            .collect()
    }
}
