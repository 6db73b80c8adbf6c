//! How bKash's answers become Payrail outcomes: HTTP statuses, the `statusCode` of every answer
//! (docs/gateways/bkash.md has the table, B9), and the `transactionStatus` words.
//!
//! bKash answers errors inside an HTTP 200 as a `statusCode` other than `0000`. Each documented
//! code falls into one [`Class`]; a code Payrail does not know is `Unknown` (ask again), never a
//! decline. Maintenance (`503`) and anything that may have run (`2003`, `2020`, `2024`, timeouts)
//! is never `Declined`.
//!
//! HTTP, around the envelope. Connection failures and timeouts are classified by
//! `http_call::send` already.
//! * 2xx → the envelope decides; an unreadable body → Unknown (the call may have run).
//! * 401, 403 → NotSent (the token or key was refused at the door; `call` retries once with a
//!   fresh token); 429 → NotSent (throttled, not processed).
//! * 400, 404, 405, 422 with a readable code → the code decides. Without one: 400/422 →
//!   Declined (the request itself was refused), 404/405 → NotSent (no such route: a wrong base
//!   URL).
//! * 5xx and every other status → Unknown.
//!
//! Status words (B6), one exhaustive match, matched exactly: `Completed` → Paid; `Initiated` →
//! Authorized once the customer's verification is `Complete` (wallet, OTP and PIN given: only
//! execute is missing), else Pending; `Expired`, `Cancelled` → themselves; `Failed`,
//! `Declined` → Failed [INFERRED]; anything else → Unknown.

use super::wire::Answer;
use crate::providers::failure::Failure;
use crate::providers::http_call::GatewayResponse;
use crate::providers::{GatewayFailure, GatewayReport, ReportedAmount, ReportedStatus};
use crate::providers::{RefundReport, RefundStatus};
use rust_decimal::Decimal;
use std::str::FromStr;

/// What a `statusCode` tells the caller to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// `0000`.
    Success,
    /// The payment was executed before (`2062`, `2068`, `2117`, `2119`): its status decides.
    AlreadyDone,
    /// Refused before anything ran: maintenance, an invalid app key, a mode not offered now.
    NotSent,
    /// The customer's wallet refused the money (balance, account state, PIN or OTP).
    CustomerRefused,
    /// A definitive refusal of this request (validation, state, unknown payment).
    Declined,
    /// It may have run (an exception at bKash), or the code is not documented.
    Unknown,
}

/// The class of a `statusCode` (the table of docs/gateways/bkash.md, B9).
pub fn class(code: &str) -> Class {
    if code == "0000" {
        return Class::Success;
    }
    match code.parse::<u32>().unwrap_or(0) {
        503 | 2001 | 2064 => Class::NotSent,
        2062 | 2068 | 2117 | 2119 => Class::AlreadyDone,
        2009..=2019 | 2023 | 2037..=2046 | 2057 | 2058 => Class::CustomerRefused,
        2002 | 2004..=2008 | 2021 | 2022 | 2025..=2036 | 2047..=2056 | 2059..=2061 | 2063
        | 2065..=2067 | 2069 | 2116 | 2118 => Class::Declined,
        _ => Class::Unknown,
    }
}

/// The envelope of an answer, or why there is none worth reading.
pub fn read(resp: &GatewayResponse) -> Result<Answer, Failure> {
    let parsed = serde_json::from_slice::<Answer>(&resp.body).ok();
    let status = resp.status;
    match (status, parsed) {
        (200..=299, Some(answer)) => Ok(answer),
        (200..=299, None) => Err(bad_answer(format!(
            "unreadable answer from bKash (HTTP {status})"
        ))),
        (401 | 403, answer) => Err(Failure::NotSent(GatewayFailure::credentials_refused(format!(
            "refused before processing: HTTP {status} from bKash{}",
            answer
                .as_ref()
                .and_then(Answer::words)
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        )))),
        (429, _) => Err(Failure::NotSent(GatewayFailure::status(
            429,
            "HTTP 429 from bKash",
        ))),
        (400 | 404 | 405 | 422, Some(answer)) if answer.code().is_some() => Ok(answer),
        (400 | 422, _) => Err(Failure::Declined(format!("HTTP {status} from bKash"))),
        (404 | 405, _) => Err(Failure::NotSent(GatewayFailure::refused(format!(
            "HTTP {status} from bKash"
        )))),
        _ => Err(Failure::Unknown(GatewayFailure::status(
            status,
            format!("HTTP {status} from bKash"),
        ))),
    }
}

