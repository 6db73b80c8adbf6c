//! How Pakhi Pay's answers become Payrail outcomes: status words, the `status`/`message`
//! envelope, HTTP statuses. Every decision is written here because the docs are thin (wire
//! contract and the labels K1–K7: docs/gateways/pakhipay.md).
//!
//! Status words ("Status mapping", K3), one exhaustive match; only `completed` is documented, the
//! rest are [INFERRED]. A word we do not know is `Unknown`, never paid:
//! `completed`→Paid, `pending`→Pending, `processing`→Processing, `failed`→Failed,
//! `cancelled`|`canceled`→Cancelled, `expired`→Expired. Words are matched exactly (the official
//! receivers compare `== 'completed'`), so `Completed` is Unknown, not Paid.
//!
//! Envelope ("Answers and errors"): `status == 1` is success. On create it must carry an http(s)
//! `payment_url` (otherwise Unknown: the link may exist but we cannot use it). On verify the
//! `message` is the payment's status word (K3): paid ⇔ `status == 1 && message == "completed"`.
//! `status == 0` (or any other number) is the gateway's refusal:
//! * a message about the API key (`api key`, `api-key`, `apikey`, `unauthori…`) → NotSent: the
//!   key was refused before anything was processed, so a retry or a fallback is safe;
//! * anything else → Declined with the gateway's message: validation on create (definitive), and
//!   on verify "Invalid transaction" / "Amount mismatch" (the gateway has no record matching
//!   this transaction id and amount: never paid as far as we can prove).
//!
//! A missing or unreadable `status` → Unknown.
//!
//! HTTP (undocumented; "Answers and errors": read the envelope, branch on `status`). Connection
//! failures are already NotSent in `http_call::send`; timeouts are Unknown there.
//! * 2xx → read the envelope; an unreadable body → Unknown (the request may have been processed).
//! * 401, 403 → NotSent (auth refused at the door); 429 → NotSent (rate limited, not processed).
//! * 400, 404, 405, 422 with a readable envelope → the envelope decides as above. Without one:
//!   400/422 → Declined (the request itself was refused), 404/405 → NotSent (no such route: a
//!   wrong base URL, nothing processed).
//! * 5xx and every other status → Unknown.

use super::wire::Envelope;
use crate::providers::http_call::GatewayResponse;
use crate::providers::GatewayFailure;
use crate::providers::ReportedStatus;

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


/// Shared by every adapter: a decline, or a failure with its kind.
pub use crate::providers::failure::Failure;
pub use crate::providers::payment_outcome;

/// The envelope of an answer, or why there is none worth reading.
pub fn read_envelope(resp: &GatewayResponse) -> Result<Envelope, Failure> {
    let parsed = serde_json::from_slice::<Envelope>(&resp.body)
        .ok()
        .filter(|e| e.status.is_some());
    let status = resp.status;
    match (status, parsed) {
        (200..=299, Some(env)) => Ok(env),
        (200..=299, None) => Err(Failure::Unknown(GatewayFailure::bad_answer(format!(
            "unreadable answer from Pakhi Pay (HTTP {status})"
        )))),
        (401 | 403, env) => Err(Failure::NotSent(GatewayFailure::credentials_refused(format!(
            "refused before processing: HTTP {status} from Pakhi Pay{}",
            env.and_then(|e| e.message)
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        )))),
        (429, _) => Err(Failure::NotSent(GatewayFailure::status(
            429,
            "HTTP 429 from Pakhi Pay",
        ))),
        (400 | 404 | 405 | 422, Some(env)) if env.status != Some(1) => Ok(env),
        (400 | 422, _) => Err(Failure::Declined(format!("HTTP {status} from Pakhi Pay"))),
        (404 | 405, _) => Err(Failure::NotSent(GatewayFailure::refused(format!(
            "HTTP {status} from Pakhi Pay"
        )))),
        _ => Err(Failure::Unknown(GatewayFailure::status(
            status,
            format!("HTTP {status} from Pakhi Pay"),
        ))),
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
        Failure::NotSent(GatewayFailure::refused(format!(
            "refused before processing: {message}"
        )))
    } else {
        Failure::Declined(message)
    }
}

fn bad_answer(reason: impl Into<String>) -> Failure {
    Failure::Unknown(GatewayFailure::bad_answer(reason))
}

/// The create answer: the checkout link.
pub fn created(env: Envelope) -> Result<String, Failure> {
    match env.status {
        Some(1) => {}
        Some(_) => return Err(refusal(&env)),
        None => return Err(bad_answer("answer has no status")),
    }
    let url = env
        .payment_url
        .ok_or_else(|| bad_answer("answer has no payment_url"))?;
    match url::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "https" | "http") => Ok(url),
        _ => Err(bad_answer(format!(
            "payment_url {url:?} is not an http(s) URL"
        ))),
    }
}

/// The verify answer: the status word and what it means (K3).
pub fn verified(env: Envelope) -> Result<(String, ReportedStatus), Failure> {
    match env.status {
        Some(1) => {}
        Some(_) => return Err(refusal(&env)),
        None => return Err(bad_answer("answer has no status")),
    }
    let word = env
        .message
        .filter(|m| !m.is_empty())
        .ok_or_else(|| bad_answer("verify answered status 1 without a message"))?;
    let status = payment_status(&word);
    Ok((word, status))
}
