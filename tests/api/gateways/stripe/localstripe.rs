//! The Stripe adapter against an independent peer: localstripe, a third-party fake Stripe server
//! (a Python package; `scripts/test` installs and starts it and sets `LOCALSTRIPE_URL`). It has
//! PaymentIntents, Refunds and signed webhooks but no Checkout Sessions, so these tests cover
//! what it shares with Payrail's calls: a refund by PaymentIntent (partial, then the rest, in a
//! zero-decimal currency), reading a refund back, and verifying the `Stripe-Signature` of the
//! events it sends (it sends them for PaymentIntents, not for refunds). The customer's side (a card PaymentIntent, confirmed) is made here, directly.

use crate::receiver::Receiver;
use payrail::providers::stripe::Stripe;
use payrail::providers::{
    AccountContext, IncomingWebhook, Outcome, ProviderAdapter, RefundReport, RefundRequest,
    RefundStatus, ReportedAmount, WebhookVerification,
};
use rust_decimal::Decimal;
use serde_json::{json, Value};

const SECRET_KEY: &str = "sk_test_payrail_localstripe";
const WEBHOOK_SECRET: &str = "whsec_payrail_localstripe";

fn localstripe_url() -> String {
    std::env::var("LOCALSTRIPE_URL").unwrap_or_else(|_| {
        panic!(
            "LOCALSTRIPE_URL is not set: run scripts/test, which installs and starts localstripe"
        )
    })
}

fn account(base_url: &str) -> AccountContext {
    AccountContext {
        account_id: "acc_localstripe".into(),
        credentials: json!({ "secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET }),
        base_url: base_url.into(),
        webhook_url: "http://127.0.0.1:9/unused".into(),
    }
}

/// One form POST to localstripe as the test's own client (the customer's side); its JSON
/// answer (`null` for an empty one).
async fn post(base: &str, path: &str, form: &[(&str, &str)]) -> Value {
    let req = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .form(form);
    answer(path, req).await
}

async fn get(base: &str, path: &str) -> Value {
    answer(path, reqwest::Client::new().get(format!("{base}{path}"))).await
}

async fn answer(path: &str, req: reqwest::RequestBuilder) -> Value {
    let res = req.basic_auth(SECRET_KEY, Some("")).send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "localstripe {path}: {status} {text}");
    if text.trim().is_empty() {
        return Value::Null;
    }
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("localstripe {path}: {e}: {text}"))
}

/// A card payment of `amount` (in Stripe's units) the customer confirmed: its PaymentIntent id.
async fn paid_intent(base: &str, amount: &str, currency: &str) -> String {
    let card = post(
        base,
        "/v1/payment_methods",
        &[
            ("type", "card"),
            ("card[number]", "4242424242424242"),
            ("card[exp_month]", "12"),
            ("card[exp_year]", "2034"),
            ("card[cvc]", "123"),
        ],
    )
    .await;
    let pm = card["id"].as_str().unwrap();
    let intent = post(
        base,
        "/v1/payment_intents",
        &[
            ("amount", amount),
            ("currency", currency),
            ("payment_method", pm),
            ("confirm", "true"),
        ],
    )
    .await;
    assert_eq!(intent["status"], "succeeded", "{intent}");
    intent["id"].as_str().unwrap().to_owned()
}

fn refund_request(reference: &str, intent: &str, yen: i64) -> RefundRequest {
    RefundRequest {
        reference: reference.into(),
        payment_external_id: "cs_not_in_localstripe".into(),
        payment_charge_id: Some(intent.into()),
        amount: Decimal::new(yen, 0),
        currency: "JPY".into(),
        reason: Some("customer asked".into()),
    }
}

/// A refunded amount in yen as the adapter reports it.
fn yen(value: i64) -> Option<ReportedAmount> {
    Some(ReportedAmount {
        value: Decimal::new(value, 0),
        currency: "JPY".into(),
    })
}

fn settled(outcome: Outcome<RefundReport>) -> RefundReport {
    match outcome {
        Outcome::Succeeded(report) => report,
        other => panic!("expected a settled refund, got {other:?}"),
    }
}

