//! How an IP address may be used as the target of a server-to-server call (merchant webhooks),
//! judged by the IANA special-purpose address registries (IPv4 and IPv6) plus the cloud metadata
//! services. Used at creation for literal URLs (`domain::urls`) and by the delivery client on
//! every resolved address (`notify::address`), so both answer the same.
//!
//! Three classes:
//! - **Public**: anything not listed below (IPv6: only inside global unicast `2000::/3`).
//! - **Private**: reaches this host or the operator's own network. Allowed only when
//!   `PAYRAIL__NOTIFY__ALLOW_PRIVATE_HOSTS` is on (tests, sandbox) or the URL's host is listed
//!   in `PAYRAIL__NOTIFY__ALLOWED_HOSTS`.
//! - **Forbidden**: never, whatever the configuration: cloud metadata, link-local, multicast,
//!   broadcast, reserved, documentation, benchmarking, discard and protocol-specific ranges. No
//!   merchant endpoint lives there, and several of them reach inside (metadata, link-local).
//!
//! | range | what | class |
//! | --- | --- | --- |
//! | 169.254.169.254, 100.100.100.200, 168.63.129.16, 192.0.0.192, fd00:ec2::254, fd20:ce::254 | cloud metadata (AWS/GCP/Azure/…, Alibaba, Azure wire server, Oracle, AWS IPv6, GCP IPv6) | Forbidden |
//! | 0.0.0.0/32, ::/128 | unspecified (connecting to it reaches this host, like loopback) | Private |
//! | 0.0.0.0/8 | "this network" | Forbidden |
//! | 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 | private (RFC 1918) | Private |
//! | 100.64.0.0/10 | shared address space (CGNAT) | Private |
//! | 127.0.0.0/8, ::1/128 | loopback | Private |
//! | 169.254.0.0/16, fe80::/10 | link-local | Forbidden |
//! | 192.0.0.0/24 | IETF protocol assignments | Forbidden |
//! | 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20 | documentation | Forbidden |
//! | 192.31.196.0/24, 192.175.48.0/24, 2620:4f:8000::/48 | AS112 | Forbidden |
//! | 192.52.193.0/24 | AMT | Forbidden |
//! | 192.88.99.0/24 | 6to4 relay anycast (deprecated) | Forbidden |
//! | 198.18.0.0/15 | benchmarking | Forbidden |
//! | 224.0.0.0/4, ff00::/8 | multicast | Forbidden |
//! | 240.0.0.0/4 | reserved | Forbidden |
//! | 255.255.255.255/32 | limited broadcast | Forbidden |
//! | fc00::/7 | unique local (ULA) | Private |
//! | fec0::/10 | site-local (deprecated) | Forbidden |
//! | 100::/64 | discard-only | Forbidden |
//! | 2001::/23 (but Teredo, below) | IETF protocol assignments (benchmarking, ORCHID, AMT, …) | Forbidden |
//! | 5f00::/16 | SRv6 SIDs | Forbidden |
//! | 64:ff9b:1::/48 | local-use NAT64 (where the IPv4 address sits is the operator's choice) | Forbidden |
//! | other IPv6 outside 2000::/3 | reserved by the IETF | Forbidden |
//!
//! **Embedded IPv4.** These IPv6 forms stand for an IPv4 address and are judged as that
//! address: `::ffff:0:0/96` (IPv4-mapped), `::/96` (IPv4-compatible, deprecated),
//! `64:ff9b::/96` (NAT64, RFC 6052), `2002::/16` (6to4: bits 16..48) and `2001::/32` (Teredo: the
//! client, bits 96..128 inverted, and the server, bits 32..64; the stricter of the two). So
//! `[::ffff:127.0.0.1]`, `[::7f00:1]` and `[2002:7f00:1::1]` are loopback, and
//! `[64:ff9b::a9fe:a9fe]` is link-local. An embedded address that is itself public makes the
//! IPv6 address public (an IPv6-only host reaches every IPv4 site through NAT64, and a 6to4 or
//! Teredo address is an ordinary host's), except under the deprecated IPv4-compatible `::/96`,
//! which no host has any more: it is Forbidden.

