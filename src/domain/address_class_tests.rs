//! Every special-purpose range: an address inside (its first and last where they are
//! interesting) and the addresses just outside, with the class and range name expected, written
//! out independently of the tables in `address_class`.

use super::address_class::{judge, AddressClass, V4_RANGES, V6_RANGES};
use std::net::IpAddr;

const PUB: AddressClass = AddressClass::Public;
const PRI: AddressClass = AddressClass::Private;
const FOR: AddressClass = AddressClass::Forbidden;

/// IPv4: (address, class, what).
const V4: &[(&str, AddressClass, &str)] = &[
    ("0.0.0.0", PRI, "unspecified"),
    ("0.0.0.1", FOR, "this-network"),
    ("0.1.2.3", FOR, "this-network"),
    ("0.255.255.255", FOR, "this-network"),
    ("1.0.0.0", PUB, "public"),
    ("8.8.8.8", PUB, "public"),
    ("9.255.255.255", PUB, "public"),
    ("10.0.0.0", PRI, "private (RFC 1918)"),
    ("10.255.255.255", PRI, "private (RFC 1918)"),
    ("11.0.0.0", PUB, "public"),
    ("100.63.255.255", PUB, "public"),
    ("100.64.0.0", PRI, "shared (CGNAT)"),
    ("100.100.100.199", PRI, "shared (CGNAT)"),
    ("100.100.100.200", FOR, "cloud metadata"),
    ("100.100.100.201", PRI, "shared (CGNAT)"),
    ("100.127.255.255", PRI, "shared (CGNAT)"),
    ("100.128.0.0", PUB, "public"),
    ("126.255.255.255", PUB, "public"),
    ("127.0.0.0", PRI, "loopback"),
    ("127.0.0.1", PRI, "loopback"),
    ("127.255.255.255", PRI, "loopback"),
    ("128.0.0.0", PUB, "public"),
    ("168.63.129.15", PUB, "public"),
    ("168.63.129.16", FOR, "cloud metadata"),
    ("168.63.129.17", PUB, "public"),
    ("169.253.255.255", PUB, "public"),
    ("169.254.0.0", FOR, "link-local"),
    ("169.254.169.254", FOR, "cloud metadata"),
    ("169.254.255.255", FOR, "link-local"),
    ("169.255.0.0", PUB, "public"),
    ("172.15.255.255", PUB, "public"),
    ("172.16.0.0", PRI, "private (RFC 1918)"),
    ("172.31.255.255", PRI, "private (RFC 1918)"),
    ("172.32.0.0", PUB, "public"),
    ("191.255.255.255", PUB, "public"),
    ("192.0.0.0", FOR, "IETF protocol assignment"),
    ("192.0.0.192", FOR, "cloud metadata"),
    ("192.0.0.255", FOR, "IETF protocol assignment"),
    ("192.0.1.0", PUB, "public"),
    ("192.0.2.0", FOR, "documentation"),
    ("192.0.2.255", FOR, "documentation"),
    ("192.0.3.0", PUB, "public"),
    ("192.31.195.255", PUB, "public"),
    ("192.31.196.0", FOR, "AS112"),
    ("192.31.196.255", FOR, "AS112"),
    ("192.31.197.0", PUB, "public"),
    ("192.52.192.255", PUB, "public"),
    ("192.52.193.0", FOR, "AMT"),
    ("192.52.193.255", FOR, "AMT"),
    ("192.52.194.0", PUB, "public"),
    ("192.88.98.255", PUB, "public"),
    ("192.88.99.0", FOR, "6to4 relay anycast"),
    ("192.88.99.255", FOR, "6to4 relay anycast"),
    ("192.88.100.0", PUB, "public"),
    ("192.167.255.255", PUB, "public"),
    ("192.168.0.0", PRI, "private (RFC 1918)"),
    ("192.168.255.255", PRI, "private (RFC 1918)"),
    ("192.169.0.0", PUB, "public"),
    ("192.175.47.255", PUB, "public"),
    ("192.175.48.0", FOR, "AS112"),
    ("192.175.48.255", FOR, "AS112"),
    ("192.175.49.0", PUB, "public"),
    ("198.17.255.255", PUB, "public"),
    ("198.18.0.0", FOR, "benchmarking"),
    ("198.18.0.1", FOR, "benchmarking"),
    ("198.19.255.255", FOR, "benchmarking"),
    ("198.20.0.0", PUB, "public"),
    ("198.51.99.255", PUB, "public"),
    ("198.51.100.0", FOR, "documentation"),
    ("198.51.100.255", FOR, "documentation"),
    ("198.51.101.0", PUB, "public"),
    ("203.0.112.255", PUB, "public"),
    ("203.0.113.0", FOR, "documentation"),
    ("203.0.113.255", FOR, "documentation"),
    ("203.0.114.0", PUB, "public"),
    ("223.255.255.255", PUB, "public"),
    ("224.0.0.0", FOR, "multicast"),
    ("224.0.0.1", FOR, "multicast"),
    ("239.255.255.255", FOR, "multicast"),
    ("240.0.0.0", FOR, "reserved"),
    ("240.0.0.1", FOR, "reserved"),
    ("255.255.255.254", FOR, "reserved"),
    ("255.255.255.255", FOR, "broadcast"),
];

