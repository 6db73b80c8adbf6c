//! How Pakhi Pay's answers become Payrail outcomes: status words, the `status`/`message`
//! envelope, HTTP statuses. Every decision is written here because the docs are thin (§4).
//!
//! Status words (§4.3, K3), one exhaustive match; only `completed` is documented, the rest are
//! [INFERRED]. A word we do not know is `Unknown`, never paid:
//! `completed`→Paid, `pending`→Pending, `processing`→Processing, `failed`→Failed,
//! `cancelled`|`canceled`→Cancelled, `expired`→Expired. Words are matched exactly (the official
//! receivers compare `== 'completed'`), so `Completed` is Unknown, not Paid.
//!
//! Envelope (§4.2): `status == 1` is success. On create it must carry an http(s) `payment_url`
//! (otherwise Unknown: the link may exist but we cannot use it). On verify the `message` is the
//! payment's status word (K3): paid ⇔ `status == 1 && message == "completed"`.
//! `status == 0` (or any other number) is the gateway's refusal:
//! * a message about the API key (`api key`, `api-key`, `apikey`, `unauthori…`) → NotSent: the
//!   key was refused before anything was processed, so a retry or a fallback is safe;
//! * anything else → Declined with the gateway's message: validation on create (definitive), and
//!   on verify "Invalid transaction" / "Amount mismatch" (the gateway has no record matching
//!   this transaction id and amount: never paid as far as we can prove).
//!
//! A missing or unreadable `status` → Unknown.
//!
//! HTTP (undocumented; §4.2 says assume 200 and branch on `status`). Connection failures are
//! already NotSent in `http_call::send`; timeouts are Unknown there.
//! * 2xx → read the envelope; an unreadable body → Unknown (the request may have been processed).
//! * 401, 403 → NotSent (auth refused at the door); 429 → NotSent (rate limited, not processed).
//! * 400, 404, 405, 422 with a readable envelope → the envelope decides as above. Without one:
//!   400/422 → Declined (the request itself was refused), 404/405 → NotSent (no such route: a
//!   wrong base URL, nothing processed).
//! * 5xx and every other status → Unknown.

use super::wire::Envelope;
use crate::providers::http_call::GatewayResponse;
use crate::providers::{Outcome, ReportedStatus};

pub fn payment_status(word: &str) -> ReportedStatus {
    match word {
        "completed" => ReportedStatus::Paid,
        "pending" => ReportedStatus::Pending,
        "processing" => ReportedStatus::Processing,
        "failed" => ReportedStatus::Failed,
        "cancelled" | "canceled" => ReportedStatus::Cancelled,
        "expired" => ReportedStatus::Expired,
        _ => ReportedStatus::Unknown,
    }
}

/// A payment report that will not change any more is `Succeeded`; one still moving is `Pending`.
pub fn payment_outcome<T>(status: ReportedStatus, value: T) -> Outcome<T> {
    match status {
        ReportedStatus::Paid
        | ReportedStatus::Failed
        | ReportedStatus::Expired
        | ReportedStatus::Cancelled
        | ReportedStatus::Refunded
        | ReportedStatus::PartiallyRefunded => Outcome::Succeeded(value),
        ReportedStatus::Pending | ReportedStatus::Processing | ReportedStatus::Unknown => {
            Outcome::Pending(value)
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    Declined(String),
    NotSent(String),
    Unknown(String),
}

impl Failure {
    pub fn into_outcome<T>(self) -> Outcome<T> {
        match self {
            Failure::Declined(m) => Outcome::Declined(m),
            Failure::NotSent(m) => Outcome::NotSent(m),
            Failure::Unknown(m) => Outcome::Unknown(m),
        }
    }
}

/// The envelope of an answer, or why there is none worth reading.
pub fn read_envelope(resp: &GatewayResponse) -> Result<Envelope, Failure> {
    let parsed = serde_json::from_slice::<Envelope>(&resp.body)
        .ok()
        .filter(|e| e.status.is_some());
    let status = resp.status;
    match (status, parsed) {
        (200..=299, Some(env)) => Ok(env),
        (200..=299, None) => Err(Failure::Unknown(format!(
            "unreadable answer from Pakhi Pay (HTTP {status})"
        ))),
        (401 | 403, env) => Err(Failure::NotSent(format!(
            "refused before processing: HTTP {status} from Pakhi Pay{}",
            env.and_then(|e| e.message)
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        ))),
        (429, _) => Err(Failure::NotSent("HTTP 429 from Pakhi Pay".into())),
        (400 | 404 | 405 | 422, Some(env)) if env.status != Some(1) => Ok(env),
        (400 | 422, _) => Err(Failure::Declined(format!("HTTP {status} from Pakhi Pay"))),
        (404 | 405, _) => Err(Failure::NotSent(format!("HTTP {status} from Pakhi Pay"))),
        _ => Err(Failure::Unknown(format!("HTTP {status} from Pakhi Pay"))),
    }
}

/// A `status != 1` envelope: why the gateway said no.
fn refusal(env: &Envelope) -> Failure {
    let message = env
        .message
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| format!("Pakhi Pay answered status {}", env.status.unwrap_or(0)));
    let lower = message.to_ascii_lowercase();
    let about_key = ["api key", "api-key", "api_key", "apikey", "unauthori"]
        .iter()
        .any(|w| lower.contains(w));
    if about_key {
        Failure::NotSent(format!("refused before processing: {message}"))
    } else {
        Failure::Declined(message)
    }
}

/// The create answer: the checkout link.
pub fn created(env: Envelope) -> Result<String, Failure> {
    match env.status {
        Some(1) => {}
        Some(_) => return Err(refusal(&env)),
        None => return Err(Failure::Unknown("answer has no status".into())),
    }
    let url = env
        .payment_url
        .ok_or_else(|| Failure::Unknown("answer has no payment_url".into()))?;
    match url::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "https" | "http") => Ok(url),
        _ => Err(Failure::Unknown(format!(
            "payment_url {url:?} is not an http(s) URL"
        ))),
    }
}

/// The verify answer: the status word and what it means (K3).
pub fn verified(env: Envelope) -> Result<(String, ReportedStatus), Failure> {
    match env.status {
        Some(1) => {}
        Some(_) => return Err(refusal(&env)),
        None => return Err(Failure::Unknown("answer has no status".into())),
    }
    let word = env
        .message
        .filter(|m| !m.is_empty())
        .ok_or_else(|| Failure::Unknown("verify answered status 1 without a message".into()))?;
    let status = payment_status(&word);
    Ok((word, status))
}
