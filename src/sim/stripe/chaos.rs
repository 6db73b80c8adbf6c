//! The controls a seeded chaos test drives: what happens at Stripe outside Payrail's calls, and
//! the oracle that tells the test what Stripe holds.
//!
//! * `POST _sim/checkout/{id}/late_payment` — money arrives on a session that is not paid (an
//!   expired one, a delayed method that settles late): it ends exactly as `pay` leaves it
//!   (`complete`/`paid`, one charge) with `checkout.session.completed`. On a paid session, 409.
//! * `POST _sim/checkout/{id}/refund {"amount"?}` — a refund made in Stripe's dashboard (no
//!   Payrail metadata), of all that is left by default, `amount` a decimal in the currency
//!   (`"500"` yen, `"5.00"` dollars). Recorded as `POST /v1/refunds` records one, then told as
//!   `charge.refunded` and `refund.created`, delivered before answering. Nothing to refund is
//!   409; more than is left, 422.
//! * `POST _sim/checkout/{id}/refund_fails` — the newest succeeded refund of the session's charge
//!   fails (the customer's card was closed, say): its money goes back to the account, the
//!   charge's `amount_refunded` drops, and `refund.updated` (status `failed`) is delivered before
//!   answering. No succeeded refund, 409.
//! * `GET _sim/orders?reference=<client_reference_id>` — the oracle (`common::oracle`); `id` and
//!   `external_id` are the session id, the charge is the intent's (by its PaymentIntent id, which
//!   is what Payrail keeps as the charge id).
//!
//! None of these is an API call, so none counts in `_sim/stats` (their webhooks do).

use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde_json::json;

use super::money;
use super::refunds::refund;
use super::state::SessionStatus;
use super::views::{refund_view, session_view, Expand};
use super::Mount;
use crate::sim::common::controls::{conflict, late_paid, not_found, parse_amount};
use crate::sim::common::controls::{bad_request, unprocessable};
use crate::sim::common::oracle::{self, Facts, Oracle};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/_sim/checkout/{id}/late_payment", web::post().to(late_payment))
        .route("/_sim/checkout/{id}/refund", web::post().to(dashboard_refund))
        .route("/_sim/checkout/{id}/refund_fails", web::post().to(refund_fails))
        .route("/_sim/orders", web::get().to(oracle::orders::<Mount>));
}

const NO_SESSION: &str = "no such checkout session";

async fn late_payment(path: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let id = path.into_inner();
    let (hook, intent) = {
        let mut guard = mount.sim.lock();
        let st = &mut *guard;
        let Some(s) = st.sessions.get_mut(&id) else {
            return not_found(NO_SESSION);
        };
        if s.paid {
            return conflict("the checkout session is already paid");
        }
        s.settle_paid(Utc::now().timestamp());
        let view = session_view(s, "", Expand::default());
        let hook = mount.sim.event(&s.secret_key, "checkout.session.completed", view);
        let intent = s.intent.as_ref().map(|i| i.id.clone());
        st.last_webhook.insert(id.clone(), hook.clone());
        (hook, intent)
    };
    mount.sim.deliver(vec![hook]).await;
    late_paid(SessionStatus::Complete.as_str(), intent.as_deref())
}

async fn dashboard_refund(
    path: web::Path<String>,
    body: web::Bytes,
    mount: web::Data<Mount>,
) -> HttpResponse {
    let asked = match parse_amount(&body) {
        Ok(a) => a,
        Err(e) => return bad_request(&e),
    };
    let id = path.into_inner();
    let mut hooks = Vec::new();
    let done = {
        let mut guard = mount.sim.lock();
        let st = &mut *guard;
        let Some(s) = st.sessions.get(&id) else {
            return not_found(NO_SESSION);
        };
        let charge = s.intent.as_ref().and_then(|i| i.charge.as_ref());
        let Some(left) = charge.map(|c| c.amount - c.refunded).filter(|l| *l > 0) else {
            return conflict("the checkout session has no charge with money left to refund");
        };
        let scale = rust_decimal::Decimal::from(10_i64.pow(money::digits(&s.currency)));
        let minor = match asked.map(|a| a * scale) {
            None => left,
            Some(m) if m.fract().is_zero() => i64::try_from(m).unwrap_or(i64::MAX),
            Some(_) => return bad_request("amount has more decimals than the currency"),
        };
        if minor > left {
            return unprocessable("the amount may not be greater than what is left");
        }
        refund(&mount.sim, st, &id, Some(minor), Default::default(), &mut hooks)
    };
    let refund = match done {
        Ok(r) => r,
        Err(e) => return conflict(&format!("{e:?}")),
    };
    mount.sim.deliver(hooks).await;
    HttpResponse::Ok().json(json!({ "ok": true, "refund_id": refund.id, "payment_intent": refund.intent_id }))
}

async fn refund_fails(path: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let id = path.into_inner();
    let (hook, refund_id) = {
        let mut guard = mount.sim.lock();
        let st = &mut *guard;
        let newest = st
            .refunds
            .values_mut()
            .filter(|r| r.session_id == id && !r.failed)
            .max_by_key(|r| r.seq);
        let Some(r) = newest else {
            return conflict("the checkout session has no succeeded refund");
        };
        r.failed = true;
        let r = r.clone();
        let charge = st
            .sessions
            .get_mut(&r.session_id)
            .and_then(|s| s.intent.as_mut())
            .and_then(|i| i.charge.as_mut());
        if let Some(c) = charge {
            c.refunded -= r.amount;
        }
        (mount.sim.event(&r.secret_key, "refund.updated", refund_view(&r)), r.id)
    };
    mount.sim.deliver(vec![hook]).await;
    HttpResponse::Ok().json(json!({ "ok": true, "refund_id": refund_id }))
}

impl Oracle for Mount {
    fn orders(&self, reference: &str) -> Vec<Facts> {
        let now = Utc::now().timestamp();
        let mut st = self.sim.lock();
        st.sessions
            .values_mut()
            .filter(|s| s.client_reference_id.as_deref() == Some(reference))
            .map(|s| {
                s.expire_if_due(now);
                let dec = |v| money::decimal(v, &s.currency);
                let charge = s.intent.as_ref().and_then(|i| i.charge.as_ref().map(|c| (i, c)));
                Facts {
                    id: s.id.clone(),
                    external_id: Some(s.id.clone()),
                    reference: reference.to_owned(),
                    status: s.status.as_str().to_owned(),
                    amount: dec(s.amount),
                    currency: s.currency.to_ascii_uppercase(),
                    taken: charge.iter().map(|(i, c)| (i.id.clone(), dec(c.amount))).collect(),
                    refunded: dec(charge.map_or(0, |(_, c)| c.refunded)),
                    created: chrono::DateTime::from_timestamp(s.created, 0).unwrap_or_default(),
                }
            })
            .collect()
    }
}
