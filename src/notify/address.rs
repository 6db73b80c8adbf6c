//! Where a merchant webhook may go. The delivery client resolves names itself and connects only
//! to addresses this policy permits, so a merchant URL cannot reach inside, even by DNS
//! rebinding (the name is checked at the moment of connecting, not at creation).
//!
//! Addresses are classed by [`crate::domain::address_class`] (the table of ranges is there):
//! private ones (loopback, RFC 1918, CGNAT, ULA, and IPv6 forms embedding them) are refused
//! unless private targets are allowed or the host is on the allowlist; forbidden ones (cloud
//! metadata, link-local, multicast, reserved, documentation, …) always. Host names compare
//! normalized: `localhost.` is `localhost`.

use crate::domain::address_class::{judge, AddressClass};
use crate::domain::urls::{host_listed, normalize_host};
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
            .map(normalize_host)
            .filter(|h| !h.is_empty())
            .collect();
        Self {
            allow_private,
            allowed_hosts,
        }
    }

    /// Whether `host` (as in the URL or as handed to the resolver: any case, with or without
    /// brackets or the trailing dot) is on the allowlist.
    pub fn host_allowlisted(&self, host: &str) -> bool {
        host_listed(&self.allowed_hosts, host)
    }

    /// Whether `ip`, reached through the name `host`, may be contacted.
    pub fn permits(&self, host: &str, ip: IpAddr) -> Result<(), String> {
        let verdict = judge(ip);
        match verdict.class {
            AddressClass::Public => Ok(()),
            AddressClass::Forbidden => Err(format!(
                "{REFUSED}: {ip} is a {verdict} address (never allowed)"
            )),
            AddressClass::Private if self.allow_private || self.host_allowlisted(host) => Ok(()),
            AddressClass::Private => Err(format!(
                "{REFUSED}: {ip} is a {verdict} address (private targets are not allowed)"
            )),
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
            "::a9fe:a9fe",
            "64:ff9b::a9fe:a9fe",
            "2002:a9fe:a9fe::1",
            "0.1.2.3",
            "224.0.0.1",
            "ff02::1",
            "240.0.0.1",
            "198.18.0.1",
            "192.0.0.192",
            "100.100.100.200",
            "168.63.129.16",
            "fd20:ce::254",
        ] {
            assert!(
                open.permits("localhost", ip(never))
                    .unwrap_err()
                    .contains(REFUSED),
                "{never}"
            );
        }
    }

    #[test]
    fn embedded_loopback_is_private_and_the_allowlist_ignores_the_trailing_dot() {
        let strict = AddressPolicy::from_list(false, "LOCALHOST., [::1]");
        assert_eq!(strict.allowed_hosts, ["localhost", "::1"]);
        for host in ["localhost", "localhost.", "LocalHost", "[::1]", "::1"] {
            assert!(strict.host_allowlisted(host), "{host}");
        }
        for host in ["foo.localhost", "localhost..", "127.0.0.1"] {
            assert!(!strict.host_allowlisted(host), "{host}");
        }
        for embedded in [
            "::127.0.0.1",
            "::7f00:1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::1",
        ] {
            let why = strict.permits("hook.example", ip(embedded)).unwrap_err();
            assert!(why.contains("loopback"), "{embedded}: {why}");
            assert!(
                strict.permits("localhost.", ip(embedded)).is_ok(),
                "{embedded}"
            );
        }
        assert!(strict.permits("localhost.", ip("127.0.0.1")).is_ok());
        assert!(strict
            .permits("hook.example", ip("64:ff9b::5db8:d822"))
            .is_ok());
    }
}
