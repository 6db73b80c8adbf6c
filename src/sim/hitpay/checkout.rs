//! The hosted checkout page and its outcome buttons (docs/sandbox.md, "Checkout pages";
//! docs/gateways/hitpay.md, "Return", "Webhook v1" and "Simulator").
//!
//! Stands in for the customer on HitPay's page. Each outcome changes the request, sends the
//! payment webhook HitPay would send (awaited), then redirects (303) to `redirect_url` with
//! `reference=<payment request id>&status=completed|canceled` appended, keeping the URL's own
//! query (Payrail's `t=…`). Outcomes, mapped onto what HitPay can do:
//! * `pay` — a succeeded payment for the full amount; request `completed`; webhook `completed`.
//! * `underpay` — not something HitPay does (a card is charged in full): a succeeded payment of
//!   half the amount, request `completed`, webhook amount lower than the request's, so the
//!   merchant's amount check fires.
//! * `fail` — a failed payment; request `failed`; webhook `failed`; the customer then leaves
//!   (`status=canceled`: HitPay only ever appends completed or canceled).
//! * `cancel` — the customer cancels: request `canceled`, no webhook (v1 is for payments).
//! * `expire` — the request expires: `expired`, no webhook (a recheck learns it); redirect as
//!   for a customer who gives up (`status=canceled`).
//! * `process` — a payment `pending` (e.g. PayNow awaiting confirmation); the request stays
//!   payable; no webhook unless `emit_pending_webhook` (T8); `status=completed` as the customer
//!   finished their part. A later `pay` completes that same payment.
//!
//! A request created with `allow_repeated_payments` stays payable once completed ("Simulator"): its
//! page offers `pay` again, and each `pay` adds a new succeeded payment for the full amount (the
//! request stays `completed`) with its own `completed` webhook.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use chrono::Utc;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::state::{PaymentRequest, PaymentStatus, RequestStatus};
use super::views::money;
use super::webhook::underpaid;
use super::Mount;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/checkout/{id}", web::get().to(page))
        .route("/checkout/{id}/{outcome}", web::post().to(outcome));
}

/// The outcomes, in the order the page shows them.
pub const OUTCOMES: [&str; 6] = ["pay", "process", "underpay", "fail", "cancel", "expire"];

/// A completed request that allows repeated payments takes another `pay`.
fn repeatable(r: &PaymentRequest) -> bool {
    r.status == RequestStatus::Completed && r.allow_repeated_payments
}

fn html(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\
             <body><main><h1>{t}</h1>{body}</main></body></html>\n",
            t = text(title),
        ))
}

fn not_found() -> HttpResponse {
    html(StatusCode::NOT_FOUND, "Payment request not found", "")
}

async fn page(path: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let request = {
        let mut st = mount.sim.lock();
        st.requests.get_mut(path.as_str()).map(|r| {
            r.expire_if_due(Utc::now());
            r.clone()
        })
    };
    let Some(r) = request else {
        return not_found();
    };
    let mut body = format!(
        "<p>Amount: <b>{} {}</b></p><p>Payment request: {}</p><p>Reference: {}</p>\
         <p>Purpose: {}</p><p>Status: <b id=\"status\">{}</b></p>",
        text(&money(r.amount)),
        text(&r.currency),
        text(&r.id),
        text(r.reference_number.as_deref().unwrap_or("")),
        text(r.purpose.as_deref().unwrap_or("")),
        text(r.status.as_str()),
    );
    let offered: &[&str] = match r.status {
        RequestStatus::Pending => &OUTCOMES,
        _ if repeatable(&r) => &["pay"],
        _ => &[],
    };
    for outcome in offered {
        // Relative to `…/checkout/`, so it works under any mount prefix.
        body.push_str(&format!(
            "<form method=\"post\" action=\"{}/{outcome}\"><button type=\"submit\">{outcome}</button></form>",
            attr(&r.id),
        ));
    }
    html(StatusCode::OK, "HitPay checkout (simulator)", &body)
}

async fn outcome(path: web::Path<(String, String)>, mount: web::Data<Mount>) -> HttpResponse {
    let (id, outcome) = path.into_inner();
    if !OUTCOMES.contains(&outcome.as_str()) {
        return html(StatusCode::BAD_REQUEST, "Unknown outcome", "");
    }
    let now = Utc::now();
    let sim = &mount.sim;
    let (redirect, hook) = {
        let mut guard = sim.lock();
        let st = &mut *guard;
        let Some(r) = st.requests.get_mut(&id) else {
            return not_found();
        };
        r.expire_if_due(now);
        let repeat = outcome == "pay" && repeatable(r);
        if r.status != RequestStatus::Pending && !repeat {
            let msg = format!("<p>Status: {}</p>", text(r.status.as_str()));
            return html(
                StatusCode::CONFLICT,
                "Payment request already finished",
                &msg,
            );
        }
        let (paid_amount, payment_status, request_status, word) = match outcome.as_str() {
            "pay" => (
                Some(r.amount),
                PaymentStatus::Succeeded,
                RequestStatus::Completed,
                "completed",
            ),
            "underpay" => (
                Some(underpaid(r.amount)),
                PaymentStatus::Succeeded,
                RequestStatus::Completed,
                "completed",
            ),
            "fail" => (
                Some(r.amount),
                PaymentStatus::Failed,
                RequestStatus::Failed,
                "failed",
            ),
            "process" => (
                Some(r.amount),
                PaymentStatus::Pending,
                RequestStatus::Pending,
                "pending",
            ),
            "cancel" => (None, PaymentStatus::Pending, RequestStatus::Canceled, ""),
            _ => {
                r.expiry = Some(now);
                (None, PaymentStatus::Pending, RequestStatus::Expired, "")
            }
        };
        r.status = request_status;
        r.updated = now;
        let mut hook = None;
        if let Some(amount) = paid_amount {
            // A pending payment (from `process`) is the one that now settles; a repeated
            // payment is always a new one.
            let payment = r.record_payment(amount, payment_status, now, !repeat);
            let notify =
                payment_status != PaymentStatus::Pending || sim.config.emit_pending_webhook;
            if notify {
                hook = sim.webhook_for(r, &payment, word);
            }
        }
        if let Some(h) = &hook {
            st.last_webhook.insert(id.clone(), h.clone());
        }
        let status = if matches!(outcome.as_str(), "pay" | "underpay" | "process") {
            "completed"
        } else {
            "canceled"
        };
        let redirect = r
            .redirect_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .map(|mut u| {
                u.query_pairs_mut()
                    .append_pair("reference", &id)
                    .append_pair("status", status);
                u.to_string()
            });
        (redirect, hook)
    };
    if let Some(hook) = hook {
        sim.deliver(hook).await;
    }
    match redirect {
        Some(to) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, to))
            .finish(),
        None => html(
            StatusCode::OK,
            "Payment finished",
            "<p>You may close this page.</p>",
        ),
    }
}
