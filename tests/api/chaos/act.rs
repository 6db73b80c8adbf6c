//! Carrying out one step: the merchant's API calls, the customer's clicks, the gateways' own
//! doings (simulator controls), the network's (the proxy's captured webhooks) and the workers'.
//!
//! Every answer Payrail gives is checked for what must never happen (a 500, or a 5xx other
//! than the documented gateway ones); what the answer means for money is the audit's and the
//! oracle's to judge.

use super::model::{decimal, Fate, Fault, Gw, Kind, PaymentModel, Step};
use super::world::World;
use rand::Rng;
use reqwest::Method;
use serde_json::json;

impl World<'_> {
    pub async fn act(&mut self, step: &Step) {
        match step {
            Step::Create {
                kind,
                key,
                amount_minor,
                fault,
            } => self.create(*kind, key.clone(), *amount_minor, *fault).await,
            Step::RetryCreate { p } => {
                let body = self.payments[*p].body.clone();
                let (status, v) = self.call(Method::POST, "/v1/payments", &body).await;
                if status == 201 {
                    self.remember_created(*p, &v);
                }
                self.find(*p).await;
            }
            Step::Refund {
                p,
                amount_minor,
                key,
                fault,
            } => self.refund(*p, *amount_minor, key.clone(), *fault).await,
            Step::Cancel { p, fault } => {
                self.with_id(*p, *fault, |id| {
                    (Method::POST, format!("/v1/payments/{id}/cancel"))
                })
                .await
            }
            Step::Recheck { p, fault } => {
                self.with_id(*p, *fault, |id| {
                    (Method::GET, format!("/v1/payments/{id}/recheck"))
                })
                .await
            }
            Step::Pick { p, method, fault } => self.pick(*p, method, *fault).await,
            Step::Checkout {
                p,
                attempt,
                outcome,
                come_back,
            } => self.checkout(*p, *attempt, outcome, *come_back).await,
            Step::ExpireTokens
            | Step::LatePayment { .. }
            | Step::DashboardRefund { .. }
            | Step::OtherCharge { .. }
            | Step::RefundFails { .. } => self.gateway_doing(step).await,
            Step::TamperedReturn { p, wrong_token } => self.tampered_return(*p, *wrong_token).await,
            Step::OpsReview { p } => self.ops_review(*p).await,
            Step::Release { held } => {
                if *held < self.held.len() {
                    let hook = self.held.remove(*held);
                    self.hand_over(&hook, &hook.body.clone()).await;
                }
            }
            Step::Tick { minutes } => {
                self.worker
                    .clock
                    .advance(chrono::Duration::minutes(*minutes));
                self.worker.reconcile_due().await.unwrap();
            }
            Step::Webhook { .. } => {}
        }
    }

    async fn create(
        &mut self,
        kind: Kind,
        key: Option<String>,
        amount_minor: i64,
        fault: Option<Fault>,
    ) {
        let n = self.payments.len();
        let order_id = format!("CH{}-{n}", self.seed);
        let currency = kind.currency();
        let mut body = json!({
            "amount": decimal(amount_minor, currency), "currency": currency, "order_id": order_id,
            "return_url": "https://shop.example/thanks", "cancel_url": "https://shop.example/cart",
            "customer": { "name": "Ada Lovelace", "email": "ada@example.com" },
        });
        if let Kind::Pinned(gw, _) = kind {
            body["provider"] = json!(gw.id());
        }
        if let Some(k) = &key {
            body["idempotency_key"] = json!(k);
        }
        let body = body.to_string();
        self.payments.push(PaymentModel {
            order_id,
            kind,
            key,
            body: body.clone(),
            amount_minor,
            id: None,
            page_url: None,
        });
        self.arm_fault(fault).await;
        let (status, v) = self.call(Method::POST, "/v1/payments", &body).await;
        if status == 201 {
            self.remember_created(n, &v);
        }
        self.find(n).await;
    }

    fn remember_created(&mut self, p: usize, v: &serde_json::Value) {
        let model = &mut self.payments[p];
        model.id = v["id"].as_str().map(str::to_owned);
        if matches!(model.kind, Kind::Hosted(_)) {
            model.page_url = v["checkout_url"].as_str().map(str::to_owned);
        }
    }

    async fn refund(
        &mut self,
        p: usize,
        amount: Option<i64>,
        key: Option<String>,
        fault: Option<Fault>,
    ) {
        let Some(id) = self.payments[p].id.clone() else {
            return;
        };
        let mut body = json!({ "reason": format!("chaos step {}", self.steps.len()) });
        if let Some(a) = amount {
            body["amount"] = json!(decimal(a, self.payments[p].kind.currency()));
        }
        if let Some(k) = key {
            body["idempotency_key"] = json!(k);
        }
        self.arm_fault(fault).await;
        self.call(
            Method::POST,
            &format!("/v1/payments/{id}/refunds"),
            &body.to_string(),
        )
        .await;
    }

    async fn with_id(
        &mut self,
        p: usize,
        fault: Option<Fault>,
        request: impl FnOnce(&str) -> (Method, String),
    ) {
        self.find(p).await;
        let Some(id) = self.payments[p].id.clone() else {
            return;
        };
        self.arm_fault(fault).await;
        let (method, path) = request(&id);
        self.call(method, &path, "").await;
    }

    pub async fn arm_fault(&self, fault: Option<Fault>) {
        if let Some(f) = fault {
            self.arm(f.gw, f.mode.wire(), 1).await;
        }
    }

    /// Decides, for every webhook the last step made a gateway send, what the network does
    /// with it; records each decision as a step.
    pub async fn route_webhooks(&mut self) {
        for hook in self.proxy.take() {
            let fate = match self.script.as_mut() {
                Some(script) => script.pop_front().unwrap_or(Fate::Deliver),
                None => match self.rng.gen_range(0..100u32) {
                    0..=59 => Fate::Deliver,
                    60..=69 => Fate::Twice,
                    70..=84 => Fate::Hold,
                    85..=89 => Fate::Garble,
                    _ => Fate::Drop,
                },
            };
            self.record(Step::Webhook {
                provider: hook.provider.clone(),
                fate,
            });
            match fate {
                Fate::Deliver => self.hand_over(&hook, &hook.body.clone()).await,
                Fate::Twice => {
                    self.hand_over(&hook, &hook.body.clone()).await;
                    self.hand_over(&hook, &hook.body.clone()).await;
                }
                Fate::Hold => self.held.push(hook),
                Fate::Garble => {
                    let mut garbled = hook.body.clone();
                    let at = self.rng.gen_range(0..garbled.len().max(1));
                    if let Some(b) = garbled.get_mut(at) {
                        *b ^= 0x20;
                    } else {
                        garbled.push(b'x');
                    }
                    self.hand_over(&hook, &garbled).await;
                    self.held.push(hook);
                }
                Fate::Drop => {
                    if !recoverable(&hook) {
                        self.unrecoverable.push(hook);
                    }
                }
            }
        }
    }

    /// Delivers one webhook to Payrail; it may refuse it (forged, unknown) but never fail. One
    /// Payrail asks to have again (503: it could not confirm it with the gateway just now) is
    /// held for later, as every gateway retries a webhook that was not taken.
    pub async fn hand_over(&mut self, hook: &super::proxy::Captured, body: &[u8]) {
        let status = self.proxy.deliver(hook, body).await;
        assert!(
            status != 500,
            "Payrail answered 500 to a {} webhook",
            hook.provider
        );
        if status >= 500 && body == hook.body.as_slice() {
            self.held.push(hook.clone());
        }
    }
}

/// Whether Payrail can learn what a lost webhook said by asking the gateway: Pakhi Pay's verify
/// needs the transaction id only its webhook carries, and PayStableCoin tells of a refund made in
/// its dashboard only by webhook. Those the gateway would retry until delivered, so the
/// simulation delivers them at the end.
fn recoverable(hook: &super::proxy::Captured) -> bool {
    let text = String::from_utf8_lossy(&hook.body);
    match Gw::parse(&hook.provider) {
        Some(Gw::Pakhi) => false,
        Some(Gw::Psc) => !text.contains("merchantRefundOrderId"),
        _ => true,
    }
}
