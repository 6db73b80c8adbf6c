//! Written-out runs that pin the paths the seeds only reach by chance at the two newest
//! gateways (issue 17), so a change of drawing odds cannot quietly stop exercising them: a
//! bKash approval whose customer never came back, executed by the reconciler's recheck after
//! every token expired, with a refund whose answer was lost; and a Stripe payment in yen whose
//! webhooks were lost, refunded in part in Stripe's dashboard and in part through Payrail
//! under a timeout; and a Stripe refund whose own events arrive after ops confirmed its
//! reversal. Each ends with the oracle, like a seeded run.

use super::model::{Fate, FaultMode, Gw, Kind, Step};
use super::run_script;
use super::world::Stage;

fn fault(gw: Gw, mode: FaultMode) -> Option<super::model::Fault> {
    Some(super::model::Fault { gw, mode })
}

fn webhook(gw: Gw, fate: Fate) -> Step {
    Step::Webhook {
        provider: gw.id().into(),
        fate,
    }
}

async fn payment_state(stage: &Stage) -> (String, i64) {
    sqlx::query_as("SELECT status, refunded_minor FROM payments")
        .fetch_one(&stage.app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_abandoned_bkash_approval_is_executed_by_the_reconciler_after_tokens_expire() {
    let stage = Stage::start().await;
    let steps = vec![
        Step::Create {
            kind: Kind::Pinned(Gw::Bkash, "BDT"),
            key: None,
            amount_minor: 12_000,
            fault: None,
        },
        Step::Checkout {
            p: 0,
            attempt: 0,
            outcome: "authorise",
            come_back: false,
        },
        Step::ExpireTokens,
        Step::Tick { minutes: 1 },
        Step::Refund {
            p: 0,
            amount_minor: Some(2_000),
            key: None,
            fault: fault(Gw::Bkash, FaultMode::Timeout),
        },
        Step::Refund {
            p: 0,
            amount_minor: Some(3_000),
            key: None,
            fault: None,
        },
    ];
    run_script(&stage, steps).await.unwrap();
    // The lost refund was never re-sent or guessed at: it waits in review (B11).
    assert_eq!(
        payment_state(&stage).await,
        ("partially_refunded".into(), 3_000)
    );
    let lost: String = sqlx::query_scalar("SELECT status FROM refunds WHERE amount_minor = 2000")
        .fetch_one(&stage.app.pool)
        .await
        .unwrap();
    assert_eq!(lost, "needs_review");
}

#[tokio::test]
async fn a_yen_stripe_payment_with_lost_webhooks_agrees_with_stripe_after_refunds() {
    let stage = Stage::start().await;
    let steps = vec![
        Step::Create {
            kind: Kind::Pinned(Gw::Stripe, "JPY"),
            key: Some("jpy-1".into()),
            amount_minor: 1_500,
            fault: None,
        },
        Step::Checkout {
            p: 0,
            attempt: 0,
            outcome: "pay",
            come_back: false,
        },
        webhook(Gw::Stripe, Fate::Drop),
        Step::DashboardRefund {
            p: 0,
            attempt: 0,
            amount_minor: Some(300),
        },
        webhook(Gw::Stripe, Fate::Drop),
        webhook(Gw::Stripe, Fate::Drop),
        Step::Recheck {
            p: 0,
            fault: fault(Gw::Stripe, FaultMode::Malformed),
        },
        Step::Recheck { p: 0, fault: None },
        Step::Refund {
            p: 0,
            amount_minor: Some(200),
            key: None,
            fault: fault(Gw::Stripe, FaultMode::Timeout),
        },
        webhook(Gw::Stripe, Fate::Hold),
        webhook(Gw::Stripe, Fate::Hold),
    ];
    run_script(&stage, steps).await.unwrap();
    assert_eq!(
        payment_state(&stage).await,
        ("partially_refunded".into(), 500)
    );
}

/// The order that made a phantom refund (fixed in `refund_evidence::apply_refund_total`): a
/// Stripe refund's own events held back past its failure and ops confirming the reversal, then
/// delivered. Their stale 10.00 total must not become a refund made in Stripe's dashboard.
#[tokio::test]
async fn a_refunds_events_held_past_its_confirmed_reversal_change_nothing() {
    let stage = Stage::start().await;
    let steps = vec![
        Step::Create {
            kind: Kind::Pinned(Gw::Stripe, "USD"),
            key: Some("rev-1".into()),
            amount_minor: 2_500,
            fault: None,
        },
        Step::Checkout {
            p: 0,
            attempt: 0,
            outcome: "pay",
            come_back: false,
        },
        webhook(Gw::Stripe, Fate::Deliver),
        Step::Refund {
            p: 0,
            amount_minor: Some(1_000),
            key: None,
            fault: None,
        },
        webhook(Gw::Stripe, Fate::Hold),
        webhook(Gw::Stripe, Fate::Hold),
        Step::RefundFails { p: 0, attempt: 0 },
        webhook(Gw::Stripe, Fate::Deliver),
        Step::OpsReview { p: 0 },
        Step::Release { held: 0 },
        Step::Release { held: 0 },
    ];
    run_script(&stage, steps).await.unwrap();
    assert_eq!(payment_state(&stage).await, ("completed".into(), 0));
}
