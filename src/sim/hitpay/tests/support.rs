//! Helpers of the chaos-control tests: the webhook receiver of every simulator's tests
//! (`sim::common::test_receiver`) with the v1 form read off what it got, signature checks
//! written here from docs/gateways/hitpay.md ("Webhook v1", "Webhook v2"; not the simulator's own
//! signing, so the two cannot agree while both wrong), and an in-process app with requests to it.

use actix_web::dev::ServerHandle;
use actix_web::test::TestRequest;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::sim::common::test_receiver;
pub use crate::sim::common::test_receiver::{got, Inbox, Received};

pub const KEY: &str = "hitpay_test_api_key";
pub const SALT: &str = "hitpay_test_salt";

/// A receiver on 127.0.0.1:0 answering 200: its base URL, inbox and handle.
pub fn receiver() -> (String, Inbox, ServerHandle) {
    test_receiver::receiver(200)
}

/// The v1 webhook's form, read off what the shared receiver got.
pub trait HitPayHook {
    /// The v1 form fields, decoded, in their order.
    fn fields(&self) -> Vec<(String, String)>;

    fn field(&self, name: &str) -> String;
}

impl HitPayHook for Received {
    fn fields(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }

    fn field(&self, name: &str) -> String {
        let found = self.fields().into_iter().find(|(k, _)| k == name);
        found.map(|(_, v)| v).unwrap_or_default()
    }
}

/// Lowercase hex HMAC-SHA256 of `message` keyed with `salt` (the "Webhook v2" method as such).
pub fn hmac_hex(salt: &str, message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(salt.as_bytes()).unwrap();
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// "Webhook v1": every field but `hmac`, sorted by key, `key‖value` concatenated, HMAC with the
/// salt.
pub fn v1_valid(hook: &Received, salt: &str) -> bool {
    let mut fields: Vec<(String, String)> = hook
        .fields()
        .into_iter()
        .filter(|(k, _)| k != "hmac")
        .collect();
    fields.sort();
    let source: String = fields.iter().map(|(k, v)| format!("{k}{v}")).collect();
    hmac_hex(salt, source.as_bytes()) == hook.field("hmac")
}

/// A create request (form) for 25.00 SGD under `reference`, webhooks to `{base}/hook`.
pub fn create(base: &str, reference: &str, extra: &str) -> TestRequest {
    let hook =
        url::form_urlencoded::byte_serialize(format!("{base}/hook").as_bytes()).collect::<String>();
    TestRequest::post()
        .uri("/hitpay/v1/payment-requests")
        .insert_header(("X-BUSINESS-API-KEY", KEY))
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .set_payload(format!(
            "amount=25.00&currency=SGD&reference_number={reference}&webhook={hook}{extra}"
        ))
}

/// A control `POST /hitpay/_sim/checkout/{id}/{what}` with a JSON body.
pub fn control(id: &str, what: &str, body: &str) -> TestRequest {
    TestRequest::post()
        .uri(&format!("/hitpay/_sim/checkout/{id}/{what}"))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_owned())
}

pub fn outcome(id: &str, what: &str) -> TestRequest {
    TestRequest::post().uri(&format!("/hitpay/checkout/{id}/{what}"))
}

pub fn get(path: &str) -> TestRequest {
    TestRequest::get()
        .uri(&format!("/hitpay{path}"))
        .insert_header(("X-BUSINESS-API-KEY", KEY))
}

pub fn oracle(reference: &str) -> TestRequest {
    TestRequest::get().uri(&format!("/hitpay/_sim/orders?reference={reference}"))
}

/// An app with `sim` mounted at `/hitpay`.
macro_rules! app {
    ($sim:expr) => {{
        let sim = $sim.clone();
        actix_web::test::init_service(
            actix_web::App::new().configure(move |cfg| super::super::configure(cfg, &sim, "")),
        )
        .await
    }};
}

/// Sends a `TestRequest`: (status, JSON body or null).
macro_rules! call {
    ($app:expr, $req:expr) => {{
        let resp = actix_web::test::call_service($app, $req.to_request()).await;
        let status = resp.status().as_u16();
        let body = actix_web::test::read_body(resp).await;
        (
            status,
            serde_json::from_slice::<serde_json::Value>(&body).unwrap_or(serde_json::Value::Null),
        )
    }};
}

/// Creates a request (see [`create`]) and returns its id.
macro_rules! created {
    ($app:expr, $base:expr, $reference:expr, $extra:expr) => {{
        let (status, v) = call!(
            $app,
            super::support::create(&$base, $reference, $extra)
        );
        assert_eq!(status, 200, "{v}");
        v["id"].as_str().unwrap().to_owned()
    }};
}

pub(super) use {app, call, created};
