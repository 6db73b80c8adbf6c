//! The hosted checkout page and its outcome buttons (docs/sandbox.md, "Checkout pages";
//! docs/gateways/himosoft.md, "Simulator").
//!
//! Stands in for the customer on HimoSoft's page. An outcome changes the payment, sends the
//! callback (awaited, so a test that gets the answer knows the callback already arrived), then:
//! * 303 to the account's `return_url` (`_sim/accounts`) with `id` and `status` appended
//!   ([INVENTED]: "Return", HimoSoft takes no return URL per payment and documents no parameters);
//! * or, with no return URL configured, a small "done" page (200).
//!
//! HimoSoft has no separate cancel URL, so every outcome returns to the same place.
//! Outcomes → HimoSoft words: pay → completed; underpay → completed with less money arrived (the
//! reported `amount` is half the asked one); fail → failed; cancel → cancelled; expire → expired;
//! process → stays `pending` (HimoSoft has no "processing" word; the customer is still paying) and
//! a `pending` callback is sent.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use crate::sim::common::page::html;
use rust_decimal::{Decimal, RoundingStrategy};

use super::state::{PayStatus, Payment, SentWebhook, State};
use super::webhook::callback_body;
use super::Mount;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/checkout/{token}", web::get().to(page))
        .route("/checkout/{token}/{outcome}", web::post().to(outcome));
}

const OUTCOMES: [&str; 6] = ["pay", "process", "underpay", "fail", "cancel", "expire"];

/// Applies `outcome` to a pending payment. Returns false for an unknown outcome.
pub fn apply(p: &mut Payment, outcome: &str) -> bool {
    let upstream = || format!("ch_sim_{:016x}", rand::random::<u64>());
    match outcome {
        "pay" => {
            p.status = PayStatus::Completed;
            p.paid = Some(p.amount);
            p.external_id = Some(upstream());
        }
        "underpay" => {
            p.status = PayStatus::Completed;
            let half =
                (p.amount / Decimal::TWO).round_dp_with_strategy(2, RoundingStrategy::ToZero);
            p.paid = Some(half);
            p.external_id = Some(upstream());
        }
        "process" => p.status = PayStatus::Pending,
        "fail" => p.status = PayStatus::Failed,
        "cancel" => p.status = PayStatus::Cancelled,
        "expire" => p.status = PayStatus::Expired,
        _ => return false,
    }
    true
}

/// The callback of `p` as it is now, kept as its last; `None` without a `callback_url`.
pub fn record_callback(st: &mut State, p: &Payment) -> Option<SentWebhook> {
    let hook = SentWebhook {
        account: p.account.clone(),
        url: p.callback_url.clone()?,
        body: callback_body(p),
    };
    st.last_webhook.insert(p.id.clone(), hook.clone());
    Some(hook)
}


fn not_found() -> HttpResponse {
    html(StatusCode::NOT_FOUND, "Payment not found", "")
}

fn summary(p: &Payment) -> String {
    format!(
        "<p>Amount: <b>{} {}</b></p><p>Payment: {}</p><p>Order: {}</p>\
         <p>Status: <b id=\"status\">{}</b></p>",
        text(&p.reported_amount()),
        text(&p.currency),
        text(&p.id),
        text(p.order_id.as_deref().unwrap_or("")),
        text(p.status.as_str()),
    )
}

async fn page(path: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let token = path.into_inner();
    let Some(p) = mount.sim.lock().payment_mut(&token).cloned() else {
        return not_found();
    };
    let mut body = summary(&p);
    if !p.status.is_final() {
        body.push_str("<p>Pay with card, mobile banking or crypto.</p>");
        for outcome in OUTCOMES {
            // Relative to `…/checkout/`, so it works under any mount prefix.
            body.push_str(&format!(
                "<form method=\"post\" action=\"{}/{outcome}\"><button type=\"submit\">{outcome}</button></form>",
                attr(&token),
            ));
        }
    }
    html(StatusCode::OK, "HimoSoft checkout (simulator)", &body)
}

async fn outcome(path: web::Path<(String, String)>, mount: web::Data<Mount>) -> HttpResponse {
    let (token, outcome) = path.into_inner();
    let (p, hook, return_url) = {
        let mut guard = mount.sim.lock();
        let st = &mut *guard;
        let Some(p) = st.payment_mut(&token) else {
            return not_found();
        };
        if !OUTCOMES.contains(&outcome.as_str()) {
            return html(StatusCode::BAD_REQUEST, "Unknown outcome", "");
        }
        if p.status.is_final() {
            let msg = format!("<p>Status: {}</p>", text(p.status.as_str()));
            return html(StatusCode::CONFLICT, "Payment already finished", &msg);
        }
        apply(p, &outcome);
        let p = p.clone();
        let hook = record_callback(st, &p);
        let return_url = st
            .account(p.account.as_deref())
            .and_then(|a| a.return_url.clone());
        (p, hook, return_url)
    };
    if mount.sim.config.send_callbacks {
        if let Some(hook) = hook {
            mount.sim.deliver(&hook, false).await;
        }
    }
    let target = return_url
        .and_then(|u| reqwest::Url::parse(&u).ok())
        .map(|mut u| {
            u.query_pairs_mut()
                .append_pair("id", &p.id)
                .append_pair("status", p.status.as_str());
            u.to_string()
        });
    match target {
        Some(location) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .finish(),
        None => html(
            StatusCode::OK,
            "Done: you may close this page",
            &summary(&p),
        ),
    }
}
