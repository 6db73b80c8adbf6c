//! Sending one request to a gateway and classifying what went wrong.
//!
//! The split that matters: a connection that never opened is `NotSent` (safe to retry or fall
//! back); anything after the request may have left (timeout, reset, 5xx, garbage) is `Unknown`.
//! So is an answer larger than [`GATEWAY_ANSWER`]: it is not read past the cap (a hostile or
//! broken gateway cannot make Payrail hold it), and nothing in it can be trusted.

use super::Outcome;
use crate::limits::{read_at_most, GATEWAY_ANSWER};

#[derive(Debug)]
pub struct GatewayResponse {
    pub status: u16,
    pub body: bytes::Bytes,
}

#[derive(Debug, Clone, PartialEq)]
pub enum HttpFailure {
    NotSent(String),
    Unknown(String),
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
    let answer = read_at_most(response, GATEWAY_ANSWER)
        .await
        .map_err(|e| HttpFailure::Unknown(format!("reading answer: {e}")))?;
    if answer.exceeded {
        tracing::warn!(
            host = url.host_str().unwrap_or("-"),
            path = url.path(),
            status,
            cap_bytes = GATEWAY_ANSWER,
            "the gateway's answer exceeded the cap and was not read further; the outcome is unknown"
        );
        return Err(HttpFailure::Unknown(format!(
            "the answer (HTTP {status}) is larger than {GATEWAY_ANSWER} bytes"
        )));
    }
    Ok(GatewayResponse {
        status,
        body: answer.bytes,
    })
}

fn classify(err: reqwest::Error) -> HttpFailure {
    if err.is_connect() {
        HttpFailure::NotSent(format!("could not connect: {err}"))
    } else if err.is_builder() {
        HttpFailure::NotSent(format!("request not built: {err}"))
    } else if err.is_timeout() {
        HttpFailure::Unknown("timed out waiting for the gateway".into())
    } else {
        HttpFailure::Unknown(format!("transport error: {err}"))
    }
}

/// Joins a configured base URL and a gateway path without doubling or losing the slash.
pub fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}
