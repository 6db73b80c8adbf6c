//! `GET _sim/orders?reference=<R>`: the test oracle, the same at every simulator.
//!
//! A seeded chaos test drives the gateways through the faults and out-of-band events Payrail must
//! survive, then needs the gateway's side of the truth to compare Payrail's records with: what
//! each gateway holds under Payrail's reference, how much money it took and how much went back.
//! The API of a gateway cannot tell that (some do not look up by reference, some have no lookup
//! at all, and an API read would count in `_sim/stats`), so every simulator answers this
//! one shape from its own records:
//!
//! `{"orders": [{"id", "external_id", "reference", "status", "amount", "currency", "paid",
//! "paid_charges", "charge_ids", "refunded", "underpaid"}]}`, oldest first; an unknown reference
//! gives `{"orders": []}`. Decimals are strings with 2 decimals. A simulator says which of its
//! records carry the reference and fills in a [`Facts`] for each; the sums are made here once, so
//! they mean the same everywhere.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::controls::bad_request;

/// What a simulator knows about one of its records.
pub struct Facts {
    /// The id the checkout page and the `_sim/checkout/{id}/…` controls use.
    pub id: String,
    /// The gateway's own id of the order as its API returns it (`None`: its API returns none).
    pub external_id: Option<String>,
    pub reference: String,
    /// The gateway's own status word or number, as text.
    pub status: String,
    pub amount: Decimal,
    /// Upper-case ISO code.
    pub currency: String,
    /// Every charge (payment, transaction) that took money: its id and the money it took,
    /// before refunds.
    pub taken: Vec<(String, Decimal)>,
    pub refunded: Decimal,
    /// For the order of the answer (ties broken by `id`).
    pub created: DateTime<Utc>,
}

/// `2.00`: two decimals, as text.
pub fn money(d: Decimal) -> String {
    let mut d = d.round_dp(2);
    d.rescale(2);
    d.to_string()
}

impl Facts {
    pub fn view(&self) -> Value {
        let paid: Decimal = self.taken.iter().map(|(_, a)| *a).sum();
        json!({
            "id": self.id,
            "external_id": self.external_id,
            "reference": self.reference,
            "status": self.status,
            "amount": money(self.amount),
            "currency": self.currency.to_ascii_uppercase(),
            "paid": money(paid),
            "paid_charges": self.taken.len(),
            "charge_ids": self.taken.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
            "refunded": money(self.refunded),
            "underpaid": paid > Decimal::ZERO && paid < self.amount,
        })
    }
}

/// What the oracle needs from a simulator's mount point.
pub trait Oracle: 'static {
    /// Every record stored under the merchant's `reference`, in any order.
    fn orders(&self, reference: &str) -> Vec<Facts>;
}

/// `GET _sim/orders?reference=<R>`; a missing or empty `reference` is a bad control request.
pub async fn orders<M: Oracle>(req: HttpRequest, mount: web::Data<M>) -> HttpResponse {
    let query: Vec<(String, String)> = match serde_urlencoded::from_str(req.query_string()) {
        Ok(q) => q,
        Err(e) => return bad_request(&e.to_string()),
    };
    let Some(reference) = query
        .into_iter()
        .find(|(k, _)| k == "reference")
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
    else {
        return bad_request("reference is required");
    };
    let mut found = mount.orders(&reference);
    found.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
    let orders: Vec<Value> = found.iter().map(Facts::view).collect();
    HttpResponse::Ok().json(json!({ "orders": orders }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(amount: i64, taken: &[i64], refunded: i64) -> Facts {
        Facts {
            id: "c1".into(),
            external_id: None,
            reference: "R".into(),
            status: "completed".into(),
            amount: Decimal::new(amount, 2),
            currency: "sgd".into(),
            taken: taken
                .iter()
                .enumerate()
                .map(|(i, a)| (format!("p{i}"), Decimal::new(*a, 2)))
                .collect(),
            refunded: Decimal::new(refunded, 2),
            created: Utc::now(),
        }
    }

    #[test]
    fn sums_charges_and_flags_only_a_short_payment_as_underpaid() {
        let v = facts(2500, &[1250], 100).view();
        assert_eq!(
            v,
            json!({"id": "c1", "external_id": null, "reference": "R", "status": "completed",
                   "amount": "25.00", "currency": "SGD", "paid": "12.50", "paid_charges": 1,
                   "charge_ids": ["p0"], "refunded": "1.00", "underpaid": true})
        );
        let twice = facts(2500, &[2500, 2500], 0).view();
        assert_eq!(
            (&twice["paid"], &twice["paid_charges"], &twice["underpaid"]),
            (&json!("50.00"), &json!(2), &json!(false))
        );
        let none = facts(2500, &[], 0).view();
        assert_eq!(
            (&none["paid"], &none["charge_ids"], &none["underpaid"]),
            (&json!("0.00"), &json!([]), &json!(false))
        );
    }
}
