//! The hosted checkout page and its outcome buttons: stands in for the customer on Stripe's page.
//!
//! Outcomes (the page offers those the session's state allows):
//! * `pay` — the card is charged: intent `succeeded` with one charge, session `complete`/`paid`;
//!   `checkout.session.completed`; redirect to `success_url` with `{CHECKOUT_SESSION_ID}` filled.
//! * `process` — a delayed method (a bank debit): intent `processing`, session
//!   `complete`/`unpaid`; `checkout.session.completed`; redirect to `success_url`.
//! * `async_succeed` / `async_fail` — the delayed method settles (only on a complete, unpaid
//!   session): `checkout.session.async_payment_succeeded` (paid, with its charge) or
//!   `…_failed` (intent back to `requires_payment_method`); no redirect (the customer left).
//! * `fail` — the card is declined: Stripe keeps the session open for another try, so no
//!   webhook Payrail reads; the intent shows the decline; the page is shown again.
//! * `cancel` — the customer leaves by the back link: redirect to `cancel_url`; the session
//!   stays open (Stripe does not close it), so only its expiry or an expire call ends it.
//! * `expire` — the session's time runs out now: `expired`, `checkout.session.expired`; the
//!   customer is sent to `cancel_url`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use chrono::Utc;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::money;
use super::state::{IntentStatus, SentWebhook, Session, SessionStatus};
use super::views::{session_view, Expand};
use super::Mount;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/checkout/{id}", web::get().to(page))
        .route("/checkout/{id}/{outcome}", web::post().to(outcome));
}

/// Outcomes for an open session, in the order the page shows them.
pub const OPEN: [&str; 5] = ["pay", "process", "fail", "cancel", "expire"];
/// Outcomes for a complete session still waiting for a delayed method.
pub const WAITING: [&str; 2] = ["async_succeed", "async_fail"];

fn offered(s: &Session) -> &'static [&'static str] {
    match (s.status, s.paid) {
        (SessionStatus::Open, _) => &OPEN,
        (SessionStatus::Complete, false) => &WAITING,
        _ => &[],
    }
}

pub(super) fn html(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\
             <body><main><h1>{t}</h1>{body}</main></body></html>\n",
            t = text(title),
        ))
}

fn render(s: &Session, note: &str) -> HttpResponse {
    let amount = money::decimal(s.amount, &s.currency);
    let mut body = format!(
        "{note}<p>{}</p><p>Amount: <b>{amount} {}</b></p><p>Session: {}</p><p>Status: <b id=\"status\">{}</b></p>",
        text(&s.product_name),
        text(&s.currency.to_ascii_uppercase()),
        text(&s.id),
        text(s.status.as_str()),
    );
    for outcome in offered(s) {
        // Relative to `…/checkout/`, so it works under any mount prefix.
        body.push_str(&format!(
            "<form method=\"post\" action=\"{}/{outcome}\"><button type=\"submit\">{outcome}</button></form>",
            attr(&s.id),
        ));
    }
    html(StatusCode::OK, "Stripe Checkout (simulator)", &body)
}

async fn page(path: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let session = {
        let mut st = mount.sim.lock();
        st.sessions.get_mut(path.as_str()).map(|s| {
            s.expire_if_due(Utc::now().timestamp());
            s.clone()
        })
    };
    match session {
        Some(s) => render(&s, ""),
        None => html(StatusCode::NOT_FOUND, "Checkout session not found", ""),
    }
}

/// What an outcome leads to: the event to send and where the customer goes.
enum Next {
    Redirect(Option<SentWebhook>, Option<String>),
    Page(String),
}

fn apply(mount: &Mount, s: &mut Session, outcome: &str) -> Next {
    let now = Utc::now().timestamp();
    let kind = match outcome {
        "pay" => {
            s.settle_paid(now);
            "checkout.session.completed"
        }
        "process" => {
            s.intent_mut(now).status = IntentStatus::Processing;
            s.status = SessionStatus::Complete;
            "checkout.session.completed"
        }
        "async_succeed" => {
            s.settle_paid(now);
            "checkout.session.async_payment_succeeded"
        }
        "async_fail" => {
            s.intent_mut(now).status = IntentStatus::RequiresPaymentMethod;
            "checkout.session.async_payment_failed"
        }
        "fail" => {
            s.intent_mut(now).last_error = Some("Your card was declined.".into());
            return Next::Page("<p role=\"alert\">Your card was declined.</p>".into());
        }
        "cancel" => return Next::Redirect(None, s.cancel_url.clone()),
        _ => {
            s.expire();
            "checkout.session.expired"
        }
    };
    let hook = mount.sim.event(&s.secret_key, kind, session_view(s, "", Expand::default()));
    let to = match outcome {
        "pay" | "process" => Some(s.success_url.replace("{CHECKOUT_SESSION_ID}", &s.id)),
        "expire" => s.cancel_url.clone(),
        _ => None,
    };
    Next::Redirect(Some(hook), to)
}

async fn outcome(path: web::Path<(String, String)>, mount: web::Data<Mount>) -> HttpResponse {
    let (id, outcome) = path.into_inner();
    if !OPEN.contains(&outcome.as_str()) && !WAITING.contains(&outcome.as_str()) {
        return html(StatusCode::BAD_REQUEST, "Unknown outcome", "");
    }
    let next = {
        let mut guard = mount.sim.lock();
        let st = &mut *guard;
        let Some(s) = st.sessions.get_mut(&id) else {
            return html(StatusCode::NOT_FOUND, "Checkout session not found", "");
        };
        s.expire_if_due(Utc::now().timestamp());
        if !offered(s).contains(&outcome.as_str()) {
            let msg = format!("<p>Status: {}</p>", text(s.status.as_str()));
            return html(StatusCode::CONFLICT, "Checkout session not payable", &msg);
        }
        let next = apply(&mount, s, &outcome);
        if let Next::Page(note) = next {
            return render(s, &note);
        }
        if let Next::Redirect(Some(hook), _) = &next {
            st.last_webhook.insert(id.clone(), hook.clone());
        }
        next
    };
    let Next::Redirect(hook, to) = next else {
        unreachable!("pages are answered above")
    };
    mount.sim.deliver(hook.into_iter().collect()).await;
    match to {
        Some(to) => HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish(),
        None => html(StatusCode::OK, "Payment finished", "<p>You may close this page.</p>"),
    }
}
