//! Ops at work during a run. A payment in review because its gateway reversed a refund is worked
//! as an operator would: each completed refund the gateway now shows failed is confirmed
//! `reversed` (`POST /v1/admin/refunds/{id}/resolve`); then, when what the gateways hold matches
//! the payment (one full charge, no more refunded in Payrail than at the gateway), the review is
//! settled as paid. So the oracle checks the reversal path too, mixed with everything else a
//! run does (late webhooks about the same refunds, rechecks, the reconciler).

use super::world::World;
use reqwest::Method;
use serde_json::{json, Value};

/// The `status_detail` prefix of a payment in review for a reversed refund.
const REVERSED: &str = "refund_reversed";

impl World<'_> {
    /// The payments Payrail holds in review for a reversed refund.
    pub async fn reversal_reviews(&self) -> Vec<usize> {
        let mut found = Vec::new();
        for (p, model) in self.payments.iter().enumerate() {
            let Some(id) = &model.id else { continue };
            let (status, detail) = self.status_of(id).await;
            if status == "needs_review" && detail.starts_with(REVERSED) {
                found.push(p);
            }
        }
        found
    }

    /// The payments with money refunded.
    pub async fn refunded_payments(&self) -> Vec<usize> {
        let mut found = Vec::new();
        for (p, model) in self.payments.iter().enumerate() {
            let Some(id) = &model.id else { continue };
            if self.refunded_minor(id).await > 0 {
                found.push(p);
            }
        }
        found
    }

    pub async fn ops_review(&mut self, p: usize) {
        let Some(id) = self.payments[p].id.clone() else {
            return;
        };
        let refunds: Vec<(String, String)> = sqlx::query_as(
            "SELECT r.id, r.external_id FROM refunds r JOIN attempts a ON a.id = r.attempt_id \
             WHERE r.payment_id = $1 AND r.status = 'completed' AND a.provider = 'stripe' \
             AND r.external_id IS NOT NULL ORDER BY r.created_at, r.id",
        )
        .bind(&id)
        .fetch_all(&self.app.pool)
        .await
        .unwrap();
        for (refund_id, external_id) in refunds {
            if self.stripe_refund(&external_id).await["status"] == "failed" {
                let (status, body) = self.ops_resolve("refunds", &refund_id, "reversed").await;
                assert_eq!(status, 200, "ops reversing {refund_id}: {body}");
            }
        }
        let held = self.held(p).await;
        let refunded = self.refunded_minor(&id).await;
        let money_matches = held.charges == 1
            && !held.underpaid
            && held.paid_minor == self.payments[p].amount_minor
            && refunded <= held.refunded_minor;
        if money_matches {
            let (status, body) = self.ops_resolve("payments", &id, "paid").await;
            assert_eq!(status, 200, "ops settling #{p} {id}: {body}");
        }
        self.log
            .lock()
            .unwrap()
            .push(format!("    ops: #{p} settled as paid: {money_matches}"));
    }

    async fn refunded_minor(&self, id: &str) -> i64 {
        sqlx::query_scalar("SELECT refunded_minor FROM payments WHERE id = $1")
            .bind(id)
            .fetch_one(&self.app.pool)
            .await
            .unwrap()
    }

    async fn status_of(&self, id: &str) -> (String, String) {
        let (status, detail): (String, Option<String>) =
            sqlx::query_as("SELECT status, status_detail FROM payments WHERE id = $1")
                .bind(id)
                .fetch_one(&self.app.pool)
                .await
                .unwrap();
        (status, detail.unwrap_or_default())
    }

    /// A refund as Stripe's simulator holds it, read with the account's key.
    async fn stripe_refund(&self, external_id: &str) -> Value {
        let key = payrail::sim::default_credentials()
            .into_iter()
            .find(|(id, _)| *id == "stripe")
            .map(|(_, c)| c["secret_key"].as_str().unwrap().to_owned())
            .unwrap();
        let url = format!("{}/stripe/v1/refunds/{external_id}", self.app.sim_address);
        let res = self.app.client.request(Method::GET, url).bearer_auth(key);
        res.send().await.unwrap().json().await.unwrap()
    }

    /// Ops settle `what`'s review case `id` as `settle_as`.
    async fn ops_resolve(&self, what: &str, id: &str, settle_as: &str) -> (u16, Value) {
        let body = json!({ "settle_as": settle_as, "note": "chaos: ops checked the gateway" });
        self.app.resolve(what, id, body).await
    }
}
