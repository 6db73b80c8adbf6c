//! The controls a seeded chaos test drives (docs/sandbox.md, "Test controls"): what happens at
//! HitPay outside Payrail's calls, and the oracle that tells the test what HitPay holds.
//!
//! * `POST _sim/checkout/{id}/late_payment` — money arrives after the request closed (failed,
//!   expired, canceled): the request ends exactly as the `pay` outcome leaves it (`completed`, a
//!   succeeded payment for the full amount, its `completed` webhook), though the page no longer
//!   takes payments. On a pending request it is `pay`; on a completed one, 409 (even with
//!   repeated payments allowed: that is `pay` on the page).
//! * `POST _sim/checkout/{id}/charge {"status": "failed"|"succeeded"}` — HitPay reports another
//!   charge of the same request (the late failure of a try the customer abandoned, a second card
//!   charge): a new payment for the full amount with that status, the request's status left as
//!   it is, and that payment's webhook (`failed` / `completed`). Any request state.
//! * `POST _sim/checkout/{id}/refund {"amount"?}` — a refund made in HitPay's dashboard, of the
//!   request's first payment that has money left (`succeeded` or `partially_refunded`); partial
//!   allowed, all that is left by default. It is recorded as `POST /v1/refund` records one (so
//!   `GET /v1/refund/{id}` finds it, the payment shows `refunded_amount`, and the API refunds no
//!   more than is left), then told as a v2 `charge` `updated` event (`webhook::refund_hook`).
//!   Nothing to refund is 409; more than is left, 422.
//! * `GET _sim/orders?reference=<reference_number>` — the oracle (`common::oracle`). HitPay does
//!   not de-duplicate, so a retried create shows as two requests. `id` and `external_id` are
//!   both the payment request id; the charges are the payments that took money.
//!
//! None of these is an API call, so none counts in `_sim/stats` (their webhooks do, in
//! `webhooks_sent`). Webhooks go out on the outcomes' delivery path (lost-webhook control,
//! retries), awaited before the answer, and become the request's last webhook.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;

use super::refunds::record_refund;
use super::state::{PaymentStatus, RequestStatus};
use super::webhook::refund_hook;
use super::Mount;
use crate::sim::common::controls::{bad_request, conflict, late_paid, not_found, parse};
use crate::sim::common::controls::{parse_amount, unprocessable};
use crate::sim::common::oracle::{self, money, Facts, Oracle};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/_sim/checkout/{id}/late_payment",
        web::post().to(late_payment),
    )
    .route("/_sim/checkout/{id}/charge", web::post().to(charge))
    .route("/_sim/checkout/{id}/refund", web::post().to(refund))
    .route("/_sim/orders", web::get().to(oracle::orders::<Mount>));
}

const NO_REQUEST: &str = "no such payment request";

async fn late_payment(path: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let id = path.into_inner();
    let now = Utc::now();
    let sim = &mount.sim;
    let (hook, payment_id) = {
        let mut guard = sim.lock();
        let st = &mut *guard;
        let Some(r) = st.requests.get_mut(&id) else {
            return not_found(NO_REQUEST);
        };
        r.expire_if_due(now);
        if r.status == RequestStatus::Completed {
            return conflict("the payment request is already completed");
        }
        r.status = RequestStatus::Completed;
        r.updated = now;
        let payment = r.record_payment(r.amount, PaymentStatus::Succeeded, now, true);
        let hook = sim.webhook_for(r, &payment, "completed");
        if let Some(h) = &hook {
            st.last_webhook.insert(id.clone(), h.clone());
        }
        (hook, payment.id)
    };
    if let Some(hook) = hook {
        sim.deliver(hook).await;
    }
    late_paid(RequestStatus::Completed.as_str(), Some(&payment_id))
}

#[derive(Deserialize)]
struct ChargeBody {
    status: String,
}

async fn charge(
    path: web::Path<String>,
    body: web::Bytes,
    mount: web::Data<Mount>,
) -> HttpResponse {
    let b: ChargeBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    let (status, word) = match b.status.as_str() {
        "failed" => (PaymentStatus::Failed, "failed"),
        "succeeded" => (PaymentStatus::Succeeded, "completed"),
        _ => return bad_request("status must be \"failed\" or \"succeeded\""),
    };
    let id = path.into_inner();
    let now = Utc::now();
    let sim = &mount.sim;
    let (hook, payment_id) = {
        let mut guard = sim.lock();
        let st = &mut *guard;
        let Some(r) = st.requests.get_mut(&id) else {
            return not_found(NO_REQUEST);
        };
        r.expire_if_due(now);
        let payment = r.record_payment(r.amount, status, now, false);
        let hook = sim.webhook_for(r, &payment, word);
        if let Some(h) = &hook {
            st.last_webhook.insert(id.clone(), h.clone());
        }
        (hook, payment.id)
    };
    if let Some(hook) = hook {
        sim.deliver(hook).await;
    }
    HttpResponse::Ok().json(json!({ "ok": true, "payment_id": payment_id, "status": b.status }))
}

async fn refund(
    path: web::Path<String>,
    body: web::Bytes,
    mount: web::Data<Mount>,
) -> HttpResponse {
    let asked = match parse_amount(&body) {
        Ok(a) => a,
        Err(e) => return bad_request(&e),
    };
    let id = path.into_inner();
    let sim = &mount.sim;
    let (hook, refund_id, payment_id, total) = {
        let mut guard = sim.lock();
        let st = &mut *guard;
        let Some(r) = st.requests.get_mut(&id) else {
            return not_found(NO_REQUEST);
        };
        let Some(payment) = r.payments.iter_mut().find(|p| {
            matches!(
                p.status,
                PaymentStatus::Succeeded | PaymentStatus::PartiallyRefunded
            )
        }) else {
            return conflict("the payment request has no payment with money left to refund");
        };
        let left = payment.amount - payment.refunded;
        let amount = asked.unwrap_or(left);
        if amount > left {
            return unprocessable(&format!(
                "the amount may not be greater than what is left, {}",
                money(left)
            ));
        }
        let refund = record_refund(&mut st.refunds, payment, &r.api_key, &r.currency, amount);
        let payment = payment.clone();
        let hook = refund_hook(r, &payment);
        let total: Decimal = r.payments.iter().map(|p| p.refunded).sum();
        if let Some(h) = &hook {
            st.last_webhook.insert(id.clone(), h.clone());
        }
        (hook, refund.id, payment.id, total)
    };
    if let Some(hook) = hook {
        sim.deliver(hook).await;
    }
    HttpResponse::Ok().json(json!({
        "ok": true,
        "refund_id": refund_id,
        "refunded": money(total),
        "payment_id": payment_id,
    }))
}

impl Oracle for Mount {
    fn orders(&self, reference: &str) -> Vec<Facts> {
        let now = Utc::now();
        let mut st = self.sim.lock();
        st.requests
            .values_mut()
            .filter(|r| r.reference_number.as_deref() == Some(reference))
            .map(|r| {
                // As a GET would see it.
                r.expire_if_due(now);
                Facts {
                    id: r.id.clone(),
                    external_id: Some(r.id.clone()),
                    reference: reference.to_owned(),
                    status: r.status.as_str().to_owned(),
                    amount: r.amount,
                    currency: r.currency.clone(),
                    taken: r
                        .payments
                        .iter()
                        .filter(|p| p.status.took_money())
                        .map(|p| (p.id.clone(), p.amount))
                        .collect(),
                    refunded: r.payments.iter().map(|p| p.refunded).sum(),
                    created: r.created,
                }
            })
            .collect()
    }
}
