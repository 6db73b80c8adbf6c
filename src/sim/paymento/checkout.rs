//! The hosted gateway page and its outcome buttons (docs/sandbox.md, "Checkout pages";
//! docs/gateways/paymento.md, "Return" and "Simulator").
//!
//! Stands in for the customer paying on Paymento's page. Each outcome walks the order through
//! Paymento's statuses, sending the IPN of every transition and awaiting it, then redirects the
//! browser (`303 See Other`) to `returnUrl?…&token=…&orderId=…&status=<int>` (P10), so a test
//! that follows the redirect knows every IPN already arrived. Paymento has one return URL, so a
//! cancel goes there too. Outcomes: pay → 7 (risk speed 1) or 3 then 7 (risk speed 0, P6);
//! process → 3; underpay → 2; fail → 9 (Reject); cancel → 5; expire → 4 (Timeout).

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::ipn;
use super::state::{Order, Status};
use super::Mount;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/gateway", web::get().to(gateway))
        .route("/checkout/{token}", web::get().to(page))
        .route("/checkout/{token}/{outcome}", web::post().to(outcome));
}

/// The outcomes, in the order the page shows them.
pub const OUTCOMES: [&str; 6] = ["pay", "process", "underpay", "fail", "cancel", "expire"];

/// The statuses `outcome` walks `order` through (`None` for an unknown outcome).
pub fn steps(order: &Order, outcome: &str) -> Option<Vec<Status>> {
    Some(match outcome {
        "pay" if order.risk_speed == 0 && order.status != Status::WaitingToConfirm => {
            vec![Status::WaitingToConfirm, Status::Paid]
        }
        "pay" => vec![Status::Paid],
        "process" => vec![Status::WaitingToConfirm],
        "underpay" => vec![Status::PartialPaid],
        "fail" => vec![Status::Reject],
        "cancel" => vec![Status::UserCanceled],
        "expire" => vec![Status::Timeout],
        _ => return None,
    })
}

/// Moves the order to `status`, with the crypto that arrived (half of it for an underpayment).
/// An order that closes unpaid (Timeout, UserCanceled, Reject) keeps coins that had confirmed
/// (a PartialPaid order's: they are in the merchant's wallet, Paymento being non-custodial) and
/// loses coins that never confirmed (WaitingToConfirm).
pub fn apply(order: &mut Order, status: Status) {
    order.status = status;
    match status {
        Status::PartialPaid => {
            order.received = (order.fiat_amount / Decimal::TWO).round_dp(2);
            order.confirmed = order.received;
        }
        Status::WaitingToConfirm => order.received = order.fiat_amount,
        Status::Paid => {
            order.received = order.fiat_amount;
            order.confirmed = order.fiat_amount;
        }
        Status::Timeout | Status::UserCanceled | Status::Reject => order.received = order.confirmed,
        _ => {}
    }
}

/// Moves the order through `statuses` in turn, sending the IPN of each transition and awaiting
/// it (a failed delivery is retried later, P9), so what follows knows every IPN arrived.
pub async fn walk_through(mount: &Mount, token: &str, statuses: Vec<Status>) {
    for status in statuses {
        let hook = {
            let mut st = mount.sim.lock();
            match st.orders.get_mut(token) {
                Some(order) if order.status != status => apply(order, status),
                _ => continue,
            }
            ipn::prepare(&mut st, token)
        };
        if let Some(hook) = hook {
            let _ = mount.sim.deliver_with_retries(hook).await;
        }
    }
}

fn html(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{0}</title></head>\
             <body><h1>{0}</h1>{1}</body></html>\n",
            text(title),
            body
        ))
}

fn not_found() -> HttpResponse {
    html(StatusCode::NOT_FOUND, "Payment not found", "")
}

#[derive(Deserialize)]
struct GatewayQuery {
    token: Option<String>,
}

/// `/gateway?token=…`: Paymento's own checkout URL shape.
async fn gateway(q: web::Query<GatewayQuery>, mount: web::Data<Mount>) -> HttpResponse {
    let token = q.token.as_deref().unwrap_or("").trim().to_owned();
    render(&mount, &token, &format!("checkout/{}/", attr(&token)))
}

async fn page(path: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let token = path.into_inner();
    render(&mount, &token, &format!("{}/", attr(&token)))
}

/// The page; `action` is the forms' action prefix relative to the page's own URL.
fn render(mount: &Mount, token: &str, action: &str) -> HttpResponse {
    let Some(order) = mount.sim.lock().orders.get(token).cloned() else {
        return not_found();
    };
    let mut body = format!(
        "<p>Amount: <b>{} {}</b></p><p>Token: {}</p><p>Order: {}</p>\
         <p>Status: <b id=\"status\">{}</b></p>",
        text(&order.fiat_amount.to_string()),
        text(&order.fiat_currency),
        text(&order.token),
        text(&order.order_id),
        text(order.status.name()),
    );
    if !order.status.is_final() {
        for outcome in OUTCOMES {
            body.push_str(&format!(
                "<form method=\"post\" action=\"{action}{outcome}\">\
                 <button type=\"submit\">{outcome}</button></form>"
            ));
        }
    }
    html(StatusCode::OK, "Paymento gateway (simulator)", &body)
}

/// `returnUrl` with `token`, `orderId` and `status` appended (P10).
pub fn return_location(order: &Order) -> String {
    match url::Url::parse(&order.return_url) {
        Ok(mut u) => {
            u.query_pairs_mut()
                .append_pair("token", &order.token)
                .append_pair("orderId", &order.order_id)
                .append_pair("status", &order.status.code().to_string());
            u.to_string()
        }
        Err(_) => order.return_url.clone(),
    }
}

async fn outcome(path: web::Path<(String, String)>, mount: web::Data<Mount>) -> HttpResponse {
    let (token, outcome) = path.into_inner();
    let walk = {
        let st = mount.sim.lock();
        let Some(order) = st.orders.get(&token) else {
            return not_found();
        };
        let Some(walk) = steps(order, &outcome) else {
            return html(StatusCode::BAD_REQUEST, "Unknown outcome", "");
        };
        if order.status.is_final() {
            let msg = format!("<p>Status: {}</p>", text(order.status.name()));
            return html(StatusCode::CONFLICT, "Payment already finished", &msg);
        }
        walk
    };
    walk_through(&mount, &token, walk).await;
    let location = mount.sim.lock().orders.get(&token).map(return_location);
    match location {
        Some(l) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, l))
            .finish(),
        None => not_found(),
    }
}
