//! The calls tests make through a [`TestApp`]: merchants and gateway accounts, signed requests,
//! the simulators' checkout, stats and faults, and direct reads of the store.

use super::*;

impl TestApp {
    pub async fn create_merchant(&self) -> Merchant {
        let res = self
            .client
            .post(format!("{}/v1/admin/merchants", self.address))
            .bearer_auth(&self.admin_token)
            .json(&json!({ "name": "Test Shop" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.unwrap();
        Merchant {
            id: body["id"].as_str().unwrap().into(),
            secret: body["secret"].as_str().unwrap().into(),
        }
    }

    /// Connects the merchant to a gateway (`PUT …/providers/{provider}`); returns the account.
    pub async fn connect(&self, m: &Merchant, provider: &str, body: Value) -> Value {
        let res = self
            .client
            .put(format!(
                "{}/v1/admin/merchants/{}/providers/{provider}",
                self.address, m.id
            ))
            .bearer_auth(&self.admin_token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        res.json().await.unwrap()
    }

    /// Connects the merchant to the PayStableCoin simulator; returns the account JSON.
    pub async fn connect_psc(&self, m: &Merchant) -> Value {
        let res = self
            .client
            .put(format!("{}/v1/admin/merchants/{}/providers/paystablecoin", self.address, m.id))
            .bearer_auth(&self.admin_token)
            .json(&json!({
                "credentials": { "merchant_id": PSC_MERCHANT, "api_key": PSC_API_KEY, "api_secret": PSC_SECRET },
                "base_url": format!("{}/paystablecoin", self.sim_address),
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        res.json().await.unwrap()
    }

    pub async fn merchant_with_psc(&self) -> Merchant {
        let m = self.create_merchant().await;
        self.connect_psc(&m).await;
        m
    }

    /// A signed request with a body (timestamp ‖ body).
    pub fn signed(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &str,
        m: &Merchant,
    ) -> reqwest::RequestBuilder {
        self.signed_at(&self.address, method, path, body, m, &now_ts())
    }

    pub fn signed_at(
        &self,
        base: &str,
        method: reqwest::Method,
        path: &str,
        body: &str,
        m: &Merchant,
        ts: &str,
    ) -> reqwest::RequestBuilder {
        let message: &[u8] = if body.is_empty() {
            path.as_bytes()
        } else {
            body.as_bytes()
        };
        let mut req = self
            .client
            .request(method, format!("{base}{path}"))
            .header("X-Merchant-Id", &m.id)
            .header("X-Timestamp", ts)
            .header("X-HMAC-Signature", sign(&m.secret, ts, message));
        if !body.is_empty() {
            req = req
                .header("Content-Type", "application/json")
                .body(body.to_owned());
        }
        req
    }

    pub async fn get(&self, path: &str, m: &Merchant) -> (u16, Value) {
        let res = self
            .signed(reqwest::Method::GET, path, "", m)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: &str, m: &Merchant) -> (u16, Value) {
        let res = self
            .signed(reqwest::Method::POST, path, body, m)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// The merchant's refund of payment `payment_id` with `body` (JSON): (status, answer).
    pub async fn refund(&self, m: &Merchant, payment_id: &str, body: Value) -> (u16, Value) {
        let path = format!("/v1/payments/{payment_id}/refunds");
        self.post(&path, &body.to_string(), m).await
    }

    /// Creates a USD payment pinned to PayStableCoin and returns its JSON.
    pub async fn create_payment(&self, m: &Merchant, extra: Value) -> Value {
        let mut body = json!({
            "amount": "25.00", "currency": "USD", "order_id": "ORDER-1",
            "provider": "paystablecoin",
            "return_url": "https://shop.example/thanks",
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, json) = self.post("/v1/payments", &body.to_string(), m).await;
        assert_eq!(status, 201, "{json}");
        json
    }

    /// A PayStableCoin payment paid in full; `order` keeps two creates apart (a signature is
    /// single-use, and two identical keyless creates in one second would share one).
    pub async fn paid_payment(&self, m: &Merchant, order: &str) -> String {
        let p = self.create_payment(m, json!({ "order_id": order })).await;
        self.sim_checkout(&p, "pay").await;
        let id = p["id"].as_str().unwrap().to_owned();
        assert_eq!(self.status_of(&id, m).await, "completed");
        id
    }

    /// The simulator's order id is the last segment of the checkout URL.
    pub fn sim_order_id(payment: &Value) -> String {
        payment["checkout_url"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned()
    }

    /// Chooses an outcome on the simulator's checkout page, like the customer's browser.
    pub async fn sim_checkout(&self, payment: &Value, outcome: &str) -> reqwest::Response {
        let order = Self::sim_order_id(payment);
        self.client
            .post(format!(
                "{}/paystablecoin/checkout/{order}/{outcome}",
                self.sim_address
            ))
            .send()
            .await
            .unwrap()
    }

    pub async fn sim_stats_of(&self, provider: &str) -> Value {
        let url = format!("{}/{provider}/_sim/stats", self.sim_address);
        self.client
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The body of an unauthenticated GET of one of the app's own paths (`/metrics`, …).
    pub async fn text_of(&self, path: &str) -> String {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn sim_stats(&self) -> Value {
        self.client
            .get(format!("{}/paystablecoin/_sim/stats", self.sim_address))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn sim_fault(&self, fault: Value) {
        let res = self
            .client
            .post(format!("{}/paystablecoin/_sim/faults", self.sim_address))
            .json(&fault)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }

    /// An admin call with a JSON body (bearer token); the status and the answer (`Null` if none).
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: &str) -> (u16, Value) {
        let res = self
            .client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(&self.admin_token)
            .header("Content-Type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("an answer, not a dropped connection");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Ops settle a review case (`what`: `payments` or `refunds`) through the admin API.
    pub async fn resolve(&self, what: &str, id: &str, body: Value) -> (u16, Value) {
        let path = format!("/v1/admin/{what}/{id}/resolve");
        self.admin(reqwest::Method::POST, &path, &body.to_string())
            .await
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    pub async fn status_of(&self, payment_id: &str, m: &Merchant) -> String {
        let (status, body) = self
            .get(&format!("/v1/payments/{payment_id}/verify/"), m)
            .await;
        assert_eq!(status, 200, "{body}");
        body["status"].as_str().unwrap().to_owned()
    }
}
