//! How PSC's answers become Payrail outcomes: status words, business codes, HTTP statuses
//! (wire contract: docs/gateways/paystablecoin.md).
//!
//! Statuses ("Status mapping"), one exhaustive match each; unknown words are `Unknown`, not paid:
//! * payment: INIT→Pending, PROCESSING→Processing (money seen, do not fulfil), SUCCEEDED→Paid,
//!   FAILED→Failed, CLOSED→Expired (PSC uses CLOSED for both expiry and cancellation; the
//!   orchestration layer turns Expired into cancelled while the payment's window is still open).
//! * refund: PROCESSING→Pending, SUCCEEDED→Completed, FAILED|CLOSED→Failed.
//!
//! Business codes ("Answers and errors"; PSC answers HTTP 200 and puts the result in `code`):
//! * `00000` success.
//! * `10xxx` parameter/validation → Declined: PSC looked at the request and refused it.
//! * `20001` on create order / create refund → "already exists": the caller looks the record up by
//!   our reference (natural idempotency). A retry after a lost answer must never be reported as a
//!   rejection of something PSC actually holds; refunds get the same treatment as orders.
//! * other `20xxx` (order paid/closed/expired/not payable, …) → Declined.
//! * `30xxx` (data state / version conflict) → Unknown: a conflict says nothing certain about
//!   whether the write landed, so the reconciler asks again with the same reference.
//! * `40xxx` → Declined, reason starting "not found": on a query PSC has no record under our
//!   reference; on a create or refund it names a missing merchant/order. Definitive either way.
//! * `50xxx` → NotSent: authentication/authorisation refused before any processing (bad key,
//!   signature, clock skew, API disabled), so nothing happened and a retry or fallback is safe.
//! * `99999`, any undocumented range, or a code that is not 5 digits → Unknown.
//!
//! HTTP level (connection failures are already NotSent in `http_call::send`):
//! * 200 → read the envelope; an unreadable body → Unknown (the request may have been processed).
//! * 401, 403 (refused at the edge), 404 (no such route: wrong base URL), 429 (rate limited) →
//!   NotSent: these are answered before the gateway's business logic runs.
//! * 5xx, and every other status → Unknown.

use super::wire::Envelope;
use crate::providers::http_call::{GatewayResponse, HttpFailure};
use crate::providers::GatewayFailure;
use crate::providers::{RefundStatus, ReportedStatus};

pub fn payment_status(word: &str) -> ReportedStatus {
    match word {
        "INIT" => ReportedStatus::Pending,
        "PROCESSING" => ReportedStatus::Processing,
        "SUCCEEDED" => ReportedStatus::Paid,
        "FAILED" => ReportedStatus::Failed,
        "CLOSED" => ReportedStatus::Expired,
        _ => ReportedStatus::Unknown,
    }
}

pub fn refund_status(word: &str) -> RefundStatus {
    match word {
        "PROCESSING" => RefundStatus::Pending,
        "SUCCEEDED" => RefundStatus::Completed,
        "FAILED" | "CLOSED" => RefundStatus::Failed,
        _ => RefundStatus::Unknown,
    }
}



/// Which call a business code answered (only `20001` depends on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    CreateOrder,
    QueryOrder,
    CreateRefund,
    QueryRefund,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Ok,
    AlreadyExists,
    Fail(Failure),
}

/// Shared by every adapter: a decline, or a failure with its kind.
pub use crate::providers::failure::Failure;
pub use crate::providers::{payment_outcome, refund_outcome};

pub fn classify_code(code: &str, message: &str, op: Op) -> Verdict {
    if code.len() != 5 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Verdict::Fail(Failure::Unknown(GatewayFailure::bad_answer(format!(
            "unreadable PayStableCoin code {code:?}"
        ))));
    }
    let shown = if message.is_empty() {
        format!("PayStableCoin code {code}")
    } else {
        format!("{message} (PayStableCoin code {code})")
    };
    match (code, &code[..2], op) {
        ("00000", _, _) => Verdict::Ok,
        ("20001", _, Op::CreateOrder | Op::CreateRefund) => Verdict::AlreadyExists,
        (_, "10" | "20", _) => Verdict::Fail(Failure::Declined(shown)),
        (_, "40", _) => Verdict::Fail(Failure::Declined(format!("not found: {shown}"))),
        (_, "50", _) => Verdict::Fail(Failure::NotSent(GatewayFailure::refused(format!(
            "refused before processing: {shown}"
        )))),
        _ => Verdict::Fail(Failure::Unknown(GatewayFailure::refused(shown))),
    }
}

/// The HTTP layer of an answer: only a 200 carries an envelope worth reading.
pub fn read_envelope(resp: &GatewayResponse) -> Result<Envelope, HttpFailure> {
    match resp.status {
        200 => serde_json::from_slice(&resp.body).map_err(|e| {
            HttpFailure::Unknown(GatewayFailure::bad_answer(format!(
                "unreadable answer from PayStableCoin: {e}"
            )))
        }),
        status @ (401 | 403 | 404 | 429) => Err(HttpFailure::NotSent(GatewayFailure::status(
            status,
            format!("HTTP {status} from PayStableCoin"),
        ))),
        other => Err(HttpFailure::Unknown(GatewayFailure::status(
            other,
            format!("HTTP {other} from PayStableCoin"),
        ))),
    }
}
