//! The hosted checkout page and its outcome buttons (docs/sandbox.md, "Checkout pages";
//! docs/gateways/paystablecoin.md, "Return" and "Webhook", S9).
//!
//! Stands in for the customer paying on PSC's page: each outcome changes the order, sends the
//! hosted webhook (only for PROCESSING and SUCCEEDED, S9) and waits for it before redirecting the
//! browser to `returnUrl` with `303 See Other` (PSC appends no query), so a test that follows the
//! redirect knows the webhook already arrived.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use crate::sim::common::page::html;

use super::state::{Order, OrderStatus, SentWebhook};
use super::webhook::{payment_body, underpaid};
use super::Mount;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/checkout/{id}", web::get().to(page))
        .route("/checkout/{id}/{outcome}", web::post().to(outcome));
}

/// The outcomes, in the order the page shows them.
const OUTCOMES: [&str; 6] = ["pay", "process", "underpay", "fail", "cancel", "expire"];

/// Applies `outcome` to a non-final order. Returns false for an unknown outcome.
pub fn apply(order: &mut Order, outcome: &str, now: DateTime<Utc>) -> bool {
    match outcome {
        "pay" => {
            order.status = OrderStatus::Succeeded;
            order.crypto_paid = order.crypto_payment;
            order.paid = Some(now);
        }
        "underpay" => {
            order.status = OrderStatus::Succeeded;
            order.crypto_paid = underpaid(order.crypto_payment);
            order.paid = Some(now);
        }
        "process" => {
            order.status = OrderStatus::Processing;
            order.crypto_paid = order.crypto_payment;
        }
        "fail" => order.status = OrderStatus::Failed,
        "cancel" | "expire" => order.status = OrderStatus::Closed,
        _ => return false,
    }
    true
}

/// The hosted webhook of the order's current status: only for PROCESSING and SUCCEEDED (S9), and
/// only when the order has a `callbackUrl`.
pub fn payment_hook(order: &Order) -> Option<SentWebhook> {
    let notify = matches!(
        order.status,
        OrderStatus::Processing | OrderStatus::Succeeded
    );
    let url = order.callback_url.clone().filter(|_| notify)?;
    Some(SentWebhook {
        api_key: order.api_key.clone(),
        url,
        body: payment_body(order),
    })
}


fn not_found() -> HttpResponse {
    html(StatusCode::NOT_FOUND, "Order not found", "")
}

async fn page(path: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let id = path.into_inner();
    let order = {
        let mut st = mount.sim.lock();
        st.orders.get_mut(&id).map(|o| {
            o.expire_if_due(Utc::now());
            o.clone()
        })
    };
    let Some(order) = order else {
        return not_found();
    };
    let mut body = format!(
        "<p>Amount: <b>{} {}</b></p><p>Order: {}</p><p>Merchant order: {}</p>\
         <p>Status: <b id=\"status\">{}</b></p>",
        text(&order.amount_value),
        text(&order.currency),
        text(&order.acquiring_order_id),
        text(&order.merchant_order_id),
        text(order.status.as_str()),
    );
    if !order.status.is_final() {
        for outcome in OUTCOMES {
            // Relative to `…/checkout/`, so it works under any mount prefix.
            body.push_str(&format!(
                "<form method=\"post\" action=\"{}/{}\"><button type=\"submit\">{}</button></form>",
                attr(&order.acquiring_order_id),
                outcome,
                outcome
            ));
        }
    }
    html(StatusCode::OK, "PayStableCoin checkout (simulator)", &body)
}

async fn outcome(path: web::Path<(String, String)>, mount: web::Data<Mount>) -> HttpResponse {
    let (id, outcome) = path.into_inner();
    let now = Utc::now();
    let (return_url, hook) = {
        let mut guard = mount.sim.lock();
        let st = &mut *guard;
        let Some(order) = st.orders.get_mut(&id) else {
            return not_found();
        };
        if !OUTCOMES.contains(&outcome.as_str()) {
            return html(StatusCode::BAD_REQUEST, "Unknown outcome", "");
        }
        order.expire_if_due(now);
        if order.status.is_final() {
            let msg = format!("<p>Status: {}</p>", text(order.status.as_str()));
            return html(StatusCode::CONFLICT, "Order already finished", &msg);
        }
        apply(order, &outcome, now);
        let hook = payment_hook(order);
        if let Some(h) = &hook {
            st.last_webhook.insert(id.clone(), h.clone());
        }
        (order.return_url.clone(), hook)
    };
    if let Some(hook) = hook {
        // Awaited: the redirect follows delivery (a failed delivery is logged, not retried).
        let _ = mount.sim.send_webhook(&hook, false).await;
    }
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, return_url))
        .finish()
}