/// The answer when its code is `0000`, else the failure its class says.
pub fn checked(answer: Answer) -> Result<Answer, Failure> {
    let Some(code) = answer.code() else {
        return Err(bad_answer("the answer has no statusCode"));
    };
    let reason = describe(&answer);
    match class(code) {
        Class::Success => Ok(answer),
        Class::NotSent => Err(Failure::NotSent(GatewayFailure::refused(reason))),
        Class::Unknown => Err(Failure::Unknown(GatewayFailure::refused(reason))),
        Class::AlreadyDone | Class::CustomerRefused | Class::Declined => {
            Err(Failure::Declined(reason))
        }
    }
}

/// `bKash 2023: Insufficient Balance`.
pub fn describe(answer: &Answer) -> String {
    let code = answer.code().unwrap_or("?");
    match answer.words() {
        Some(words) => format!("bKash {code}: {words}"),
        None => format!("bKash answered {code}"),
    }
}

pub fn bad_answer(reason: impl Into<String>) -> Failure {
    Failure::Unknown(GatewayFailure::bad_answer(reason))
}

/// A payment's `transactionStatus` (B6).
pub fn transaction_status(word: &str, customer_verified: bool) -> ReportedStatus {
    match word {
        "Completed" => ReportedStatus::Paid,
        "Initiated" if customer_verified => ReportedStatus::Authorized,
        "Initiated" => ReportedStatus::Pending,
        "Expired" => ReportedStatus::Expired,
        "Cancelled" => ReportedStatus::Cancelled,
        "Failed" | "Declined" => ReportedStatus::Failed,
        _ => ReportedStatus::Unknown,
    }
}

/// The report of a payment's status or execute answer (code already checked).
pub fn payment_report(answer: &Answer) -> Result<GatewayReport, Failure> {
    let word = answer
        .transaction_status
        .clone()
        .filter(|w| !w.is_empty())
        .ok_or_else(|| bad_answer("the answer has no transactionStatus"))?;
    let status = transaction_status(&word, answer.customer_verified());
    Ok(GatewayReport {
        reference: answer.invoice().map(str::to_owned),
        external_id: answer.payment_id.clone().filter(|p| !p.is_empty()),
        provider_status: word,
        status,
        amount: reported_amount(answer)?,
        underpaid: false,
        received: None,
        charge_id: answer.trx_id.clone().filter(|t| !t.is_empty()),
        refunded: None,
        extra_charges: vec![],
    })
}

/// A failed execute as the payment's report: the customer's wallet refused, so the payment
/// cannot complete (B7).
pub fn refused_execute(answer: &Answer, payment_id: &str) -> GatewayReport {
    GatewayReport {
        reference: answer.invoice().map(str::to_owned),
        external_id: Some(payment_id.to_owned()),
        provider_status: describe(answer),
        status: ReportedStatus::Failed,
        amount: None,
        underpaid: false,
        received: None,
        charge_id: None,
        refunded: None,
        extra_charges: vec![],
    }
}

/// The report of a refund answer (code already checked); `reference` is ours (bKash keeps none).
pub fn refund_report(answer: &Answer, reference: &str) -> Result<RefundReport, Failure> {
    let word = answer
        .transaction_status
        .clone()
        .filter(|w| !w.is_empty())
        .ok_or_else(|| bad_answer("the refund answer has no transactionStatus"))?;
    let status = match word.as_str() {
        "Completed" => RefundStatus::Completed,
        "Initiated" | "Pending" => RefundStatus::Pending,
        "Failed" | "Declined" => RefundStatus::Failed,
        _ => RefundStatus::Unknown,
    };
    Ok(RefundReport {
        reference: Some(reference.to_owned()),
        external_id: answer.refund_trx_id.clone().filter(|t| !t.is_empty()),
        provider_status: word,
        status,
        payment_external_id: None,
        amount: reported_amount(answer)?,
    })
}

fn reported_amount(answer: &Answer) -> Result<Option<ReportedAmount>, Failure> {
    let Some(text) = answer.amount.as_deref() else {
        return Ok(None);
    };
    let value = plain_decimal(text.trim())
        .ok_or_else(|| bad_answer(format!("amount {text:?} is not a plain decimal")))?;
    let currency = answer.currency.clone().unwrap_or_else(|| "BDT".into());
    Ok(Some(ReportedAmount { value, currency }))
}

/// `digits[.digits]` only: no sign, exponent, separators or blanks are guessed at.
pub fn plain_decimal(text: &str) -> Option<Decimal> {
    let (whole, frac) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !frac.is_none_or(digits) {
        return None;
    }
    Decimal::from_str(text).ok()
}
