//! Payrail's hosted checkout offers bKash under "Mobile banking": a customer who cancels at bKash
//! comes back to the choice, picks again, approves, and the return executes that attempt.

use super::*;
use crate::checkout::{create_hosted, pick};
use crate::helpers::spawn_app;

#[tokio::test]
async fn the_hosted_page_offers_bkash_and_a_second_pick_is_executed() {
    let app = spawn_app().await;
    let m = merchant(&app, CREDENTIALS[0], json!({})).await;
    let p = create_hosted(&app, &m, "BK-H1").await;
    let id = p["id"].as_str().unwrap();
    let page = app
        .client
        .get(p["checkout_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert!(page.text().await.unwrap().contains("Mobile banking"));

    let at_bkash = see_other(pick(&app, &p, "mobile_banking").await);
    let bkash_page = format!("{}/bkash/checkout/TR0011", app.sim_address);
    assert!(at_bkash.starts_with(&bkash_page), "{at_bkash}");
    let res = app
        .client
        .post(format!("{at_bkash}/cancel"))
        .send()
        .await
        .unwrap();
    let back = see_other(res);
    let choice = follow(&app, &back).await;
    assert_eq!(
        choice,
        p["checkout_url"].as_str().unwrap(),
        "back to the choice"
    );
    assert_eq!(app.status_of(id, &m).await, "pending");

    let again = see_other(pick(&app, &p, "mobile_banking").await);
    assert_ne!(again, at_bkash, "a new attempt, a new bKash payment");
    let res = app
        .client
        .post(format!("{again}/authorise"))
        .send()
        .await
        .unwrap();
    let back = see_other(res);
    let thanks = format!("https://shop.example/thanks?payment_id={id}&status=completed");
    assert_eq!(follow(&app, &back).await, thanks);
    let s = stats(&app).await;
    assert_eq!(
        (&s["calls"]["create"], &s["executed"]),
        (&json!(2), &json!(1))
    );
}
