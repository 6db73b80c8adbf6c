//! Which adapter serves which provider id. Adding a gateway means one line here.

use super::hitpay::HitPay;
use super::{paystablecoin::PayStableCoin, ProviderAdapter, ProviderId};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone)]
pub struct Registry {
    adapters: HashMap<ProviderId, Arc<dyn ProviderAdapter>>,
}

impl Registry {
    /// All adapters, sharing one HTTP client (its timeouts apply to every gateway call).
    pub fn new(client: reqwest::Client) -> Self {
        let mut adapters: HashMap<ProviderId, Arc<dyn ProviderAdapter>> = HashMap::new();
        adapters.insert(
            ProviderId::PayStableCoin,
            Arc::new(PayStableCoin::new(client.clone())),
        );
        // hitpay (one line each, so the gateways' branches merge without touching each other)
        adapters.insert(ProviderId::HitPay, Arc::new(HitPay::new(client.clone())));

        // paymento

        // pakhipay

        // himosoft

        drop(client);
        Self { adapters }
    }

    pub fn get(&self, id: ProviderId) -> Option<Arc<dyn ProviderAdapter>> {
        self.adapters.get(&id).cloned()
    }

    /// Provider ids that have an adapter, in a stable order.
    pub fn available(&self) -> Vec<ProviderId> {
        ProviderId::ALL
            .into_iter()
            .filter(|p| self.adapters.contains_key(p))
            .collect()
    }
}
