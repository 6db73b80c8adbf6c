//! `/console/merchants` and `/console/merchants/{id}`: the merchant list, and one merchant's
//! profile, gateway accounts (each with its routing form) and secrets in use (how many and
//! until when, never a value), with the forms of `merchant_actions.rs`. A page answering an
//! action (a rotation's new secret, a test webhook's answer) is rendered here too.

use super::page::{html, Chrome, Page};
use super::{fmt, session};
use crate::domain::ids::MerchantId;
use crate::error::AppError;
use crate::http::AppState;
use crate::orchestration::console_merchants::{MerchantFile, MERCHANT_LIST_LIMIT};
use crate::store::merchants::MerchantRow;
use actix_web::{web, HttpRequest};
use askama::Template;

pub struct MerchantView {
    id: String,
    name: String,
    display_name: String,
    webhook_url: String,
    logo_url: String,
    signature_policy: String,
    created_at: String,
}

impl MerchantView {
    fn of(m: &MerchantRow) -> Self {
        MerchantView {
            id: m.id.clone(),
            name: m.name.clone(),
            display_name: fmt::opt(&m.display_name).to_owned(),
            webhook_url: fmt::opt(&m.webhook_url).to_owned(),
            logo_url: fmt::opt(&m.logo_url).to_owned(),
            signature_policy: m.signature_policy.clone(),
            created_at: fmt::time(m.created_at),
        }
    }
}

struct AccountView {
    id: String,
    provider: String,
    base_url: String,
    enabled: bool,
    priority: i32,
    currencies: String,
    methods: String,
}

/// A JSON list of strings as the form shows it (`USD, BDT`); empty: everything offered.
fn listed(json: &str) -> String {
    serde_json::from_str::<Vec<String>>(json)
        .unwrap_or_default()
        .join(", ")
}

/// What an action leaves on the page it answers with.
pub enum Outcome {
    None,
    /// A fixed text (after a redirect's `done`).
    Done(&'static str),
    /// The new secret, shown on this answer only, and when the previous one stops working.
    Rotated {
        secret: String,
        grace_until: String,
    },
    /// A test webhook's result, as one line.
    Tested(String),
}

#[derive(Template)]
#[template(path = "console/merchant.html")]
struct MerchantTemplate {
    chrome: Chrome,
    m: MerchantView,
    accounts: Vec<AccountView>,
    secrets: Vec<String>,
    outcome: Outcome,
}

#[derive(Template)]
#[template(path = "console/merchants.html")]
struct MerchantsTemplate {
    chrome: Chrome,
    merchants: Vec<MerchantView>,
    limit: i64,
}

/// `GET /console/merchants`.
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Page {
    let session = session::require(&state, &req).await?;
    let merchants = state.orch.list_merchants().await?;
    html(&MerchantsTemplate {
        chrome: Chrome::new("Merchants", "merchants", Some(&session)),
        merchants: merchants.iter().map(MerchantView::of).collect(),
        limit: MERCHANT_LIST_LIMIT,
    })
}

pub fn merchant_id(raw: &str) -> Result<String, AppError> {
    MerchantId::parse(raw)
        .map(|m| m.to_string())
        .ok_or(AppError::NotFound)
}

/// The merchant page, answering `outcome`.
pub fn page(session: &session::Session, f: &MerchantFile, outcome: Outcome) -> Page {
    let accounts = f
        .accounts
        .iter()
        .map(|a| AccountView {
            id: a.id.clone(),
            provider: a.provider.clone(),
            base_url: a.base_url.clone(),
            enabled: a.enabled,
            priority: a.priority,
            currencies: listed(&a.currencies),
            methods: listed(&a.methods),
        })
        .collect();
    let secrets = f
        .secrets
        .iter()
        .map(|until| match until {
            None => "current".to_owned(),
            Some(t) => format!("previous, valid until {} UTC", fmt::time(*t)),
        })
        .collect();
    html(&MerchantTemplate {
        chrome: Chrome::new(
            format!("Merchant {}", f.merchant.name),
            "merchants",
            Some(session),
        ),
        m: MerchantView::of(&f.merchant),
        accounts,
        secrets,
        outcome,
    })
}

fn done_text(key: &str) -> Option<&'static str> {
    match key {
        "routing" => Some("The account's routing was saved."),
        "profile" => Some("The profile was saved."),
        _ => None,
    }
}

/// `GET /console/merchants/{id}`.
pub async fn show(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>) -> Page {
    let session = session::require(&state, &req).await?;
    let file = state.orch.merchant_file(&merchant_id(&path)?).await?;
    let done = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "done")
        .and_then(|(_, v)| done_text(&v));
    page(&session, &file, done.map_or(Outcome::None, Outcome::Done))
}
