//! Refunds (`/payment/refund`): partial or full, against a completed payment's `trxID`, and the
//! same path without an amount as the refund's status.
//!
//! | case | `statusCode` |
//! |---|---|
//! | unknown `paymentID` (or another account's) | `2002` |
//! | `trxID` not the payment's transaction | `2028` |
//! | `amount` not a positive decimal with at most 2 places | `2006` |
//! | nothing left to refund | `2034` already reversed |
//! | `amount` more than is left | `2026` |
//! | `sku` or `reason` missing | `2065` |
//! | status asked of a payment never refunded | `2033` Transaction not found |
//!
//! A completed refund answers `transactionStatus` `Completed` with its own `refundTrxID`. The
//! status form (no `amount`) answers the latest refund of the transaction [INFERRED: bKash's
//! status call names the payment, not the refund].

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde_json::{json, Value};

use super::api::{amount, begin_call, fields, invoice_of, payment_of, text};
use super::auth::authenticate;
use super::faults::{self, code, Answer};
use super::state::{bkash_time, money, new_trx_id, Account, CallKind, PayState, Payment, Refund};
use super::{BkashSim, Mount};

pub async fn refund(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let asks_status = fields(&body).is_ok_and(|f| !f.contains_key("amount"));
    let kind = if asks_status {
        CallKind::Query
    } else {
        CallKind::Refund
    };
    let fault = begin_call(&mount.sim, kind, invoice_of(&mount.sim, &body));
    faults::respond(fault, || {
        authenticate(&mount.sim, &req)
            .and_then(|account| refund_or_status(&mount.sim, &account, &body, asks_status))
            .unwrap_or_else(|a| a)
    })
    .await
}

fn refund_or_status(
    sim: &BkashSim,
    account: &Account,
    body: &[u8],
    asks_status: bool,
) -> Result<Answer, Answer> {
    let f = fields(body)?;
    let mut st = sim.lock();
    let p = payment_of(&mut st, account, &f)?;
    let trx_id = text(&f, "trxID")?;
    let ours = p.state == PayState::Completed && p.trx_id.as_deref() == Some(trx_id.as_str());
    if !ours {
        return Err(code(
            "2028",
            "Reverse failed because the transaction serial number does not exist",
        ));
    }
    if asks_status {
        let latest = p
            .refunds
            .last()
            .ok_or_else(|| code("2033", "Transaction not found"))?;
        return Ok((200, refund_answer(p, latest)));
    }
    let asked = amount(&f)?;
    let (sku, reason) = (text(&f, "sku")?, text(&f, "reason")?);
    let left = p.amount - p.refunded();
    if left <= rust_decimal::Decimal::ZERO {
        return Err(code(
            "2034",
            "The transaction cannot be reversed because the original transaction has been reversed",
        ));
    }
    if asked > left {
        return Err(code(
            "2026",
            "The reversal amount cannot be greater than the original transaction amount",
        ));
    }
    p.refunds.push(Refund {
        refund_trx_id: new_trx_id(),
        amount: asked,
        sku,
        reason,
        completed: Utc::now(),
    });
    let latest = p.refunds.last().expect("just pushed");
    Ok((200, refund_answer(p, latest)))
}

fn refund_answer(p: &Payment, r: &Refund) -> Value {
    json!({
        "completedTime": bkash_time(r.completed),
        "transactionStatus": "Completed",
        "originalTrxID": p.trx_id,
        "refundTrxID": r.refund_trx_id,
        "amount": money(r.amount),
        "currency": "BDT",
        "charge": "0.00",
        "statusCode": "0000",
        "statusMessage": "Successful",
    })
}
