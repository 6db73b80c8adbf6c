//! What a gateway is to the rest of Payrail: one [`GatewayDescriptor`] per gateway folder.
//!
//! Everything outside a gateway's folder that used to name the gateway (its id and display name,
//! its production API base, what it supports, its credential object, which of its webhook headers
//! the journal keeps, how its adapter is built) is a field here, filled in once by the folder's
//! `GATEWAY`. The rest of the code asks the descriptor, so adding a gateway is its folder plus one
//! line in the list (`super::GATEWAYS`), and no `match` elsewhere can forget it.
//!
//! [`ProviderId`] is a handle on a listed descriptor. Its text (in URLs, the database, the API and
//! serde) is the descriptor's `id`, exactly the strings the enum it replaced used.

use super::{Method, ProviderAdapter};
use serde::{Serialize, Serializer};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// One gateway, as its folder declares it.
pub struct GatewayDescriptor {
    /// The id in URLs, the database, the API and logs (`provider`). Never changes once used.
    pub id: &'static str,
    /// The gateway's own name, for messages.
    pub display_name: &'static str,
    /// The gateway's production API base, used when an account gives no `base_url`.
    pub default_base_url: &'static str,
    pub capabilities: Capabilities,
    /// The credential object's shape, exactly as `openapi.yaml` documents it for this gateway
    /// (a docs test compares the two).
    pub credentials_shape: &'static str,
    /// Checks the credential object's shape before it is stored (message names the bad field).
    pub validate_credentials: fn(&serde_json::Value) -> Result<(), String>,
    /// Lowercase prefixes of this gateway's own webhook headers the journal keeps, besides the
    /// signature, timestamp and content headers every gateway's are kept for.
    pub webhook_header_prefixes: &'static [&'static str],
    /// Builds the adapter on the shared HTTP client.
    pub adapter: fn(reqwest::Client) -> Arc<dyn ProviderAdapter>,
}

/// What a gateway supports (docs/ARCHITECTURE.md's capability table mirrors it; a test checks).
#[derive(Clone, Copy, Debug)]
pub struct Capabilities {
    pub create: bool,
    pub query: bool,
    pub refund: bool,
    pub cancel: bool,
    /// Payment currencies the gateway accepts (ISO 4217 codes).
    pub currencies: &'static [&'static str],
    pub methods: &'static [Method],
    /// Short description of the webhook signature scheme.
    pub webhook_scheme: &'static str,
    /// Customer name and email must be present on the payment.
    pub requires_customer: bool,
    /// A refund may be for less than what is left of the payment.
    pub partial_refund: bool,
    /// A webhook is only a hint: after it verifies, Payrail asks the gateway (`query`) and
    /// applies that answer.
    pub confirm_webhooks: bool,
    /// `query_refund` finds a refund by Payrail's own reference, so a refund whose answer was
    /// lost can be looked up. Where it cannot (the gateway reads refunds by its own id only),
    /// such a refund is settled from the refunded total the payment's query reports
    /// (`GatewayReport::refunded`).
    pub refund_lookup_by_reference: bool,
}

/// A gateway Payrail can route to: a handle on its listed descriptor.
#[derive(Clone, Copy)]
pub struct ProviderId(&'static GatewayDescriptor);

impl ProviderId {
    /// The id of a descriptor (its folder's `ID` is this of its `GATEWAY`).
    pub const fn of(descriptor: &'static GatewayDescriptor) -> Self {
        ProviderId(descriptor)
    }

    /// Every listed gateway, in the list's order.
    pub fn all() -> impl Iterator<Item = ProviderId> {
        super::GATEWAYS.iter().map(|d| ProviderId(d))
    }

    pub fn as_str(self) -> &'static str {
        self.0.id
    }

    /// The listed gateway with this id.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::all().find(|p| p.as_str() == raw)
    }

    /// The gateway's own name, for messages.
    pub fn display_name(self) -> &'static str {
        self.0.display_name
    }

    pub fn descriptor(self) -> &'static GatewayDescriptor {
        self.0
    }
}

impl PartialEq for ProviderId {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}

impl Eq for ProviderId {}

impl Hash for ProviderId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.id.hash(state);
    }
}

impl fmt::Debug for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProviderId({})", self.0.id)
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ProviderId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip_through_text_and_serde() {
        let ids: Vec<&str> = ProviderId::all().map(ProviderId::as_str).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "duplicate gateway id in {ids:?}");
        for p in ProviderId::all() {
            assert_eq!(ProviderId::parse(p.as_str()), Some(p));
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", p.as_str())
            );
        }
        assert_eq!(ProviderId::parse("nope"), None);
    }

    #[test]
    fn the_ids_stored_in_databases_stay_the_same() {
        let ids: Vec<&str> = ProviderId::all().map(ProviderId::as_str).collect();
        assert_eq!(
            ids,
            [
                "paystablecoin",
                "hitpay",
                "paymento",
                "pakhipay",
                "himosoft",
                "stripe",
                "bkash"
            ]
        );
    }

    #[test]
    fn every_adapter_reports_its_own_descriptor() {
        for p in ProviderId::all() {
            let adapter = (p.descriptor().adapter)(reqwest::Client::new());
            assert_eq!(adapter.id(), p);
        }
    }
}
