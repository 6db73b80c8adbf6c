//! How HitPay's answers become Payrail outcomes: status words and HTTP statuses (wire contract:
//! docs/gateways/hitpay.md).
//!
//! Status words ("Status mapping"), one exhaustive match per vocabulary; a word we do not know is
//! `Unknown`, never paid (the reconciler asks again):
//! * payment request: pending→Pending, completed→Paid, failed→Failed, expired→Expired,
//!   canceled→Cancelled (also the two-"l" spelling, in case traffic shows it), inactive→Cancelled
//!   (the merchant deactivated the link: nobody can pay it any more).
//! * legacy v1 webhook `status` ("Webhook v1", T8): completed→Paid, failed→Failed, pending→Pending
//!   (non-final, seen by the Woo plugin).
//! * payment / v2 charge: succeeded, succeeded_manually→Paid; pending, requires_payment_method→
//!   Pending; requires_customer_action→Processing (the customer is authenticating: money may
//!   follow, do not give up); failed→Failed; canceled, void→Cancelled; refunded→Refunded;
//!   partially_refunded→PartiallyRefunded.
//! * refund: succeeded→Completed (the only documented word); pending→Pending; failed→Failed.
//!
//! HTTP (connection failures are already NotSent in `http_call::send`):
//! * 2xx → read the body; an unreadable body → Unknown (the write may have happened).
//! * 401, 403 (`{"message":"Unauthenticated."}`: key refused before any processing), 405 (no such
//!   method on that path: wrong base URL), 429 (throttled) → NotSent.
//! * 404 with Laravel's `No query results for model […]` → Declined "not found": HitPay looked and
//!   holds no such payment request / charge / refund (definitive). Any other 404 is the router's
//!   (wrong base URL) → NotSent.
//! * 400 (bad request, e.g. deleting a completed request) and 422 (validation, `{"message",
//!   "errors"}`) → Declined: HitPay read the request and refused it.
//! * 5xx and every other status → Unknown.

use super::wire::ErrorBody;
use crate::providers::http_call::GatewayResponse;
use crate::providers::GatewayFailure;
use crate::providers::{RefundStatus, ReportedStatus};

pub fn request_status(word: &str) -> ReportedStatus {
    match word {
        "pending" => ReportedStatus::Pending,
        "completed" => ReportedStatus::Paid,
        "failed" => ReportedStatus::Failed,
        "expired" => ReportedStatus::Expired,
        "canceled" | "cancelled" | "inactive" => ReportedStatus::Cancelled,
        _ => ReportedStatus::Unknown,
    }
}

pub fn webhook_status(word: &str) -> ReportedStatus {
    match word {
        "completed" => ReportedStatus::Paid,
        "failed" => ReportedStatus::Failed,
        "pending" => ReportedStatus::Pending,
        _ => ReportedStatus::Unknown,
    }
}

pub fn charge_status(word: &str) -> ReportedStatus {
    match word {
        "succeeded" | "succeeded_manually" => ReportedStatus::Paid,
        "pending" | "requires_payment_method" => ReportedStatus::Pending,
        "requires_customer_action" => ReportedStatus::Processing,
        "failed" => ReportedStatus::Failed,
        "canceled" | "void" => ReportedStatus::Cancelled,
        "refunded" => ReportedStatus::Refunded,
        "partially_refunded" => ReportedStatus::PartiallyRefunded,
        _ => ReportedStatus::Unknown,
    }
}

/// Money was taken by this payment (refunds since do not undo that it was paid).
pub fn charge_took_money(word: &str) -> bool {
    matches!(
        charge_status(word),
        ReportedStatus::Paid | ReportedStatus::Refunded | ReportedStatus::PartiallyRefunded
    )
}

pub fn refund_status(word: &str) -> RefundStatus {
    match word {
        "succeeded" => RefundStatus::Completed,
        "pending" => RefundStatus::Pending,
        "failed" => RefundStatus::Failed,
        _ => RefundStatus::Unknown,
    }
}



/// Shared by every adapter: a decline, or a failure with its kind.
pub use crate::providers::failure::Failure;
pub use crate::providers::{payment_outcome, refund_outcome};

/// The Laravel marker of "the record does not exist" (as opposed to "no such route").
const MODEL_NOT_FOUND: &str = "No query results for model";

/// The HTTP layer of an answer: `Ok(body)` for a 2xx, else what the status means (module doc).
pub fn classify(resp: &GatewayResponse) -> Result<&[u8], Failure> {
    let status = resp.status;
    if (200..300).contains(&status) {
        return Ok(&resp.body);
    }
    let error: ErrorBody = serde_json::from_slice(&resp.body).unwrap_or_default();
    let text = error.text();
    let shown = if text.is_empty() {
        format!("HTTP {status} from HitPay")
    } else {
        format!("{text} (HTTP {status} from HitPay)")
    };
    Err(match status {
        401 | 403 => Failure::NotSent(GatewayFailure::status(
            status,
            format!("refused before processing: {shown}"),
        )),
        405 | 429 => Failure::NotSent(GatewayFailure::status(status, shown)),
        404 if text.starts_with(MODEL_NOT_FOUND) => {
            Failure::Declined(format!("not found: {shown}"))
        }
        404 => Failure::NotSent(GatewayFailure::status(
            status,
            format!("no such route (check base_url): {shown}"),
        )),
        400 | 422 => Failure::Declined(shown),
        _ => Failure::Unknown(GatewayFailure::status(status, shown)),
    })
}

/// A 2xx body as `T`; unreadable means the call may have worked, so Unknown.
pub fn read<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Failure> {
    serde_json::from_slice(body).map_err(|e| {
        Failure::Unknown(GatewayFailure::bad_answer(format!(
            "unreadable answer from HitPay: {e}"
        )))
    })
}
