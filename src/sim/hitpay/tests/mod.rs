//! Replays docs/gateways/hitpay.md, "Test vectors", against the simulator's own signing and webhook
//! serialisation, byte for byte, and shared helpers for the other simulator tests.

use chrono::Utc;
use rust_decimal::Decimal;

use super::signing::{sign_hex, tampered, v1_body, v1_hmac, v1_source};
use super::state::{Payment, PaymentRequest, PaymentStatus, RequestStatus};
use super::webhook::{underpaid, v1_fields, v2_charge_body};

// The simulator's other tests, one file per surface (as the adapters' tests are laid out).
mod api;
mod chaos;
mod checkout;
mod dashboard;
mod faults;
mod support;

const SALT: &str = "hitpay_test_salt";
const V1_BODY: &str = "payment_id=92965a2d-ece3-4ace-1245-494050c9a3c1&payment_request_id=92965a20-dae5-4d89-a452-5fdfa382dbe1&reference_number=ABC123&phone=&amount=599.00&currency=SGD&status=completed&hmac=aee134c835d926c230fbeac94bab38f2908d89181ff4df65112d7f8c317ad904";

/// A request and payment shaped like the v1 example of the "Test vectors".
pub fn doc_example() -> (PaymentRequest, Payment) {
    let now = Utc::now();
    let request = PaymentRequest {
        id: "92965a20-dae5-4d89-a452-5fdfa382dbe1".into(),
        api_key: "hitpay_test_api_key".into(),
        amount: Decimal::new(59900, 2),
        currency: "SGD".into(),
        status: RequestStatus::Completed,
        reference_number: Some("ABC123".into()),
        redirect_url: None,
        webhook: Some("https://example.com/webhook".into()),
        email: None,
        name: None,
        phone: None,
        purpose: None,
        payment_methods: vec![],
        allow_repeated_payments: false,
        expiry: None,
        created: now,
        updated: now,
        payments: vec![],
    };
    let payment = Payment {
        id: "92965a2d-ece3-4ace-1245-494050c9a3c1".into(),
        status: PaymentStatus::Succeeded,
        amount: Decimal::new(599, 0),
        refunded: Decimal::ZERO,
        created: now,
        updated: now,
    };
    (request, payment)
}

#[test]
fn v1_vector_source_hmac_and_wire_body() {
    let (request, payment) = doc_example();
    let fields = v1_fields(&request, &payment, "completed");
    assert_eq!(
        v1_source(&fields),
        "amount599.00currencySGDpayment_id92965a2d-ece3-4ace-1245-494050c9a3c1payment_request_id92965a20-dae5-4d89-a452-5fdfa382dbe1phonereference_numberABC123statuscompleted"
    );
    let hmac = v1_hmac(SALT, &fields);
    assert_eq!(
        hmac,
        "aee134c835d926c230fbeac94bab38f2908d89181ff4df65112d7f8c317ad904"
    );
    assert_eq!(v1_body(&fields, &hmac), V1_BODY);
}

#[test]
fn v2_vector_signature() {
    let body = r#"{"id":"98f18bb9-42a3-4cd2-a263-b6ed7d49a1cc","status":"succeeded","currency":"sgd","amount":1.11}"#;
    assert_eq!(
        sign_hex(SALT, body.as_bytes()),
        "b4e850a15cb0d7f87921403f85341603acebfef6f1b56a9de9ce151afc92ec86"
    );
}

#[test]
fn v2_charge_body_keeps_the_vector_field_order_and_exact_amount() {
    let (request, mut payment) = doc_example();
    payment.amount = Decimal::new(111, 2);
    let body = String::from_utf8(v2_charge_body(&request, &payment)).unwrap();
    assert!(
        body.starts_with(r#"{"id":"92965a2d-ece3-4ace-1245-494050c9a3c1","status":"succeeded","currency":"sgd","amount":1.11,"payment_request_id":"92965a20-dae5-4d89-a452-5fdfa382dbe1","reference_number":"ABC123","#),
        "{body}"
    );
}

#[test]
fn tampering_keeps_the_shape_and_breaks_the_value() {
    let sig = "aee134c835d926c230fbeac94bab38f2908d89181ff4df65112d7f8c317ad904";
    let bad = tampered(sig);
    assert_eq!(bad.len(), sig.len());
    assert_ne!(bad, sig);
    assert!(bad.bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn underpayment_is_half_rounded_down() {
    assert_eq!(underpaid(Decimal::new(2500, 2)), Decimal::new(1250, 2));
    assert_eq!(underpaid(Decimal::new(1, 2)), Decimal::new(1, 2));
    assert_eq!(underpaid(Decimal::new(333, 2)), Decimal::new(166, 2));
}