use ipnet::{Ipv4Net, Ipv6Net};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// How an address may be used as a webhook target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AddressClass {
    Public,
    /// Loopback, unspecified, RFC 1918, CGNAT, ULA: allowed only by configuration.
    Private,
    /// Metadata, link-local, multicast, reserved, documentation…: never.
    Forbidden,
}

/// A class and the name of the range that decided it (for refusal messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub class: AddressClass,
    /// The range, e.g. `"link-local"`; `"public"` for a public address.
    pub what: &'static str,
    /// The IPv6 form an IPv4 address was embedded in (`"NAT64"`, `"6to4"`, …), if any.
    pub via: Option<&'static str>,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.via {
            Some(via) => write!(f, "{} (IPv4 in {via})", self.what),
            None => f.write_str(self.what),
        }
    }
}

use AddressClass::{Forbidden, Private, Public};

const fn verdict(class: AddressClass, what: &'static str) -> Verdict {
    Verdict {
        class,
        what,
        via: None,
    }
}

const fn never(what: &'static str) -> Verdict {
    verdict(Forbidden, what)
}

const fn private(what: &'static str) -> Verdict {
    verdict(Private, what)
}

const PUBLIC: Verdict = verdict(Public, "public");
const METADATA: &str = "cloud metadata";

/// Cloud metadata services at addresses outside the forbidden ranges (169.254.169.254 is
/// link-local anyway, listed for the name).
const METADATA_V4: [Ipv4Addr; 4] = [
    Ipv4Addr::new(169, 254, 169, 254), // AWS, GCP, Azure IMDS, Oracle, DigitalOcean, …
    Ipv4Addr::new(100, 100, 100, 200), // Alibaba Cloud (inside CGNAT)
    Ipv4Addr::new(168, 63, 129, 16),   // Azure wire server (a public address)
    Ipv4Addr::new(192, 0, 0, 192),     // Oracle Cloud
];
const METADATA_V6: [Ipv6Addr; 2] = [
    Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254), // AWS IMDS (inside ULA)
    Ipv6Addr::new(0xfd20, 0x00ce, 0, 0, 0, 0, 0, 0x0254), // GCP metadata (inside ULA)
];

const fn v4(a: u8, b: u8, c: u8, d: u8, len: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), len)
}

/// A prefix by its first three segments (the rest of the address is zero).
const fn v6(a: u16, b: u16, c: u16, len: u8) -> Ipv6Net {
    Ipv6Net::new_assert(Ipv6Addr::new(a, b, c, 0, 0, 0, 0, 0), len)
}

/// IPv4 special-purpose ranges; the first that contains the address decides.
pub(super) const V4_RANGES: [(Ipv4Net, Verdict); 20] = [
    (v4(0, 0, 0, 0, 32), private("unspecified")),
    (v4(0, 0, 0, 0, 8), never("this-network")),
    (v4(10, 0, 0, 0, 8), private("private (RFC 1918)")),
    (v4(100, 64, 0, 0, 10), private("shared (CGNAT)")),
    (v4(127, 0, 0, 0, 8), private("loopback")),
    (v4(169, 254, 0, 0, 16), never("link-local")),
    (v4(172, 16, 0, 0, 12), private("private (RFC 1918)")),
    (v4(192, 0, 0, 0, 24), never("IETF protocol assignment")),
    (v4(192, 0, 2, 0, 24), never("documentation")),
    (v4(192, 31, 196, 0, 24), never("AS112")),
    (v4(192, 52, 193, 0, 24), never("AMT")),
    (v4(192, 88, 99, 0, 24), never("6to4 relay anycast")),
    (v4(192, 168, 0, 0, 16), private("private (RFC 1918)")),
    (v4(192, 175, 48, 0, 24), never("AS112")),
    (v4(198, 18, 0, 0, 15), never("benchmarking")),
    (v4(198, 51, 100, 0, 24), never("documentation")),
    (v4(203, 0, 113, 0, 24), never("documentation")),
    (v4(224, 0, 0, 0, 4), never("multicast")),
    (v4(255, 255, 255, 255, 32), never("broadcast")),
    (v4(240, 0, 0, 0, 4), never("reserved")),
];

