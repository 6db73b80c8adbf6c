//! The oracle a seeded chaos test reads (`GET _sim/orders?reference=<merchantInvoiceNumber>`,
//! `common::oracle`): what bKash holds under Payrail's reference.
//!
//! A payment took money only once executed (its `trxID` is the charge); an approved but
//! unexecuted payment took none. bKash does not de-duplicate invoice numbers, so a retried
//! create shows as two payments. It is not an API call, so it does not count in `_sim/stats`.

use actix_web::web;

use super::state::PayState;
use super::Mount;
use crate::sim::common::oracle::{self, Facts, Oracle};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/_sim/orders", web::get().to(oracle::orders::<Mount>));
}

impl Oracle for Mount {
    fn orders(&self, reference: &str) -> Vec<Facts> {
        let st = self.sim.lock();
        st.payments
            .values()
            .filter(|p| p.invoice == reference)
            .map(|p| Facts {
                id: p.payment_id.clone(),
                external_id: Some(p.payment_id.clone()),
                reference: reference.to_owned(),
                status: p.state.word().to_owned(),
                amount: p.amount,
                currency: "BDT".to_owned(),
                taken: match (&p.trx_id, p.state) {
                    (Some(t), PayState::Completed) => vec![(t.clone(), p.amount)],
                    _ => Vec::new(),
                },
                refunded: p.refunded(),
                created: p.created,
            })
            .collect()
    }
}
