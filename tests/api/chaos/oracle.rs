//! The end of a run: every payment's state in Payrail must agree with what the simulators hold.
//! The simulators' own records (`_sim/orders?reference=`) are the oracle: how many charges took
//! money under each attempt, how much, and how much went back.

use super::gateways::minor;
use super::model::Gw;
use super::world::World;
use payrail::domain::status::Source;
use serde_json::Value;

/// What the gateways hold for one payment, summed over its attempts.
#[derive(Debug, Default)]
pub(super) struct Held {
    pub(super) charges: u64,
    pub(super) paid_minor: i64,
    pub(super) refunded_minor: i64,
    pub(super) underpaid: bool,
}

impl World<'_> {
    pub(super) async fn held(&self, p: usize) -> Held {
        let mut held = Held::default();
        let currency = self.payments[p].kind.currency();
        let minor = |v: &Value| minor(v.as_str().unwrap_or("0"), currency);
        for a in self.attempts(p).await {
            let orders: Value = self
                .app
                .client
                .get(format!(
                    "{}/{}/_sim/orders?reference={}",
                    self.app.sim_address,
                    a.gw.id(),
                    a.reference
                ))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            for o in orders["orders"].as_array().unwrap() {
                held.charges += o["paid_charges"].as_u64().unwrap();
                held.paid_minor += minor(&o["paid"]);
                held.refunded_minor += minor(&o["refunded"]);
                held.underpaid |= o["underpaid"].as_bool().unwrap();
            }
        }
        held
    }

    /// Every disagreement between Payrail and the gateways, in words.
    pub async fn disagreements(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in 0..self.payments.len() {
            let Some(id) = self.payments[p].id.clone() else {
                continue;
            };
            let (status, refunded, amount): (String, i64, i64) = sqlx::query_as(
                "SELECT status, refunded_minor, amount_minor FROM payments WHERE id = $1",
            )
            .bind(&id)
            .fetch_one(&self.app.pool)
            .await
            .unwrap();
            let unsettled: Option<i64> = sqlx::query_scalar(
                "SELECT CAST(SUM(amount_minor) AS BIGINT) FROM refunds WHERE payment_id = $1 AND status IN ('pending', 'needs_review')",
            )
            .bind(&id)
            .fetch_one(&self.app.pool)
            .await
            .unwrap();
            let unsettled = unsettled.unwrap_or(0);
            let held = self.held(p).await;
            let timeline: Vec<(String, String, Option<String>)> = sqlx::query_as(
                "SELECT type, source, detail FROM payment_events WHERE payment_id = $1 ORDER BY created_at, id",
            )
            .bind(&id)
            .fetch_all(&self.app.pool)
            .await
            .unwrap();
            let timeline: Vec<String> = timeline
                .into_iter()
                .map(|(t, s, d)| format!("{t} ({s}) {}", d.unwrap_or_default()))
                .collect();
            let mut wrong = |why: String| {
                out.push(format!(
                    "payment #{p} {id}: {why}; Payrail: {status}, refunded {refunded}; gateways: {held:?}\n    timeline:\n      {}",
                    timeline.join("\n      ")
                ))
            };
            let unpaid = matches!(
                status.as_str(),
                "pending" | "processing" | "failed" | "cancelled" | "expired"
            );
            if held.charges == 0 {
                if !unpaid || refunded != 0 {
                    wrong("no gateway holds money, but Payrail does not say unpaid".into());
                }
            } else if held.charges >= 2 || held.underpaid || held.paid_minor != amount {
                if status != "needs_review" {
                    wrong("the money does not match the payment, so it must be in review".into());
                }
            } else if refunded > held.refunded_minor {
                // A refund Payrail completed went back to the merchant (R14): review.
                if status != "needs_review" {
                    wrong("Payrail counts more refunded than the gateway holds, so it must be in review".into());
                }
            } else {
                let expected = |refunded: i64| match refunded {
                    0 => "completed",
                    r if r == amount => "refunded",
                    _ => "partially_refunded",
                };
                if status != expected(refunded) {
                    wrong(format!("expected {} for its refunds", expected(refunded)));
                }
                let agrees = if unsettled == 0 {
                    held.refunded_minor == refunded
                } else {
                    refunded <= held.refunded_minor && held.refunded_minor <= refunded + unsettled
                };
                if !agrees {
                    wrong(format!(
                        "refunded amounts differ ({unsettled} unsettled at Payrail)"
                    ));
                }
            }
        }
        out
    }

    /// What the run drove at each gateway: attempts, attempts whose money settled a payment,
    /// and refunds settled (so a summary shows that every gateway was exercised).
    pub async fn coverage(&self) -> Vec<(String, [i64; 3])> {
        let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT a.provider, count(*), \
               CAST(SUM(CASE WHEN p.paid_attempt_id = a.id THEN 1 ELSE 0 END) AS BIGINT), \
               CAST((SELECT count(*) FROM refunds r WHERE r.status = 'completed' AND r.payment_id IN \
                 (SELECT p2.id FROM payments p2 JOIN attempts a2 ON a2.id = p2.paid_attempt_id \
                  WHERE a2.provider = a.provider)) AS BIGINT) \
             FROM attempts a JOIN payments p ON p.id = a.payment_id GROUP BY a.provider",
        )
        .fetch_all(&self.app.pool)
        .await
        .unwrap();
        rows.into_iter()
            .map(|(gw, a, paid, refunds)| (gw, [a, paid, refunds]))
            .collect()
    }

    /// Notes each payment's end state and what its gateways hold in the run's log (verbose).
    pub async fn log_outcome(&self) {
        for p in 0..self.payments.len() {
            let Some(id) = self.payments[p].id.clone() else {
                continue;
            };
            let (status, refunded): (String, i64) =
                sqlx::query_as("SELECT status, refunded_minor FROM payments WHERE id = $1")
                    .bind(&id)
                    .fetch_one(&self.app.pool)
                    .await
                    .unwrap();
            let gws: Vec<&str> = self.attempts(p).await.iter().map(|a| a.gw.id()).collect();
            let line = format!(
                "end #{p} {status}, refunded {refunded}; attempts {gws:?}; gateways {:?}",
                self.held(p).await
            );
            self.log.lock().unwrap().push(line);
        }
    }

    /// Refunds still unsettled at the end (the gateways' evidence never decided them).
    pub async fn unsettled_refunds(&self) -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM refunds WHERE status IN ('pending', 'needs_review')",
        )
        .fetch_one(&self.app.pool)
        .await
        .unwrap()
    }

    /// Everything the gateways would eventually tell, told: faults off, every held webhook and
    /// every lost one nothing else could tell delivered (in the seed's order), every payment
    /// rechecked, and the reconciler run past the settle and review windows.
    pub async fn settle(&mut self) {
        use rand::seq::SliceRandom;
        for gw in Gw::ALL {
            self.arm(gw, "none", 0).await;
        }
        let mut rest: Vec<_> = std::mem::take(&mut self.held);
        rest.append(&mut self.unrecoverable);
        // Until every webhook was taken (a gateway retries); faults are off, so this ends.
        for _ in 0..5 {
            rest.shuffle(&mut self.rng);
            for hook in rest {
                self.hand_over(&hook, &hook.body.clone()).await;
            }
            rest = std::mem::take(&mut self.held);
        }
        assert!(rest.is_empty(), "webhooks Payrail kept refusing: {rest:?}");
        for round in 0..2 {
            for p in 0..self.payments.len() {
                self.find(p).await;
                if let Some(id) = self.payments[p].id.clone() {
                    self.call(
                        reqwest::Method::GET,
                        &format!("/v1/payments/{id}/recheck"),
                        "",
                    )
                    .await;
                }
            }
            for hook in self.proxy.take() {
                self.hand_over(&hook, &hook.body.clone()).await;
            }
            let minutes = if round == 0 { 11 } else { 25 * 60 };
            self.worker
                .clock
                .advance(chrono::Duration::minutes(minutes));
            self.worker.reconcile_due().await.unwrap();
        }
        // A live read of every payment past the refund settle window, on the workers' clock (a
        // refund reversed at the gateway shows only there: the reconciler skips paid payments).
        for p in 0..self.payments.len() {
            if let Some(id) = self.payments[p].id.clone() {
                let recheck = self.worker.recheck(None, &id, Source::Recheck, false);
                if let Err(e) = recheck.await {
                    panic!("the final recheck of payment #{p} {id} failed: {e}");
                }
            }
        }
    }
}
