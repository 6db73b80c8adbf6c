//! Validation of merchant-supplied URLs (`callback_url`, `return_url`, `cancel_url`).
//!
//! At creation time only literal addresses and `localhost` can be judged; names are resolved and
//! filtered again by the delivery client when a webhook is sent (DNS rebinding).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
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

/// How an address may be used as a webhook target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressClass {
    Public,
    /// Loopback, RFC 1918, CGNAT, ULA: allowed only by configuration.
    Private,
    /// Link-local and cloud metadata: never.
    Forbidden,
}

pub fn classify_ip(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return classify_v4(v4);
            }
            let seg0 = v6.segments()[0];
            if v6 == "fd00:ec2::254".parse::<Ipv6Addr>().unwrap() || (seg0 & 0xffc0) == 0xfe80 {
                AddressClass::Forbidden
            } else if v6.is_loopback() || v6.is_unspecified() || (seg0 & 0xfe00) == 0xfc00 {
                AddressClass::Private
            } else {
                AddressClass::Public
            }
        }
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let o = ip.octets();
    if ip.is_link_local() {
        AddressClass::Forbidden
    } else if ip.is_loopback()
        || ip.is_private()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || (o[0] == 100 && (64..128).contains(&o[1]))
    {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

/// Checks one URL field; the error is the message for `details.fields`.
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
    let class = match url.host() {
        None => return Err("must have a host".into()),
        Some(Host::Ipv4(ip)) => classify_ip(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => classify_ip(IpAddr::V6(ip)),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "metadata.google.internal" {
                AddressClass::Forbidden
            } else if name == "localhost" || name.ends_with(".localhost") {
                AddressClass::Private
            } else {
                AddressClass::Public
            }
        }
    };
    match class {
        AddressClass::Public => Ok(url),
        AddressClass::Forbidden => Err("must not point at a link-local or metadata address".into()),
        AddressClass::Private if !server_to_server || policy.allow_private_hosts => Ok(url),
        AddressClass::Private
            if url.host_str().is_some_and(|h| {
                policy
                    .allowed_hosts
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(h))
            }) =>
        {
            Ok(url)
        }
        AddressClass::Private => Err("must not point at a loopback or private address".into()),
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
