//! Sending one request to a gateway and classifying what went wrong.
//!
//! The split that matters: a connection that never opened is `NotSent` (safe to retry or fall
//! back); anything after the request may have left (timeout, reset, 5xx, garbage) is `Unknown`.
//! So is an answer larger than [`GATEWAY_ANSWER`]: it is not read past the cap (a hostile or
//! broken gateway cannot make Payrail hold it), and nothing in it can be trusted. Each failure
//! carries its [`FailureKind`], which is what later decisions read (a timeout is the only kind
//! that answers 504), never the reason's text.

use super::failure::{FailureKind, GatewayFailure};
use super::Outcome;
use crate::limits::{read_at_most, GATEWAY_ANSWER};

#[derive(Debug)]
pub struct GatewayResponse {
    pub status: u16,
    pub body: bytes::Bytes,
    /// The answer's `Retry-After` in delta-seconds, if any (a throttle's failure carries it).
    pub retry_after: Option<std::time::Duration>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum HttpFailure {
    NotSent(GatewayFailure),
    Unknown(GatewayFailure),
}

impl HttpFailure {
    pub fn into_outcome<T>(self) -> Outcome<T> {
        match self {
            HttpFailure::NotSent(m) => Outcome::NotSent(m),
            HttpFailure::Unknown(m) => Outcome::Unknown(m),
        }
    }
}

/// Sends the request and reads the answer, up to [`GATEWAY_ANSWER`] bytes.
pub async fn send(request: reqwest::RequestBuilder) -> Result<GatewayResponse, HttpFailure> {
    let response = request.send().await.map_err(classify)?;
    let status = response.status().as_u16();
    let url = response.url().clone();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::notify::retry::parse_retry_after);
    let answer = read_at_most(response, GATEWAY_ANSWER)
        .await
        .map_err(|e| unknown(FailureKind::Transport, format!("reading answer: {e}")))?;
    if answer.exceeded {
        tracing::warn!(
            host = url.host_str().unwrap_or("-"),
            path = url.path(),
            status,
            cap_bytes = GATEWAY_ANSWER,
            "the gateway's answer exceeded the cap and was not read further; the outcome is unknown"
        );
        return Err(unknown(
            FailureKind::BadAnswer,
            format!("the answer (HTTP {status}) is larger than {GATEWAY_ANSWER} bytes"),
        ));
    }
    Ok(GatewayResponse {
        status,
        body: answer.bytes,
        retry_after,
    })
}

fn classify(err: reqwest::Error) -> HttpFailure {
    use FailureKind::*;
    if err.is_connect() {
        HttpFailure::NotSent(GatewayFailure::new(
            Connect,
            format!("could not connect: {err}"),
        ))
    } else if err.is_builder() {
        HttpFailure::NotSent(GatewayFailure::unsendable(format!(
            "request not built: {err}"
        )))
    } else if err.is_timeout() {
        unknown(Timeout, "timed out waiting for the gateway")
    } else {
        unknown(Transport, format!("transport error: {err}"))
    }
}

fn unknown(kind: FailureKind, reason: impl Into<String>) -> HttpFailure {
    HttpFailure::Unknown(GatewayFailure::new(kind, reason))
}

/// Joins a configured base URL and a gateway path without doubling or losing the slash.
pub fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_gateway_that_never_answers_is_a_timeout_with_an_unknown_outcome() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let _silent = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(socket);
        });
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        match send(client.get(format!("http://{addr}/"))).await {
            Err(HttpFailure::Unknown(f)) => {
                assert_eq!(f.kind, FailureKind::Timeout);
                assert_eq!(f.reason, "timed out waiting for the gateway");
            }
            other => panic!("expected an unknown timeout, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_closed_port_is_a_connect_failure_that_was_not_sent() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        match send(reqwest::Client::new().get(format!("http://{addr}/"))).await {
            Err(HttpFailure::NotSent(f)) => assert_eq!(f.kind, FailureKind::Connect),
            other => panic!("expected a connect failure, got {other:?}"),
        }
    }
}
