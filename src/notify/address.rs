//! Where a merchant webhook may go. The delivery client resolves names itself and connects only
//! to addresses this policy permits, so a merchant URL cannot reach inside, even by DNS
//! rebinding (the name is checked at the moment of connecting, not at creation).
//!
//! Loopback, RFC 1918, CGNAT, ULA and IPv4-mapped forms of them are refused unless private
//! targets are allowed or the host is on the allowlist; link-local and cloud metadata addresses
//! are refused always.

use crate::domain::urls::{classify_ip, AddressClass};
use std::net::IpAddr;

#[derive(Clone, Debug, Default)]
pub struct AddressPolicy {
    pub allow_private: bool,
    /// Host names (as written in URLs, lower case) that may resolve to private addresses.
    pub allowed_hosts: Vec<String>,
}

/// Marker in refusal messages, so the worker can tell a refusal from a network failure.
pub const REFUSED: &str = "refused by the address policy";

impl AddressPolicy {
    pub fn from_list(allow_private: bool, list: &str) -> Self {
        let allowed_hosts = list
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        Self {
            allow_private,
            allowed_hosts,
        }
    }

    pub fn host_allowlisted(&self, host: &str) -> bool {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        self.allowed_hosts
            .iter()
            .any(|h| h.trim_start_matches('[').trim_end_matches(']') == host)
    }

    /// Whether `ip`, reached through the name `host`, may be contacted.
    pub fn permits(&self, host: &str, ip: IpAddr) -> Result<(), String> {
        match classify_ip(ip) {
            AddressClass::Public => Ok(()),
            AddressClass::Forbidden => Err(format!(
                "{REFUSED}: {ip} is link-local or a metadata address"
            )),
            AddressClass::Private if self.allow_private || self.host_allowlisted(host) => Ok(()),
            AddressClass::Private => {
                Err(format!("{REFUSED}: {ip} is a loopback or private address"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn private_targets_need_permission_and_metadata_never_gets_it() {
        let strict = AddressPolicy::from_list(false, "localhost, [::1]");
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "100.64.0.1",
            "::ffff:127.0.0.1",
            "fd12::1",
        ] {
            assert!(strict.permits("hook.example", ip(bad)).is_err(), "{bad}");
        }
        assert!(strict.permits("localhost", ip("127.0.0.1")).is_ok());
        assert!(strict.permits("[::1]", ip("::1")).is_ok());
        assert!(strict.permits("shop.example", ip("93.184.216.34")).is_ok());
        let open = AddressPolicy::from_list(true, "");
        assert!(open.permits("x", ip("10.0.0.1")).is_ok());
        for never in [
            "169.254.169.254",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:169.254.169.254",
        ] {
            assert!(
                open.permits("localhost", ip(never))
                    .unwrap_err()
                    .contains(REFUSED),
                "{never}"
            );
        }
    }
}
