//! What crosses the boundary when a gateway calls Payrail: the raw webhook, the adapter's
//! verdict on it, what it says, and the answer the gateway expects back.

use super::{GatewayReport, RefundReport};

/// A gateway webhook as it arrived: raw bytes, never re-serialised.
#[derive(Clone, Debug)]
pub struct IncomingWebhook<'a> {
    /// Header names lower-cased.
    pub headers: &'a [(String, String)],
    /// The path the request was received on (for signatures that cover it).
    pub path: &'a str,
    pub body: &'a [u8],
    /// Server time, to check signed timestamps.
    pub now: chrono::DateTime<chrono::Utc>,
}

impl IncomingWebhook<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum WebhookVerification {
    /// The signature matched; `scheme` says which variant (for metrics).
    Verified { scheme: &'static str },
    /// Not applied; `reason` goes to the journal and the log, never to the sender.
    Rejected { reason: String },
}

#[derive(Clone, Debug, PartialEq)]
pub enum WebhookEvent {
    Payment(GatewayReport),
    Refund(RefundReport),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParsedWebhook {
    /// Stable key for deduplication (the gateway's event/transaction id plus status, or a body hash).
    pub dedupe_key: String,
    pub event: WebhookEvent,
}

/// How Payrail answers a gateway webhook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckKind {
    /// Taken (applied, a duplicate, or nothing to do): the gateway must not resend.
    Accepted,
    /// The signature did not verify.
    Rejected,
    /// Verified, but Payrail could not finish (confirmation query failed): please resend.
    RetryLater,
}

/// The HTTP answer a gateway expects from a webhook receiver.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookAck {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}
