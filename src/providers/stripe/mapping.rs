//! How Stripe's answers become Payrail outcomes: status words and errors.
//!
//! Status words, one exhaustive match per vocabulary; a word Payrail does not know is `Unknown`,
//! never paid (the reconciler asks again):
//! * Checkout Session (`status` + `payment_status`, R9): `payment_status` `paid` → Paid, whatever
//!   `status` says (money outweighs the word); `open` → Pending; `expired` → Expired; `complete`
//!   and `unpaid` → what its PaymentIntent says (a delayed method: `processing`, or none read →
//!   Processing; `requires_payment_method`/`canceled` → Failed, the async payment failed;
//!   `succeeded` → Paid); `complete` and `no_payment_required` → Unknown (Payrail never asks for
//!   nothing, so this is not a payment).
//! * Refund: `succeeded` → Completed; `pending`, `requires_action` → Pending; `failed`,
//!   `canceled` → Failed.
//!
//! Errors (`{"error": {"type", "code", "message", "param"}}`), in this order (R10):
//! * `idempotency_error` (any status) → Unknown, logged at error level: the same key came with
//!   other parameters, which Payrail's fixed request building should make impossible — a bug;
//!   the original may exist, so the call is not known not to have happened.
//! * 401, 403 → NotSent: the key was refused before anything was processed.
//! * 429 → NotSent (rate limited: Stripe did not process it).
//! * 5xx and 409 (a concurrent request with the same key, a lock) → Unknown, never Declined.
//! * 402 or `card_error` → Declined (a decline).
//! * 404 with Stripe's envelope → Declined "not found" (Stripe looked); without it → NotSent
//!   (no such route: check `base_url`).
//! * 400 → on a create NotSent (Stripe refused to make the session, so nothing exists and the
//!   payment may go elsewhere); on any other call Declined (Stripe read it and refused).
//! * any other status → Unknown.

use super::wire::ErrorEnvelope;
use crate::providers::http_call::GatewayResponse;
use crate::providers::{GatewayFailure, RefundStatus, ReportedStatus};

pub use crate::providers::failure::Failure;
pub use crate::providers::{payment_outcome, refund_outcome};

/// Which call an error answers (a 400 means different things).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    Create,
    Read,
    Refund,
    Expire,
}

impl Call {
    fn as_str(self) -> &'static str {
        match self {
            Call::Create => "create",
            Call::Read => "read",
            Call::Refund => "refund",
            Call::Expire => "expire",
        }
    }
}

pub fn session_status(status: &str, payment_status: &str, intent: Option<&str>) -> ReportedStatus {
    if payment_status == "paid" {
        return ReportedStatus::Paid;
    }
    match (status, payment_status) {
        ("open", _) => ReportedStatus::Pending,
        ("expired", _) => ReportedStatus::Expired,
        ("complete", "unpaid") => intent.map_or(ReportedStatus::Processing, intent_status),
        _ => ReportedStatus::Unknown,
    }
}

/// A PaymentIntent's status once its session is complete but unpaid.
pub fn intent_status(word: &str) -> ReportedStatus {
    match word {
        "succeeded" => ReportedStatus::Paid,
        "processing" | "requires_action" | "requires_confirmation" | "requires_capture" => {
            ReportedStatus::Processing
        }
        "requires_payment_method" | "canceled" => ReportedStatus::Failed,
        _ => ReportedStatus::Unknown,
    }
}

pub fn refund_status(word: &str) -> RefundStatus {
    match word {
        "succeeded" => RefundStatus::Completed,
        "pending" | "requires_action" => RefundStatus::Pending,
        "failed" | "canceled" => RefundStatus::Failed,
        _ => RefundStatus::Unknown,
    }
}



/// The HTTP layer of an answer: `Ok(body)` for a 2xx, else what the error means (module doc).
pub fn classify(resp: &GatewayResponse, call: Call) -> Result<&[u8], Failure> {
    let status = resp.status;
    if (200..300).contains(&status) {
        return Ok(&resp.body);
    }
    let envelope: Option<ErrorEnvelope> = serde_json::from_slice(&resp.body).ok();
    let error = envelope.map(|e| e.error).unwrap_or_default();
    let kind = error.kind.as_deref().unwrap_or("");
    let text = error.text();
    let shown = if text.is_empty() {
        format!("HTTP {status} from Stripe")
    } else {
        format!("{text} (HTTP {status} from Stripe)")
    };
    if kind == "idempotency_error" {
        tracing::error!(call = call.as_str(), status, error = %shown, "Stripe refused an Idempotency-Key reused with other parameters: Payrail built two different requests under one key (a bug); the first may have happened");
        return Err(Failure::Unknown(GatewayFailure::refused(shown)));
    }
    Err(match status {
        401 | 403 => Failure::NotSent(GatewayFailure::credentials_refused(format!(
            "refused before processing: {shown}"
        ))),
        429 => Failure::NotSent(GatewayFailure::status(status, shown)),
        409 | 500..=599 => Failure::Unknown(GatewayFailure::status(status, shown)),
        402 => Failure::Declined(shown),
        _ if kind == "card_error" => Failure::Declined(shown),
        404 if !kind.is_empty() => Failure::Declined(format!("not found: {shown}")),
        404 => Failure::NotSent(GatewayFailure::status(
            status,
            format!("no such route (check base_url): {shown}"),
        )),
        400 if call == Call::Create => Failure::NotSent(GatewayFailure::refused(shown)),
        400 => Failure::Declined(shown),
        _ => Failure::Unknown(GatewayFailure::status(status, shown)),
    })
}

/// A 2xx body as `T`; unreadable means the call may have worked, so Unknown.
pub fn read<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Failure> {
    serde_json::from_slice(body).map_err(|e| {
        Failure::Unknown(GatewayFailure::bad_answer(format!(
            "unreadable answer from Stripe: {e}"
        )))
    })
}
