//! A merchant's cancel racing the customer's return (noted in earlier sessions): the cancel
//! rechecks without confirming and then cancels, while the return's recheck executes the
//! approval. Held apart by a `queued` execute (it waits at bKash before it takes the money), the
//! cancel lands first and the money after it. The money must not be lost: as for any money that
//! arrives after `cancelled` (docs/api.md, "States"), the payment completes on bKash's evidence
//! with `status_detail: late_payment`, so the merchant hears of it and can refund it.

use super::*;
use crate::helpers::spawn_app_with;

#[tokio::test]
async fn money_executed_after_a_racing_cancel_completes_the_payment_as_late_money() {
    // Room on both sides of the race: the cancel has the queue's 1.5 s, the execute 5 s.
    let app = spawn_app_with(|s| s.gateway.timeout_ms = 5_000).await;
    let m = merchant(&app, CREDENTIALS[0], json!({})).await;
    let p = create(&app, &m, "BK-X1").await;
    let id = p["id"].as_str().unwrap();
    let back = on_page(&app, &p, "authorise").await;
    // The return's query goes through; its execute waits at bKash first.
    let queued = json!({ "mode": "queued", "after": 1, "delay_ms": 1500 });
    sim(&app, "faults", queued).await;
    let client = app.client.clone();
    let customer = tokio::spawn(async move { client.get(back).send().await.unwrap().status() });
    for _ in 0..500 {
        if stats(&app).await["executes"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        stats(&app).await["executes"],
        1,
        "the execute never arrived"
    );

    let (status, cancelled) = app.post(&format!("/v1/payments/{id}/cancel"), "", &m).await;
    assert_eq!(
        (status, &cancelled["status"]),
        (200, &json!("cancelled")),
        "{cancelled}"
    );
    assert_eq!(customer.await.unwrap().as_u16(), 303);

    // bKash took the money after the cancel: Payrail says so, once, and it can go back.
    assert_eq!(stats(&app).await["executed"], 1);
    assert_eq!(at_bkash(&app, id).await["paid"], "100.00");
    let (_, now) = app.get(&format!("/v1/payments/{id}"), &m).await;
    let state = (&now["status"], &now["status_detail"]);
    assert_eq!(
        state,
        (&json!("completed"), &json!("late_payment")),
        "{now}"
    );
    assert!(now["available_actions"]
        .as_array()
        .unwrap()
        .contains(&json!("refund")));
    assert_eq!(events(&app, id, "payment.completed").await, 1);
    let (status, refund) = app.refund(&m, id, json!({})).await;
    assert_eq!(
        (status, &refund["status"]),
        (201, &json!("completed")),
        "{refund}"
    );
}
