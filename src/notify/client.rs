//! The HTTP client that delivers merchant webhooks: its own resolver applies the address
//! policy at connect time (and answers localhost names with loopback itself, RFC 6761); no
//! proxy from the environment; redirects are not followed; 10 s timeout; only the first KiB of
//! each answer is read, kept for the timeline, and the rest is left unread (the connection is
//! dropped), so a receiver answering gigabytes costs nothing.

use super::address::{AddressPolicy, REFUSED};
use super::retry::{parse_retry_after, AttemptResult};
use crate::domain::urls::is_localhost_name;
use crate::limits::{read_at_most, DELIVERY_EXCERPT};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct FilteringResolver {
    policy: Arc<AddressPolicy>,
}

impl Resolve for FilteringResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> = if is_localhost_name(&host) {
                // RFC 6761: localhost names are loopback whatever a resolver would say, and
                // `localhost.` or `shop.localhost` is in few hosts files; the policy still
                // decides whether loopback may be reached.
                vec![
                    SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                    SocketAddr::from((Ipv6Addr::LOCALHOST, 0)),
                ]
            } else {
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect()
            };
            let mut refusals = Vec::new();
            let permitted: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|a| match policy.permits(&host, a.ip()) {
                    Ok(()) => true,
                    Err(why) => {
                        refusals.push(why);
                        false
                    }
                })
                .collect();
            if permitted.is_empty() {
                let why = refusals
                    .pop()
                    .unwrap_or_else(|| format!("{REFUSED}: {host} has no address"));
                return Err(why.into());
            }
            Ok(Box::new(permitted.into_iter()) as Addrs)
        })
    }
}

#[derive(Clone)]
pub struct DeliveryClient {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
}

/// One delivery attempt as recorded.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub result: AttemptResult,
    pub latency: Duration,
    /// The first KiB of the answer ([`crate::limits::DELIVERY_EXCERPT`]).
    pub excerpt: String,
    /// Why no answer arrived (network error, timeout, address refused).
    pub error: Option<String>,
}

/// Idle connections are reused for at most this long: under the 5 s keep-alive of common
/// servers (actix-web, Node), so a request is not written onto a connection the server is
/// closing. Used by every HTTP client whose timeout is not configured (merchant webhooks, the
/// simulators' webhooks, the tests); gateways have `gateway.pool_idle_timeout_ms`, same default.
pub const IDLE_CONNECTION_REUSE: Duration = Duration::from_secs(4);

impl DeliveryClient {
    pub fn new(policy: AddressPolicy, timeout: Duration) -> Self {
        let policy = Arc::new(policy);
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .pool_idle_timeout(IDLE_CONNECTION_REUSE)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(FilteringResolver {
                policy: policy.clone(),
            }))
            .user_agent(concat!("payrail-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the webhook client's settings are valid");
        Self { client, policy }
    }

    pub async fn send(&self, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Delivery {
        let started = Instant::now();
        let failed = |error: String| Delivery {
            result: AttemptResult {
                status: None,
                retry_after: None,
            },
            latency: started.elapsed(),
            excerpt: String::new(),
            error: Some(error),
        };
        let parsed = match url::Url::parse(url) {
            Ok(u) => u,
            Err(e) => return failed(format!("invalid URL: {e}")),
        };
        // A literal address never reaches the resolver: check it here.
        if let Some(host) = parsed.host_str() {
            if let Ok(ip) = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
            {
                if let Err(why) = self.policy.permits(host, ip) {
                    return failed(why);
                }
            }
        }
        let mut request = self
            .client
            .post(parsed)
            .header("Content-Type", "application/json")
            .body(body.to_vec());
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_retry_after);
                // The status decides the delivery; the answer is only an excerpt to show.
                let excerpt = read_at_most(response, DELIVERY_EXCERPT)
                    .await
                    .map(|c| c.bytes)
                    .unwrap_or_default();
                Delivery {
                    result: AttemptResult {
                        status: Some(status),
                        retry_after,
                    },
                    latency: started.elapsed(),
                    excerpt: String::from_utf8_lossy(&excerpt).into_owned(),
                    error: None,
                }
            }
            Err(err) => {
                let mut chain = err.to_string();
                let mut source = std::error::Error::source(&err);
                while let Some(s) = source {
                    chain = format!("{chain}: {s}");
                    source = s.source();
                }
                failed(if err.is_timeout() {
                    format!("timed out: {chain}")
                } else {
                    chain
                })
            }
        }
    }
}
