//! The controls a seeded chaos test drives (docs/sandbox.md, "Test controls"): what happens at PSC
//! outside Payrail's calls, and the oracle that tells the test what PSC holds (the labels S1–S10:
//! docs/gateways/paystablecoin.md).
//!
//! * `POST _sim/checkout/{acquiringOrderId}/late_payment` — the crypto arrives after the order
//!   closed (CLOSED, FAILED, or an INIT order past `expiresAt`): the order ends exactly as the
//!   `pay` outcome leaves it (SUCCEEDED, paid in full, the SUCCEEDED webhook), even though the
//!   page no longer takes payments. On an open order it is `pay`; on a SUCCEEDED one, 409.
//! * `POST _sim/checkout/{acquiringOrderId}/refund {"amount"?}` — a refund made in PSC's merchant
//!   portal. PSC refunds are full only here (S8: partial refunds are unconfirmed), so an amount,
//!   if given, must equal what is left (422 otherwise); nothing left is 409. It is recorded as an
//!   API refund is (`SUCCEEDED`, found by the refund query under its PSC-made
//!   `PSC_DASHBOARD_<16 hex>` id, counted in the order's refunded sum that bounds every further
//!   refund), and its S8 webhook, with `refundAmount` `{value, currency}`, is sent signed like
//!   the payment webhooks. A portal refund has no `notifyUrl`, so it goes to the order's
//!   `callbackUrl` [INFERRED: where else would PSC tell the merchant?].
//! * `GET _sim/orders?reference=<merchantOrderId>` — the oracle (`common::oracle`): `id` and
//!   `external_id` are both the `acquiringOrderId`, the charge is the `paymentOrderId`.
//!
//! None of these is an API call, so none counts in `_sim/stats` (their webhooks do, in
//! `webhooks_sent`). Webhooks are awaited before the answer and become the order's last webhook.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use rust_decimal::Decimal;
use serde_json::json;

use super::checkout::{apply, payment_hook};
use super::state::{OrderStatus, Refund, SentWebhook};
use super::webhook::{refund_body, usdt};
use super::Mount;
use crate::sim::common::controls::{bad_request, conflict, late_paid, not_found};
use crate::sim::common::controls::{parse_amount, unprocessable};
use crate::sim::common::oracle::{self, money, Facts, Oracle};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/_sim/checkout/{id}/late_payment",
        web::post().to(late_payment),
    )
    .route("/_sim/checkout/{id}/refund", web::post().to(refund))
    .route("/_sim/orders", web::get().to(oracle::orders::<Mount>));
}

async fn late_payment(path: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let id = path.into_inner();
    let now = Utc::now();
    let (hook, status, charge) = {
        let mut guard = mount.sim.lock();
        let st = &mut *guard;
        let Some(order) = st.orders.get_mut(&id) else {
            return not_found("no such order");
        };
        order.expire_if_due(now);
        if order.status == OrderStatus::Succeeded {
            return conflict("the order is already paid");
        }
        apply(order, "pay", now);
        let hook = payment_hook(order);
        let answer = (order.status.as_str(), order.payment_order_id.clone());
        if let Some(h) = &hook {
            st.last_webhook.insert(id.clone(), h.clone());
        }
        (hook, answer.0, answer.1)
    };
    if let Some(hook) = hook {
        let _ = mount.sim.send_webhook(&hook, false).await;
    }
    late_paid(status, Some(&charge))
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
    let (hook, refund_id, total) = {
        let mut guard = mount.sim.lock();
        let st = &mut *guard;
        let Some(order) = st.orders.get_mut(&id) else {
            return not_found("no such order");
        };
        let left = order.refundable();
        if order.status != OrderStatus::Succeeded || left <= Decimal::ZERO {
            return conflict("the order has no money left to refund");
        }
        if asked.is_some_and(|a| a != left) {
            return unprocessable(&format!(
                "PSC refunds are full only: the amount must be what is left, {}",
                money(left)
            ));
        }
        let merchant_id = order.merchant_id.clone();
        let refund_id = loop {
            let candidate = format!("PSC_DASHBOARD_{:016X}", rand::random::<u64>());
            if !st
                .refunds
                .contains_key(&(merchant_id.clone(), candidate.clone()))
            {
                break candidate;
            }
        };
        order.refunded += left;
        let refund = Refund {
            api_key: order.api_key.clone(),
            merchant_refund_order_id: refund_id.clone(),
            acquiring_order_id: order.acquiring_order_id.clone(),
            status: "SUCCEEDED",
            requested: Some(json!({ "value": usdt(left), "currency": order.currency })),
            amount: left,
            currency: order.currency.clone(),
        };
        let hook = order.callback_url.clone().map(|url| SentWebhook {
            api_key: refund.api_key.clone(),
            url,
            body: refund_body(&refund),
        });
        let total = order.refunded;
        st.refunds.insert((merchant_id, refund_id.clone()), refund);
        if let Some(h) = &hook {
            st.last_webhook.insert(id.clone(), h.clone());
        }
        (hook, refund_id, total)
    };
    if let Some(hook) = hook {
        let _ = mount.sim.send_webhook(&hook, false).await;
    }
    HttpResponse::Ok().json(json!({ "ok": true, "refund_id": refund_id, "refunded": money(total) }))
}

impl Oracle for Mount {
    fn orders(&self, reference: &str) -> Vec<Facts> {
        let now = Utc::now();
        let mut st = self.sim.lock();
        st.orders
            .values_mut()
            .filter(|o| o.merchant_order_id == reference)
            .map(|o| {
                // As a query would see it.
                o.expire_if_due(now);
                let taken = o.taken();
                Facts {
                    id: o.acquiring_order_id.clone(),
                    external_id: Some(o.acquiring_order_id.clone()),
                    reference: o.merchant_order_id.clone(),
                    status: o.status.as_str().to_owned(),
                    amount: o.amount,
                    currency: o.currency.clone(),
                    taken: (taken > Decimal::ZERO)
                        .then(|| (o.payment_order_id.clone(), taken))
                        .into_iter()
                        .collect(),
                    refunded: o.refunded,
                    created: o.created,
                }
            })
            .collect()
    }
}
