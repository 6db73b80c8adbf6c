//! Helpers: the webhook receiver of every simulator's tests (`sim::common::test_receiver`) at a
//! `/hook` URL, a `Stripe-Signature` check written here from the note (not the simulator's
//! signing), and requests to an in-process app.

use std::sync::Arc;

use actix_web::dev::ServerHandle;
use actix_web::test::TestRequest;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::super::state::Account;
use super::super::StripeSim;
use crate::sim::common::test_receiver;
pub use crate::sim::common::test_receiver::{got, wait_for, Inbox, Received};

pub const SK: &str = "sk_test_payrail_sim_0001";
pub const WHSEC: &str = "whsec_payrail_sim_secret";

/// A receiver on 127.0.0.1:0 answering 200: its URL (`…/hook`), inbox and handle.
pub fn receiver() -> (String, Inbox, ServerHandle) {
    let (base, inbox, handle) = test_receiver::receiver(200);
    (format!("{base}/hook"), inbox, handle)
}

/// What Stripe's tests read off a webhook beyond the shared receiver's headers and body.
pub trait StripeHook {
    /// The event's type.
    fn kind(&self) -> String;

    /// Whether some `v1` in the header is HMAC-SHA256(secret, "t.body") (the note's recipe).
    fn signed_with(&self, secret: &str) -> bool;
}

impl StripeHook for Received {
    fn kind(&self) -> String {
        self.json()["type"].as_str().unwrap_or("").to_owned()
    }

    fn signed_with(&self, secret: &str) -> bool {
        let header = self.header("stripe-signature");
        let t = header
            .split(',')
            .find_map(|i| i.strip_prefix("t="))
            .unwrap_or("");
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(&self.body);
        let want = hex::encode(mac.finalize().into_bytes());
        header.split(',').any(|i| i == format!("v1={want}"))
    }
}

/// A simulator whose built-in account sends its webhooks to `url`.
pub fn sim_with_endpoint(url: &str) -> Arc<StripeSim> {
    let sim = Arc::new(StripeSim::new(reqwest::Client::new()));
    sim.add_account(Account {
        webhook_url: Some(url.to_owned()),
        ..Account::default_account()
    });
    sim
}

/// A create form for `amount` of `currency` under `reference`.
pub fn create_form(reference: &str, amount: &str, currency: &str, extra: &str) -> String {
    let expiry = if extra.contains("expires_at") {
        String::new()
    } else {
        format!("&expires_at={}", chrono::Utc::now().timestamp() + 3600)
    };
    format!(
        "mode=payment&client_reference_id={reference}&line_items%5B0%5D%5Bquantity%5D=1\
         &line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D={currency}\
         &line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D={amount}\
         &line_items%5B0%5D%5Bprice_data%5D%5Bproduct_data%5D%5Bname%5D=Order\
         &success_url=https%3A%2F%2Fshop.example%2Fback%3Ft%3D1%26session_id%3D%7BCHECKOUT_SESSION_ID%7D\
         &cancel_url=https%3A%2F%2Fshop.example%2Fcart{expiry}\
         &payment_intent_data%5Bmetadata%5D%5Bpayrail_reference%5D={reference}{extra}"
    )
}

pub fn post(path: &str, form: &str, key: Option<&str>) -> TestRequest {
    let mut r = TestRequest::post()
        .uri(&format!("/stripe{path}"))
        .insert_header(("Authorization", format!("Bearer {SK}")))
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .set_payload(form.to_owned());
    if let Some(k) = key {
        r = r.insert_header(("Idempotency-Key", k));
    }
    r
}

pub fn get(path: &str) -> TestRequest {
    TestRequest::get()
        .uri(&format!("/stripe{path}"))
        .insert_header(("Authorization", format!("Bearer {SK}")))
}

pub fn outcome(id: &str, what: &str) -> TestRequest {
    TestRequest::post().uri(&format!("/stripe/checkout/{id}/{what}"))
}

pub fn control(path: &str, body: &str) -> TestRequest {
    TestRequest::post()
        .uri(&format!("/stripe/_sim/{path}"))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_owned())
}

/// An app with `sim` mounted at `/stripe`.
macro_rules! app {
    ($sim:expr) => {{
        let sim = $sim.clone();
        actix_web::test::init_service(
            actix_web::App::new().configure(move |cfg| super::super::configure(cfg, &sim, "")),
        )
        .await
    }};
}

/// Sends a `TestRequest`: (status, JSON body or null, Location header).
macro_rules! call {
    ($app:expr, $req:expr) => {{
        let resp = actix_web::test::call_service($app, $req.to_request()).await;
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        let body = actix_web::test::read_body(resp).await;
        let json =
            serde_json::from_slice::<serde_json::Value>(&body).unwrap_or(serde_json::Value::Null);
        (status, json, location)
    }};
}

/// Creates a session and returns its id.
macro_rules! created {
    ($app:expr, $reference:expr, $amount:expr, $currency:expr) => {{
        let form = super::support::create_form($reference, $amount, $currency, "");
        let (status, v, _) = call!($app, super::support::post("/v1/checkout/sessions", &form, None));
        assert_eq!(status, 200, "{v}");
        v["id"].as_str().unwrap().to_owned()
    }};
}

pub(super) use {app, call, created};