/// IPv6 special-purpose ranges that do not embed an IPv4 address; the first match decides.
pub(super) const V6_RANGES: [(Ipv6Net, Verdict); 12] = [
    (v6(0x64, 0xff9b, 1, 48), never("local-use NAT64")),
    (v6(0x100, 0, 0, 64), never("discard-only")),
    (v6(0x2001, 0, 0, 23), never("IETF protocol assignment")),
    (v6(0x2001, 0xdb8, 0, 32), never("documentation")),
    (v6(0x2620, 0x4f, 0x8000, 48), never("AS112")),
    (v6(0x3fff, 0, 0, 20), never("documentation")),
    (v6(0x5f00, 0, 0, 16), never("SRv6 SID")),
    (v6(0xfc00, 0, 0, 7), private("unique local (ULA)")),
    (v6(0xfe80, 0, 0, 10), never("link-local")),
    (v6(0xfec0, 0, 0, 10), never("site-local")),
    (v6(0xff00, 0, 0, 8), never("multicast")),
    (v6(0x2000, 0, 0, 3), PUBLIC),
];

pub fn classify_ip(ip: IpAddr) -> AddressClass {
    judge(ip).class
}

/// The class of `ip` and the range that decided it.
pub fn judge(ip: IpAddr) -> Verdict {
    match ip {
        IpAddr::V4(ip) => judge_v4(ip),
        IpAddr::V6(ip) => judge_v6(ip),
    }
}

pub fn judge_v4(ip: Ipv4Addr) -> Verdict {
    if METADATA_V4.contains(&ip) {
        return verdict(Forbidden, METADATA);
    }
    V4_RANGES
        .iter()
        .find(|(net, _)| net.contains(&ip))
        .map_or(PUBLIC, |(_, v)| *v)
}

pub fn judge_v6(ip: Ipv6Addr) -> Verdict {
    if METADATA_V6.contains(&ip) {
        return verdict(Forbidden, METADATA);
    }
    if ip.is_unspecified() {
        return verdict(Private, "unspecified");
    }
    if ip.is_loopback() {
        return verdict(Private, "loopback");
    }
    if let Some(found) = embedded_v4(ip) {
        return found;
    }
    V6_RANGES
        .iter()
        .find(|(net, _)| net.contains(&ip))
        .map_or(verdict(Forbidden, "IETF-reserved"), |(_, v)| *v)
}

/// The verdict for an IPv6 address that stands for an IPv4 one, judged as that IPv4 address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Verdict> {
    let s = ip.segments();
    let bits = u128::from(ip);
    let low = Ipv4Addr::from(bits as u32);
    let via = |via: &'static str, v: Verdict| Verdict {
        via: Some(via),
        ..v
    };
    if s[..6] == [0, 0, 0, 0, 0, 0xffff] {
        return Some(via("IPv4-mapped", judge_v4(low)));
    }
    if s[..6] == [0; 6] {
        // `::` and `::1` are handled before; what remains is the deprecated IPv4-compatible form.
        let v = judge_v4(low);
        return Some(match v.class {
            Public => verdict(Forbidden, "IPv4-compatible (deprecated)"),
            _ => via("IPv4-compatible", v),
        });
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(via("NAT64", judge_v4(low)));
    }
    if s[0] == 0x2002 {
        let inner = Ipv4Addr::from((bits >> 80) as u32);
        return Some(via("6to4", judge_v4(inner)));
    }
    if s[..2] == [0x2001, 0] {
        let server = judge_v4(Ipv4Addr::from((bits >> 64) as u32));
        let client = judge_v4(Ipv4Addr::from(!(bits as u32)));
        let worse = if server.class > client.class {
            server
        } else {
            client
        };
        return Some(via("Teredo", worse));
    }
    None
}
