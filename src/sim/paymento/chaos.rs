//! The controls a seeded chaos test drives (docs/sandbox.md, "Test controls"): crypto that reaches
//! Paymento after the order closed, and the oracle that tells the test what Paymento holds.
//!
//! * `POST _sim/checkout/{token}/late_payment` — the coins arrive after the window (Timeout 4,
//!   UserCanceled 5, Reject 9): the order walks exactly as the `pay` outcome walks it (3 then 7
//!   on risk speed 0, else 7), with every transition's IPN, though the page no longer takes
//!   payments. On an open order (0–3) it is `pay`; on a paid one (7, 8), 409.
//! * `GET _sim/orders?reference=<orderId>` — the oracle (`common::oracle`): `id` and
//!   `external_id` are both the token; the charge is the order's `PaymentId`, counted as money
//!   taken once the coins are in (2, 7, 8: an unconfirmed 3 is not yet). Paymento is
//!   non-custodial and has no refunds, so `refunded` stays 0.
//!
//! Neither is an API call, so neither counts in `_sim/stats` (the IPNs do, in `webhooks_sent`).
//! IPNs are awaited before the answer and become the order's last IPN.

use actix_web::{web, HttpResponse};

use super::checkout::{steps, walk_through};
use super::state::Status;
use super::Mount;
use crate::sim::common::controls::{conflict, late_paid, not_found};
use crate::sim::common::oracle::{self, Facts, Oracle};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/_sim/checkout/{token}/late_payment",
        web::post().to(late_payment),
    )
    .route("/_sim/orders", web::get().to(oracle::orders::<Mount>));
}

async fn late_payment(path: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let token = path.into_inner();
    let walk = {
        let st = mount.sim.lock();
        let Some(order) = st.orders.get(&token) else {
            return not_found("no such order");
        };
        if matches!(order.status, Status::Paid | Status::Approve) {
            return conflict("the order is already paid");
        }
        steps(order, "pay").expect("pay is an outcome")
    };
    walk_through(&mount, &token, walk).await;
    let done = mount
        .sim
        .lock()
        .orders
        .get(&token)
        .map(|o| (o.status.code().to_string(), o.payment_id.to_string()));
    match done {
        Some((status, payment_id)) => late_paid(&status, Some(&payment_id)),
        None => not_found("no such order"),
    }
}

impl Oracle for Mount {
    fn orders(&self, reference: &str) -> Vec<Facts> {
        let st = self.sim.lock();
        st.orders
            .values()
            .filter(|o| o.order_id == reference)
            .map(|o| Facts {
                id: o.token.clone(),
                external_id: Some(o.token.clone()),
                reference: o.order_id.clone(),
                status: o.status.code().to_string(),
                amount: o.fiat_amount,
                currency: o.fiat_currency.clone(),
                taken: (!o.confirmed.is_zero())
                    .then(|| (o.payment_id.to_string(), o.confirmed))
                    .into_iter()
                    .collect(),
                refunded: rust_decimal::Decimal::ZERO,
                created: o.created,
            })
            .collect()
    }
}
