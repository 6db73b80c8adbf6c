//! The hosted checkout page and its outcome buttons (docs/sandbox.md, "Checkout pages";
//! docs/gateways/pakhipay.md, "Status mapping", "Return", "Webhook" and "Simulator").
//!
//! Stands in for the customer on Pakhi Pay's page. Each outcome changes the record, sends the
//! completion webhook when there is one (awaited, so a test that follows the redirect knows it
//! arrived), then answers `303 See Other` to where Pakhi Pay sends the browser:
//!
//! | outcome | record | transaction | webhook | browser goes to |
//! |---|---|---|---|---|
//! | `pay` | completed, paid in full | new | yes | `success_url` |
//! | `underpay` | completed, half paid (cents rounded down) | new | yes, amount short | `success_url` |
//! | `process` | pending: submitted, not confirmed (closest to "processing") | new | no | `success_url` |
//! | `fail` | failed | new | no ("Webhook": completed only) | `cancel_url` |
//! | `cancel` | cancelled | none | no | `cancel_url` |
//! | `expire` | expired (the link timed out) | none | no | `cancel_url` |
//!
//! An account with `send_webhooks` off keeps the webhook (for `_sim/checkout/{id}/webhook`) but
//! does not deliver it: a lost webhook.
//!
//! K6: nothing is appended to the URL unless the account's `append_transaction_id` is on; then
//! `transaction_id=<id>` is added whenever the payment has a transaction.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use crate::sim::common::page::html;
use rust_decimal::{Decimal, RoundingStrategy};

use super::state::{Account, PayStatus, Payment, SentWebhook, State};
use super::webhook::{completion, two_decimals};
use super::Mount;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/checkout/{id}", web::get().to(page))
        .route("/checkout/{id}/{outcome}", web::post().to(outcome));
}

/// The outcomes, in the order the page shows them.
pub const OUTCOMES: [&str; 6] = ["pay", "process", "underpay", "fail", "cancel", "expire"];

/// What an underpayment pays: half the amount, rounded down to cents (at least 0.01).
pub fn underpaid(amount: Decimal) -> Decimal {
    (amount / Decimal::TWO)
        .round_dp_with_strategy(2, RoundingStrategy::ToZero)
        .max(Decimal::new(1, 2))
}

fn new_transaction_id() -> String {
    format!("TRX{:012X}", rand::random::<u64>() & 0xFFFF_FFFF_FFFF)
}

/// Applies `outcome` to a pending payment; returns whether the browser goes to `success_url`.
pub fn apply(p: &mut Payment, outcome: &str) -> Option<bool> {
    let needs_transaction = matches!(outcome, "pay" | "underpay" | "process" | "fail");
    if needs_transaction && p.transaction_id.is_none() {
        p.transaction_id = Some(new_transaction_id());
    }
    match outcome {
        "pay" => {
            p.status = PayStatus::Completed;
            p.paid = Some(p.amount);
        }
        "underpay" => {
            p.status = PayStatus::Completed;
            p.paid = Some(underpaid(p.amount));
        }
        "process" => p.status = PayStatus::Pending,
        "fail" => p.status = PayStatus::Failed,
        "cancel" => p.status = PayStatus::Cancelled,
        "expire" => p.status = PayStatus::Expired,
        _ => return None,
    }
    Some(matches!(outcome, "pay" | "underpay" | "process"))
}

/// After an outcome changed payment `id`: registers its transaction for verify and, once it is
/// completed, builds its webhook and keeps it as the payment's last. Returns the account and the
/// webhook to deliver (none while the account's webhooks are off: a lost webhook); `None` when
/// the account was removed.
pub fn settle(st: &mut State, id: &str) -> Option<(Account, Option<SentWebhook>)> {
    let p = st.payments.get(id)?;
    if let Some(t) = &p.transaction_id {
        st.transactions.insert(t.clone(), id.to_owned());
    }
    let account = st.accounts.get(&p.api_key)?.clone();
    let hook = (p.status == PayStatus::Completed)
        .then(|| completion(&account, p))
        .flatten();
    if let Some(h) = &hook {
        st.last_webhook.insert(id.to_owned(), h.clone());
    }
    let deliver = hook.filter(|_| account.send_webhooks);
    Some((account, deliver))
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
        "<p>Amount: <b>{} BDT</b></p><p>Customer: {} &lt;{}&gt;</p><p>Order: {}</p>\
         <p>Status: <b id=\"status\">{}</b></p>",
        text(&two_decimals(p.amount)),
        text(&p.cus_name),
        text(&p.cus_email),
        text(p.order_id.as_deref().unwrap_or("-")),
        text(p.status.as_str()),
    );
    if p.status == PayStatus::Pending {
        for outcome in OUTCOMES {
            // Relative to `…/checkout/`, so it works under any mount prefix.
            body.push_str(&format!(
                "<form method=\"post\" action=\"{}/{}\"><button type=\"submit\">{}</button></form>",
                attr(&p.sim_id),
                outcome,
                outcome
            ));
        }
    }
    html(StatusCode::OK, "Pakhi Pay checkout (simulator)", &body)
}

/// `url` with `transaction_id=<id>` appended to its query (the rest kept byte for byte).
fn with_transaction(url: &str, transaction_id: Option<&str>) -> String {
    match (transaction_id, url::Url::parse(url)) {
        (Some(t), Ok(mut u)) => {
            u.query_pairs_mut().append_pair("transaction_id", t);
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

async fn outcome(path: web::Path<(String, String)>, mount: web::Data<Mount>) -> HttpResponse {
    let (id, outcome) = path.into_inner();
    let (location, hook) = {
        let mut guard = mount.sim.lock();
        let st = &mut *guard;
        let Some(p) = st.payments.get_mut(&id) else {
            return not_found();
        };
        if !OUTCOMES.contains(&outcome.as_str()) {
            return html(StatusCode::BAD_REQUEST, "Unknown outcome", "");
        }
        let unchanged = p.status != PayStatus::Pending;
        if unchanged {
            let msg = format!("<p>Status: {}</p>", text(p.status.as_str()));
            return html(StatusCode::CONFLICT, "Payment already finished", &msg);
        }
        let to_success = apply(p, &outcome).unwrap_or(false);
        let Some((account, deliver)) = settle(st, &id) else {
            return html(StatusCode::GONE, "Merchant account removed", "");
        };
        let p = &st.payments[&id];
        let base = if to_success {
            &p.success_url
        } else {
            &p.cancel_url
        };
        let appended = p
            .transaction_id
            .as_deref()
            .filter(|_| account.append_transaction_id);
        (with_transaction(base, appended), deliver)
    };
    if let Some(hook) = hook {
        // Awaited: the redirect follows delivery (failures are logged; tries per K7).
        let _ = mount.sim.send_webhook(&hook, false).await;
    }
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}
