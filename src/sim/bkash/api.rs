//! The payment calls: create, execute, the payment's status, and search by transaction id.
//!
//! Each is authenticated (`auth`), counted and may be faulted (so tests can prove how often
//! Payrail asked), then validated with bKash's codes. Amounts are read from their text (a string,
//! or a number's token), never through a float.
//!
//! | case | `statusCode` |
//! |---|---|
//! | a required field missing | `2065` Mendatory field missing |
//! | `mode` not `0011` | `2063` |
//! | `amount` not a positive decimal with at most 2 places | `2006` |
//! | `currency` not BDT | `2007` |
//! | `intent` not `sale` | `2008` |
//! | `callbackURL` not http(s) | `2049` |
//! | unknown `paymentID` (or another account's) | `2002` |
//! | execute before the customer approved | `2060` |
//! | execute of a failed, cancelled or expired payment | `2056` |
//! | execute of an executed payment | the account's `already_executed` (`2117`) |
//! | execute refused by the account's `execute_refusal` switch | that code; the payment fails |
//! | unknown `trxID` | `2033` Transaction not found |
//!
//! A repeated `merchantInvoiceNumber` creates another payment: nothing moves without execute, so
//! bKash has nothing to de-duplicate [INFERRED].

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::auth::{self, authenticate};
use super::faults::{self, code, Answer};
use super::state::{bkash_time, money, new_trx_id, Account, CallKind, PayState, Payment, State};
use super::{refunds, BkashSim, Mount};

/// The API version segment of bKash's base URL; the routes also answer without it (the sandbox
/// connects its demo account at the bare mount).
pub const VERSION: &str = "/v1.2.0-beta";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::scope(VERSION).configure(api_routes));
    api_routes(cfg);
}

fn api_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/tokenized/checkout/token/grant", web::post().to(auth::grant))
        .route("/tokenized/checkout/token/refresh", web::post().to(auth::refresh))
        .route("/tokenized/checkout/create", web::post().to(create))
        .route("/tokenized/checkout/execute", web::post().to(execute))
        .route("/tokenized/checkout/payment/status", web::post().to(status))
        .route(
            "/tokenized/checkout/general/searchTransaction",
            web::post().to(search),
        )
        .route("/tokenized/checkout/payment/refund", web::post().to(refunds::refund));
}

pub type Fields = HashMap<String, Value>;

/// The body's members; an unreadable body is `2025` Invalid request body.
pub fn fields(body: &[u8]) -> Result<Fields, Answer> {
    serde_json::from_slice(body).map_err(|_| code("2025", "Invalid request body"))
}

/// A required text member (a number is taken as its text).
pub fn text(fields: &Fields, name: &str) -> Result<String, Answer> {
    match fields.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(code("2065", "Mendatory field missing")),
    }
}

/// A positive amount with at most two decimals, or `2006`.
pub fn amount(fields: &Fields) -> Result<Decimal, Answer> {
    let raw = text(fields, "amount")?;
    let (whole, frac) = raw.split_once('.').unwrap_or((raw.as_str(), "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let value: Option<Decimal> = (digits(whole) && digits(frac) && frac.len() <= 2)
        .then(|| raw.parse().ok())
        .flatten();
    value
        .filter(|v| *v > Decimal::ZERO)
        .ok_or_else(|| code("2006", "Invalid amount"))
}

/// Counts a call under its payment's invoice and takes one use of the armed fault.
pub fn begin_call(
    sim: &BkashSim,
    kind: CallKind,
    invoice: Option<String>,
) -> Option<super::state::Fault> {
    let mut st = sim.lock();
    st.stats.common.count(kind, invoice.as_deref());
    st.fault.take_one()
}

/// The invoice of the payment a body names (for the counters).
pub fn invoice_of(sim: &BkashSim, body: &[u8]) -> Option<String> {
    let f = fields(body).ok()?;
    let st = sim.lock();
    let id = match text(&f, "paymentID") {
        Ok(id) => id,
        Err(_) => st.transactions.get(&text(&f, "trxID").ok()?)?.clone(),
    };
    st.payments.get(&id).map(|p| p.invoice.clone())
}

/// The account's payment named by the body's `paymentID`, or `2002`.
pub fn payment_of<'a>(
    st: &'a mut State,
    account: &Account,
    fields: &Fields,
) -> Result<&'a mut Payment, Answer> {
    let id = text(fields, "paymentID")?;
    st.payments
        .get_mut(&id)
        .filter(|p| p.app_key == account.app_key)
        .ok_or_else(|| code("2002", "Invalid Payment ID"))
}

