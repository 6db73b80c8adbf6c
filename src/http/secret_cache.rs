//! Decrypted merchant secrets and signing policy kept for a few seconds
//! (`security.secret_cache_secs`), so a signed request costs neither a database round trip nor
//! an AES-GCM open (issue 7: this was half the database work of `verify`). Each secret is kept
//! as an HMAC key already set up ([`HmacKey`]), so a check skips the key's two SHA-256
//! compressions too (issue 20); the plain secret is dropped once the key is made.
//!
//! A signature that none of the cached keys match is checked again against the database, so a
//! secret made by a rotation works at once; a rotated-out secret stops at its grace end exactly.
//! Only a secret whose grace is cut short by a second rotation, or a policy changed on another
//! instance, may still apply there for up to the cache time (this instance forgets at once).

use crate::crypto::HmacKey;
use crate::domain::request_signing::SignaturePolicy;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A merchant's active secrets as HMAC keys ready to check with, newest first, and which signed
/// forms it accepts.
pub struct MerchantKeys {
    pub secrets: Vec<HmacKey>,
    pub policy: SignaturePolicy,
}

pub type Keys = Arc<MerchantKeys>;

struct Cached {
    keys: Keys,
    loaded: Instant,
    /// The earliest end of a grace period among the keys: the entry is never used past it.
    valid_until: Option<DateTime<Utc>>,
}

pub struct SecretCache {
    ttl: std::time::Duration,
    entries: Mutex<HashMap<String, Cached>>,
}

/// Bounds memory against many merchants: past this the cache starts over.
const MAX_CACHED_MERCHANTS: usize = 10_000;

impl SecretCache {
    pub fn new(ttl_secs: u64) -> Self {
        Self {
            ttl: std::time::Duration::from_secs(ttl_secs),
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, merchant_id: &str, now: DateTime<Utc>) -> Option<Keys> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let hit = entries.get(merchant_id)?;
        (hit.loaded.elapsed() < self.ttl && hit.valid_until.is_none_or(|t| now < t))
            .then(|| hit.keys.clone())
    }

    pub fn put(&self, merchant_id: &str, keys: Keys, valid_until: Option<DateTime<Utc>>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_CACHED_MERCHANTS {
            entries.clear();
        }
        let loaded = Instant::now();
        entries.insert(
            merchant_id.to_owned(),
            Cached {
                keys,
                loaded,
                valid_until,
            },
        );
    }

    /// After a rotation or a policy change on this instance.
    pub fn forget(&self, merchant_id: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(merchant_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn keys(secret: &str) -> Keys {
        Arc::new(MerchantKeys {
            secrets: vec![HmacKey::new(secret.as_bytes())],
            policy: SignaturePolicy::Compatible,
        })
    }

    #[test]
    fn cached_secrets_end_with_their_grace_period_and_on_forget() {
        let cache = SecretCache::new(60);
        let now = Utc::now();
        cache.put("mer_a", keys("s1"), Some(now + Duration::seconds(10)));
        assert!(cache.get("mer_a", now).is_some());
        assert!(cache.get("mer_a", now + Duration::seconds(10)).is_none());
        cache.put("mer_b", keys("s2"), None);
        assert!(cache.get("mer_b", now).is_some());
        cache.forget("mer_b");
        assert!(cache.get("mer_b", now).is_none());
    }

    #[test]
    fn a_zero_cache_time_keeps_nothing() {
        let cache = SecretCache::new(0);
        cache.put("mer_a", keys("s1"), None);
        assert!(cache.get("mer_a", Utc::now()).is_none());
    }
}
