//! The controls a seeded chaos test drives (docs/sandbox.md, "Test controls"): money that reaches
//! HimoSoft after the payment closed, and the oracle that tells the test what HimoSoft holds.
//!
//! * `POST _sim/checkout/{token}/late_payment` (the checkout token, or the `pay_…` id) — the
//!   upstream provider reports a payment after the HimoSoft payment failed, was cancelled or
//!   expired: it ends exactly as the `pay` outcome leaves it (`completed`, paid in full, a new
//!   upstream `external_id`, the signed callback), though the page no longer takes payments. On
//!   a pending payment it is `pay`; on a completed one, 409.
//! * `GET _sim/orders?reference=<R>` — the oracle (`common::oracle`): the payments whose
//!   `order_id` or `idempotency_key` is R (Payrail sends its reference as both; a create repeated
//!   within the key's 24 h is one payment). `id` is the checkout token, `external_id` the
//!   `pay_…` id, the charge the upstream `external_id`. HimoSoft documents no refunds.
//!
//! Neither is an API call, so neither counts in `_sim/stats` (the callbacks do, in
//! `webhooks_sent`). The callback goes out as the outcomes' do (`send_callbacks`, the drop
//! control, retries), awaited before the answer, and becomes the payment's last.

use actix_web::{web, HttpResponse};
use rust_decimal::Decimal;

use super::checkout::{apply, record_callback};
use super::state::PayStatus;
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
    let (hook, external_id) = {
        let mut guard = mount.sim.lock();
        let st = &mut *guard;
        let Some(p) = st.payment_mut(&path) else {
            return not_found("no such payment");
        };
        if p.status == PayStatus::Completed {
            return conflict("the payment is already completed");
        }
        apply(p, "pay");
        let p = p.clone();
        (record_callback(st, &p), p.external_id)
    };
    if mount.sim.config.send_callbacks {
        if let Some(hook) = hook {
            mount.sim.deliver(&hook, false).await;
        }
    }
    late_paid(PayStatus::Completed.as_str(), external_id.as_deref())
}

impl Oracle for Mount {
    fn orders(&self, reference: &str) -> Vec<Facts> {
        let st = self.sim.lock();
        let ours = |field: &Option<String>| field.as_deref() == Some(reference);
        st.payments
            .values()
            .filter(|p| ours(&p.order_id) || ours(&p.idempotency_key))
            .map(|p| Facts {
                id: p.id.strip_prefix("pay_").unwrap_or(&p.id).to_owned(),
                external_id: Some(p.id.clone()),
                reference: reference.to_owned(),
                status: p.status.as_str().to_owned(),
                amount: p.amount,
                currency: p.currency.clone(),
                taken: match (&p.external_id, p.paid) {
                    (Some(charge), Some(paid)) if p.status == PayStatus::Completed => {
                        vec![(charge.clone(), paid)]
                    }
                    _ => Vec::new(),
                },
                refunded: Decimal::ZERO,
                created: p.created,
            })
            .collect()
    }
}
