//! Why a gateway call failed: a typed kind the code decides on, and a reason people read.
//!
//! Orchestration keys on the kind, never on the text: an unknown outcome that timed out answers
//! 504 and counts towards the circuit breaker; every other failure answers 502. The reason is
//! for logs, the timeline and the merchant's error message, and may quote the gateway, so
//! nothing may match on it. The kind travels from `http_call::send` through each adapter's
//! mapping, which adds the kinds only it can see (an error status, an unreadable answer). A
//! throttle also carries the gateway's `Retry-After`: `http_call::send` reads the header on
//! every answer and each adapter's `call` hands it to its mapping's failure
//! ([`Failure::throttled_for`]), whatever the gateway's error format.

use super::http_call::HttpFailure;
use super::Outcome;
use std::fmt;
use std::time::Duration;

/// What went wrong, as far as the caller's decisions go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// No request could be made: invalid credentials, input the gateway needs is missing, or the
    /// request could not be built.
    Unsendable,
    /// No connection to the gateway could be opened.
    Connect,
    /// The request went out and no answer came in time.
    Timeout,
    /// The connection broke after the request may have left, or while the answer was read.
    Transport,
    /// The gateway answered with an error: an error status (auth refused, no such route, 5xx)
    /// or an error code in its envelope.
    Refused,
    /// The gateway refused the account's credentials, their permissions or Payrail's signature
    /// (HTTP 401, 403) before doing anything: retrying cannot help until an operator fixes the
    /// account.
    CredentialsRefused,
    /// The gateway throttled the call (HTTP 429).
    RateLimited,
    /// The answer could not be decoded or trusted: unreadable, missing what it must carry,
    /// over the size cap, or contradicting what was asked.
    BadAnswer,
}

/// A failed call's kind and its human reason.
#[derive(Clone, Debug, PartialEq)]
pub struct GatewayFailure {
    pub kind: FailureKind,
    pub reason: String,
    /// How long a throttling gateway asked Payrail to wait (`Retry-After` on a 429). Set only on
    /// [`FailureKind::RateLimited`]; the circuit breaker opens the account for that long.
    pub retry_after: Option<Duration>,
}

impl GatewayFailure {
    pub fn new(kind: FailureKind, reason: impl Into<String>) -> Self {
        Self {
            kind,
            reason: reason.into(),
            retry_after: None,
        }
    }

    /// The gateway's `Retry-After`, kept when this failure is a throttle (else dropped: only a
    /// 429 asks Payrail to hold back).
    pub fn throttled_for(mut self, retry_after: Option<Duration>) -> Self {
        if self.kind == FailureKind::RateLimited {
            self.retry_after = retry_after;
        }
        self
    }

    pub fn unsendable(reason: impl Into<String>) -> Self {
        Self::new(FailureKind::Unsendable, reason)
    }

    pub fn refused(reason: impl Into<String>) -> Self {
        Self::new(FailureKind::Refused, reason)
    }

    /// The account's credentials were refused at the door ([`FailureKind::CredentialsRefused`]).
    pub fn credentials_refused(reason: impl Into<String>) -> Self {
        Self::new(FailureKind::CredentialsRefused, reason)
    }

    /// The gateway answered HTTP `status` (an error): throttled for 429, credentials refused for
    /// 401 and 403, else refused.
    pub fn status(status: u16, reason: impl Into<String>) -> Self {
        let kind = match status {
            429 => FailureKind::RateLimited,
            401 | 403 => FailureKind::CredentialsRefused,
            _ => FailureKind::Refused,
        };
        Self::new(kind, reason)
    }

    pub fn bad_answer(reason: impl Into<String>) -> Self {
        Self::new(FailureKind::BadAnswer, reason)
    }

    /// The same kind with a new reason (a wrapper that explains where the failure happened).
    pub fn explained(self, reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            ..self
        }
    }
}

impl fmt::Display for GatewayFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// A call's failure as an adapter classifies it: the three failing [`Outcome`]s.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    Declined(String),
    NotSent(GatewayFailure),
    Unknown(GatewayFailure),
}

impl Failure {
    pub fn into_outcome<T>(self) -> Outcome<T> {
        match self {
            Failure::Declined(m) => Outcome::Declined(m),
            Failure::NotSent(f) => Outcome::NotSent(f),
            Failure::Unknown(f) => Outcome::Unknown(f),
        }
    }

    /// No request could be made (credentials, input, building it): certainly not sent.
    pub fn unsendable(reason: impl Into<String>) -> Self {
        Failure::NotSent(GatewayFailure::unsendable(reason))
    }

    /// The answer came but cannot be used: the call may have happened.
    pub fn bad_answer(reason: impl Into<String>) -> Self {
        Failure::Unknown(GatewayFailure::bad_answer(reason))
    }

    /// Attaches the answer's `Retry-After` to a throttle ([`GatewayFailure::throttled_for`]).
    pub fn throttled_for(self, retry_after: Option<Duration>) -> Self {
        match self {
            Failure::NotSent(f) => Failure::NotSent(f.throttled_for(retry_after)),
            Failure::Unknown(f) => Failure::Unknown(f.throttled_for(retry_after)),
            declined => declined,
        }
    }

    /// The human reason, whichever the failure.
    pub fn reason(&self) -> &str {
        match self {
            Failure::Declined(m) => m,
            Failure::NotSent(f) | Failure::Unknown(f) => &f.reason,
        }
    }

    /// The kind, for a failure that has one (a decline is the gateway's answer, not a failure to
    /// get one: it counts as [`FailureKind::Refused`]).
    pub fn kind(&self) -> FailureKind {
        match self {
            Failure::Declined(_) => FailureKind::Refused,
            Failure::NotSent(f) | Failure::Unknown(f) => f.kind,
        }
    }
}

impl HttpFailure {
    /// Attaches the answer's `Retry-After` to a throttle ([`GatewayFailure::throttled_for`]).
    pub fn throttled_for(self, retry_after: Option<Duration>) -> Self {
        match self {
            HttpFailure::NotSent(f) => HttpFailure::NotSent(f.throttled_for(retry_after)),
            HttpFailure::Unknown(f) => HttpFailure::Unknown(f.throttled_for(retry_after)),
        }
    }
}

impl From<HttpFailure> for Failure {
    fn from(f: HttpFailure) -> Self {
        match f {
            HttpFailure::NotSent(f) => Failure::NotSent(f),
            HttpFailure::Unknown(f) => Failure::Unknown(f),
        }
    }
}
