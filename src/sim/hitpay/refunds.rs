//! Refund endpoints (docs/gateways/hitpay.md, "Refunds"): `POST /v1/refund` by the **payment** id
//! (T7: a payment request id is refused with 404, as HitPay finds no charge under it) and
//! `GET /v1/refund/{id}`.
//!
//! Refunds complete at once (`status: "succeeded"`), partial ones included; the payment becomes
//! `partially_refunded` or `refunded`, and a refund beyond what is left (after every refund so
//! far, dashboard refunds from `_sim/checkout/{id}/refund` included) is a 422.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use rust_decimal::Decimal;

use super::api::{authenticate, begin_call};
use super::errors::{self, Answer, ApiError};
use super::input::{self, Input};
use super::state::{CallKind, Payment, PaymentStatus, Refund, State};
use super::views::{money, refund_body};
use super::{faults, HitPaySim, Mount};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/refund", web::post().to(create))
        .route("/v1/refund/{id}", web::get().to(query));
}

fn reference_of_payment(st: &State, payment_id: Option<&str>) -> Option<String> {
    st.request_of_payment(payment_id?)
        .and_then(|r| r.reference_number.clone())
}

async fn create(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let input = Input::parse(&req, &body);
    let fault = begin_call(&mount.sim, CallKind::Refund, |st| {
        reference_of_payment(st, input.get("payment_id"))
    });
    faults::respond(fault, || errors::of(refund(&mount.sim, &req, &input))).await
}

async fn query(req: HttpRequest, id: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let fault = begin_call(&mount.sim, CallKind::Query, |st| {
        let payment = st.refunds.get(id.as_str()).map(|f| f.payment_id.clone());
        reference_of_payment(st, payment.as_deref())
    });
    faults::respond(fault, || errors::of(read(&mount.sim, &req, &id))).await
}

fn refund(sim: &HitPaySim, req: &HttpRequest, input: &Input) -> Result<Answer, ApiError> {
    let api_key = authenticate(sim, req)?;
    let payment_id = input.required("payment_id", "payment id")?;
    let raw = input.required("amount", "amount")?;
    let amount = input::amount(
        "amount",
        raw,
        Decimal::new(1, 2),
        Decimal::new(99_999_999_999, 2),
        "The amount must be at least 0.01.",
    )?;
    let mut guard = sim.lock();
    let st = &mut *guard;
    let request = st
        .requests
        .values_mut()
        .filter(|r| r.api_key == api_key)
        .find(|r| r.payments.iter().any(|p| p.id == payment_id))
        .ok_or_else(|| ApiError::not_found("Charge", payment_id))?;
    let payment = request
        .payments
        .iter_mut()
        .find(|p| p.id == payment_id)
        .ok_or_else(|| ApiError::not_found("Charge", payment_id))?;
    if !matches!(
        payment.status,
        PaymentStatus::Succeeded | PaymentStatus::PartiallyRefunded
    ) {
        return Err(ApiError::BadRequest(format!(
            "The payment is {} and cannot be refunded.",
            payment.status.as_str()
        )));
    }
    // What is left after every refund so far, the dashboard's (`chaos`) included.
    let left = payment.amount - payment.refunded;
    if amount > left {
        return Err(ApiError::invalid(
            "amount",
            format!("The amount may not be greater than {}.", money(left)),
        ));
    }
    let refund = record_refund(
        &mut st.refunds,
        payment,
        &api_key,
        &request.currency,
        amount,
    );
    Ok(Answer {
        status: 200,
        body: refund_body(&refund),
    })
}

/// Refunds `amount` of `payment` (of a request in `currency`; the caller checked it is no more
/// than what is left) at once: the payment becomes `partially_refunded` or `refunded`, and the
/// refund is kept for `GET /v1/refund/{id}` under the payment's account. Returns a copy.
pub(super) fn record_refund(
    refunds: &mut HashMap<String, Refund>,
    payment: &mut Payment,
    api_key: &str,
    currency: &str,
    amount: Decimal,
) -> Refund {
    let now = Utc::now();
    payment.refunded += amount;
    payment.updated = now;
    payment.status = if payment.refunded >= payment.amount {
        PaymentStatus::Refunded
    } else {
        PaymentStatus::PartiallyRefunded
    };
    let refund = Refund {
        id: super::state::uuid(),
        api_key: api_key.to_owned(),
        payment_id: payment.id.clone(),
        amount,
        total: payment.amount,
        currency: currency.to_owned(),
        created: now,
    };
    refunds.insert(refund.id.clone(), refund.clone());
    refund
}

fn read(sim: &HitPaySim, req: &HttpRequest, id: &str) -> Result<Answer, ApiError> {
    let api_key = authenticate(sim, req)?;
    let st = sim.lock();
    let refund = st
        .refunds
        .get(id)
        .filter(|f| f.api_key == api_key)
        .ok_or_else(|| ApiError::not_found("Refund", id))?;
    Ok(Answer {
        status: 200,
        body: refund_body(refund),
    })
}
