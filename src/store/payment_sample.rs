//! A payment row literal for unit tests: a child of `payments`, so it may set the row's private
//! status (the transition module's permit guards it everywhere else).

use super::PaymentRow;
use chrono::{DateTime, Utc};

/// A completed payment with every field set.
pub(crate) fn sample_row_for_tests() -> PaymentRow {
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    PaymentRow {
        id: "pay_1".into(),
        merchant_id: "mer_1".into(),
        status: "completed".into(),
        amount_minor: 150_000,
        currency: "BDT".into(),
        refunded_minor: 500,
        order_id: "order-1".into(),
        provider: Some("paystablecoin".into()),
        method: Some("usdt".into()),
        account_id: Some("acc_1".into()),
        external_id: Some("ext-1".into()),
        checkout_url: Some("https://pay.example/1".into()),
        callback_url: None,
        return_url: Some("https://shop.example/r".into()),
        cancel_url: None,
        customer: Some(r#"{"email":"a@example.com"}"#.into()),
        description: Some("two \"quoted\" words".into()),
        metadata: Some("not json".into()),
        status_detail: None,
        provider_status: Some("PAID".into()),
        return_token: "secret-token".into(),
        event_sequence: 3,
        expires_at: at("2026-11-21T11:00:00Z"),
        created_at: at("2026-11-21T10:00:00Z"),
        updated_at: at("2026-11-21T10:05:00.5Z"),
        completed_at: Some(at("2026-11-21T10:05:00Z")),
        hosted: false,
        paid_attempt_id: Some("att_1".into()),
        received_minor: Some(150_000),
    }
}