async fn create(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let invoice = fields(&body)
        .ok()
        .and_then(|f| text(&f, "merchantInvoiceNumber").ok());
    let fault = begin_call(&mount.sim, CallKind::Create, invoice);
    faults::respond(fault, || {
        authenticate(&mount.sim, &req)
            .and_then(|account| create_payment(&mount, &req, &account, &body))
            .unwrap_or_else(|a| a)
    })
    .await
}

fn create_payment(
    mount: &Mount,
    req: &HttpRequest,
    account: &Account,
    body: &[u8],
) -> Result<Answer, Answer> {
    let f = fields(body)?;
    let [mode, payer_reference, callback_url, currency, intent, invoice] = [
        "mode",
        "payerReference",
        "callbackURL",
        "currency",
        "intent",
        "merchantInvoiceNumber",
    ]
    .map(|name| text(&f, name));
    let (mode, payer_reference, callback_url) = (mode?, payer_reference?, callback_url?);
    let (currency, intent, invoice) = (currency?, intent?, invoice?);
    let amount = amount(&f)?;
    check(mode == "0011", "2063", "Mode is not valid as per request data")?;
    check(currency == "BDT", "2007", "Invalid currency")?;
    check(intent == "sale", "2008", "Invalid intent")?;
    check(invoice.len() <= 255, "2031", "Invalid merchant invoice number")?;
    let http = url::Url::parse(&callback_url)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
    check(http, "2049", "Invalid Merchant Callback URL")?;
    let payment_id = format!("TR0011{:016X}", rand::random::<u64>());
    let payment = Payment {
        payment_id: payment_id.clone(),
        app_key: account.app_key.clone(),
        invoice,
        payer_reference,
        callback_url,
        amount,
        state: PayState::Initiated,
        created: Utc::now(),
        executed: None,
        trx_id: None,
        refunds: Vec::new(),
    };
    let answer = created(&payment, mount.checkout_url(req, &payment_id));
    mount.sim.lock().payments.insert(payment_id, payment);
    Ok((200, answer))
}

fn check(ok: bool, c: &str, message: &str) -> Result<(), Answer> {
    if ok {
        Ok(())
    } else {
        Err(code(c, message))
    }
}

fn created(p: &Payment, bkash_url: String) -> Value {
    let back = |status: &str| super::checkout::callback(&p.callback_url, &p.payment_id, status);
    json!({
        "statusCode": "0000", "statusMessage": "Successful",
        "paymentID": p.payment_id, "bkashURL": bkash_url,
        "callbackURL": p.callback_url,
        "successCallbackURL": back("success"),
        "failureCallbackURL": back("failure"),
        "cancelledCallbackURL": back("cancel"),
        "amount": money(p.amount), "intent": "sale", "currency": "BDT",
        "paymentCreateTime": bkash_time(p.created),
        "transactionStatus": "Initiated",
        "merchantInvoiceNumber": p.invoice,
    })
}

async fn execute(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let fault = {
        let mut st = mount.sim.lock();
        st.stats.executes += 1;
        st.fault.take_one()
    };
    faults::respond(fault, || {
        authenticate(&mount.sim, &req)
            .and_then(|account| execute_payment(&mount.sim, &account, &body))
            .unwrap_or_else(|a| a)
    })
    .await
}

