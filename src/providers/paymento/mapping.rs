//! How Paymento's answers become Payrail outcomes: status numbers/names and HTTP answers (wire
//! contract: docs/gateways/paymento.md).
//!
//! Statuses ("Status mapping"), one exhaustive match over [`OrderStatus`]; a value we do not know
//! is `Unknown`, never paid:
//! * 0 Initialize, 1 Pending → Pending (nothing arrived yet).
//! * 2 PartialPaid → Paid with `underpaid`: money arrived but short, so Payrail holds the payment
//!   in `needs_review` instead of completing it or leaving it looking unpaid.
//! * 3 WaitingToConfirm → Processing (seen on chain, not confirmed: never fulfil).
//! * 4 Timeout → Expired; 5 UserCanceled → Cancelled; 9 Reject → Failed.
//! * 6 (in the swagger enum, undocumented, P8) → Unknown: logged, non-terminal, asked again.
//! * 7 Paid, 8 Approve → Paid (Payrail's `query` is verify, which turns 7 into 8, P7).
//!
//! HTTP level (connection failures are already NotSent in `http_call::send`):
//! * 200 → the envelope is read; an unreadable body → Unknown (the call may have been processed).
//!   `success:false` on a 200 is a business refusal → Declined with the gateway's message
//!   (verify reads its body first: a not-approved order is a report, not a refusal, P7).
//! * 400 whose body contains `API_KEY_MISSING` → NotSent (refused before processing); any other
//!   400 is validation (ASP.NET model binding, "Invalid fiat currency", …) → Declined.
//! * 401, 403 (bad key, refused at the door), 404 (no such route: wrong base URL), 429 (rate
//!   limited) → NotSent: answered before Paymento's business logic runs.
//! * 5xx and every other status → Unknown.

use super::wire::{Envelope, WireStatus};
use crate::providers::http_call::GatewayResponse;
use crate::providers::GatewayFailure;
use crate::providers::{Outcome, ReportedStatus};

/// `OrderStatus` ("Status mapping"), including the undocumented 6 of the swagger enum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderStatus {
    Initialize,
    Pending,
    PartialPaid,
    WaitingToConfirm,
    Timeout,
    UserCanceled,
    Undocumented6,
    Paid,
    Approve,
    Reject,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 10] = [
        OrderStatus::Initialize,
        OrderStatus::Pending,
        OrderStatus::PartialPaid,
        OrderStatus::WaitingToConfirm,
        OrderStatus::Timeout,
        OrderStatus::UserCanceled,
        OrderStatus::Undocumented6,
        OrderStatus::Paid,
        OrderStatus::Approve,
        OrderStatus::Reject,
    ];

    pub fn code(self) -> i64 {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0) as i64
    }

    /// The enum name Paymento uses (the new docs send it as a string), `"6"` for the unnamed one.
    pub fn name(self) -> &'static str {
        match self {
            OrderStatus::Initialize => "Initialize",
            OrderStatus::Pending => "Pending",
            OrderStatus::PartialPaid => "PartialPaid",
            OrderStatus::WaitingToConfirm => "WaitingToConfirm",
            OrderStatus::Timeout => "Timeout",
            OrderStatus::UserCanceled => "UserCanceled",
            OrderStatus::Undocumented6 => "6",
            OrderStatus::Paid => "Paid",
            OrderStatus::Approve => "Approve",
            OrderStatus::Reject => "Reject",
        }
    }

    /// P3: an int, a numeric string, or a name (case-insensitive).
    pub fn from_wire(wire: &WireStatus) -> Option<Self> {
        match wire {
            WireStatus::Code(n) => usize::try_from(*n)
                .ok()
                .and_then(|i| Self::ALL.get(i))
                .copied(),
            WireStatus::Name(s) => Self::ALL
                .into_iter()
                .filter(|st| *st != OrderStatus::Undocumented6)
                .find(|st| st.name().eq_ignore_ascii_case(s)),
        }
    }
}

/// What a status means for Payrail: the reported status and whether money arrived short.
pub fn map_status(status: Option<OrderStatus>) -> (ReportedStatus, bool) {
    match status {
        Some(OrderStatus::Initialize | OrderStatus::Pending) => (ReportedStatus::Pending, false),
        Some(OrderStatus::PartialPaid) => (ReportedStatus::Paid, true),
        Some(OrderStatus::WaitingToConfirm) => (ReportedStatus::Processing, false),
        Some(OrderStatus::Timeout) => (ReportedStatus::Expired, false),
        Some(OrderStatus::UserCanceled) => (ReportedStatus::Cancelled, false),
        Some(OrderStatus::Paid | OrderStatus::Approve) => (ReportedStatus::Paid, false),
        Some(OrderStatus::Reject) => (ReportedStatus::Failed, false),
        Some(OrderStatus::Undocumented6) | None => (ReportedStatus::Unknown, false),
    }
}

/// `provider_status`: the enum name for a known value, the value as it came otherwise.
pub fn provider_status(wire: &WireStatus) -> String {
    match OrderStatus::from_wire(wire) {
        Some(s) => s.name().to_owned(),
        None => wire.verbatim(),
    }
}

/// A payment report that will not change any more is `Succeeded`; one still moving is `Pending`
/// ([`crate::providers::payment_outcome`]), except that PartialPaid is reported as Paid
/// (underpaid) but may still move, so it stays `Pending`.
pub fn payment_outcome<T>(status: ReportedStatus, underpaid: bool, value: T) -> Outcome<T> {
    match status {
        ReportedStatus::Paid if underpaid => Outcome::Pending(value),
        other => crate::providers::payment_outcome(other, value),
    }
}

/// Shared by every adapter: a decline, or a failure with its kind.
pub use crate::providers::failure::Failure;

/// The HTTP layer of an answer: only a 200 carries an envelope worth reading.
pub fn read_answer(resp: &GatewayResponse) -> Result<Envelope, Failure> {
    let status = resp.status;
    let why = || reason_of(&resp.body);
    match status {
        200 => Envelope::parse(&resp.body).map_err(|e| {
            Failure::Unknown(GatewayFailure::bad_answer(format!(
                "unreadable answer from Paymento: {e}"
            )))
        }),
        400 if contains(&resp.body, b"API_KEY_MISSING") => {
            Err(Failure::NotSent(GatewayFailure::refused(
                "refused before processing: HTTP 400 API_KEY_MISSING from Paymento",
            )))
        }
        400 => Err(Failure::Declined(format!(
            "HTTP 400 from Paymento: {}",
            why()
        ))),
        401 | 403 | 404 | 429 => Err(Failure::NotSent(GatewayFailure::status(
            status,
            format!(
                "refused before processing: HTTP {status} from Paymento: {}",
                why()
            ),
        ))),
        _ => Err(Failure::Unknown(GatewayFailure::status(
            status,
            format!("HTTP {status} from Paymento"),
        ))),
    }
}

/// A readable answer whose `success` is false: Paymento looked at the request and refused it.
pub fn refusal(envelope: &Envelope) -> Failure {
    Failure::Declined(
        envelope
            .reason()
            .unwrap_or("Paymento answered success:false without a message")
            .to_owned(),
    )
}

/// `message`, then `error`, then the raw body (cut to 200 characters).
pub fn reason_of(body: &[u8]) -> String {
    if let Some(r) = Envelope::parse(body)
        .ok()
        .and_then(|e| e.reason().map(str::to_owned))
    {
        return r;
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        "(empty body)".to_owned()
    } else {
        text.chars().take(200).collect()
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
