//! Every bug the seeded simulation found, kept as the shortest step list that showed it (the
//! seed that found it is named). Each runs on both stores like the rest of the suite.

use super::model::{Fate, Gw, Kind, Step};
use super::run_script;
use super::world::Stage;

fn create(gw: Gw) -> Step {
    Step::Create {
        kind: Kind::Pinned(gw, gw.currencies()[0]),
        key: None,
        amount_minor: 43_185,
        fault: None,
    }
}

fn webhook(gw: Gw, fate: Fate) -> Step {
    Step::Webhook {
        provider: gw.id().into(),
        fate,
    }
}

/// Seed 646: the payment's webhook was lost, then a refund was made in PayStableCoin's
/// dashboard. Its refund webhook reached Payrail while Payrail still held the payment unpaid,
/// and was dropped as "another attempt's" news: the refund was never recorded.
#[tokio::test]
async fn a_dashboard_refund_before_payrail_learnt_the_payment_is_recorded() {
    let stage = Stage::start().await;
    let steps = vec![
        create(Gw::Psc),
        Step::Checkout {
            p: 0,
            attempt: 0,
            outcome: "pay",
            come_back: false,
        },
        webhook(Gw::Psc, Fate::Drop),
        Step::DashboardRefund {
            p: 0,
            attempt: 0,
            amount_minor: None,
        },
        webhook(Gw::Psc, Fate::Deliver),
    ];
    run_script(&stage, steps).await.unwrap();
}

/// Seed 760: the customer cancelled on HitPay's page, then a charge of that request succeeded
/// all the same (a late transfer) and its webhook was lost. The recheck read the request's own
/// word (`canceled`) over the money in its `payments[]` and cancelled a payment HitPay held the
/// money of.
#[tokio::test]
async fn money_on_a_cancelled_hitpay_request_wins_over_its_status_word() {
    let stage = Stage::start().await;
    let steps = vec![
        create(Gw::HitPay),
        Step::Checkout {
            p: 0,
            attempt: 0,
            outcome: "cancel",
            come_back: false,
        },
        Step::OtherCharge {
            p: 0,
            attempt: 0,
            succeeded: true,
        },
        webhook(Gw::HitPay, Fate::Drop),
        Step::Recheck { p: 0, fault: None },
    ];
    run_script(&stage, steps).await.unwrap();
}

/// Seed 250: a Paymento order was paid short (its PartialPaid IPN lost) and then rejected.
/// Verify said Reject and Payrail failed the payment, while the partial coins were in the
/// merchant's wallet (Paymento is non-custodial): money arrived and nobody was told to look.
#[tokio::test]
async fn coins_on_a_rejected_paymento_order_hold_the_payment_for_review() {
    let stage = Stage::start().await;
    let steps = vec![
        create(Gw::Paymento),
        Step::Checkout {
            p: 0,
            attempt: 0,
            outcome: "underpay",
            come_back: false,
        },
        webhook(Gw::Paymento, Fate::Drop),
        Step::Checkout {
            p: 0,
            attempt: 0,
            outcome: "fail",
            come_back: false,
        },
        webhook(Gw::Paymento, Fate::Deliver),
    ];
    run_script(&stage, steps).await.unwrap();
}

/// Seed 1598: a hosted payment's HitPay attempt failed (closed) and another attempt paid; then
/// a charge succeeded on the closed HitPay request and its webhook was lost. A recheck asked
/// only the live attempts, so the customer's second payment was never seen.
#[tokio::test]
async fn money_landing_on_a_closed_attempt_of_a_hosted_payment_is_a_double_payment() {
    let stage = Stage::start().await;
    let checkout = |attempt, outcome| Step::Checkout {
        p: 0,
        attempt,
        outcome,
        come_back: false,
    };
    let steps = vec![
        Step::Create {
            kind: Kind::Hosted("USD"),
            key: None,
            amount_minor: 29_053,
            fault: None,
        },
        Step::Pick {
            p: 0,
            method: "card",
            fault: None,
        },
        checkout(0, "fail"),
        webhook(Gw::HitPay, Fate::Deliver),
        Step::Pick {
            p: 0,
            method: "crypto",
            fault: None,
        },
        checkout(1, "pay"),
        webhook(Gw::Psc, Fate::Deliver),
        Step::OtherCharge {
            p: 0,
            attempt: 0,
            succeeded: true,
        },
        webhook(Gw::HitPay, Fate::Drop),
    ];
    run_script(&stage, steps).await.unwrap();
}
