//! Prefixed, time-ordered identifiers (`pay_01J…`, `mer_01J…`).
//!
//! A ULID after the prefix sorts by creation time, so a primary-key index on the text id is also
//! a time index, and ids are readable in logs and support tickets. Parsing checks the prefix and
//! the ULID, so a path segment that is not an id of the right kind is a 404, never a query.

use std::fmt;
use std::sync::Mutex;

/// ULIDs from one monotonic generator: within a millisecond the random part is incremented, so
/// ids made in order by this process also sort in order (timeline entries, list pages).
fn next_ulid() -> ulid::Ulid {
    static GENERATOR: Mutex<Option<ulid::Generator>> = Mutex::new(None);
    let mut guard = GENERATOR
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let generator = guard.get_or_insert_with(ulid::Generator::new);
    // Overflow needs 2^80 ids in one millisecond; fall back to a fresh random ULID.
    generator.generate().unwrap_or_else(|_| ulid::Ulid::new())
}

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A new id, ordered after every id this process made before it.
            pub fn generate() -> Self {
                Self(format!("{}_{}", $prefix, next_ulid()))
            }

            /// Accepts only `<prefix>_<26-char ULID>`.
            pub fn parse(raw: &str) -> Option<Self> {
                let rest = raw.strip_prefix($prefix)?.strip_prefix('_')?;
                ulid::Ulid::from_string(rest).ok()?;
                Some(Self(raw.to_owned()))
            }

            /// For values read back from our own database.
            pub fn from_db(raw: String) -> Self {
                Self(raw)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

prefixed_id!(
    /// A merchant (`mer_…`).
    MerchantId,
    "mer"
);
prefixed_id!(
    /// A payment (`pay_…`).
    PaymentId,
    "pay"
);
prefixed_id!(
    /// One try at one gateway for a payment (`att_…`); the gateway-side reference derives from it.
    AttemptId,
    "att"
);
prefixed_id!(
    /// A merchant's connection to one gateway (`acc_…`); it appears in webhook URLs.
    AccountId,
    "acc"
);
prefixed_id!(
    /// A merchant-facing event in the outbox (`evt_…`).
    EventId,
    "evt"
);
prefixed_id!(
    /// A timeline entry (`tle_…`).
    TimelineId,
    "tle"
);
prefixed_id!(
    /// One of a merchant's API secrets (`sec_…`); its id binds the ciphertext to its row.
    SecretId,
    "sec"
);
prefixed_id!(
    /// A refund (`rfd_…`).
    RefundId,
    "rfd"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back_and_keep_their_prefix() {
        let id = PaymentId::generate();
        assert!(id.as_str().starts_with("pay_"));
        assert_eq!(PaymentId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(MerchantId::parse(id.as_str()), None);
    }

    #[test]
    fn garbage_is_not_an_id() {
        for raw in [
            "",
            "pay_",
            "pay_123",
            "pay-01JD000000000000000000000",
            "01JD0000000000000000000000",
        ] {
            assert_eq!(PaymentId::parse(raw), None, "{raw}");
        }
    }

    #[test]
    fn ids_made_in_a_row_sort_in_that_order() {
        let ids: Vec<PaymentId> = (0..1000).map(|_| PaymentId::generate()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }
}
