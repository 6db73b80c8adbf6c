//! The request bytes: the create and refund forms in Stripe's bracket syntax, the session's
//! expiry (R4), paths and ids.

use super::super::requests::{
    check_id, create_form, expire_path, refund_form, refund_path, session_expiry,
    session_read_path,
};
use super::{checkout_request, REF};
use crate::providers::{Method, RefundRequest};
use chrono::{Duration, TimeZone, Utc};
use rust_decimal::Decimal;

fn decoded(form: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(form.as_bytes()).into_owned().collect()
}

#[test]
fn the_create_form_is_stripes_bracket_syntax_in_a_fixed_order() {
    let req = checkout_request(REF);
    let now = req.expires_at - Duration::hours(2);
    let form = create_form(&req, now).unwrap();
    assert!(form.starts_with(
        "mode=payment&client_reference_id=att_01JD3ZK2Q4X8V9N6B5M7C1T0RA&line_items%5B0%5D%5Bquantity%5D=1&line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=sgd&line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=2500&"
    ), "{form}");
    let fields = decoded(&form);
    let expected: Vec<(&str, String)> = vec![
        ("mode", "payment".into()),
        ("client_reference_id", REF.into()),
        ("line_items[0][quantity]", "1".into()),
        ("line_items[0][price_data][currency]", "sgd".into()),
        ("line_items[0][price_data][unit_amount]", "2500".into()),
        ("line_items[0][price_data][product_data][name]", "Order #1 & more".into()),
        (
            "success_url",
            "https://payrail.example/checkout/pay_1/return?t=tok&session_id={CHECKOUT_SESSION_ID}".into(),
        ),
        ("cancel_url", "https://payrail.example/checkout/pay_1/return?t=tok&intent=cancel".into()),
        ("expires_at", req.expires_at.timestamp().to_string()),
        ("metadata[payrail_reference]", REF.into()),
        ("payment_intent_data[metadata][payrail_reference]", REF.into()),
        ("customer_email", "tan@example.com".into()),
    ];
    let expected: Vec<(String, String)> =
        expected.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    assert_eq!(fields, expected);
}

#[test]
fn jpy_is_sent_without_decimals_and_card_is_named_when_asked() {
    let mut req = checkout_request(REF);
    req.amount = Decimal::new(1500, 0);
    req.currency = "JPY".into();
    req.method = Some(Method::Card);
    req.description = None;
    req.customer.email = None;
    let fields = decoded(&create_form(&req, req.expires_at - Duration::hours(1)).unwrap());
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("line_items[0][price_data][unit_amount]"), Some("1500"));
    assert_eq!(get("line_items[0][price_data][currency]"), Some("jpy"));
    assert_eq!(get("line_items[0][price_data][product_data][name]"), Some("Payment"));
    assert_eq!(get("payment_method_types[0]"), Some("card"));
    assert_eq!(get("customer_email"), None);
    req.amount = Decimal::new(15005, 1);
    assert!(create_form(&req, req.expires_at).is_err(), "¥1500.5 cannot be sent");
}

#[test]
fn the_session_expiry_is_the_window_when_stripe_allows_it_else_the_nearest_allowed() {
    let now = Utc.with_ymd_and_hms(2026, 1, 31, 12, 7, 30).unwrap();
    let slot = Utc.with_ymd_and_hms(2026, 1, 31, 12, 5, 0).unwrap();
    let window = now + Duration::hours(3);
    assert_eq!(session_expiry(window, now), window.timestamp());
    // The default 30-minute window is always too short by the time the call is made.
    let short = now + Duration::minutes(30);
    assert_eq!(session_expiry(short, now), (slot + Duration::minutes(36)).timestamp());
    let long = now + Duration::days(7);
    let latest = slot + Duration::hours(24) - Duration::minutes(5);
    assert_eq!(session_expiry(long, now), latest.timestamp());
    // A retry within the same five minutes sends the same value (idempotent replay).
    let retry = now + Duration::minutes(2);
    assert_eq!(session_expiry(short, retry), session_expiry(short, now));
    for at in [now, retry] {
        let sent = session_expiry(short, at);
        assert!(sent >= (at + Duration::minutes(31)).timestamp());
        assert!(session_expiry(long, at) <= (at + Duration::hours(24)).timestamp());
    }
}

#[test]
fn the_refund_form_names_the_payment_intent_and_our_reference() {
    let req = RefundRequest {
        reference: "rfd_01".into(),
        payment_external_id: "cs_test_1".into(),
        payment_charge_id: Some("pi_1".into()),
        amount: Decimal::new(500, 0),
        currency: "JPY".into(),
        reason: Some("one item back".into()),
    };
    assert_eq!(
        refund_form(&req, "pi_1").unwrap(),
        "payment_intent=pi_1&amount=500&metadata%5Bpayrail_refund%5D=rfd_01&metadata%5Breason%5D=one+item+back"
    );
    assert!(refund_form(&req, "cs_test_1").is_err());
}

#[test]
fn only_stripe_ids_with_the_right_prefix_go_into_a_path() {
    assert_eq!(
        session_read_path("cs_test_a1").unwrap(),
        "v1/checkout/sessions/cs_test_a1?expand%5B%5D=payment_intent.latest_charge"
    );
    assert_eq!(expire_path("cs_1").unwrap(), "v1/checkout/sessions/cs_1/expire");
    assert_eq!(refund_path("re_1").unwrap(), "v1/refunds/re_1");
    for bad in ["", "cs_", "pi_1", "cs_1/../x", "cs_1?x=1", "cs_ 1"] {
        assert!(check_id("cs_", bad).is_err(), "{bad:?}");
    }
}
