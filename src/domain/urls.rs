//! Validation of merchant-supplied URLs (`callback_url`, `webhook_url`, `return_url`,
//! `cancel_url`, `logo_url`).
//!
//! At creation time only literal addresses and special names (`localhost` and its
//! subdomains, cloud metadata names; with or without the trailing dot of a fully qualified name)
//! can be judged; names are resolved and filtered again by the delivery client when a webhook is
//! sent (DNS rebinding). Addresses are classed by [`crate::domain::address_class`], whose module
//! docs hold the table of ranges.

pub use super::address_class::{classify_ip, AddressClass};
use super::address_class::{judge, Verdict};
use std::net::IpAddr;
use url::{Host, Url};

#[derive(Clone, Debug, Default)]
pub struct UrlPolicy {
    /// Accept plain `http` (tests, sandbox).
    pub allow_http: bool,
    /// Accept loopback and private targets for server-to-server calls (tests, sandbox).
    pub allow_private_hosts: bool,
    /// Host names accepted even when they are (or name) loopback or private addresses.
    pub allowed_hosts: Vec<String>,
}

/// A host as written in a URL or an allowlist, ready to compare: lower case, without IPv6
/// brackets, and without the trailing dot of a fully qualified name (`localhost.` is
/// `localhost`).
pub fn normalize_host(host: &str) -> String {
    let host = host.trim();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase()
}

/// Whether `host` is on `list` (both compared normalized).
pub fn host_listed(list: &[String], host: &str) -> bool {
    let host = normalize_host(host);
    list.iter().any(|h| normalize_host(h) == host)
}

/// Names that cloud providers resolve to their metadata service.
const METADATA_NAMES: [&str; 5] = [
    "metadata.google.internal",
    "metadata.goog",
    "metadata",
    "instance-data",
    "instance-data.ec2.internal",
];

/// `localhost`, `*.localhost` (RFC 6761), in any case, with or without trailing dots.
pub fn is_localhost_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// What a host name is known to stand for before it is resolved: `localhost` and
/// `*.localhost` (RFC 6761) are loopback, metadata names are forbidden, the rest is judged on
/// the addresses it resolves to at delivery.
pub fn judge_name(name: &str) -> Verdict {
    // Every trailing dot: `localhost..` must not pass for a public name either.
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let verdict = |class, what| Verdict {
        class,
        what,
        via: None,
    };
    if METADATA_NAMES.contains(&name.as_str()) {
        verdict(AddressClass::Forbidden, "cloud metadata")
    } else if is_localhost_name(&name) {
        verdict(AddressClass::Private, "loopback (localhost)")
    } else {
        verdict(AddressClass::Public, "public")
    }
}