/// IPv6: (address, class, what).
const V6: &[(&str, AddressClass, &str)] = &[
    ("::", PRI, "unspecified"),
    ("::1", PRI, "loopback"),
    // IPv4-compatible (deprecated): judged as the IPv4 address, never public.
    ("::2", FOR, "this-network (IPv4 in IPv4-compatible)"),
    ("::127.0.0.1", PRI, "loopback (IPv4 in IPv4-compatible)"),
    ("::7f00:1", PRI, "loopback (IPv4 in IPv4-compatible)"),
    (
        "::a9fe:a9fe",
        FOR,
        "cloud metadata (IPv4 in IPv4-compatible)",
    ),
    ("::8.8.8.8", FOR, "IPv4-compatible (deprecated)"),
    ("::ffff:ffff", FOR, "broadcast (IPv4 in IPv4-compatible)"),
    ("::1:0:0", FOR, "IETF-reserved"),
    // IPv4-mapped.
    ("::fffe:ffff:ffff", FOR, "IETF-reserved"),
    ("::ffff:0:0", PRI, "unspecified (IPv4 in IPv4-mapped)"),
    ("::ffff:127.0.0.1", PRI, "loopback (IPv4 in IPv4-mapped)"),
    (
        "::ffff:10.0.0.1",
        PRI,
        "private (RFC 1918) (IPv4 in IPv4-mapped)",
    ),
    (
        "::ffff:169.254.169.254",
        FOR,
        "cloud metadata (IPv4 in IPv4-mapped)",
    ),
    ("::ffff:224.0.0.1", FOR, "multicast (IPv4 in IPv4-mapped)"),
    ("::ffff:8.8.8.8", PUB, "public (IPv4 in IPv4-mapped)"),
    ("::1:0:0:0", FOR, "IETF-reserved"),
    // NAT64, well-known prefix and local use.
    (
        "64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff",
        FOR,
        "IETF-reserved",
    ),
    ("64:ff9b::", PRI, "unspecified (IPv4 in NAT64)"),
    ("64:ff9b::7f00:1", PRI, "loopback (IPv4 in NAT64)"),
    ("64:ff9b::a9fe:a9fe", FOR, "cloud metadata (IPv4 in NAT64)"),
    ("64:ff9b::a9fe:1", FOR, "link-local (IPv4 in NAT64)"),
    ("64:ff9b::c612:1", FOR, "benchmarking (IPv4 in NAT64)"),
    ("64:ff9b::8.8.8.8", PUB, "public (IPv4 in NAT64)"),
    ("64:ff9b::1:0:0", FOR, "IETF-reserved"),
    ("64:ff9b:1::", FOR, "local-use NAT64"),
    ("64:ff9b:1::8.8.8.8", FOR, "local-use NAT64"),
    ("64:ff9b:1:ffff:ffff:ffff:ffff:ffff", FOR, "local-use NAT64"),
    ("64:ff9b:2::", FOR, "IETF-reserved"),
    // Discard-only.
    ("100::", FOR, "discard-only"),
    ("100::ffff:ffff:ffff:ffff", FOR, "discard-only"),
    ("100:0:0:1::", FOR, "IETF-reserved"),
    // Outside global unicast 2000::/3.
    (
        "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        FOR,
        "IETF-reserved",
    ),
    ("4000::", FOR, "IETF-reserved"),
    ("2000::", PUB, "public"),
    ("2606:4700::1111", PUB, "public"),
    ("2a00:1450:4001::1", PUB, "public"),
    ("3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PUB, "public"),
    // 2001::/23, with Teredo (2001::/32) judged by its IPv4 addresses (RFC 4380's example:
    // server 65.54.227.120, client 192.0.2.45).
    ("2001::", FOR, "broadcast (IPv4 in Teredo)"),
    (
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        FOR,
        "documentation (IPv4 in Teredo)",
    ),
    (
        "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
        PUB,
        "public (IPv4 in Teredo)",
    ),
    (
        "2001:0:4136:e378::80ff:fffe",
        PRI,
        "loopback (IPv4 in Teredo)",
    ),
    (
        "2001:0:4136:e378::5601:5601",
        FOR,
        "cloud metadata (IPv4 in Teredo)",
    ),
    (
        "2001:0:a00:1::f7f7:f7f7",
        PRI,
        "private (RFC 1918) (IPv4 in Teredo)",
    ),
    (
        "2001:0:ffff:ffff::f7f7:f7f7",
        FOR,
        "broadcast (IPv4 in Teredo)",
    ),
    ("2001:1::", FOR, "IETF protocol assignment"),
    ("2001:1::1", FOR, "IETF protocol assignment"),
    ("2001:2::", FOR, "IETF protocol assignment"),
    ("2001:20::1", FOR, "IETF protocol assignment"),
    (
        "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff",
        FOR,
        "IETF protocol assignment",
    ),
    ("2001:200::", PUB, "public"),
    ("1fff::1", FOR, "IETF-reserved"),
    // Documentation.
    ("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", PUB, "public"),
    ("2001:db8::", FOR, "documentation"),
    (
        "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
        FOR,
        "documentation",
    ),
    ("2001:db9::", PUB, "public"),
    ("3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PUB, "public"),
    ("3fff::", FOR, "documentation"),
    (
        "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff",
        FOR,
        "documentation",
    ),
    ("3fff:1000::", PUB, "public"),
    // 6to4: the IPv4 address in bits 16..48.
    ("2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PUB, "public"),
    ("2002::", PRI, "unspecified (IPv4 in 6to4)"),
    ("2002:a9fe:a9fe::1", FOR, "cloud metadata (IPv4 in 6to4)"),
    ("2002:7f00:1::1", PRI, "loopback (IPv4 in 6to4)"),
    ("2002:c0a8:101::", PRI, "private (RFC 1918) (IPv4 in 6to4)"),
    ("2002:c000:22d::1", FOR, "documentation (IPv4 in 6to4)"),
    ("2002:e000:1::", FOR, "multicast (IPv4 in 6to4)"),
    ("2002:808:808::1", PUB, "public (IPv4 in 6to4)"),
    (
        "2002:808:808:ffff:ffff:ffff:ffff:ffff",
        PUB,
        "public (IPv4 in 6to4)",
    ),
    ("2003::", PUB, "public"),
    // AS112 direct delegation.
    ("2620:4f:7fff:ffff:ffff:ffff:ffff:ffff", PUB, "public"),
    ("2620:4f:8000::", FOR, "AS112"),
    ("2620:4f:8000:ffff:ffff:ffff:ffff:ffff", FOR, "AS112"),
    ("2620:4f:8001::", PUB, "public"),
    // SRv6 SIDs.
    (
        "5eff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        FOR,
        "IETF-reserved",
    ),
    ("5f00::", FOR, "SRv6 SID"),
    ("5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", FOR, "SRv6 SID"),
    ("5f01::", FOR, "IETF-reserved"),
    // Unique local, with the metadata services inside it.
    (
        "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        FOR,
        "IETF-reserved",
    ),
    ("fc00::", PRI, "unique local (ULA)"),
    ("fd12::1", PRI, "unique local (ULA)"),
    ("fd00:ec2::253", PRI, "unique local (ULA)"),
    ("fd00:ec2::254", FOR, "cloud metadata"),
    ("fd20:ce::254", FOR, "cloud metadata"),
    (
        "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        PRI,
        "unique local (ULA)",
    ),
    ("fe00::", FOR, "IETF-reserved"),
    // Link-local and site-local.
    (
        "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        FOR,
        "IETF-reserved",
    ),
    ("fe80::", FOR, "link-local"),
    ("fe80::1", FOR, "link-local"),
    ("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", FOR, "link-local"),
    ("fec0::", FOR, "site-local"),
    ("feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", FOR, "site-local"),
    // Multicast.
    ("ff00::", FOR, "multicast"),
    ("ff02::1", FOR, "multicast"),
    ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", FOR, "multicast"),
];

#[test]
fn every_address_gets_the_class_of_its_range() {
    let mut wrong = Vec::new();
    for (addr, class, what) in V4.iter().chain(V6) {
        let ip: IpAddr = addr.parse().unwrap_or_else(|_| panic!("{addr} parses"));
        let v = judge(ip);
        if (v.class, v.to_string().as_str()) != (*class, *what) {
            wrong.push(format!(
                "{addr}: {:?} {v}, expected {class:?} {what}",
                v.class
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// A range added to a table without rows here fails: each range holds one of the rows above.
#[test]
fn every_range_of_the_tables_is_covered_by_a_row() {
    let ips = |rows: &[(&str, AddressClass, &str)]| -> Vec<IpAddr> {
        rows.iter().map(|(a, _, _)| a.parse().unwrap()).collect()
    };
    let (v4, v6) = (ips(V4), ips(V6));
    for (net, _) in V4_RANGES {
        assert!(
            v4.iter()
                .any(|ip| matches!(ip, IpAddr::V4(a) if net.contains(a))),
            "{net}"
        );
    }
    for (net, _) in V6_RANGES {
        assert!(
            v6.iter()
                .any(|ip| matches!(ip, IpAddr::V6(a) if net.contains(a))),
            "{net}"
        );
    }
}

/// The order the classes are compared in (Teredo takes the worse of two) is the strictness.
#[test]
fn forbidden_is_stricter_than_private_is_stricter_than_public() {
    assert!(PUB < PRI && PRI < FOR);
}
