//! The customer's doings on the pages (Payrail's hosted page, each gateway's checkout page and
//! the way back) and the gateways' own doings outside Payrail's calls (simulator controls).

use super::model::{decimal, Fault, Gw, Step};
use super::world::World;
use serde_json::json;

impl World<'_> {
    /// The customer's pick on the hosted page (through the proxy, as a browser would).
    pub async fn pick(&mut self, p: usize, method: &str, fault: Option<Fault>) {
        let Some(page) = self.payments[p].page_url.clone() else {
            return;
        };
        let url = url::Url::parse(&page).unwrap();
        let token = url
            .query_pairs()
            .find(|(k, _)| k == "t")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        self.arm_fault(fault).await;
        let res = self
            .app
            .client
            .post(format!("{}{}", self.proxy.address, url.path()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!("t={token}&method={method}"))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        assert!(matches!(status, 200 | 303), "a pick answered {status}");
    }

    pub async fn checkout(&mut self, p: usize, attempt: usize, outcome: &str, come_back: bool) {
        let attempts = self.attempts(p).await;
        let Some(a) = attempts.get(attempt) else {
            return;
        };
        let (Some(sim_id), Some(page)) = (a.sim_id(), a.checkout_url.clone()) else {
            return;
        };
        let url = match a.gw {
            Gw::Paymento => format!(
                "{}/paymento/checkout/{sim_id}/{outcome}",
                self.app.sim_address
            ),
            _ => format!("{page}/{outcome}"),
        };
        let res = self.app.client.post(url).send().await.unwrap();
        let location = res
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        if let (true, Some(back)) = (come_back, location) {
            // The browser follows the gateway's redirect to Payrail's return (via the proxy).
            if back.starts_with(&self.proxy.address) {
                let status = self.app.client.get(&back).send().await.unwrap().status();
                assert!(status.as_u16() < 500, "a return answered {status}");
            }
        }
    }

    /// What a gateway does outside Payrail's calls: a simulator control.
    pub async fn gateway_doing(&mut self, step: &Step) {
        match step {
            Step::ExpireTokens => {
                let status = self.control(Gw::Bkash, "tokens/expire", json!({})).await;
                assert_eq!(status, 200, "bKash's token expiry answered {status}");
            }
            Step::LatePayment { p, attempt } => {
                self.sim_control(*p, *attempt, "late_payment", json!({}))
                    .await
            }
            Step::DashboardRefund {
                p,
                attempt,
                amount_minor,
            } => {
                let currency = self.payments[*p].kind.currency();
                let body = match amount_minor {
                    Some(a) => json!({ "amount": decimal(*a, currency) }),
                    None => json!({}),
                };
                self.sim_control(*p, *attempt, "refund", body).await
            }
            Step::OtherCharge {
                p,
                attempt,
                succeeded,
            } => {
                let status = if *succeeded { "succeeded" } else { "failed" };
                self.sim_control(*p, *attempt, "charge", json!({ "status": status }))
                    .await
            }
            Step::RefundFails { p, attempt } => {
                self.sim_control(*p, *attempt, "refund_fails", json!({}))
                    .await
            }
            _ => unreachable!("not a gateway's doing: {step:?}"),
        }
    }

    pub async fn sim_control(
        &mut self,
        p: usize,
        attempt: usize,
        control: &str,
        body: serde_json::Value,
    ) {
        let attempts = self.attempts(p).await;
        let Some(a) = attempts.get(attempt) else {
            return;
        };
        let Some(sim_id) = a.sim_id() else {
            return;
        };
        self.control(a.gw, &format!("checkout/{sim_id}/{control}"), body)
            .await;
    }

    pub async fn tampered_return(&mut self, p: usize, wrong_token: bool) {
        let Some(page) = self.payments[p].page_url.clone().or_else(|| {
            self.payments[p]
                .id
                .as_ref()
                .map(|id| format!("{}/checkout/{id}?t=forged", self.proxy.address))
        }) else {
            return;
        };
        let url = url::Url::parse(&page).unwrap();
        let token = url
            .query_pairs()
            .find(|(k, _)| k == "t")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let token = if wrong_token {
            format!("{token}x")
        } else {
            token
        };
        let back = format!(
            "{}{}/return?t={token}&status=completed&reference=forged&paid=1",
            self.proxy.address,
            url.path()
        );
        let status = self.app.client.get(&back).send().await.unwrap().status();
        assert!(status.as_u16() < 500, "a tampered return answered {status}");
    }
}
