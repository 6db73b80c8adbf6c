//! The return interceptor (`/checkout/{payment_id}/return`): where gateways send the customer
//! back. The payment is rechecked live, then the customer goes on to the merchant's page (or,
//! for a hosted payment still open, back to the choice).

use super::AppState;
use crate::domain::ids::PaymentId;
use crate::error::AppError;
use actix_web::{web, HttpRequest, HttpResponse};

pub async fn customer_return(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let payment_id = PaymentId::parse(&path).ok_or(AppError::NotFound)?;
    let query: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    let token = query
        .iter()
        .find(|(k, _)| k == "t")
        .map(|(_, v)| v.as_str())
        .ok_or(AppError::NotFound)?;
    // Each return may ask gateways live: a payment's returns share a small token bucket, and
    // past it the customer is sent on with the stored status.
    let limiter = &state.return_limiter;
    let may_recheck = || {
        if limiter.len() > 100_000 {
            limiter.retain_recent();
        }
        limiter.check_key(&payment_id.as_str().to_owned()).is_ok()
    };
    let decision = state
        .orch
        .customer_return(payment_id.as_str(), token, &query, may_recheck)
        .await?;
    match decision.redirect_to {
        Some(url) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", url))
            .finish()),
        // No merchant page to go back to: Payrail's page shows where the payment stands.
        None => {
            let page = state
                .orch
                .checkout_page(&decision.payment_id, token)
                .await?;
            Ok(super::checkout::render(&page, 200, None))
        }
    }
}
