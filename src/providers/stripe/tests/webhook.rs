//! Webhooks through the adapter: verification of the note's vectors at the right time only, and
//! parsing of every event Payrail reads (R12–R14).

use super::super::signing::sign;
use super::super::Stripe;
use super::vectors::{COMPLETED, COMPLETED_V1, REFUNDED_JPY, REFUNDED_JPY_V1, T};
use super::{account, WEBHOOK_SECRET};
use crate::providers::{
    AckKind, GatewayReport, IncomingWebhook, ProviderAdapter, RefundReport, RefundStatus,
    ReportedAmount, ReportedStatus, WebhookEvent, WebhookVerification,
};
use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;

fn hook<'a>(headers: &'a [(String, String)], body: &'a str, now: i64) -> IncomingWebhook<'a> {
    IncomingWebhook {
        headers,
        path: "/v1/webhooks/stripe/acc_test/",
        body: body.as_bytes(),
        now: Utc.timestamp_opt(now, 0).unwrap(),
    }
}

fn signed(v1: &str) -> Vec<(String, String)> {
    vec![("stripe-signature".into(), format!("t={T},v1={v1}"))]
}

fn adapter() -> Stripe {
    Stripe::new(reqwest::Client::new())
}

#[test]
fn the_vectors_verify_in_time_and_are_refused_when_stale_or_unsigned() {
    let acc = account("http://unused");
    let headers = signed(COMPLETED_V1);
    let verified = WebhookVerification::Verified { scheme: "v1" };
    assert_eq!(adapter().verify_webhook(&acc, &hook(&headers, COMPLETED, T + 60)), verified);
    let stale = adapter().verify_webhook(&acc, &hook(&headers, COMPLETED, T + 301));
    assert!(matches!(stale, WebhookVerification::Rejected { .. }), "{stale:?}");
    let none = adapter().verify_webhook(&acc, &hook(&[], COMPLETED, T));
    assert!(matches!(none, WebhookVerification::Rejected { .. }));
    let headers = signed(REFUNDED_JPY_V1);
    assert_eq!(adapter().verify_webhook(&acc, &hook(&headers, REFUNDED_JPY, T)), verified);
    let crossed = adapter().verify_webhook(&acc, &hook(&headers, COMPLETED, T));
    assert!(matches!(crossed, WebhookVerification::Rejected { .. }));
}

fn parsed(body: &str) -> (String, WebhookEvent) {
    let headers = signed(&sign(WEBHOOK_SECRET, T, body.as_bytes()));
    let p = adapter().parse_webhook(&hook(&headers, body, T)).unwrap();
    (p.dedupe_key, p.event)
}

fn payment(body: &str) -> GatewayReport {
    match parsed(body).1 {
        WebhookEvent::Payment(r) => r,
        other => panic!("{other:?}"),
    }
}

fn session_event(kind: &str, paid: &str) -> String {
    format!(
        r#"{{"id":"evt_9","object":"event","type":"{kind}","data":{{"object":{{"id":"cs_test_9","object":"checkout.session","client_reference_id":"att_9","status":"complete","payment_status":"{paid}","amount_total":2500,"currency":"sgd","payment_intent":"pi_9"}}}}}}"#
    )
}

#[test]
fn a_completed_session_is_paid_and_names_attempt_session_and_intent() {
    let (key, _) = parsed(COMPLETED);
    assert_eq!(key, "evt:evt_1PayrailTest0001");
    assert_eq!(
        payment(COMPLETED),
        GatewayReport {
            reference: Some("att_01JD3ZK2Q4X8V9N6B5M7C1T0RA".into()),
            external_id: Some("cs_test_a1B2c3".into()),
            provider_status: "checkout.session.completed".into(),
            status: ReportedStatus::Paid,
            amount: Some(ReportedAmount {
                value: Decimal::new(2500, 2),
                currency: "SGD".into()
            }),
            underpaid: false,
            received: None,
            charge_id: Some("pi_3PayrailTest0001".into()),
            refunded: None,
            extra_charges: vec![],
        }
    );
}

#[test]
fn delayed_methods_are_processing_then_settled_by_the_async_events() {
    let statuses = [
        (session_event("checkout.session.completed", "unpaid"), ReportedStatus::Processing),
        (session_event("checkout.session.async_payment_succeeded", "paid"), ReportedStatus::Paid),
        (session_event("checkout.session.async_payment_failed", "unpaid"), ReportedStatus::Failed),
    ];
    for (body, expected) in statuses {
        assert_eq!(payment(&body).status, expected, "{body}");
    }
    let expired = session_event("checkout.session.expired", "unpaid").replace("complete", "expired");
    assert_eq!(payment(&expired).status, ReportedStatus::Expired);
}

#[test]
fn a_refunded_jpy_charge_reports_its_refunded_total_in_yen() {
    let r = payment(REFUNDED_JPY);
    assert_eq!(r.reference.as_deref(), Some("att_01JD3ZK2Q4X8V9N6B5M7C1T0RB"));
    assert_eq!(r.charge_id.as_deref(), Some("pi_3PayrailTest0002"));
    assert_eq!(r.status, ReportedStatus::PartiallyRefunded);
    let yen = |v| Some(ReportedAmount { value: Decimal::new(v, 0), currency: "JPY".into() });
    assert_eq!((r.amount, r.refunded), (yen(1500), yen(500)));
}

#[test]
fn refund_events_name_our_refund_or_none_for_a_dashboard_refund() {
    let body = |meta: &str| {
        format!(
            r#"{{"id":"evt_r","type":"refund.updated","data":{{"object":{{"id":"re_1","object":"refund","amount":500,"currency":"sgd","status":"succeeded","payment_intent":"pi_9","metadata":{meta}}}}}}}"#
        )
    };
    let ours = match parsed(&body(r#"{"payrail_refund":"rfd_1"}"#)).1 {
        WebhookEvent::Refund(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        ours,
        RefundReport {
            reference: Some("rfd_1".into()),
            external_id: Some("re_1".into()),
            provider_status: "succeeded".into(),
            status: RefundStatus::Completed,
            payment_external_id: None,
            amount: Some(ReportedAmount { value: Decimal::new(500, 2), currency: "SGD".into() }),
        }
    );
    match parsed(&body("{}")).1 {
        WebhookEvent::Refund(r) => assert_eq!(r.reference, None),
        other => panic!("{other:?}"),
    }
}

#[test]
fn other_events_and_foreign_charges_do_not_parse() {
    let headers = signed("00");
    for body in [
        r#"{"id":"evt_x","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1"}}}"#,
        r#"{"id":"evt_x","type":"charge.refunded","data":{"object":{"id":"ch_1","status":"succeeded","amount":100,"amount_refunded":100,"currency":"usd","refunded":true,"payment_intent":"pi_1","metadata":{}}}}"#,
        "not json",
    ] {
        assert!(adapter().parse_webhook(&hook(&headers, body, T)).is_err(), "{body}");
    }
}

#[test]
fn the_answers_stripe_expects() {
    let a = adapter();
    assert_eq!(a.webhook_ack(AckKind::Accepted).status, 200);
    assert_eq!(a.webhook_ack(AckKind::Rejected).status, 400);
    assert_eq!(a.webhook_ack(AckKind::RetryLater).status, 503);
}