/// Checks one URL field; the error is the message for `details.fields`. `server_to_server` is
/// true for URLs Payrail itself calls (webhooks): only those may be refused for being private.
pub fn validate_merchant_url(
    raw: &str,
    policy: &UrlPolicy,
    server_to_server: bool,
) -> Result<Url, String> {
    if raw.len() > 2048 {
        return Err("must be at most 2048 characters".into());
    }
    let url = Url::parse(raw).map_err(|_| "must be an absolute URL".to_string())?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        _ => return Err("must be an https URL".into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain credentials".into());
    }
    let verdict = match url.host() {
        None => return Err("must have a host".into()),
        Some(Host::Ipv4(ip)) => judge(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => judge(IpAddr::V6(ip)),
        Some(Host::Domain(name)) => judge_name(name),
    };
    match verdict.class {
        AddressClass::Public => Ok(url),
        AddressClass::Forbidden => Err(format!(
            "must not point at a {verdict} address (never allowed)"
        )),
        AddressClass::Private if !server_to_server || policy.allow_private_hosts => Ok(url),
        AddressClass::Private
            if url
                .host_str()
                .is_some_and(|h| host_listed(&policy.allowed_hosts, h)) =>
        {
            Ok(url)
        }
        AddressClass::Private => Err(format!(
            "must not point at a {verdict} address (private targets are not allowed)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: UrlPolicy = UrlPolicy {
        allow_http: false,
        allow_private_hosts: false,
        allowed_hosts: Vec::new(),
    };
    const SANDBOX: UrlPolicy = UrlPolicy {
        allow_http: true,
        allow_private_hosts: true,
        allowed_hosts: Vec::new(),
    };

    #[test]
    fn strict_policy_accepts_only_public_https() {
        assert!(validate_merchant_url("https://shop.example/hook", &STRICT, true).is_ok());
        for bad in [
            "http://shop.example/hook",
            "ftp://shop.example/",
            "https://127.0.0.1/hook",
            "https://10.1.2.3/hook",
            "https://192.168.0.1/",
            "https://100.64.0.1/",
            "https://[::1]/",
            "https://[fd12::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://localhost/",
            "https://169.254.169.254/latest",
            "https://user:pw@shop.example/",
            "/relative",
            "not a url",
        ] {
            assert!(validate_merchant_url(bad, &STRICT, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn metadata_and_link_local_are_refused_even_when_private_is_allowed() {
        for bad in [
            "http://169.254.169.254/",
            "http://[fe80::1]/",
            "http://[fd00:ec2::254]/",
            "http://metadata.google.internal/",
        ] {
            assert!(validate_merchant_url(bad, &SANDBOX, true).is_err(), "{bad}");
        }
        assert!(validate_merchant_url("http://127.0.0.1:9000/hook", &SANDBOX, true).is_ok());
        let listed = UrlPolicy {
            allowed_hosts: vec!["localhost".into()],
            ..STRICT
        };
        assert!(validate_merchant_url("https://localhost:8443/hook", &listed, true).is_ok());
        assert!(validate_merchant_url("https://127.0.0.1/hook", &listed, true).is_err());
    }

    /// The literals issue 15 found accepted: each refused in production, and those that are
    /// not loopback-like refused even when private targets are allowed.
    #[test]
    fn special_purpose_literals_are_refused() {
        let private = ["https://[::127.0.0.1]/", "https://[::7f00:1]/"];
        let forbidden = [
            "https://[64:ff9b::a9fe:a9fe]/",
            "https://[2002:a9fe:a9fe::1]/",
            "https://0.1.2.3/",
            "https://224.0.0.1/",
            "https://[ff02::1]/",
            "https://240.0.0.1/",
            "https://198.18.0.1/",
            "https://192.0.0.192/",
            "https://100.100.100.200/",
            "https://168.63.129.16/",
            "https://255.255.255.255/",
            "https://[2001:db8::1]/",
            "https://[fec0::1]/",
        ];
        for bad in private.iter().chain(&forbidden) {
            assert!(validate_merchant_url(bad, &STRICT, true).is_err(), "{bad}");
        }
        for bad in forbidden {
            let why = validate_merchant_url(bad, &SANDBOX, true).unwrap_err();
            assert!(why.contains("never allowed"), "{bad}: {why}");
            // Not even as a browser redirect.
            assert!(
                validate_merchant_url(bad, &SANDBOX, false).is_err(),
                "{bad}"
            );
        }
        for ok in private {
            assert!(validate_merchant_url(ok, &SANDBOX, true).is_ok(), "{ok}");
        }
        // Public, also when embedded (NAT64, 6to4).
        for ok in [
            "https://93.184.216.34/",
            "https://[2606:4700::1111]/",
            "https://[64:ff9b::5db8:d822]/",
            "https://[2002:5db8:d822::1]/",
        ] {
            assert!(validate_merchant_url(ok, &STRICT, true).is_ok(), "{ok}");
        }
        let why = validate_merchant_url("https://[64:ff9b::a9fe:a9fe]/", &STRICT, true);
        assert_eq!(
            why.unwrap_err(),
            "must not point at a cloud metadata (IPv4 in NAT64) address (never allowed)"
        );
    }

    #[test]
    fn localhost_is_localhost_with_or_without_the_trailing_dot() {
        let localhosts = [
            "https://localhost/",
            "https://localhost./",
            "https://LOCALHOST/",
            "https://LocalHost.:8443/",
            "https://foo.localhost/",
            "https://foo.localhost./",
            "https://localhost../",
        ];
        for bad in localhosts {
            let why = validate_merchant_url(bad, &STRICT, true).unwrap_err();
            assert!(why.contains("private targets"), "{bad}: {why}");
            assert!(validate_merchant_url(bad, &SANDBOX, true).is_ok(), "{bad}");
        }
        for listed in ["localhost", "localhost.", "LOCALHOST"] {
            let policy = UrlPolicy {
                allowed_hosts: vec![listed.into()],
                ..STRICT
            };
            for ok in [
                "https://localhost/",
                "https://localhost./",
                "https://LOCALHOST:1/",
            ] {
                assert!(
                    validate_merchant_url(ok, &policy, true).is_ok(),
                    "{listed} {ok}"
                );
            }
            // A subdomain is a name of its own: it needs its own entry.
            assert!(validate_merchant_url("https://foo.localhost/", &policy, true).is_err());
        }
        for bad in [
            "http://metadata.google.internal./",
            "http://METADATA.GOOGLE.INTERNAL/",
            "http://metadata/",
            "http://instance-data./",
        ] {
            let why = validate_merchant_url(bad, &SANDBOX, true).unwrap_err();
            assert!(why.contains("cloud metadata"), "{bad}: {why}");
        }
    }

    #[test]
    fn hosts_compare_normalized() {
        for (a, b) in [
            ("localhost.", "localhost"),
            ("LOCALHOST", "localhost"),
            ("[::1]", "::1"),
            ("Hook.Example.", "hook.example"),
        ] {
            assert_eq!(normalize_host(a), normalize_host(b), "{a} {b}");
        }
        assert!(host_listed(&["localhost".into()], "localhost."));
        assert!(!host_listed(&["localhost".into()], "localhost.."));
        assert!(!host_listed(&["localhost".into()], "foo.localhost"));
    }

    #[test]
    fn browser_urls_may_be_local_when_http_is_allowed() {
        assert!(validate_merchant_url(
            "http://localhost:3000/thanks",
            &UrlPolicy {
                allow_http: true,
                allow_private_hosts: false,
                allowed_hosts: vec![],
            },
            false
        )
        .is_ok());
    }
}
