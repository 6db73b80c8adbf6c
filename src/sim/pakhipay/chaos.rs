//! The controls a seeded chaos test drives (docs/sandbox.md, "Test controls"): money that reaches
//! Pakhi Pay after the payment closed, and the oracle that tells the test what Pakhi Pay holds.
//!
//! * `POST _sim/checkout/{sim_id}/late_payment` — the money arrives after the payment failed,
//!   was cancelled or expired: it ends exactly as the `pay` outcome leaves it (`completed`, paid
//!   in full, a transaction id issued as `pay` issues one, the completion webhook, subject to the
//!   account's `send_webhooks`), though the page no longer takes payments. On a pending payment
//!   it is `pay`; on a completed one, 409.
//! * `GET _sim/orders?reference=<order_id>` — the oracle (`common::oracle`). Pakhi Pay does not
//!   de-duplicate `order_id`, so a retried create shows as two payments. Its API returns no id
//!   of its own (only `payment_url`), so `external_id` is null; the charge is the transaction.
//!   Pakhi Pay has no refunds and takes BDT only.
//!
//! Neither is an API call, so neither counts in `_sim/stats` (the webhooks do, in
//! `webhooks_sent`). The webhook is awaited before the answer and becomes the payment's last.

use actix_web::{web, HttpResponse};
use rust_decimal::Decimal;

use super::checkout::{apply, settle};
use super::state::PayStatus;
use super::Mount;
use crate::sim::common::controls::{conflict, late_paid, not_found};
use crate::sim::common::oracle::{self, Facts, Oracle};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/_sim/checkout/{id}/late_payment",
        web::post().to(late_payment),
    )
    .route("/_sim/orders", web::get().to(oracle::orders::<Mount>));
}

async fn late_payment(path: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let id = path.into_inner();
    let (hook, transaction_id) = {
        let mut guard = mount.sim.lock();
        let st = &mut *guard;
        let Some(p) = st.payments.get_mut(&id) else {
            return not_found("no such payment");
        };
        if p.status == PayStatus::Completed {
            return conflict("the payment is already completed");
        }
        if !st.accounts.contains_key(&p.api_key) {
            return not_found("the payment's account no longer exists");
        }
        apply(p, "pay");
        let transaction_id = p.transaction_id.clone();
        let Some((_, hook)) = settle(st, &id) else {
            return not_found("the payment's account no longer exists");
        };
        (hook, transaction_id)
    };
    if let Some(hook) = hook {
        let _ = mount.sim.send_webhook(&hook, false).await;
    }
    late_paid(PayStatus::Completed.as_str(), transaction_id.as_deref())
}

impl Oracle for Mount {
    fn orders(&self, reference: &str) -> Vec<Facts> {
        let st = self.sim.lock();
        st.payments
            .values()
            .filter(|p| p.order_id.as_deref() == Some(reference))
            .map(|p| Facts {
                id: p.sim_id.clone(),
                external_id: None,
                reference: reference.to_owned(),
                status: p.status.as_str().to_owned(),
                amount: p.amount,
                currency: "BDT".to_owned(),
                taken: match (&p.transaction_id, p.paid) {
                    (Some(t), Some(paid)) if p.status == PayStatus::Completed => {
                        vec![(t.clone(), paid)]
                    }
                    _ => Vec::new(),
                },
                refunded: Decimal::ZERO,
                created: p.created,
            })
            .collect()
    }
}
