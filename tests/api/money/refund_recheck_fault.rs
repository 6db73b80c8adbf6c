//! A refund that cannot be rechecked does not stop the recheck of its payment: the error is
//! logged, the payment's own record is still asked for and applied, and the next recheck asks
//! about the refund again. The failure is a real one in the database (a trigger refuses every
//! write to `refunds`): a gateway's fault on the refund lookup is already an answer that
//! "learnt nothing" and never reached this path.

use super::{recheck, refunds, retrieve};
use crate::helpers::{spawn_app, UpdateFault};
use serde_json::json;

#[tokio::test]
async fn a_refund_recheck_that_fails_does_not_stop_the_payments_recheck() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let id = app.paid_payment(&m, "ORDER-1").await;
    let (status, r) = app.refund(&m, &id, json!({})).await;
    assert_eq!((status, &r["status"]), (201, &json!("pending")), "{r}");

    let fault_name = "fail_refund_writes";
    app.fail_updates(UpdateFault {
        name: fault_name,
        table: "refunds",
        when: "NEW.id = OLD.id",
    })
    .await;
    let queries = |s: serde_json::Value| s["calls"]["query"].as_u64().unwrap_or(0);
    let before = queries(app.sim_stats().await);
    let (status, checked) = app.get(&format!("/v1/payments/{id}/recheck"), &m).await;
    app.clear_update_fault(fault_name, "refunds").await;
    assert_eq!(status, 200, "{checked}");
    assert_eq!(
        (&checked["status"], &checked["reconciled"]),
        (&json!("completed"), &json!(true)),
        "{checked}"
    );
    // The refund was looked up (its answer could not be written), then the order itself.
    assert_eq!(queries(app.sim_stats().await) - before, 2);
    assert_eq!(refunds(&app, &m, &id).await[0]["status"], "pending");

    // Nothing of the failed refund recheck was kept: the next recheck settles it.
    let checked = recheck(&app, &m, &id).await;
    assert_eq!(checked["status"], "refunded", "{checked}");
    assert_eq!(refunds(&app, &m, &id).await[0]["status"], "completed");
    assert_eq!(retrieve(&app, &m, &id).await["refunded_amount"], "25.00");
}