#[tokio::test]
async fn a_partial_then_the_remaining_refund_by_payment_intent_in_yen() {
    let base = localstripe_url();
    let ctx = account(&base);
    let stripe = Stripe::new(reqwest::Client::new());
    let intent = paid_intent(&base, "1500", "jpy").await;

    // ¥500 is 500 in Stripe's units: JPY has no minor unit, and nothing is multiplied by 100.
    let first = settled(
        stripe
            .refund(&ctx, &refund_request("rf_ls_1", &intent, 500))
            .await,
    );
    assert_eq!(first.status, RefundStatus::Completed);
    assert_eq!(first.amount, yen(500));
    let first_id = first.external_id.clone().expect("Stripe's refund id");
    assert!(first_id.starts_with("re_"), "{first_id}");

    let rest = settled(
        stripe
            .refund(&ctx, &refund_request("rf_ls_2", &intent, 1000))
            .await,
    );
    assert_eq!(rest.status, RefundStatus::Completed);
    assert_eq!(rest.amount, yen(1000));
    assert_ne!(rest.external_id, first.external_id);

    // Read back by Stripe's id, as the refund recheck does.
    let read = settled(stripe.query_refund(&ctx, "rf_ls_1", Some(&first_id)).await);
    assert_eq!(read.status, RefundStatus::Completed);
    assert_eq!(read.amount, yen(500));
    assert_eq!(read.external_id.as_deref(), Some(first_id.as_str()));

    // What localstripe holds agrees: the charge is refunded in full, ¥1500.
    let paid = get(&base, &format!("/v1/payment_intents/{intent}")).await;
    let charge = match &paid["latest_charge"] {
        Value::String(id) => id.clone(),
        object => object["id"].as_str().unwrap().to_owned(),
    };
    let charge = get(&base, &format!("/v1/charges/{charge}")).await;
    assert_eq!(charge["amount_refunded"], 1500, "{charge}");
}

#[tokio::test]
async fn a_refund_of_a_payment_intent_stripe_does_not_know_is_not_settled() {
    let base = localstripe_url();
    let stripe = Stripe::new(reqwest::Client::new());
    let outcome = stripe
        .refund(
            &account(&base),
            &refund_request("rf_ls_3", "pi_unknown0000", 100),
        )
        .await;
    assert!(
        !matches!(outcome, Outcome::Succeeded(_) | Outcome::Pending(_)),
        "{outcome:?}"
    );
}

/// Waits (bounded) until the receiver has an event of `kind` about the object `id`.
async fn event_of_kind(receiver: &Receiver, kind: &str, id: &str) -> crate::receiver::Received {
    for _ in 0..100 {
        let found = receiver.received().into_iter().find(|r| {
            let event = r.json();
            event["type"] == kind && event["data"]["object"]["id"] == id
        });
        if let Some(r) = found {
            return r;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("localstripe sent no {kind} event")
}

fn verify(
    stripe: &Stripe,
    ctx: &AccountContext,
    headers: &[(String, String)],
    body: &[u8],
) -> WebhookVerification {
    let hook = IncomingWebhook {
        headers,
        path: "/v1/webhooks/stripe/acc_localstripe/",
        body,
        now: chrono::Utc::now(),
    };
    stripe.verify_webhook(ctx, &hook)
}

#[tokio::test]
async fn the_events_localstripe_signs_verify_and_a_tampered_or_foreign_one_does_not() {
    let base = localstripe_url();
    let receiver = Receiver::start(0, "127.0.0.1");
    // Each test run registers its own endpoint id, so earlier runs' receivers do not matter.
    let endpoint = format!("/_config/webhooks/payrail_{}", rand::random::<u32>());
    post(
        &base,
        &endpoint,
        &[("url", &receiver.url), ("secret", WEBHOOK_SECRET)],
    )
    .await;
    // localstripe signs the events of PaymentIntents (it sends none for refunds).
    let intent = paid_intent(&base, "2000", "jpy").await;
    let event = event_of_kind(&receiver, "payment_intent.succeeded", &intent).await;
    let headers: Vec<(String, String)> = event
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    let stripe = Stripe::new(reqwest::Client::new());
    let ctx = account(&base);
    assert!(matches!(
        verify(&stripe, &ctx, &headers, &event.body),
        WebhookVerification::Verified { .. }
    ));

    let mut tampered = event.body.clone();
    let at = tampered.iter().position(|b| b.is_ascii_digit()).unwrap();
    tampered[at] = if tampered[at] == b'9' {
        b'8'
    } else {
        tampered[at] + 1
    };
    assert!(matches!(
        verify(&stripe, &ctx, &headers, &tampered),
        WebhookVerification::Rejected { .. }
    ));

    let mut other = account(&base);
    other.credentials["webhook_secret"] = json!("whsec_someone_else");
    assert!(matches!(
        verify(&stripe, &other, &headers, &event.body),
        WebhookVerification::Rejected { .. }
    ));
}
