//! bKash's payment page (the `bkashURL`) and its outcome buttons (design §6).
//!
//! Stands in for the customer on bKash's page: wallet number, OTP and PIN in one button. No
//! outcome moves money; each changes the record and answers `303 See Other` to the payment's
//! `callbackURL` with `paymentID` and `status` appended, as bKash redirects the browser:
//!
//! | outcome | record | `status` on the callback |
//! |---|---|---|
//! | `authorise` (or `pay`) | approved: `Initiated`, verification `Complete`, waiting for execute | `success` |
//! | `fail` | `Failed` (a wrong PIN, say) | `failure` |
//! | `cancel` | `Cancelled` | `cancel` |
//! | `expire` | `Expired` (the page timed out) | `failure` [INFERRED] |
//!
//! The parameters are appended with `?`, or with `&` when the callback URL has a query already
//! [INFERRED: bKash documents only the `?` form]. A test that must not follow the redirect (the
//! customer approved and closed the browser) just ignores it.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use crate::sim::common::page::html;

use super::state::{money, PayState};
use super::Mount;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/checkout/{id}", web::get().to(page))
        .route("/checkout/{id}/{outcome}", web::post().to(outcome));
}

/// The outcomes, in the order the page shows them.
pub const OUTCOMES: [&str; 4] = ["authorise", "fail", "cancel", "expire"];

/// The record an outcome leaves and the `status` the browser brings back.
fn apply(outcome: &str) -> Option<(PayState, &'static str)> {
    Some(match outcome {
        "authorise" | "pay" => (PayState::Authorised, "success"),
        "fail" => (PayState::Failed, "failure"),
        "cancel" => (PayState::Cancelled, "cancel"),
        "expire" => (PayState::Expired, "failure"),
        _ => return None,
    })
}

/// `callback_url` with `paymentID` and `status` appended.
pub fn callback(callback_url: &str, payment_id: &str, status: &str) -> String {
    let joiner = if callback_url.contains('?') { '&' } else { '?' };
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("paymentID", payment_id)
        .append_pair("status", status)
        .finish();
    format!("{callback_url}{joiner}{query}")
}


fn not_found() -> HttpResponse {
    html(StatusCode::NOT_FOUND, "Payment not found", "")
}

async fn page(path: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let id = path.into_inner();
    let Some(p) = mount.sim.lock().payments.get(&id).cloned() else {
        return not_found();
    };
    let mut body = format!(
        "<p>Amount: <b>{} BDT</b></p><p>Invoice: {}</p><p>Status: <b id=\"status\">{}</b> \
         (verification {})</p>",
        text(&money(p.amount)),
        text(&p.invoice),
        text(p.state.word()),
        text(p.state.verification()),
    );
    if p.state == PayState::Initiated {
        for outcome in OUTCOMES {
            // Relative to `…/checkout/`, so it works under any mount prefix.
            body.push_str(&format!(
                "<form method=\"post\" action=\"{}/{}\"><button type=\"submit\">{}</button></form>",
                attr(&p.payment_id),
                outcome,
                outcome
            ));
        }
    }
    html(StatusCode::OK, "bKash payment (simulator)", &body)
}

async fn outcome(path: web::Path<(String, String)>, mount: web::Data<Mount>) -> HttpResponse {
    let (id, outcome) = path.into_inner();
    let Some((state, status)) = apply(&outcome) else {
        return html(StatusCode::BAD_REQUEST, "Unknown outcome", "");
    };
    let location = {
        let mut st = mount.sim.lock();
        let Some(p) = st.payments.get_mut(&id) else {
            return not_found();
        };
        if p.state != PayState::Initiated {
            let msg = format!("<p>Status: {}</p>", text(p.state.word()));
            return html(StatusCode::CONFLICT, "Payment already finished", &msg);
        }
        p.state = state;
        callback(&p.callback_url, &p.payment_id, status)
    };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}
