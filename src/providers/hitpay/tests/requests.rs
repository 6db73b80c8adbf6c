//! The request bodies and headers HitPay receives.

use super::super::requests::{self, amount_text, create_form, refund_form, sgt};
use super::{checkout_request, REF, WEBHOOK};
use crate::providers::Method;
use chrono::TimeZone;
use rust_decimal::Decimal;

#[test]
fn create_form_fields_in_order_with_sgt_expiry() {
    let form = create_form(&checkout_request(REF), WEBHOOK).unwrap();
    assert_eq!(
        form,
        "amount=25.00&currency=SGD&reference_number=att_01JD3ZK2Q4X8V9N6B5M7C1T0RA\
         &redirect_url=https%3A%2F%2Fpayrail.example%2Fcheckout%2Fpay_1%2Freturn%3Ft%3Dtok\
         &webhook=https%3A%2F%2Fpayrail.example%2Fv1%2Fwebhooks%2Fhitpay%2Facc_test%2F\
         &email=tan%40example.com&name=Tan+Ah+Kow&purpose=Order+%231+%26+more\
         &expiry_date=2026-02-01+00%3A30%3A00"
    );
    let mut req = checkout_request(REF);
    req.method = Some(Method::Wallet);
    req.description = Some("x".repeat(300));
    let form = create_form(&req, WEBHOOK).unwrap();
    assert!(
        form.ends_with("&payment_methods%5B%5D=grabpay_direct&payment_methods%5B%5D=shopee_pay")
    );
    assert!(form.contains(&format!("purpose={}&", "x".repeat(255))));
    req.reference = String::new();
    assert!(create_form(&req, WEBHOOK).is_err());
}

#[test]
fn sgt_is_utc_plus_eight() {
    let at = chrono::Utc.with_ymd_and_hms(2021, 2, 1, 17, 1, 1).unwrap();
    assert_eq!(sgt(at), "2021-02-02 01:01:01");
}

#[test]
fn amounts_are_two_decimal_text_never_rounded() {
    assert_eq!(amount_text(Decimal::from(100)).unwrap(), "100.00");
    assert_eq!(amount_text(Decimal::new(55, 1)).unwrap(), "5.50");
    assert_eq!(amount_text(Decimal::new(123400, 4)).unwrap(), "12.34");
    assert!(amount_text(Decimal::new(12345, 3)).is_err());
    assert!(amount_text(Decimal::ZERO).is_err());
    assert!(amount_text(Decimal::new(-100, 2)).is_err());
    assert_eq!(
        refund_form("9a93-4d94", Decimal::new(1000, 2)).unwrap(),
        "amount=10.00&payment_id=9a93-4d94"
    );
    assert!(refund_form(" ", Decimal::ONE).is_err());
}

#[test]
fn ids_in_paths_and_headers() {
    assert_eq!(
        requests::request_path("9ef6-aa").unwrap(),
        "v1/payment-requests/9ef6-aa"
    );
    for bad in ["", "a/b", "a?b", "..", &"a".repeat(65)] {
        assert!(requests::request_path(bad).is_err(), "{bad}");
    }
    let built = requests::build(
        &reqwest::Client::new(),
        reqwest::Method::POST,
        "http://127.0.0.1:9/hitpay/",
        requests::PAYMENT_REQUESTS,
        "key-1",
        Some("a=1".into()),
    )
    .build()
    .unwrap();
    assert_eq!(
        built.url().as_str(),
        "http://127.0.0.1:9/hitpay/v1/payment-requests"
    );
    let h = built.headers();
    assert_eq!(h["x-business-api-key"], "key-1");
    assert_eq!(h["x-requested-with"], "XMLHttpRequest");
    assert_eq!(h["content-type"], "application/x-www-form-urlencoded");
}
