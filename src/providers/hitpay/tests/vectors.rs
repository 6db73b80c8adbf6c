//! docs/gateways/hitpay.md, "Test vectors", rebuilt by the adapter's own signing and accepted by
//! its webhook verification.

use super::super::signing::{hmac_hex, v1_message, verify_hex};
use super::super::webhook::{form_fields, parse_webhook, verify_webhook};
use super::{account, SALT};
use crate::providers::{
    IncomingWebhook, ReportedAmount, ReportedStatus, WebhookEvent, WebhookVerification,
};
use rust_decimal::Decimal;

pub const V1_SOURCE: &str = "amount599.00currencySGDpayment_id92965a2d-ece3-4ace-1245-494050c9a3c1payment_request_id92965a20-dae5-4d89-a452-5fdfa382dbe1phonereference_numberABC123statuscompleted";
pub const V1_HMAC: &str = "aee134c835d926c230fbeac94bab38f2908d89181ff4df65112d7f8c317ad904";
pub const V1_BODY: &str = "payment_id=92965a2d-ece3-4ace-1245-494050c9a3c1&payment_request_id=92965a20-dae5-4d89-a452-5fdfa382dbe1&reference_number=ABC123&phone=&amount=599.00&currency=SGD&status=completed&hmac=aee134c835d926c230fbeac94bab38f2908d89181ff4df65112d7f8c317ad904";
pub const V2_BODY: &str = r#"{"id":"98f18bb9-42a3-4cd2-a263-b6ed7d49a1cc","status":"succeeded","currency":"sgd","amount":1.11}"#;
pub const V2_SIG: &str = "b4e850a15cb0d7f87921403f85341603acebfef6f1b56a9de9ce151afc92ec86";

pub fn hook<'a>(headers: &'a [(String, String)], body: &'a str) -> IncomingWebhook<'a> {
    IncomingWebhook {
        headers,
        path: "/v1/webhooks/hitpay/acc_test/",
        body: body.as_bytes(),
        now: chrono::Utc::now(),
    }
}

#[test]
fn v1_string_to_sign_and_hmac() {
    let fields = form_fields(V1_BODY.as_bytes()).unwrap();
    let message = v1_message(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    assert_eq!(message, V1_SOURCE);
    assert_eq!(hmac_hex(SALT, message.as_bytes()), V1_HMAC);
    assert_eq!(fields["hmac"], V1_HMAC);
    // The documented field order is not the signing order: sorting is what makes them agree.
    let unsorted = [("status", "completed"), ("amount", "599.00")];
    assert_eq!(v1_message(unsorted), "amount599.00statuscompleted");
}

#[test]
fn v1_wire_body_verifies_and_parses() {
    let headers = vec![(
        "content-type".to_string(),
        "application/x-www-form-urlencoded".to_string(),
    )];
    let h = hook(&headers, V1_BODY);
    assert_eq!(
        verify_webhook(&account("http://x"), &h),
        WebhookVerification::Verified { scheme: "v1" }
    );
    let parsed = parse_webhook(&h).unwrap();
    assert_eq!(
        parsed.dedupe_key,
        "v1:92965a2d-ece3-4ace-1245-494050c9a3c1:completed"
    );
    let WebhookEvent::Payment(report) = parsed.event else {
        panic!("payment event expected");
    };
    assert_eq!(report.reference.as_deref(), Some("ABC123"));
    assert_eq!(
        report.external_id.as_deref(),
        Some("92965a20-dae5-4d89-a452-5fdfa382dbe1")
    );
    assert_eq!(
        report.charge_id.as_deref(),
        Some("92965a2d-ece3-4ace-1245-494050c9a3c1")
    );
    assert_eq!(report.status, ReportedStatus::Paid);
    assert_eq!(report.provider_status, "completed");
    assert_eq!(
        report.amount,
        Some(ReportedAmount {
            value: Decimal::new(59900, 2),
            currency: "SGD".into()
        })
    );
    assert!(!report.underpaid);
}

#[test]
fn v2_signature_verifies_and_parses() {
    assert_eq!(hmac_hex(SALT, V2_BODY.as_bytes()), V2_SIG);
    assert!(verify_hex(SALT, V2_BODY.as_bytes(), &V2_SIG.to_uppercase()));
    let headers = vec![
        ("hitpay-signature".to_string(), V2_SIG.to_string()),
        ("hitpay-event-object".to_string(), "charge".to_string()),
        ("hitpay-event-type".to_string(), "updated".to_string()),
    ];
    let h = hook(&headers, V2_BODY);
    assert_eq!(
        verify_webhook(&account("http://x"), &h),
        WebhookVerification::Verified { scheme: "v2" }
    );
    let parsed = parse_webhook(&h).unwrap();
    assert_eq!(
        parsed.dedupe_key,
        "v2:charge:98f18bb9-42a3-4cd2-a263-b6ed7d49a1cc:updated:succeeded"
    );
    let WebhookEvent::Payment(report) = parsed.event else {
        panic!("payment event expected");
    };
    assert_eq!(report.status, ReportedStatus::Paid);
    assert_eq!(
        report.charge_id.as_deref(),
        Some("98f18bb9-42a3-4cd2-a263-b6ed7d49a1cc")
    );
    assert_eq!(
        report.amount,
        Some(ReportedAmount {
            value: Decimal::new(111, 2),
            currency: "SGD".into()
        })
    );
    assert_eq!((report.reference, report.external_id), (None, None));
}
