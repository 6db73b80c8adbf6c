//! IPNs the simulator sends (docs/gateways/paymento.md, "Webhook (IPN)" and "Simulator"): the exact
//! PascalCase body, compact, signed with `X-HMAC-SHA256-Signature` = UPPER hex HMAC(secret_key,
//! body), to the account's store-level IPN URL (POST, or PUT for `IPN_Method` 2). An order whose
//! account has no IPN URL gets none, as at the real gateway. A delivery that gets no 2xx is retried
//! in the background after each of `ipn_retry_delays` (P9).

use std::sync::Arc;

use serde::Serialize;

use super::signing::{ipn_signature, tampered};
use super::state::{Order, SentIpn, State};
use super::PaymentoSim;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Pair<'a> {
    key: &'a str,
    value: &'a str,
}

/// Field order is the documented order; `serde_json::to_vec` writes it compactly.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct IpnBody<'a> {
    token: &'a str,
    payment_id: i64,
    order_id: &'a str,
    order_status: u8,
    additional_data: Vec<Pair<'a>>,
}

/// The IPN body of the order's current status.
pub fn ipn_body(order: &Order) -> Vec<u8> {
    serde_json::to_vec(&IpnBody {
        token: &order.token,
        payment_id: order.payment_id,
        order_id: &order.order_id,
        order_status: order.status.code(),
        additional_data: order
            .additional_data
            .iter()
            .map(|(key, value)| Pair { key, value })
            .collect(),
    })
    .expect("plain struct serialises")
}

/// The IPN for `token`'s current status, recorded as its last; `None` without an IPN URL.
pub fn prepare(st: &mut State, token: &str) -> Option<SentIpn> {
    let order = st.orders.get(token)?;
    let account = st.accounts.get(&order.api_key)?;
    let ipn = SentIpn {
        api_key: order.api_key.clone(),
        url: account.ipn_url.clone()?,
        method: account.ipn_method,
        body: ipn_body(order),
    };
    st.last_ipn.insert(token.to_owned(), ipn.clone());
    Some(ipn)
}

impl PaymentoSim {
    /// Sends one IPN, counting it in `webhooks_sent`. Returns the receiver's HTTP status.
    pub(super) async fn deliver(&self, ipn: &SentIpn, tamper: bool) -> Result<u16, String> {
        let secret = {
            let mut st = self.lock();
            st.stats.webhooks_sent += 1;
            st.accounts.get(&ipn.api_key).map(|a| a.secret_key.clone())
        };
        let secret = secret.ok_or_else(|| "account no longer exists".to_owned())?;
        let mut signature = ipn_signature(&secret, &ipn.body);
        if tamper {
            signature = tampered(&signature);
        }
        let request = if ipn.method == 2 {
            self.http.put(&ipn.url)
        } else {
            self.http.post(&ipn.url)
        };
        let answer = request
            .timeout(self.config.ipn_timeout)
            .header("Content-Type", "application/json")
            .header("X-HMAC-SHA256-Signature", signature)
            .body(ipn.body.clone())
            .send()
            .await;
        match answer {
            Ok(r) => Ok(r.status().as_u16()),
            Err(e) => {
                tracing::warn!(url = %ipn.url, error = %e, "paymento sim: IPN delivery failed");
                Err(e.to_string())
            }
        }
    }

    /// Sends now (awaited); on failure keeps retrying in the background (P9).
    pub(super) async fn deliver_with_retries(
        self: &Arc<Self>,
        ipn: SentIpn,
    ) -> Result<u16, String> {
        let first = self.deliver(&ipn, false).await;
        if !matches!(first, Ok(200..=299)) && !self.config.ipn_retry_delays.is_empty() {
            let sim = Arc::clone(self);
            actix_web::rt::spawn(async move {
                for delay in sim.config.ipn_retry_delays.clone() {
                    actix_web::rt::time::sleep(delay).await;
                    if matches!(sim.deliver(&ipn, false).await, Ok(200..=299)) {
                        return;
                    }
                }
            });
        }
        first
    }
}
