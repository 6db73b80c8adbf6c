//! How HimoSoft's answers become Payrail outcomes: status words and HTTP statuses (wire contract:
//! docs/gateways/himosoft.md).
//!
//! Status words ("Status mapping", H4), one exhaustive match, compared case-insensitively (a Django
//! model's choices are lowercase; an uppercase word is the same word, so both are accepted):
//! * `pending` → Pending (created, not paid yet);
//! * `completed` → Paid (the only documented final word);
//! * `failed` → Failed; `cancelled` and `canceled` → Cancelled; `expired` → Expired ([INFERRED]
//!   words the implementation probably has);
//! * anything else → Unknown: never paid; the reconciler asks `/recheck/` again.
//!
//! HTTP statuses ("Answers and errors": 200 OK, 400 missing parameters / malformed payload, 401
//! HMAC validation failed, 404 transaction not found). Connection failures are already NotSent and
//! timeouts Unknown in `http_call::send`.
//! * any 2xx → read the body (the create answer's status is undocumented: 200 or 201); an
//!   unreadable body → Unknown, since the request may have been processed.
//! * 400 → Declined: HimoSoft read the request and refused it (validation).
//! * 401 (`invalid_signature`, `timestamp_expired`), 403, 429 → NotSent: refused before any
//!   processing, so nothing happened and a retry (after fixing credentials or clock) is safe.
//! * 404 → on a query, Declined "not found": HimoSoft has no such payment (definitive). On a
//!   create, the create route itself does not exist (wrong base URL): nothing was created, NotSent.
//! * 5xx and every other status → Unknown: it may have been processed.

use super::wire::ErrorBody;
use crate::providers::http_call::GatewayResponse;
use crate::providers::GatewayFailure;
use crate::providers::ReportedStatus;

pub fn payment_status(word: &str) -> ReportedStatus {
    match word.trim().to_ascii_lowercase().as_str() {
        "pending" => ReportedStatus::Pending,
        "completed" => ReportedStatus::Paid,
        "failed" => ReportedStatus::Failed,
        "cancelled" | "canceled" => ReportedStatus::Cancelled,
        "expired" => ReportedStatus::Expired,
        _ => ReportedStatus::Unknown,
    }
}


/// Which call an HTTP status answered (only 404 depends on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Create,
    Query,
}

/// Shared by every adapter: a decline, or a failure with its kind.
pub use crate::providers::failure::Failure;
pub use crate::providers::payment_outcome;

fn text(v: &Option<serde_json::Value>) -> Option<&str> {
    v.as_ref().and_then(|v| v.as_str()).map(str::trim)
}

/// `message (HimoSoft error, HTTP n)` from the error envelope, or `HTTP n from HimoSoft`.
fn describe(resp: &GatewayResponse) -> String {
    let body: ErrorBody = serde_json::from_slice(&resp.body).unwrap_or_default();
    match (text(&body.message), text(&body.error)) {
        (Some(m), Some(e)) if !m.is_empty() => {
            format!("{m} (HimoSoft {e}, HTTP {})", resp.status)
        }
        (_, Some(e)) if !e.is_empty() => format!("HimoSoft {e}, HTTP {}", resp.status),
        _ => format!("HTTP {} from HimoSoft", resp.status),
    }
}

/// The HTTP layer of an answer: `Ok` for a 2xx whose body is worth reading.
pub fn check_http(resp: &GatewayResponse, op: Op) -> Result<(), Failure> {
    match (resp.status, op) {
        (200..=299, _) => Ok(()),
        (400, _) => Err(Failure::Declined(describe(resp))),
        (status @ (401 | 403 | 429), _) => Err(Failure::NotSent(GatewayFailure::status(
            status,
            format!("refused before processing: {}", describe(resp)),
        ))),
        (404, Op::Query) => Err(Failure::Declined(format!("not found: {}", describe(resp)))),
        (404, Op::Create) => Err(Failure::NotSent(GatewayFailure::refused(format!(
            "no create route at this base URL: {}",
            describe(resp)
        )))),
        (status, _) => Err(Failure::Unknown(GatewayFailure::status(
            status,
            format!("HTTP {status} from HimoSoft"),
        ))),
    }
}
