//! Which adapter serves which provider id. Adding a gateway means one line here.

use super::himosoft::HimoSoft;
use super::hitpay::HitPay;
use super::pakhipay::PakhiPay;
use super::paymento::Paymento;
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
        adapters.insert(
            ProviderId::Paymento,
            Arc::new(Paymento::new(client.clone())),
        );

        // pakhipay
        adapters.insert(
            ProviderId::PakhiPay,
            Arc::new(PakhiPay::new(client.clone())),
        );

        // himosoft
        adapters.insert(
            ProviderId::HimoSoft,
            Arc::new(HimoSoft::new(client.clone())),
        );

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
