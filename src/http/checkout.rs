//! The hosted checkout page (`/checkout/{payment_id}?t=`), rendered on the server from an
//! escaping template (askama): no JavaScript, one inline stylesheet allowed by its hash, and a
//! Content-Security-Policy that lets the page do nothing but show itself, load the merchant's
//! logo and post the customer's pick (whose 303 may lead to the eligible gateways only).

use super::body::read_body;
use super::AppState;
use crate::domain::ids::PaymentId;
use crate::domain::money::{format_minor, Currency};
use crate::domain::status::PaymentStatus;
use crate::error::AppError;
use crate::orchestration::hosted::Choice;
use crate::orchestration::hosted_page::{method_label, origin_of, CheckoutPage, PageState};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

const CSS: &str = include_str!("../../templates/checkout.css");

/// `'sha256-…'` of the inline stylesheet, for `style-src`.
fn css_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let digest = Sha256::digest(CSS.as_bytes());
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        )
    })
}

struct MethodView {
    value: &'static str,
    label: &'static str,
    via: String,
}

struct Link {
    href: String,
    text: String,
}

#[derive(Template)]
#[template(path = "checkout.html")]
struct CheckoutTemplate<'a> {
    css: &'static str,
    merchant_name: &'a str,
    logo_url: Option<&'a str>,
    heading: String,
    amount: String,
    currency: &'a str,
    order_id: &'a str,
    payment_id: &'a str,
    token: &'a str,
    action: String,
    notice: Option<&'a str>,
    message: Option<&'static str>,
    methods: Vec<MethodView>,
    link: Option<Link>,
}

fn heading_and_message(state: &PageState) -> (&'static str, Option<&'static str>) {
    match state {
        PageState::Choose => ("Choose how to pay", None),
        PageState::Processing => (
            "Payment in progress",
            Some("Your payment is being confirmed. You may close this page."),
        ),
        PageState::Final(s) if s.is_paid() => (
            "Payment received",
            Some("Thank you. This payment is complete."),
        ),
        PageState::Final(PaymentStatus::Expired) => (
            "Payment expired",
            Some("The time to pay has run out. Please return to the shop to start again."),
        ),
        PageState::Final(PaymentStatus::Cancelled) => {
            ("Payment cancelled", Some("This payment was cancelled."))
        }
        PageState::Final(PaymentStatus::Failed) => (
            "Payment failed",
            Some("This payment could not be completed."),
        ),
        PageState::Final(_) => (
            "Payment under review",
            Some("We received your payment and are checking it. The shop will be in touch."),
        ),
    }
}

/// Renders the page with its security headers. `continue_to`: a gateway URL the page's policy
/// does not cover, offered as a link instead of a redirect.
pub fn render(page: &CheckoutPage, status: u16, continue_to: Option<&str>) -> HttpResponse {
    let p = &page.payment;
    let amount = Currency::parse(&p.currency).map_or_else(
        || p.amount_minor.to_string(),
        |c| format_minor(p.amount_minor, c),
    );
    let merchant_name = page
        .merchant
        .display_name
        .as_deref()
        .unwrap_or(&page.merchant.name);
    let (heading, message) = heading_and_message(&page.state);
    let link = match (continue_to, &page.merchant_link) {
        (Some(url), _) => Some(Link {
            href: url.to_owned(),
            text: "Continue to payment".into(),
        }),
        (None, Some(url)) => Some(Link {
            href: url.clone(),
            text: format!("Return to {merchant_name}"),
        }),
        (None, None) => None,
    };
    let template = CheckoutTemplate {
        css: CSS,
        merchant_name,
        logo_url: page.merchant.logo_url.as_deref(),
        heading: if continue_to.is_some() {
            "Continue to payment".into()
        } else {
            heading.into()
        },
        amount,
        currency: &p.currency,
        order_id: &p.order_id,
        payment_id: &p.id,
        token: &p.return_token,
        action: format!("/checkout/{}", p.id),
        notice: page.notice.as_deref(),
        message: if continue_to.is_some() { None } else { message },
        methods: if continue_to.is_some() {
            Vec::new()
        } else {
            page.methods
                .iter()
                .map(|m| MethodView {
                    value: m.method.as_str(),
                    label: method_label(m.method),
                    via: m.gateways.join(", "),
                })
                .collect()
        },
        link,
    };
    let html = match template.render() {
        Ok(html) => html,
        Err(err) => {
            return actix_web::ResponseError::error_response(&AppError::Internal(err.into()))
        }
    };
    let logo_origin = page.merchant.logo_url.as_deref().and_then(origin_of);
    let csp = format!(
        "default-src 'none'; style-src {}; img-src {}; form-action 'self' {}; \
         frame-ancestors 'none'; base-uri 'none'",
        css_hash(),
        logo_origin.as_deref().unwrap_or("'none'"),
        page.gateway_origins.join(" "),
    );
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default())
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", csp.trim_end().to_owned()))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("Cache-Control", "no-store"))
        .body(html)
}

fn query_token(req: &HttpRequest) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "t")
        .map(|(_, v)| v.into_owned())
}

/// `GET /checkout/{payment_id}?t=`.
pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let payment_id = PaymentId::parse(&path).ok_or(AppError::NotFound)?;
    let token = query_token(&req).ok_or(AppError::NotFound)?;
    let page = state
        .orch
        .checkout_page(payment_id.as_str(), &token)
        .await?;
    // A payment pinned to a gateway has no choice to offer: its checkout is the gateway's.
    if page.state == PageState::Choose && !page.payment.hosted {
        if let Some(url) = &page.payment.checkout_url {
            return Ok(HttpResponse::SeeOther()
                .insert_header(("Location", url.as_str()))
                .finish());
        }
    }
    Ok(render(&page, 200, None))
}

#[derive(serde::Deserialize)]
struct Pick {
    t: String,
    /// Absent when the form was sent without a button (e.g. Enter on no field).
    #[serde(default)]
    method: String,
}

/// `POST /checkout/{payment_id}` (form: `t`, `method`): the customer's pick.
pub async fn choose(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let payment_id = PaymentId::parse(&path).ok_or(AppError::NotFound)?;
    let body = read_body(&req, payload).await?;
    let pick: Pick = serde_urlencoded::from_bytes(&body).map_err(|_| AppError::NotFound)?;
    match state
        .orch
        .choose_method(payment_id.as_str(), &pick.t, &pick.method)
        .await?
    {
        Choice::Gateway {
            url,
            csp_allows: true,
        } => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", url))
            .finish()),
        Choice::Gateway { url, .. } => {
            let page = state
                .orch
                .checkout_page(payment_id.as_str(), &pick.t)
                .await?;
            Ok(render(&page, 200, Some(&url)))
        }
        Choice::Page(page) => Ok(render(&page, 200, None)),
    }
}