fn execute_payment(sim: &BkashSim, account: &Account, body: &[u8]) -> Result<Answer, Answer> {
    let f = fields(body)?;
    let mut guard = sim.lock();
    let st = &mut *guard;
    let p = payment_of(st, account, &f)?;
    match p.state {
        PayState::Initiated => {
            return Err(code("2060", "Payment execution pre-requisite hasn't been met"))
        }
        PayState::Completed => {
            return Err(code(
                &account.already_executed,
                "The payment execution has already been completed",
            ))
        }
        PayState::Failed | PayState::Cancelled | PayState::Expired => {
            return Err(code("2056", "Invalid Payment State"))
        }
        PayState::Authorised => {}
    }
    if let Some(refusal) = &account.execute_refusal {
        p.state = PayState::Failed;
        return Err(code(refusal, "Payment execution refused"));
    }
    let trx_id = new_trx_id();
    p.state = PayState::Completed;
    p.executed = Some(Utc::now());
    p.trx_id = Some(trx_id.clone());
    let answer = json!({
        "statusCode": "0000", "statusMessage": "Successful",
        "paymentID": p.payment_id, "payerReference": p.payer_reference,
        "customerMsisdn": "01770618575", "trxID": trx_id,
        "amount": money(p.amount), "transactionStatus": "Completed",
        "paymentExecuteTime": bkash_time(Utc::now()),
        "currency": "BDT", "intent": "sale", "merchantInvoiceNumber": p.invoice,
    });
    let id = p.payment_id.clone();
    st.transactions.insert(trx_id, id);
    st.stats.executed += 1;
    Ok((200, answer))
}

async fn status(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let fault = begin_call(&mount.sim, CallKind::Query, invoice_of(&mount.sim, &body));
    faults::respond(fault, || {
        authenticate(&mount.sim, &req)
            .and_then(|account| {
                let f = fields(&body)?;
                let mut st = mount.sim.lock();
                Ok((200, status_of(payment_of(&mut st, &account, &f)?)))
            })
            .unwrap_or_else(|a| a)
    })
    .await
}

/// The payment's status answer.
pub fn status_of(p: &Payment) -> Value {
    let mut answer = json!({
        "paymentID": p.payment_id, "mode": "0011",
        "paymentCreateTime": bkash_time(p.created),
        "amount": money(p.amount), "currency": "BDT", "intent": "sale",
        "merchantInvoice": p.invoice,
        "transactionStatus": p.state.word(),
        "verificationStatus": p.state.verification(),
        "userVerificationStatus": p.state.verification(),
        "payerReference": p.payer_reference,
        "statusCode": "0000", "statusMessage": "Successful",
    });
    if let (Some(trx), Some(at)) = (&p.trx_id, p.executed) {
        answer["trxID"] = json!(trx);
        answer["paymentExecuteTime"] = json!(bkash_time(at));
    }
    answer
}

async fn search(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let fault = begin_call(&mount.sim, CallKind::Query, invoice_of(&mount.sim, &body));
    faults::respond(fault, || {
        authenticate(&mount.sim, &req)
            .and_then(|account| search_transaction(&mount.sim, &account, &body))
            .unwrap_or_else(|a| a)
    })
    .await
}

fn search_transaction(sim: &BkashSim, account: &Account, body: &[u8]) -> Result<Answer, Answer> {
    let trx_id = text(&fields(body)?, "trxID")?;
    let st = sim.lock();
    let p = st
        .transactions
        .get(&trx_id)
        .and_then(|id| st.payments.get(id))
        .filter(|p| p.app_key == account.app_key)
        .ok_or_else(|| code("2033", "Transaction not found"))?;
    let executed = p.executed.unwrap_or(p.created);
    Ok((
        200,
        json!({
            "trxID": trx_id, "transactionStatus": "Completed",
            "transactionType": "bKash Tokenized Checkout via API",
            "amount": money(p.amount), "currency": "BDT",
            "customerMsisdn": "01770618575",
            "organizationShortCode": "50022",
            "initiationTime": bkash_time(p.created),
            "completedTime": bkash_time(executed),
            "transactionReference": p.payer_reference,
            "statusCode": "0000", "statusMessage": "Successful",
        }),
    ))
}
